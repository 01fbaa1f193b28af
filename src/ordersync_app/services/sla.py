"""Service levels: each recipe's targets (``options.sla``) against what its stored outcomes show.

Why a module: owners state what they need ("99.5 % of changes reach the CRM, 95 % of them within 30 s")
and the app must say, from the same numbers everywhere, whether it is met — on Home, in ``ordersync
stats`` and through one alert per breach. This module computes; the GUI and the CLI only display, and the
alert policy (``alerts.sla``) decides when to speak.

Over the recipe's window (``window_days``, default 7) ending now, from the ``executions`` table:

* **success** = (succeeded + unchanged) / (succeeded + unchanged + failed + waiting), in percent. Records
  whose outcome was stored in the window count with their latest outcome; a record *waiting for a retry*
  counts against the rate whenever it was last tried (it has not arrived yet, however long it waits).
  Filtered, skipped and previewed records are not counted: they were never meant to arrive.
* **p95** = the nearest-rank 95th percentile, in seconds, of (outcome stored − ``changed_at``) over the
  succeeded records that have a change time: from the change in the source to its write in the target
  (the outcome is stored right after the write landed; a record that first waited for retries counts its
  whole wait). Records that changed before the recipe was added are history read from its start point,
  not changes it kept anyone waiting for: they count for the success rate, not for the p95.

A figure without data (no record in the window) is None and neither meets nor breaches its target.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select

from ordersync_app.services import alerts
from ordersync_app.services.stats import find_recipe, percentile
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution, Recipe, RecipeVersion

log = logging.getLogger(__name__)

__all__ = ["SlaFigures", "figures", "for_recipe", "observe"]

_COUNTED = ("succeeded", "unchanged", "failed")


@dataclass(frozen=True)
class SlaFigures:
    """One recipe's targets and what its outcomes show over its window.

    Attributes:
        recipe: the recipe's name.
        title: the recipe's title (the Home page shows it).
        window_days: the window the figures cover, ending at ``until``.
        target_success: the success target in percent, or None when the recipe sets none.
        target_p95_s: the p95 latency target in seconds, or None.
        success: the measured success rate in percent (None without records).
        p95_s: the measured p95 latency in seconds (None without succeeded records with a change time).
        succeeded, unchanged, failed, waiting: the records counted.
        latency_samples: the records the p95 is computed over.
        until: the end of the window (ISO 8601, UTC).
    """

    recipe: str
    title: str
    window_days: int
    target_success: float | None
    target_p95_s: float | None
    success: float | None
    p95_s: float | None
    succeeded: int
    unchanged: int
    failed: int
    waiting: int
    latency_samples: int
    until: str
    translations: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def success_breached(self) -> bool:
        """The success rate is measured and below its target."""
        return self.target_success is not None and self.success is not None and self.success < self.target_success

    @property
    def p95_breached(self) -> bool:
        """The p95 latency is measured and above its target."""
        return self.target_p95_s is not None and self.p95_s is not None and self.p95_s > self.target_p95_s

    @property
    def breached(self) -> bool:
        """Any target is missed."""
        return self.success_breached or self.p95_breached

    @property
    def measured(self) -> bool:
        """At least one targeted figure has data (otherwise nothing can be said either way)."""
        return (self.target_success is not None and self.success is not None) or (
            self.target_p95_s is not None and self.p95_s is not None)

    @property
    def state(self) -> str:
        """``breached``, ``met`` or ``no data``."""
        if self.breached:
            return "breached"
        return "met" if self.measured else "no data"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (``ordersync stats --json``)."""
        return {"recipe": self.recipe, "window_days": self.window_days, "until": self.until, "state": self.state,
                "success": {"target": self.target_success, "value": self.success, "breached": self.success_breached},
                "p95_s": {"target": self.target_p95_s, "value": self.p95_s, "breached": self.p95_breached},
                "counted": {"succeeded": self.succeeded, "unchanged": self.unchanged, "failed": self.failed,
                            "waiting": self.waiting},
                "latency_samples": self.latency_samples}


