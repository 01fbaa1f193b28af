"""What a log line is about: the recipe and run a thread is working on, for structured (JSON) logs.

The scheduler notes the recipe when a job starts (each job in a fresh context), the engine the run id once its
run row exists; ``ordersync_app.logs`` adds both to every record logged meanwhile on that thread (context
variables, so concurrent runs on other threads keep their own).
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_recipe: ContextVar[str | None] = ContextVar("ordersync_recipe", default=None)
_run_id: ContextVar[int | None] = ContextVar("ordersync_run_id", default=None)


def note(*, recipe: str | None = None, run_id: int | None = None) -> None:
    """Name ``recipe``/``run_id`` for the rest of this context (the scheduler runs each job in a fresh one)."""
    if recipe is not None:
        _recipe.set(recipe)
    if run_id is not None:
        _run_id.set(run_id)


def current() -> dict[str, Any]:
    """The bound values: ``{"recipe": …, "run_id": …}`` without the unknown ones."""
    found = {"recipe": _recipe.get(), "run_id": _run_id.get()}
    return {k: v for k, v in found.items() if v is not None}
