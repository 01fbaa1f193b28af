"""Sending a batch of writes one call each, every outcome kept with its own write.

Vendors without a batch write (Fxiaoke ``data/update``, Yonyou ``singleSave``) take one record per call,
while the engine hands an action a batch. The outcome of each call must stay with its own write: a
rejection is that record's alone, a lost answer leaves only that record unknown (the engine reads the
target before anything is sent again), and when the vendor keeps saying "later" the writes not yet sent
wait as *not applied*. Raising instead would make the engine treat the whole batch alike: records already
written would be sent a second time.
"""

from __future__ import annotations

from collections.abc import Callable

from ordersync_app.connectors.sdk.http import AnswerLost
from ordersync_app.connectors.sdk.spec import Write, WriteResult, WriteStatus
from ordersync_app.domain.errors import RecordRejected, TransientError


def one_by_one(writes: list[Write], send: Callable[[Write], WriteResult]) -> list[WriteResult]:
    """Send each write with ``send``, turning each call's error into that write's result.

    Args:
        writes: the batch, in order.
        send: sends one write (``write=True`` calls) and returns its result.

    Returns:
        One result per write: ``unknown`` after a lost answer, ``rejected`` with the vendor's message,
        ``transient`` for the write that hit a spent retry budget and every write after it (unsent).
        Setup and auth errors still raise: the account is wrong and the run stops.
    """
    results: list[WriteResult] = []
    for index, write in enumerate(writes):
        try:
            results.append(send(write))
        except AnswerLost as exc:  # before TransientError: it is one
            results.append(WriteResult(write.ref, WriteStatus.UNKNOWN, message=exc.render()))
        except RecordRejected as exc:
            results.append(WriteResult(write.ref, WriteStatus.REJECTED, message=exc.vendor_message or exc.what))
        except TransientError as exc:
            message = exc.render()
            results += [WriteResult(w.ref, WriteStatus.TRANSIENT, message=message) for w in writes[index:]]
            break
    return results
