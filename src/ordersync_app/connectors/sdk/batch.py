"""Splitting one batch of writes into calls a vendor accepts.

Why it exists: batch endpoints refuse a call in which two records share a key (Salesforce rejects
every row of an sObject Collections upsert that repeats an External ID; HubSpot refuses a batch
with duplicate ids). Two versions of one record can meet in one batch (a change, then a retry), so
a connector sends them in consecutive calls, in their order, and the later one wins.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

__all__ = ["distinct_rounds"]

T = TypeVar("T")


def distinct_rounds(items: Iterable[T], key: Callable[[T], Hashable]) -> list[list[T]]:
    """Consecutive rounds in which each key appears at most once; an item's later duplicates go to
    later rounds, so the vendor sees them in their original order (one round when keys are distinct)."""
    rounds: list[list[T]] = []
    count: dict[Hashable, int] = {}  # a key's n-th occurrence goes to round n: one dict look-up per item
    for item in items:
        ident = key(item)
        index = count.get(ident, 0)
        count[ident] = index + 1
        if index == len(rounds):
            rounds.append([])
        rounds[index].append(item)
    return rounds
