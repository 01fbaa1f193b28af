"""Records that flow from a trigger through a recipe, and the summary of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Payload key of a record the source could not read (a malformed row of an export file): the trigger
# passes it on with its problem instead of stopping the read, and the engine sends it straight to the
# failed queue with that message. It is part of the payload, so a re-send fails the same way until the
# source itself is corrected (which makes a new version).
PROBLEM = "_problem"


@dataclass(frozen=True)
class Record:
    """One changed object read from a trigger.

    ``key`` identifies the object in its app (an order id); ``version`` changes whenever the
    object changes (its ``updated_at``), so ``(key, version)`` names one change exactly once.
    ``cursor_value`` is the value the engine stores to resume polling after this record.
    """

    key: str
    version: str
    cursor_value: str
    payload: dict[str, Any]
    changed_at: datetime | None = None

    @property
    def problem(self) -> str | None:
        """Why the source could not read this record (it goes to the failed queue with this), or None."""
        value = self.payload.get(PROBLEM)
        return str(value) if value else None


@dataclass
class RunSummary:
    """What one run of a recipe did, as the CLI and GUI report it."""

    run_id: int
    recipe: str
    status: str = "running"
    dry_run: bool = False
    seen: int = 0
    duplicates: int = 0
    filtered: int = 0
    succeeded: int = 0
    unchanged: int = 0
    failed: int = 0
    retrying: int = 0
    writes: int = 0
    echoes: int = 0  # records whose change was OrderSync's own write (skipped as echoes)
    no_change: int = 0  # records whose watched field (trigger.when_changed) did not change
    tripped: str | None = None  # the circuit breaker: the first records all failed alike (the shared reason)
    seconds: float = 0.0
    error: str | None = None
    catch_up_since: str | None = None  # set when the run resumes after a pause longer than its schedule
    limited: str | None = None  # a vendor quota held records back until a later attempt (the first reason)
    previews: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {k: v for k, v in self.__dict__.items() if k != "previews" or self.dry_run}