def _measure(recipe_id: int, since: datetime, until: datetime) -> tuple[dict[str, int], list[float]]:
    with db.session() as s:
        added = s.scalar(select(Recipe.created_at).where(Recipe.id == recipe_id)) or since
        added = added.replace(microsecond=0)  # sources stamp changes to the second (Shopify): same second counts
        counts = {status: int(n) for status, n in s.execute(
            select(Execution.status, func.count()).where(
                Execution.recipe_id == recipe_id, Execution.updated_at <= until,
                or_(and_(Execution.status.in_(_COUNTED), Execution.updated_at >= since),
                    Execution.status == "retrying"))
            .group_by(Execution.status))}
        latencies = [max(0.0, (stored - changed).total_seconds()) for changed, stored in s.execute(
            select(Execution.changed_at, Execution.updated_at).where(
                Execution.recipe_id == recipe_id, Execution.status == "succeeded", Execution.changed_at >= added,
                Execution.updated_at >= since, Execution.updated_at <= until)) if changed is not None]
    return counts, latencies


def _current(name: str | None) -> list[tuple[int, str, str, dict[str, Any]]]:
    """(id, name, title, document) of each recipe's current version (or of ``name`` only), by name."""
    with db.session() as s:
        query = (select(Recipe.id, Recipe.name, Recipe.title, RecipeVersion.document)
                 .join(RecipeVersion, and_(RecipeVersion.recipe_id == Recipe.id,
                                           RecipeVersion.version == Recipe.version))
                 .order_by(Recipe.name))
        if name is not None:
            query = query.where(Recipe.id == find_recipe(s, name).id)
        return [(rid, rname, title, dict(document)) for rid, rname, title, document in s.execute(query)]


def for_recipe(recipe_id: int, name: str, title: str, document: dict[str, Any], *,
               now: datetime | None = None) -> SlaFigures | None:
    """The figures of one recipe against the targets of its ``document``, or None when it sets no SLA."""
    sla = ((document.get("options") or {}).get("sla")) or None
    if not isinstance(sla, dict):
        return None
    until = (now or datetime.now(UTC)).astimezone(UTC)
    window = int(sla.get("window_days") or 7)
    counts, latencies = _measure(recipe_id, until - timedelta(days=window), until)
    done = counts.get("succeeded", 0) + counts.get("unchanged", 0)
    counted = done + counts.get("failed", 0) + counts.get("retrying", 0)
    p95 = percentile(latencies, 95)
    return SlaFigures(
        recipe=name, title=title, window_days=window,
        target_success=None if sla.get("success") is None else float(sla["success"]),
        target_p95_s=None if sla.get("p95_seconds") is None else float(sla["p95_seconds"]),
        success=round(done / counted * 100, 3) if counted else None,
        p95_s=None if p95 is None else round(p95, 3),
        succeeded=counts.get("succeeded", 0), unchanged=counts.get("unchanged", 0), failed=counts.get("failed", 0),
        waiting=counts.get("retrying", 0), latency_samples=len(latencies),
        until=until.isoformat(timespec="seconds"), translations=dict(document.get("translations") or {}))


def figures(recipe: str | None = None, *, now: datetime | None = None) -> list[SlaFigures]:
    """The SLA figures of every recipe that sets targets (or of ``recipe`` only), by name.

    Raises:
        SetupError: ``recipe`` names no recipe.
    """
    found = (for_recipe(*row, now=now) for row in _current(recipe))
    return [f for f in found if f is not None]


def observe(recipe: str, *, now: datetime | None = None) -> list[Any]:
    """Measure ``recipe`` against its targets after a run and let the alert policy decide (one alert when a
    breach starts, one when it is back in target). Never raises: an SLA check must not turn a run into an
    error.

    Returns:
        The alerts sent (usually none).
    """
    try:
        found = figures(recipe, now=now)
        if not found and not alerts.sla_state_kept(recipe):
            return []  # sets no targets and has no episode to end: nothing to decide (most recipes, every run)
        return alerts.observe_sla(recipe, found[0] if found else None)
    except Exception:
        log.exception("sla: could not measure %s", recipe)
        return []
