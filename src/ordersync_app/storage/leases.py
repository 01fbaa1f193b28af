"""Per-recipe leases in the database: one run of a recipe at a time, across processes and machines.

Why a lease and not a lock file: the tray app's scheduler, a manual ``ordersync run`` and any number
of ``ordersync worker`` processes (on several machines sharing one PostgreSQL) must never run one
recipe at once. A lease is a row that only a live holder keeps renewing; when the holder dies it
stops renewing and the row expires, so another process takes the recipe over — and on the holder's
own machine a dead pid frees it at once. Taking and renewing are single conditional statements
(``INSERT … ON CONFLICT DO NOTHING``, ``UPDATE … WHERE holder = me``), atomic on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ordersync_app.domain.errors import SetupError
from ordersync_app.processes import pid_alive
from ordersync_app.storage.tables import RecipeLease, Run, utcnow

log = logging.getLogger(__name__)

HOST = socket.gethostname()[:255]
HOLDER = f"{HOST[:40]}:{os.getpid()}:{secrets.token_hex(4)}"  # this process
TTL_SECONDS = 60.0
SKEW_SECONDS = 2.0  # how far two machines' clocks (and the renewal's own round trip) may disagree


def lease_ttl() -> float:
    """The lease's lifetime: 60 s, or ``ORDERSYNC_LEASE_TTL`` seconds (a server's faster takeover).

    A call is sent only while the lease surely outlasts its timeout (:meth:`Heartbeat.ensure`), and the lease
    is renewed every third of its life, so it must be at least 1.5 × (the HTTP timeout + 4 s).
    """
    raw = os.environ.get("ORDERSYNC_LEASE_TTL")
    if not raw:
        return TTL_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise SetupError(f"ORDERSYNC_LEASE_TTL must be a number of seconds, not {raw!r}") from None
    try:
        timeout = float(os.environ.get("ORDERSYNC_HTTP_TIMEOUT") or 30.0)
    except ValueError:
        raise SetupError("ORDERSYNC_HTTP_TIMEOUT must be a number of seconds") from None
    shortest = 1.5 * (timeout + 2 * SKEW_SECONDS)
    if not shortest <= value <= 3600:
        raise SetupError(f"ORDERSYNC_LEASE_TTL must be between {shortest:g} and 3600 seconds, not {raw}",
                         hint=f"a call (timeout {timeout:g} s) must always fit inside the lease")
    return value


SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Holder:
    """Who holds a lease (shown as "recipe X is already running (pid P on host H)")."""

    holder: str
    pid: int
    host: str


def _insert(session: Session) -> Callable[..., object]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def try_acquire(session: SessionFactory, recipe_id: int, *, ttl: float | None = None) -> Holder | None:
    """Take the lease of ``recipe_id`` for this process; returns None when taken, else who holds it."""
    me = Holder(HOLDER, os.getpid(), HOST)
    ttl = ttl or lease_ttl()
    with session() as s:
        now = utcnow()
        values = {"recipe_id": recipe_id, "holder": me.holder, "pid": me.pid, "host": me.host,
                  "acquired_at": now, "expires_at": now + timedelta(seconds=ttl)}
        inserted = s.execute(_insert(s)(RecipeLease).values(**values)  # type: ignore[attr-defined]
                             .on_conflict_do_nothing(index_elements=["recipe_id"]))
        if inserted.rowcount == 1:  # type: ignore[attr-defined]
            return None
        row = s.execute(select(RecipeLease.holder, RecipeLease.pid, RecipeLease.host, RecipeLease.expires_at)
                        .where(RecipeLease.recipe_id == recipe_id)).first()
        if row is None:  # released between the two statements: try again next time
            return Holder("?", 0, "?")
        holder, pid, host, expires = row
        dead_here = host == HOST and holder != me.holder and not pid_alive(pid)
        if holder != me.holder and expires > now and not dead_here:
            return Holder(holder, pid, host)
        taken = s.execute(update(RecipeLease).where(RecipeLease.recipe_id == recipe_id, RecipeLease.holder == holder)
                          .values(**{k: v for k, v in values.items() if k != "recipe_id"}))
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            if holder != me.holder:
                log.info("took over recipe %s from %s (expired or dead)", recipe_id, holder)
            return None
        return Holder(holder, pid, host)


def renew(session: SessionFactory, recipe_id: int, *, ttl: float | None = None) -> bool:
    """Extend this process's lease (and mark its running run alive); False when the lease was lost."""
    ttl = ttl or lease_ttl()
    with session() as s:
        now = utcnow()
        result = s.execute(update(RecipeLease).where(RecipeLease.recipe_id == recipe_id,
                                                     RecipeLease.holder == HOLDER)
                           .values(expires_at=now + timedelta(seconds=ttl)))
        held = bool(result.rowcount)  # type: ignore[attr-defined]
        if held:
            s.execute(update(Run).where(Run.recipe_id == recipe_id, Run.holder == HOLDER, Run.status == "running")
                      .values(heartbeat_at=now))
        return held


