"""Runs, history and the failed-records queue: what ``ordersync run/history/retry`` and the GUI call."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update

from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.domain.records import RunSummary
from ordersync_app.domain.redact import clip
from ordersync_app.engine.events import hub
from ordersync_app.engine.runner import BREAKER_RECORDS, Runner, RunPlan
from ordersync_app.services import accounts, alerts, recipes, sla, timing
from ordersync_app.storage import db, leases
from ordersync_app.storage.tables import Execution, Recipe, Run, utcnow

_recipe_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)
LEASE_POLL_SECONDS = 0.2


class AlreadyRunning(SetupError):
    """Another process (or machine) is running the recipe now; nothing was done here."""

    def __init__(self, recipe: str, holder: leases.Holder) -> None:
        self.recipe, self.holder = recipe, holder
        where = f"pid {holder.pid} on host {holder.host}" if holder.pid else "another process"
        super().__init__(f"recipe '{recipe}' is already running ({where})",
                         hint="it finishes on its own; run it again afterwards if needed")


class AlreadyServed(SetupError):
    """A scheduled turn another worker of the team has already run (its run started at or after the turn)."""

    def __init__(self, recipe: str, turn: datetime) -> None:
        super().__init__(f"recipe '{recipe}' already ran for its turn at {turn:%H:%M:%S} UTC on another worker")


def recover_interrupted(recipe_id: int | None = None) -> int:
    """Mark runs left ``running`` whose recipe no live process holds as ``interrupted`` (a dead
    process's lease expired, or its pid is gone on this machine); their records resume from the ledger
    on the next run. Returns how many were found.

    With ``recipe_id`` (whose lease this process has just taken): every run of it still marked running was
    left by a process that lost the lease — one statement, no look at the other recipes.
    """
    if recipe_id is not None:
        with db.session() as s:
            found = s.execute(update(Run).where(Run.recipe_id == recipe_id, Run.status == "running").values(
                status="interrupted", finished_at=utcnow(),
                error="the process stopped during this run; unfinished records resume on the next run"))
            return int(found.rowcount or 0)  # type: ignore[attr-defined]
    live = leases.live_holders(db.session)
    with db.session() as s:
        stale = [r for r in s.scalars(select(Run).where(Run.status == "running")) if r.recipe_id not in live]
        for run in stale:
            run.status, run.finished_at = "interrupted", utcnow()
            run.error = "the process stopped during this run; unfinished records resume on the next run"
        return len(stale)


def _take_lease(name: str, recipe_id: int, *, wait: float, stop: threading.Event) -> None:
    """Hold the recipe's lease, waiting up to ``wait`` seconds for a running one to finish.

    Raises:
        AlreadyRunning: another live process still runs it.
    """
    deadline = time.monotonic() + wait
    while True:
        holder = leases.try_acquire(db.session, recipe_id)
        if holder is None:
            return
        if time.monotonic() >= deadline or stop.wait(min(LEASE_POLL_SECONDS, max(0.0, deadline - time.monotonic()))):
            raise AlreadyRunning(name, holder)


def build_plan(name: str, *, dry_run: bool | None = None) -> RunPlan:
    """Resolve a recipe's accounts into clients (raises SetupError when one is missing)."""
    recipe_id, version, model, bindings, stored_dry_run = recipes.recipe_model(name)
    clients: dict[str, ApiClient] = {}
    connectors = {}
    for role, connector_key in model.accounts.items():
        account = bindings.get(role)
        if not account:
            raise SetupError(f"recipe '{name}' has no account for role '{role}'",
                             hint=f"re-import it with --bind {role}=ACCOUNT")
        clients[role] = accounts.client(account)
        connectors[role] = accounts.connector(connector_key)
    effective = stored_dry_run if dry_run is None else dry_run
    tick = timing.current_tick(model)
    return RunPlan(recipe_id=recipe_id, recipe_name=name, version=version, recipe=model, clients=clients,
                   connectors=connectors, dry_run=effective, tick=tick,
                   initial_since=recipes.initial_cursor(model) if tick else None)


def run_recipe(name: str, *, dry_run: bool | None = None, stop: threading.Event | None = None,
               retry_ids: list[int] | None = None, poll: bool = True, wait: float = 0.0,
               turn: datetime | None = None) -> RunSummary:
    """Run a recipe once now, holding its lease (one run of a recipe at a time, on any machine).

    An auth failure pauses the recipe and marks the account "reconnect".

    Args:
        wait: seconds to wait for a run of the same recipe elsewhere to finish before giving up.
        turn: the scheduled time this run serves; when a run of the recipe started at or after
            it, another worker served the turn and nothing is run (every worker of a team schedules every
            recipe at the same moments: one of them runs it, once per interval).

    Raises:
        AlreadyRunning: another process runs the recipe now.
        AlreadyServed: ``turn`` was served by another worker.
        SetupError: the recipe or its accounts are not usable (AuthError when credentials died).
        TransientError: the trigger's app was unreachable (nothing was skipped; try again later).
    """
    stop = stop or threading.Event()
    with _recipe_locks[name]:
        recipe_id = recipes.get_recipe_id(name)
        _take_lease(name, recipe_id, wait=wait, stop=stop)
        beat = leases.Heartbeat(db.session, recipe_id, on_lost=stop.set)
        _active[name] = stop
        try:
            if turn is not None and (last := _last_start(recipe_id)) is not None and last >= turn:
                raise AlreadyServed(name, turn)
            recover_interrupted(recipe_id)
            return _run_held(name, dry_run=dry_run, stop=stop, retry_ids=retry_ids, poll=poll, fence=beat.ensure)
        finally:
            _active.pop(name, None)
            beat.stop()
            leases.release(db.session, recipe_id)


_active: dict[str, threading.Event] = {}  # runs of this process by recipe, so the GUI can stop one


SERVED = ("succeeded", "failed", "error")  # a run that read its trigger (or tried): its turn was served


def _last_start(recipe_id: int) -> datetime | None:
    """When the recipe's newest run that served its turn started (None when none did). A run killed, stopped or
    taken over did not serve it: its turn is run again at once (a restarted worker resumes right away)."""
    with db.session() as s:
        return s.scalar(select(Run.started_at).where(Run.recipe_id == recipe_id, Run.status.in_(SERVED))
                        .order_by(Run.started_at.desc()).limit(1))


def next_retry_in(name: str) -> float | None:
    """Seconds until the recipe's earliest record waiting for another attempt is due (None when none waits)."""
    with db.session() as s:
        due = s.scalar(select(func.min(Execution.next_attempt_at)).join(Recipe, Recipe.id == Execution.recipe_id)
                       .where(Recipe.name == name, Execution.status == "retrying"))
    return None if due is None else max(0.0, (due - utcnow()).total_seconds())


def running() -> set[str]:
    """Recipes a live process runs now (this one or another on the team database)."""
    holders = leases.live_holders(db.session)
    with db.session() as s:
        return {name for rid, name in s.execute(select(Recipe.id, Recipe.name)) if rid in holders} | set(_active)


def stop_run(name: str) -> str:
    """Stop a recipe's running run and pause the recipe (a Stop button): the run ends after its current
    page, in this process at once, in another process (a worker) when its lease heartbeat finds the lease
    taken back. Returns ``stopping`` or ``not running``."""
    recipe_id = recipes.get_recipe_id(name)
    recipes.pause(name, "stopped by the user — switch it on again to resume")
    event = _active.get(name)
    if event is not None:
        event.set()
        return "stopping"
    if recipe_id in leases.live_holders(db.session):
        leases.revoke(db.session, recipe_id)
        return "stopping"
    return "not running"


def _run_held(name: str, *, dry_run: bool | None, stop: threading.Event, retry_ids: list[int] | None,
              poll: bool, fence: Callable[[float], bool]) -> RunSummary:
    plan = build_plan(name, dry_run=dry_run)
    runner = Runner(plan, db.session, stop=stop, fence=fence)
    try:
        summary = runner.run(retry_ids=retry_ids, poll=poll)
    except AuthError as exc:
        # Pause every recipe using the refused account instead of burning through their records.
        failed = [exc.account] if exc.account else [c.account.name for c in plan.clients.values()]
        for account in failed:
            accounts.set_status(account, "reconnect", exc.render())
            for other in {name, *recipes.recipes_using(account)}:
                recipes.pause(other, f"reconnect account '{account}': {exc.what}")
                hub.emit("recipe_did_pause", recipe=other, reason=exc.render())
        raise
    else:
        _note_working_accounts(plan)
        if summary.tripped:  # the circuit breaker: the first records all failed alike
            reason = (f"paused after the first {BREAKER_RECORDS} records all failed the same way: "
                      f"{clip(summary.tripped, 300)} — fix the recipe, then re-send the failed records")
            recipes.pause(name, reason)
            hub.emit("recipe_did_pause", recipe=name, reason=reason)
        return summary
    finally:
        if runner.summary.run_id:
            alerts.observe_run(name, runner.summary)  # never raises; low-noise policy inside
            if not runner.summary.dry_run:
                sla.observe(name)  # never raises: one alert per breach of the recipe's targets
        for client in plan.clients.values():
            client.close()


def _note_working_accounts(plan: RunPlan) -> None:
    """A run that got through used every account of its plan: they work, whatever an older test said."""
    accounts.mark_working(client.account.name for client in plan.clients.values())


@dataclass
class ExecutionInfo:
    """One record's outcome, for history and the failed queue."""

    id: int
    recipe: str
    run_id: int
    record_key: str
    record_version: str
    status: str
    error: str | None
    attempts: int
    next_attempt_at: str | None
    updated_at: str
    steps: list[Any]
    payload: dict[str, Any]

    def as_dict(self, *, detail: bool = False) -> dict[str, Any]:
        """JSON-ready view (payload and steps only with ``detail``)."""
        data = dict(self.__dict__)
        if not detail:
            data.pop("payload")
            data.pop("steps")
        return data


def _execution_info(e: Execution, recipe: str) -> ExecutionInfo:
    return ExecutionInfo(e.id, recipe, e.run_id, e.record_key, e.record_version, e.status, e.error, e.attempts,
                         e.next_attempt_at.isoformat() if e.next_attempt_at else None, e.updated_at.isoformat(),
                         list(e.steps), dict(e.payload))


def history(recipe: str | None = None, *, failed_only: bool = False, limit: int = 200,
            status: str | None = None) -> list[ExecutionInfo]:
    """Latest record outcomes, newest first."""
    name = recipes.get_recipe(recipe).name if recipe else None
    with db.session() as s:
        rows = s.execute(history_query(name, status="failed" if failed_only else status, limit=limit))
        return [_execution_info(e, name) for e, name in rows]


def history_query(recipe: str | None, *, status: str | None = None, limit: int = 200) -> Select[Execution, str]:
    """The query of :func:`history`: by the recipe's id and the outcome, newest first, so one of the
    ``ix_executions_*`` indexes answers it without reading the table (``tests/unit/test_retention.py``)."""
    query = select(Execution, Recipe.name).join(Recipe, Recipe.id == Execution.recipe_id)
    if recipe:
        query = query.where(Execution.recipe_id == select(Recipe.id).where(Recipe.name == recipe).scalar_subquery())
    if status:
        query = query.where(Execution.status == status)
    return query.order_by(Execution.updated_at.desc(), Execution.id.desc()).limit(limit)


def execution(execution_id: int) -> ExecutionInfo:
    """One record outcome with its payload and step details (SetupError when unknown)."""
    with db.session() as s:
        row = s.execute(select(Execution, Recipe.name).join(Recipe, Recipe.id == Execution.recipe_id)
                        .where(Execution.id == execution_id)).first()
        if row is None:
            raise SetupError(f"no record with id {execution_id}", hint="see: ordersync history")
        e, name = row
        return _execution_info(e, name)


def runs(recipe: str | None = None, *, limit: int = 50) -> list[dict[str, Any]]:
    """Latest runs, newest first."""
    with db.session() as s:
        query = select(Run, Recipe.name).join(Recipe, Recipe.id == Run.recipe_id)
        if recipe:
            query = query.where(Recipe.name == recipe)
        return [{"id": r.id, "recipe": name, "status": r.status, "dry_run": r.dry_run,
                 "started_at": r.started_at.isoformat(),
                 "finished_at": r.finished_at.isoformat() if r.finished_at else None,
                 "error": r.error, **r.counts, "api": r.api}
                for r, name in s.execute(query.order_by(Run.id.desc()).limit(limit))]


def retry(ids: list[int] | None = None, *, all_failed: bool = False, recipe: str | None = None
          ) -> list[RunSummary]:
    """Re-send failed records now with each recipe's current version; returns one summary per recipe."""
    with db.session() as s:
        query = select(Execution.id, Recipe.name).join(Recipe, Recipe.id == Execution.recipe_id)
        if ids:
            query = query.where(Execution.id.in_(ids))
        elif all_failed:
            query = query.where(Execution.status == "failed")
        else:
            raise SetupError("nothing to re-send", hint="name record ids, or pass --all-failed")
        if recipe:
            query = query.where(Recipe.name == recipe)
        found = list(s.execute(query))
    if ids and len(found) != len(set(ids)):
        missing = sorted(set(ids) - {i for i, _n in found})
        raise SetupError(f"no record with id {', '.join(map(str, missing))}", hint="see: ordersync history --failed")
    by_recipe: dict[str, list[int]] = defaultdict(list)
    for execution_id, name in found:
        by_recipe[name].append(execution_id)
    return [run_recipe(name, retry_ids=exec_ids, poll=False, dry_run=False)
            for name, exec_ids in sorted(by_recipe.items())]


def skip(ids: list[int], reason: str) -> int:
    """Take failed records out of the queue without sending them; the reason is kept."""
    with db.session() as s:
        result = s.execute(update(Execution).where(Execution.id.in_(ids), Execution.status == "failed")
                           .values(status="skipped", error=f"skipped: {reason}", updated_at=utcnow()))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
