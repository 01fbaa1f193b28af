"""When to alert: the low-noise policy, as pure logic over a clock (unit-tested with a fake one).

Per recipe, people get:

1. **one** alert when it starts failing (a run with failed records, or a run that stopped with an
   error);
2. then at most **one digest per period** (default 1 h) while it keeps failing, counting what
   failed since the previous alert;
3. **one** "recovered" alert when a run succeeds again (only if the failure was announced);
4. **one** "limited" alert when a vendor quota (a daily API limit) holds records back: they wait
   in the queue and are sent by themselves when the quota allows, so nothing more is said about it.

Never one per record. Runs that neither fail nor fully succeed (records only waiting for a later
attempt, a stopped run) change nothing. A start alert that reached no sink is tried again with the
next failing run, with the counts accumulated meanwhile. The state is a plain dict stored in
the database (``services.alerts`` persists it, so a restart does not re-alert), and each run is
counted once: a run id not above the last one seen is ignored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from ordersync_app.alerts.sinks import Alert

DEFAULT_DIGEST_SECONDS = 3600.0
_RESEND_EN = "Open OrderSync → Activity to re-send the failed records."
_RESEND_ZH = "打开 OrderSync → 活动 页面重新发送失败的记录。"


@dataclass(frozen=True)
class Outcome:
    """What the policy needs to know about one finished run."""

    run_id: int
    status: str  # succeeded | failed | error | stopped | interrupted
    failed: int = 0
    error: str | None = None
    first_error: str | None = None  # masked, short
    limited: str | None = None  # a vendor quota held records back in this run (why, masked)
    waiting: int = 0  # records of the recipe waiting for a later attempt (this run's and earlier ones)

    @property
    def failing(self) -> bool:
        """Failed records, or the run stopped with an error."""
        return self.failed > 0 or self.status == "error"

    @property
    def healthy(self) -> bool:
        """Everything the run touched succeeded (nothing failed, nothing waits for a retry)."""
        return self.status == "succeeded" and self.failed == 0 and not self.error


@dataclass
class RecipeState:
    """Alert state of one recipe (persisted between runs and restarts)."""

    failing: bool = False
    announced: bool = False  # the start alert reached at least one sink
    since: float | None = None  # when it started failing (epoch seconds)
    last_alert_at: float | None = None
    pending_failed: int = 0  # since the last alert
    pending_runs: int = 0
    pending_error: str | None = None
    total_failed: int = 0  # since it started failing
    total_runs: int = 0
    last_run_id: int = 0
    limited: bool = False  # the "limited" alert of the current quota episode reached someone

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> RecipeState:
        """Back from JSON (unknown keys ignored, so older/newer files load)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})


