"""Record outcomes a page at a time, and the failed queue grouped by cause, for Activity and the CLI.

Why: a typo in a recipe can fail thousands of records with one and the same cause. Listing 500 of them with
raw vendor text (and applying "skip" 500 at a time) hides that there is one problem and one fix. Here:

- :func:`page` reads outcomes newest first with every filter (recipe, outcome, date, search text, group)
  *in the query*, and pages by keyset (``updated_at, id``), so 100,000 outcomes page as fast as 100 and the
  date filter reaches every record, not the newest 500 (indexes: storage migration 0003).
- :func:`groups` folds the failed queue into one line per cause (:func:`ordersync_app.services.explain.explain`
  of each distinct stored error), with the count and the fix.
- :func:`resend` and :func:`skip` act on everything a filter selects (a whole group, a whole recipe).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update

from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.records import RunSummary
from ordersync_app.services import recipes, runs
from ordersync_app.services.explain import Explanation, explain
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution, Recipe, utcnow

__all__ = [
    "ErrorGroup",
    "HistoryFilter",
    "OutcomePage",
    "OutcomeRow",
    "PageCursor",
    "action_connector",
    "explain_stored",
    "groups",
    "page",
    "record_label",
    "resend",
    "skip",
]

# Payload fields that name a record the way its owner does (Shopify "#1020", Jushuitan 线上单号, a deal name),
# shown beside the record key and searched by the search box.
LABEL_FIELDS = ("name", "so_id", "dealname", "email")
RESEND_CHUNK = 5_000  # ids per run: SQLite allows 32,766 bound parameters per statement


@dataclass(frozen=True)
class HistoryFilter:
    """Which outcomes to show or act on.

    Attributes:
        recipe: a recipe's name, or None for all.
        status: ``failed``, ``succeeded``…, or None for every outcome.
        since: only outcomes updated at or after this instant.
        search: text found in the record key or the record's name/order number (case-insensitive).
        group: a :attr:`ErrorGroup.key` (failed records with that cause).
    """

    recipe: str | None = None
    status: str | None = None
    since: datetime | None = None
    search: str = ""
    group: str | None = None


@dataclass(frozen=True)
class PageCursor:
    """Where the next page starts (the last row of the page before)."""

    updated_at: datetime
    id: int


@dataclass(frozen=True)
class OutcomeRow:
    """One record outcome as a table row (no payload or steps: :func:`runs.execution` has those)."""

    id: int
    recipe: str
    recipe_title: str
    record_key: str
    label: str
    status: str
    error: str | None
    attempts: int
    updated_at: datetime
    next_attempt_at: datetime | None


@dataclass
class OutcomePage:
    """One page of outcomes; ``total`` counts every match (only when asked for)."""

    rows: list[OutcomeRow]
    next: PageCursor | None
    total: int | None = None


@dataclass
class ErrorGroup:
    """Failed records of one recipe that share a cause (and so a fix).

    Attributes:
        key: identifies the group for :class:`HistoryFilter` ``group``.
        explanation: the cause in plain words (of the group's most recent error).
        count: failed records in the group.
        latest: when the newest of them failed.
        errors: the distinct stored error texts the group folds together.
    """

    key: str
    recipe: str
    recipe_title: str
    explanation: Explanation
    count: int
    latest: datetime
    errors: list[str] = field(default_factory=list)
    connector: str | None = None  # the app the recipe writes to


def record_label(payload: dict[str, Any]) -> str:
    """The name a record goes by in its app (``#1020``), or ""."""
    for name in LABEL_FIELDS:
        value = payload.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _label_column() -> ColumnElement[Any]:
    return func.coalesce(*(Execution.payload[name].as_string() for name in LABEL_FIELDS), "")


def action_connector(document: dict[str, Any]) -> str | None:
    """The connector a recipe writes to (its actions all write to one account)."""
    roles = document.get("accounts") or {}
    for step in document.get("steps") or []:
        body = step.get("action") if isinstance(step, dict) else None
        if isinstance(body, dict):
            return str(roles.get(body.get("account"), "")) or None
    return None


@lru_cache(maxsize=4096)
def explain_stored(error: str, connector: str | None = None) -> Explanation:
    """The explanation of a failed record's stored error (cached: thousands share one text)."""
    return explain(error, connector=connector, kind="record")


def groups(recipe: str | None = None) -> list[ErrorGroup]:
    """The failed queue folded by cause, biggest group first.

    Raises:
        SetupError: unknown recipe.
    """
    infos = {r.name: r for r in recipes.list_recipes()}
    if recipe is not None and recipe not in infos:
        recipes.get_recipe(recipe)  # the SetupError with a suggestion
    with db.session() as s:
        query = (select(Recipe.name, Execution.error, func.count(), func.max(Execution.updated_at))
                 .join(Recipe, Recipe.id == Execution.recipe_id).where(Execution.status == "failed")
                 .group_by(Recipe.name, Execution.error))
        if recipe is not None:
            query = query.where(Recipe.name == recipe)
        rows = list(s.execute(query))
    found: dict[str, ErrorGroup] = {}
    for name, error, count, latest in rows:
        info = infos.get(name)
        connector = action_connector(info.document) if info else None
        explanation = explain_stored(error or "", connector)
        key = f"{name}::{explanation.group}"
        group = found.get(key)
        if group is None:
            group = found[key] = ErrorGroup(key, name, info.title if info else name, explanation, 0, latest,
                                            connector=connector)
        group.count += int(count)
        group.errors.append(error or "")
        if latest > group.latest:
            group.latest, group.explanation = latest, explanation
    return sorted(found.values(), key=lambda g: (-g.count, g.recipe_title, g.key))


def _conditions(flt: HistoryFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if flt.recipe:
        where.append(Recipe.name == recipes.get_recipe(flt.recipe).name)
    if flt.group is not None:
        recipe_name, _, _cause = flt.group.partition("::")
        match = next((g for g in groups(recipe_name or None) if g.key == flt.group), None)
        errors = match.errors if match else []
        where += [Execution.status == "failed", Recipe.name == recipe_name,
                  or_(Execution.error.in_([e for e in errors if e]),
                      *([Execution.error.is_(None)] if "" in errors else []))]
    elif flt.status:
        where.append(Execution.status == flt.status)
    if flt.since is not None:
        where.append(Execution.updated_at >= flt.since)
    text = flt.search.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(or_(Execution.record_key.ilike(pattern, escape="\\"), _label_column().ilike(pattern, escape="\\")))
    return where


def page(flt: HistoryFilter, *, after: PageCursor | None = None, limit: int = 200,
         count: bool = False) -> OutcomePage:
    """Outcomes matching ``flt``, newest first, starting after ``after``.

    Args:
        flt: the filter, applied in the query.
        after: the cursor of the previous page (None for the first page).
        limit: rows per page.
        count: also count every match (for "4,003 failed"); costs one more query.

    Raises:
        SetupError: unknown recipe.
    """
    where = _conditions(flt)
    with db.session() as s:
        query = (select(Execution.id, Recipe.name, Recipe.title, Execution.record_key, _label_column(),
                        Execution.status, Execution.error, Execution.attempts, Execution.updated_at,
                        Execution.next_attempt_at)
                 .join(Recipe, Recipe.id == Execution.recipe_id).where(*where))
        if after is not None:
            query = query.where(or_(Execution.updated_at < after.updated_at,
                                    and_(Execution.updated_at == after.updated_at, Execution.id < after.id)))
        found = [OutcomeRow(*row) for row in s.execute(
            query.order_by(Execution.updated_at.desc(), Execution.id.desc()).limit(limit + 1))]
        total = None
        if count:
            total = int(s.scalar(select(func.count()).select_from(Execution)
                                 .join(Recipe, Recipe.id == Execution.recipe_id).where(*where)) or 0)
    more = len(found) > limit
    rows = found[:limit]
    cursor = PageCursor(rows[-1].updated_at, rows[-1].id) if more and rows else None
    return OutcomePage(rows, cursor, total)


def _failed_ids(flt: HistoryFilter) -> dict[str, list[int]]:
    where = _conditions(flt)
    with db.session() as s:
        query = (select(Recipe.name, Execution.id).join(Recipe, Recipe.id == Execution.recipe_id)
                 .where(*where, Execution.status == "failed").order_by(Execution.id))
        by_recipe: dict[str, list[int]] = defaultdict(list)
        for name, execution_id in s.execute(query):
            by_recipe[name].append(execution_id)
    return dict(by_recipe)


def resend(flt: HistoryFilter, ids: Sequence[int] | None = None) -> list[RunSummary]:
    """Re-send the failed records a filter selects (or the given ``ids`` among them) with each recipe's
    current version, the whole selection and not one screenful; one summary per run.

    Raises:
        SetupError: nothing to re-send, or a recipe/account is not usable.
    """
    by_recipe = _failed_ids(flt)
    if ids is not None:
        chosen = set(ids)
        by_recipe = {n: [i for i in found if i in chosen] for n, found in by_recipe.items()}
        by_recipe = {n: found for n, found in by_recipe.items() if found}
    if not by_recipe:
        raise SetupError("there are no failed records to re-send here")
    summaries = []
    for name, found in sorted(by_recipe.items()):
        for start in range(0, len(found), RESEND_CHUNK):
            summaries.append(runs.run_recipe(name, retry_ids=found[start:start + RESEND_CHUNK], poll=False,
                                             dry_run=False))
    return summaries


def skip(flt: HistoryFilter, reason: str, ids: Sequence[int] | None = None) -> int:
    """Take the failed records a filter selects (or the given ``ids`` among them) out of the queue,
    keeping the reason; returns how many.

    Raises:
        SetupError: the reason is empty.
    """
    if not reason.strip():
        raise SetupError("say why the records are skipped (it is kept in the history)")
    wanted = None if ids is None else set(ids)
    chosen = [i for found in _failed_ids(flt).values() for i in found if wanted is None or i in wanted]
    done = 0
    with db.session() as s:
        for start in range(0, len(chosen), RESEND_CHUNK):
            result = s.execute(update(Execution).where(Execution.id.in_(chosen[start:start + RESEND_CHUNK]),
                                                       Execution.status == "failed")
                               .values(status="skipped", error=f"skipped: {reason.strip()}", updated_at=utcnow()))
            done += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return done
