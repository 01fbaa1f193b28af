"""The failed queue grouped by cause, paged and filtered in the query, and acted on a whole group at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ordersync_app.services import accounts, queue, recipes, runs, sandbox
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution, Recipe, Run

TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
BAD_STAGE = ('Update deal rejected: Property values were not valid: [{"isValid": false, "message": '
             '"\\u5df2\\u53d1\\u8d27 was not one of the allowed options: [checkout_completed, processed, shipped, '
             'delivered, cancelled]", "error": "INVALID_OPTION", "name": "dealstage"}] [VALIDATION_ERROR]')
NOT_FOUND = ("Update deal rejected: Could not get some deal objects, they may be deleted or not exist. "
             "[OBJECT_NOT_FOUND]")


@pytest.fixture
def shop(home: Path) -> Iterator[None]:
    try:
        accounts.add_account("demo-shop", "shopify", base_url="sandbox://shopify")
        accounts.add_account("demo-crm", "hubspot", base_url="sandbox://hubspot")
        yield
    finally:
        sandbox.stop_in_process()


def _import(name: str, *, stage: str = "shipped") -> None:
    text = TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text.replace("FULFILLED: shipped", f"FULFILLED: {stage}"),
                          {"shop": "demo-shop", "crm": "demo-crm"}, name=name, replace=True)


def _fill(recipe: str, count: int, *, error: str, status: str = "failed", start: int = 0) -> None:
    """``count`` stored outcomes, as the engine writes them, one second apart (newest last)."""
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    with db.session() as s:
        recipe_id = s.scalar(select(Recipe.id).where(Recipe.name == recipe))
        run = Run(recipe_id=recipe_id, recipe_version=1, status="failed")
        s.add(run)
        s.flush()
        s.add_all(Execution(recipe_id=recipe_id, run_id=run.id, record_key=str(5000 + n), record_version="v1",
                            payload={"name": f"#{1000 + n}", "legacyResourceId": str(5000 + n)}, status=status,
                            error=error if status == "failed" else None,
                            updated_at=t0 + timedelta(seconds=n), created_at=t0)
                  for n in range(start, start + count))


def test_four_thousand_failures_are_one_group_and_page_in_the_query(shop) -> None:
    _import("stage")
    _fill("stage", 4_000, error=BAD_STAGE)
    _fill("stage", 3, error=NOT_FOUND, start=4_000)
    _fill("stage", 20, error="", status="succeeded", start=4_003)
    found = queue.groups()
    assert [(g.count, g.explanation.key) for g in found] == [(4_000, "hubspot.invalid_option"),
                                                             (3, "hubspot.object_not_found")]
    big = found[0]
    assert big.explanation.value == "已发货" and big.explanation.action == "pick_valid_stage"

    first = queue.page(queue.HistoryFilter(group=big.key), limit=500, count=True)
    assert first.total == 4_000 and len(first.rows) == 500 and first.next is not None
    assert first.rows[0].label == "#4999" and first.rows[0].record_key == "8999"  # newest first, order number shown
    seen, cursor = len(first.rows), first.next
    while cursor is not None:
        more = queue.page(queue.HistoryFilter(group=big.key), after=cursor, limit=500)
        seen, cursor = seen + len(more.rows), more.next
    assert seen == 4_000, "keyset paging reaches every record exactly once"

    assert queue.page(queue.HistoryFilter(status="failed"), count=True).total == 4_003
    assert queue.page(queue.HistoryFilter(search="#1012"), count=True).total == 1  # by order number
    assert queue.page(queue.HistoryFilter(search="9012"), count=True).total == 1  # by record key
    late = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(seconds=4_000)
    assert queue.page(queue.HistoryFilter(since=late), count=True).total == 23  # the date filter is in the query

    assert queue.skip(queue.HistoryFilter(group=big.key), "stage fixed by hand in HubSpot") == 4_000
    assert [g.count for g in queue.groups()] == [3]
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Execution).where(Execution.status == "skipped")) == 4_000


def test_groups_and_resend_follow_the_recipe_filter(shop) -> None:
    _import("one")
    _import("two")
    _fill("one", 5, error=NOT_FOUND)
    _fill("two", 2, error=NOT_FOUND, start=100)
    assert {g.recipe: g.count for g in queue.groups()} == {"one": 5, "two": 2}
    assert [g.count for g in queue.groups("two")] == [2]
    with pytest.raises(Exception, match="no failed records"):
        queue.resend(queue.HistoryFilter(recipe="one", search="no such order"))


def test_a_real_invalid_stage_is_grouped_then_resent_once_fixed(shop) -> None:
    _import("live", stage="已发货")
    sandbox.seed(30)
    sandbox.fulfil(6)
    summary = runs.run_recipe("live")
    failed = summary.failed
    assert failed >= 6 and summary.succeeded == 0
    (group,) = queue.groups()
    assert (group.count, group.explanation.field, group.explanation.value) == (failed, "dealstage", "已发货")
    _import("live")  # the fixed recipe, as a new version
    sent = queue.resend(queue.HistoryFilter(group=group.key))
    assert sum(s.succeeded for s in sent) == failed and sum(s.failed for s in sent) == 0
    assert queue.groups() == []
