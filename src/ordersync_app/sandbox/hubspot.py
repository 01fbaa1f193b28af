"""A local HubSpot CRM v3 twin: deals, contacts, pipelines, OAuth sign-in and refresh, the 10-second rate limit.

Why it exists: every test and every first-run demo needs a HubSpot that answers like the real one
(object paths, batch limits, 207 multi-status bodies, search paging and its 10,000-result cap,
401/429 bodies and headers) without anyone's account. State lives in SQLite, so recipes can be run
again against it, and writes are counted (``call`` per write route, ``deal_writes``/``deal_noop`` per
deal, the same for contacts and line items, ``association_writes``/``association_noop`` per associated
pair) so a test can prove that each intended write landed exactly once.

Facts it follows (HubSpot's spec files are proprietary: read, never copied), from
``HubSpot/HubSpot-public-api-spec-collection``: ``PublicApiSpecs/CRM/Deals/Rollouts/424/v3/deals.json``
@ fea35957 (paths under ``/crm/v3/objects/0-3``, batch bodies, ``BatchResponse…WithErrors`` with
``numErrors``/``errors[]``, the search request), ``…/Contacts/Rollouts/424/v3/contacts.json`` @ ab9ffa9c,
``…/Pipelines/Rollouts/145896/v3/pipelines.json`` @ 5a1ba952, ``…/Line Items/Rollouts/424/v3/lineItems.json``
@ 78a8b80f (line items under ``/crm/v3/objects/line_items``, creates with inline ``associations``),
``…/Associations/Rollouts/130902/v4/associations.json`` @ 89a281c1 (default associations: ``PUT …/associations/
default/…`` and ``batch/associate/default`` answering ``BatchResponsePublicDefaultAssociation``; ``batch/read``
answering ``{from, to: [{toObjectId, associationTypes}], paging}`` per record, 207 for missing records) and
``PublicApiSpecs/Auth/Oauth/Rollouts/155908/v1/oauth.json``. Limits, the 429 body and the
``X-HubSpot-RateLimit-*`` headers: https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines
(summarised in shared/API-FACTS-DETAIL.md §1).

CRM search also has its own limit of about 4–5 requests per second per token (API-FACTS.md corrections
[V]); the emulator enforces 5 per rolling second (``search_limit``) with a ``SECONDLY`` 429 [U: exact body].
Simplifications: search also counts against the 10-second window, ``Retry-After`` is sent although HubSpot
does not promise it, and the docs' alias ``/crm/v3/objects/deals`` is served next to ``0-3``. Associations: only
the default (unlabelled) types of the pairs below exist, stored in both directions; associating does not
move either record's modified date [U]; the error for a missing record in ``batch/associate/default`` is our
guess [U] (a 207 naming its id, as the v3 batch calls do).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import secrets
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp

# Public demo credentials (the connector's ``Sandbox`` declaration holds the same token): they open only this emulator.
SANDBOX_TOKEN = "sandbox-hubspot-token"  # noqa: S105 - public demo value
SANDBOX_CLIENT_ID = "sandbox-hubspot-client-id"
SANDBOX_CLIENT_SECRET = "sandbox-hubspot-client-secret"  # noqa: S105 - public demo value
SANDBOX_REFRESH_TOKEN = "sandbox-hubspot-refresh-token"  # noqa: S105 - public demo value
ACCESS_TOKEN_SECONDS = 1800  # HubSpot's OAuth access tokens live 30 minutes
AUTH_CODE_SECONDS = 600  # how long the sandbox keeps an unused authorization code

WINDOW_SECONDS = 10.0
BATCH_MAX = 100
SEARCH_LIMIT_MAX = 200
LIST_LIMIT_MAX = 100
READ_ONLY = frozenset({"hs_object_id", "createdate", "hs_lastmodifieddate", "lastmodifieddate"})
DATETIME_PROPS = frozenset({"createdate", "hs_lastmodifieddate", "lastmodifieddate", "closedate"})
NUMBER_PROPS = frozenset({"amount", "hs_object_id", "quantity", "price"})
FIXED_TIME = "2026-01-05T09:00:00.000Z"  # when the sandbox portal's pipelines were "created"


@dataclass(frozen=True)
class Kind:
    """One CRM object type of the sandbox portal and its property schema."""

    name: str
    type_id: str
    label: str
    modified: str  # the "last modified" property HubSpot maintains
    unique: frozenset[str]
    writable: frozenset[str]
    defaults: tuple[str, ...]  # properties returned when none are asked for


# erp_order_no: another unique property of the portal, holding an ERP's bill number (Kingdee sales orders).
DEALS = Kind("deals", "0-3", "DEAL", "hs_lastmodifieddate",
             frozenset({demo_data.ORDER_ID_PROPERTY, "ordersync_ref", "erp_order_no"}),
             frozenset((
    "dealname dealstage pipeline amount closedate description hs_next_step dealtype deal_currency_code "
    "hubspot_owner_id hs_priority closed_lost_reason closed_won_reason "
    # custom properties of the sandbox portal (an e-commerce setup)
    f"{demo_data.ORDER_ID_PROPERTY} order_name fulfillment_status tracking_number tracking_company tracking_url "
    "ordersync_ref erp_order_no"
).split()), ("dealname", "amount", "closedate", "pipeline", "dealstage"))
CONTACTS = Kind("contacts", "0-1", "CONTACT", "lastmodifieddate", frozenset({"email"}), frozenset({
    "email", "firstname", "lastname", "phone", "company", "address", "city", "state", "zip", "country",
    "lifecyclestage", "hs_language",
    # custom properties of the sandbox portal (the e-commerce setup): a customer's spend, an anomaly flag
    "monthly_spend", "order_count", "average_order_value", "large_order_flag"}), ("firstname", "lastname", "email"))
# Line items (object type 0-8): name, quantity, price, hs_product_id from HubSpot's line items guide [V], hs_sku [U];
# ordersync_ref is the portal's unique custom property that OrderSync's creates carry.
LINE_ITEMS = Kind("line_items", "0-8", "LINE_ITEM", "hs_lastmodifieddate", frozenset({"ordersync_ref"}), frozenset({
    "name", "quantity", "price", "hs_sku", "description", "hs_product_id", "hs_discount_percentage", "ordersync_ref"}),
    ("name", "quantity", "price"))
KINDS = {name: kind for kind in (DEALS, CONTACTS, LINE_ITEMS)
         for name in (kind.name, kind.type_id, kind.name.rstrip("s"), kind.label.lower())}
# The default (unlabelled) association type of each pair, HUBSPOT_DEFINED [S]: deal→contact 3, contact→deal 4,
# deal→line item 19, line item→deal 20 (see connectors/hubspot.py for the sources).
DEFAULT_TYPES = {("deals", "contacts"): 3, ("contacts", "deals"): 4, ("deals", "line_items"): 19,
                 ("line_items", "deals"): 20}

# HubSpot's default sales pipeline (stage ids as HubSpot names them) and the demo e-commerce one.
DEFAULT_STAGES = (
    ("appointmentscheduled", "Appointment scheduled", 0.2), ("qualifiedtobuy", "Qualified to buy", 0.4),
    ("presentationscheduled", "Presentation scheduled", 0.6),
    ("decisionmakerboughtin", "Decision maker bought-in", 0.8), ("contractsent", "Contract sent", 0.9),
    ("closedwon", "Closed won", 1.0), ("closedlost", "Closed lost", 0.0),
)
PIPELINES = (("default", "Sales Pipeline", 0, DEFAULT_STAGES),
             (demo_data.PIPELINE_ID, "E-commerce orders", 1, demo_data.STAGES))
_COLUMNS = "SELECT id, props, created_at, updated_at FROM hs_objects WHERE kind = ?"


@dataclass
class Obj:
    """A stored CRM object."""

    id: int
    props: dict[str, str]
    created: str
    updated: str


class Refused(Exception):
    """Raised inside a handler to refuse the whole call (its transaction is rolled back)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def iso_ms(ms: int) -> str:
    """HubSpot's timestamp form: ``2026-09-01T08:05:00.123Z``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def to_ms(value: Any) -> int | None:
    """Epoch milliseconds from ``"1767…"`` or an ISO date/datetime; None if it is neither."""
    raw = str(value).strip()
    if raw.isdigit():
        return int(raw)
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp() * 1000)


def text(value: Any) -> str:
    """A property value as HubSpot stores it (strings only; null or "" clears)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error(status: int, message: str, category: str, **extra: Any) -> Response:
    """HubSpot's error body (the spec's ``Error``: status, message, correlationId, category)."""
    return Response(status, {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
                             "category": category, **extra})


