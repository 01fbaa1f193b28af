"""The loop guard: OrderSync remembers what each of its writes left in the target (the object's key and
its modified stamp after the write, as the vendor answered it), and a trigger record with exactly that
key and version is skipped as an echo of that recipe — whichever recipe, role or account binding reads
it. Two recipes that stamp each other ("last synced") therefore stop after one round, and a recipe that
reads and writes one account through two roles does not rewrite its own objects.

A record changed by someone else after our write carries a newer stamp and is processed as usual.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ordersync_app.storage import bulk
from ordersync_app.storage.tables import Echo, utcnow

KEEP_DAYS = 30  # an echo older than this would long have been read by every trigger polling the account


def load(session: Session, account: str, keys: Iterable[str]) -> dict[tuple[str, str], str]:
    """(key, stamp) → the recipe that wrote it, for records of ``account``."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(wanted), 400):
        rows = session.execute(select(Echo.record_key, Echo.stamp, Echo.recipe).where(
            Echo.account == account, Echo.record_key.in_(wanted[start:start + 400])))
        for key, stamp, recipe in rows:
            found[(key, stamp)] = recipe
    return found


def remember(session: Session, account: str, record_key: str, stamp: str, recipe: str) -> None:
    """Note one write's echo (in the transaction that settles the write)."""
    exists = session.scalar(select(Echo.id).where(Echo.account == account, Echo.record_key == record_key,
                                                  Echo.stamp == stamp))
    if exists is None:
        session.add(Echo(account=account, record_key=record_key, stamp=stamp, recipe=recipe))


def remember_many(session: Session, account: str, echoes: list[tuple[str, str]], recipe: str) -> None:
    """:func:`remember` for many writes of one account: ``(record key, stamp)`` pairs, one query per 400."""
    wanted = sorted(set(echoes))
    known: set[tuple[str, str]] = set()
    keys = sorted({key for key, _stamp in wanted})
    for start in range(0, len(keys), 400):
        known.update((key, stamp) for key, stamp in session.execute(select(Echo.record_key, Echo.stamp).where(
            Echo.account == account, Echo.record_key.in_(keys[start:start + 400]))))
    fresh = [{"account": account, "record_key": key, "stamp": stamp, "recipe": recipe, "written_at": utcnow()}
             for key, stamp in wanted if (key, stamp) not in known]
    if fresh:
        bulk.insert_rows(session, Echo, fresh)


def prune(session: Session) -> int:
    """Forget echoes older than :data:`KEEP_DAYS`; returns how many."""
    result = session.execute(delete(Echo).where(Echo.written_at < utcnow() - timedelta(days=KEEP_DAYS)))
    return int(getattr(result, "rowcount", 0) or 0)
