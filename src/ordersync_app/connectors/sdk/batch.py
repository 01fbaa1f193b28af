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
    seen: list[set[Hashable]] = []
    for item in items:
        ident = key(item)
        index = next((i for i, keys in enumerate(seen) if ident not in keys), len(rounds))
        if index == len(rounds):
            rounds.append([])
            seen.append(set())
        rounds[index].append(item)
        seen[index].add(ident)
    return rounds
