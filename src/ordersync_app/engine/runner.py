"""One run of a recipe: poll the trigger from its cursor, then filter → look up → map → deliver.

Durability rules (see also :mod:`.ledger`):

* Records are read with a *closed* start (``>=`` the stored cursor) and de-duplicated on
  ``(key, version)`` against stored executions, so boundary records are neither skipped nor
  processed twice.
* A page's outcomes (one execution row per record) and the new cursor are committed in one
  transaction, so the cursor never runs ahead of stored outcomes.
* Writes go through the delivery ledger, in batches up to the vendor's maximum.
* A record the vendor rejects goes to the failed queue; a transient failure schedules the
  record for a later attempt; neither blocks the other records. A spent vendor quota (a daily
  limit, :class:`LimitReached`) schedules it after the quota's window and marks the run *limited*.
  An auth failure stops the run and pauses the recipe ("reconnect").
* A sorted source must deliver non-decreasing cursor values; a violation stops the run with a
  :class:`ConnectorError` before the cursor passes anything. Unsorted sources move the cursor
  only at the checkpoints their reads declare (the end of a window read whole).
* A write whose answer was lost (timeout, dropped connection) is marked ``unknown`` in the ledger
  and never sent again blindly: once the lost request can no longer land (the client timeout plus
  a margin since it was sent), the target is read; a write found there is settled (and audited as
  *verified*), only a missing one is sent again.
* Events are emitted after the transaction that stored what they announce.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ordersync_app.connectors.sdk.cursor import CursorCodec
from ordersync_app.connectors.sdk.http import AnswerLost, ApiClient
from ordersync_app.connectors.sdk.read import record_from
from ordersync_app.connectors.sdk.spec import Action, Connector, TriggerContext, Write, WriteResult, WriteStatus
from ordersync_app.domain import logcontext
from ordersync_app.domain.errors import (
    BugError,
    ConnectorError,
    DeliveryError,
    LimitReached,
    OrderSyncError,
    RecordRejected,
    SetupError,
    Stopped,
    TransientError,
)
from ordersync_app.domain.records import Record, RunSummary
from ordersync_app.domain.redact import clip, mask
from ordersync_app.engine import aggregates, echo_guard, field_memory, ledger, modes
from ordersync_app.engine.diff import already_applied, changes
from ordersync_app.engine.events import EventHub, hub
from ordersync_app.engine.units import Unit, loop_scopes, outputs
from ordersync_app.recipes import catalog
from ordersync_app.recipes.model import ActionStep, AggregateStep, LookupStep
from ordersync_app.recipes.model import Recipe as RecipeModel
from ordersync_app.storage import bulk, leases
from ordersync_app.storage.tables import AuditEntry, Cursor, Execution, Run, SourceCursor, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

# Record-level re-attempts after in-run retries are spent: minutes to hours, then the failed queue.
# ORDERSYNC_RETRY_SCHEDULE="1,2,5" (seconds) shortens it for fault drills and tests.
RETRY_SCHEDULE: tuple[int, ...] = tuple(
    int(x) for x in os.environ.get("ORDERSYNC_RETRY_SCHEDULE", "").split(",") if x.strip().isdigit()
) or (60, 300, 900, 3600, 3 * 3600, 6 * 3600)

INBOX_CHUNK = 200  # webhook deliveries processed together
MAX_CHUNK = 500  # records per chunk at most: one transaction of outcomes, and what a crash makes re-read
BREAKER_RECORDS = 20  # the first records of a run that all fail alike stop it (the recipe is paused)
LONG_LIMIT_SECONDS = 600  # a wait the vendor asks for that long is a quota, not a failure
SessionFactory = Callable[[], AbstractContextManager[Session]]


@dataclass
class RunPlan:
    """Everything a run needs, resolved by the service layer."""

    recipe_id: int
    recipe_name: str
    version: int
    recipe: RecipeModel
    clients: dict[str, ApiClient]  # role → client
    connectors: dict[str, Connector]  # role → connector
    dry_run: bool = False
    initial_since: str | None = None  # cursor to use when none is stored yet
    # A scheduled run's period (its cron schedule's latest fire time, ISO 8601): the trigger is read in full
    # from ``initial_since`` (the stored cursor is not used) and each record change counts once per period.
    tick: str | None = None


@dataclass
class Item:
    """One record change travelling through the steps of a run."""

    record: Record
    execution_id: int | None = None
    attempts: int = 0
    status: str = "active"
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    retry_after: float | None = None
    limited: bool = False  # held back by a vendor quota (a daily limit), not by a failure
    wrote: bool = False
    attempted: bool = False  # a retry of this record was actually tried in this run
    previews: list[dict[str, Any]] = field(default_factory=list)
    echo_of: str | None = None  # the recipe whose own write this change is (skipped)

    def log_step(self, index: int, kind: str, status: str, **detail: Any) -> None:
        """Add a step summary (shown in Activity and ``history``)."""
        self.steps.append({"step": index, "kind": kind, "status": status, **detail})

    def fail(self, error: OrderSyncError | str) -> None:
        """The record goes to the failed queue with this message."""
        self.status = "failed"
        self.error = mask(error.render() if isinstance(error, OrderSyncError) else error)

    def postpone(self, error: TransientError, *, attempt: bool = True) -> None:
        """The record is re-attempted later; ``attempt=False`` when nothing was tried (waiting until an
        earlier attempt can be verified), so the wait does not use up the retry schedule. A record that
        already failed (another of its writes was rejected) stays failed: its re-send retries both."""
        if self.status == "failed":
            return
        self.status = "retrying"
        self.error = mask(error.render())
        self.retry_after = error.retry_after
        self.limited = isinstance(error, LimitReached)
        # A vendor's long limit (a daily allocation) says when to come back: waiting for it is not a failed
        # attempt, so records are never failed just for waiting out a quota.
        long_limit = error.retry_after is not None and error.retry_after >= LONG_LIMIT_SECONDS
        self.attempted = self.attempted or (attempt and not long_limit)


def _record_error(exc: Exception, where: str) -> OrderSyncError | str:
    """The failed-queue message for an exception raised while computing one record's values."""
    if isinstance(exc, OrderSyncError):
        return exc
    return f"{where}: a value could not be computed ({type(exc).__name__}: {clip(str(exc), 200)})"


