"""Retention: how long record outcomes, settled ledger rows, runs and audit entries are kept, and pruning.

The setting lives in the database (``settings``, row ``retention``), so every worker and desktop app of a team
database prunes alike; a ``<home>/retention.json`` from before is imported on first use. The defaults:

* a record that failed (or waits for a retry) is kept until it is resolved — whatever its age;
* other record outcomes, settled (``done``) ledger rows and finished runs that no kept outcome names: 90 days;
* the audit log (every write made to an external system): 1 year.

Pruning deletes in small batches (:data:`BATCH` rows per statement, each batch its own short transaction), so
the worker can do it in the background between runs without holding the database for long
(:func:`prune_step`); ``ordersync prune`` runs it to the end (:func:`prune`).

What pruning never touches: failed/retrying outcomes, ledger rows whose write is unsettled (in flight, answer
lost, to retry) or was rejected (its record is in the failed queue), cursors, aggregate parts and field
memory (they are state, not history). A record changed again after its outcome was pruned is processed as
usual; one whose last write was pruned may be written once more with the same values (idempotent writes).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.exc import IntegrityError

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError
from ordersync_app.engine import echo_guard
from ordersync_app.storage import db
from ordersync_app.storage.tables import AuditEntry, Delivery, Execution, Run, Setting, utcnow

BATCH = 500  # rows per delete: short transactions, so runs writing meanwhile barely wait
KEPT_UNTIL_RESOLVED = ("failed", "retrying")
NAME = "retention"  # its row in the shared settings


@dataclass(frozen=True)
class Retention:
    """How long history is kept (days; 0 keeps it forever)."""

    outcomes_days: int = 90
    audit_days: int = 365
    keep_failed: bool = True  # failed and retrying records stay until resolved (resent, skipped)


def _path() -> Path:
    return paths.home() / "retention.json"


def checked(data: Any, where: str) -> Retention:
    """``data`` (stored JSON, or a setting's fields) as a setting; raises SetupError naming ``where`` and what
    is wrong (a negative number of days would put the cutoff in the future and prune everything)."""
    hint = "the defaults are 90 days, and 365 days for the audit log: ordersync prune --save sets them"
    if not isinstance(data, dict):
        raise SetupError(f"{where} is not a valid retention setting (not an object)", hint=hint)
    found = Retention(**{k: data[k] for k in ("outcomes_days", "audit_days", "keep_failed") if k in data})
    for key in ("outcomes_days", "audit_days"):
        value = getattr(found, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise SetupError(f"{where}: {key} must be a whole number of days, 0 or more, not {value!r}", hint=hint)
    if not isinstance(found.keep_failed, bool):
        raise SetupError(f"{where}: keep_failed must be true or false, not {found.keep_failed!r}", hint=hint)
    return found


def _read_file(path: Path) -> Retention:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (ValueError, OSError) as exc:
        raise SetupError(f"{path} is not a valid retention setting ({type(exc).__name__})",
                         hint="fix or delete the file; the defaults are 90 days and 365 days for the audit log"
                         ) from None
    return checked(data, str(path))


def load() -> Retention:
    """The stored setting, or the defaults; a ``retention.json`` kept before the database had the setting is
    stored on first use (and renamed ``.imported`` once stored).

    Raises:
        SetupError: the stored setting (or the old file) is not valid.
    """
    with db.session() as s:
        row = s.get(Setting, NAME)
        if row is not None:
            return checked(row.value, "the stored retention setting")
    path = _path()
    if not path.is_file():
        return Retention()
    found = _read_file(path)
    try:
        with db.session() as s:
            s.add(Setting(name=NAME, value=asdict(found), updated_at=utcnow()))
    except IntegrityError:  # another process imported it (or saved a setting) first: theirs stands
        return load()
    path.replace(path.with_name(path.name + ".imported"))
    return found


def save(setting: Retention) -> None:
    """Store the setting for every process of this database."""
    checked(asdict(setting), "the retention setting")
    with db.session() as s:
        row = s.get(Setting, NAME)
        if row is None:
            s.add(Setting(name=NAME, value=asdict(setting), updated_at=utcnow()))
        else:
            row.value, row.updated_at = asdict(setting), utcnow()


def _batch(table: Any, ids: list[int]) -> int:
    with db.session() as s:
        s.execute(delete(table).where(table.id.in_(ids)))
    return len(ids)


def prune_step(setting: Retention | None = None, *, batch: int = BATCH) -> dict[str, int]:
    """Delete at most one batch of each kind of expired history; returns how many rows of each went."""
    setting = checked(asdict(setting), "the retention setting") if setting else load()
    now = utcnow()
    done: dict[str, int] = {"outcomes": 0, "deliveries": 0, "runs": 0, "audit": 0, "echoes": 0}
    if setting.outcomes_days:
        cutoff = now - timedelta(days=setting.outcomes_days)
        with db.session() as s:
            query = select(Execution.id).where(Execution.updated_at < cutoff)
            if setting.keep_failed:
                query = query.where(Execution.status.not_in(KEPT_UNTIL_RESOLVED))
            ids = list(s.scalars(query.order_by(Execution.updated_at).limit(batch)))
            # A landed write of a record still in the failed queue stays: its resend must not repeat that write.
            queued = exists().where(
                Execution.recipe_id == Delivery.recipe_id, Execution.record_version == Delivery.record_version,
                Execution.status.in_(KEPT_UNTIL_RESOLVED),
                or_(Execution.record_key == Delivery.record_key,
                    Delivery.record_key.startswith(Execution.record_key + "#")))  # loop items: key#item
            settled = list(s.scalars(select(Delivery.id).where(
                Delivery.status == "done", Delivery.updated_at < cutoff, ~queued)
                .order_by(Delivery.updated_at).limit(batch)))
            # A run is history once no kept outcome names it (deleting it would cascade to them).
            runs = list(s.scalars(select(Run.id).where(
                Run.started_at < cutoff, Run.finished_at.is_not(None),
                ~exists().where(Execution.run_id == Run.id)).order_by(Run.started_at).limit(batch)))
        done["outcomes"] = _batch(Execution, ids) if ids else 0
        done["deliveries"] = _batch(Delivery, settled) if settled else 0
        done["runs"] = _batch(Run, runs) if runs else 0
    if setting.audit_days:
        with db.session() as s:
            ids = list(s.scalars(select(AuditEntry.id).where(
                AuditEntry.at < now - timedelta(days=setting.audit_days)).order_by(AuditEntry.at).limit(batch)))
        done["audit"] = _batch(AuditEntry, ids) if ids else 0
    with db.session() as s:
        done["echoes"] = echo_guard.prune(s)
    return done


def prune(setting: Retention | None = None, *, batch: int = BATCH) -> dict[str, int]:
    """Prune everything expired, batch after batch; the totals."""
    setting = setting or load()
    totals: dict[str, int] = {}
    while True:
        step = prune_step(setting, batch=batch)
        for key, value in step.items():
            totals[key] = totals.get(key, 0) + value
        if not any(step.values()):
            return totals
