"""One rate budget per account, shared by every process that uses the database.

Why: a vendor counts an account's calls wherever they come from. Two ``ordersync worker`` processes on two
machines (or the tray app beside a manual run) each pacing themselves at the full budget would together
exceed it. So each process reserves calls in blocks from a sliding-window log kept here — per account,
rate-limit family and window — and spends them through its local limiter. A 429 pauses the budget for
everyone. The reservation is serialised by first updating the budget's own row (a row lock on
PostgreSQL, the write lock on SQLite), so two processes never both see room that is there only once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ordersync_app.storage import bulk
from ordersync_app.storage.tables import RateBudget, RateReservation

SessionFactory = Callable[[], AbstractContextManager[Session]]
MARGIN = 1.03  # the vendor counts a call when it arrives, a little after we count it: keep a small margin


def _insert(session: Session) -> Callable[..., object]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def reserve(session: SessionFactory, account: str, family: str, requests: int, per_seconds: float, want: int,
            *, now: float, hold: float = 0.0) -> tuple[int, float]:
    """Take up to ``want`` calls from the account's window; returns (calls granted, seconds to wait when none).

    ``now`` is wall-clock epoch seconds (every machine's clock, as the vendor's window is); ``hold`` how long
    after its reservation a call may still be sent (the caller gives up what it has not sent by then), so a
    reservation counts for the window plus that.
    """
    window = per_seconds * MARGIN + hold
    with session() as s:
        # One statement creates or touches the budget's row — which serialises the reservations below — and
        # reads its pause (this runs before every call a run makes: statements here are a run's CPU).
        paused_until = s.scalar(_insert(s)(RateBudget).values(  # type: ignore[attr-defined]
            account=account, family=family, per_seconds=per_seconds, touched=now, paused_until=0.0)
            .on_conflict_do_update(index_elements=["account", "family", "per_seconds"], set_={"touched": now})
            .returning(RateBudget.paused_until)) or 0.0
        if paused_until > now:
            return 0, paused_until - now
        mine = (RateReservation.account == account, RateReservation.family == family,
                RateReservation.per_seconds == per_seconds)
        s.execute(delete(RateReservation).where(*mine, RateReservation.at <= now - window))
        used = s.scalar(select(func.coalesce(func.sum(RateReservation.calls), 0)).where(*mine)) or 0
        grant = max(0, min(want, requests - int(used)))
        if grant:
            bulk.insert_rows(s, RateReservation, [{"account": account, "family": family, "per_seconds": per_seconds,
                                                   "at": now, "calls": grant}])
            return grant, 0.0
        oldest = s.scalar(select(func.min(RateReservation.at)).where(*mine))
        return 0, max(0.01, (oldest or now) + window - now)


def pause(session: SessionFactory, account: str, family: str, per_seconds: float, seconds: float, *,
          now: float) -> None:
    """Hold every process's calls of this budget for ``seconds`` (the vendor said 429)."""
    with session() as s:
        s.execute(_insert(s)(RateBudget).values(  # type: ignore[attr-defined]
            account=account, family=family, per_seconds=per_seconds, touched=now, paused_until=now + seconds)
            .on_conflict_do_nothing(index_elements=["account", "family", "per_seconds"]))
        s.execute(update(RateBudget).where(
            RateBudget.account == account, RateBudget.family == family, RateBudget.per_seconds == per_seconds,
            RateBudget.paused_until < now + seconds).values(paused_until=now + seconds))
