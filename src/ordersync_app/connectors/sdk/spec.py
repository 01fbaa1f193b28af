"""Declarations a connector module is made of.

A connector module exports one ``CONNECTOR`` built from these frozen dataclasses. A connector
*states facts* — where a list lives, how it pages, which field is the cursor and how the vendor's
parameter treats it, how errors look — and the SDK runs the loop (:mod:`.read`). Code appears only
at named hooks (``encode``, ``shape``, ``deliver``…), each a plain function of a few lines; a
hand-written ``fetch`` stays as the escape hatch for sources no declaration can describe.

Cursor semantics (:class:`Cursor`): a trigger returns every record whose cursor field is **greater
than or equal to** the stored cursor (a *closed* start). A ``sorted`` source returns them ascending
and the engine checks that it does; an unsorted one is read whole (per window) before the cursor
moves. The engine de-duplicates on ``(key, version)``, stores outcomes, and only then advances
the cursor.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ordersync_app.domain.records import Record
from ordersync_app.domain.redact import declare_public

if TYPE_CHECKING:
    import httpx

    from ordersync_app.connectors.sdk.http import ApiClient
    from ordersync_app.connectors.sdk.paginate import Paginator
    from ordersync_app.connectors.sdk.webhooks import Webhook


SANDBOX_SCHEME = "sandbox://"  # an account address that means "the built-in emulator of this vendor"


class Owns(enum.Enum):
    """Which kind of data the app is the system of record for (the one-direction rule)."""

    ORDERS = "orders"
    CUSTOMERS = "customers"


@dataclass(frozen=True)
class Setting:
    """One account setting, shown as a form field; ``secret`` values go to the keychain only.

    ``choice_labels`` gives each choice a label in both languages (``{"oauth": ("Sign in with
    HubSpot", "用 HubSpot 登录")}``); ``shown_when`` shows the field only for some values of another
    setting (``{"auth_mode": ("oauth",)}``), so a form asks only what the chosen sign-in needs; a
    ``required`` setting with ``shown_when`` is required only when it is shown.
    """

    key: str
    label_en: str
    label_zh: str
    help_en: str = ""
    help_zh: str = ""
    required: bool = True
    default: str | None = None
    secret: bool = False
    choices: tuple[str, ...] = ()
    choice_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict, kw_only=True)
    shown_when: Mapping[str, tuple[str, ...]] = field(default_factory=dict, kw_only=True)
    # A regular expression the whole value must match (checked when an account is saved); settings
    # that become part of the API address must have one, so they cannot change the host or path.
    pattern: str = field(default="", kw_only=True)
    # A value of several lines (a PEM private key): line breaks are kept, other control characters refused.
    multiline: bool = field(default=False, kw_only=True)

    def applies(self, chosen: Mapping[str, Any]) -> bool:
        """Whether the setting is asked for when the other settings have these values (``shown_when``)."""
        return all(chosen.get(key) in allowed for key, allowed in self.shown_when.items())


def Secret(key: str, label_en: str, label_zh: str, help_en: str = "", help_zh: str = "", *,
           required: bool = True, shown_when: Mapping[str, tuple[str, ...]] | None = None,
           multiline: bool = False) -> Setting:
    """A setting whose value lives only in the OS keychain."""
    return Setting(key, label_en, label_zh, help_en, help_zh, required=required, secret=True,
                   shown_when=dict(shown_when or {}), multiline=multiline)


def settings_from(package: str, name: str) -> tuple[Setting, ...]:
    """Settings written as data in a JSON file beside a connector module (long bilingual help texts read
    better there than in code). Each entry: ``key``, ``label: [en, zh]``, optional ``help: [en, zh]``,
    ``required``, ``default``, ``secret``, ``choices: {value: [en, zh]}`` (in order), ``shown_when:
    {setting: [values]}`` and ``pattern`` (a regular expression the whole value must match)."""
    import json
    from importlib import resources

    rows = json.loads(resources.files(package).joinpath(name).read_text("utf-8"))
    return tuple(Setting(
        row["key"], row["label"][0], row["label"][1], row.get("help", ("", ""))[0], row.get("help", ("", ""))[1],
        row.get("required", True), row.get("default"), row.get("secret", False), tuple(row.get("choices", {})),
        choice_labels={k: (v[0], v[1]) for k, v in row.get("choices", {}).items()},
        shown_when={k: tuple(v) for k, v in row.get("shown_when", {}).items()},
        pattern=row.get("pattern", "")) for row in rows)


@dataclass(frozen=True)
class Field:
    """A field of a record (trigger output) or of a target object (action input).

    ``choices`` are the values the vendor accepts (an enumeration); ``choice_labels`` their
    display names, e.g. a deal stage id and its name, so the builder offers a picker.
    """

    key: str
    label: str
    type: str = "string"  # string | number | integer | boolean | datetime | date | object | array
    required: bool = False
    description: str = ""
    choices: tuple[str, ...] = ()
    label_zh: str = field(default="", kw_only=True)  # Chinese label for the builder; "" = show ``label``
    choice_labels: Mapping[str, str] = field(default_factory=dict, kw_only=True)
    read_only: bool = field(default=False, kw_only=True)


def fields(*rows: str) -> tuple[Field, ...]:
    """Fields written compactly as ``"key|English label|中文标签|type"`` rows (a catalogue in a few lines)."""
    found = []
    for row in rows:
        key, label, label_zh, kind = row.split("|")
        found.append(Field(key, label, kind, label_zh=label_zh))
    return tuple(found)


def fields_from(package: str, name: str) -> dict[str, tuple[Field, ...]]:
    """Field catalogues written as data in a JSON file beside a connector module, by group
    (``{"order": [{"key", "label": [en, zh], "type", "required", "choices": {value: label}}…]}``)."""
    import json
    from importlib import resources

    groups = json.loads(resources.files(package).joinpath(name).read_text("utf-8"))
    return {group: tuple(Field(f["key"], f["label"][0], f.get("type", "string"), f.get("required", False),
                               f.get("description", ""), tuple(f.get("choices", {})), label_zh=f["label"][1],
                               choice_labels=dict(f.get("choices", {})), read_only=f.get("read_only", False))
                         for f in rows) for group, rows in groups.items()}


@dataclass(frozen=True)
class Param:
    """A parameter a recipe passes to a trigger, lookup or action (not a field mapping).

    ``send_as`` names the vendor request parameter a declarative trigger sends the value in
    (``None``: the parameter is read by a hook, or not sent).
    """

    key: str
    label: str
    required: bool = False
    default: Any = None
    description: str = ""
    label_zh: str = field(default="", kw_only=True)  # Chinese label for the builder; "" = show ``label``
    send_as: str | None = field(default=None, kw_only=True)


class CursorKind(enum.StrEnum):
    """How cursor values compare (``datetime`` values compare as instants, whatever their text)."""

    INSTANT = "datetime"
    INTEGER = "integer"
    OPAQUE = "opaque"


@dataclass(frozen=True)
class Cursor:
    """How a trigger polls incrementally, stated once so the SDK and the engine can enforce it.

    Attributes:
        field: record field (path) holding the cursor value, e.g. ``updatedAt``.
        kind: ``datetime`` (compared as instants), ``integer`` or ``opaque`` (compared as text).
        param: the vendor request parameter that takes the start of the read (declarative
            triggers); ``until_param`` the end of a window, when the vendor takes one.
        inclusive: whether the vendor's ``param`` means ``>=`` (True) or ``>`` (False). For an
            exclusive parameter the SDK asks one ``granularity`` earlier and keeps ``>=`` itself.
        granularity: the vendor's resolution, in seconds for instants (1 for whole seconds).
        format: how the vendor writes instants — ``iso`` (``…Z``), ``iso_naive`` (no zone, in
            ``zone``), ``epoch_s``, ``epoch_ms``, or a ``strftime`` pattern such as
            ``%Y-%m-%d %H:%M:%S`` (wall-clock time in ``zone``).
        zone: the IANA zone of times written without one (``Asia/Shanghai`` for Chinese ERPs).
        sorted: the source returns records ascending by this field. The engine verifies it and
            advances the cursor page by page; an unsorted source is read whole (per window) and
            the cursor moves only at the window's end.
        lag_seconds: how far back to re-read on each poll, for sources whose index lags.
        max_window_seconds: the vendor caps one query's time window (Jushuitan: 7 days); 0 = none.
        first_read_seconds: with no stored cursor ("everything"), read back this far when the
            vendor has no "from the beginning" query (0 = the vendor reads from the beginning).
        quiet_windows: windows that hold no record pass without a checkpoint of their own; the next
            window with records (or the last one) carries the cursor past them. For vendors whose
            windows are short (旺店通: 60 minutes), so a long quiet stretch is walked in one go.
    """

    field: str
    kind: str = CursorKind.INSTANT
    param: str | None = None
    until_param: str | None = None
    inclusive: bool = True
    granularity: float = 0.0
    format: str = "iso"
    zone: str = "UTC"
    sorted: bool = True
    lag_seconds: int = 0
    max_window_seconds: int = 0
    first_read_seconds: int = 0
    quiet_windows: bool = False


@dataclass(frozen=True)
class TriggerContext:
    """What a trigger's ``fetch`` receives besides the client."""

    params: Mapping[str, Any]
    since: str | None  # stored cursor value; closed start (>=); None means from the beginning
    page_size: int
    until: str | None = None  # upper bound (exclusive) for sample reads or windows
    stop: threading.Event | None = field(default=None, compare=False)


class Page(list[Record]):
    """One page of records read from a trigger.

    ``ordered`` pages come from a source sorted by its cursor: the engine may advance the cursor to
    the largest value read so far. For unordered pages the engine waits for a ``checkpoint``: the
    cursor value that is safe to store once every record read up to here is stored (the end of a
    window read whole). A hand-written ``fetch`` may yield plain lists (ordered pages).
    """

    ordered: bool = True
    checkpoint: str | None = None

    def __init__(self, records: list[Record] | None = None, *, ordered: bool = True,
                 checkpoint: str | None = None) -> None:
        super().__init__(records or [])
        self.ordered = ordered
        self.checkpoint = checkpoint


Fetch = Callable[["ApiClient", TriggerContext], Iterator[list[Record]]]
Params = dict[str, Any]
# Turns the logical request parameters of one page into httpx keyword arguments
# (``{"params": …}``, ``{"json": …}``, ``{"data": …}``, plus ``{"headers": …}`` when the vendor takes a
# parameter in a header) — the vendor's envelope (GraphQL variables, Jushuitan's ``biz`` JSON, a
# JSON-array body, a SOQL query with Salesforce's ``Sforce-Query-Options: batchSize``).
Encode = Callable[[Params], dict[str, Any]]


@dataclass(frozen=True)
class Request:
    """One HTTP call a declaration makes: where it goes and where its parameters travel.

    ``body`` says where the parameters go: ``query`` (the URL), ``json`` or ``form``; ``encode``
    overrides that for vendor envelopes. ``family`` names the rate-limit family the call counts
    against (HubSpot search has its own per-second limit).
    """

    method: str = "GET"
    path: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    body: str = "query"
    encode: Encode | None = None
    family: str = "default"
    headers: Mapping[str, str] = field(default_factory=dict)


def Get(path: str, *, family: str = "default", **params: Any) -> Request:
    """A GET whose parameters go in the query string."""
    return Request("GET", path, params, family=family)


def Post(path: str, *, body: str = "json", encode: Encode | None = None, family: str = "default",
         **params: Any) -> Request:
    """A POST whose parameters go in a JSON body (or ``form``, or a vendor ``encode`` hook)."""
    return Request("POST", path, params, body=body, encode=encode, family=family)


# A record's value computed from the vendor's item (a path is given as a string instead).
ItemValue = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Trigger:
    """An event in an app that starts a recipe, e.g. "order fulfilled".

    Declarative form (the SDK reads it; see :mod:`.read`): ``request`` + ``records`` (path of the
    list in the answer, ``""`` for a bare list) + ``paginator`` + ``cursor`` (with ``param``) +
    ``key`` (path of the record key). ``version`` (path or function) defaults to the cursor value;
    ``shape`` turns a vendor item into the payload recipes see; ``keep`` drops items client-side.
    Escape hatch: ``fetch=`` a generator of pages, for sources no declaration describes.
    """

    key: str
    label_en: str
    label_zh: str
    cursor: Cursor
    fields: tuple[Field, ...]
    fetch: Fetch | None = None
    params: tuple[Param, ...] = ()
    page_size: int = 50
    description: str = ""
    request: Request | None = field(default=None, kw_only=True)
    records: str | Callable[[Any], list[Any]] = field(default="", kw_only=True)
    paginator: Paginator | None = field(default=None, kw_only=True)
    record_key: str | ItemValue = field(default="id", kw_only=True)
    version: str | ItemValue | None = field(default=None, kw_only=True)
    shape: Callable[[Mapping[str, Any]], dict[str, Any]] | None = field(default=None, kw_only=True)
    keep: Callable[[Mapping[str, Any]], bool] | None = field(default=None, kw_only=True)
    # Whether the vendor's order of results is stable while data changes (new items go to the end,
    # none leave the filtered set), so an unsorted read needs no confirming second pass.
    stable_order: bool = field(default=False, kw_only=True)
    # Path of the vendor's count of matching records: when it stays the same from the first page of a
    # window to the last, nothing left the set while it was read and no confirming pass is needed.
    count_path: str | None = field(default=None, kw_only=True)
    # The vendor can push this trigger's records (see :mod:`.webhooks`); polling stays as reconciliation.
    webhook: Webhook | None = field(default=None, kw_only=True)
    # Requests one poll makes when nothing changed (the first page of the read); a recipe's poll interval
    # is checked against the account's rate budgets with it (recipes.budget).
    poll_calls: int = field(default=1, kw_only=True)

    def __post_init__(self) -> None:
        if self.fetch is None:
            if self.request is None:
                raise TypeError(f"trigger {self.key!r} needs either request= (declarative) or fetch=")
            from ordersync_app.connectors.sdk.read import declarative_fetch

            object.__setattr__(self, "fetch", declarative_fetch(self))

    def read(self, client: ApiClient, context: TriggerContext) -> Iterator[list[Record]]:
        """The trigger's pages (declarative or hand-written)."""
        assert self.fetch is not None  # set in __post_init__
        return self.fetch(client, context)


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


class WriteStatus(enum.StrEnum):
    """What the vendor said about one write of a batch."""

    OK = "ok"  # written (or already in the wanted state)
    REJECTED = "rejected"  # the vendor refused this record: failed queue
    TRANSIENT = "transient"  # try again later
    UNKNOWN = "unknown"  # the answer was lost after sending: verify before any re-send


@dataclass(frozen=True)
class WriteResult:
    """The vendor's answer for one write of a batch.

    Attributes:
        target_id: the object written, when known (later steps read it as ``steps.<id>.id``).
        created: the write created the object (an upsert that found nothing, a create); False for
            updates and when the vendor does not say.
        stamp: the target's "last modified" instant right after this write, as canonical UTC text
            (:func:`~.cursor.canonical_instant`), when the vendor answers it. The engine remembers it
            so a trigger that later reads the same stamp can tell its own echo from a real change.
    """

    ref: str
    status: str  # a WriteStatus
    target_id: str | None = None
    message: str | None = None
    before: dict[str, Any] | None = None
    created: bool = field(default=False, kw_only=True)
    stamp: str | None = field(default=None, kw_only=True)


Deliver = Callable[["ApiClient", list[Write]], list[WriteResult]]
# Reads the target's current values for each write (None when the object does not exist).
ReadCurrent = Callable[["ApiClient", list[Write]], list[dict[str, Any] | None]]


class WriteSemantics(enum.StrEnum):
    """How an action stays safe to repeat (checked by the engine before any re-send)."""

    SET = "set"  # sets fields to desired values (PATCH/update): repeating changes nothing
    KEYED = "keyed"  # upsert on a unique key (unique property, External ID, vendor idempotency key)
    APPEND = "append"  # creates or appends: a repeat duplicates — verified through ``read_current`` first


@dataclass(frozen=True)
class Action:
    """A write to an app, e.g. "update deal stage".

    Attributes:
        match: what identifies the target (shown in the builder, e.g. "Deal whose Order ID is …");
            None when the action creates nothing and needs no key.
        batch_max: the vendor's maximum records per call (1 when there is no batch form).
        deliver: sends a batch (``len <= batch_max``) and maps the answer back per write.
        read_current: reads the target's current values; used by dry runs (to show before/after)
            and before re-sending a write whose answer was lost, to learn whether it landed.
        semantics: how a repeat behaves (:class:`WriteSemantics`); the engine re-sends a write whose
            answer was lost only for ``KEYED`` actions, and verifies the others first.
        idempotency: how the write stays safe to repeat, in words for users and reviewers.
        object: the vendor object written (``deals``), for dynamic field discovery.
        open_fields: the object has custom fields (HubSpot properties, Salesforce ``__c``) beyond
            ``fields``: the recipe may map any field the account's ``discover_fields`` lists.
        marker: for ``APPEND`` actions, the target field where OrderSync stamps each write's ledger
            reference (it is also the write's ``match``), so ``read_current`` can find a create whose
            answer was lost. A create without one could not be checked, and recipes may not use it.
        marker_param: a param by which a recipe names another marker field than ``marker`` (Salesforce:
            any External ID field of the object); the engine stamps the reference there instead.
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
    semantics: WriteSemantics = field(default=WriteSemantics.SET, kw_only=True)
    object: str | None = field(default=None, kw_only=True)
    open_fields: bool = field(default=False, kw_only=True)
    marker: str | None = field(default=None, kw_only=True)
    marker_param: str | None = field(default=None, kw_only=True)


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
    """One request budget of an account: ``requests`` per ``per_seconds``.

    A connector may declare several (per second *and* per minute, per day); ``family`` limits only
    the calls of that family (``search``), ``"*"`` every call of the account.
    """

    requests: int
    per_seconds: float
    source: str = ""
    family: str = field(default="*", kw_only=True)


@dataclass(frozen=True)
class TlsSettings:
    """Per-account TLS for on-premise servers: a CA bundle file, or one pinned self-signed
    certificate (its PEM, accepted by the user after seeing its SHA-256 fingerprint)."""

    ca_bundle: str | None = None
    pinned_pem: str | None = None


def _no_state(_key: str) -> str | None:
    return None


def _drop(_key: str, _value: str | None) -> None:
    return None


@dataclass(frozen=True)
class AccountConfig:
    """An account's non-secret settings plus a way to read its secrets (never stored here).

    ``state``/``save_state`` give a connector a small non-secret store per account (a discovered
    gateway URL, a token's expiry, a Salesforce ``instance_url``), kept by the service layer.
    ``tls`` is the account's own TLS trust (:class:`TlsSettings`, kept by the service layer and set with
    ``ordersync account tls``): None verifies against the system's CAs.
    """

    name: str
    connector: str
    base_url: str
    settings: Mapping[str, str]
    secret: Callable[[str], str | None]
    save_secret: Callable[[str, str], None] = lambda _k, _v: None
    state: Callable[[str], str | None] = field(default=_no_state, kw_only=True)
    save_state: Callable[[str, str | None], None] = field(default=_drop, kw_only=True)
    tls: TlsSettings | None = field(default=None, kw_only=True)
    # Where cross-process locks of this account live (a directory; None = in-process locks only).
    lock_dir: str | None = field(default=None, kw_only=True)
    # The account's rate budget shared by every process of the database: reserve up to n calls of a budget
    # (returns calls granted and, when none, seconds to wait), and pause it for everyone after a 429.
    reserve: Callable[[RateLimit, int], tuple[int, float]] | None = field(default=None, kw_only=True)
    pause_shared: Callable[[RateLimit, float], None] | None = field(default=None, kw_only=True)


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


@dataclass(frozen=True)
class Decision:
    """A verdict with what to tell the user and, for long limits, when to try again.

    ``wait_seconds`` beyond the in-run budget makes the engine keep the records queued and try
    after that time (a daily limit), instead of failing them or pausing for hours inside a run.
    """

    verdict: Verdict
    message: str | None = None
    wait_seconds: float | None = None


# A connector's hook for vendor quirks; return None to fall back to the declared rules and then the
# default ones (2xx ok, 408/429/5xx retry, 401 reauth, 403 setup, 3xx setup, other 4xx reject).
Classify = Callable[["httpx.Response"], "Verdict | Decision | None"]


@dataclass(frozen=True)
class Sandbox:
    """The built-in emulator of this vendor and the public demo values its accounts use.

    The emulator is the module ``ordersync_app.sandbox.<app>`` exporting ``App`` (a
    ``SandboxApp``); the credentials open only that emulator and are not secrets.
    """

    app: str
    credentials: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        declare_public(self.credentials.values())  # public demo values: masking them only hides words


# Lists an object's fields from the account (custom properties, picklist options), at build/run time.
DiscoverFields = Callable[["ApiClient", str], tuple[Field, ...]]
# Reads the vendor's report of the account's quota use from an answer (``api-usage=18/5000``), or None.
Usage = Callable[["httpx.Response"], "str | None"]


class Pacer(Protocol):
    """Paces an account's calls by what the vendor reports of its budget (GraphQL query cost), rather than
    by a fixed request rate: ``before`` says how long to wait before sending a request body, ``after``
    reads the vendor's report from the answer. One per account and process, shared by its clients."""

    def before(self, body: Any) -> float:
        """Seconds to wait before sending ``body`` (0 when the budget has room), the wait reserved."""
        ...

    def after(self, body: Any, response: httpx.Response) -> None:
        """Learn the budget and this request's cost from the answer."""
        ...


@dataclass(frozen=True)
class OAuthApp:
    """How accounts of a connector sign in through the browser: the authorization-code grant with
    PKCE over a loopback redirect (RFC 8252), run by ``services.oauth`` and offered by the GUI.

    ``authorize_url`` and ``token_url`` are absolute, or paths below the account's address (Salesforce
    signs in on the org's own login host). ``when`` is the setting and value meaning "this account signs
    in through the browser"; ``authorize_setting`` a setting that overrides the sign-in page;
    ``port_setting`` a setting holding a fixed loopback port, for vendors that match the redirect URI
    exactly (empty or 0: the OS picks one). ``extra`` adds authorize parameters (``response_type``).
    The token answer's ``keep`` values go to the keychain and its ``state`` values to the account's
    state (a Salesforce ``instance_url``); ``lifetime`` is assumed when the answer has no
    ``expires_in`` (None: the token is used until the vendor refuses it).
    """

    authorize_url: str
    token_url: str
    scopes: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    when: tuple[str, str] = ("auth_mode", "oauth")
    authorize_setting: str | None = "authorize_url"
    port_setting: str | None = None
    keep: tuple[str, ...] = ("refresh_token",)
    state: tuple[str, ...] = ()
    lifetime: float | None = 1800.0


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
    sandbox: Sandbox | None = None
    classify: Classify | None = None  # vendor quirks on top of the declared and default rules
    # The budget when it depends on the account's plan (HubSpot tiers, Shopify plans).
    rate_limit_for: Callable[[Mapping[str, str]], RateLimit] | None = None
    docs: str = ""
    # Declared response rules (errors inside HTTP 200, vendor codes): see :mod:`.rules`.
    rules: tuple[Any, ...] = field(default=(), kw_only=True)
    # More budgets of the account beyond ``rate_limit`` (per minute, per day, per endpoint family).
    more_limits: tuple[RateLimit, ...] = field(default=(), kw_only=True)
    discover_fields: DiscoverFields | None = field(default=None, kw_only=True)
    # Hosts the vendor serves from (``*.myshopify.com``); another host needs the user's explicit consent.
    hosts: tuple[str, ...] = field(default=(), kw_only=True)
    # False for a connector over local files (a folder of exports): it has no base URL, no auth and no
    # HTTP answers, so accounts need no address and the conformance suite skips its HTTP-only checks.
    uses_http: bool = field(default=True, kw_only=True)
    # Browser sign-in (authorization code + PKCE), when the vendor offers it.
    oauth: OAuthApp | None = field(default=None, kw_only=True)
    # The vendor's quota report on each answer (Salesforce ``Sforce-Limit-Info``), kept in the client's stats.
    usage: Usage | None = field(default=None, kw_only=True)
    # Makes the account's pacer (Shopify: by reported query cost, ``graphql.CostPacer``), beside the rate limits.
    pace: Callable[[], Pacer] | None = field(default=None, kw_only=True)
    # The account's TLS from its settings (on-premise servers with their own CA or a pinned certificate),
    # used when the account carries no ``tls`` of its own: see ``http.tls_from_files``.
    tls_for: Callable[[Mapping[str, str]], TlsSettings | None] | None = field(default=None, kw_only=True)

    def trigger(self, key: str) -> Trigger | None:
        """The trigger named ``key``, if any."""
        return next((t for t in self.triggers if t.key == key), None)

    def action(self, key: str) -> Action | None:
        """The action named ``key``, if any."""
        return next((a for a in self.actions if a.key == key), None)

    def lookup(self, key: str) -> Lookup | None:
        """The lookup named ``key``, if any."""
        return next((lk for lk in self.lookups if lk.key == key), None)

    def limits(self, settings: Mapping[str, str]) -> tuple[RateLimit, ...]:
        """Every budget of an account with these settings (the plan's, then the others)."""
        first = self.rate_limit_for(settings) if self.rate_limit_for else self.rate_limit
        return (first, *self.more_limits)
