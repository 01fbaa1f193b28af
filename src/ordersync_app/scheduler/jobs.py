"""Job functions for APScheduler: module-level and taking names only, so any job store can hold them."""

from __future__ import annotations

import logging
import threading

from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.services import runs

log = logging.getLogger(__name__)
stop_event = threading.Event()


def run_recipe_job(recipe: str) -> None:
    """One scheduled run; errors are logged and surface in the run history, never crash the scheduler."""
    if stop_event.is_set():
        return
    try:
        summary = runs.run_recipe(recipe, stop=stop_event)
        log.info("scheduled run of %s: %s (%s succeeded, %s failed)", recipe, summary.status,
                 summary.succeeded, summary.failed)
    except runs.AlreadyRunning as exc:  # a manual run or another worker has it: this turn is skipped
        log.info("scheduled run of %s skipped: %s", recipe, exc.what)
    except OrderSyncError as exc:
        log.warning("scheduled run of %s stopped: %s", recipe, exc.render())
