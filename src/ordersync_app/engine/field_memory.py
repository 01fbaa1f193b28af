"""Changed-to triggers: the last value of a watched field per record ("deal entered stage X").

Vendors' change feeds say *that* a record changed (HubSpot: ``hs_lastmodifieddate``), not *what*; a pipeline
edit bumps every deal's modified date. So the engine remembers the field's value per record and fires only
when it differs from the remembered one (and equals ``to``, when given). The new value is stored with the
chunk's outcomes (a crash forgets both, and the record is read again). A record seen for the first time
counts as changed to its current value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from ordersync_app.recipes.model import WhenChanged
from ordersync_app.recipes.paths import MISSING, resolve
from ordersync_app.storage.tables import FieldMemory


class _Unseen:
    def __repr__(self) -> str:
        return "UNSEEN"


UNSEEN: Final = _Unseen()


def value_of(path: str, payload: Mapping[str, Any]) -> Any:
    """The watched field's value (None when missing), JSON-ready for storage."""
    found = resolve(path, payload, {})
    return None if found is MISSING else found


def _same(a: Any, b: Any) -> bool:
    return a == b or (a is not None and b is not None and str(a) == str(b))


def fires(watched: WhenChanged, before: Any, now: Any) -> bool:
    """Whether the change from ``before`` (UNSEEN for a first sight) to ``now`` is a trigger event."""
    if before is not UNSEEN and _same(before, now):
        return False
    return "to" not in watched.model_fields_set or _same(now, watched.to)


def load(session: Session, recipe_id: int, keys: Iterable[str]) -> dict[str, Any]:
    """The remembered values of these records (records never seen are absent)."""
    wanted = sorted(set(keys))
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), 400):
        for key, value in session.execute(select(FieldMemory.record_key, FieldMemory.value).where(
                FieldMemory.recipe_id == recipe_id, FieldMemory.record_key.in_(wanted[start:start + 400]))):
            found[key] = value
    return found


def store(session: Session, recipe_id: int, values: Mapping[str, Any]) -> None:
    """Remember the values seen (in the caller's transaction)."""
    for key, value in values.items():
        row = session.get(FieldMemory, (recipe_id, key))
        if row is None:
            session.add(FieldMemory(recipe_id=recipe_id, record_key=key, value=value))
        else:
            row.value = value
