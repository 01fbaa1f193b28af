"""The scheduler that runs every enabled recipe on its interval or cron schedule (``ordersync worker`` and
the tray app).

Missed runs are coalesced into one (``coalesce=True``) and run late within a grace window, so a
machine waking from sleep catches up once instead of replaying every missed interval; nothing is
lost either way because each run polls from the stored cursor.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as JobThreads
from apscheduler.schedulers.background import BackgroundScheduler

from ordersync_app import paths
from ordersync_app.recipes.schedule import CronSchedule
from ordersync_app.scheduler import jobs
from ordersync_app.scheduler.lock import InstanceLock
from ordersync_app.services import recipes, runs, timing

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 3600


# A thread per recipe (created only when needed, up to this many): a run waiting for its share of a vendor's rate
# budget or a slow page must not keep another recipe from its turn. With APScheduler's default ten, a worker left
# alone with twenty recipes took a dead colleague's recipes over only as its own long runs ended (18–47 s late).
RECIPE_THREADS = 64
RECONCILE_SECONDS = 900  # with webhooks arriving, polling only reconciles (catches deliveries that never came)


class PushedRuns:
    """Runs recipes that webhook deliveries concern, right away and outside APScheduler's interval jobs
    (re-timing an interval job while it runs would drop the run: APScheduler skips a job whose instance is
    still busy and moves it a whole interval on). A recipe runs here at most once at a time; a run that
    overlaps the scheduled one is refused by the recipe's lease and asked for again shortly."""

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="pushed")
        self._lock = threading.Lock()
        self._due: dict[str, float] = {}
        self._inflight: set[str] = set()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pushed-runs", daemon=True)
        self._thread.start()

    def request(self, name: str, delay: float = 0.0) -> None:
        """Run ``name`` after ``delay`` seconds (an earlier request wins)."""
        at = time.monotonic() + delay
        with self._lock:
            self._due[name] = min(self._due.get(name, at), at)
        self._wake.set()

    def _loop(self) -> None:
        while not jobs.stop_event.is_set():
            now = time.monotonic()
            with self._lock:
                ready = [n for n, at in self._due.items() if at <= now and n not in self._inflight]
                for name in ready:
                    del self._due[name]
                    self._inflight.add(name)
                waits = [at - now for n, at in self._due.items() if n not in self._inflight]
            for name in ready:
                self._pool.submit(self._run, name)
            self._wake.wait(max(0.01, min(waits, default=1.0)))
            self._wake.clear()

    def _run(self, name: str) -> None:
        try:
            jobs.run_recipe_job(name)
        finally:
            with self._lock:
                self._inflight.discard(name)
            self._wake.set()

    def stop(self) -> None:
        """Let running pushed runs finish (they stop at their next page: ``jobs.stop_event``)."""
        self._wake.set()
        self._pool.shutdown(wait=True)


