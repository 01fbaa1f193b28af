"""The rate budget shared by every process of a database: reservations never exceed the window, they come
back as the window slides, and a 429 pauses every process."""

from __future__ import annotations

import threading

from ordersync_app.connectors.sdk.http import PERMIT_HOLD_SHARE, RateLimiter
from ordersync_app.connectors.sdk.spec import RateLimit
from ordersync_app.storage import budgets, db


def test_reservations_share_one_window(home) -> None:
    take = lambda want, now: budgets.reserve(db.session, "crm", "*", 10, 10.0, want, now=now)  # noqa: E731
    assert take(4, 1000.0) == (4, 0.0)
    assert take(4, 1001.0) == (4, 0.0)
    granted, wait = take(4, 1002.0)
    assert granted == 2  # only what is left of 10 in the window
    granted, wait = take(1, 1003.0)
    assert granted == 0 and 1000.0 + 10.3 - 1003.0 - 0.01 <= wait <= 1000.0 + 10.3 - 1003.0 + 0.01
    assert take(5, 1010.4) == (4, 0.0)  # the first block left the window: its 4 calls are free again


def test_a_429_pauses_every_process(home) -> None:
    budgets.pause(db.session, "crm", "*", 10.0, 30.0, now=2000.0)
    granted, wait = budgets.reserve(db.session, "crm", "*", 10, 10.0, 1, now=2010.0)
    assert granted == 0 and wait == 20.0
    assert budgets.reserve(db.session, "crm", "*", 10, 10.0, 1, now=2030.5)[0] == 1


def test_processes_together_never_exceed_the_window(home) -> None:
    """Two limiters (as two processes would have) drawing from one budget: 30 calls take three windows."""
    clock = {"now": 5000.0}
    lock = threading.Lock()
    calls: list[float] = []

    def reserve(limit: RateLimit, want: int) -> tuple[int, float]:
        return budgets.reserve(db.session, "shop", limit.family, limit.requests, limit.per_seconds, want,
                               now=clock["now"])

    def sleep(seconds: float) -> None:
        with lock:
            clock["now"] += seconds

    limit = RateLimit(10, 10.0)
    processes = [RateLimiter(limit, clock=lambda: clock["now"], sleep=sleep) for _ in range(2)]
    for n in range(30):
        processes[n % 2].acquire(reserve=reserve)
        calls.append(clock["now"])
    for start in calls:  # any 10-second window holds at most 10 of the 30 calls
        assert sum(start <= at < start + 10.0 for at in calls) <= 10
    assert clock["now"] - 5000.0 >= 20.0


def test_calls_reserved_long_ago_are_given_up_not_sent_into_the_next_window(home) -> None:
    """A process reserves a block of calls, sends one, and sends the rest only much later: counted from their
    reservation they would have expired from the shared log while the vendor counts them when they arrive,
    on top of another process's full window. Unspent calls are given up after a short hold instead."""
    clock = {"now": 8000.0}
    limit = RateLimit(100, 10.0)

    def reserve(limit: RateLimit, want: int) -> tuple[int, float]:
        return budgets.reserve(db.session, "crm", limit.family, limit.requests, limit.per_seconds, want,
                               now=clock["now"], hold=limit.per_seconds * PERMIT_HOLD_SHARE)

    def sleep(seconds: float) -> None:
        clock["now"] += seconds

    first, second = (RateLimiter(limit, clock=lambda: clock["now"], sleep=sleep) for _ in range(2))
    arrivals: list[float] = []

    def send(process: RateLimiter) -> None:
        process.acquire(reserve=reserve)
        arrivals.append(clock["now"])

    send(first)  # reserves a block (3: what the window spends in the 0.3-s hold), spends 1
    clock["now"] += 9.9
    for _ in range(9):
        send(first)  # the rest of its block would be 9.9 s old: it reserves anew
    clock["now"] += 0.5
    for _ in range(100):
        send(second)
    for start in arrivals:  # the vendor's rolling window, by arrival
        assert sum(start <= at < start + 10.0 for at in arrivals) <= 100
