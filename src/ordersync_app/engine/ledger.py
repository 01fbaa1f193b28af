"""The delivery ledger: exactly-once writes across crashes, timeouts and lost responses.

Every intended write is keyed by (recipe, record key, record version, step). Before a write is
sent its row is committed as ``inflight``; when the vendor's answer is stored it becomes ``done``
or ``rejected``, ``retry`` (the vendor said it was not applied: 429, 503) or ``unknown`` (the answer
was lost after the request may have landed). A row still ``inflight`` at the next attempt means the
process died while sending. For ``inflight`` and ``unknown`` rows the engine reads the target first —
once the lost request can no longer arrive — and only writes again when the target does not hold
the intended values. Together with the vendors' idempotent forms (upsert by unique property, PATCH
to a desired state) each intended change lands once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from ordersync_app.storage import bulk
from ordersync_app.storage.tables import Delivery, Execution, utcnow

# The ledger's statuses (``deliveries.status``).
INFLIGHT, DONE, REJECTED, RETRY, UNKNOWN = "inflight", "done", "rejected", "retry", "unknown"


def write_hash(action: str, match: str | None, properties: dict[str, Any], params: Any) -> str:
    """A stable fingerprint of one intended write (what, where, which values)."""
    blob = json.dumps([action, match, properties, params], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerKey:
    """(record key, record version) within one recipe and step."""

    key: str
    version: str


def _by_key(session: Session, recipe_id: int, step: int, keys: Iterable[LedgerKey], *, orm: bool
            ) -> dict[LedgerKey, Any]:
    """The ledger rows of these record changes at ``step``: ORM objects, or plain rows of :data:`_COLUMNS`.

    By record key (the unique index's second column), versions picked here: a (key, version) row-value IN
    makes SQLite scan the recipe's whole ledger, which grows with every record ever written."""
    wanted = {LedgerKey(k.key, k.version) for k in keys}
    key_list = sorted({k.key for k in wanted})
    found: dict[LedgerKey, Any] = {}
    for chunk_start in range(0, len(key_list), 400):
        where = (Delivery.recipe_id == recipe_id, Delivery.record_key.in_(key_list[chunk_start:chunk_start + 400]),
                 Delivery.step == step)
        rows = session.scalars(select(Delivery).where(*where)) if orm else \
            session.execute(select(*_COLUMNS).where(*where))
        for row in rows:
            key = LedgerKey(row.record_key, row.record_version)
            if key in wanted:
                found[key] = row
    return found


def load(session: Session, recipe_id: int, step: int, keys: Iterable[LedgerKey]) -> dict[LedgerKey, Delivery]:
    """Existing ledger rows for these record changes at ``step``."""
    return _by_key(session, recipe_id, step, keys, orm=True)


# The columns the hot path reads (claim, send): plain rows, no ORM objects to track.
_COLUMNS = (Delivery.id, Delivery.record_key, Delivery.record_version, Delivery.status, Delivery.target_id,
            Delivery.updated_at)


def load_rows(session: Session, recipe_id: int, step: int, keys: Iterable[LedgerKey]) -> dict[LedgerKey, Any]:
    """Like :func:`load`, as plain rows (``id``, ``status``, ``target_id``, ``updated_at``…), for
    :func:`mark_inflight` and :func:`settle_many`."""
    return _by_key(session, recipe_id, step, keys, orm=False)


def last_done_hashes(session: Session, recipe_id: int, step: int, keys: Iterable[str]) -> dict[str, str]:
    """For each record key, the fingerprint of the newest ``done`` write at ``step``.

    Lets the engine skip a write that would set exactly the values it last set for this object
    (a record changed in ways the recipe does not map).
    """
    key_list = sorted(set(keys))
    newest: dict[str, tuple[Any, str]] = {}
    for chunk_start in range(0, len(key_list), 400):
        chunk = key_list[chunk_start:chunk_start + 400]
        rows = session.execute(select(Delivery.record_key, Delivery.id, Delivery.write_hash).where(
            and_(Delivery.recipe_id == recipe_id, Delivery.step == step, Delivery.status == DONE,
                 Delivery.record_key.in_(chunk))))
        for key, row_id, digest in rows:
            if key not in newest or row_id > newest[key][0]:
                newest[key] = (row_id, digest)
    return {key: digest for key, (_id, digest) in newest.items()}


def mark_inflight(session: Session, recipe_id: int, step: int,
                  entries: list[tuple[LedgerKey, str, str | None, dict[str, Any]]],
                  existing: dict[LedgerKey, Any]) -> None:
    """Record the intent to send these writes — (key, fingerprint, target key, values) — committed by the
    caller *before* sending. ``existing``: their rows already in the ledger (anything with an ``id``)."""
    now = utcnow()
    fresh: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    for key, digest, target, values in entries:
        row = existing.get(key)
        if row is None:
            fresh.append({"recipe_id": recipe_id, "record_key": key.key, "record_version": key.version, "step": step,
                          "status": INFLIGHT, "write_hash": digest, "target_key": target, "sent": values,
                          "created_at": now, "updated_at": now})
        else:
            again.append({"id": row.id, "status": INFLIGHT, "write_hash": digest, "target_key": target,
                          "sent": values, "updated_at": now})
    # Set-based: one multi-row insert and one executemany update, no unit of work per row.
    if fresh:
        bulk.insert_rows(session, Delivery, fresh)
    if again:
        bulk.update_rows(session, Delivery, again)


def resend(row: Delivery, digest: str, values: dict[str, Any]) -> None:
    """Mark a ledger row in flight again for a write about to be sent with these values."""
    row.status = INFLIGHT
    row.write_hash = digest
    row.sent = values
    row.updated_at = utcnow()


def unsettled_targets(session: Session, recipe_id: int, step: int, targets: Iterable[str]
                      ) -> dict[str, set[LedgerKey]]:
    """Per target, the writes whose fate is unknown (in flight, or their answer lost).

    A newer write to the same object must wait for those of other records: sent first, it could be
    overwritten by an older one landing late, or make the older one look absent when it is checked.
    """
    wanted = sorted({t for t in targets if t})
    found: dict[str, set[LedgerKey]] = {}
    for start in range(0, len(wanted), 400):
        rows = session.execute(select(Delivery.target_key, Delivery.record_key, Delivery.record_version).where(
            Delivery.recipe_id == recipe_id, Delivery.step == step, Delivery.status.in_((INFLIGHT, UNKNOWN)),
            Delivery.target_key.in_(wanted[start:start + 400])))
        for target, key, version in rows:
            if target is not None:
                found.setdefault(target, set()).add(LedgerKey(key, version))
    return found


def waiting_targets(session: Session, recipe_id: int, step: int, targets: Iterable[str]
                    ) -> dict[str, list[tuple[int, LedgerKey]]]:
    """Per target, the (row id, key) of writes that wait for a later attempt (``retry``) while their record is
    still retrying.

    A newer record's write to the same object waits behind them: sent first, the older one would land last and
    put older values over newer ones (a buyer's April total over their August one). A row stops counting as
    soon as its record is no longer retrying (delivered, failed, skipped)."""
    wanted = sorted({t for t in targets if t})
    still_retrying = exists(select(Execution.id).where(
        Execution.recipe_id == Delivery.recipe_id, Execution.status == "retrying",
        Execution.record_version == Delivery.record_version,
        or_(Execution.record_key == Delivery.record_key,  # a loop item's key is "<record key>#<item key>"
            func.substr(Delivery.record_key, 1, func.length(Execution.record_key) + 1) == Execution.record_key + "#")))
    found: dict[str, list[tuple[int, LedgerKey]]] = {}
    for start in range(0, len(wanted), 400):
        rows = session.execute(select(Delivery.target_key, Delivery.id, Delivery.record_key, Delivery.record_version)
                               .where(Delivery.recipe_id == recipe_id, Delivery.step == step, Delivery.status == RETRY,
                                      Delivery.target_key.in_(wanted[start:start + 400]), still_retrying))
        for target, row_id, key, version in rows:
            if target is not None:
                found.setdefault(target, []).append((row_id, LedgerKey(key, version)))
    return found


def mark_waiting(session: Session, recipe_id: int, step: int,
                 entries: list[tuple[LedgerKey, str, str | None]], existing: dict[LedgerKey, Any]) -> None:
    """Record writes that were not sent because an earlier write to the same object goes first — (key,
    fingerprint, target key) — as ``retry`` rows, so that newer records' writes to that object wait behind
    them too (see :func:`waiting_targets`)."""
    now = utcnow()
    fresh = [{"recipe_id": recipe_id, "record_key": key.key, "record_version": key.version, "step": step,
              "status": RETRY, "write_hash": digest, "target_key": target, "created_at": now, "updated_at": now}
             for key, digest, target in entries if key not in existing]
    if fresh:
        bulk.insert_rows(session, Delivery, fresh)


def settled_after(session: Session, recipe_id: int, step: int, target: str, row_id: int) -> bool:
    """Whether a later write (a newer record) to the same target has landed: an older write whose fate is
    unknown is then superseded — sending it again would put older values over newer ones."""
    return session.scalar(select(Delivery.id).where(
        Delivery.recipe_id == recipe_id, Delivery.step == step, Delivery.target_key == target,
        Delivery.id > row_id, Delivery.status == DONE).limit(1)) is not None


def settle(session: Session, row: Delivery, status: str, *, target_id: str | None = None,
           response: str | None = None) -> None:
    """Store what became of one write (``done``, ``rejected``, ``retry``, ``unknown``, or ``inflight``
    again before a re-send)."""
    row.status = status
    row.target_id = target_id
    row.response = response[:1000] if response else None
    row.updated_at = utcnow()


def settle_many(session: Session, outcomes: list[tuple[int, str, str | None, str | None]]) -> None:
    """:func:`settle` for many rows by id at once: ``(row id, status, target id, response)``."""
    if not outcomes:
        return
    now = utcnow()
    bulk.update_rows(session, Delivery, [
        {"id": row_id, "status": status, "target_id": target, "response": response[:1000] if response else None,
         "updated_at": now} for row_id, status, target, response in outcomes])


def forget_rejections(session: Session, recipe_id: int, record_key: str, record_version: str) -> None:
    """Let a re-sent record write again at the steps where the vendor rejected it (loop items included:
    their keys are ``<record key>#<item key>``)."""
    session.execute(update(Delivery).where(
        Delivery.recipe_id == recipe_id,
        or_(Delivery.record_key == record_key, Delivery.record_key.startswith(record_key + "#", autoescape=True)),
        Delivery.record_version == record_version, Delivery.status == REJECTED,
    ).values(status=RETRY, updated_at=utcnow()))
