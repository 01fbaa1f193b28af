"""The audit log: every write OrderSync made to another system (or, in dry run, would have made).

Answers "who changed this deal, when, from what to what" for the shop owner and their
accountant: a list for the GUI and ``ordersync audit list``, and a CSV export for Excel.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError
from ordersync_app.services.stats import find_recipe
from ordersync_app.storage import db
from ordersync_app.storage.tables import AuditEntry, Recipe

CSV_COLUMNS = ("when", "when_utc", "recipe", "account", "action", "record_key", "target_id", "dry_run",
               "changed_fields", "before", "after", "run_id", "how")
_RELATIVE = re.compile(r"^(\d+)\s*([dhm])$")


def parse_since(value: datetime | date | str | None, *, now: datetime | None = None) -> datetime | None:
    """A start time from the CLI or GUI: a datetime, ``YYYY-MM-DD`` (local midnight), an ISO
    date-time (local when it has no zone), or a relative ``7d`` / ``12h`` / ``30m``.

    Raises:
        SetupError: the text is none of these.
    """
    if value is None or isinstance(value, datetime):
        return value if value is None or value.tzinfo else value.astimezone()
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time()).astimezone()
    text = value.strip()
    match = _RELATIVE.match(text.lower())
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        delta = {"d": timedelta(days=amount), "h": timedelta(hours=amount), "m": timedelta(minutes=amount)}[unit]
        return (now or datetime.now(UTC)) - delta
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise SetupError(f"'{value}' is not a date", hint="use YYYY-MM-DD, an ISO date-time, or 7d / 12h") from exc
    return moment if moment.tzinfo else moment.astimezone()


def _changed(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """Fields whose value the write changed (all written fields when the target was new or unread)."""
    if before is None:
        return list(after)
    return [k for k, v in after.items() if before.get(k) != v]


def _entry(row: AuditEntry, recipe: str | None) -> dict[str, Any]:
    before, after = row.before, dict(row.after or {})
    return {
        "id": row.id, "at": row.at.isoformat(), "recipe": recipe, "run_id": row.run_id, "account": row.account,
        "action": row.action, "record_key": row.record_key, "target_id": row.target_id, "dry_run": row.dry_run,
        "before": before, "after": after, "how": row.how,
        "changes": [{"field": k, "before": None if before is None else before.get(k), "after": after[k]}
                    for k in _changed(before, after)],
    }


def _recipe_id(recipe: str | None) -> int | None:
    if recipe is None:
        return None
    with db.session() as s:
        return find_recipe(s, recipe).id


def _rows(recipe_id: int | None, start: datetime | None, *, newest_first: bool,
          limit: int | None) -> Iterator[dict[str, Any]]:
    query = select(AuditEntry, Recipe.name).outerjoin(Recipe, Recipe.id == AuditEntry.recipe_id)
    if start is not None:
        query = query.where(AuditEntry.at >= start)
    if recipe_id is not None:
        query = query.where(AuditEntry.recipe_id == recipe_id)
    order = (AuditEntry.at.desc(), AuditEntry.id.desc()) if newest_first else (AuditEntry.at, AuditEntry.id)
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    with db.session() as s:
        for row, name in s.execute(query.execution_options(yield_per=1000)):
            yield _entry(row, name)


def entries(recipe: str | None = None, since: datetime | str | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Audit entries, newest first, each with its per-field ``changes``.

    Raises:
        SetupError: no such recipe, or ``since`` is not a date.
    """
    return list(_rows(_recipe_id(recipe), parse_since(since), newest_first=True, limit=max(1, limit)))


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (a customer named ``=HYPERLINK(…)`` stays text in Excel)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(path: Path | str, recipe: str | None = None, since: datetime | str | None = None) -> int:
    """Write the audit log (oldest first) to a CSV file; returns the number of entries written.

    Columns: ``when`` (local time), ``when_utc``, recipe, account, action, record key, target id,
    dry run, the changed fields, ``before``/``after`` as JSON objects keyed by field, the run, and ``how``
    OrderSync knows the write happened (``sent``: the vendor confirmed it; ``verified``: its answer was
    lost and the target was read back).

    Raises:
        SetupError: no such recipe, a bad ``since``, or the file cannot be written.
    """
    target = Path(path)
    recipe_id, start = _recipe_id(recipe), parse_since(since)  # fail before creating the file
    count = 0
    try:
        # "utf-8-sig" writes a BOM first: without it Excel on Windows reads the file in the ANSI
        # code page and shows Chinese names as mojibake. newline="" lets csv write its own CRLFs.
        paths.private_file(target)  # order data: readable by the user only (POSIX)
        with target.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for item in _rows(recipe_id, start, newest_first=False, limit=None):
                at = datetime.fromisoformat(item["at"])
                writer.writerow([_cell(str(v)) for v in (
                    at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), at.astimezone(UTC).isoformat(timespec="seconds"),
                    item["recipe"] or "", item["account"], item["action"], item["record_key"], item["target_id"] or "",
                    "yes" if item["dry_run"] else "no", " ".join(c["field"] for c in item["changes"]),
                    "" if item["before"] is None else json.dumps(item["before"], ensure_ascii=False, sort_keys=True),
                    json.dumps(item["after"], ensure_ascii=False, sort_keys=True), item["run_id"] or "",
                    item["how"],
                )])
                count += 1
    except OSError as exc:
        raise SetupError(f"cannot write {target}: {exc.strerror or type(exc).__name__}",
                         hint="choose another folder or file name") from exc
    return count
