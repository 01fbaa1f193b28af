"""A vendor answer a connector does not understand is the vendor's problem, not an internal error.

Connector hooks read vendor JSON with plain indexing (``body["data"]["orders"]``). When a vendor, a
proxy or a hostile server answers with another shape, that indexing raises ``KeyError`` or
``TypeError``, which would end the command as an internal error (exit 3) with a traceback. Wrapping
each hook once here turns such data-shape errors into a :class:`TransientError` that names the
vendor: the run reports it, the records are retried later and land in the failed queue if the
vendor keeps answering nonsense. Errors of other kinds (a ``NameError`` in our code) stay bugs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any, TypeVar

from ordersync_app.connectors.sdk.spec import Connector
from ordersync_app.domain.errors import TransientError
from ordersync_app.domain.redact import clip

# What reading an unexpected structure raises: missing keys, wrong types, bad numbers or text,
# JSON nested deeper than the parser allows.
SHAPE_ERRORS = (LookupError, TypeError, ValueError, AttributeError, ArithmeticError, RecursionError)
F = TypeVar("F", bound=Callable[..., Any])


def _not_understood(vendor: str, exc: BaseException) -> TransientError:
    return TransientError(f"{vendor} answered something OrderSync does not understand "
                          f"({type(exc).__name__}: {clip(str(exc), 200)})",
                          hint="if it keeps happening, the vendor's API may have changed: check for an update")


def _guard(vendor: str, hook: F) -> F:
    @wraps(hook)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return hook(*args, **kwargs)
        except SHAPE_ERRORS as exc:
            raise _not_understood(vendor, exc) from None
    return call  # type: ignore[return-value]


def _guard_pages(vendor: str, fetch: F) -> F:
    @wraps(fetch)
    def pages(*args: Any, **kwargs: Any) -> Iterator[Any]:
        try:
            yield from fetch(*args, **kwargs)
        except SHAPE_ERRORS as exc:
            raise _not_understood(vendor, exc) from None
    return pages  # type: ignore[return-value]


_made: dict[int, tuple[Connector, Connector]] = {}  # id(declared) → (declared, guarded), made once


def guarded(connector: Connector) -> Connector:
    """``connector`` with every hook that reads vendor answers wrapped (see the module docstring)."""
    if getattr(connector, "_guarded", False):
        return connector
    made = _made.get(id(connector))
    if made is not None and made[0] is connector:
        return made[1]
    result = _wrap(connector)
    _made[id(connector)] = (connector, result)
    return result


def _wrap(connector: Connector) -> Connector:
    name = connector.name_en
    result = dataclasses.replace(
        connector,
        test_connection=_guard(name, connector.test_connection),
        triggers=tuple(dataclasses.replace(t, fetch=_guard_pages(name, t.fetch)) if t.fetch else t
                       for t in connector.triggers),
        actions=tuple(dataclasses.replace(a, deliver=_guard(name, a.deliver), read_current=_guard(name, a.read_current))
                      for a in connector.actions),
        lookups=tuple(dataclasses.replace(lk, find=_guard(name, lk.find)) for lk in connector.lookups),
        classify=_guard(name, connector.classify) if connector.classify else None,
    )
    object.__setattr__(result, "_guarded", True)
    return result
