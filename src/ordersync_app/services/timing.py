"""When recipes run: how much of an account's rate budget polling takes, and a schedule's next run.

Why here: the recipe file is checked against a connector's *declared* budgets (``recipes.load``), but an
account has its own (its plan: HubSpot Professional, Shopify Plus), and the import, the builder's
interval field and ``recipe show`` all need the same answer for the account actually bound. The GUI and
the CLI only display what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from ordersync_app.domain.errors import SetupError
from ordersync_app.recipes.budget import POLL_SHARE, PollUse, interval_text, over_budget, poll_uses
from ordersync_app.recipes.load import Problem
from ordersync_app.recipes.model import MIN_EVERY_SECONDS, Trigger
from ordersync_app.recipes.model import Recipe as RecipeModel
from ordersync_app.recipes.schedule import CronProblem, CronSchedule
from ordersync_app.services import accounts
from ordersync_app.services.explain import Text
from ordersync_app.services.problems import plain_problems
from ordersync_app.storage import db
from ordersync_app.storage.tables import Recipe, Run

__all__ = ["INTERVALS", "POLL_SHARE", "Interval", "SchedulePreview", "check_poll_budget", "current_tick", "intervals",
           "missed_tick", "next_run", "poll_use", "preview_schedule"]

# The intervals the builder offers (seconds); a recipe file may use any other within 10 s..24 h.
INTERVALS: tuple[int, ...] = (MIN_EVERY_SECONDS, 30, 60, 300, 900, 3600)
FINISHED = ("succeeded", "failed")  # a run that read its trigger to the end (not stopped, not an error)


@dataclass(frozen=True)
class Interval:
    """One poll interval as the builder offers it: whether the account's budgets allow it, and why not."""

    seconds: int
    text: str  # file form: 10s, 5m, 1h
    use: PollUse | None  # the tightest budget at this interval (None: the connector declares none)

    @property
    def allowed(self) -> bool:
        """Within the fair share of every budget."""
        return self.use is None or self.use.fits


def poll_use(connector_key: str, event: str, every_seconds: int, account: str | None = None) -> PollUse | None:
    """The budget polling ``event`` every ``every_seconds`` takes the largest part of (the account's own
    budgets when ``account`` is given, else the connector's declared ones); None when nothing applies.

    Raises:
        SetupError: unknown connector or account.
    """
    connector = accounts.connector(connector_key)
    trigger = connector.trigger(event)
    if trigger is None:
        return None
    limits = connector.limits(accounts.get_account(account).settings) if account else None
    return max(poll_uses(connector, trigger, every_seconds, limits), key=lambda use: use.share, default=None)


def intervals(connector_key: str, event: str, account: str | None = None) -> list[Interval]:
    """The builder's interval choices for this trigger, each with whether the budget allows it."""
    return [Interval(seconds, interval_text(seconds), poll_use(connector_key, event, seconds, account))
            for seconds in INTERVALS]


def check_poll_budget(recipe: RecipeModel, bindings: dict[str, str]) -> None:
    """Refuse a polled trigger whose interval takes more than its fair share of the bound account's budgets.

    Raises:
        SetupError: naming the interval, the figures and the shortest interval that fits.
    """
    trigger: Trigger = recipe.trigger
    account = bindings.get(trigger.account)
    if trigger.schedule is not None or not account:
        return
    connector = accounts.connector(recipe.accounts[trigger.account])
    spec = connector.trigger(trigger.event)
    if spec is None:
        return
    use = over_budget(connector, spec, trigger.every_seconds, connector.limits(accounts.get_account(account).settings))
    if use is not None:
        raise SetupError(f"account '{account}': {use.message()[0]}", where="trigger.every",
                         hint=use.advice()[0])


def current_tick(recipe: RecipeModel, *, now: datetime | None = None) -> str | None:
    """The period a run of a scheduled recipe belongs to now: its schedule's latest fire time (ISO 8601 in
    the schedule's zone), or this minute when the schedule has not fired yet; None for a polled recipe."""
    schedule = recipe.trigger.schedule
    if schedule is None:
        return None
    moment = now or datetime.now(UTC)
    tick = schedule.cron_schedule.tick(moment)
    if tick is None:
        tick = moment.astimezone(schedule.cron_schedule.trigger().timezone).replace(second=0, microsecond=0)
    return tick.isoformat()


def missed_tick(name: str, schedule: CronSchedule, *, now: datetime | None = None) -> datetime | None:
    """A fire time of the scheduled recipe ``name`` that passed while nothing ran it (the machine slept or
    OrderSync was closed), or None: its latest fire time since the recipe was added, if no live run that
    read its trigger to the end started after it."""
    tick = schedule.tick(now or datetime.now(UTC))
    if tick is None:
        return None
    with db.session() as s:
        row = s.scalar(select(Recipe).where(Recipe.name == name))
        if row is None or row.created_at > tick:
            return None
        ran = s.scalar(select(Run.id).where(Run.recipe_id == row.id, Run.dry_run.is_(False),
                                            Run.started_at >= tick, Run.status.in_(FINISHED)).limit(1))
    return None if ran is not None else tick


@dataclass(frozen=True)
class SchedulePreview:
    """What the builder shows beside a schedule being typed: its next run, or what is wrong with it."""

    next_run: datetime | None
    problem: Text | None = None


def preview_schedule(cron: str, timezone: str, *, now: datetime | None = None) -> SchedulePreview:
    """The next run of ``cron`` in ``timezone``, or the problem in plain words (both languages)."""
    try:
        schedule = CronSchedule.of(cron, timezone)
    except CronProblem as exc:
        [plain] = plain_problems([Problem("trigger.schedule", exc.message, exc.hint)])
        return SchedulePreview(None, plain.text)
    return SchedulePreview(schedule.next_run(now or datetime.now(UTC)))


def next_run(recipe: RecipeModel, *, now: datetime | None = None) -> datetime | None:
    """When a scheduled recipe runs next (aware, in its zone); None for a polled one."""
    schedule = recipe.trigger.schedule
    if schedule is None:
        return None
    return schedule.cron_schedule.next_run(now or datetime.now(UTC))
