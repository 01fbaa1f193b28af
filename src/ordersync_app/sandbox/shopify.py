"""A local Shopify store: the Admin GraphQL API on loopback, for demos, tests and the contract suite.

Why it exists: Shopify has no public test server, and Prism cannot mock GraphQL
(shared/specs/shopify/README.md). The Shopify connector is therefore built and demonstrated
against this emulator. It runs real GraphQL (graphql-core) over our own subset of Shopify's schema
(``shopify_schema.graphql``, real type and field names), with Shopify's paging, search syntax,
cost-based throttling, auth and error shapes. Orders live in SQLite, so a demo survives a restart.

The vendor behaviour it copies (shared/API-FACTS-DETAIL.md §3):

- ``POST /admin/api/{version}/graphql.json`` with ``X-Shopify-Access-Token``; a wrong token gets
  401 ``{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}``.
- ``orders(query:)`` search syntax (https://shopify.dev/docs/api/usage/search-syntax and the table
  of the ``orders.query`` argument in the 2025-01 schema): ``updated_at:>='…'``, ``created_at:…``,
  ``fulfillment_status:shipped|unshipped|…``, ``tag:``, ``name:``. Unknown terms are ignored and
  reported in ``extensions.search`` warnings.
- Relay paging with opaque base64 cursors (``first``/``after``, at most 250, as
  https://shopify.dev/api/usage/limits says).
- Calculated query cost in a leaky bucket: 1,000 points, 100 points/s restored (Standard plan,
  https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits); objects cost 1, scalars 0,
  a list or connection costs its ``first`` times its items, a mutation costs 10. Every answer
  carries ``extensions.cost``. A throttled call gets HTTP 200 with ``errors[].extensions.code =
  "THROTTLED"`` and ``actualQueryCost: null``, the body shape shown in
  https://community.shopify.com/t/throttled/254776. Whether Shopify sends 200 or 429 is not settled
  [S]; the connector copes with both.
- The client credentials grant, ``POST /admin/oauth/access_token``
  (https://shopify.dev/docs/apps/build/authentication-authorization/client-secrets). It issues
  tokens that expire after 86,399 s.

- Customers (``customers(query:)`` with ``updated_at``/``created_at``/``email``/``id`` terms, ``customer(id:)``,
  ``customerUpdate``), one per demo order (id 7000 + i, as in ``demo_data``); ``Order.customer`` is the live
  customer. ``orderCreate`` (2025-01 ``OrderCreateOrderInput``: line items with ``priceSet``, currency, email,
  note, tags, ``sourceIdentifier``, shipping address, ``customer.toUpsert`` by email).

Simplifications: one fulfillment order per order (``gid://shopify/FulfillmentOrder/<order id +
100000>``), and ``fulfillmentCreate`` fulfils whole fulfillment orders only. Mutations that change an
order or a customer move its ``updatedAt`` to now (never backwards). Prices are kept in the order's
currency, which also serves as the shop money; a customer's ``amountSpent`` is the sum of its orders in
its first order's currency. ``orderCreate``'s refusals (empty line items, a line in another currency)
are userErrors with code ``INVALID`` and our own wording [U]; ``customerUpdate`` refuses an email another
customer has ("Email has already been taken" [U]). Counters: ``call``/<mutation> for every mutation,
``order_writes``/<order id> and ``customer_writes``/<customer id> only when a write changed the object
(``customer_noop`` otherwise), and ``throttled``.
"""

from __future__ import annotations

import base64
import json
import random
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    build_schema,
    execute_sync,
    parse,
    validate,
)
from graphql.utilities import value_from_ast_untyped

from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxApp
from ordersync_app.sandbox.demo_data import demo_order
from ordersync_app.sandbox.outbox import Outbox

# Cost buckets (maximum, restore rate per second) by plan: Standard 100/s, Advanced 200/s, Plus 1,000/s
# (https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits [V]). The sandbox shop is a Plus store, so
# demos and drills are not paced by Standard; "unmetered" is for benchmarks that measure the CRM side alone.
PLANS = {"standard": (1000.0, 100.0), "advanced": (2000.0, 200.0), "plus": (10000.0, 1000.0),
         "unmetered": (1e12, 1e12)}

ACCESS_TOKEN = "sandbox-shopify-token"  # noqa: S105 - public demo value, opens only this emulator
CLIENT_ID = "sandbox-shopify-client-id"
CLIENT_SECRET = "sandbox-shopify-client-secret"  # noqa: S105 - public demo value
TOKEN_LIFETIME = 86399
SHOP = {"__typename": "Shop", "id": "gid://shopify/Shop/1", "name": "OrderSync Demo Store",
        "myshopifyDomain": "ordersync-demo.myshopify.com", "email": "owner@ordersync-demo.example",
        "currencyCode": "USD"}
INVALID_TOKEN = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
FO_OFFSET = 100000  # fulfillment order id = order id + FO_OFFSET
MAX_FIRST = 250
MUTATION_COST = 10
_VERSION = re.compile(r"^(\d{4}-\d{2}|unstable)$")
_TERM = re.compile(r"""(?P<field>\w+):(?P<op><=|>=|<|>)?(?P<value>'[^']*'|"[^"]*"|\S+)|(?P<word>\S+)""")
_FULFILLMENT_FILTER = {"shipped": "FULFILLED", "fulfilled": "FULFILLED", "unshipped": "UNFULFILLED",
                       "unfulfilled": "UNFULFILLED", "partial": "PARTIALLY_FULFILLED",
                       "scheduled": "SCHEDULED", "on_hold": "ON_HOLD", "request_declined": "REQUEST_DECLINED"}


