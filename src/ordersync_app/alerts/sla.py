"""When to alert about a recipe's service level: one alert per breach episode, as pure logic over a clock.

A recipe with targets (``options.sla``) is measured after each of its runs (``services.sla``). People get
**one** alert when a target starts being missed, and **one** "back within target" alert when every target
is met again (only if the breach was announced). Nothing is said while the figures stay on one side, and a
measurement without data (no record in the window) changes nothing. A breach alert that reached no sink
is tried again at the next measurement. The state is a plain dict kept in the database beside the
failure policy's (:mod:`.policy`), so a restart neither repeats nor forgets an episode.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from ordersync_app.alerts.policy import _local, duration
from ordersync_app.alerts.sinks import Alert

__all__ = ["SlaPolicy", "SlaReading", "SlaState", "compose_sla"]


class SlaReading(Protocol):
    """What the policy needs of a measurement (``services.sla.SlaFigures`` has it)."""

    @property
    def window_days(self) -> int: ...
    @property
    def target_success(self) -> float | None: ...
    @property
    def target_p95_s(self) -> float | None: ...
    @property
    def success(self) -> float | None: ...
    @property
    def p95_s(self) -> float | None: ...
    @property
    def succeeded(self) -> int: ...
    @property
    def unchanged(self) -> int: ...
    @property
    def failed(self) -> int: ...
    @property
    def waiting(self) -> int: ...
    @property
    def latency_samples(self) -> int: ...
    @property
    def breached(self) -> bool: ...
    @property
    def success_breached(self) -> bool: ...
    @property
    def p95_breached(self) -> bool: ...
    @property
    def measured(self) -> bool: ...


@dataclass
class SlaState:
    """SLA alert state of one recipe (persisted between runs and restarts)."""

    breached: bool = False
    announced: bool = False  # the breach alert reached at least one sink
    since: float | None = None  # when the breach began (epoch seconds)
    missed: list[str] = field(default_factory=list)  # which targets were missed when it began

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SlaState:
        """Back from JSON (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


class SlaPolicy:
    """Decides, per recipe state, whether a measurement deserves an alert."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock

    def observe(self, state: SlaState, recipe: str, reading: SlaReading | None) -> Alert | None:
        """Fold ``reading`` into ``state`` (in place) and return the alert to send, if any.

        Args:
            state: the recipe's SLA state; updated in place.
            recipe: the recipe's name (for the message).
            reading: the measurement, or None when the recipe no longer sets targets (the episode ends
                quietly).
        """
        if reading is None:
            _reset(state)
            return None
        if not reading.measured:
            return None
        now = self.clock()
        if reading.breached:
            if not state.breached:
                state.breached, state.announced, state.since = True, False, now
                state.missed = [name for name, missed in (("success", reading.success_breached),
                                                          ("p95", reading.p95_breached)) if missed]
            return None if state.announced else compose_sla("sla_breach", recipe, reading, since=state.since, now=now)
        if not state.breached:
            return None
        alert = compose_sla("sla_met", recipe, reading, since=state.since, now=now) if state.announced else None
        _reset(state)
        return alert

    @staticmethod
    def delivered(state: SlaState, alert: Alert) -> None:
        """Record that ``alert`` reached at least one sink."""
        if alert.kind == "sla_breach":
            state.announced = True


def _reset(state: SlaState) -> None:
    for item in fields(state):
        setattr(state, item.name, getattr(SlaState(), item.name))


def _pct(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _secs(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def figure_lines(reading: SlaReading) -> list[tuple[str, str]]:
    """Each targeted figure against its target, in English and Chinese."""
    lines: list[tuple[str, str]] = []
    days = reading.window_days
    if reading.target_success is not None and reading.success is not None:
        total = reading.succeeded + reading.unchanged + reading.failed + reading.waiting
        short = reading.failed + reading.waiting
        mark = "✗" if reading.success_breached else "✓"
        lines.append((f"{mark} Success {_pct(reading.success)} % over the last {days} day(s) (target ≥ "
                      f"{_pct(reading.target_success)} %): {short:,} of {total:,} record(s) failed or still wait for "
                      "a retry.",
                      f"{mark} 近 {days} 天成功率 {_pct(reading.success)} %"
                      f"（目标 ≥ {_pct(reading.target_success)} %）："
                      f"{total:,} 条记录中有 {short:,} 条失败或仍在等待重试。"))
    if reading.target_p95_s is not None and reading.p95_s is not None:
        mark = "✗" if reading.p95_breached else "✓"
        lines.append((f"{mark} 95 % of records were written within {_secs(reading.p95_s)} s of their change (target ≤ "
                      f"{_secs(reading.target_p95_s)} s), over {reading.latency_samples:,} record(s).",
                      f"{mark} 95 % 的记录在变更后 {_secs(reading.p95_s)} 秒内写入"
                      f"（目标 ≤ {_secs(reading.target_p95_s)} 秒），基于 {reading.latency_samples:,} 条记录。"))
    return lines


def compose_sla(kind: str, recipe: str, reading: SlaReading, *, since: float | None, now: float) -> Alert:
    """The bilingual ``sla_breach`` or ``sla_met`` alert for ``recipe``."""
    at = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    lines = figure_lines(reading)
    if kind == "sla_breach":
        title = (f"OrderSync: recipe '{recipe}' is below its service level",
                 f"OrderSync：配方「{recipe}」未达到服务水平")
        lines.append(("Open OrderSync → Home for the figures; Activity lists the failed and waiting records.",
                      "打开 OrderSync → 首页 查看数据；活动 页面列出失败和等待中的记录。"))
    elif kind == "sla_met":
        span_en, span_zh = duration(now - (since or now))
        title = (f"OrderSync: recipe '{recipe}' is back within its service level",
                 f"OrderSync：配方「{recipe}」已恢复到服务水平之内")
        lines.insert(0, (f"Every target is met again after {span_en} (since {_local(since)}).",
                         f"经过 {span_zh}（自 {_local(since)} 起）后，所有目标再次达成。"))
    else:
        raise ValueError(f"unknown SLA alert kind {kind!r}")
    return Alert(kind=kind, recipe=recipe, title_en=title[0], title_zh=title[1], lines=tuple(lines),
                 failed=reading.failed + reading.waiting, runs=0, at=at,
                 facts={"success": reading.success, "target_success": reading.target_success, "p95_s": reading.p95_s,
                        "target_p95_s": reading.target_p95_s, "window_days": reading.window_days,
                        "since": _local(since)})
