"""Job functions for APScheduler: module-level and taking names only, so any job store can hold them."""

from __future__ import annotations

import contextvars
import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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
_forced: set[str] = set()  # recipes to run at their next job whatever their turn (see :func:`force`)
again: Callable[[str, float], None] | None = None


def mark_pushed(recipe: str) -> bool:
    """A webhook delivery for ``recipe`` was stored: a run must start after it. Returns whether the recipe
    is running now (then that run asks for the next one when it ends; nothing else to do)."""
    with _pushed_lock:
        _pushed.add(recipe)
        return recipe in _running


def phase(recipe: str, every: int) -> datetime:
    """The moment a polled recipe's turns count from: ``every`` seconds apart, offset within the interval by the
    recipe's name. Spread, so a thousand one-minute recipes do not all fall due in the same second (their runs
    would queue behind each other for half a minute); counted from the epoch, so every worker of a team gives a
    recipe the same turns and one of them serves each turn."""
    offset = int.from_bytes(hashlib.sha256(recipe.encode("utf-8")).digest()[:4], "big") / 2**32 * every
    return datetime.fromtimestamp(offset, UTC)


def current_turn(recipe: str, every: int, *, now: datetime | None = None) -> datetime:
    """The latest turn of ``recipe`` at or before ``now`` (UTC)."""
    now = now or datetime.now(UTC)
    start = phase(recipe, every)
    return start + timedelta(seconds=every * ((now - start).total_seconds() // every))


def force(recipes: list[str]) -> None:
    """Run these at their next job even when their turn was served already (a worker's first poll at start,
    the user's "Run all now")."""
    with _pushed_lock:
        _forced.update(recipes)


def run_recipe_job(recipe: str, every: int | None = None) -> None:
    """One scheduled run; errors are logged and surface in the run history, never crash the scheduler.

    ``every``: a polled recipe's interval; its turn is skipped when another worker already served it.
    Runs in a fresh context, so its log lines name this recipe and run and the next job on the thread starts clean.
    """
    contextvars.Context().run(_run_recipe_job, recipe, every)


def _run_recipe_job(recipe: str, every: int | None = None) -> None:
    if stop_event.is_set():
        return
    logcontext.note(recipe=recipe)
    with _pushed_lock:
        was_pushed = recipe in _pushed
        _pushed.discard(recipe)  # this run's inbox pass reads what was stored so far
        _running.add(recipe)
        forced = recipe in _forced
        _forced.discard(recipe)
    skipped = False
    turn = current_turn(recipe, every) if every and not forced and not was_pushed else None
    try:
        summary = runs.run_recipe(recipe, stop=stop_event, turn=turn)
        log.info("scheduled run of %s: %s (%s succeeded, %s failed, %s waiting to be tried again)", recipe,
                 summary.status, summary.succeeded, summary.failed, summary.retrying)
        if again is not None and not summary.dry_run and not stop_event.is_set():
            # With webhooks the recipe polls only every 15 minutes: a record waiting to be checked or tried again
            # (a write from before a crash, a 429) gets its run when it is due, not at the next reconciliation.
            # Asked after every run: a request for a later time is merged into an earlier one, which runs first.
            wait = runs.next_retry_in(recipe)
            if wait is not None:
                again(recipe, max(wait, 5.0))  # never a tight loop over a record that stays due
    except runs.AlreadyServed as exc:  # another worker of the team ran this turn
        log.info("scheduled run of %s skipped: %s", recipe, exc.what)
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
