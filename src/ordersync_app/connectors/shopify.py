"""Shopify (Admin GraphQL API): order and customer triggers (polled, or pushed by webhooks); tag, create-order and
update-customer actions. GraphQL only (REST is legacy since 2024-10-01, https://shopify.dev/docs/api/admin-rest/usage/
rate-limits), with ``X-Shopify-Access-Token``: a stored token, or one bought by the client credentials grant. Triggers
search ``<field>:>='<since>'``: closed start, ascending. Documents in ``shopify.graphql``, fields and settings in JSON
beside this module, all after the published 2025-01 schema [V] (``orderCreate``, ``customerUpdate``, ``nodes``…).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import httpx

from ordersync_app.connectors.sdk import auth, graphql, spec
from ordersync_app.connectors.sdk.cursor import canonical_instant, parse_instant
from ordersync_app.connectors.sdk.spec import Action, Field, Param, Post, RateLimit, Write, WriteResult
from ordersync_app.connectors.sdk.values import as_written, lines_as_written, listed, order_lines
from ordersync_app.connectors.sdk.webhooks import Webhook
from ordersync_app.domain.errors import SetupError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ordersync_app.connectors.sdk.http import ApiClient

DEFAULT_VERSION = "2025-10"
GRAPHQL = "/admin/api/{api_version}/graphql.json"
OPS = graphql.operations("ordersync_app.connectors", "shopify.graphql")
FIELDS = spec.fields_from("ordersync_app.connectors", "shopify_fields.json")  # names and types: 2025-01 schema [V]
# 25 orders with 5 lines each request ~900 of the 1,000 points one query may cost (shopify.graphql); an order's
# further lines come 200 at a time through OrderLines, so every line item is read, with its price.
MAX_PAGE, MAX_CUSTOMERS = 25, 100  # a customer costs ~4 points: 100 request ~400
MARKER = "ordersync_ref"  # create_order's Action.marker: kept in the order's sourceIdentifier
# Order tags hold ≤ 40 characters [S: support.orderautomator.com "Troubleshooting Tag Rules"; a blog says 255]: a
# create is found by a short tag made from its reference, "ordersync-" + 20 hex digits.
TAG_PREFIX = "ordersync-"


def _auth(account: spec.AccountConfig) -> httpx.Auth:
    if token := account.secret("access_token"):
        return auth.HeaderToken("X-Shopify-Access-Token", token)
    if account.settings.get("client_id") and account.secret("client_secret"):
        # Dev Dashboard apps on own stores: 24-hour tokens, no refresh token, kept for the whole account
        # (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).
        return auth.client_credentials(account, account.base_url.rstrip("/") + "/admin/oauth/access_token",
                                       header="X-Shopify-Access-Token", prefix="")
    raise SetupError(f"Shopify account '{account.name}' has no access token and no client credentials",
                     hint="paste an Admin API access token, or the Dev Dashboard app's client ID and secret")


def _gql(client: ApiClient, name: str, variables: dict[str, Any] | None = None, *, write: bool = False
         ) -> dict[str, Any]:
    return graphql.run(client, GRAPHQL, OPS[name], variables, write=write)


def _line(node: dict[str, Any]) -> dict[str, Any]:
    money = (node.get("originalUnitPriceSet") or {}).get("shopMoney") or {}
    return {"id": node["id"], "title": node["title"], "sku": node.get("sku"), "quantity": node["quantity"],
            "price": money.get("amount"), "currencyCode": money.get("currencyCode")}


def _nodes(client: ApiClient, order_id: str, first: dict[str, Any]) -> list[dict[str, Any]]:
    """All of an order's line item nodes: the page read with the order, then the rest through OrderLines."""
    return [*first["nodes"], *graphql.rest_of(client, GRAPHQL, OPS["OrderLines"], {"id": order_id}, "order.lineItems",
                                              first["pageInfo"])]


def _flatten(node: Mapping[str, Any]) -> dict[str, Any]:
    """The order as recipes see it: money and connections flattened, one tracking number per shipment."""
    plain = ("id", "name", "email", "createdAt", "updatedAt", "displayFulfillmentStatus",
             "displayFinancialStatus", "currencyCode", "tags")
    return {**{k: node.get(k) for k in plain}, "legacyResourceId": str(node["legacyResourceId"]),
            "totalPrice": node["totalPriceSet"]["shopMoney"]["amount"],
            "customer": node.get("customer") or {}, "shippingAddress": node.get("shippingAddress") or {},
            "lineItems": [_line(n) for n in node["lineItems"]["nodes"]],
            **({"_first_lines": node["lineItems"]} if node["lineItems"]["pageInfo"]["hasNextPage"] else {}),
            "fulfillments": [{"createdAt": f["createdAt"], "updatedAt": f["updatedAt"],
                              "trackingInfo": (f["trackingInfo"] or [{}])[0]} for f in node["fulfillments"]]}