class AlertPolicy:
    """Decides, per recipe state, whether a finished run deserves an alert."""

    def __init__(self, digest_seconds: float = DEFAULT_DIGEST_SECONDS, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.digest_seconds = max(0.0, float(digest_seconds))
        self.clock = clock

    def observe(self, state: RecipeState, recipe: str, outcome: Outcome, *, queued: int | None = None
                ) -> Alert | None:
        """Fold ``outcome`` into ``state`` (in place) and return the alert to send, if any.

        Args:
            state: the recipe's state; updated in place.
            recipe: the recipe's name (for the message).
            outcome: the finished run.
            queued: failed records still in the queue (mentioned by the "recovered" alert).
        """
        if outcome.run_id and outcome.run_id <= state.last_run_id:
            return None  # seen already (a second call for the same run, or an older run)
        state.last_run_id = max(state.last_run_id, outcome.run_id)
        now = self.clock()
        if outcome.failing:
            if not state.failing:
                state.failing, state.announced, state.since = True, False, now
                state.total_failed = state.total_runs = 0
            state.pending_failed += outcome.failed
            state.pending_runs += 1
            state.total_failed += outcome.failed
            state.total_runs += 1
            state.pending_error = state.pending_error or outcome.first_error or outcome.error
            if not state.announced:
                return compose("failing", recipe, state, now=now, last=outcome)
            return self.due(state, recipe)
        if outcome.limited:  # records wait for a quota's window: said once per episode
            return None if state.limited else compose("limited", recipe, state, now=now, last=outcome)
        if outcome.healthy and not outcome.waiting:  # the quota episode is over once nothing waits
            state.limited = False
        if outcome.healthy and state.failing:
            alert = compose("recovered", recipe, state, now=now, queued=queued) if state.announced else None
            _reset(state)
            return alert
        return None

    def due(self, state: RecipeState, recipe: str) -> Alert | None:
        """The digest, when the recipe still fails, something failed since the last alert and a
        period has passed since it (also usable from a timer between runs)."""
        if not (state.failing and state.announced and state.pending_runs):
            return None
        now = self.clock()
        if state.last_alert_at is not None and now - state.last_alert_at < self.digest_seconds:
            return None
        return compose("digest", recipe, state, now=now)

    def delivered(self, state: RecipeState, alert: Alert) -> None:
        """Record that ``alert`` reached at least one sink: counts restart from zero."""
        if alert.kind == "limited":
            state.limited = True
        if alert.kind in ("failing", "digest"):
            state.announced = True
            state.last_alert_at = self.clock()
            state.pending_failed = state.pending_runs = 0
            state.pending_error = None


def _reset(state: RecipeState) -> None:
    fresh = RecipeState(last_run_id=state.last_run_id)
    for item in fields(state):
        setattr(state, item.name, getattr(fresh, item.name))


# -- messages ---------------------------------------------------------------------------------
def _local(ts: float | None) -> str:
    if ts is None:
        return "?"
    return datetime.fromtimestamp(ts, UTC).astimezone().strftime("%Y-%m-%d %H:%M (UTC%z)")


def duration(seconds: float) -> tuple[str, str]:
    """A short human duration in English and Chinese ("2 h 5 min", "2 小时 5 分钟")."""
    minutes = max(0, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    en, zh = [], []
    for value, unit_en, unit_zh in ((days, "d", "天"), (hours, "h", "小时"), (minutes, "min", "分钟")):
        if value:
            en.append(f"{value} {unit_en}")
            zh.append(f"{value} {unit_zh}")
    return (" ".join(en[:2]) or "< 1 min"), ("".join(zh[:2]) or "不到 1 分钟")


def compose(kind: str, recipe: str, state: RecipeState, *, now: float, last: Outcome | None = None,
            queued: int | None = None) -> Alert:
    """The bilingual alert of ``kind`` for ``recipe`` in ``state``."""
    at = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    error = state.pending_error
    lines: list[tuple[str, str]] = []
    if kind == "failing":
        title = (f"OrderSync: recipe '{recipe}' is failing", f"OrderSync：配方「{recipe}」同步失败")
        failed = last.failed if last else state.pending_failed
        if failed:
            lines.append((f"{failed} record(s) failed in the last run.", f"最近一次运行有 {failed} 条记录失败。"))
        else:
            lines.append(("The last run stopped with an error.", "最近一次运行因错误中止。"))
        if state.pending_runs > 1:  # an earlier start alert reached nobody
            lines.append((f"{state.pending_failed} record(s) failed in {state.pending_runs} runs since "
                          f"{_local(state.since)}.",
                          f"自 {_local(state.since)} 起，{state.pending_runs} 次运行中"
                          f"共 {state.pending_failed} 条记录失败。"))
        facts = {"failed": failed, "runs": state.pending_runs}
    elif kind == "digest":
        title = (f"OrderSync: recipe '{recipe}' is still failing", f"OrderSync：配方「{recipe}」仍在失败")
        span_en, span_zh = duration(now - (state.since or now))
        lines.append((f"{state.pending_failed} more record(s) failed in {state.pending_runs} run(s) since the last "
                      f"alert; failing for {span_en} (since {_local(state.since)}).",
                      f"自上次提醒以来，{state.pending_runs} 次运行中又有 {state.pending_failed} 条记录失败；"
                      f"已持续失败 {span_zh}（自 {_local(state.since)} 起）。"))
        facts = {"failed": state.pending_failed, "runs": state.pending_runs}
    elif kind == "limited":
        title = (f"OrderSync: recipe '{recipe}' waits for an API limit",
                 f"OrderSync：配方「{recipe}」正在等待 API 额度")
        waiting = last.waiting if last else 0
        lines.append((f"{waiting} record(s) wait in the queue because the app's API limit is used up. They are sent "
                      "automatically once the limit allows; nothing is lost and nothing needs doing.",
                      f"由于应用的 API 额度已用完，{waiting} 条记录在队列中等待。额度恢复后会自动发送，"
                      "不会丢失，无需任何操作。"))
        error = last.limited if last else None
        facts = {"failed": 0, "runs": 1}
    elif kind == "recovered":
        title = (f"OrderSync: recipe '{recipe}' has recovered", f"OrderSync：配方「{recipe}」已恢复正常")
        span_en, span_zh = duration(now - (state.since or now))
        lines.append((f"Runs succeed again after {span_en} of failures ({state.total_failed} failed record(s) "
                      f"in {state.total_runs} run(s)).",
                      f"经过 {span_zh} 的失败后运行已恢复"
                      f"（{state.total_runs} 次运行中共 {state.total_failed} 条记录失败）。"))
        error = None
        facts = {"failed": state.total_failed, "runs": state.total_runs}
    else:
        raise ValueError(f"unknown alert kind {kind!r}")
    if error:
        lines.append((f"First error / 首个错误: {error}", ""))
    if kind not in ("recovered", "limited"):
        lines.append((_RESEND_EN, _RESEND_ZH))
    elif queued:
        lines.append((f"{queued} failed record(s) still wait in the queue. {_RESEND_EN}",
                      f"失败队列中还有 {queued} 条记录。{_RESEND_ZH}"))
    return Alert(kind=kind, recipe=recipe, title_en=title[0], title_zh=title[1], lines=tuple(lines),
                 failed=int(facts.get("failed", 0)), runs=int(facts.get("runs", 1)), first_error=error, at=at,
                 facts={"since": _local(state.since), **({"queued": queued} if queued is not None else {})})


def sample_alert(*, now: float | None = None) -> Alert:
    """The message ``ordersync alerts test`` sends."""
    moment = time.time() if now is None else now
    return Alert(kind="test", recipe="", title_en="OrderSync test alert", title_zh="OrderSync 测试提醒",
                 lines=(("If you can read this, OrderSync alerts reach this channel.",
                         "收到这条消息，说明 OrderSync 的提醒可以送达这里。"),),
                 at=datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds"))