class RecipeScheduler:
    """Keeps APScheduler's jobs in step with the enabled, unpaused recipes."""

    def __init__(self, *, webhooks: bool = False) -> None:
        self.webhooks = webhooks  # recipes whose trigger can be pushed poll only to reconcile
        self.scheduler = BackgroundScheduler(executors={"default": JobThreads(RECIPE_THREADS)}, job_defaults={
            "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
        self.lock = InstanceLock(paths.home() / "scheduler.lock")
        self.pushed: PushedRuns | None = None
        self._kinds: dict[str, tuple[str, ...]] = {}  # job id → ("interval", seconds) | ("cron", cron, zone)

    def start(self) -> None:
        """Take the instance lock, recover interrupted runs, schedule recipes."""
        self.lock.acquire()
        jobs.stop_event.clear()
        if self.webhooks:
            self.pushed = PushedRuns()
            jobs.again = self.pushed.request
        recovered = runs.recover_interrupted()
        if recovered:
            log.info("marked %d interrupted run(s); their records resume now", recovered)
        self.scheduler.start()
        # Expired history goes in small batches in the background (a minute after start, then every 5 minutes).
        self.scheduler.add_job(jobs.prune_job, "interval", seconds=jobs.PRUNE_SECONDS, id=jobs.PRUNE_JOB,
                               replace_existing=True, next_run_time=datetime.now(UTC) + timedelta(seconds=60))
        self.refresh(run_now=True)

    def refresh(self, *, run_now: bool = False) -> list[str]:
        """Add, change or drop jobs to match the recipes table; returns the scheduled names.

        A polled recipe gets an interval job; a scheduled one a cron job in its time zone, which runs however
        late it is (a month's run must not be dropped because the laptop slept through 02:00) and, when added,
        runs at once if a fire time passed while nothing ran it (:func:`timing.missed_tick`).
        """
        listed = {r.name: r for r in recipes.list_recipes() if r.enabled and not r.paused_reason}
        wanted: dict[str, tuple[str, ...]] = {
            name: ("cron", r.schedule["cron"], r.schedule["timezone"]) if r.schedule else ("interval", str(
                self._interval(r))) for name, r in listed.items()}
        for job in self.scheduler.get_jobs():
            if job.id not in wanted and job.id != jobs.PRUNE_JOB:
                job.remove()
                self._kinds.pop(job.id, None)
        for name, kind in wanted.items():
            job = self.scheduler.get_job(name)
            if job is not None and self._kinds.get(name) == kind:
                continue
            kwargs: dict[str, Any] = {}
            if kind[0] == "cron":
                schedule = CronSchedule(kind[1], kind[2])
                if timing.missed_tick(name, schedule) is not None:
                    kwargs["next_run_time"] = datetime.now(UTC)
                self.scheduler.add_job(jobs.run_recipe_job, schedule.trigger(), args=[name], id=name,
                                       replace_existing=True, misfire_grace_time=None, **kwargs)
            else:
                if run_now or job is None:  # the first poll right away (a restart resumes at once), then turns
                    kwargs["next_run_time"] = datetime.now(UTC)
                    jobs.force([name])
                every = int(kind[1])
                self.scheduler.add_job(jobs.run_recipe_job, "interval", seconds=every, args=[name, every], id=name,
                                       start_date=jobs.phase(name, every), replace_existing=True, **kwargs)
            self._kinds[name] = kind
        return sorted(wanted)

    def _interval(self, recipe: recipes.RecipeInfo) -> int:
        if self.webhooks and recipes.pushed(recipe):
            return max(recipe.every_seconds, RECONCILE_SECONDS)
        return recipe.every_seconds

    def run_now(self, names: tuple[str, ...]) -> None:
        """Run these recipes as soon as possible (a webhook delivery concerns them); a recipe that is
        running now runs again right after (see :data:`jobs.again`)."""
        for name in names:
            if not jobs.mark_pushed(name) and self.pushed is not None:
                self.pushed.request(name)

    def run_all_now(self) -> None:
        """Run every scheduled recipe as soon as possible."""
        recipe_jobs = [job for job in self.scheduler.get_jobs() if job.id != jobs.PRUNE_JOB]
        jobs.force([job.id for job in recipe_jobs])
        for job in recipe_jobs:
            job.modify(next_run_time=datetime.now(UTC))

    def stop(self) -> None:
        """Let in-flight runs finish their current page, then stop."""
        jobs.stop_event.set()
        jobs.again = None
        if self.pushed is not None:
            self.pushed.stop()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.lock.release()


def run_forever(*, poll_seconds: float = 30.0, listen: tuple[str, int] | None = None,
                public_url: str | None = None) -> int:
    """``ordersync worker``: schedule until SIGINT/SIGTERM, then finish in-flight records and exit.

    With ``listen`` it also serves webhook deliveries and ``/healthz`` on that address.
    """
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = RecipeScheduler(webhooks=listen is not None)
    scheduler.start()
    names = scheduler.refresh()
    listener = None
    if listen is not None:
        from ordersync_app.scheduler.listen import Listener

        listener = Listener(*listen, on_stored=scheduler.run_now, public_url=public_url).start()
        print(f"OrderSync worker: webhooks and /healthz on {listener.address}", flush=True)  # noqa: T201
    print(f"OrderSync worker: {len(names)} recipe(s) scheduled ({', '.join(names) or 'none enabled'}); "  # noqa: T201
          "Ctrl+C to stop.", flush=True)
    try:
        while not stop.wait(poll_seconds):
            scheduler.refresh()
    finally:
        if listener is not None:
            listener.stop()
        scheduler.stop()
        print("OrderSync worker stopped cleanly.", flush=True)  # noqa: T201
    return 0