class _Prefetch:
    """Reads trigger pages in a background thread, a few pages ahead, so reading the source
    overlaps delivering to the target. Errors from the source are re-raised in the reader."""

    _END = object()

    def __init__(self, pages: Callable[[], Iterator[list[Record]]], stop: threading.Event, depth: int = 8) -> None:
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=depth)
        self._stop = stop
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(pages,), name="trigger-prefetch", daemon=True)
        self._thread.start()

    def _run(self, pages: Callable[[], Iterator[list[Record]]]) -> None:
        try:
            for page in pages():
                if not self._put(page):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
            self._put(exc)
            return
        self._put(self._END)

    def _put(self, item: Any) -> bool:
        while not (self._closed.is_set() or self._stop.is_set()):
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[list[Record]]:
        while True:
            try:
                item = self._queue.get(timeout=0.1)
            except queue.Empty:
                if self._stop.is_set() or (not self._thread.is_alive() and self._queue.empty()):
                    return
                continue
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        """Stop reading ahead (the thread ends after its current call, which watches the stop event)."""
        self._closed.set()
        self._thread.join(timeout=5)


VERIFY_MARGIN_SECONDS = 5.0


def settle_seconds(client: ApiClient) -> float:
    """How long after sending a write whose answer was lost it may still land (the client's timeout
    plus a margin); only then can reading the target prove it absent."""
    return client.timeout + VERIFY_MARGIN_SECONDS


def in_period(record: Record, tick: str) -> Record:
    """``record`` as a change of the scheduled period ``tick``: its version carries the period (hashed when it
    would not fit the stored column), so the next period reads it again and this one never twice."""
    version = record.version if len(record.version) + len(tick) < 99 else \
        hashlib.sha256(record.version.encode("utf-8")).hexdigest()[:40]
    return replace(record, version=f"{version}@{tick}")


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), max(1, size)):
        yield items[start:start + max(1, size)]