def release(session: SessionFactory, recipe_id: int) -> None:
    """Give the lease back (only this process's own)."""
    with session() as s:
        s.execute(delete(RecipeLease).where(RecipeLease.recipe_id == recipe_id, RecipeLease.holder == HOLDER))


def revoke(session: SessionFactory, recipe_id: int) -> None:
    """Take a recipe's lease back from whichever process holds it: its heartbeat finds the lease gone and
    stops its run after the current page (the user's Stop)."""
    with session() as s:
        s.execute(delete(RecipeLease).where(RecipeLease.recipe_id == recipe_id))


def live_holders(session: SessionFactory) -> dict[int, Holder]:
    """Recipes whose lease is held by a live process (unexpired, and not a dead pid on this host)."""
    with session() as s:
        now = utcnow()
        rows = s.execute(select(RecipeLease.recipe_id, RecipeLease.holder, RecipeLease.pid, RecipeLease.host,
                                RecipeLease.expires_at))
        return {rid: Holder(holder, pid, host) for rid, holder, pid, host, expires in rows
                if expires > now and not (host == HOST and holder != HOLDER and not pid_alive(pid))}


class Heartbeat:
    """Renews a held lease in the background; calls ``on_lost`` if another process took it over.

    It also fences this process's calls (:meth:`ensure`): a worker frozen, suspended or cut off from the
    database may wake up after its lease expired and another worker took the recipe over. Its own clock
    knows how long the lease is surely still held (from the start of the last renewal that succeeded); a
    write is sent only while that covers the request's whole timeout, so it lands (or never will) before
    anyone else may read the target to settle it.
    """

    def __init__(self, session: SessionFactory, recipe_id: int, *, on_lost: Callable[[], None],
                 ttl: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        ttl = ttl or lease_ttl()
        self._session, self._recipe_id, self._on_lost, self._ttl = session, recipe_id, on_lost, ttl
        self._clock = clock
        self._valid_until = clock() + ttl - SKEW_SECONDS  # just acquired (a moment ago)
        self._lost = False
        self._renewing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{recipe_id}", daemon=True)
        self._thread.start()

    def _renew(self) -> bool:
        """Renew now; False when another process holds the lease (raises when the database is unreachable)."""
        with self._renewing:
            if self._lost:
                return False
            started = self._clock()
            if renew(self._session, self._recipe_id, ttl=self._ttl):
                self._valid_until = max(self._valid_until, started + self._ttl - SKEW_SECONDS)
                return True
            self._lost = True
        log.warning("lost the lease of recipe %s: stopping this run", self._recipe_id)
        self._on_lost()
        return False

    def _run(self) -> None:
        while not self._stop.wait(self._ttl / 3):
            try:
                if not self._renew():
                    return
            except Exception:  # a database hiccup: try again at the next beat (the lease lasts ttl)
                log.warning("could not renew the lease of recipe %s", self._recipe_id, exc_info=True)

    def left(self) -> float:
        """Seconds this process surely still holds the lease (0 once lost)."""
        return 0.0 if self._lost else max(0.0, self._valid_until - self._clock())

    def ensure(self, seconds: float) -> bool:
        """True when the lease is held for at least ``seconds`` more (renewing it now if needed)."""
        if self.left() >= seconds:
            return True
        try:
            self._renew()
        except Exception:  # the database is out of reach: nothing more is sent until it answers again
            log.warning("could not renew the lease of recipe %s before a call", self._recipe_id, exc_info=True)
        return self.left() >= seconds

    def stop(self) -> None:
        """Stop renewing (the caller releases the lease)."""
        self._stop.set()
        self._thread.join(timeout=5)
