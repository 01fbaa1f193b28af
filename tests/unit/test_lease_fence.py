"""The lease fence: a process sends a call only while its lease surely outlasts the call, so a worker that was
frozen (or cut off from the database) past its lease sends nothing once another process took the recipe over.
Real SQLite database, a fake clock for the holder's own sense of time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from ordersync_app.domain.errors import SetupError
from ordersync_app.storage import db, leases
from ordersync_app.storage.tables import Recipe, RecipeLease


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def recipe_id(home: Path) -> int:
    with db.session() as s:
        recipe = Recipe(name="orders", title="orders")
        s.add(recipe)
        s.flush()
        rid = recipe.id
    assert leases.try_acquire(db.session, rid, ttl=30) is None
    return rid


def test_a_fresh_lease_covers_calls_until_it_runs_low_then_renews(recipe_id: int) -> None:
    clock, lost = Clock(), []
    beat = leases.Heartbeat(db.session, recipe_id, on_lost=lambda: lost.append(True), ttl=30, clock=clock)
    try:
        assert beat.left() == pytest.approx(30 - leases.SKEW_SECONDS)
        assert beat.ensure(20)
        clock.now += 15  # 13 s left: a 20-second call needs a renewal first, which the database grants
        assert beat.left() == pytest.approx(13)
        assert beat.ensure(20)
        assert beat.left() == pytest.approx(30 - leases.SKEW_SECONDS)
        assert not lost
    finally:
        beat.stop()


def test_a_holder_that_woke_after_a_takeover_sends_nothing(recipe_id: int) -> None:
    clock, lost = Clock(), []
    beat = leases.Heartbeat(db.session, recipe_id, on_lost=lambda: lost.append(True), ttl=30, clock=clock)
    try:
        clock.now += 45  # frozen past its lease; meanwhile another worker took the recipe over
        with db.session() as s:
            s.execute(update(RecipeLease).where(RecipeLease.recipe_id == recipe_id).values(holder="other:1:abcd"))
        assert beat.left() == 0
        assert not beat.ensure(5)
        assert lost == [True]  # the run is told to stop
        assert not beat.ensure(0.1)  # and stays fenced
    finally:
        beat.stop()


def test_a_holder_that_cannot_reach_the_database_stops_sending_when_its_lease_runs_out(recipe_id: int) -> None:
    clock = Clock()
    reachable = [True]

    @contextmanager
    def session() -> Iterator[Session]:
        if not reachable[0]:
            raise OSError("connection refused")
        with db.session() as s:
            yield s

    beat = leases.Heartbeat(session, recipe_id, on_lost=lambda: None, ttl=30, clock=clock)
    try:
        reachable[0] = False
        clock.now += 10
        assert beat.ensure(15)  # still 18 s surely held: no renewal needed
        clock.now += 10
        assert not beat.ensure(15)  # 8 s left and no way to renew: the call is not sent
        reachable[0] = True
        assert beat.ensure(15)  # the database answers again and the lease was still ours
    finally:
        beat.stop()


@pytest.mark.parametrize(("ttl", "timeout", "problem"), [
    ("soon", None, "must be a number of seconds, not 'soon'"),
    ("6", "2", "must be between 9 and 3600 seconds, not 6"),
    ("40", None, "must be between 51 and 3600 seconds, not 40"),
    ("10", "2", None),
])
def test_the_lease_lifetime_setting_is_checked_against_the_call_timeout(
        monkeypatch: pytest.MonkeyPatch, ttl: str, timeout: str | None, problem: str | None) -> None:
    monkeypatch.setenv("ORDERSYNC_LEASE_TTL", ttl)
    if timeout is None:
        monkeypatch.delenv("ORDERSYNC_HTTP_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", timeout)
    if problem is None:
        assert leases.lease_ttl() == float(ttl)
        return
    with pytest.raises(SetupError) as caught:
        leases.lease_ttl()
    assert problem in caught.value.render()
