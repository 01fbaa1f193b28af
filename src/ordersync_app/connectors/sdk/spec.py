"""Declarations a connector module is made of.

A connector module exports one ``CONNECTOR`` built from these frozen dataclasses. Declarations
are data; code appears only at named hooks (a trigger's ``fetch``, an action's ``deliver``), each
a plain function that receives the shared :class:`~ordersync_app.connectors.sdk.http.ApiClient`.

Cursor semantics are stated per trigger (:class:`Cursor`): the connector returns every record whose
cursor field is **greater than or equal to** the stored cursor (a *closed* start), sorted ascending;
the engine de-duplicates on ``(key, version)``, stores outcomes, and only then advances the cursor.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ordersync_app.domain.records import Record

if TYPE_CHECKING:
    import httpx

    from ordersync_app.connectors.sdk.http import ApiClient


class Owns(enum.Enum):
    """Which kind of data the app is the system of record for (the one-direction rule)."""

    ORDERS = "orders"
    CUSTOMERS = "customers"


@dataclass(frozen=True)
class Setting:
    """One account setting, shown as a form field; ``secret`` values go to the keychain only."""

    key: str
    label_en: str
    label_zh: str
    help_en: str = ""
    help_zh: str = ""
    required: bool = True
    default: str | None = None
    secret: bool = False
    choices: tuple[str, ...] = ()
    # A regular expression the whole value must match (checked when an account is saved); settings
    # that become part of the API address must have one, so they cannot change the host or path.
    pattern: str = ""


def Secret(key: str, label_en: str, label_zh: str, help_en: str = "", help_zh: str = "", *,
           required: bool = True) -> Setting:
    """A setting whose value lives only in the OS keychain."""
    return Setting(key, label_en, label_zh, help_en, help_zh, required=required, secret=True)


@dataclass(frozen=True)
class Field:
    """A field of a record (trigger output) or of a target object (action input)."""

    key: str
    label: str
    type: str = "string"  # string | number | integer | boolean | datetime | date | object | array
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    label_zh: str = field(default="", kw_only=True)  # Chinese label for the builder; "" = show ``label``


@dataclass(frozen=True)
class Param:
    """A parameter a recipe passes to a trigger, lookup or action (not a field mapping)."""

    key: str
    label: str
    required: bool = False
    default: Any = None
    description: str = ""
    label_zh: str = field(default="", kw_only=True)  # Chinese label for the builder; "" = show ``label``


@dataclass(frozen=True)
class Cursor:
    """How a trigger polls incrementally.

    Attributes:
        field: record field holding the cursor value (e.g. ``updatedAt``).
        kind: ``datetime`` (ISO 8601, compared as instants) or ``integer``.
        lag_seconds: how far back to re-read on each poll, for sources whose index lags.
        max_window_seconds: the vendor caps a query window (Jushuitan: 7 days); 0 = no cap.
    """

    field: str
    kind: str = "datetime"
    lag_seconds: int = 0
    max_window_seconds: int = 0


@dataclass(frozen=True)
class TriggerContext:
    """What a trigger's ``fetch`` receives besides the client."""

    params: Mapping[str, Any]
    since: str | None  # stored cursor value; closed start (>=); None means from the beginning
    page_size: int
    until: str | None = None  # upper bound (exclusive) for sample reads or windows


Fetch = Callable[["ApiClient", TriggerContext], Iterator[list[Record]]]


@dataclass(frozen=True)
class Trigger:
    """An event in an app that starts a recipe, e.g. "order fulfilled"."""

    key: str
    label_en: str
    label_zh: str
    fetch: Fetch
    cursor: Cursor
    fields: tuple[Field, ...]
    params: tuple[Param, ...] = ()
    page_size: int = 50
    description: str = ""


@dataclass(frozen=True)
class Write:
    """One intended write to a target, built by the engine from a record's mappings.

    ``match`` identifies the target object (e.g. the value of a unique property); ``ref`` is the
    ledger's idempotency reference for this (recipe, record, version, step).
    """

    ref: str
    match: str | None
    properties: dict[str, Any]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WriteResult:
    """The vendor's answer for one write of a batch.

    ``status`` is ``ok``, ``rejected`` (the vendor refused the record: failed queue) or
    ``transient`` (retry later). ``target_id`` is the id of the object written, when known.
    """

    ref: str
    status: str
    target_id: str | None = None
    message: str | None = None
    before: dict[str, Any] | None = None


