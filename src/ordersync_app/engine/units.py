"""Units of delivery: one intended write of one record at one action step (one per item in a loop), and
what a step hands to the steps after it (``steps.<id>.id``, ``.created``; ``.ids``/``.count`` for loops).

Each unit has its own ledger key, so a loop is exactly-once per (record, item key): after a crash or a
partial failure only the items not yet delivered are sent again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ordersync_app.connectors.sdk.spec import Write
from ordersync_app.engine import ledger
from ordersync_app.recipes.catalog import MappingError
from ordersync_app.recipes.model import ActionStep
from ordersync_app.recipes.paths import MISSING, resolve

if TYPE_CHECKING:
    from ordersync_app.engine.runner import Item

PENDING = "(pending)"  # a dry run's stand-in for the id of an object it would create
MAX_ITEMS = 1000  # items of one record in one loop (a bigger list is a mapping mistake, not an order)


@dataclass
class Unit:
    """One write of one record (``sub``: the loop item's key) and what became of it."""

    item: Item
    write: Write
    key: ledger.LedgerKey
    sub: str | None = None
    digest: str = ""
    target: str | None = None  # the written object's id, once known
    created: bool = False
    existed: bool | None = None  # whether the target existed (read for modes or a preview)
    kept: bool = False  # nothing to write: the target's own values stay (field modes)


def loop_scopes(step: ActionStep, payload: Mapping[str, Any], lookups: Mapping[str, Any]
                ) -> list[tuple[str | None, dict[str, Any]]]:
    """(item key, the record with ``item`` set to the item) for each item of ``for_each``.

    Raises:
        MappingError: ``for_each`` is not a list, too long, or two items share one key.
    """
    assert step.for_each is not None
    items = resolve(step.for_each, payload, lookups)
    if items is MISSING or items is None:
        return []
    if not isinstance(items, list):
        raise MappingError(f"for_each: {step.for_each} is not a list", field=step.for_each, value=items)
    if len(items) > MAX_ITEMS:
        raise MappingError(f"for_each: {step.for_each} has {len(items)} items (at most {MAX_ITEMS})",
                           field=step.for_each)
    scopes: list[tuple[str | None, dict[str, Any]]] = []
    seen: set[str] = set()
    for position, item in enumerate(items):
        key = str(position)
        if step.item_key is not None:
            found = resolve(step.item_key, item if isinstance(item, dict) else {}, {})
            if found is MISSING or found in (None, ""):
                raise MappingError(f"for_each: item {position + 1} of {step.for_each} has no {step.item_key}",
                                   field=step.item_key)
            key = str(found)
        if key in seen:
            raise MappingError(f"for_each: two items of {step.for_each} have the {step.item_key or 'key'} "
                               f"{key!r}; each item needs its own", field=step.item_key or step.for_each)
        seen.add(key)
        scopes.append((key, {**payload, "item": item}))
    return scopes


def outputs(step: ActionStep, units: list[Unit], dry_run: bool) -> dict[str, Any]:
    """What an action step hands on for one record: the written object's ``id`` and whether it was
    ``created`` — or, for a loop, ``ids`` and ``count``. A dry run names objects it would create
    ``(pending)`` and goes on, so the preview of later steps still shows."""
    ids: list[str | None] = []
    created = False
    for unit in units:
        if dry_run and unit.existed is False:
            ids.append(PENDING)
            created = True
        else:
            ids.append(unit.target or unit.write.match)
            created = created or unit.created
    if step.for_each is not None:
        return {"ids": [i for i in ids if i], "count": len(units), "created": created}
    return {"id": ids[0] if ids else None, "created": created, "pending": bool(ids) and ids[0] == PENDING}