def iso(moment: datetime) -> str:
    """Shopify's timestamp form: UTC, whole seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _gid(kind: str, number: int) -> str:
    return f"gid://shopify/{kind}/{number}"


def _parse_gid(value: str, kind: str) -> int | None:
    """The number in ``gid://shopify/<kind>/<n>``; None for another kind.

    A malformed GID is refused with a top-level error ([U]: the exact wording is not verified).
    """
    if not re.fullmatch(r"gid://shopify/\w+/\d+", value or ""):
        raise GraphQLError(f"Invalid global id '{value}'")
    match = re.fullmatch(rf"gid://shopify/{kind}/(\d+)", value)
    return int(match.group(1)) if match else None


def _encode_cursor(key: tuple[Any, Any]) -> str:
    raw = json.dumps({"last_id": key[1], "last_value": key[0]}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[Any, Any]:
    try:
        data = json.loads(base64.b64decode(cursor.encode(), validate=True))
        return data["last_value"], data["last_id"]
    except (ValueError, KeyError, TypeError) as exc:
        raise GraphQLError("Invalid cursor for current pagination sort.") from exc


def connection(items: list[dict[str, Any]], key: Callable[[dict[str, Any]], tuple[Any, Any]],
               args: dict[str, Any]) -> dict[str, Any]:
    """A Relay connection page of ``items`` sorted by ``key`` (a unique ``(value, id)`` pair)."""
    first, after, reverse = args.get("first"), args.get("after"), bool(args.get("reverse"))
    if first is None:
        raise GraphQLError("you must provide one of first or last")
    if not 0 <= first <= MAX_FIRST:
        raise GraphQLError(f"The first argument must be between 0 and {MAX_FIRST}.")
    ordered = sorted(items, key=key, reverse=reverse)
    if after:
        mark = _decode_cursor(after)
        ordered = [it for it in ordered if (key(it) < mark if reverse else key(it) > mark)]
    page = ordered[:first]
    edges = [{"cursor": _encode_cursor(key(it)), "node": it} for it in page]
    return {"edges": edges, "nodes": page, "pageInfo": {
        "hasNextPage": len(ordered) > first, "hasPreviousPage": bool(after),
        "startCursor": edges[0]["cursor"] if edges else None,
        "endCursor": edges[-1]["cursor"] if edges else None}}


def _time(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _compare(left: Any, op: str, right: Any) -> bool:
    checks = {"": left == right, ">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}
    return checks[op]


Term = tuple[str, str, Any]  # (field, comparator, value)


def parse_search(query: str | None) -> tuple[list[Term], list[dict[str, str]]]:
    """Split a Shopify search ``query`` into supported terms (implicit AND) and warnings."""
    terms: list[Term] = []
    warnings: list[dict[str, str]] = []
    for m in _TERM.finditer(query or ""):
        if m.group("word"):
            if m.group("word") != "AND":
                warnings.append({"field": m.group("word"),
                                 "message": "The sandbox supports only field:value terms joined by AND."})
            continue
        name, op, value = m.group("field"), m.group("op") or "", m.group("value").strip("'\"")
        if name in ("created_at", "updated_at", "processed_at"):
            moment = datetime.now(UTC) if value == "now" else _time(value)
            if moment is None:
                warnings.append({"field": name, "message": f"Invalid time value '{value}'."})
            else:
                terms.append(("updatedAt" if name == "updated_at" else "createdAt", op, moment))
        elif name == "fulfillment_status":
            if value != "any":
                terms.append(("displayFulfillmentStatus", "", _FULFILLMENT_FILTER.get(value, value.upper())))
        elif name in ("financial_status", "email", "name", "id", "tag", "tag_not", "status", "source_identifier"):
            terms.append((name, op, value.lower()))
        else:
            warnings.append({"field": name, "message": "Invalid search field for this query."})
    return terms, warnings


def order_matches(order: dict[str, Any], terms: list[Term]) -> bool:
    """Whether ``order`` passes every parsed search term."""
    tags = {t.lower() for t in order["tags"]}
    for name, op, value in terms:
        if name in ("createdAt", "updatedAt"):
            ok = _compare(_time(order[name]), op, value)
        elif name == "displayFulfillmentStatus":
            ok = order[name] == value
        elif name == "financial_status":
            ok = (order["displayFinancialStatus"] or "").lower() == value
        elif name == "email":
            ok = (order["email"] or "").lower() == value
        elif name == "name":
            ok = order["name"].lstrip("#") == value.lstrip("#")
        elif name == "id":
            ok = value.isdigit() and _compare(int(order["legacyResourceId"]), op, int(value))
        elif name in ("tag", "tag_not"):
            ok = (value in tags) == (name == "tag")
        elif name == "source_identifier":
            ok = (order.get("sourceIdentifier") or "").lower() == value
        else:  # status: every sandbox order is open
            ok = value not in ("closed", "cancelled")
        if not ok:
            return False
    return True


def _int_arg(node: FieldNode, name: str, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value == name:
            value = value_from_ast_untyped(arg.value, variables)
            return int(value) if isinstance(value, int) else None
    return None


def requested_cost(selection: SelectionSetNode | None, variables: dict[str, Any],
                   fragments: dict[str, FragmentDefinitionNode]) -> int:
    """Shopify's documented static cost: objects 1, scalars 0, lists/connections sized by ``first``."""
    total = 0
    for sel in selection.selections if selection else ():
        if isinstance(sel, FieldNode):
            if sel.selection_set is None:
                continue
            inner = requested_cost(sel.selection_set, variables, fragments)
            first = _int_arg(sel, "first", variables)
            if first is None and sel.name.value == "nodes":  # nodes(ids:) costs each object it asks for
                first = _ids_count(sel, variables)
            total += 2 + first * inner if first is not None else 1 + inner
        elif isinstance(sel, InlineFragmentNode):
            total += requested_cost(sel.selection_set, variables, fragments)
        elif isinstance(sel, FragmentSpreadNode):
            total += requested_cost(fragments[sel.name.value].selection_set, variables, fragments)
    return total


def _ids_count(node: FieldNode, variables: dict[str, Any]) -> int | None:
    for arg in node.arguments or ():
        if arg.name.value == "ids":
            value = value_from_ast_untyped(arg.value, variables)
            return len(value) if isinstance(value, list) else None
    return None


def _objects(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(v) for v in value.values())
    if isinstance(value, list):
        return sum(_objects(v) for v in value)
    return 0


@dataclass
class CostBucket:
    """The leaky bucket of one app on one store (points, restored continuously)."""

    maximum: float = 1000.0
    restore_rate: float = 100.0
    available: float = 1000.0
    stamp: float = field(default_factory=time.monotonic)

    def refill(self) -> None:
        """Add the points restored since the last call."""
        now = time.monotonic()
        self.available = min(self.maximum, self.available + (now - self.stamp) * self.restore_rate)
        self.stamp = now

    def status(self) -> dict[str, float]:
        """``throttleStatus`` as Shopify reports it."""
        return {"maximumAvailable": self.maximum, "currentlyAvailable": int(self.available),
                "restoreRate": self.restore_rate}


