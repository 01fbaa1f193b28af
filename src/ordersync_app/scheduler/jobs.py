"""Job functions for APScheduler: module-level and taking names only, so any job store can hold them."""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Callable

from ordersync_app.domain import logcontext
from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.services import runs

log = logging.getLogger(__name__)
stop_event = threading.Event()
# Recipes with webhook deliveries waiting. A delivery that lands while its recipe runs (past the run's
# inbox pass) or while another worker holds the recipe must not wait for the reconciliation poll: the
# run that ends, or is skipped, asks for another one through ``again`` (set by the scheduler).
_pushed: set[str] = set()
_running: set[str] = set()
_pushed_lock = threading.Lock()
again: Callable[[str, float], None] | None = None


def mark_pushed(recipe: str) -> bool:
    """A webhook delivery for ``recipe`` was stored: a run must start after it. Returns whether the recipe
    is running now (then that run asks for the next one when it ends; nothing else to do)."""
    with _pushed_lock:
        _pushed.add(recipe)
        return recipe in _running


def run_recipe_job(recipe: str) -> None:
    """One scheduled run; errors are logged and surface in the run history, never crash the scheduler.

    Runs in a fresh context, so its log lines name this recipe and run and the next job on the thread starts clean.
    """
    contextvars.Context().run(_run_recipe_job, recipe)


def _run_recipe_job(recipe: str) -> None:
    if stop_event.is_set():
        return
    logcontext.note(recipe=recipe)
    with _pushed_lock:
        was_pushed = recipe in _pushed
        _pushed.discard(recipe)  # this run's inbox pass reads what was stored so far
        _running.add(recipe)
    skipped = False
    try:
        summary = runs.run_recipe(recipe, stop=stop_event)
        log.info("scheduled run of %s: %s (%s succeeded, %s failed)", recipe, summary.status,
                 summary.succeeded, summary.failed)
    except runs.AlreadyRunning as exc:  # a manual run or another worker has it: this turn is skipped
        skipped = True
        log.info("scheduled run of %s skipped: %s", recipe, exc.what)
    except OrderSyncError as exc:
        log.warning("scheduled run of %s stopped: %s", recipe, exc.render())
    finally:
        with _pushed_lock:
            _running.discard(recipe)
            if skipped and was_pushed:
                _pushed.add(recipe)
            due = recipe in _pushed
        if due and again is not None and not stop_event.is_set():
            again(recipe, 0.5 if skipped else 0.0)  # after a skip, give the holder's run time to end


PRUNE_JOB = "ordersync:prune"  # not a recipe name (recipe names have no colon)
PRUNE_SECONDS = 300


def prune_job() -> None:
    """One small batch of expired history (services.retention), between runs; errors are logged only."""
    if stop_event.is_set():
        return
    from ordersync_app.services import retention

    try:
        deleted = retention.prune_step()
    except Exception:  # pruning must never stop the scheduler
        log.exception("pruning old history failed; it is tried again later")
        return
    if any(deleted.values()):
        log.info("pruned old history: %s", deleted)