class Runner:
    """Runs one recipe once. Create a new Runner per run."""

    def __init__(self, plan: RunPlan, session: SessionFactory, *, events: EventHub = hub,
                 stop: threading.Event | None = None, fence: Callable[[float], bool] | None = None) -> None:
        """``fence(seconds)``: whether this process surely holds the recipe that much longer (its lease);
        no call is sent otherwise, so a worker that wakes up after another took over writes nothing."""
        self.plan = plan
        self.session = session
        self.events = events
        self.stop = stop or threading.Event()
        self.summary = RunSummary(run_id=0, recipe=plan.recipe_name, dry_run=plan.dry_run)
        trigger = plan.connectors[plan.recipe.trigger.account].trigger(plan.recipe.trigger.event)
        self.codec = CursorCodec(trigger.cursor) if trigger else None  # built once: _order runs per record
        self._run_id = 0
        self._last_value: str | None = None  # the highest cursor value read so far (order check)
        self._checkpoint: str | None = None  # the cursor value safe to store after what was read
        self._inbox_floor = 0  # the newest webhook delivery when this run's poll began
        self._book = aggregates.Book(plan.recipe_id)  # aggregate contributions of the chunk being processed
        self._memory: dict[str, Any] = {}  # watched field values seen in the chunk (trigger.when_changed)
        self._source = plan.recipe.trigger.account  # the role being read now (trigger.also_from: several)
        self._breaker: list[str] | None = []  # the first outcomes' failure reasons, while they are all alike
        self._pending_events: list[tuple[str, dict[str, Any]]] = []
        for client in plan.clients.values():  # every wait of a call wakes up when the run must stop
            client.stop, client.fence = self.stop, fence

    # -- the run ------------------------------------------------------------------------------
    def run(self, *, retry_ids: list[int] | None = None, poll: bool = True) -> RunSummary:
        """Re-attempt due records (or ``retry_ids``), then poll for new ones; return the summary."""
        started = time.monotonic()
        with self.session() as s:
            run = Run(recipe_id=self.plan.recipe_id, recipe_version=self.plan.version, status="running",
                      dry_run=self.plan.dry_run, pid=os.getpid(), holder=leases.HOLDER, heartbeat_at=utcnow())
            s.add(run)
            s.flush()
            self._run_id = self.summary.run_id = run.id
        logcontext.note(recipe=self.plan.recipe_name, run_id=self._run_id)
        self.events.emit("run_did_start", run_id=self._run_id, recipe=self.plan.recipe_name)
        status, error = "succeeded", None
        try:
            if not self.plan.dry_run:
                self._process_retries(retry_ids)
                if poll and not self.stop.is_set() and self.plan.tick is None:
                    self._process_inbox()
            if poll and not self.stop.is_set():
                self._inbox_floor = self._last_delivery()
                self._poll()
        except Stopped:
            status = "stopped"
        except OrderSyncError as exc:
            status, error = "error", exc.render()
            raise
        except Exception as exc:
            status, error = "error", mask(f"internal error: {type(exc).__name__}: {exc}")
            raise BugError(error) from exc
        finally:
            if status == "succeeded" and (self.summary.failed or self.summary.retrying):
                status = "failed"
            if status == "succeeded" and self.stop.is_set():
                status = "stopped"
            self.summary.status = status
            self.summary.error = error
            if self.summary.catch_up_since and self.summary.seen:
                log.info("%s: %d records changed while paused (since %s)", self.plan.recipe_name,
                         self.summary.seen, self.summary.catch_up_since)
            self.summary.seconds = round(time.monotonic() - started, 3)
            self._finish(status, error)
        return self.summary

    def _counts(self) -> dict[str, int]:
        return {k: getattr(self.summary, k) for k in
                ("seen", "duplicates", "filtered", "succeeded", "unchanged", "failed", "retrying", "writes",
                 "echoes", "no_change")}

    def _api(self) -> dict[str, dict[str, Any]]:
        return {role: {"account": c.account.name, "calls": c.stats.calls, "throttled": c.stats.throttled,
                       "retries": c.stats.retries, "lost": c.stats.lost,
                       **({"usage": c.stats.usage} if c.stats.usage else {})}  # the vendor's quota report
                for role, c in self.plan.clients.items()}

    def _finish(self, status: str, error: str | None) -> None:
        with self.session() as s:
            run = s.get(Run, self._run_id)
            if run is None:  # pragma: no cover - the row was created above
                raise BugError(f"run {self._run_id} vanished")
            run.status, run.error, run.counts, run.api = status, error, self._counts(), self._api()
            run.finished_at = utcnow()
        self.events.emit("run_did_finish", run_id=self._run_id, summary=self.summary)

    # -- sources of items ---------------------------------------------------------------------
    def _process_retries(self, retry_ids: list[int] | None) -> None:
        with self.session() as s:
            query = select(Execution).where(Execution.recipe_id == self.plan.recipe_id)
            if retry_ids is not None:
                query = query.where(Execution.id.in_(retry_ids))
            else:
                query = query.where(Execution.status == "retrying", Execution.next_attempt_at <= utcnow())
            rows = list(s.scalars(query.order_by(Execution.id)))
            items = [Item(Record(r.record_key, r.record_version, r.record_version, r.payload, r.changed_at),
                          execution_id=r.id, attempts=r.attempts) for r in rows]
            for r in rows:
                ledger.forget_rejections(s, self.plan.recipe_id, r.record_key, r.record_version)
        for page in _chunks(items, 500):
            self._process(page, cursor=None)

    def _poll(self) -> None:
        """Read the trigger from each role it reads (``also_from``: more shops), each from its own cursor."""
        trigger_step = self.plan.recipe.trigger
        for role in [trigger_step.account, *trigger_step.also_from]:
            if self.stop.is_set() or self._halted():
                return
            self._source, self._last_value, self._checkpoint = role, None, None
            self._poll_source(role)
        self._source = trigger_step.account

    def _cursor_row(self, s: Session, role: str) -> Cursor | SourceCursor | None:
        if role == self.plan.recipe.trigger.account:
            return s.get(Cursor, self.plan.recipe_id)
        return s.get(SourceCursor, (self.plan.recipe_id, role))

    def _poll_source(self, role: str) -> None:
        trigger_step = self.plan.recipe.trigger
        connector = self.plan.connectors[role]
        trigger = connector.trigger(trigger_step.event)
        if trigger is None or self.codec is None:
            raise SetupError(f"connector {connector.key} has no trigger '{trigger_step.event}'")
        with self.session() as s:
            row = self._cursor_row(s, role)
            since = row.value if row and row.value and self.plan.tick is None else self.plan.initial_since
            polled_at = row.polled_at if row else None
        if polled_at is not None and self.plan.tick is None:
            away = (utcnow() - polled_at).total_seconds()
            if away > 2 * trigger_step.every_seconds + 60:
                # Paused, switched off or asleep since the last complete poll: everything since is worked through now.
                self.summary.catch_up_since = polled_at.strftime("%Y-%m-%dT%H:%M:%SZ")
                self.events.emit("run_did_catch_up", run_id=self._run_id, recipe=self.plan.recipe_name,
                                 since=self.summary.catch_up_since)
        self._checkpoint = since
        if since and trigger.cursor.lag_seconds:
            since = self.codec.shift(since, trigger.cursor.lag_seconds)
        context = TriggerContext(params=dict(trigger_step.params), since=since, page_size=trigger.page_size,
                                 stop=self.stop)
        client = self.plan.clients[role]
        target = self._chunk_size()
        chunk: list[Record] = []
        # The first records are the circuit breaker's sample: a small chunk first, full ones after it. A chunk cut
        # from a page leaves the cursor where it is (the rest of the page is not processed yet).
        size = min(target, BREAKER_RECORDS) if self._breaker is not None and not self.plan.dry_run else target
        pages = _Prefetch(lambda: trigger.read(client, context), self.stop)
        complete = False
        try:
            for page in pages:
                self._advance(page)
                chunk.extend(self._channel(r, role) for r in page)
                while size < target and len(chunk) > size and not self._halted():
                    self._process_chunk(chunk[:size], move_cursor=False)
                    chunk = chunk[size:]
                    size = target if self._breaker is None else size
                if len(chunk) >= size and not self._halted():
                    self._process_chunk(chunk)
                    chunk = []
                    size = self._thinned_size(target) if self._breaker is None else size
                if self.stop.is_set() or self._halted():
                    break
            else:
                if not self.stop.is_set():
                    self._process_chunk(chunk)
                    complete = True
        finally:
            pages.close()
        if complete and not self.plan.dry_run:
            with self.session() as s:
                row = self._cursor_row(s, role)
                if row is None and role != trigger_step.account:
                    s.add(SourceCursor(recipe_id=self.plan.recipe_id, role=role, value=None, polled_at=utcnow()))
                elif row is not None:
                    row.polled_at = utcnow()

    def _channel(self, record: Record, role: str) -> Record:
        """A record of a recipe reading several roles: its key names the role (two shops may both have order
        1001) and its payload says where it came from, as ``channel``."""
        if not self.plan.recipe.trigger.also_from:
            return record
        return replace(record, key=f"{role}:{record.key}", payload={**record.payload, "channel": role})

    def _last_delivery(self) -> int:
        """The newest inbox row now: a recipe's first poll covers every delivery up to it."""
        with self.session() as s:
            return s.scalar(select(func.max(WebhookDelivery.id))) or 0

    def _process_inbox(self) -> None:
        """Records the vendor pushed (webhook deliveries stored in the inbox) since this recipe last looked.

        They go through the same steps and de-duplication as polled records but never move the data cursor
        (older changes may still be unread); the inbox position is stored with their outcomes.
        """
        trigger_step = self.plan.recipe.trigger
        trigger = self.plan.connectors[trigger_step.account].trigger(trigger_step.event)
        hook = trigger.webhook if trigger is not None else None
        if trigger is None or hook is None:
            return
        client = self.plan.clients[trigger_step.account]
        after = -1
        while not self.stop.is_set():
            with self.session() as s:
                row = s.get(Cursor, self.plan.recipe_id)
                if row is None:  # never polled: the first poll decides where the recipe starts
                    return
                after = max(after, row.inbox_id)
                rows = list(s.execute(select(WebhookDelivery.id, WebhookDelivery.payload).where(
                    WebhookDelivery.account == client.account.name, WebhookDelivery.event.in_(hook.topics),
                    WebhookDelivery.id > after).order_by(WebhookDelivery.id).limit(INBOX_CHUNK)))
            if not rows:
                return
            items: list[dict[str, Any]] = []
            keys: list[str] = []
            for _id, payload in rows:
                if hook.items is not None:
                    items += hook.items(payload)
                elif hook.keys is not None:
                    keys += hook.keys(payload)
            if keys and hook.fetch is not None:
                items += hook.fetch(client, sorted(set(keys)))
            records = [self._channel(record_from(trigger, item), trigger_step.account) for item in items]
            fresh = self._dedupe([r for r in records if trigger.keep is None or trigger.keep(r.payload)])
            self._process(self._screen(fresh), cursor=None, inbox_id=rows[-1][0])
            after = rows[-1][0]  # a dry run stores no position: never read the same deliveries twice
            self.events.emit("run_did_progress", run_id=self._run_id, summary=self.summary)

    def _advance(self, page: list[Record]) -> None:
        """Check a page against the declared order and move the safe checkpoint past it.

        Ordered pages must not go back (a :class:`ConnectorError` stops the run before the cursor
        passes a record); unordered ones move the checkpoint only when the read declares one.
        """
        assert self.codec is not None
        ordered = getattr(page, "ordered", True)
        candidates = [getattr(page, "checkpoint", None)]
        if ordered:
            for record in page:
                value = self.codec.order(record.cursor_value)
                if self._last_value is not None and value < self.codec.order(self._last_value):
                    where = f"{self.plan.recipe.trigger.account}.{self.plan.recipe.trigger.event}"
                    raise ConnectorError(
                        f"{where}: the source returned record {record.key} ({record.cursor_value}) after "
                        f"{self._last_value}, though it is declared sorted by its cursor",
                        hint="nothing was skipped: the cursor stays before these records; report the connector")
                self._last_value = record.cursor_value
            candidates.append(self._last_value)
        for value in candidates:
            if value is not None and (self._checkpoint is None or
                                      self.codec.order(value) > self.codec.order(self._checkpoint)):
                self._checkpoint = value

    def _halted(self) -> bool:
        """``on_error: stop``: after a chunk with a failed record, read no further; the records not
        read stay behind the cursor and are processed by the next run. The circuit breaker too."""
        return (self.plan.recipe.options.on_error == "stop" and self.summary.failed > 0) or \
            self.summary.tripped is not None

    def _watch(self, it: Item) -> None:
        """The circuit breaker: when the first :data:`BREAKER_RECORDS` outcomes of a run are all the same
        rejection (a typo in a mapped value fails every record), the run reads no further and the service
        pauses the recipe — instead of failing thousands of records one by one. Any other outcome among the
        first ones disarms it for this run."""
        if self._breaker is None or self.plan.dry_run:
            return
        if it.status != "failed" or not it.error:
            self._breaker = None
            return
        self._breaker.append(re.sub(r"\d+", "#", it.error)[:300])
        if len(set(self._breaker)) > 1:
            self._breaker = None
        elif len(self._breaker) >= BREAKER_RECORDS:
            self.summary.tripped = it.error
            self._breaker = None

    def _chunk_size(self) -> int:
        """Records handled together: enough to fill the largest batch the recipe's actions allow."""
        sizes = [1]
        for step in self.plan.recipe.steps:
            if step.action is not None:
                action = self.plan.connectors[step.action.account].action(step.action.action)
                sizes.append(action.batch_max if action else 1)
        return min(max(sizes), MAX_CHUNK)

    def _thinned_size(self, target: int) -> int:
        """Records per chunk once a filter has thinned the run's records: enough that the writes still fill the
        action's batch, up to :data:`MAX_CHUNK` (a filter keeping 1 order in 20 sent HubSpot batches of 5, twenty
        times the calls a rate window allows for). Unchanged while at least half the records pass."""
        seen, passed = self.summary.seen, self.summary.seen - self.summary.filtered
        if target <= 1 or seen < target or 2 * passed >= seen:
            return target
        return min(MAX_CHUNK, max(target, target * seen // max(passed, 1)))

    def _process_chunk(self, records: list[Record], *, move_cursor: bool = True) -> None:
        if self.plan.tick is not None:  # a scheduled run: each change counts once per period, the cursor stays
            tick = self.plan.tick
            fresh = {(r.key, r.version): r for r in self._dedupe([in_period(r, tick) for r in records])}
            originals = {(r.key, in_period(r, tick).version): r for r in records}
            items = self._screen([originals[ident] for ident in fresh])
            for item in items:  # screened as the source's change (echoes), stored as this period's
                item.record = in_period(item.record, tick)
            self._process(items, cursor=None)
        else:
            fresh_records = self._dedupe(records)
            self._process(self._screen(fresh_records), cursor=self._checkpoint if move_cursor else None)
        self.events.emit("run_did_progress", run_id=self._run_id, summary=self.summary)

    def _dedupe(self, page: list[Record]) -> list[Record]:
        """Drop record changes already processed (the boundary re-read of a closed start)."""
        self.summary.seen += len(page)
        if not page:
            return []
        with self.session() as s:
            done = {(key, version) for key, version in s.execute(
                select(Execution.record_key, Execution.record_version).where(
                    Execution.recipe_id == self.plan.recipe_id,
                    Execution.record_key.in_({r.key for r in page}),
                    Execution.status.not_in(("previewed", "unpreviewed")),
                ))}
        fresh, seen_now = [], set()
        for record in page:
            ident = (record.key, record.version)
            if ident in done or ident in seen_now:
                self.summary.duplicates += 1
                continue
            seen_now.add(ident)
            fresh.append(record)
        self.summary.seen -= len(page) - len(fresh)
        return fresh

    def _screen(self, records: list[Record]) -> list[Item]:
        """Fresh record changes as items, minus those that are no event of this recipe's trigger.

        * An *echo*: the record's key and version are exactly what one of OrderSync's own writes left in
          this account (any recipe, role or account binding) — kept as filtered, "echo of recipe X".
        * With ``trigger.when_changed``: a record whose watched field did not change (to the wanted value)
          since it was last seen — not stored at all; the field's new value is remembered with the chunk.
        """
        trigger_step = self.plan.recipe.trigger
        account = self.plan.clients[self._source].account.name
        prefix = f"{self._source}:" if trigger_step.also_from else ""
        raw = {r.key: r.key.removeprefix(prefix) for r in records}  # the key the account itself knows
        with self.session() as s:
            echoes = echo_guard.load(s, account, list(raw.values()))
            memory = field_memory.load(s, self.plan.recipe_id, [r.key for r in records]) \
                if trigger_step.when_changed is not None else {}
        items: list[Item] = []
        for record in records:
            item = Item(record)
            writer = echoes.get((raw[record.key], record.version))
            if writer is not None:
                item.status, item.echo_of = "filtered", writer
                item.log_step(0, "trigger", f"echo of recipe {writer}", note="OrderSync's own write; not sent back")
                items.append(item)
                continue
            watched = trigger_step.when_changed
            if watched is not None:
                value = field_memory.value_of(watched.field, record.payload)
                before = memory.get(record.key, field_memory.UNSEEN)
                if not self.plan.dry_run:
                    self._memory[record.key] = value
                if not field_memory.fires(watched, before, value):
                    self.summary.no_change += 1
                    self.summary.seen -= 1
                    continue
            items.append(item)
        return items

    # -- steps --------------------------------------------------------------------------------
    def _process(self, items: list[Item], *, cursor: str | None, inbox_id: int | None = None) -> None:
        for it in items:  # a record the source could not read fails here, whatever the recipe's steps
            if it.status == "active" and it.record.problem:
                it.fail(f"the source could not read this record: {it.record.problem}")
                it.log_step(0, "trigger", "unreadable", error=it.error)
        for index, step in enumerate(self.plan.recipe.steps):
            active = [it for it in items if it.status == "active"]
            if not active:
                break
            if step.filter is not None:
                for it in active:
                    try:
                        keep = catalog.matches(step.filter, it.record.payload, it.lookups)
                    except Exception as exc:  # noqa: BLE001 - one record's bad value fails that record only
                        it.fail(_record_error(exc, f"filter of step {index + 1}"))
                        it.log_step(index, "filter", "failed", error=it.error)
                        continue
                    it.log_step(index, "filter", "passed" if keep else "filtered out")
                    if not keep:
                        it.status = "filtered"
            elif step.lookup is not None:
                self._lookup(index, step.id or f"step{index}", step.lookup, active)
            elif step.aggregate is not None:
                self._aggregate(index, step.id or f"step{index}", step.aggregate, active)
            elif step.action is not None:
                self._action(index, step.id, step.action, active)
        self._store(items, cursor, inbox_id=inbox_id)

    def _lookup(self, index: int, step_id: str, step: LookupStep, items: list[Item]) -> None:
        connector = self.plan.connectors[step.account]
        lookup = connector.lookup(step.lookup)
        if lookup is None:
            raise SetupError(f"connector {connector.key} has no lookup '{step.lookup}'")
        client = self.plan.clients[step.account]
        for it in items:
            try:
                params = {k: catalog.evaluate(m, it.record.payload, it.lookups, field=k)
                          for k, m in step.params.items()}
            except Exception as exc:  # noqa: BLE001 - one record's bad value fails that record only
                it.fail(_record_error(exc, f"lookup {step_id}"))
                it.log_step(index, "lookup", "mapping failed", error=it.error)
                continue
            try:
                found = lookup.find(client, params)
            except TransientError as exc:
                it.postpone(exc)
                continue
            except RecordRejected as exc:
                it.fail(exc)
                continue
            if found is None:
                wanted = ", ".join(f"{k}={v}" for k, v in params.items())
                if step.if_missing == "continue":
                    it.lookups[step_id] = {}
                    it.log_step(index, "lookup", "not found, continuing", params=wanted)
                elif step.if_missing == "skip":
                    it.status = "filtered"
                    it.log_step(index, "lookup", "not found, skipped", params=wanted)
                else:
                    it.fail(f"{lookup.label_en}: nothing found for {wanted}")
                    it.log_step(index, "lookup", "not found", params=wanted)
                continue
            it.lookups[step_id] = found
            it.log_step(index, "lookup", "found", id=found.get("id"))

    def _aggregate(self, index: int, step_id: str, step: AggregateStep, items: list[Item]) -> None:
        """Per-group figures for each record (its own contribution kept with the chunk's outcomes)."""
        with self.session() as s:
            for it in items:
                try:
                    part = aggregates.part_of(step, it.record.key, it.record.payload, it.lookups)
                except RecordRejected as exc:
                    it.fail(exc)
                    it.log_step(index, "aggregate", "failed", error=it.error)
                    continue
                if part is None:
                    it.lookups[step_id] = {}
                    it.log_step(index, "aggregate", "no group", note=f"{step.group_by} is empty")
                    continue
                figures = self._book.figures(s, step_id, part, include_current=step.include_current)
                self._book.add(step_id, part)
                it.lookups[step_id] = figures
                it.log_step(index, "aggregate", "computed", group=part.group[0], sum=figures["sum"],
                            count=figures["count"])

    def _action(self, index: int, step_id: str | None, step: ActionStep, items: list[Item]) -> None:
        connector = self.plan.connectors[step.account]
        action = connector.action(step.action)
        if action is None:
            raise SetupError(f"connector {connector.key} has no action '{step.action}'")
        client = self.plan.clients[step.account]
        units: list[Unit] = []
        for it in items:
            try:
                units += self._units(index, step, action, it)
            except Exception as exc:  # noqa: BLE001 - one record's bad value fails that record only
                it.fail(_record_error(exc, f"action {step.action}"))
                it.log_step(index, "action", "mapping failed", error=it.error)
        if step.for_each is not None:
            for it in items:
                if it.status == "active" and not any(u.item is it for u in units):
                    it.log_step(index, "action", "no items", note=f"{step.for_each} is empty")
        if units and modes.needs_current(step):
            units = self._apply_modes(index, step, action, client, units)
        for unit in units:
            unit.digest = ledger.write_hash(action.key, unit.write.match, unit.write.properties, unit.write.params)
        if units:
            if self.plan.dry_run:
                self._preview(index, action, client, units)
            else:
                to_send, to_verify = self._claim(index, action, client, units)
                if to_verify:
                    to_send += self._verify(index, action, client, to_verify)
                    order = {id(u): n for n, u in enumerate(units)}  # re-sent older writes go before newer ones
                    to_send.sort(key=lambda u: order[id(u)])
                for chunk in _chunks(to_send, action.batch_max):
                    self._send(index, action, client, chunk)
        if step_id is not None:
            for it in items:
                if it.status == "active":
                    it.lookups[step_id] = outputs(step, [u for u in units if u.item is it], self.plan.dry_run)

    def _units(self, index: int, step: ActionStep, action: Action, it: Item) -> list[Unit]:
        """The writes of one record at one action step: one, or one per item of ``for_each``."""
        scopes: list[tuple[str | None, dict[str, Any]]] = [(None, it.record.payload)]
        if step.for_each is not None:
            scopes = loop_scopes(step, it.record.payload, it.lookups)
        units = []
        for sub, scope in scopes:
            match = catalog.evaluate(step.match, scope, it.lookups) if step.match else None
            props = {name: catalog.evaluate(m, scope, it.lookups, field=name)
                     for name, m in step.fields.items() if m.mode != "never"}
            ref = f"{self.plan.recipe_id}:{it.record.key}:{it.record.version}:{index}" + (f"#{sub}" if sub else "")
            named = step.params.get(action.marker_param) if action.marker_param else None
            marker = str(named) if named else action.marker
            if marker:  # a create carries its ledger reference, so a lost answer can be checked
                props = {**props, marker: ref}
                match = ref if match is None else match
            write = Write(ref=ref, match=None if match is None else str(match), properties=props,
                          params=dict(step.params))
            key = ledger.LedgerKey(it.record.key + (f"#{sub}" if sub else ""), it.record.version)
            units.append(Unit(it, write, key, sub=sub))
        return units

    def _apply_modes(self, index: int, step: ActionStep, action: Action, client: ApiClient,
                     units: list[Unit]) -> list[Unit]:
        """Field write modes need the target's current values: ``only_if_empty`` fields are left out where
        the target has a value, ``create_only`` fields where the target exists. A write left with nothing
        to set is not sent (the owner's values stay)."""
        kept: list[Unit] = []
        for chunk in _chunks(units, action.batch_max):
            try:
                current = action.read_current(client, [u.write for u in chunk])
            except TransientError as exc:
                for u in chunk:
                    u.item.postpone(exc)
                continue
            except RecordRejected as exc:
                for u in chunk:
                    u.item.fail(exc)
                continue
            for unit, now in zip(chunk, current, strict=True):
                props = modes.apply(step, unit.write.properties, now, marker=action.marker)
                unit.existed = now is not None
                if props is None:
                    unit.item.log_step(index, "action", "nothing to write", note="the target's own values are kept")
                    unit.kept = True
                    continue
                unit.write = Write(ref=unit.write.ref, match=unit.write.match, properties=props,
                                   params=unit.write.params)
                kept.append(unit)
        return kept

    def _claim(self, index: int, action: Action, client: ApiClient, units: list[Unit]
               ) -> tuple[list[Unit], list[Unit]]:
        """Split writes into new ones (marked inflight now) and earlier ones whose fate is unknown.

        A write left ``inflight`` by a process that died, or ``unknown`` after a lost answer, may still be
        on its way: it is verified only once ``settle_seconds`` have passed since it was sent, and the
        record waits until then (no read can prove a write absent while the request may still land). A new
        write to an object that another record's unsettled write names waits for that one to be settled,
        so writes of several records to one object (a buyer's monthly total) land in their order.
        """
        to_send: list[Unit] = []
        to_verify: list[Unit] = []
        settle = settle_seconds(client)
        now = utcnow()
        with self.session() as s:
            rows = ledger.load_rows(s, self.plan.recipe_id, index, [u.key for u in units])
            last = ledger.last_done_hashes(s, self.plan.recipe_id, index, [u.key.key for u in units])
            targets = [u.write.match for u in units if u.write.match]
            unsettled = ledger.unsettled_targets(s, self.plan.recipe_id, index, targets)
            waiting = ledger.waiting_targets(s, self.plan.recipe_id, index, targets)
            claim: list[tuple[ledger.LedgerKey, str, str | None, dict[str, Any]]] = []
            held: list[tuple[ledger.LedgerKey, str, str | None]] = []
            held_now: set[str] = set()  # objects one of this call's writes waits for: later writes wait too
            sending: set[ledger.LedgerKey] = set()
            # Oldest first: a write that waited (its ledger row is older) goes before a newer record's write.
            for unit in sorted(units, key=lambda u: rows[u.key].id if u.key in rows else float("inf")):
                it, row = unit.item, rows.get(unit.key)
                own = row.id if row is not None else float("inf")
                target = unit.write.match or ""
                if it.status != "active":  # postponed or failed by another of its writes
                    continue
                if row is not None and row.status == ledger.DONE:
                    it.wrote = True
                    unit.target = row.target_id or unit.write.match
                    it.log_step(index, "action", "already delivered", target=row.target_id, item=unit.sub)
                elif row is not None and row.status in (ledger.INFLIGHT, ledger.UNKNOWN):
                    wait = settle - (now - row.updated_at).total_seconds()
                    if wait > 0:
                        it.postpone(TransientError(f"{action.label_en}: an earlier attempt may still land; "
                                                   "checking the target first", retry_after=wait), attempt=False)
                        it.log_step(index, "action", "waiting to verify an earlier attempt", seconds=round(wait, 1))
                    else:
                        to_verify.append(unit)
                elif row is None and last.get(unit.key.key) == unit.digest:
                    unit.target = unit.write.match
                    it.log_step(index, "action", "unchanged", note="the target already has these values",
                                item=unit.sub)
                elif target and (unsettled.get(target, set()) - {unit.key} or target in held_now or any(
                        other_id < own and key != unit.key and key not in sending
                        for other_id, key in waiting.get(target, ()))):
                    it.postpone(TransientError(f"{action.label_en}: an earlier write to {unit.write.match} is not "
                                               "settled yet; this one follows it", retry_after=settle), attempt=False)
                    it.log_step(index, "action", "waiting for an earlier write to the same object")
                    held.append((unit.key, unit.digest, unit.write.match))
                    held_now.add(target)
                else:
                    claim.append((unit.key, unit.digest, unit.write.match, unit.write.properties))
                    to_send.append(unit)
                    sending.add(unit.key)  # sent in this call, in this order: the writes after it may follow
            ledger.mark_inflight(s, self.plan.recipe_id, index, claim, rows)
            ledger.mark_waiting(s, self.plan.recipe_id, index, held, rows)
        return to_send, to_verify

    def _verify(self, index: int, action: Action, client: ApiClient, units: list[Unit]) -> list[Unit]:
        """Earlier attempts whose answer never came: writes already in the target are settled (and
        audited as verified); the others are returned to be sent (their ledger rows go inflight again).

        Writes of several records to one object are judged together, oldest first: the newest one found
        in the target settles every older one too (superseded — sending an older one again would put old
        values over new ones), and a write is also superseded once a newer record's write to that object
        has landed. The target is compared with the values as they were sent (the ledger keeps them): a
        recomputed write may differ — a monthly total that other orders have added to meanwhile — and
        would make a landed write look absent."""
        with self.session() as s:
            sent_rows = ledger.load(s, self.plan.recipe_id, index, [u.key for u in units])
            sent = {id(u): sent_rows[u.key].sent or u.write.properties for u in units if u.key in sent_rows}
        current: dict[int, dict[str, Any] | None] = {}
        for chunk in _chunks(units, action.batch_max):
            try:  # the values as sent: a create-only field is in the first write, not in a recomputed one
                found = action.read_current(client, [replace(u.write, properties=sent.get(id(u), u.write.properties))
                                                      for u in chunk])
            except TransientError as exc:
                for u in chunk:
                    u.item.postpone(exc)
                continue
            except RecordRejected:
                found = [None] * len(chunk)
            for unit, now in zip(chunk, found, strict=True):
                current[id(unit)] = now
        checked = [u for u in units if id(u) in current]
        resend: list[Unit] = []
        with self.session() as s:
            rows = ledger.load(s, self.plan.recipe_id, index, [u.key for u in checked])
            groups: dict[str, list[Unit]] = {}
            for unit in checked:
                groups.setdefault(unit.write.match or unit.write.ref, []).append(unit)
            for group in groups.values():
                group.sort(key=lambda u: rows[u.key].id)
                newest = max((n for n, u in enumerate(group)
                              if already_applied(current[id(u)], rows[u.key].sent or u.write.properties)),
                             default=-1)
                for n, unit in enumerate(group):
                    row = rows[unit.key]
                    values = row.sent or unit.write.properties
                    later = unit.write.match is not None and \
                        ledger.settled_after(s, self.plan.recipe_id, index, unit.write.match, row.id)
                    if n == newest:
                        ledger.settle(s, row, ledger.DONE, target_id=unit.write.match,
                                      response="verified in the target after a lost answer")
                        unit.item.wrote, unit.target = True, unit.write.match
                        self.summary.writes += 1
                        unit.item.log_step(index, "action", "delivered earlier (verified)", values=values,
                                           item=unit.sub)
                        s.add(self._audit_entry(index, action, unit.item, row.target_id, None, values,
                                                how="verified"))
                    elif n < newest or later:
                        ledger.settle(s, row, ledger.DONE, target_id=unit.write.match,
                                      response="superseded: a newer write to the same object has landed")
                        unit.item.wrote, unit.target = True, unit.write.match
                        unit.item.log_step(index, "action", "superseded by a newer write to the same object",
                                           item=unit.sub)
                    else:
                        ledger.resend(row, unit.digest, unit.write.properties)
                        resend.append(unit)
        return resend

    def _send(self, index: int, action: Action, client: ApiClient, chunk: list[Unit]) -> None:
        writes = [u.write for u in chunk]
        try:
            results = action.deliver(client, writes)
        except AnswerLost as exc:  # the writes may have landed: verify later, never re-send blindly
            results = [WriteResult(w.ref, WriteStatus.UNKNOWN, message=exc.render()) for w in writes]
        except RecordRejected as exc:
            if len(chunk) > 1:  # one bad record spoils the batch: isolate it
                for unit in chunk:
                    self._send(index, action, client, [unit])
                return
            results = [WriteResult(writes[0].ref, WriteStatus.REJECTED, message=exc.vendor_message or exc.what)]
        except (TransientError, SetupError) as exc:  # refused before it was applied: not written
            with self.session() as s:
                rows = ledger.load_rows(s, self.plan.recipe_id, index, [u.key for u in chunk])
                ledger.settle_many(s, [(row.id, ledger.RETRY, None, mask(exc.render())) for row in rows.values()])
            if not isinstance(exc, TransientError):
                raise  # the account or its setup is wrong: the run stops (an auth failure pauses the recipe)
            for unit in chunk:
                unit.item.postpone(exc)
                unit.item.log_step(index, "action", "will retry", error=unit.item.error)
            return
        by_ref = {r.ref: r for r in results}
        target_account = client.account.name
        with self.session() as s:  # set-based: one update of the ledger rows, one insert of audit entries
            rows = ledger.load_rows(s, self.plan.recipe_id, index, [u.key for u in chunk])
            settled: list[tuple[int, str, str | None, str | None]] = []
            audits: list[dict[str, Any]] = []
            echoes: list[tuple[str, str]] = []
            request = f"{action.key} ({len(chunk)} in batch)"
            for unit in chunk:
                it, write = unit.item, unit.write
                result = by_ref.get(write.ref)
                row_id = rows[unit.key].id
                status = WriteStatus(result.status) if result is not None else WriteStatus.UNKNOWN
                if status is WriteStatus.OK:
                    assert result is not None
                    settled.append((row_id, ledger.DONE, result.target_id, "ok"))
                    it.wrote = True
                    unit.target, unit.created = result.target_id or write.match, bool(result.created)
                    self.summary.writes += 1
                    it.log_step(index, "action", "delivered", request=request, target=result.target_id,
                                values=write.properties, item=unit.sub)
                    audits.append(self._audit_values(index, action, it, result.target_id, result.before,
                                                     write.properties))
                    if result.stamp and result.target_id:  # what the target will show: our echo, not a change
                        echoes.append((result.target_id, result.stamp))
                elif status is WriteStatus.REJECTED:
                    assert result is not None
                    message = mask(result.message or "rejected")
                    settled.append((row_id, ledger.REJECTED, None, message))
                    it.fail(f"{action.label_en} rejected: {message}")
                    it.log_step(index, "action", "rejected", request=request, error=message, item=unit.sub)
                elif status is WriteStatus.TRANSIENT:  # the vendor said this one was not applied
                    assert result is not None
                    settled.append((row_id, ledger.RETRY, None, mask(result.message or "try again")))
                    it.postpone(TransientError(f"{action.label_en}: {result.message or 'try again later'}"))
                    it.log_step(index, "action", "will retry", request=request, error=it.error)
                else:  # no answer for this write: it may have landed
                    message = (result.message if result else None) or "no answer for this record"
                    settled.append((row_id, ledger.UNKNOWN, None, mask(message)))
                    it.postpone(TransientError(f"{action.label_en}: {message}; the target is checked before "
                                               "anything is sent again", retry_after=settle_seconds(client)))
                    it.log_step(index, "action", "answer lost: will verify", request=request, error=it.error)
            ledger.settle_many(s, settled)
            if audits:
                bulk.insert_rows(s, AuditEntry, audits)
            if echoes:
                echo_guard.remember_many(s, target_account, echoes, self.plan.recipe_name)

    def _preview(self, index: int, action: Action, client: ApiClient, units: list[Unit]) -> None:
        """Dry run: read the target and record what each write would change."""
        for chunk in _chunks(units, action.batch_max):
            try:
                current = action.read_current(client, [u.write for u in chunk])
            except DeliveryError as exc:
                # Without the current values there is no preview: say so, never "would write" over unknowns.
                log.info("dry run could not read current values: %s", exc.render())
                for unit in chunk:
                    it = unit.item
                    it.status = "unpreviewed"
                    it.error = mask(f"not previewed: {action.label_en} could not read the current values "
                                    f"({exc.render()})")
                    it.log_step(index, "action", "not previewed", error=it.error)
                continue
            with self.session() as s:
                for unit, now in zip(chunk, current, strict=True):
                    it, write = unit.item, unit.write
                    wanted = changes(now, write.properties)
                    unit.existed = now is not None
                    preview = {"record": it.record.key, "action": action.key, "match": write.match,
                               "exists": now is not None, "changes": wanted}
                    if unit.sub is not None:
                        preview["item"] = unit.sub
                    it.previews.append(preview)
                    it.log_step(index, "action", "would write" if wanted else "would change nothing",
                                preview=preview)
                    s.add(self._audit_entry(index, action, it, write.match, now, write.properties, dry_run=True))

    def _audit_entry(self, index: int, action: Action, it: Item, target: str | None, before: dict[str, Any] | None,
                     after: dict[str, Any], *, dry_run: bool = False, how: str = "sent") -> AuditEntry:
        return AuditEntry(**self._audit_values(index, action, it, target, before, after, dry_run=dry_run, how=how))

    def _audit_values(self, index: int, action: Action, it: Item, target: str | None,
                      before: dict[str, Any] | None, after: dict[str, Any], *, dry_run: bool = False,
                      how: str = "sent") -> dict[str, Any]:
        step = self.plan.recipe.steps[index].action
        account = self.plan.clients[step.account].account.name if step else "?"
        return {"at": utcnow(), "recipe_id": self.plan.recipe_id, "run_id": self._run_id, "account": account,
                "action": action.key, "record_key": it.record.key, "target_id": target, "before": before,
                "after": after, "dry_run": dry_run, "how": how}

    # -- outcomes -----------------------------------------------------------------------------
    def _store(self, items: list[Item], cursor: str | None, *, inbox_id: int | None = None) -> None:
        """Store every item's outcome and then the cursor, in one transaction."""
        now = utcnow()
        finished: list[tuple[str, str]] = []
        with self.session() as s:
            # Set-based: the ids of the rows that exist, then one multi-row insert and one executemany update.
            existing: dict[tuple[str, str], int] = {}
            keys = sorted({it.record.key for it in items if it.execution_id is None})
            for start in range(0, len(keys), 400):
                for row_id, key, version in s.execute(select(
                        Execution.id, Execution.record_key, Execution.record_version).where(
                        Execution.recipe_id == self.plan.recipe_id, Execution.record_key.in_(keys[start:start + 400]))):
                    existing[(key, version)] = row_id
            retried = sorted({it.execution_id for it in items if it.execution_id is not None})
            by_id = set(s.scalars(select(Execution.id).where(Execution.id.in_(retried)))) if retried else set()
            inserts: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            for it in items:
                status = self._final_status(it)
                self._watch(it)
                if self.plan.dry_run:  # a pilot's outcomes never count as processed: the live run sees them anew
                    status = "unpreviewed" if status in ("unpreviewed", "failed", "retrying") else "previewed"
                tried = status == "failed" or (status == "retrying" and it.attempted)
                attempts = it.attempts + (1 if tried else 0)
                next_at: datetime | None = None
                if status == "retrying":
                    if tried and attempts > len(RETRY_SCHEDULE):
                        status = "failed"
                        it.error = f"gave up after {attempts} attempts: {it.error}"
                        self.summary.retrying -= 1
                        self.summary.failed += 1
                    else:
                        delay = max(RETRY_SCHEDULE[max(attempts, 1) - 1] if tried else 0, it.retry_after or 0)
                        next_at = now + timedelta(seconds=delay)
                found_id: int | None = (it.execution_id if it.execution_id in by_id else None) \
                    if it.execution_id else existing.get((it.record.key, it.record.version))
                outcome = {"run_id": self._run_id, "status": status, "steps": it.steps, "error": it.error,
                           "attempts": attempts, "next_attempt_at": next_at, "updated_at": now}
                if found_id is None:
                    inserts.append({"recipe_id": self.plan.recipe_id, "record_key": it.record.key,
                                    "record_version": it.record.version, "payload": it.record.payload,
                                    "changed_at": it.record.changed_at, "created_at": now, **outcome})
                else:
                    updates.append({"id": found_id, **outcome})
                finished.append((it.record.key, status))
            if inserts:
                bulk.insert_rows(s, Execution, inserts)
            if updates:
                bulk.update_rows(s, Execution, updates)
            if cursor is not None and not self.plan.dry_run and self._source != self.plan.recipe.trigger.account:
                row_s = s.get(SourceCursor, (self.plan.recipe_id, self._source))
                if row_s is None:
                    s.add(SourceCursor(recipe_id=self.plan.recipe_id, role=self._source, value=cursor))
                elif row_s.value is None or self._order(cursor) > self._order(row_s.value):
                    row_s.value = cursor
            elif cursor is not None and not self.plan.dry_run:
                row_c = s.get(Cursor, self.plan.recipe_id)
                if row_c is None:  # deliveries stored before this run are covered by its poll
                    s.add(Cursor(recipe_id=self.plan.recipe_id, value=cursor, inbox_id=self._inbox_floor))
                elif row_c.value is None or self._order(cursor) > self._order(row_c.value):
                    row_c.value = cursor
            if inbox_id is not None and not self.plan.dry_run:
                row_c = s.get(Cursor, self.plan.recipe_id)
                if row_c is not None and inbox_id > row_c.inbox_id:
                    row_c.inbox_id = inbox_id
            if not self.plan.dry_run:  # aggregate contributions and watched values go with the outcomes
                self._book.store(s)
                field_memory.store(s, self.plan.recipe_id, self._memory)
            self._book.pending.clear()
            self._memory.clear()
            run = s.get(Run, self._run_id)
            if run is not None:  # kept as the run goes, so a killed run still shows its calls and 429s
                run.counts, run.api = self._counts(), self._api()
        for key, status in finished:  # after the commit: listeners never see what may still roll back
            self.events.emit("record_did_finish", run_id=self._run_id, key=key, status=status)

    def _order(self, value: str) -> Any:
        """Sort key of a cursor value: datetimes compare as instants, whatever their text form."""
        return self.codec.order(value) if self.codec is not None else value

    def _final_status(self, it: Item) -> str:
        if it.status == "active":
            if self.plan.dry_run:
                it.status = "previewed"
                self.summary.previews.extend(it.previews)
            else:
                it.status = "succeeded" if it.wrote else "unchanged"
        if it.status == "retrying" and it.limited and self.summary.limited is None:
            self.summary.limited = it.error  # the first record a quota held back says why, for the alert
        if it.echo_of is not None:
            self.summary.echoes += 1
            return it.status
        counter = {"succeeded": "succeeded", "unchanged": "unchanged", "filtered": "filtered",
                   "failed": "failed", "retrying": "retrying", "previewed": "succeeded",
                   "unpreviewed": "failed"}[it.status]
        setattr(self.summary, counter, getattr(self.summary, counter) + 1)
        return it.status