class ShopifySandbox(SandboxApp):
    """Emulated Shopify store (Admin GraphQL API) with demo orders."""

    name = "shopify"

    def __init__(self, db_path: Path) -> None:
        self.bucket = CostBucket()
        self.tokens: dict[str, float] = {}  # client-credentials tokens → expiry (monotonic)
        self._documents: dict[str, tuple[Any, list[Any]]] = {}  # query text → (document, validation errors)
        super().__init__(db_path)

    @classmethod
    def create(cls, db_path: Path, **options: Any) -> ShopifySandbox:
        """``shopify_plan``: the cost bucket of a plan (``PLANS``; the demo shop is a Plus store)."""
        app = cls(db_path)
        app.set_bucket(*PLANS[options.get("shopify_plan") or "plus"])
        return app

    def control(self, method: str, path: str, body: bytes) -> Response | None:
        """``POST /_sandbox/shopify/history`` ``{"customers": 500, "months": 12, "lines": 0}``: repeat customers'
        orders over past months (for totals per customer); ``lines: 25`` adds one order with that many line
        items. Answers the orders made (id, email, total, currency, createdAt), so a test can total them itself."""
        if method != "POST" or path != "/history":
            return None
        spec = json.loads(body or b"{}")
        made = seed_history(self.db, int(spec.get("customers", 0)), int(spec.get("months", 12)),
                            lines=int(spec.get("lines", 0)), start_id=int(spec.get("start_id", HISTORY_BASE)))
        return Response(200, {"orders": made})

    def touch(self, key: str) -> bool:
        """The order with ``legacyResourceId = key`` (or the customer with GID ``key``) changes now."""
        if key.startswith("gid://shopify/Customer/"):
            customer = self._customer(_parse_gid(key, "Customer"))
            if customer is not None:
                self._save_customer(customer, self._now())
            return customer is not None
        if not key.isdigit() or self._get(int(key)) is None:
            return False
        self._touch(int(key))
        return True

    def throttled(self, retry_after: float | None) -> Response:
        """Shopify's GraphQL throttling: HTTP 200 with a ``THROTTLED`` error (a tiny bucket shows it for real)."""
        del retry_after
        return Response(200, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]})

    def set_bucket(self, maximum: float, restore_rate: float) -> None:
        """Resize the cost bucket (tests make it tiny to provoke THROTTLED); it starts full."""
        with self.lock:
            self.bucket = CostBucket(maximum=maximum, restore_rate=restore_rate, available=maximum)

    # -- setup -------------------------------------------------------------------------------
    def setup(self) -> None:
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS shopify_orders (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL, fulfillment_status TEXT NOT NULL, tags TEXT NOT NULL,
                payload TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS shopify_fulfillments (id INTEGER PRIMARY KEY AUTOINCREMENT,
                order_id INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
                tracking TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_orders_updated ON shopify_orders (updated_at, id);
            CREATE INDEX IF NOT EXISTS ix_orders_created ON shopify_orders (created_at, id);
            CREATE INDEX IF NOT EXISTS ix_fulfillments_order ON shopify_fulfillments (order_id);
            CREATE TABLE IF NOT EXISTS shopify_customers (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL, email TEXT, body TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_customers_updated ON shopify_customers (updated_at, id);
        """)
        sdl = resources.files("ordersync_app.sandbox").joinpath("shopify_schema.graphql").read_text("utf-8")
        self.schema = self._wire(build_schema(sdl))
        self.route("POST", "/admin/api/{version}/graphql.json", self._graphql)
        self.route("POST", "/admin/oauth/access_token", self._access_token)
        self.outbox = Outbox(self.db, self.lock, app=self.name, scheme="shopify", secret=CLIENT_SECRET,
                             headers=_webhook_headers)
        if self.outbox.subscriptions():
            self.outbox.start()

    def _wire(self, schema: GraphQLSchema) -> GraphQLSchema:
        resolvers: dict[tuple[str, str], Callable[..., Any]] = {
            ("QueryRoot", "orders"): self._orders, ("QueryRoot", "order"): self._order_by_id,
            ("QueryRoot", "nodes"): lambda _root, info, ids: [self._order_by_id(_root, info, i) for i in ids],
            ("QueryRoot", "fulfillmentOrders"): self._all_fulfillment_orders,
            ("QueryRoot", "shop"): lambda _root, _info: SHOP,
            ("Mutation", "tagsAdd"): self._tags_add, ("Mutation", "fulfillmentCreate"): self._fulfillment_create,
            ("Mutation", "orderUpdate"): self._order_update,
            ("Mutation", "orderCreate"): self._order_create, ("Mutation", "customerUpdate"): self._customer_update,
            ("QueryRoot", "customers"): self._customers,
            ("QueryRoot", "customer"): lambda _root, _info, id: self._customer(_parse_gid(id, "Customer")),
            ("Order", "customer"): lambda order, _info: self._customer(order["_customer_id"]) or order["customer"],
            ("Customer", "numberOfOrders"): lambda c, _info: self._spent(c)[0],
            ("Customer", "amountSpent"): lambda c, _info: self._spent(c)[1],
            ("QueryRoot", "webhookSubscriptions"): self._webhook_subscriptions,
            ("Mutation", "webhookSubscriptionCreate"): self._webhook_subscription_create,
            ("Order", "lineItems"): lambda order, _info, **a: connection(order["_lineItems"], _index_key, a),
            ("Order", "fulfillments"): lambda order, _info, first=None: self._fulfillments(order)[:first],
            ("Order", "fulfillmentOrders"): lambda order, _info, **a: connection(
                [self._fulfillment_order(order)], _id_key, a),
            ("Fulfillment", "trackingInfo"): lambda f, _info, first=None: f["_tracking"][:first],
            ("FulfillmentOrder", "lineItems"): lambda fo, _info, **a: connection(fo["_lineItems"], _index_key, a),
        }
        for (type_name, field_name), resolve in resolvers.items():
            schema.get_type(type_name).fields[field_name].resolve = resolve  # type: ignore[union-attr]
        schema.get_type("Node").resolve_type = lambda obj, _info, _type: obj["__typename"]  # type: ignore[union-attr]
        return schema

    def seed(self, orders: int) -> None:
        """Insert demo orders ``1..orders`` that do not exist yet (orders 1–10 arrive already shipped)."""
        have = {row[0] for row in self.db.execute("SELECT id FROM shopify_orders")}
        for i in range(1, orders + 1):
            demo = demo_order(i)
            customer, ship = demo["customer"], demo["shippingAddress"]
            self.db.execute("INSERT OR IGNORE INTO shopify_customers VALUES (?, ?, ?, ?, ?)", (
                customer["id"], iso(demo["createdAt"]), iso(demo["createdAt"]), customer["email"].lower(),
                json.dumps({**{k: customer[k] for k in ("firstName", "lastName", "email")}, "phone": None, "note": None,
                            "tags": [], "defaultAddress": {**{k: ship.get(k) for k in ("address1", "city", "province",
                                                                                     "zip", "country")},
                                                           "countryCodeV2": ship.get("countryCode")}},
                           ensure_ascii=False)))
            if demo["id"] in have:
                continue
            payload = {k: v for k, v in demo.items() if k not in ("createdAt", "updatedAt", "fulfillmentStatus")}
            self.db.execute("INSERT INTO shopify_orders VALUES (?, ?, ?, ?, '[]', ?)", (
                demo["id"], iso(demo["createdAt"]), iso(demo["updatedAt"]), demo["fulfillmentStatus"],
                json.dumps(payload, ensure_ascii=False)))
            if demo["fulfillmentStatus"] == "FULFILLED":
                tracking = [{"number": f"1ZSB{demo['id']:010d}", "company": "UPS", "url": None}]
                self.db.execute(
                    "INSERT INTO shopify_fulfillments (order_id, created_at, updated_at, tracking) VALUES (?, ?, ?, ?)",
                    (demo["id"], iso(demo["updatedAt"]), iso(demo["updatedAt"]), json.dumps(tracking)))

    # -- HTTP --------------------------------------------------------------------------------
    def before(self, request: Request) -> Response | None:
        if not request.path.startswith("/admin/api/"):
            return None
        token = request.headers.get("x-shopify-access-token", "")
        if token == ACCESS_TOKEN or self.tokens.get(token, 0.0) > time.monotonic():
            return None
        return Response(401, INVALID_TOKEN)

    def _access_token(self, request: Request) -> Response:
        self.count("call", "POST /admin/oauth/access_token")
        form = request.form() if "json" not in request.headers.get("content-type", "") else request.json() or {}
        if form.get("grant_type") != "client_credentials":
            return Response(400, {"error": "unsupported_grant_type"})
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return Response(400, {"error": "invalid_client", "error_description": "Client credentials are invalid"})
        token = "shpat_sandbox_" + secrets.token_hex(16)
        self.tokens[token] = time.monotonic() + TOKEN_LIFETIME
        return Response(200, {"access_token": token, "scope": "read_orders,write_orders,"
                              "read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders",
                              "expires_in": TOKEN_LIFETIME})

    def _graphql(self, request: Request) -> Response:
        if not _VERSION.match(request.params["version"]):
            return Response(404, {"errors": "Not Found"})
        headers = {"X-Shopify-API-Version": request.params["version"]}
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return Response(400, {"errors": {"query": "Required parameter missing or invalid"}}, headers)
        checked = self._documents.get(body["query"])
        if checked is None:  # parsed and validated once per document text, as a GraphQL server caches them
            try:
                document = parse(body["query"])
            except GraphQLError as exc:
                return Response(200, {"errors": [exc.formatted]}, headers)
            checked = (document, [e.formatted for e in validate(self.schema, document)])
            if len(self._documents) < 256:
                self._documents[body["query"]] = checked
        document, problems = checked
        if problems:
            return Response(200, {"errors": problems}, headers)
        operation = _operation(document, body.get("operationName"))
        if operation is None:
            return Response(200, {"errors": [{"message": "No operation named in the document"}]}, headers)
        variables = dict(body.get("variables") or {})
        defaults = {d.variable.name.value: value_from_ast_untyped(d.default_value)
                    for d in operation.variable_definitions or () if d.default_value is not None}
        if operation.operation is OperationType.MUTATION:
            cost = MUTATION_COST * len(operation.selection_set.selections)
        else:
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            cost = requested_cost(operation.selection_set, {**defaults, **variables}, fragments)
        self.bucket.refill()
        if cost > self.bucket.maximum:
            return Response(200, {"errors": [{
                "message": f"Query cost is {cost}, which exceeds the single query max cost limit "
                           f"({int(self.bucket.maximum)}).", "extensions": {"code": "MAX_COST_EXCEEDED",
                                                                           "cost": cost}}]}, headers)
        if cost > self.bucket.available:
            self.count("throttled", "graphql")
            return Response(200, {"errors": [{"message": "Throttled", "extensions": {
                "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}],
                "extensions": {"cost": {"requestedQueryCost": cost, "actualQueryCost": None,
                                        "throttleStatus": self.bucket.status()}}}, headers)
        context: dict[str, Any] = {"search": []}
        result = execute_sync(self.schema, document, variable_values=variables, context_value=context,
                              operation_name=body.get("operationName"))
        actual = cost if operation.operation is OperationType.MUTATION else max(1, _objects(result.data))
        self.bucket.available -= actual
        answer: dict[str, Any] = {"data": result.data}
        if result.errors:
            answer["errors"] = [e.formatted for e in result.errors]
        answer["extensions"] = {"cost": {"requestedQueryCost": cost, "actualQueryCost": actual,
                                         "throttleStatus": self.bucket.status()}}
        if context["search"]:
            answer["extensions"]["search"] = context["search"]
        return Response(200, answer, headers)

    # -- state -------------------------------------------------------------------------------
    def _now(self) -> str:
        """Now, never earlier than the newest change (the demo data may lie ahead of the clock)."""
        newest = self.db.execute("SELECT MAX(u) FROM (SELECT MAX(updated_at) AS u FROM shopify_orders UNION ALL "
                                 "SELECT MAX(updated_at) FROM shopify_customers)").fetchone()[0] or ""
        return max(iso(datetime.now(UTC)), newest)

    def _load(self, where: str = "", args: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        rows = self.db.execute(f"SELECT id, created_at, updated_at, fulfillment_status, tags, payload "
                               f"FROM shopify_orders {where}", args).fetchall()
        return [_order_object(*row) for row in rows]

    def _get(self, order_id: int | None) -> dict[str, Any] | None:
        found = self._load("WHERE id = ?", (order_id,)) if order_id is not None else []
        return found[0] if found else None

    def _touch(self, order_id: int, **columns: str) -> None:
        sets = "".join(f"{name} = ?, " for name in columns)
        self.db.execute(f"UPDATE shopify_orders SET {sets}updated_at = ? WHERE id = ?",
                        (*columns.values(), self._now(), order_id))
        self.count("order_writes", str(order_id))
        order = self._get(order_id)
        if self.outbox is not None and order is not None:  # announced in the change's own transaction
            body = _webhook_body(order)
            self.outbox.announce("orders/updated", body)
            if columns.get("fulfillment_status") == "FULFILLED":
                self.outbox.announce("orders/fulfilled", body)

    # -- webhook subscriptions ---------------------------------------------------------------
    def _webhook_subscriptions(self, _root: object, _info: Any, **args: Any) -> dict[str, Any]:
        assert self.outbox is not None
        topics = [TOPICS[t] for t in args.get("topics") or TOPICS]
        subs = [_subscription(s) for s in self.outbox.subscriptions(topics)
                if not args.get("callbackUrl") or s["callback"] == args["callbackUrl"]]
        first = min(args.get("first") or MAX_FIRST, MAX_FIRST)
        return {"nodes": subs[:first], "pageInfo": {"hasNextPage": len(subs) > first, "hasPreviousPage": False,
                                                    "startCursor": None, "endCursor": None}}

    def _webhook_subscription_create(self, _root: object, _info: Any, topic: str,
                                     webhookSubscription: dict[str, Any]) -> dict[str, Any]:
        assert self.outbox is not None
        self.count("call", "webhookSubscriptionCreate")
        callback = webhookSubscription.get("callbackUrl") or ""
        try:
            sub_id, new = self.outbox.subscribe(TOPICS[topic], callback)
        except ValueError as exc:
            return {"webhookSubscription": None, "userErrors": [{"field": ["webhookSubscription", "callbackUrl"],
                                                                "message": str(exc)}]}
        if not new:  # Shopify refuses a second subscription to the same topic and address [U: message text]
            return {"webhookSubscription": None, "userErrors": [{
                "field": ["webhookSubscription", "callbackUrl"],
                "message": "Address for this topic has already been taken"}]}
        row = next(r for r in self.outbox.subscriptions() if r["id"] == sub_id)
        return {"webhookSubscription": _subscription(row), "userErrors": []}

    def _fulfillments(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, created_at, updated_at, tracking FROM shopify_fulfillments "
                               "WHERE order_id = ? ORDER BY id", (int(order["legacyResourceId"]),)).fetchall()
        return [{"__typename": "Fulfillment", "id": _gid("Fulfillment", fid), "legacyResourceId": str(fid),
                 "name": f"{order['name']}-F{n}", "status": "SUCCESS", "createdAt": created, "updatedAt": updated,
                 "_tracking": json.loads(tracking)} for n, (fid, created, updated, tracking) in enumerate(rows, 1)]

    def _fulfillment_order(self, order: dict[str, Any]) -> dict[str, Any]:
        done = order["displayFulfillmentStatus"] == "FULFILLED"
        shipped = [f["createdAt"] for f in self._fulfillments(order)]
        items = [{"__typename": "FulfillmentOrderLineItem", "sku": item["sku"], "totalQuantity": item["quantity"],
                  "id": item["id"].replace("/LineItem/", "/FulfillmentOrderLineItem/"), "_index": item["_index"],
                  "remainingQuantity": 0 if done else item["quantity"]} for item in order["_lineItems"]]
        return {"__typename": "FulfillmentOrder", "_lineItems": items,
                "id": _gid("FulfillmentOrder", int(order["legacyResourceId"]) + FO_OFFSET),
                "orderId": order["id"], "orderName": order["name"], "order": order,
                "status": "CLOSED" if done else "OPEN", "createdAt": order["createdAt"],
                "updatedAt": max(shipped, default=order["createdAt"])}

    # -- queries -----------------------------------------------------------------------------
    def _orders(self, _root: object, info: Any, **args: Any) -> dict[str, Any]:
        terms, warnings = parse_search(args.get("query"))
        fast = self._orders_page(terms, args)
        if fast is not None:
            if warnings:
                info.context["search"].append({"path": ["orders"], "query": args.get("query"), "warnings": warnings})
            return fast
        orders = [o for o in self._load() if order_matches(o, terms)]
        if warnings:
            info.context["search"].append({"path": ["orders"], "query": args.get("query"), "warnings": warnings})
        column = {"CREATED_AT": "createdAt", "PROCESSED_AT": "createdAt", "UPDATED_AT": "updatedAt"}.get(
            args.get("sortKey") or "ID")
        return connection(orders, lambda o: (o[column] if column else int(o["legacyResourceId"]),
                                             int(o["legacyResourceId"])), args)

    def _orders_page(self, terms: list[Term], args: dict[str, Any]) -> dict[str, Any] | None:
        """The common incremental query (time and fulfilment terms, sorted, forward paging) done in SQL,
        so a shop with 10,000s of orders pages in constant time. None when the query needs the slow path."""
        column = {"CREATED_AT": "created_at", "PROCESSED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(
            args.get("sortKey") or "ID")
        first = args.get("first")
        if column is None or args.get("reverse") or first is None or not 0 <= first <= MAX_FIRST:
            return None
        where, params = [], []
        for name, op, value in terms:
            if name in ("createdAt", "updatedAt"):
                where.append(f"{'updated_at' if name == 'updatedAt' else 'created_at'} {op or '='} ?")
                params.append(iso(value))
            elif name == "displayFulfillmentStatus":
                where.append("fulfillment_status = ?")
                params.append(value)
            else:
                return None
        if args.get("after"):
            mark_value, mark_id = _decode_cursor(args["after"])
            where.append(f"({column} > ? OR ({column} = ? AND id > ?))")
            params += [mark_value, mark_value, mark_id]
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        orders = self._load(f"{clause} ORDER BY {column}, id LIMIT ?", (*params, first + 1))
        page = orders[:first]
        key = "updatedAt" if column == "updated_at" else "createdAt"
        edges = [{"cursor": _encode_cursor((o[key], int(o["legacyResourceId"]))), "node": o} for o in page]
        return {"edges": edges, "nodes": page, "pageInfo": {
            "hasNextPage": len(orders) > first, "hasPreviousPage": bool(args.get("after")),
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None}}

    def _order_by_id(self, _root: object, _info: Any, id: str) -> dict[str, Any] | None:
        return self._get(_parse_gid(id, "Order"))

    def _all_fulfillment_orders(self, _root: object, _info: Any, **args: Any) -> dict[str, Any]:
        items = [self._fulfillment_order(o) for o in self._load()]
        items = [fo for fo in items if args.get("includeClosed") or fo["status"] != "CLOSED"]
        return connection(items, _id_key if args.get("sortKey") != "UPDATED_AT" else
                          lambda fo: (fo["updatedAt"], _parse_gid(fo["id"], "FulfillmentOrder")), args)

    # -- mutations ---------------------------------------------------------------------------
    def _tags_add(self, _root: object, _info: Any, id: str, tags: list[str]) -> dict[str, Any]:
        self.count("call", "tagsAdd")
        order = self._get(_parse_gid(id, "Order"))
        if order is None:
            # [U] Shopify's exact wording for an unknown id; its docs show a userError on "id".
            return {"node": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}
        wanted = [t.strip() for tag in tags for t in tag.split(",") if t.strip()]  # "a, b" counts as two tags
        merged = list(order["tags"])
        for tag in wanted:
            if tag.lower() not in {t.lower() for t in merged}:
                merged.append(tag)
        if merged != order["tags"]:
            self._touch(int(order["legacyResourceId"]), tags=json.dumps(merged, ensure_ascii=False))
        return {"node": self._get(int(order["legacyResourceId"])), "userErrors": []}

    def _fulfillment_create(self, _root: object, _info: Any, fulfillment: dict[str, Any],
                            message: str | None = None) -> dict[str, Any]:
        del message
        self.count("call", "fulfillmentCreate")
        groups = fulfillment["lineItemsByFulfillmentOrder"]
        fo_ids = {_parse_gid(g["fulfillmentOrderId"], "FulfillmentOrder") for g in groups}
        found = [self._get(n - FO_OFFSET) if n else None for n in fo_ids]  # one fulfillment order per order

        def error(text: str) -> dict[str, Any]:
            return {"fulfillment": None, "userErrors": [{"field": ["fulfillment"], "message": text}]}

        if not found or None in found:
            return error("Fulfillment order does not exist.")
        if len(found) > 1:
            return error("All fulfillment orders must belong to the same order.")
        if any(g.get("fulfillmentOrderLineItems") for g in groups):
            return error("The sandbox fulfils whole fulfillment orders only: leave fulfillmentOrderLineItems out.")
        order = found[0]
        assert order is not None
        if order["displayFulfillmentStatus"] == "FULFILLED":
            return error(f"Fulfillment order {groups[0]['fulfillmentOrderId']} has an unfulfillable status= closed.")
        info = fulfillment.get("trackingInfo") or {}
        numbers = info.get("numbers") or ([info["number"]] if info.get("number") else [])
        urls = info.get("urls") or ([info["url"]] if info.get("url") else [])
        tracking = [{"number": n, "company": info.get("company"), "url": urls[k] if k < len(urls) else None}
                    for k, n in enumerate(numbers)]
        now = self._now()
        self.db.execute("INSERT INTO shopify_fulfillments (order_id, created_at, updated_at, tracking) "
                        "VALUES (?, ?, ?, ?)", (int(order["legacyResourceId"]), now, now, json.dumps(tracking)))
        self._touch(int(order["legacyResourceId"]), fulfillment_status="FULFILLED")
        return {"fulfillment": self._fulfillments(order)[-1], "userErrors": []}

    def _order_update(self, _root: object, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self.count("call", "orderUpdate")
        order = self._get(_parse_gid(input["id"], "Order"))
        if order is None:
            return {"order": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}
        oid = int(order["legacyResourceId"])
        payload = json.loads(self.db.execute("SELECT payload FROM shopify_orders WHERE id = ?", (oid,)).fetchone()[0])
        changed = {k: input[k] for k in ("email", "note") if k in input and input[k] != payload.get(k)}
        columns: dict[str, str] = {}
        if changed:
            columns["payload"] = json.dumps({**payload, **changed}, ensure_ascii=False)
        if input.get("tags") is not None and list(input["tags"]) != order["tags"]:
            columns["tags"] = json.dumps(list(input["tags"]), ensure_ascii=False)
        if columns:
            self._touch(oid, **columns)
        return {"order": self._get(oid), "userErrors": []}

    # -- customers -----------------------------------------------------------------------------
    def _customer(self, customer_id: int | None) -> dict[str, Any] | None:
        row = self.db.execute("SELECT id, created_at, updated_at, body FROM shopify_customers WHERE id = ?",
                              (customer_id,)).fetchone() if customer_id is not None else None
        return _customer_object(*row) if row else None

    def _save_customer(self, customer: dict[str, Any], updated: str) -> None:
        body = {k: customer.get(k) for k in ("firstName", "lastName", "email", "phone", "note", "tags",
                                             "defaultAddress")}
        self.db.execute("UPDATE shopify_customers SET updated_at = ?, email = ?, body = ? WHERE id = ?",
                        (updated, (customer.get("email") or "").lower() or None, json.dumps(body, ensure_ascii=False),
                         int(customer["legacyResourceId"])))

    def _spent(self, customer: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """How many orders a customer has and their total (in the first order's currency)."""
        rows = self.db.execute("SELECT json_extract(payload, '$.total'), json_extract(payload, '$.currency') FROM "
                               "shopify_orders WHERE json_extract(payload, '$.customer.id') = ? ORDER BY id",
                               (int(customer["legacyResourceId"]),)).fetchall()
        total = sum(float(amount) for amount, _currency in rows)
        return len(rows), {"amount": f"{total:.2f}", "currencyCode": rows[0][1] if rows else SHOP["currencyCode"]}

    def _customers(self, _root: object, info: Any, **args: Any) -> dict[str, Any]:
        terms, warnings = parse_search(args.get("query"))
        if warnings:
            info.context["search"].append({"path": ["customers"], "query": args.get("query"), "warnings": warnings})
        rows = self.db.execute("SELECT id, created_at, updated_at, body FROM shopify_customers").fetchall()
        found = [c for c in (_customer_object(*row) for row in rows) if _customer_matches(c, terms)]
        column = {"CREATED_AT": "createdAt", "UPDATED_AT": "updatedAt"}.get(args.get("sortKey") or "ID")
        return connection(found, lambda c: (c[column] if column else int(c["legacyResourceId"]),
                                            int(c["legacyResourceId"])), args)

    def _customer_update(self, _root: object, _info: Any, input: dict[str, Any]) -> dict[str, Any]:
        self.count("call", "customerUpdate")
        customer = self._customer(_parse_gid(input["id"], "Customer")) if input.get("id") else None
        if customer is None:  # [U] Shopify's wording
            return {"customer": None, "userErrors": [{"field": ["id"], "message": "Customer does not exist"}]}
        cid = int(customer["legacyResourceId"])
        email = (input.get("email") or "").lower()
        if email and self.db.execute("SELECT 1 FROM shopify_customers WHERE email = ? AND id != ?",
                                     (email, cid)).fetchone():
            return {"customer": None, "userErrors": [{"field": ["email"], "message": "Email has already been taken"}]}
        wanted: dict[str, Any] = {k: input[k] for k in ("firstName", "lastName", "email", "phone", "note", "tags")
                                  if k in input}
        if any(customer.get(k) != v for k, v in wanted.items()):
            self._save_customer({**customer, **wanted}, self._now())
            self.count("customer_writes", str(cid))
        else:
            self.count("customer_noop", str(cid))
        return {"customer": self._customer(cid), "userErrors": []}

    # -- orderCreate -----------------------------------------------------------------------------
    def _order_create(self, _root: object, _info: Any, order: dict[str, Any]) -> dict[str, Any]:
        """``orderCreate``: a new unfulfilled order with its own line items (and its customer, upserted by email)."""
        self.count("call", "orderCreate")
        currency, lines = order.get("currency") or SHOP["currencyCode"], order.get("lineItems") or []

        def refused(message: str, *where: str) -> dict[str, Any]:
            return {"order": None, "userErrors": [{"field": ["order", *where], "message": message, "code": "INVALID"}]}

        if not lines:
            return refused("Line items must have at least one line item", "lineItems")
        for n, line in enumerate(lines):
            money = (line.get("priceSet") or {}).get("shopMoney")
            if line["quantity"] < 1 or not money or money["currencyCode"] != currency or float(money["amount"]) < 0:
                return refused(f"Line item {n + 1} needs a quantity of at least 1 and a price in {currency}",
                               "lineItems", str(n))
        oid = (self.db.execute("SELECT MAX(id) FROM shopify_orders").fetchone()[0] or 5000) + 1
        upsert = (order.get("customer") or {}).get("toUpsert") or {}
        customer = self._upsert_customer(upsert, order.get("shippingAddress")) if upsert.get("email") else None
        items = [{"id": oid * 1000 + n, "title": line.get("title") or "", "sku": line.get("sku"),
                  "quantity": line["quantity"], "price": str(line["priceSet"]["shopMoney"]["amount"])}
                 for n, line in enumerate(lines)]
        address = order.get("shippingAddress")
        payload = {"name": f"#{oid - 4000}", "email": order.get("email"), "note": order.get("note"),
                   "customer": customer, "lineItems": items, "currency": currency,
                   "total": f"{sum(float(i['price']) * i['quantity'] for i in items):.2f}",
                   "financialStatus": order.get("financialStatus") or "PENDING",
                   "sourceIdentifier": order.get("sourceIdentifier"),
                   "shippingAddress": {**address, "country": address.get("countryCode")} if address else None}
        now = self._now()
        self.db.execute("INSERT INTO shopify_orders VALUES (?, ?, ?, 'UNFULFILLED', ?, ?)",
                        (oid, now, now, json.dumps(order.get("tags") or [], ensure_ascii=False),
                         json.dumps(payload, ensure_ascii=False)))
        self.count("order_writes", str(oid))
        created = self._get(oid)
        if self.outbox is not None and created is not None:  # Shopify announces orders/create for it
            self.outbox.announce("orders/create", _webhook_body(created))
        return {"order": created, "userErrors": []}

    def _upsert_customer(self, wanted: dict[str, Any], address: dict[str, Any] | None) -> dict[str, Any]:
        """The customer with this email (names filled in where it has none), or a new one."""
        email = wanted["email"].lower()
        row = self.db.execute("SELECT id FROM shopify_customers WHERE email = ?", (email,)).fetchone()
        now = self._now()
        if row is None:
            cid = (self.db.execute("SELECT MAX(id) FROM shopify_customers").fetchone()[0] or 7000) + 1
            self.db.execute("INSERT INTO shopify_customers VALUES (?, ?, ?, ?, '{}')", (cid, now, now, email))
            current: dict[str, Any] = {"legacyResourceId": str(cid), "tags": [], "defaultAddress": {
                **address, "countryCodeV2": address.get("countryCode")} if address else None}
        else:
            cid, current = row[0], self._customer(row[0]) or {}
        merged = {**current, "email": wanted["email"],
                  **{k: wanted[k] for k in ("firstName", "lastName") if wanted.get(k) and not current.get(k)}}
        self._save_customer(merged, now)
        return {"id": cid, "firstName": merged.get("firstName"), "lastName": merged.get("lastName"),
                "email": merged["email"]}


def _customer_object(cid: int, created: str, updated: str, body: str) -> dict[str, Any]:
    data = json.loads(body)
    return {"__typename": "Customer", "id": _gid("Customer", cid), "legacyResourceId": str(cid),
            "createdAt": created, "updatedAt": updated, "tags": data.get("tags") or [],
            **{k: data.get(k) for k in ("firstName", "lastName", "email", "phone", "note", "defaultAddress")}}


def _customer_matches(customer: dict[str, Any], terms: list[Term]) -> bool:
    """Whether a customer passes every parsed ``customers.query`` term (times, email, id)."""
    for name, op, value in terms:
        if name in ("createdAt", "updatedAt"):
            ok = _compare(_time(customer[name]), op, value)
        elif name == "email":
            ok = (customer.get("email") or "").lower() == value
        elif name == "id":
            ok = value.isdigit() and _compare(int(customer["legacyResourceId"]), op, int(value))
        else:
            ok = False  # a term customers do not have
        if not ok:
            return False
    return True
TOPICS = {"ORDERS_CREATE": "orders/create", "ORDERS_UPDATED": "orders/updated",
          "ORDERS_FULFILLED": "orders/fulfilled"}


def _subscription(row: dict[str, Any]) -> dict[str, Any]:
    topic = next(enum for enum, name in TOPICS.items() if name == row["topic"])
    return {"id": _gid("WebhookSubscription", row["id"]), "legacyResourceId": str(row["id"]), "topic": topic,
            "callbackUrl": row["callback"], "format": "JSON", "createdAt": row["created_at"],
            "updatedAt": row["created_at"]}


def _webhook_body(order: dict[str, Any]) -> dict[str, Any]:
    """The REST-shaped order a Shopify ``orders/*`` webhook carries (the fields the connector reads)."""
    status = order["displayFulfillmentStatus"]
    return {"id": int(order["legacyResourceId"]), "admin_graphql_api_id": order["id"], "name": order["name"],
            "email": order["email"], "created_at": order["createdAt"], "updated_at": order["updatedAt"],
            "fulfillment_status": "fulfilled" if status == "FULFILLED" else None, "tags": ", ".join(order["tags"])}


def _webhook_headers(topic: str, delivery_id: str) -> dict[str, str]:
    """Shopify's delivery headers (https://shopify.dev/docs/apps/build/webhooks/subscribe/https [V])."""
    return {"X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": SHOP["myshopifyDomain"],
            "X-Shopify-API-Version": "2025-01", "X-Shopify-Webhook-Id": delivery_id,
            "X-Shopify-Event-Id": delivery_id, "X-Shopify-Triggered-At": datetime.now(UTC).isoformat()}


def _index_key(item: dict[str, Any]) -> tuple[int, int]:
    return item["_index"], item["_index"]


def _id_key(item: dict[str, Any]) -> tuple[int, int]:
    number = int(str(item["id"]).rsplit("/", 1)[-1])
    return number, number


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((op for op in ops if op.name and op.name.value == name), None)
    return ops[0] if len(ops) == 1 else None


HISTORY_BASE = 300000  # ids of history orders, clear of the demo orders


def seed_history(db: Any, customers: int, months: int, *, lines: int = 0, start_id: int = HISTORY_BASE
                 ) -> list[dict[str, Any]]:
    """Orders of ``customers`` repeat customers over the ``months`` before the demo data begins (one to four
    orders a month each, every fifth customer paying in CNY, now and then one order far above the customer's
    usual), plus one order of ``lines`` line items when asked. Deterministic; returns what was inserted."""
    rng = random.Random(20261202 + customers * 31 + months)
    made: list[dict[str, Any]] = []
    oid = start_id
    first = demo_data.BASE_TIME - timedelta(days=30 * months)
    for c in range(1, customers + 1):
        currency = "CNY" if c % 5 == 0 else "USD"
        email = f"buyer{c}@history.example"
        usual = rng.choice((20, 45, 80, 150))
        for month in range(months):
            for _ in range(rng.randint(0 if month % 3 else 1, 3)):
                oid += 1
                amount = usual * rng.uniform(0.5, 1.5) * (6 if rng.random() < 0.02 else 1)
                made.append(_history_order(db, oid, c, email, currency, f"{amount:.2f}",
                                           first + timedelta(days=30 * month + rng.randint(0, 27), minutes=oid % 997),
                                           [{"title": "Tea set", "sku": "TEA-SET", "quantity": 1,
                                             "price": f"{amount:.2f}"}]))
    if lines:
        oid += 1
        items = [{"title": f"Sample {n}", "sku": f"SMP-{n:02d}", "quantity": 1 + n % 3, "price": f"{5 + n}.00"}
                 for n in range(1, lines + 1)]
        total = sum(float(str(i["price"])) * int(str(i["quantity"])) for i in items)
        made.append(_history_order(db, oid, 0, "lines@history.example", "USD", f"{total:.2f}",
                                   demo_data.BASE_TIME - timedelta(days=1), items))
    return made


def _history_order(db: Any, oid: int, customer: int, email: str, currency: str, total: str, created: datetime,
                   items: list[dict[str, Any]]) -> dict[str, Any]:
    payload = {"name": f"#H{oid}", "email": email, "currency": currency, "total": total, "financialStatus": "PAID",
               "customer": {"id": 900000 + customer, "firstName": f"Buyer{customer}", "lastName": "History",
                            "email": email},
               "shippingAddress": {"firstName": f"Buyer{customer}", "lastName": "History", "city": "Portland",
                                   "countryCode": "US", "country": "US", "address1": "1 Main St"},
               "lineItems": [{"id": oid * 100 + n, **item} for n, item in enumerate(items)]}
    stamp = iso(created)
    db.execute("INSERT OR REPLACE INTO shopify_orders VALUES (?, ?, ?, 'UNFULFILLED', '[]', ?)",
               (oid, stamp, stamp, json.dumps(payload, ensure_ascii=False)))
    return {"id": str(oid), "email": email, "total": total, "currency": currency, "createdAt": stamp}


def _order_object(oid: int, created: str, updated: str, status: str, tags: str, payload: str) -> dict[str, Any]:
    """The GraphQL view of one stored order (connections are resolved from the ``_`` keys)."""
    data = json.loads(payload)
    money = {"amount": data["total"], "currencyCode": data["currency"]}
    customer, address = data.get("customer"), data.get("shippingAddress")
    return {
        "__typename": "Order", "id": _gid("Order", oid), "legacyResourceId": str(oid), "name": data["name"],
        "email": data.get("email"), "note": data.get("note"), "createdAt": created, "updatedAt": updated,
        "cancelledAt": None, "closed": False, "displayFulfillmentStatus": status,
        "displayFinancialStatus": data.get("financialStatus"), "currencyCode": data["currency"],
        "totalPriceSet": {"shopMoney": money, "presentmentMoney": money}, "tags": json.loads(tags),
        "sourceIdentifier": data.get("sourceIdentifier"), "_customer_id": customer["id"] if customer else None,
        "customer": {"__typename": "Customer", "id": _gid("Customer", customer["id"]),
                     "legacyResourceId": str(customer["id"]), "firstName": customer["firstName"],
                     "lastName": customer["lastName"], "email": customer["email"]} if customer else None,
        "shippingAddress": {**{k: address.get(k) for k in ("firstName", "lastName", "address1", "address2", "city",
                                                           "province", "zip", "country", "phone")},
                            "name": f"{address.get('firstName') or ''} {address.get('lastName') or ''}".strip(),
                            "provinceCode": address.get("provinceCode"), "countryCodeV2": address.get("countryCode")}
        if address else None,
        "_lineItems": [{"__typename": "LineItem", "id": _gid("LineItem", item["id"]), "name": item["title"],
                        "title": item["title"], "sku": item["sku"], "quantity": item["quantity"], "_index": n,
                        "originalUnitPriceSet": {"shopMoney": (price := {"amount": item["price"],
                                                                         "currencyCode": data["currency"]}),
                                                 "presentmentMoney": price}}
                       for n, item in enumerate(data["lineItems"])],
    }


App = ShopifySandbox