def _all_lines(client: ApiClient, order: dict[str, Any]) -> None:
    """An order whose line items did not fit its page gets the rest (``_first_lines`` is the page's part)."""
    if first := order.pop("_first_lines", None):
        order["lineItems"] = [_line(n) for n in _nodes(client, order["id"], first)]


def _gid(match: str | None, kind: str = "Order") -> str | None:
    """``5012`` or ``gid://shopify/Order/5012`` as a GID; None for anything else (Shopify refuses bad GIDs)."""
    text = str(match or "").strip().removeprefix(f"gid://shopify/{kind}/")
    return f"gid://shopify/{kind}/{text}" if text.isdigit() else None


def _deliver_tags(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    def one(w: Write) -> WriteResult:
        if not (gid := _gid(w.match)) or not (tags := listed(w.properties.get("tags"))):
            return WriteResult(w.ref, "rejected", message="an order id and a tag are needed")
        # tagsAdd only adds, so a repeat is harmless (https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/tagsAdd).
        return graphql.outcome(w.ref, _gql(client, "TagsAdd", {"id": gid, "tags": tags}, write=True)["tagsAdd"],
                               "node", missing="order not found")
    return [one(w) for w in writes]


def _read_tags(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    found = [_gql(client, "OrderTags", {"id": gid})["order"] if (gid := _gid(w.match)) else None for w in writes]
    return [{"tags": order["tags"]} if order else None for order in found]


RATE_DOC = "https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits"
# Requests/s ceilings only: calls are paced by the query cost Shopify reports (graphql.CostPacer, by plan).
PLAN_RATES = {"standard": 10, "advanced": 20, "plus": 50}


def _announced(body: Any) -> list[str]:
    """The order an ``orders/*`` webhook announces: its REST body's numeric ``id`` [V: the REST Order resource]."""
    number = body.get("id") if isinstance(body, dict) else None
    return [str(number)] if isinstance(number, int) or (isinstance(number, str) and number.isdigit()) else []


def _fetch_orders(client: ApiClient, keys: list[str]) -> list[dict[str, Any]]:
    """Announced orders as the triggers read them (webhook bodies are REST-shaped), with every line item."""
    gids = [gid for key in keys if (gid := _gid(key))]
    found = [node for start in range(0, len(gids), MAX_PAGE) for node in
             _gql(client, "OrdersById", {"ids": gids[start:start + MAX_PAGE]})["nodes"] if node]
    for node in found:
        node["lineItems"] = {"nodes": _nodes(client, node["id"], node["lineItems"]), "pageInfo": {"hasNextPage": False}}
    return found


def _subscribe(client: ApiClient, topic: str, url: str) -> str:
    """Subscribe ``url`` to ``topic`` (``orders/fulfilled``) unless it already is; the subscription's GID."""
    enum = topic.upper().replace("/", "_")
    if have := _gql(client, "Subscriptions", {"topics": [enum], "url": url})["webhookSubscriptions"]["nodes"]:
        return str(have[0]["id"])
    answer = _gql(client, "Subscribe", {"topic": enum, "sub": {"callbackUrl": url, "format": "JSON"}},
                  write=True)["webhookSubscriptionCreate"]
    if answer["userErrors"] or not answer["webhookSubscription"]:
        raise SetupError(f"Shopify refused the webhook subscription for {topic}: {graphql.user_errors(answer)}",
                         hint="the app needs the read_orders scope; the address must be reachable from Shopify")
    return str(answer["webhookSubscription"]["id"])


def _webhook(*topics: str) -> Webhook:
    """Shopify pushes ``orders/*`` topics signed with the app's client secret [V: shopify.dev "Verify
    webhooks"]; the record is read back through the API so it matches what a poll reads."""
    return Webhook("shopify", "client_secret", topics, keys=_announced, fetch=_fetch_orders, register=_subscribe)


def _latest_shipment(order: Mapping[str, Any]) -> str:
    """A fulfilled order's version: its latest shipment's time (later edits do not fire the trigger again)."""
    stamps = [parse_instant(f["updatedAt"]) for f in order["fulfillments"]]
    return canonical_instant(max(stamps, default=parse_instant(order["updatedAt"])))


def _trigger(key: str, en: str, zh: str, search: str, sort: str, field: str, **more: Any) -> spec.Trigger:
    return graphql.completed(spec.Trigger(
        key, en, zh, spec.Cursor(field, param="since", until_param="until"), FIELDS["order"], page_size=MAX_PAGE,
        request=Post(GRAPHQL, encode=graphql.search_window(OPS["Orders"], search, sort, more.pop("extra", ""))),
        records="data.orders.nodes", paginator=graphql.relay_pages("orders", MAX_PAGE),
        record_key="legacyResourceId", shape=_flatten, **more), _all_lines)


# -- create_order: OrderCreateOrderInput of the 2025-01 schema [V] -----------------------------------------
_ADDRESS = ("address1", "address2", "city", "provinceCode", "zip", "countryCode", "phone")  # MailingAddressInput


def _tag(ref: str) -> str:
    return TAG_PREFIX + hashlib.sha256(ref.encode("utf-8")).hexdigest()[:20]


def _order_input(w: Write) -> dict[str, Any]:
    """The order a write asks for; ValueError names what is missing."""
    if not (currency := str((p := w.properties).get("currency") or "").upper()):
        raise ValueError("an order needs its currency (ISO code)")
    # requiresShipping defaults to false in the schema; an order made from a deal ships goods.
    items = [{"title": line["title"], "sku": line["sku"], "quantity": line["quantity"], "requiresShipping": True,
              "priceSet": {"shopMoney": {"amount": line["price"], "currencyCode": line["currencyCode"] or currency}}}
             for line in order_lines(p.get("lineItems"))]
    address = {k: p[f"shippingAddress.{k}"] for k in _ADDRESS if p.get(f"shippingAddress.{k}")}
    names = {k: p[k] for k in ("email", "firstName", "lastName") if p.get(k)}
    order = {"currency": currency, "lineItems": items, "sourceIdentifier": w.match, "email": p.get("email"),
             "tags": [*listed(p.get("tags")), _tag(str(w.match))], "note": p.get("note"),
             "financialStatus": p.get("financialStatus"), "shippingAddress": address or None,
             "customer": {"toUpsert": names} if p.get("email") else None}
    return {k: v for k, v in order.items() if v not in (None, "")}


def _create_order(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    def one(w: Write) -> WriteResult:
        try:
            answer = _gql(client, "OrderCreate", {"order": _order_input(w)}, write=True)["orderCreate"]
        except ValueError as exc:
            return WriteResult(w.ref, "rejected", message=str(exc))
        return graphql.outcome(w.ref, answer, "order", created=True, missing="no order was created")
    return [one(w) for w in writes]


def _read_orders(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    """The order a create made, found by its reference tag (and ``sourceIdentifier``), in the write's shape."""
    def one(w: Write) -> dict[str, Any] | None:
        found = _gql(client, "OrdersByTag", {"query": f"tag:'{_tag(str(w.match))}'"})["orders"]["nodes"]
        if (node := next((n for n in found if n.get("sourceIdentifier") == w.match), None)) is None:
            return None
        tags, wanted = [t for t in node["tags"] if t != _tag(str(w.match))], w.properties.get("tags")
        current = {**node, **(node["customer"] or {}), MARKER: node["sourceIdentifier"],
                   "tags": wanted if listed(wanted) == tags else tags,  # "a, b" was sent as ["a", "b"]
                   "lineItems": lines_as_written([_line(n) for n in _nodes(client, node["id"], node["lineItems"])],
                                                 w.properties.get("lineItems")),
                   **{f"shippingAddress.{k}": v for k, v in (node["shippingAddress"] or {}).items()}}
        return {k: as_written(current.get(k), v) for k, v in w.properties.items()}
    return [one(w) for w in writes]


# -- customers: customers(query: "updated_at:…" | "email:…") [V: the 2025-01 customers.query table] -------------
CUSTOMER_KEYS = ("firstName", "lastName", "email", "phone", "note", "tags")


def _customer(node: Mapping[str, Any]) -> dict[str, Any]:
    spent = node.get("amountSpent") or {}
    return {**{k: v for k, v in node.items() if k != "amountSpent"}, "legacyResourceId": str(node["legacyResourceId"]),
            "defaultAddress": node.get("defaultAddress") or {}, "amountSpent": spent.get("amount"),
            "amountSpentCurrency": spent.get("currencyCode")}


def _find_customer(client: ApiClient, match: str | None) -> dict[str, Any] | None:
    """A customer by id, GID or email; None when there is none, or several with that email."""
    if gid := _gid(match, "Customer"):
        return _gql(client, "Customer", {"id": gid})["customer"]
    if "@" not in str(match or ""):
        return None
    found = _gql(client, "CustomerByEmail", {"query": f"email:'{match}'"})["customers"]["nodes"]
    return found[0] if len(found) == 1 else None


def _update_customer(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    def one(w: Write) -> WriteResult:
        if (found := _find_customer(client, w.match)) is None:
            return WriteResult(w.ref, "rejected", message=f"no single Shopify customer is {w.match!r}")
        values = {k: (listed(v) if k == "tags" else v) for k, v in w.properties.items() if k in CUSTOMER_KEYS}
        answer = _gql(client, "CustomerUpdate", {"input": {"id": found["id"], **values}}, write=True)["customerUpdate"]
        return graphql.outcome(w.ref, answer, "customer")
    return [one(w) for w in writes]


def _read_customers(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    return [{k: as_written(found.get(k), v) for k, v in w.properties.items()}
            if (found := _find_customer(client, w.match)) else None for w in writes]


CONNECTOR = spec.Connector(
    key="shopify", name_en="Shopify", name_zh="Shopify", owns=spec.Owns.ORDERS,
    base_url="https://{shop}.myshopify.com",
    settings=spec.settings_from("ordersync_app.connectors", "shopify_settings.json"),
    make_auth=_auth, error_message=graphql.error_message,
    # THROTTLED comes inside HTTP 200 (https://community.shopify.com/t/throttled/254776); a missing scope is
    # ACCESS_DENIED (https://shopify.dev/changelog/new-error-messages-for-graphql-operations-without-necessary-access-scopes).
    classify=graphql.classifier(retry=("THROTTLED",), setup=("ACCESS_DENIED",)),
    test_connection=lambda client: "Shopify shop {name} ({myshopifyDomain})".format(**_gql(client, "Shop")["shop"]),
    # Shopify meters cost points (Standard: 100/s, 1,000 max), not requests: paced by the cost each answer reports.
    rate_limit=RateLimit(PLAN_RATES["standard"], 1.0, source=RATE_DOC),
    rate_limit_for=lambda settings: RateLimit(PLAN_RATES.get(settings.get("plan") or "standard", 10), 1.0,
                                              source=RATE_DOC),
    pace=graphql.CostPacer,
    triggers=(
        _trigger("order_created", "New order", "新订单", "created_at", "CREATED_AT", "createdAt",
                 webhook=_webhook("orders/create")),
        _trigger("order_updated", "Order updated", "订单已更新", "updated_at", "UPDATED_AT", "updatedAt",
                 webhook=_webhook("orders/updated")),
        # Later tracking changes of a shipped order arrive as orders/updated; the reconciliation poll reads them.
        _trigger("order_fulfilled", "Order fulfilled (shipped)", "订单已发货", "updated_at", "UPDATED_AT", "updatedAt",
                 extra="fulfillment_status:shipped", version=_latest_shipment,
                 keep=lambda order: order["displayFulfillmentStatus"] == "FULFILLED",
                 webhook=_webhook("orders/fulfilled")),
        spec.Trigger("customer_updated", "Customer created or updated", "客户新建或更新",
                     spec.Cursor("updatedAt", param="since", until_param="until"), FIELDS["customer"],
                     page_size=MAX_CUSTOMERS, records="data.customers.nodes", record_key="id", shape=_customer,
                     request=Post(GRAPHQL, encode=graphql.search_window(OPS["Customers"], "updated_at", "UPDATED_AT")),
                     paginator=graphql.relay_pages("customers", MAX_CUSTOMERS)),
    ),
    actions=(
        Action("add_order_tags", "Add tags to order", "给订单加标签",
               (Field("tags", "Tags", "array", required=True, label_zh="标签"),), _deliver_tags, _read_tags,
               match=Param("order_id", "Order ID or GID", required=True, label_zh="订单 ID 或 GID"),
               batch_max=1, idempotency="tagsAdd only adds: tags are a set, a repeat changes nothing"),
        Action("create_order", "Create order", "创建订单", FIELDS["order_input"],
               _create_order, _read_orders, batch_max=1, semantics=spec.WriteSemantics.APPEND, marker=MARKER,
               object="orders",
               idempotency="orderCreate; the order carries its OrderSync reference (sourceIdentifier, and a tag made "
                           "from it): after a lost answer it is searched by that tag before anything is sent again"),
        Action("update_customer", "Update customer", "更新客户",
               tuple(f for f in FIELDS["customer"] if f.key in CUSTOMER_KEYS), _update_customer, _read_customers,
               match=Param("customer", "Customer ID, GID or email", required=True, label_zh="客户 ID、GID 或邮箱"),
               batch_max=1, object="customers",
               idempotency="customerUpdate sets the mapped fields (tags replace the old ones): repeats change nothing"),
    ),
    sandbox=spec.Sandbox("shopify", credentials={"access_token": "sandbox-shopify-token",
                                                 "client_secret": "sandbox-shopify-client-secret"},
                         settings={"shop": "ordersync-demo", "plan": "plus"}),
    hosts=("*.myshopify.com",), docs="https://shopify.dev/docs/api/admin-graphql",
)
