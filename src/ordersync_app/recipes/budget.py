"""How much of an account's rate budget a recipe's polling alone would use, and whether that is fair.

Why: a trigger may be polled as often as every 10 s, but each poll costs requests even when nothing
changed, and the account's budget (the connector's declared :class:`RateLimit`\\ s: per second, per
minute, per day, per endpoint family) is shared with reading the changes, writing them, and every other
recipe on the same account. So the rate budget decides how often a recipe may poll: polling may take at
most :data:`POLL_SHARE` of each budget that applies to the trigger's requests. The file check
(``recipes.load``) uses the connector's declared budgets, the import and the builder the bound account's
own (its plan), and all three say it in the same words: "every 10 s would use 6 of the 100 requests per
minute …".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

from ordersync_app.connectors.sdk.spec import Connector, RateLimit, Trigger

__all__ = ["POLL_SHARE", "PollUse", "human_interval", "interval_text", "over_budget", "poll_uses"]

POLL_SHARE: Final = Fraction(1, 20)  # 5 % of each budget: the rest is for reads, writes and other recipes
_NAMED_WINDOWS: Final = {60: ("minute", "每分钟"), 3600: ("hour", "每小时"), 86400: ("day", "每天")}


def interval_text(seconds: int) -> str:
    """``12s``, ``2m``, ``90s``, ``1h`` — the way a recipe file writes an interval."""
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    if seconds % 60 == 0:
        return f"{seconds // 60}m"
    return f"{seconds}s"


def human_interval(seconds: int, *, chinese: bool = False) -> str:
    """``12 s``, ``2 min``, ``90 s``, ``1 h`` (``12 秒``, ``2 分钟``, ``1 小时``) — the way people read an interval."""
    units = ("小时", "分钟", "秒") if chinese else ("h", "min", "s")
    if seconds % 3600 == 0:
        return f"{seconds // 3600} {units[0]}"
    if seconds % 60 == 0:
        return f"{seconds // 60} {units[1]}"
    return f"{seconds} {units[2]}"


def _number(value: Fraction) -> str:
    return f"{float(value):,.3g}" if value < 100 else f"{round(value):,}"


def _window(seconds: float) -> tuple[str, str]:
    named = _NAMED_WINDOWS.get(int(seconds)) if float(seconds).is_integer() else None
    if named:
        return named
    return f"{seconds:g} s", f"每 {seconds:g} 秒"


@dataclass(frozen=True)
class PollUse:
    """Polling ``every_seconds`` measured against one budget, over a window of at least a minute."""

    connector: str  # the connector's name, for the message
    connector_zh: str
    every_seconds: int
    limit: RateLimit
    calls_per_poll: int

    @property
    def window_seconds(self) -> float:
        """The window the figures are told over: the budget's own, or a minute for shorter ones."""
        return max(self.limit.per_seconds, 60.0)

    @property
    def used(self) -> Fraction:
        """Requests polling makes in the window."""
        return Fraction(self.calls_per_poll) * Fraction(self.window_seconds) / self.every_seconds

    @property
    def budget(self) -> Fraction:
        """Requests the budget allows in the window."""
        return Fraction(self.limit.requests) * Fraction(self.window_seconds) / Fraction(self.limit.per_seconds)

    @property
    def share(self) -> Fraction:
        """The part of the budget polling takes (0..)."""
        return self.used / self.budget

    @property
    def fits(self) -> bool:
        """Polling stays within its fair share of this budget."""
        return self.share <= POLL_SHARE

    @property
    def min_every_seconds(self) -> int:
        """The shortest interval that fits this budget."""
        return math.ceil(Fraction(self.calls_per_poll) * Fraction(self.limit.per_seconds)
                         / (POLL_SHARE * self.limit.requests))

    def message(self) -> tuple[str, str]:
        """What polling this often costs, in English and Chinese."""
        window_en, window_zh = _window(self.window_seconds)
        every, every_zh = human_interval(self.every_seconds), human_interval(self.every_seconds, chinese=True)
        pct = f"{float(self.share) * 100:.3g}"
        return (f"every {every} would use {_number(self.used)} of the {_number(self.budget)} requests per {window_en} "
                f"{self.connector} allows ({pct} %) on polling alone",
                f"每 {every_zh}轮询一次，仅轮询就会用掉 {self.connector_zh} {window_zh}允许的 "
                f"{_number(self.budget)} 次请求中的 {_number(self.used)} 次（{pct} %）")

    def note(self) -> tuple[str, str]:
        """What polling this often costs, as a statement (English, Chinese): shown beside an interval that fits."""
        window_en, window_zh = _window(self.window_seconds)
        pct = f"{float(self.share) * 100:.2g}"
        return (f"Polling every {human_interval(self.every_seconds)} uses {_number(self.used)} of the "
                f"{_number(self.budget)} requests per {window_en} {self.connector} allows ({pct} %).",
                f"每 {human_interval(self.every_seconds, chinese=True)}轮询一次，用掉 {self.connector_zh} "
                f"{window_zh}允许的 {_number(self.budget)} 次请求中的 {_number(self.used)} 次（{pct} %）。")

    def advice(self) -> tuple[str, str]:
        """The fair share and the shortest interval that fits, in English and Chinese."""
        share = f"{float(POLL_SHARE) * 100:g}"
        every = human_interval(self.min_every_seconds)
        return (f"polling may take at most {share} % of a budget: every {every} or longer fits "
                f"(every: {interval_text(self.min_every_seconds)})",
                f"轮询最多只能占用额度的 {share} %：每 {human_interval(self.min_every_seconds, chinese=True)}"
                "或更长的间隔可行")


def poll_uses(connector: Connector, trigger: Trigger, every_seconds: int,
              limits: tuple[RateLimit, ...] | None = None) -> list[PollUse]:
    """Polling ``trigger`` every ``every_seconds`` against each budget its requests count against.

    Args:
        connector: the trigger's connector.
        trigger: the polled trigger.
        every_seconds: the poll interval.
        limits: the account's budgets (``Connector.limits(settings)``); the connector's declared ones when None.
    """
    family = trigger.request.family if trigger.request is not None else "default"
    budgets = limits if limits is not None else (connector.rate_limit, *connector.more_limits)
    calls = max(1, trigger.poll_calls)
    return [PollUse(connector.name_en, connector.name_zh, every_seconds, limit, calls) for limit in budgets
            if limit.family in ("*", family) and limit.requests > 0 and limit.per_seconds > 0]


def over_budget(connector: Connector, trigger: Trigger, every_seconds: int,
                limits: tuple[RateLimit, ...] | None = None) -> PollUse | None:
    """The budget polling this often would take more than its fair share of (the tightest), or None."""
    tight = [use for use in poll_uses(connector, trigger, every_seconds, limits) if not use.fits]
    return max(tight, key=lambda use: use.share, default=None)