def invalid(message: str, **extra: Any) -> Refused:
    """A whole call refused with HubSpot's 400 VALIDATION_ERROR."""
    return Refused(error(400, message, "VALIDATION_ERROR", **extra))


class HubSpotSandbox(SandboxApp):
    """The emulated HubSpot portal, mounted at ``/hubspot``."""

    name = "hubspot"
    search_cap = 10_000  # HubSpot pages through at most 10,000 search results per query
    association_page = 500  # associated ids per record and page of a v4 batch/read [U: HubSpot's page size]

    def __init__(self, db_path: Path, *, rate_limit: int | None = 100, search_limit: int | None = 5,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """Open (or create) the portal in ``db_path``.

        Args:
            db_path: the SQLite state file.
            rate_limit: requests per rolling 10-second window (HubSpot Starter: 100); None = unlimited.
            clock: monotonic seconds for the rate window (tests pass a fake one to avoid real waits).
        """
        self.rate_limit = rate_limit or None  # 0 means no limit too
        self.search_limit = search_limit or None
        self.clock = clock
        self._sent: deque[float] = deque()
        self._peak = 0  # most calls seen in one 10-second window (reported as the "window_peak" counter)
        self._searches: deque[float] = deque()
        self._last_ms: int | None = None
        super().__init__(db_path)

    @classmethod
    def create(cls, db_path: Path, **options: Any) -> HubSpotSandbox:
        """``hubspot_limit``: requests per 10 s (None or 0 = unlimited; default HubSpot Starter's 100)."""
        limit = options.get("hubspot_limit", 100)
        return cls(db_path, rate_limit=limit, search_limit=options.get("hubspot_search_limit", 5 if limit else None))

    def touch(self, key: str) -> bool:
        """The object (deal, contact, line item) with id ``key`` changes now, as a user editing it would."""
        row = self.db.execute("SELECT kind FROM hs_objects WHERE id = ?", (int(key) if key.isdigit() else -1,)
                              ).fetchone()
        kind = KINDS.get(row[0]) if row else None
        obj = self._load(kind, key) if kind else None
        if kind is None or obj is None:
            return False
        obj.updated = obj.props[kind.modified] = iso_ms(self._stamp())
        self._save(obj)
        return True

    # -- setup --------------------------------------------------------------------------
    def setup(self) -> None:
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS hs_objects (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                props TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS hs_pipelines (kind TEXT, id TEXT, label TEXT, display_order INTEGER,
                stages TEXT, PRIMARY KEY (kind, id));
            CREATE TABLE IF NOT EXISTS hs_tokens (token TEXT PRIMARY KEY, expires_at REAL);
            CREATE TABLE IF NOT EXISTS hs_auth_codes (code TEXT PRIMARY KEY, redirect_uri TEXT, challenge TEXT,
                expires_at REAL);
            CREATE TABLE IF NOT EXISTS hs_associations (from_kind TEXT NOT NULL, from_id INTEGER NOT NULL,
                to_kind TEXT NOT NULL, to_id INTEGER NOT NULL, type_id INTEGER NOT NULL,
                PRIMARY KEY (from_id, to_id, type_id));
        """)
        # Large object ids, as HubSpot's are, that cannot be mistaken for order ids.
        self.db.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'hs_objects', 18000000000"
                        " WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'hs_objects')")
        for kind in (DEALS, CONTACTS, LINE_ITEMS):  # lookups by a unique property use these expression indexes
            for prop in kind.unique:
                self.db.execute(f"CREATE INDEX IF NOT EXISTS hs_{kind.name}_{prop} ON hs_objects (kind, "
                                f"json_extract(props, '$.{prop}'))")
        for pid, label, order, stages in PIPELINES:
            self.db.execute("INSERT OR IGNORE INTO hs_pipelines VALUES ('deals', ?, ?, ?, ?)",
                            (pid, label, order, json.dumps(stages)))
        for base, kind in (("/crm/v3/objects/0-3", DEALS), ("/crm/v3/objects/deals", DEALS),
                           ("/crm/v3/objects/0-1", CONTACTS), ("/crm/v3/objects/contacts", CONTACTS),
                           ("/crm/v3/objects/0-8", LINE_ITEMS), ("/crm/v3/objects/line_items", LINE_ITEMS)):
            self._on("GET", base, kind, self._list)
            self._on("POST", base, kind, self._create, write=True)
            self._on("POST", f"{base}/search", kind, self._search)
            self._on("POST", f"{base}/batch/read", kind, self._batch_read)
            for op in ("update", "upsert", "create"):
                self._on("POST", f"{base}/batch/{op}", kind, self._batch_write, write=True)
            self._on("GET", base + "/{objectId}", kind, self._get)
            self._on("PATCH", base + "/{objectId}", kind, self._patch, write=True)
        v4 = "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch"
        one = "/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}"
        for method, pattern, handler in (("PUT", one, self._associate_one),
                                         ("POST", f"{v4}/associate/default", self._associate_batch)):
            self.route(method, pattern, self._counted(f"{method} {pattern}", handler))
        self.route("POST", f"{v4}/read", self._associations_read)
        self.route("GET", "/crm/v3/properties/{objectType}", self._properties)
        self.route("GET", "/crm/v3/pipelines/{objectType}", self._pipelines)
        self.route("GET", "/crm/v3/pipelines/{objectType}/{pipelineId}", self._pipelines)
        self.route("GET", "/oauth/authorize", self._authorize)
        self.route("POST", "/oauth/v1/token", self._token)

    def _counted(self, name: str, fn: Callable[[Request], Response]) -> Callable[[Request], Response]:
        def run(request: Request) -> Response:
            self.count("call", name)  # a refused call rolls this back with everything else
            return fn(request)
        return run

    def _on(self, method: str, pattern: str, kind: Kind, fn: Callable[[Kind, Request], Response], *,
            write: bool = False) -> None:
        def run(request: Request) -> Response:
            if write:  # a refused call rolls this back with everything else
                self.count("call", f"{method} {pattern}")
            return fn(kind, request)
        self.route(method, pattern, run)

    def seed(self, orders: int) -> None:
        """Deals for demo orders ``1..orders`` (and contacts for their customers) that do not exist yet."""
        have = {row[0] for row in self.db.execute(
            "SELECT json_extract(props, ?) FROM hs_objects WHERE kind = 'deals'",
            (f"$.{demo_data.ORDER_ID_PROPERTY}",))}
        emails = {row[0] for row in self.db.execute(
            "SELECT json_extract(props, '$.email') FROM hs_objects WHERE kind = 'contacts'")}
        for i in range(1, orders + 1):
            order, deal = demo_data.demo_order(i), demo_data.demo_deal(i)
            created, updated = (int(order[k].timestamp() * 1000) for k in ("createdAt", "updatedAt"))
            if deal[demo_data.ORDER_ID_PROPERTY] not in have:
                self._insert(DEALS, deal, created, updated)
            customer = order["customer"]
            if customer["email"].lower() not in emails:
                emails.add(customer["email"].lower())
                self._insert(CONTACTS, {"email": customer["email"].lower(), "firstname": customer["firstName"],
                                        "lastname": customer["lastName"]}, created, updated)

    # -- auth and rate limit ------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        with self.lock:
            try:
                response = super().handle(request)
            except Refused as refused:
                response = refused.response
            if self.rate_limit is not None and response.status != 429 and request.path.startswith("/crm/"):
                response.headers.update(self._limit_headers(self.rate_limit - len(self._sent)))
            return response

    def before(self, request: Request) -> Response | None:
        if request.path.startswith("/oauth/"):
            return None
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        expires: float | None = math.inf if token == SANDBOX_TOKEN else None
        if scheme.lower() == "bearer" and expires is None:
            row = self.db.execute("SELECT expires_at FROM hs_tokens WHERE token = ?", (token,)).fetchone()
            expires = row[0] if row else None
        if scheme.lower() != "bearer" or expires is None:
            return error(401, "Authentication credentials not found. This API supports OAuth 2.0 authentication"
                         " and you can find more details at https://developers.hubspot.com/docs/methods/auth/"
                         "oauth-overview", "INVALID_AUTHENTICATION")
        if expires < time.time():
            return error(401, f"The OAuth token used to make this call expired {int(time.time() - expires)} "
                         "second(s) ago.", "EXPIRED_AUTHENTICATION")
        return self._throttle_search(request) or self._throttle()

    def _throttle_search(self, request: Request) -> Response | None:
        if self.search_limit is None or not request.path.endswith("/search"):
            return None
        now = self.clock()
        while self._searches and self._searches[0] <= now - 1.0:
            self._searches.popleft()
        if len(self._searches) < self.search_limit:
            self._searches.append(now)
            return None
        self.count("throttled", "search")
        body = {"status": "error", "message": "You have reached your secondly limit.", "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()), "policyName": "SECONDLY"}
        return Response(429, body, headers={"Retry-After": "1"})

    def _throttle(self) -> Response | None:
        if self.rate_limit is None:
            return None
        now = self.clock()
        while self._sent and self._sent[0] <= now - WINDOW_SECONDS:
            self._sent.popleft()
        if len(self._sent) < self.rate_limit:
            self._sent.append(now)
            if len(self._sent) > self._peak:  # the busiest 10 s so far (a counter only grows: add the difference)
                self.count("window_peak", "ten_secondly_rolling", len(self._sent) - self._peak)
                self._peak = len(self._sent)
            return None
        wait = max(1, math.ceil(self._sent[0] + WINDOW_SECONDS - now))
        self.count("throttled", "ten_secondly_rolling")  # the 429s callers caused by their own pace
        body = {"status": "error", "message": "You have reached your ten_secondly_rolling limit.",
                "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()), "policyName": "TEN_SECONDLY_ROLLING"}
        return Response(429, body, headers={**self._limit_headers(0), "Retry-After": str(wait)})

    def _limit_headers(self, remaining: int) -> dict[str, str]:
        return {"X-HubSpot-RateLimit-Max": str(self.rate_limit), "X-HubSpot-RateLimit-Remaining": str(remaining),
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(int(WINDOW_SECONDS * 1000))}

    def _authorize(self, request: Request) -> Response:
        """``GET /oauth/authorize``: the user "grants access" at once; 302 to ``redirect_uri`` with a code.

        HubSpot's sign-in page takes ``client_id``, ``scope``, ``redirect_uri`` and ``state`` (OAuth quickstart
        guide, https://developers.hubspot.com/docs/apps/legacy-apps/authentication/oauth-quickstart-guide) and,
        for PKCE, ``code_challenge`` with ``code_challenge_method=S256`` (RFC 7636 §4.3; the token endpoint
        takes ``code_verifier`` per ``Auth/Oauth/.../v1/oauth.json``, shared/API-FACTS-DETAIL.md §1).
        """
        redirect, state = request.arg("redirect_uri") or "", request.arg("state")
        if request.arg("client_id") != SANDBOX_CLIENT_ID or not redirect.startswith(("http://", "https://")):
            return Response(400, {"status": "BAD_CLIENT_ID" if redirect else "BAD_REDIRECT_URI",
                                  "message": "unknown client_id or missing redirect_uri"})
        challenge = request.arg("code_challenge")
        if challenge and request.arg("code_challenge_method", "plain") != "S256":
            return Response(400, {"status": "BAD_CODE_CHALLENGE", "message": "only S256 is supported"})
        code = f"sandbox-hubspot-code-{secrets.token_hex(12)}"
        self.db.execute("INSERT INTO hs_auth_codes VALUES (?, ?, ?, ?)",
                        (code, redirect, challenge, time.time() + AUTH_CODE_SECONDS))
        query = urlencode({"code": code, **({"state": state} if state is not None else {})})
        return Response(302, "", headers={"Location": f"{redirect}{'&' if '?' in redirect else '?'}{query}"})

    def _code_problem(self, form: dict[str, str]) -> str | None:
        """Why an authorization_code grant is refused (None: valid); the code is used up either way."""
        row = self.db.execute("DELETE FROM hs_auth_codes WHERE code = ? RETURNING redirect_uri, challenge,"
                              " expires_at", (form.get("code", ""),)).fetchone()
        if row is None or row[2] < time.time():
            return "code"
        if form.get("redirect_uri") != row[0]:
            return "redirect_uri"
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "replace")).digest())
        if row[1] and not hmac.compare_digest(digest.rstrip(b"=").decode(), row[1]):
            return "code_verifier"
        return None

    def _token(self, request: Request) -> Response:
        """``POST /oauth/v1/token`` (form-encoded): refresh_token, or authorization_code (with PKCE) grants."""
        form = request.form()
        expected = {"grant_type": "refresh_token", "client_id": SANDBOX_CLIENT_ID,
                    "client_secret": SANDBOX_CLIENT_SECRET, "refresh_token": SANDBOX_REFRESH_TOKEN}
        if form.get("grant_type") == "authorization_code":
            expected = {"grant_type": "authorization_code", "client_id": SANDBOX_CLIENT_ID,
                        "client_secret": SANDBOX_CLIENT_SECRET}
        wrong = next((key for key, value in expected.items() if form.get(key) != value), None)
        if not wrong and form["grant_type"] == "authorization_code":
            wrong = self._code_problem(form)
        if wrong:
            status = {"grant_type": "BAD_GRANT_TYPE", "code": "BAD_AUTH_CODE"}.get(wrong, f"BAD_{wrong.upper()}")
            return Response(400, {"status": status, "message": f"missing or unknown {wrong}",
                                  "correlationId": str(uuid.uuid4())})
        token = f"sandbox-hubspot-oauth-{secrets.token_hex(16)}"
        self.db.execute("INSERT INTO hs_tokens VALUES (?, ?)", (token, time.time() + ACCESS_TOKEN_SECONDS))
        # HubSpot lists the granted scopes as ``scopes`` (not RFC 6749's ``scope``; issue 9, checked with Prism [V]).
        return Response(200, {"token_type": "bearer", "refresh_token": SANDBOX_REFRESH_TOKEN, "access_token": token,
                              "expires_in": ACCESS_TOKEN_SECONDS, "scopes": ["crm.objects.deals.read", "oauth"]})

    # -- storage ------------------------------------------------------------------------
    def _stamp(self) -> int:
        """Now in epoch ms, strictly after every stored change (so modified-date order is total)."""
        if self._last_ms is None:
            latest = self.db.execute("SELECT max(updated_at) FROM hs_objects").fetchone()[0]
            self._last_ms = (to_ms(latest) or 0) if latest else 0
        self._last_ms = max(int(time.time() * 1000), self._last_ms + 1)
        return self._last_ms

    def _insert(self, kind: Kind, props: dict[str, str], created: int, updated: int) -> Obj:
        cursor = self.db.execute("INSERT INTO hs_objects (kind, props, created_at, updated_at)"
                                 " VALUES (?, '{}', ?, ?)", (kind.name, iso_ms(created), iso_ms(updated)))
        obj = Obj(int(cursor.lastrowid or 0), {k: v for k, v in props.items() if v}, iso_ms(created),
                  iso_ms(updated))
        obj.props.update({"hs_object_id": str(obj.id), "createdate": obj.created, kind.modified: obj.updated})
        self._save(obj)
        return obj

    def _save(self, obj: Obj) -> None:
        self.db.execute("UPDATE hs_objects SET props = ?, updated_at = ? WHERE id = ?",
                        (json.dumps(obj.props), obj.updated, obj.id))

    def _load(self, kind: Kind, value: str, id_property: str | None = None) -> Obj | None:
        """The object whose id (or unique ``id_property``) is ``value``."""
        if id_property and id_property != "hs_object_id":
            if id_property not in kind.unique:
                raise invalid(f"Unable to perform update/upsert by non-unique {kind.type_id} property {id_property}")
            value = value.lower() if id_property == "email" else value
            row = self.db.execute(f"{_COLUMNS} AND json_extract(props, '$.{id_property}') = ?",  # a known name
                                  (kind.name, value)).fetchone()
        else:
            row = self.db.execute(f"{_COLUMNS} AND id = ?",
                                  (kind.name, int(value) if value.isdigit() else -1)).fetchone()
        return Obj(row[0], json.loads(row[1]), row[2], row[3]) if row else None

    def _all(self, kind: Kind) -> list[Obj]:
        return [Obj(r[0], json.loads(r[1]), r[2], r[3])
                for r in self.db.execute(f"{_COLUMNS} ORDER BY id", (kind.name,))]

    def _stages(self, pipeline: str) -> list[str] | None:
        row = self.db.execute("SELECT stages FROM hs_pipelines WHERE kind = 'deals' AND id = ?",
                              (pipeline,)).fetchone()
        return [stage[0] for stage in json.loads(row[0])] if row else None

    # -- writes -------------------------------------------------------------------------
    def _check(self, kind: Kind, obj: Obj | None, props: dict[str, Any]) -> list[tuple[str, str, str]]:
        """Problems ``(property, code, message)`` with writing ``props`` to ``obj`` (None = create)."""
        problems = []
        for name, value in props.items():
            if name in READ_ONLY:
                problems.append((name, "READ_ONLY_VALUE", f"{name} is a read only property; its value cannot be set."))
            elif name not in kind.writable:
                problems.append((name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist'))
            elif isinstance(value, dict | list):
                problems.append((name, "INVALID_TYPE", f"{name} must be a string"))
        merged = {**(obj.props if obj else {}), **{k: text(v) for k, v in props.items()}}
        if kind is DEALS:
            if merged.get("amount") and not _is_number(merged["amount"]):
                problems.append(("amount", "INVALID_FLOAT", f"{merged['amount']} was not a valid number."))
            if merged.get("closedate") and to_ms(merged["closedate"]) is None:
                problems.append(("closedate", "INVALID_DATE", f"{merged['closedate']} was not a valid date."))
            if obj is None or {"dealstage", "pipeline"} & props.keys():
                stages = self._stages(merged.get("pipeline") or "default")
                stage = merged.get("dealstage") or "(empty)"
                if stages is None:
                    problems.append(("pipeline", "INVALID_OPTION",
                                     f"{merged.get('pipeline')} was not one of the allowed options"))
                elif stage not in stages:
                    problems.append(("dealstage", "INVALID_OPTION",
                                     f"{stage} was not one of the allowed options: [{', '.join(stages)}]"))
        if kind is LINE_ITEMS:  # "The price … cannot be negative" (line items guide [V]; the code is [U])
            for name in ("quantity", "price"):
                if merged.get(name) and not _is_number(merged[name]):
                    problems.append((name, "INVALID_FLOAT", f"{merged[name]} was not a valid number."))
            if _is_number(merged.get("price") or "0") and float(merged.get("price") or 0) < 0:
                problems.append(("price", "INVALID_FLOAT", "price cannot be negative."))
        if kind is CONTACTS and "@" not in merged.get("email", "@"):
            problems.append(("email", "INVALID_EMAIL", f"Email address {merged['email']} is invalid"))
        return problems

    def _validate(self, kind: Kind, plan: list[tuple[Obj | None, dict[str, Any]]]) -> None:
        """Refuse the whole call (HubSpot's 400 "Property values were not valid") if any input is bad."""
        problems = [p for obj, props in plan for p in self._check(kind, obj, props)]
        if problems:
            listed = json.dumps([{"isValid": False, "message": m, "error": c, "name": n} for n, c, m in problems])
            raise invalid(f"Property values were not valid: {listed}", errors=[
                {"message": m, "code": c, "context": {"propertyName": [n]}} for n, c, m in problems])
        for obj, props in plan:
            for name in kind.unique & props.keys():
                other = self._load(kind, text(props[name]), name) if text(props[name]) else None
                if other is not None and (obj is None or other.id != obj.id):
                    raise Refused(error(409, f"{kind.label.title()} already exists. Existing ID: {other.id}",
                                        "CONFLICT"))

    def _apply(self, kind: Kind, obj: Obj, props: dict[str, Any]) -> None:
        """Write ``props`` to ``obj``; bump its modified date only if something changed; count it."""
        changed = False
        for name, value in props.items():
            new = text(value).lower() if name == "email" else text(value)
            if obj.props.get(name, "") != new:
                changed = True
                if new:
                    obj.props[name] = new
                else:
                    obj.props.pop(name, None)
        if changed:
            obj.updated = obj.props[kind.modified] = iso_ms(self._stamp())
            self._save(obj)
        self.count(f"{kind.label.lower()}_{'writes' if changed else 'noop'}", str(obj.id))

    def _new(self, kind: Kind, props: dict[str, Any]) -> Obj:
        values = {k: text(v).lower() if k == "email" else text(v) for k, v in props.items()}
        if kind is DEALS:
            values.setdefault("pipeline", "default")
        stamp = self._stamp()
        obj = self._insert(kind, values, stamp, stamp)
        self.count(f"{kind.label.lower()}_writes", str(obj.id))
        return obj

    def _public(self, kind: Kind, obj: Obj, wanted: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        """The ``SimplePublicObject`` view: asked-for (or default) properties plus HubSpot's own."""
        names = dict.fromkeys([*(wanted or kind.defaults), "hs_object_id", "createdate", kind.modified])
        props = {n: obj.props.get(n) for n in names if n in kind.writable | READ_ONLY}
        return {"id": str(obj.id), "properties": props, "createdAt": obj.created, "updatedAt": obj.updated,
                "archived": False, **extra}

    # -- handlers: single objects and pipelines -----------------------------------------
    def _list(self, kind: Kind, request: Request) -> Response:
        limit, after = _int(request.arg("limit"), 10), _int(request.arg("after"), 0)
        if not 0 < limit <= LIST_LIMIT_MAX:
            raise invalid(f"limit must be between 1 and {LIST_LIMIT_MAX}")
        objs = [o for o in self._all(kind) if o.id >= after]
        body: dict[str, Any] = {"results": [self._public(kind, o, _names(request)) for o in objs[:limit]]}
        if len(objs) > limit:
            body["paging"] = {"next": {"after": str(objs[limit].id), "link": f"?after={objs[limit].id}"}}
        return Response(200, body)

    def _get(self, kind: Kind, request: Request) -> Response:
        obj = self._load(kind, request.params["objectId"], request.arg("idProperty"))
        if obj is None:
            return error(404, "resource not found", "OBJECT_NOT_FOUND")
        return Response(200, self._public(kind, obj, _names(request)))

    def _patch(self, kind: Kind, request: Request) -> Response:
        props = _properties(_body(request).get("properties"))
        obj = self._load(kind, request.params["objectId"], request.arg("idProperty"))
        if obj is None:
            return error(404, "resource not found", "OBJECT_NOT_FOUND")
        self._validate(kind, [(obj, props)])
        self._apply(kind, obj, props)
        return Response(200, self._public(kind, obj, list(props)))

    def _create(self, kind: Kind, request: Request) -> Response:
        props = _properties(_body(request).get("properties"))
        self._validate(kind, [(None, props)])
        return Response(201, self._public(kind, self._new(kind, props), list(props)))

    def _properties(self, request: Request) -> Response:
        """``GET /crm/v3/properties/{objectType}``: the portal's properties (``properties.json`` shape, trimmed):
        name, label, type, fieldType, options (deal stages for ``dealstage``), read-only flags."""
        kind = KINDS.get(request.params["objectType"])
        if kind is None:
            return error(400, f"Unable to infer object type from: {request.params['objectType']}", "VALIDATION_ERROR")
        stages = [(sid, label) for _p, _l, _o, st in PIPELINES for sid, label, _w in st] if kind is DEALS else []
        results = []
        for name in sorted(kind.writable | READ_ONLY):
            typ = "datetime" if name in DATETIME_PROPS else "number" if name in NUMBER_PROPS else "string"
            options = [{"label": label, "value": sid, "hidden": False} for sid, label in stages] \
                if name == "dealstage" else []
            results.append({"name": name, "label": name.replace("_", " ").capitalize(), "type":
                            "enumeration" if options else typ, "fieldType": "select" if options else "text",
                            "options": options, "hasUniqueValue": name in kind.unique,
                            "modificationMetadata": {"readOnlyValue": name in READ_ONLY}})
        return Response(200, {"results": results})

    def _pipelines(self, request: Request) -> Response:
        """``GET /crm/v3/pipelines/{objectType}[/{pipelineId}]`` for deals (``deals`` or ``0-3``)."""
        if request.params["objectType"] not in ("deals", "0-3"):
            return error(400, f"Unable to infer object type from: {request.params['objectType']}",
                         "VALIDATION_ERROR")
        wanted = request.params.get("pipelineId")
        rows = self.db.execute("SELECT id, label, display_order, stages FROM hs_pipelines WHERE kind = 'deals'"
                               " AND (? IS NULL OR id = ?) ORDER BY display_order", (wanted, wanted)).fetchall()
        stamps = {"archived": False, "createdAt": FIXED_TIME, "updatedAt": FIXED_TIME}
        found = [{"id": pid, "label": label, "displayOrder": order, **stamps, "stages": [
            {"id": sid, "label": slabel, "displayOrder": n, **stamps, "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
             "metadata": {"probability": str(p), "isClosed": str(p in (0.0, 1.0)).lower()}}
            for n, (sid, slabel, p) in enumerate(json.loads(stages))]} for pid, label, order, stages in rows]
        if wanted is None:
            return Response(200, {"results": found})
        return Response(200, found[0]) if found else error(404, "Pipeline not found", "OBJECT_NOT_FOUND")

    # -- handlers: batch and search -----------------------------------------------------
    def _inputs(self, request: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        body = _body(request)
        inputs = body.get("inputs")
        if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
            raise invalid("Invalid input JSON: 'inputs' must be a list of objects")
        if len(inputs) > BATCH_MAX:
            raise invalid(f"Batch input of {len(inputs)} objects exceeds the limit of {BATCH_MAX} per request",
                          context={"limit": [str(BATCH_MAX)]})
        return body, inputs

    def _batch(self, kind: Kind, results: list[dict[str, Any]], missing: list[str], started: str,
               status: int = 200) -> Response:
        """A ``BatchResponse…`` body; 207 ``…WithErrors`` naming the ids that were not found."""
        body: dict[str, Any] = {"status": "COMPLETE", "results": results, "requestedAt": started,
                                "startedAt": started, "completedAt": iso_ms(int(time.time() * 1000))}
        if not missing:
            return Response(status, body)
        body["numErrors"] = 1
        body["errors"] = [{"status": "error", "category": "OBJECT_NOT_FOUND", "context": {"ids": missing},
                           "message": f"Could not get some {kind.label} objects, they may be deleted or not "
                                      "exist. Check that ids are valid.", "errors": [], "links": {}}]
        return Response(207, body)

    def _batch_read(self, kind: Kind, request: Request) -> Response:
        started = iso_ms(int(time.time() * 1000))
        body, inputs = self._inputs(request)
        results, missing = [], []
        for item in inputs:
            obj = self._load(kind, text(item.get("id")), body.get("idProperty"))
            if obj is None:
                missing.append(text(item.get("id")))
            else:
                results.append(self._public(kind, obj, body.get("properties") or None))
        return self._batch(kind, results, missing, started)

    def _batch_write(self, kind: Kind, request: Request) -> Response:
        """``batch/update`` (existing objects only), ``batch/upsert`` (create or update), ``batch/create``."""
        started = iso_ms(int(time.time() * 1000))
        op = request.path.rsplit("/", 1)[1]
        items: list[tuple[dict[str, Any], Obj | None, dict[str, Any]]] = []
        missing: list[str] = []
        seen: set[str] = set()
        links: list[list[tuple[Kind, int, int]]] = []
        for item in self._inputs(request)[1]:
            props = _properties(item.get("properties"))
            id_value, id_property = text(item.get("id")), item.get("idProperty")
            if op == "create":
                items.append((item, None, props))
                links.append(self._inline_links(kind, item.get("associations")))
                continue
            if not id_value or (op == "upsert" and not id_property):
                raise invalid(f"Each {op} input needs an 'id'" + (" and an 'idProperty'" if op == "upsert" else ""))
            if id_value.lower() in seen:
                raise invalid(f"Duplicate IDs found in batch input: [{id_value}]. IDs must be unique")
            seen.add(id_value.lower())
            obj = self._load(kind, id_value, id_property)
            if obj is None and op == "update":
                missing.append(id_value)
            else:  # an upsert that creates carries the unique value it was matched on
                items.append((item, obj, props if obj else {**props, str(id_property): id_value}))
        self._validate(kind, [(obj, props) for _item, obj, props in items])
        results = []
        for n, (item, obj, props) in enumerate(items):
            extra: dict[str, Any] = {"new": obj is None} if op == "upsert" else {}
            if item.get("objectWriteTraceId"):
                extra["objectWriteTraceId"] = item["objectWriteTraceId"]
            if obj is None:
                obj = self._new(kind, props)
            else:
                self._apply(kind, obj, props)
            for target, to_id, type_id in links[n] if links else ():
                self._link(kind, obj.id, target, to_id, type_id)
            results.append(self._public(kind, obj, list(props), **extra))
        return self._batch(kind, results, missing, started, 201 if op == "create" else 200)

    # -- handlers: associations v4 ------------------------------------------------------
    def _inline_links(self, kind: Kind, value: Any) -> list[tuple[Kind, int, int]]:
        """A create input's ``associations`` (``[{to: {id}, types: [{associationCategory, associationTypeId}]}]``),
        checked: the type must be a default one of this object, the record must exist."""
        if not isinstance(value, list):
            raise invalid("Invalid input JSON: 'associations' must be a list")
        found = []
        for link in value:
            to_id = text(((link or {}).get("to") or {}).get("id"))
            for spec in (link or {}).get("types") or [{}]:
                type_id = spec.get("associationTypeId")
                target = next((KINDS[b] for (a, b), t in DEFAULT_TYPES.items() if (a, t) == (kind.name, type_id)),
                              None)
                if spec.get("associationCategory") != "HUBSPOT_DEFINED" or target is None:
                    raise invalid(f"{spec.get('associationCategory')} association type {type_id} is not valid for "
                                  f"{kind.name}", context={"associationTypeId": [str(type_id)]})
                if self._load(target, to_id) is None:
                    raise invalid(f"No {target.label} with id {to_id} to associate with",
                                  context={"ids": [to_id]})
                found.append((target, int(to_id), int(type_id)))
        return found

    def _link(self, kind: Kind, from_id: int, target: Kind, to_id: int, type_id: int) -> bool:
        """Store an association in both directions; False when it existed already."""
        back = DEFAULT_TYPES[(target.name, kind.name)]
        new = self.db.execute("INSERT OR IGNORE INTO hs_associations VALUES (?, ?, ?, ?, ?)",
                              (kind.name, from_id, target.name, to_id, type_id)).rowcount
        self.db.execute("INSERT OR IGNORE INTO hs_associations VALUES (?, ?, ?, ?, ?)",
                        (target.name, to_id, kind.name, from_id, back))
        self.count(f"association_{'writes' if new else 'noop'}", f"{kind.name}:{from_id}->{target.name}:{to_id}")
        return bool(new)

    def _pair(self, request: Request) -> tuple[Kind, Kind, int]:
        kinds = [KINDS.get(request.params[k]) for k in ("fromObjectType", "toObjectType")]
        if kinds[0] is None or kinds[1] is None or (kinds[0].name, kinds[1].name) not in DEFAULT_TYPES:
            raise invalid(f"Unable to infer association between {request.params['fromObjectType']} and "
                          f"{request.params['toObjectType']}")
        return kinds[0], kinds[1], DEFAULT_TYPES[(kinds[0].name, kinds[1].name)]

    def _associate(self, source: Kind, target: Kind, type_id: int, pairs: list[tuple[str, str]]) -> Response:
        """Default associations for ``pairs``; one result per pair, a 207 naming the records that do not exist."""
        started = iso_ms(int(time.time() * 1000))
        results, missing = [], []
        for from_id, to_id in pairs:
            absent = [i for i, kind in ((from_id, source), (to_id, target)) if self._load(kind, i) is None]
            if absent:
                missing += absent
                continue
            self._link(source, int(from_id), target, int(to_id), type_id)
            results.append({"from": {"id": from_id}, "to": {"id": to_id}, "associationSpec": {
                "associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}})
        return self._batch(target, results, missing, started)

    def _associate_one(self, request: Request) -> Response:
        """``PUT /crm/v4/objects/{from}/{fromId}/associations/default/{to}/{toId}``."""
        source, target, type_id = self._pair(request)
        return self._associate(source, target, type_id, [(request.params["fromObjectId"],
                                                          request.params["toObjectId"])])

    def _associate_batch(self, request: Request) -> Response:
        """``POST /crm/v4/associations/{from}/{to}/batch/associate/default`` with ``inputs: [{from, to}]``."""
        source, target, type_id = self._pair(request)
        inputs = self._inputs(request)[1]
        pairs = [(text((i.get("from") or {}).get("id")), text((i.get("to") or {}).get("id"))) for i in inputs]
        if not all(a and b for a, b in pairs):
            raise invalid("Each input needs from.id and to.id")
        return self._associate(source, target, type_id, pairs)

    def _associations_read(self, request: Request) -> Response:
        """``POST /crm/v4/associations/{from}/{to}/batch/read``: per record its associated ids, paged by ``after``
        (``association_page`` per page); records that do not exist are named in a 207."""
        started = iso_ms(int(time.time() * 1000))
        source, target, _type = self._pair(request)
        results, missing = [], []
        for item in self._inputs(request)[1]:
            from_id, after = text(item.get("id")), _int(text(item.get("after")), 0)
            if self._load(source, from_id) is None:
                missing.append(from_id)
                continue
            rows = self.db.execute(
                "SELECT to_id, type_id FROM hs_associations WHERE from_kind = ? AND from_id = ? AND to_kind = ? "
                "AND to_id > ? ORDER BY to_id LIMIT ?",
                (source.name, int(from_id), target.name, after, self.association_page + 1)).fetchall()
            page = rows[:self.association_page]
            result: dict[str, Any] = {"from": {"id": from_id}, "to": [
                {"toObjectId": str(to_id), "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id,
                                                             "label": None}]} for to_id, type_id in page]}
            if len(rows) > len(page):
                result["paging"] = {"next": {"after": str(page[-1][0]), "link": None}}
            results.append(result)
        return self._batch(source, results, missing, started)

    def _search(self, kind: Kind, request: Request) -> Response:
        """``POST …/search``: filter groups OR-ed, filters AND-ed, sorts, ``after`` offsets up to the cap."""
        body = _body(request)
        limit, after, groups = body.get("limit", 10), text(body.get("after")) or "0", body.get("filterGroups") or []
        if not isinstance(limit, int) or not 0 < limit <= SEARCH_LIMIT_MAX:
            raise invalid(f"limit must be between 1 and {SEARCH_LIMIT_MAX}")
        if not after.isdigit():
            raise invalid(f"Invalid paging cursor: {after}")
        # Limits since 2024-08-26 (API-FACTS-DETAIL §1): 5 groups, 10 filters per group, 25 in all.
        if len(groups) > 5 or sum(len(g.get("filters") or []) for g in groups) > 25 or \
                any(len(g.get("filters") or []) > 10 for g in groups):
            raise invalid("Too many filters: at most 5 filter groups, 10 filters per group and 25 in all")
        offset = int(after)
        if offset + limit > self.search_cap:
            raise invalid(f"Search results are limited to {self.search_cap}; narrow the query (for example by "
                          f"{kind.modified}) instead of paging further")
        found = [o for o in self._all(kind)
                 if not groups or any(all(_matches(o.props, f) for f in g.get("filters") or []) for g in groups)]
        for spec in reversed(body.get("sorts") or []):
            name, descending = _sort_spec(spec)
            present = sorted((o for o in found if o.props.get(name)), key=_by(name), reverse=descending)
            found = present + [o for o in found if not o.props.get(name)]
        page = found[offset:offset + limit]
        out: dict[str, Any] = {"total": len(found), "results": [
            self._public(kind, o, body.get("properties") or None) for o in page]}
        if offset + limit < len(found):
            out["paging"] = {"next": {"after": str(offset + limit)}}
        return Response(200, out)


def _body(request: Request) -> dict[str, Any]:
    try:
        body = request.json()
    except ValueError as exc:
        raise invalid(f"Invalid input JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise invalid("Invalid input JSON: expected an object")
    return body


def _properties(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid("Invalid input JSON: 'properties' must be an object")
    return value


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def _names(request: Request) -> list[str] | None:
    return [n for v in request.query.get("properties", []) for n in v.split(",") if n] or None


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _key(name: str, value: Any) -> tuple[int, Any]:
    """A comparable key: instants for dates, numbers for numbers, case-folded text otherwise."""
    if name in DATETIME_PROPS and (ms := to_ms(value)) is not None:
        return (0, ms)
    if name in NUMBER_PROPS and _is_number(text(value)):
        return (0, float(text(value)))
    return (1, text(value).casefold())


def _by(name: str) -> Callable[[Obj], tuple[int, Any]]:
    return lambda obj: _key(name, obj.props[name])


def _sort_spec(spec: Any) -> tuple[str, bool]:
    """``"prop"``/``"-prop"`` (the spec's string items) or ``{propertyName, direction}`` (the docs' form)."""
    if isinstance(spec, dict):
        return str(spec.get("propertyName")), str(spec.get("direction", "ASCENDING")).upper() == "DESCENDING"
    return str(spec).lstrip("-"), str(spec).startswith("-")


def _matches(props: dict[str, str], flt: dict[str, Any]) -> bool:
    """One search filter against one object's properties."""
    name, op = str(flt.get("propertyName")), flt.get("operator")
    have = props.get(name)
    if op in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
        return bool(have) == (op == "HAS_PROPERTY")
    if op in ("IN", "NOT_IN"):
        inside = bool(have) and _key(name, have) in {_key(name, v) for v in flt.get("values") or []}
        return inside == (op == "IN")
    if op not in ("EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN"):
        raise invalid(f"Unsupported filter operator: {op}")
    if not have:
        return op == "NEQ"
    mine, theirs = _key(name, have), _key(name, flt.get("value"))
    if op == "BETWEEN":
        return theirs <= mine <= _key(name, flt.get("highValue"))
    return {"EQ": mine == theirs, "NEQ": mine != theirs, "GT": mine > theirs, "GTE": mine >= theirs,
            "LT": mine < theirs, "LTE": mine <= theirs}[op]


App = HubSpotSandbox
