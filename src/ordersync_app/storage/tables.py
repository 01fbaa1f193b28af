"""The database tables (SQLAlchemy 2 typed mappings).

No table holds a secret: account rows keep non-secret settings only; secrets live in the keychain.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the storage layer uses."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:  # what utcnow() gives: no conversion (this runs for every row a run writes)
            return value.replace(tzinfo=None)
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    """A connection to one app; ``settings`` holds non-secret values only."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # the ASCII key recipes and the CLI use
    display_name: Mapped[str | None] = mapped_column(String(200), default=None)  # any language ("我的店铺")
    connector: Mapped[str] = mapped_column(String(50))
    base_url: Mapped[str] = mapped_column(String(500))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="ok")  # untested | ok | attention | reconnect
    status_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Recipe(Base):
    """An imported recipe; its content lives in :class:`RecipeVersion` rows."""

    __tablename__ = "recipes"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    enabled: Mapped[bool] = mapped_column(default=False)
    dry_run: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    paused_reason: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecipeVersion(Base):
    """One saved version of a recipe: the canonical document plus its role → account bindings."""

    __tablename__ = "recipe_versions"
    __table_args__ = (UniqueConstraint("recipe_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column()
    bindings: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Run(Base):
    """One run of a recipe."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_recipe_started", "recipe_id", "started_at"),)  # stats windows (0008)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), index=True)
    recipe_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="running")
    dry_run: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    pid: Mapped[int | None] = mapped_column(Integer, default=None)
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    api: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per account: calls, throttled
    holder: Mapped[str | None] = mapped_column(String(64), default=None)  # the process holding the recipe's lease
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)  # last lease renewal during the run
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Execution(Base):
    """What happened to one record change ``(key, version)`` of a recipe: the de-duplication set
    and, with status ``failed``, the failed-records queue."""

    __tablename__ = "executions"
    __table_args__ = (
        UniqueConstraint("recipe_id", "record_key", "record_version"),
        Index("ix_executions_status", "recipe_id", "status"),
        # Activity pages newest first, filtered by outcome and/or recipe, in the query (0003)
        Index("ix_executions_updated", "updated_at", "id"),
        Index("ix_executions_status_updated", "status", "updated_at"),
        Index("ix_executions_recipe_status_updated", "recipe_id", "status", "updated_at"),
        Index("ix_executions_recipe_updated", "recipe_id", "updated_at", "id"),  # one recipe's history (0008)
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    record_key: Mapped[str] = mapped_column(String(200))
    record_version: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime | None] = mapped_column(default=None)
    payload: Mapped[dict[str, Any]] = mapped_column()
    # pending | filtered | succeeded | unchanged | failed | retrying | skipped | previewed
    status: Mapped[str] = mapped_column(String(20))
    steps: Mapped[list[Any]] = mapped_column(default=list)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """The delivery ledger: one row per intended external write, keyed by
    (recipe, record key, record version, step). ``inflight`` means the write may have reached
    the target; after a crash the engine reads the target before writing again."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("recipe_id", "record_key", "record_version", "step"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(200))
    record_version: Mapped[str] = mapped_column(String(100))
    step: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # a DeliveryStatus: inflight | done | rejected | retry | unknown
    write_hash: Mapped[str] = mapped_column(String(64))
    target_id: Mapped[str | None] = mapped_column(String(200), default=None)
    # What the write names its target by (the match: an email, an order id): writes of several records to
    # one object are settled in their order (see engine.ledger.unsettled_before / superseded).
    target_key: Mapped[str | None] = mapped_column(String(300), default=None)
    # The values the write set, as sent: a lost answer is checked against what was sent, not against a
    # recomputation (a running total changes as other orders of the month arrive meanwhile).
    sent: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    response: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


Index("ix_deliveries_last", Delivery.recipe_id, Delivery.record_key, Delivery.step, Delivery.status)
Index("ix_deliveries_target", Delivery.recipe_id, Delivery.step, Delivery.target_key)
Index("ix_deliveries_status_updated", Delivery.status, Delivery.updated_at)  # pruning settled rows by age (0008)


class Cursor(Base):
    """Where a recipe's trigger resumes polling.

    ``fingerprint`` names the trigger the value belongs to (account, connector, event, params): a
    recipe version with another trigger starts again from its ``start``. ``polled_at`` is when the
    trigger was last read to its end (the catch-up notice compares with it, not with the data).
    """

    __tablename__ = "cursors"
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(100), default=None)
    fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    polled_at: Mapped[datetime | None] = mapped_column(default=None)
    inbox_id: Mapped[int] = mapped_column(Integer, default=0)  # webhook deliveries processed up to this one
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecipeLease(Base):
    """Who is running a recipe now: one row per running recipe, held by a live process.

    The holder renews ``expires_at`` while it runs; a process that dies stops renewing, so its lease
    expires and another process (on any machine sharing the database) may take the recipe.
    """

    __tablename__ = "recipe_leases"
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    pid: Mapped[int] = mapped_column(Integer)
    host: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class AccountState(Base):
    """Non-secret facts a connector keeps per account (a discovered gateway URL, a token's expiry,
    a Salesforce ``instance_url``); secrets stay in the keychain."""

    __tablename__ = "account_state"
    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AuditEntry(Base):
    """Every write made to an external system (or, in dry run, that would have been made)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_recipe_at", "recipe_id", "at"),)  # a recipe's writes by time (0008)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recipe_id: Mapped[int | None] = mapped_column(ForeignKey("recipes.id", ondelete="SET NULL"), index=True)
    run_id: Mapped[int | None] = mapped_column(Integer, default=None)
    account: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(100))
    record_key: Mapped[str] = mapped_column(String(200))
    target_id: Mapped[str | None] = mapped_column(String(200), default=None)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any]] = mapped_column()
    dry_run: Mapped[bool] = mapped_column(default=False)
    # How OrderSync knows the write happened: "sent" (the vendor confirmed it) or "verified" (its answer
    # was lost, or the process died, and the target was read back holding the written values).
    how: Mapped[str] = mapped_column(String(20), default="sent")


class RateBudget(Base):
    """One rate window of an account, shared by every process (see :mod:`.budgets`); its row is what
    reservations lock, and it carries the pause a 429 imposes on everyone."""

    __tablename__ = "rate_budgets"
    account: Mapped[str] = mapped_column(String(100), primary_key=True)
    family: Mapped[str] = mapped_column(String(50), primary_key=True)
    per_seconds: Mapped[float] = mapped_column(Float, primary_key=True)
    touched: Mapped[float] = mapped_column(Float, default=0.0)  # epoch seconds
    paused_until: Mapped[float] = mapped_column(Float, default=0.0)  # epoch seconds


class RateReservation(Base):
    """Calls a process reserved from a rate window at a moment (epoch seconds); the window's log."""

    __tablename__ = "rate_reservations"
    __table_args__ = (Index("ix_rate_reservations_window", "account", "family", "per_seconds", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    family: Mapped[str] = mapped_column(String(50))
    per_seconds: Mapped[float] = mapped_column(Float)
    at: Mapped[float] = mapped_column(Float)
    calls: Mapped[int] = mapped_column(Integer)


class WebhookDelivery(Base):
    """A verified webhook delivery, stored before it was acknowledged (the durable inbox). Recipes read the
    deliveries of their trigger's account and topics past their ``Cursor.inbox_id``."""

    __tablename__ = "webhook_inbox"
    __table_args__ = (UniqueConstraint("account", "delivery_id"),
                      Index("ix_webhook_inbox_account_event", "account", "event", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    event: Mapped[str] = mapped_column(String(100))  # the vendor's topic (orders/fulfilled)
    delivery_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[Any] = mapped_column(JSON, nullable=True)  # an empty body is stored as null


class Echo(Base):
    """A write OrderSync made, as the target will show it: (account, object, its modified stamp after the
    write). A trigger record of that account with exactly that key and version is OrderSync's own echo,
    not a change by someone else, and is skipped — across recipes, roles and accounts."""

    __tablename__ = "echoes"
    __table_args__ = (UniqueConstraint("account", "record_key", "stamp"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    record_key: Mapped[str] = mapped_column(String(200))
    stamp: Mapped[str] = mapped_column(String(100))
    recipe: Mapped[str] = mapped_column(String(100))  # the recipe that wrote it (named in the skip)
    written_at: Mapped[datetime] = mapped_column(default=utcnow)


class FieldMemory(Base):
    """The last value of a ``when_changed`` field seen per record, so "deal entered stage X" fires on the
    change and not on every later edit of the record."""

    __tablename__ = "field_memory"
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)


class AggregatePart(Base):
    """One record's contribution to an aggregate step's totals (replaced when the record changes), so a
    group's sum/count/avg/min/max is one indexed query and never a re-read of history."""

    __tablename__ = "aggregate_parts"
    __table_args__ = (Index("ix_aggregate_parts_group", "recipe_id", "step_id", "group_key", "currency", "bucket"),)
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    step_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    record_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    group_key: Mapped[str] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(20), default="")
    bucket: Mapped[str] = mapped_column(String(20), default="")  # 2026-11 for a month window, "" for all
    value: Mapped[float] = mapped_column(Float)


class SourceCursor(Base):
    """Where reading continues for each further role a recipe's trigger reads (``trigger.also_from``: a second
    shop); the first role's position stays in :class:`Cursor`."""

    __tablename__ = "source_cursors"
    recipe_id: Mapped[int] = mapped_column(ForeignKey("recipes.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str | None] = mapped_column(String(200), default=None)
    polled_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertSetting(Base):
    """One entry of the alert settings and policy state shared by every process of a database (workers on
    several machines, desktop apps): ``section`` is ``app`` (name ``""``), ``sink`` (channel kind, its
    non-secret settings), ``recipe`` (a recipe's override), ``state`` (a recipe's failure episode) or ``sla``
    (a recipe's service-level episode); ``value`` is the JSON the policy reads. Secrets (webhook URLs with
    their tokens, SMTP passwords) stay in each machine's keychain. The ``lock`` row serialises edits."""

    __tablename__ = "alert_settings"
    section: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Setting(Base):
    """An app-wide setting shared by every process of a database (workers on several machines, desktop apps):
    ``value`` is the JSON its service reads and checks (``retention``: how long history is kept). What belongs
    to one machine (its language, its listen address) stays in that machine's data directory."""

    __tablename__ = "settings"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertDelivery(Base):
    """One attempt to send an alert through a channel (the settings page and ``alerts show`` list the latest)."""

    __tablename__ = "alert_deliveries"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO time as shown
    recipe: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(40))
    sink: Mapped[str] = mapped_column(String(40))
    ok: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)
