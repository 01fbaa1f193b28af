"""Health at a glance, computed from what the service layer returns (no Qt, so it is easy to test)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ordersync_app.services import accounts, queue, recipes, runs, sla


@dataclass
class Health:
    """Numbers for the Home page and the tray icon."""

    recipes_on: int = 0
    recipes_total: int = 0
    moved_today: int = 0
    success_rate: float | None = None  # over the last 7 days; None when nothing ran
    failed: int = 0
    paused: list[str] = field(default_factory=list)
    reconnect: list[str] = field(default_factory=list)
    last_runs: list[dict[str, Any]] = field(default_factory=list)  # per recipe: title, status, when, counts
    week: list[tuple[date, int, int]] = field(default_factory=list)  # day, succeeded, failed
    top_problem: queue.ErrorGroup | None = None  # the biggest group of failed records with one cause
    service_levels: list[sla.SlaFigures] = field(default_factory=list)  # recipes with targets, by name

    @property
    def state(self) -> str:
        """``failing`` (something needs attention), ``paused`` (nothing scheduled) or ``ok``."""
        if self.failed or self.paused or self.reconnect:
            return "failing"
        if not self.recipes_on:
            return "paused"
        return "ok"


def _local_day(iso: str) -> date:
    return datetime.fromisoformat(iso).replace(tzinfo=UTC).astimezone().date() \
        if datetime.fromisoformat(iso).tzinfo is None else datetime.fromisoformat(iso).astimezone().date()


def collect(*, today: date | None = None) -> Health:
    """Read recipes, accounts and the latest runs, and summarise them."""
    today = today or datetime.now(UTC).astimezone().date()
    health = Health()
    listed = recipes.list_recipes()
    health.recipes_total = len(listed)
    health.recipes_on = sum(1 for r in listed if r.enabled and not r.paused_reason)
    health.failed = sum(r.failed for r in listed)
    health.paused = [r.name for r in listed if r.paused_reason]
    health.reconnect = [a.name for a in accounts.list_accounts() if a.status == "reconnect"]
    for r in listed:
        health.last_runs.append({"name": r.name, "title": r.title, "enabled": r.enabled, "failed": r.failed,
                                 "paused": r.paused_reason, "document": r.document, **(r.last_run or {})})
    if health.failed:
        found = queue.groups()
        health.top_problem = found[0] if found else None
    days = {today - timedelta(days=n): [0, 0] for n in range(6, -1, -1)}
    ok = bad = 0
    for run in runs.runs(limit=2000):
        if run.get("dry_run"):
            continue
        day = _local_day(run["started_at"])
        if day in days:
            days[day][0] += int(run.get("succeeded", 0))
            days[day][1] += int(run.get("failed", 0))
            ok += int(run.get("succeeded", 0))
            bad += int(run.get("failed", 0))
    health.moved_today = days[today][0]
    health.success_rate = ok / (ok + bad) if ok + bad else None
    health.week = [(d, v[0], v[1]) for d, v in days.items()]
    health.service_levels = sla.figures()
    return health
