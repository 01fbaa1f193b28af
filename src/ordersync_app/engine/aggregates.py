"""Aggregate steps: per-group totals kept incrementally, one stored contribution per record.

A record's contribution (its amount, its group, currency and calendar window) replaces any earlier one of
the same record, so re-reading a changed order corrects its customer's figures instead of counting it
twice, and a new order updates its customer's totals with one indexed query — history is never re-read.
Within a chunk, contributions not yet committed are laid over the stored ones, so two orders of one
customer in the same chunk see each other. Contributions are stored in the transaction that stores the
records' outcomes (a crash loses both, and the records are read again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ordersync_app.recipes.catalog import MappingError
from ordersync_app.recipes.model import AggregateStep
from ordersync_app.recipes.paths import MISSING, resolve
from ordersync_app.storage.tables import AggregatePart

GroupKey = tuple[str, str, str]  # (group, currency, window bucket)


@dataclass(frozen=True)
class Part:
    """One record's contribution."""

    record_key: str
    group: GroupKey
    value: float


def _text(value: Any) -> str:
    return "" if value is MISSING or value is None else str(value).strip()


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool):
        raise MappingError(f"aggregate: {path} is true/false, not a number", field=path, value=value)
    try:
        return float(Decimal(str(value).strip()))
    except (InvalidOperation, ValueError):
        raise MappingError(f"aggregate: {path} is not a number: {value!r}", field=path, value=value) from None


def _bucket(step: AggregateStep, moment: Any) -> str:
    if step.window == "all":
        return ""
    text = _text(moment)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MappingError(f"aggregate: {step.time} is not a date/time: {text!r}", field=step.time or "",
                           value=moment) from None
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(ZoneInfo(step.timezone))
    return {"day": local.strftime("%Y-%m-%d"), "month": local.strftime("%Y-%m"), "year": local.strftime("%Y")}[
        step.window]


def part_of(step: AggregateStep, record_key: str, payload: Mapping[str, Any],
            lookups: Mapping[str, Any]) -> Part | None:
    """The record's contribution, or None when it has no group (no customer to total for).

    Raises:
        MappingError: the amount is not a number, or the window's date is not a date/time.
    """
    group = _text(resolve(step.group_by, payload, lookups))
    if not group:
        return None
    amount = 1.0
    if step.of is not None:
        raw = resolve(step.of, payload, lookups)
        if raw is MISSING or raw is None or raw == "":
            return None
        amount = _number(raw, step.of)
    currency = _text(resolve(step.currency, payload, lookups)) if step.currency else ""
    bucket = _bucket(step, resolve(step.time, payload, lookups) if step.time else None)
    return Part(record_key, (group.lower(), currency.upper(), bucket), amount)


class Book:
    """The aggregate figures of one recipe's steps during a run: stored parts plus this chunk's pending ones."""

    def __init__(self, recipe_id: int) -> None:
        self.recipe_id = recipe_id
        self.pending: dict[tuple[str, str], Part] = {}  # (step id, record key) → part not yet stored

    def figures(self, session: Session, step_id: str, part: Part, *, include_current: bool) -> dict[str, Any]:
        """sum/count/avg/min/max of the part's group, with or without the part's own record."""
        rows = session.execute(select(AggregatePart.record_key, AggregatePart.value).where(
            AggregatePart.recipe_id == self.recipe_id, AggregatePart.step_id == step_id,
            AggregatePart.group_key == part.group[0], AggregatePart.currency == part.group[1],
            AggregatePart.bucket == part.group[2]))
        values = {key: value for key, value in rows}
        for (sid, key), pending in self.pending.items():  # this chunk's, not yet committed
            if sid == step_id and pending.group == part.group:
                values[key] = pending.value
            elif sid == step_id:
                values.pop(key, None)  # the record moved to another group (a changed customer)
        values.pop(part.record_key, None)
        if include_current:
            values[part.record_key] = part.value
        numbers = list(values.values())
        total = round(sum(numbers), 6)
        return {"sum": total, "count": len(numbers), "avg": round(total / len(numbers), 6) if numbers else None,
                "min": min(numbers) if numbers else None, "max": max(numbers) if numbers else None,
                "group": part.group[0], "currency": part.group[1] or None, "window": part.group[2] or None}

    def add(self, step_id: str, part: Part) -> None:
        """Keep the part to store with the chunk's outcomes."""
        self.pending[(step_id, part.record_key)] = part

    def store(self, session: Session) -> None:
        """Write the chunk's parts (replacing each record's earlier one) in the caller's transaction."""
        for (step_id, key), part in self.pending.items():
            session.execute(delete(AggregatePart).where(
                AggregatePart.recipe_id == self.recipe_id, AggregatePart.step_id == step_id,
                AggregatePart.record_key == key))
            session.add(AggregatePart(recipe_id=self.recipe_id, step_id=step_id, record_key=key,
                                      group_key=part.group[0], currency=part.group[1], bucket=part.group[2],
                                      value=part.value))
        self.pending.clear()
