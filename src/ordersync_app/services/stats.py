"""Health figures per recipe: the numbers behind ``ordersync stats`` and the GUI's health cards.

Over a window (default 7 days), from the stored runs and record outcomes:

* ``runs`` (by status), ``succeeded`` (records moved), ``unchanged``, ``failed`` (records now in
  the failed queue), ``retrying``;
* ``success_rate`` = (succeeded + unchanged) / (succeeded + unchanged + failed), None without data;
* ``latency`` p50/p95 in seconds, nearest-rank, over succeeded records: the source's change time
  (``changed_at``) → the time the outcome was stored (the write had landed by then);
* ``api`` per account: calls, 429s (``throttled``) and retries, summed from each run's counters, and
  the vendor's latest quota report (``usage``, e.g. Salesforce's ``api-usage=18/5000``);
* ``moved_today`` and ``daily``: succeeded/failed per local calendar day for the last 7 days
  (oldest first), for the small chart. "Today" is the machine's local day, as the user sees it;
* ``sla`` per recipe that sets targets (``options.sla``): its figures over *its own* window against its
  targets (:mod:`.sla`), where a record waiting for a retry counts against the success rate.

A record counts in the window when its outcome was stored inside it; a record re-sent later
counts once, with its latest outcome.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ordersync_app.connectors.sdk.registry import suggest
from ordersync_app.domain.errors import SetupError
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution, Recipe, Run

CHART_DAYS = 7


def find_recipe(s: Session, name: str) -> Recipe:
    """The recipe row called ``name``.

    Raises:
        SetupError: no such recipe (with a "did you mean").
    """
    row = s.scalar(select(Recipe).where(Recipe.name == name))
    if row is None:
        near = suggest(name, list(s.scalars(select(Recipe.name))))
        raise SetupError(f"no recipe named '{name}'",
                         hint=f"did you mean '{near}'?" if near else "see: ordersync recipe list")
    return row


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (``p`` in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class _Tally:
    runs: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    succeeded: int = 0
    unchanged: int = 0
    failed: int = 0
    retrying: int = 0
    latencies: list[float] = field(default_factory=list)
    moved_today: int = 0
    daily: dict[date, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    api: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    last_run: dict[str, Any] | None = None

    def view(self, days: list[date]) -> dict[str, Any]:
        done = self.succeeded + self.unchanged
        p50, p95 = percentile(self.latencies, 50), percentile(self.latencies, 95)
        return {
            "runs": sum(self.runs.values()), "runs_by_status": dict(sorted(self.runs.items())),
            "succeeded": self.succeeded, "unchanged": self.unchanged, "failed": self.failed,
            "retrying": self.retrying,
            "success_rate": round(done / (done + self.failed), 4) if done + self.failed else None,
            "latency_p50_s": None if p50 is None else round(p50, 3),
            "latency_p95_s": None if p95 is None else round(p95, 3),
            "latency_samples": len(self.latencies),
            "moved_today": self.moved_today,
            "daily": [{"date": d.isoformat(), "succeeded": self.daily[d][0], "failed": self.daily[d][1]} for d in days],
            "api": {account: dict(sorted(c.items())) for account, c in sorted(self.api.items())},
            "last_run": self.last_run,
        }


def runs_query(ids: list[int], since: datetime) -> Select[Any]:
    """The runs :func:`stats` counts (``ix_runs_recipe_started``)."""
    return select(Run.recipe_id, Run.status, Run.started_at, Run.api) \
        .where(Run.recipe_id.in_(ids), Run.started_at >= since).order_by(Run.started_at, Run.id)


def outcomes_query(ids: list[int], earliest: datetime) -> Select[int, str, datetime | None, datetime]:
    """The outcomes :func:`stats` counts (``ix_executions_recipe_updated``)."""
    return select(Execution.recipe_id, Execution.status, Execution.changed_at, Execution.updated_at) \
        .where(Execution.recipe_id.in_(ids), Execution.updated_at >= earliest,
               Execution.status.in_(("succeeded", "unchanged", "failed", "retrying")))


def stats(recipe: str | None = None, days: int = 7, *, now: datetime | None = None,
          tz: tzinfo | None = None) -> dict[str, Any]:
    """Health figures per recipe (all recipes, or one) over the last ``days`` days.

    Args:
        recipe: one recipe's name, or None for all.
        days: the window in days (≥ 1).
        now: the end of the window (default: now); tests pass a fixed time.
        tz: the zone that defines "today" and the chart's days (default: this machine's).

    Returns:
        ``{"since", "until", "days", "timezone", "recipes": [{"recipe", …figures, "sla"}], "accounts": {…},
        "totals": {…figures}}``; ``sla`` is None for a recipe without targets.

    Raises:
        SetupError: ``days`` < 1, or no such recipe.
    """
    if days < 1:
        raise SetupError("the window must be at least one day", hint="--days 1 or more")
    until = (now or datetime.now(UTC)).astimezone(UTC)
    local_now = until.astimezone(tz) if tz else until.astimezone()
    since = until - timedelta(days=days)
    today = local_now.date()
    chart = [today - timedelta(days=n) for n in range(CHART_DAYS - 1, -1, -1)]
    chart_start = datetime.combine(chart[0], datetime.min.time(), local_now.tzinfo).astimezone(UTC)
    today_start = datetime.combine(today, datetime.min.time(), local_now.tzinfo).astimezone(UTC)
    earliest = min(since, chart_start)

    with db.session() as s:
        query = select(Recipe.id, Recipe.name).order_by(Recipe.name)
        if recipe is not None:
            query = query.where(Recipe.id == find_recipe(s, recipe).id)
        names = {rid: name for rid, name in s.execute(query)}
        tallies = {rid: _Tally() for rid in names}
        total = _Tally()
        ids = list(names)
        for rid, status, started_at, api in s.execute(runs_query(ids, since)):
            for tally in (tallies[rid], total):
                tally.runs[status] += 1
                tally.last_run = {"status": status, "started_at": started_at.isoformat()}
                for role, counters in (api or {}).items():
                    account = str(counters.get("account") or role)
                    for key in ("calls", "throttled", "retries"):
                        tally.api[account][key] += int(counters.get(key) or 0)
                    if counters.get("usage"):  # runs come oldest first: the last report wins
                        tally.api[account]["usage"] = str(counters["usage"])
        rows = s.execute(outcomes_query(ids, earliest))
        for rid, status, changed_at, stored_at in rows:
            in_window = stored_at >= since
            day = stored_at.astimezone(local_now.tzinfo).date()
            for tally in (tallies[rid], total):
                if status == "succeeded":
                    tally.moved_today += stored_at >= today_start
                    if stored_at >= chart_start:
                        tally.daily[day][0] += 1
                elif status == "failed" and stored_at >= chart_start:
                    tally.daily[day][1] += 1
                if not in_window:
                    continue
                if status == "succeeded":
                    tally.succeeded += 1
                    if changed_at is not None:
                        tally.latencies.append(max(0.0, (stored_at - changed_at).total_seconds()))
                elif status == "unchanged":
                    tally.unchanged += 1
                elif status == "failed":
                    tally.failed += 1
                else:
                    tally.retrying += 1

    totals = total.view(chart)
    from ordersync_app.services import sla  # sla reads this module's percentile

    levels = {f.recipe: f.as_dict() for f in sla.figures(recipe, now=until)}
    return {
        "since": since.isoformat(timespec="seconds"), "until": until.isoformat(timespec="seconds"), "days": days,
        "timezone": local_now.strftime("UTC%z"),
        "recipes": [{"recipe": name, **tallies[rid].view(chart), "sla": levels.get(name)}
                    for rid, name in names.items()],
        "accounts": totals.pop("api"),
        "totals": totals,
    }
