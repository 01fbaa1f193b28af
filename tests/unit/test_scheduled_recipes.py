"""Scheduled recipes: the scheduler gives a cron recipe a CronTrigger in its zone (inspected, never waited for),
a fire time missed while nothing ran is caught up once, each run reads its trigger in full and counts a change
once per period, and ``recipe show`` says when it runs next. Real SQLite, sandbox apps on loopback."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import update

from ordersync_app.cli import main as cli
from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.records import RunSummary
from ordersync_app.engine.runner import Runner, RunPlan
from ordersync_app.recipes.schedule import CronSchedule
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.scheduler.worker import RecipeScheduler
from ordersync_app.services import accounts, recipes, runs, timing
from ordersync_app.storage import db
from ordersync_app.storage.tables import Recipe, Run

TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
MONTHLY = {"cron": "0 2 1 * *", "timezone": "Asia/Shanghai"}


def _text(schedule: dict[str, str] | None = MONTHLY, every: str = "1m") -> str:
    doc = yaml.safe_load(TEMPLATE.read_text("utf-8"))
    doc["trigger"].pop("start")
    if schedule is None:
        doc["trigger"]["every"] = every
    else:
        doc["trigger"].pop("every")
        doc["trigger"]["schedule"] = schedule
    return yaml.safe_dump(doc, allow_unicode=True)


@pytest.fixture
def bound(home: Path, sandbox: SandboxServer) -> SandboxServer:
    del home
    for key, settings in (("shopify", {"shop": "demo"}), ("hubspot", {})):
        connector = registry.get(key)
        assert connector is not None and connector.sandbox is not None
        accounts.add_account("shop" if key == "shopify" else "crm", key, base_url=sandbox.url(key),
                             settings=settings, secret_values=dict(connector.sandbox.credentials))
    return sandbox


@pytest.fixture
def scheduler(bound: SandboxServer) -> RecipeScheduler:
    del bound
    found = RecipeScheduler()
    found.scheduler.start(paused=True)  # jobs get their next run time; none runs
    yield found
    found.scheduler.shutdown(wait=False)


def test_a_cron_recipe_gets_a_cron_trigger_in_its_zone(scheduler: RecipeScheduler) -> None:
    recipes.import_recipe(_text(), {"shop": "shop", "crm": "crm"}, name="monthly", enable=True)
    recipes.import_recipe(_text(None, "30s"), {"shop": "shop", "crm": "crm"}, name="polled", enable=True)
    before = datetime.now(UTC)
    assert scheduler.refresh(run_now=True) == ["monthly", "polled"]

    job = scheduler.scheduler.get_job("monthly")
    assert isinstance(job.trigger, CronTrigger)
    assert job.trigger.timezone == ZoneInfo("Asia/Shanghai")
    assert str(job.trigger) == "cron[month='*', day='1', day_of_week='*', hour='2', minute='0']"
    assert job.misfire_grace_time is None  # a month's run is never dropped for being late
    expected = CronSchedule("0 2 1 * *", "Asia/Shanghai").next_run(before)
    assert job.next_run_time == expected
    assert job.next_run_time.utcoffset() == timedelta(hours=8)
    assert (job.next_run_time.hour, job.next_run_time.minute, job.next_run_time.day) == (2, 0, 1)

    polled = scheduler.scheduler.get_job("polled")
    assert isinstance(polled.trigger, IntervalTrigger)
    assert polled.trigger.interval == timedelta(seconds=30)

    # the polled recipe becomes a weekly one: its job is replaced by a cron job; the monthly one is untouched
    recipes.import_recipe(_text({"cron": "30 8 * * 1", "timezone": "Europe/Berlin"}), {"shop": "shop", "crm": "crm"},
                          name="polled", replace=True)
    scheduler.refresh()
    weekly = scheduler.scheduler.get_job("polled")
    assert isinstance(weekly.trigger, CronTrigger)
    assert weekly.trigger.timezone == ZoneInfo("Europe/Berlin")
    assert weekly.next_run_time.strftime("%A %H:%M") == "Monday 08:30"
    assert scheduler.scheduler.get_job("monthly").next_run_time == expected

    recipes.set_enabled("monthly", enabled=False)
    assert scheduler.refresh() == ["polled"]
    assert scheduler.scheduler.get_job("monthly") is None


def test_a_fire_time_missed_while_nothing_ran_runs_once_at_start(bound: SandboxServer) -> None:
    del bound
    recipes.import_recipe(_text({"cron": "0 2 * * *", "timezone": "UTC"}), {"shop": "shop", "crm": "crm"},
                          name="nightly", enable=True)
    schedule = CronSchedule("0 2 * * *", "UTC")
    assert timing.missed_tick("nightly", schedule) is None  # added after the last 02:00: nothing was missed
    with db.session() as s:
        s.execute(update(Recipe).where(Recipe.name == "nightly").values(
            created_at=datetime.now(UTC) - timedelta(days=3)))
    tick = timing.missed_tick("nightly", schedule)
    assert tick == schedule.tick(datetime.now(UTC))

    found = RecipeScheduler()
    found.scheduler.start(paused=True)
    try:
        before = datetime.now(UTC)
        found.refresh(run_now=True)
        job = found.scheduler.get_job("nightly")
        assert before <= job.next_run_time <= datetime.now(UTC)  # runs as soon as the scheduler is resumed
    finally:
        found.scheduler.shutdown(wait=False)

    with db.session() as s:  # a run that read to the end after that fire time: nothing is due any more
        recipe_id = s.query(Recipe.id).filter(Recipe.name == "nightly").scalar()
        s.add(Run(recipe_id=recipe_id, recipe_version=1, status="succeeded", started_at=tick + timedelta(minutes=1)))
    assert timing.missed_tick("nightly", schedule) is None


def _run(plan: RunPlan) -> RunSummary:
    """One run of ``plan`` as ``runs.run_recipe`` does it (but with the plan given), its clients closed after."""
    try:
        return Runner(plan, db.session).run()
    finally:
        for client in plan.clients.values():
            client.close()


def test_each_run_reads_the_trigger_in_full_and_counts_a_change_once_per_period(bound: SandboxServer) -> None:
    recipes.import_recipe(_text(), {"shop": "shop", "crm": "crm"}, name="monthly")
    assert recipes.get_recipe("monthly").document["trigger"]["start"] == "everything"
    fulfil_orders(bound.url("shopify"), 5)

    plan = runs.build_plan("monthly")
    assert plan.tick == CronSchedule(**MONTHLY).tick(datetime.now(UTC)).isoformat()
    assert plan.initial_since is None  # start: everything
    first = _run(plan)
    shipped = first.seen  # the sandbox shop's shipped orders, five of them just now
    assert shipped >= 5
    assert (first.succeeded, first.writes) == (shipped, shipped)

    again = _run(runs.build_plan("monthly"))  # the same period: nothing is redone
    assert (again.seen, again.duplicates, again.writes) == (0, shipped, 0)

    fulfil_orders(bound.url("shopify"), 2)
    next_month = _run(dataclasses.replace(runs.build_plan("monthly"), tick="2099-01-01T02:00:00+08:00"))
    assert next_month.seen == shipped + 2  # read in full again, from the start
    assert (next_month.succeeded, next_month.unchanged, next_month.writes) == (2, shipped, 2)  # nothing twice
    writes = httpx.get(f"{bound.root}/_sandbox/hubspot/counters").json()["deal_writes"]
    assert len(writes) == shipped + 2
    assert set(writes.values()) == {1}


def test_recipe_show_tells_the_next_run(bound: SandboxServer, capsys) -> None:
    del bound
    recipes.import_recipe(_text(), {"shop": "shop", "crm": "crm"}, name="monthly")
    info = recipes.get_recipe("monthly")
    assert info.schedule == MONTHLY
    assert info.next_run_at is not None
    assert info.next_run_at.endswith("02:00+08:00")
    assert cli.main(["recipe", "show", "monthly"]) == 0
    out = capsys.readouterr().out
    assert "read in full at each time of the schedule 0 2 1 * * (Asia/Shanghai)" in out
    assert f"next run: {info.next_run_at.replace('T', ' ')} (Asia/Shanghai)" in out


def test_the_bound_accounts_budget_decides_the_interval(bound: SandboxServer) -> None:
    del bound
    # Shopify allows 2 requests a second on its standard plan: polling every 10 s takes 5 %, which fits
    recipes.import_recipe(_text(None, "10s"), {"shop": "shop", "crm": "crm"}, name="fast")
    assert recipes.get_recipe("fast").every_seconds == 10
    # an account on a (made-up) plan OrderSync does not know falls back to the declared budget
    use = timing.poll_use("shopify", "order_fulfilled", 10, "shop")
    assert use is not None
    assert use.fits
    choices = timing.intervals("shopify", "order_fulfilled", "shop")
    assert [c.text for c in choices] == ["10s", "30s", "1m", "5m", "15m", "1h"]
    assert all(c.allowed for c in choices)
    with pytest.raises(SetupError, match="no account"):
        timing.poll_use("shopify", "order_fulfilled", 10, "nobody")


def test_polled_recipes_fall_due_spread_over_their_interval_on_the_same_turns_everywhere(
        bound: SandboxServer) -> None:
    """A thousand one-minute recipes must not all fall due in the same second; and two workers (two schedulers)
    give a recipe the same turns, so one of them serves each."""
    from ordersync_app.scheduler import jobs

    offsets = sorted((jobs.phase(f"r{k:04d}", 60) - datetime.fromtimestamp(0, UTC)).total_seconds()
                     for k in range(1000))
    assert offsets[0] >= 0 and offsets[-1] < 60
    per_second = [sum(1 for o in offsets if s <= o < s + 1) for s in range(60)]
    assert max(per_second) < 40  # about 17 a second, not 1,000 at once
    recipes.import_recipe(_text(None, "30s"), {"shop": "shop", "crm": "crm"}, name="polled", enable=True)
    times = []
    for _ in range(2):
        found = RecipeScheduler()
        found.scheduler.start(paused=True)
        try:
            found.refresh()
            job = found.scheduler.get_job("polled")
            times.append(job.trigger.get_next_fire_time(None, datetime.now(UTC) + timedelta(seconds=45)))
        finally:
            found.scheduler.shutdown(wait=False)
    assert times[0] == times[1]
    turn = jobs.current_turn("polled", 30, now=times[0] + timedelta(seconds=5))
    assert turn == times[0]


def test_a_turn_another_worker_served_is_skipped_and_the_next_one_runs(bound: SandboxServer) -> None:
    from ordersync_app.scheduler import jobs

    jobs._forced.clear()  # another test's scheduler (paused) left its first runs asked for
    recipes.import_recipe(_text(None, "30s"), {"shop": "shop", "crm": "crm"}, name="polled", enable=True)
    turn = jobs.current_turn("polled", 30)
    assert runs.run_recipe("polled", turn=turn).status == "succeeded"  # this worker serves the turn
    with pytest.raises(runs.AlreadyServed, match="already ran for its turn"):
        runs.run_recipe("polled", turn=turn)  # another worker's job for the same turn: nothing runs
    with db.session() as s:
        assert s.query(Run).count() == 1
    assert runs.run_recipe("polled").status == "succeeded"  # a run without a turn (Run now) always runs
    jobs.run_recipe_job("polled", 30)  # the scheduled job of an already served turn: skipped, no error
    jobs.force(["polled"])
    jobs.run_recipe_job("polled", 30)  # "Run all now": runs whatever the turn
    with db.session() as s:
        assert s.query(Run).count() == 3


def test_a_turn_whose_run_was_killed_is_run_again_at_once(bound: SandboxServer) -> None:
    """A worker killed mid-run (its run left running, or marked interrupted) did not serve its turn: the restarted
    worker (or another) runs it right away instead of waiting for the next turn."""
    from ordersync_app.scheduler import jobs

    recipes.import_recipe(_text(None, "30s"), {"shop": "shop", "crm": "crm"}, name="polled", enable=True)
    turn = jobs.current_turn("polled", 30)
    recipe_id = recipes.get_recipe_id("polled")
    with db.session() as s:
        for status in ("running", "interrupted", "stopped"):
            s.add(Run(recipe_id=recipe_id, recipe_version=1, status=status, dry_run=False, counts={}, api={}))
    assert runs.run_recipe("polled", turn=turn).status == "succeeded"
    with pytest.raises(runs.AlreadyServed):
        runs.run_recipe("polled", turn=turn)