Deliver = Callable[["ApiClient", list[Write]], list[WriteResult]]
# Reads the target's current values for each write (None when the object does not exist).
ReadCurrent = Callable[["ApiClient", list[Write]], list[dict[str, Any] | None]]


@dataclass(frozen=True)
class Action:
    """A write to an app, e.g. "update deal stage".

    Attributes:
        match: what identifies the target (shown in the builder, e.g. "Deal whose Order ID is …");
            None when the action creates nothing and needs no key.
        batch_max: the vendor's maximum records per call (1 when there is no batch form).
        deliver: sends a batch (``len <= batch_max``) and maps the answer back per write.
        read_current: reads the target's current values; used by dry runs (to show before/after)
            and after a crash to learn whether an in-flight write already landed.
        idempotency: how the write stays safe to repeat (documentation for users and reviewers).
    """

    key: str
    label_en: str
    label_zh: str
    fields: tuple[Field, ...]
    deliver: Deliver
    read_current: ReadCurrent
    match: Param | None = None
    params: tuple[Param, ...] = ()
    batch_max: int = 1
    idempotency: str = ""
    description: str = ""


Find = Callable[["ApiClient", Mapping[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class Lookup:
    """A search in an app, e.g. "find the deal whose order-id property is X"."""

    key: str
    label_en: str
    label_zh: str
    params: tuple[Param, ...]
    fields: tuple[Field, ...]
    find: Find
    description: str = ""


@dataclass(frozen=True)
class RateLimit:
    """The vendor's documented request budget for one account: ``requests`` per ``per_seconds``."""

    requests: int
    per_seconds: float
    source: str = ""


@dataclass(frozen=True)
class AccountConfig:
    """An account's non-secret settings plus a way to read its secrets (never stored here)."""

    name: str
    connector: str
    base_url: str
    settings: Mapping[str, str]
    secret: Callable[[str], str | None]
    save_secret: Callable[[str, str], None] = lambda _k, _v: None


MakeAuth = Callable[[AccountConfig], "httpx.Auth | None"]
# Returns the vendor's error message from a response body (already parsed JSON or text).
ErrorMessage = Callable[["httpx.Response"], str]
TestConnection = Callable[["ApiClient"], str]


class Verdict(enum.Enum):
    """What the shared HTTP layer does with a response (the response rules)."""

    OK = "ok"
    RETRY = "retry"  # transient: back off (honouring Retry-After) and try again
    REAUTH = "reauth"  # credentials refused: refresh once, then AuthError
    REJECT = "reject"  # the vendor refused this record: RecordRejected with its message
    SETUP = "setup"  # the account or its settings are wrong: SetupError


# A connector's hook for vendor quirks; return None to fall back to the default rules
# (2xx ok, 429/5xx retry, 401 reauth, 403 setup, other 4xx reject).
Classify = Callable[["httpx.Response"], Verdict | None]


@dataclass(frozen=True)
class Connector:
    """Everything OrderSync knows about one vendor API."""

    key: str
    name_en: str
    name_zh: str
    owns: Owns
    settings: tuple[Setting, ...]
    base_url: str  # default, may contain {setting} placeholders; always overridable per account
    make_auth: MakeAuth
    rate_limit: RateLimit
    error_message: ErrorMessage
    test_connection: TestConnection
    triggers: tuple[Trigger, ...] = ()
    actions: tuple[Action, ...] = ()
    lookups: tuple[Lookup, ...] = ()
    sandbox: str | None = None  # name of the built-in sandbox app emulating this vendor
    classify: Classify | None = None  # vendor quirks on top of the default response rules
    # The budget when it depends on the account's plan (HubSpot tiers, Shopify plans).
    rate_limit_for: Callable[[Mapping[str, str]], RateLimit] | None = None
    docs: str = ""
    # The vendor's own API hosts (``*.`` matches one subdomain label): an account elsewhere needs an
    # explicit "allow this host" (on-premise, proxies) so a pasted address cannot send the token away.
    hosts: tuple[str, ...] = ()

    def trigger(self, key: str) -> Trigger | None:
        """The trigger named ``key``, if any."""
        return next((t for t in self.triggers if t.key == key), None)

    def action(self, key: str) -> Action | None:
        """The action named ``key``, if any."""
        return next((a for a in self.actions if a.key == key), None)

    def lookup(self, key: str) -> Lookup | None:
        """The lookup named ``key``, if any."""
        return next((lk for lk in self.lookups if lk.key == key), None)
