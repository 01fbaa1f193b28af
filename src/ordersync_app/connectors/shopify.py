"""Shopify (Admin GraphQL API): order triggers and an order-tagging action.

GraphQL only: REST is legacy since 2024-10-01 (https://shopify.dev/docs/api/admin-rest/usage/rate-limits). Every
call is ``POST https://{shop}.myshopify.com/admin/api/{api_version}/graphql.json`` with a token in
``X-Shopify-Access-Token``. Static tokens cannot be created since 2026-01-01; Dev Dashboard apps for your own
stores use the client credentials grant instead: client ID + secret buy a token that expires after 24 h, with no
refresh token (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant;
ShopifySharp 6.30.0 notes), done by :class:`ClientCredentials` when no ``access_token`` is stored. Triggers read
``orders(query: "<field>:>='<since>'")``: closed start, ascending (https://shopify.dev/docs/api/usage/search-syntax).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx

from ordersync_app.connectors.sdk import auth
from ordersync_app.connectors.sdk.cursor import canonical_instant, parse_instant
from ordersync_app.connectors.sdk.paginate import NextToken
from ordersync_app.connectors.sdk.spec import (
    Action,
    Connector,
    Cursor,
    Field,
    Owns,
    Param,
    Post,
    RateLimit,
    Sandbox,
    Secret,
    Setting,
    Trigger,
    Verdict,
    WriteResult,
)
from ordersync_app.connectors.sdk.webhooks import Webhook
from ordersync_app.domain.errors import SetupError

if TYPE_CHECKING:
    from ordersync_app.connectors.sdk.http import ApiClient
    from ordersync_app.connectors.sdk.spec import AccountConfig, Write

DEFAULT_VERSION = "2025-10"
GRAPHQL = "/admin/api/{api_version}/graphql.json"
MAX_PAGE = 25  # a page costs ~2 + 26 points per order, and one query may cost 1,000 at most (see rate_limit)
# WORKAROUND(shopify): Customer.email is deprecated since 2025-04 for defaultEmailAddress.emailAddress,
# which our only schema copy (2025-01, tests/contract/shopify) lacks; move once a newer schema is checked.
ORDER_FIELDS = """id legacyResourceId name email createdAt updatedAt displayFulfillmentStatus displayFinancialStatus
      totalPriceSet { shopMoney { amount } } currencyCode tags customer { firstName lastName email }
      shippingAddress { firstName lastName address1 address2 city province zip country countryCodeV2 phone }
      lineItems(first: 10) { nodes { title sku quantity } }
      fulfillments(first: 3) { createdAt updatedAt trackingInfo(first: 1) { number company } }"""
ORDERS = """query Orders($first: Int!, $after: String, $query: String, $sortKey: OrderSortKeys) {
  orders(first: $first, after: $after, query: $query, sortKey: $sortKey) {
    nodes {
      ORDER_FIELDS
    }
    pageInfo { hasNextPage endCursor }
  }
}""".replace("ORDER_FIELDS", ORDER_FIELDS)
# nodes(ids:) reads many objects in one call (https://shopify.dev/docs/api/admin-graphql/2025-01/queries/nodes [V]).
ORDERS_BY_ID = "query OrdersById($ids: [ID!]!) {\n  nodes(ids: $ids) {\n    ... on Order {\n      " + \
    ORDER_FIELDS + "\n    }\n  }\n}"
# Webhook subscriptions: https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/webhookSubscriptionCreate [V]
SUBSCRIPTIONS = ("query Subscriptions($topics: [WebhookSubscriptionTopic!], $url: URL) {\n"
                 "  webhookSubscriptions(first: 10, topics: $topics, callbackUrl: $url) { nodes { id } }\n}")
SUBSCRIBE = ("mutation Subscribe($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {\n"
             "  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {\n"
             "    webhookSubscription { id } userErrors { field message }\n  }\n}")
# tagsAdd only adds, so a repeat is harmless (https://shopify.dev/docs/api/admin-graphql/2025-01/mutations/tagsAdd).
TAGS_ADD = ("mutation TagsAdd($id: ID!, $tags: [String!]!) {\n"
            "  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }\n}")
ORDER_TAGS = "query OrderTags($id: ID!) {\n  order(id: $id) { id tags }\n}"
SHOP = "query Shop {\n  shop { name myshopifyDomain }\n}"


def _auth(account: AccountConfig) -> httpx.Auth:
    if token := account.secret("access_token"):
        return auth.HeaderToken("X-Shopify-Access-Token", token)
    if account.settings.get("client_id") and account.secret("client_secret"):
        # Dev Dashboard apps on own stores: 24-hour tokens, no refresh token, kept for the whole account
        # (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/client-credentials-grant).
        return auth.client_credentials(account, account.base_url.rstrip("/") + "/admin/oauth/access_token",
                                       header="X-Shopify-Access-Token", prefix="")
    raise SetupError(f"Shopify account '{account.name}' has no access token and no client credentials",
                     hint="paste an Admin API access token, or the Dev Dashboard app's client ID and secret")


def _errors(response: httpx.Response) -> Any:
    with contextlib.suppress(ValueError):
        body = response.json()
        return body.get("errors") if isinstance(body, dict) else None
    return None


def _classify(response: httpx.Response) -> Verdict | None:
    """GraphQL errors come with HTTP 200: THROTTLED is retried, ACCESS_DENIED is setup, others refused."""
    errors = _errors(response) if response.status_code == 200 else None
    if not errors:
        return None
    # THROTTLED body: https://community.shopify.com/t/throttled/254776; missing scope is ACCESS_DENIED:
    # https://shopify.dev/changelog/new-error-messages-for-graphql-operations-without-necessary-access-scopes
    codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)} \
        if isinstance(errors, list) else set()
    if "THROTTLED" in codes:
        return Verdict.RETRY
    return Verdict.SETUP if "ACCESS_DENIED" in codes else Verdict.REJECT


def _error_message(response: httpx.Response) -> str:
    errors = _errors(response)
    if isinstance(errors, list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors)
    if isinstance(errors, dict):  # {"query": "Required parameter missing or invalid"}
        return "; ".join(f"{k}: {v}" for k, v in errors.items())
    return str(errors or response.text)


def _gql(client: ApiClient, query: str, variables: dict[str, Any] | None = None, *, write: bool = False
         ) -> dict[str, Any]:
    path = f"/admin/api/{client.account.settings.get('api_version') or DEFAULT_VERSION}/graphql.json"
    body = client.json("POST", path, json={"query": query, "variables": variables or {}}, write=write)
    return dict(body.get("data") or {})


def _flatten(node: dict[str, Any]) -> dict[str, Any]:
    """The order as recipes see it: money and connections flattened, one tracking number per shipment."""
    plain = ("id", "name", "email", "createdAt", "updatedAt", "displayFulfillmentStatus",
             "displayFinancialStatus", "currencyCode", "tags")
    return {**{k: node.get(k) for k in plain}, "legacyResourceId": str(node["legacyResourceId"]),
            "totalPrice": node["totalPriceSet"]["shopMoney"]["amount"],
            "customer": node.get("customer") or {}, "shippingAddress": node.get("shippingAddress") or {},
            "lineItems": node["lineItems"]["nodes"],
            "fulfillments": [{"createdAt": f["createdAt"], "updatedAt": f["updatedAt"],
                              "trackingInfo": (f["trackingInfo"] or [{}])[0]} for f in node["fulfillments"]]}


def _orders(search: str, sort: str, extra: str = "") -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The page's variables: ``<search>:>='<since>'`` (closed start) and ``<'<until>'`` in the query string
    (https://shopify.dev/docs/api/usage/search-syntax), sorted ascending by ``sort``."""
    def encode(p: dict[str, Any]) -> dict[str, Any]:
        terms = [f"{search}:{op}'{p[k]}'" for op, k in ((">=", "since"), ("<", "until")) if p.get(k)]
        return {"json": {"query": ORDERS, "variables": {
            "first": p["first"], "after": p.get("after"), "sortKey": sort,
            "query": " ".join([*terms, extra]).strip() or None}}}
    return encode


def _gid(match: str | None) -> str | None:
    """``5012`` or ``gid://shopify/Order/5012`` as a GID; None for anything else (Shopify refuses bad GIDs)."""
    text = str(match or "").strip().removeprefix("gid://shopify/Order/")
    return f"gid://shopify/Order/{text}" if text.isdigit() else None


def _deliver_tags(client: ApiClient, writes: list[Write]) -> list[WriteResult]:
    results = []
    for write in writes:
        raw = write.properties.get("tags")
        tags = [str(t).strip() for t in (raw if isinstance(raw, list | tuple) else str(raw or "").split(","))]
        if not (gid := _gid(write.match)) or not any(tags):
            results.append(WriteResult(write.ref, "rejected", message="an order id and a tag are needed"))
            continue
        answer = _gql(client, TAGS_ADD, {"id": gid, "tags": [t for t in tags if t]}, write=True)["tagsAdd"]
        refused = "; ".join(e["message"] for e in answer["userErrors"]) or ("" if answer["node"] else "order not found")
        results.append(WriteResult(write.ref, "rejected", message=refused) if refused else
                       WriteResult(write.ref, "ok", target_id=answer["node"]["id"].rsplit("/", 1)[-1]))
    return results


def _read_tags(client: ApiClient, writes: list[Write]) -> list[dict[str, Any] | None]:
    found = [_gql(client, ORDER_TAGS, {"id": gid})["order"] if (gid := _gid(w.match)) else None for w in writes]
    return [{"tags": order["tags"]} if order else None for order in found]


FIELDS = (
    Field("legacyResourceId", "Order ID", label_zh="订单 ID"), Field("id", "Order GID"),
    Field("name", "Order number (#1001)", label_zh="订单号（#1001）"),
    Field("email", "Order email"), Field("createdAt", "Created at", "datetime"),
    Field("updatedAt", "Updated at", "datetime"),
    Field("displayFulfillmentStatus", "Fulfillment status", label_zh="发货状态",
          choices=("UNFULFILLED", "PARTIALLY_FULFILLED", "FULFILLED", "IN_PROGRESS", "ON_HOLD", "SCHEDULED")),
    Field("displayFinancialStatus", "Payment status", label_zh="付款状态"),
    Field("totalPrice", "Total (decimal text)", label_zh="订单总额（十进制文本）"),
    Field("currencyCode", "Currency"), Field("tags", "Tags", "array"),
    *(Field(f"customer.{k}", f"Customer {k}") for k in ("firstName", "lastName", "email")),
    *(Field(f"shippingAddress.{k}", f"Ship-to {k}") for k in ("firstName", "lastName", "address1", "address2",
                                                              "city", "province", "zip", "country", "countryCodeV2")),
    *(Field(f"lineItems[0].{k}", f"First item {k}", t) for k, t in (("title", "string"), ("sku", "string"),
                                                                     ("quantity", "integer"))),
    Field("shippingAddress.phone", "Ship-to phone"),
    Field("fulfillments[0].trackingInfo.number", "Tracking number", label_zh="快递单号"),
    Field("fulfillments[0].trackingInfo.company", "Carrier", label_zh="快递公司"),
)
RATE_DOC = "https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits"
# Requests/s that keep full pages inside each plan's restore rate (100 / 200 / 1,000 points/s).
PLAN_RATES = {"standard": 2, "advanced": 4, "plus": 20}
PAGES = NextToken("data.orders.pageInfo.endCursor", "after", size_param="first", max_size=MAX_PAGE,
                  has_more_path="data.orders.pageInfo.hasNextPage")


def _announced(body: Any) -> list[str]:
    """The order an ``orders/*`` webhook announces: its REST body's numeric ``id`` [V: the REST Order
    resource, which webhook bodies follow]."""
    number = body.get("id") if isinstance(body, dict) else None
    return [str(number)] if isinstance(number, int) or (isinstance(number, str) and number.isdigit()) else []


def _fetch_orders(client: ApiClient, keys: list[str]) -> list[dict[str, Any]]:
    """The announced orders as the trigger's query reads them (webhook bodies are REST-shaped, and may be
    stale by the time they arrive), a page at a time through ``nodes(ids:)``; deleted orders are left out."""
    gids = [gid for key in keys if (gid := _gid(key))]
    found: list[dict[str, Any]] = []
    for start in range(0, len(gids), MAX_PAGE):
        found += [node for node in _gql(client, ORDERS_BY_ID, {"ids": gids[start:start + MAX_PAGE]})["nodes"] if node]
    return found


def _subscribe(client: ApiClient, topic: str, url: str) -> str:
    """Subscribe ``url`` to ``topic`` (``orders/fulfilled``) unless it already is; the subscription's GID."""
    enum = topic.upper().replace("/", "_")
    have = _gql(client, SUBSCRIPTIONS, {"topics": [enum], "url": url})["webhookSubscriptions"]["nodes"]
    if have:
        return str(have[0]["id"])
    answer = _gql(client, SUBSCRIBE, {"topic": enum, "sub": {"callbackUrl": url, "format": "JSON"}},
                  write=True)["webhookSubscriptionCreate"]
    if answer["userErrors"] or not answer["webhookSubscription"]:
        raise SetupError(f"Shopify refused the webhook subscription for {topic}: "
                         + "; ".join(e["message"] for e in answer["userErrors"]),
                         hint="the app needs the read_orders scope; the address must be reachable from Shopify")
    return str(answer["webhookSubscription"]["id"])


def _webhook(*topics: str) -> Webhook:
    """Shopify pushes ``orders/*`` topics signed with the app's client secret [V: shopify.dev "Verify
    webhooks"]; the record is read back through the API so it matches what a poll reads."""
    return Webhook("shopify", "client_secret", topics, keys=_announced, fetch=_fetch_orders, register=_subscribe)


def _latest_shipment(order: dict[str, Any]) -> str:
    """The version of a fulfilled order: its latest shipment's time, so later edits (tags, notes) do not
    fire the trigger again."""
    stamps = [parse_instant(f["updatedAt"]) for f in order["fulfillments"]]
    return canonical_instant(max(stamps, default=parse_instant(order["updatedAt"])))


def _trigger(key: str, en: str, zh: str, search: str, sort: str, field: str, **more: Any) -> Trigger:
    return Trigger(key, en, zh, Cursor(field, param="since", until_param="until"), FIELDS, page_size=MAX_PAGE,
                   request=Post(GRAPHQL, encode=_orders(search, sort, more.pop("extra", ""))),
                   records="data.orders.nodes", paginator=PAGES, record_key="legacyResourceId", shape=_flatten, **more)


CONNECTOR = Connector(
    key="shopify", name_en="Shopify", name_zh="Shopify", owns=Owns.ORDERS, base_url="https://{shop}.myshopify.com",
    settings=(
        Setting("shop", "Shop subdomain", "店铺子域名", "The part before .myshopify.com in your admin's address.",
                "店铺后台地址中 .myshopify.com 前面的部分。", pattern=r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"),
        Setting("auth_mode", "Sign-in method", "认证方式", required=False, default="token",
                choices=("token", "client_credentials"),
                choice_labels={"token": ("Admin API access token", "Admin API 访问令牌"),
                               "client_credentials": ("Dev Dashboard app (client ID and secret)",
                                                      "开发者后台应用（客户端 ID 和密钥）")}),
        Secret("access_token", "Admin API access token", "Admin API 访问令牌",
               "Shopify admin → Settings → Apps → Develop apps → your app → API credentials → Admin API access token.",
               "Shopify 后台 → 设置 → 应用 → 开发应用 → 你的应用 → API 凭据 → Admin API 访问令牌。",
               required=False, shown_when={"auth_mode": ("token",)}),
        Setting("client_id", "Client ID", "客户端 ID", "Dev Dashboard → your app → Settings → Client ID.",
                "开发者后台 → 你的应用 → 设置 → 客户端 ID。", required=False,
                shown_when={"auth_mode": ("client_credentials",)}),
        Secret("client_secret", "Client secret", "客户端密钥",
               "Dev Dashboard → your app → Settings → Secret. With an access token it is needed only for instant "
               "(webhook) triggers: it checks that deliveries come from Shopify.",
               "开发者后台 → 你的应用 → 设置 → 密钥。使用访问令牌时，仅即时（Webhook）触发需要它："
               "用来确认推送来自 Shopify。",
               required=False),
        Setting("plan", "Shopify plan", "Shopify 套餐", "Sets how fast OrderSync reads orders.",
                "决定 OrderSync 读取订单的速度。", required=False, default="standard", choices=tuple(PLAN_RATES),
                choice_labels={"standard": ("Basic / Shopify / Grow", "基础版 / 标准版"),
                               "advanced": ("Advanced", "高级版"), "plus": ("Shopify Plus", "Shopify Plus")}),
        Setting("api_version", "API version (advanced)", "API 版本（高级）",
                "YYYY-MM; each version lives about a year.",
                "格式 YYYY-MM，每个版本约支持一年。", required=False, default=DEFAULT_VERSION,
                pattern=r"20[0-9]{2}-(?:0[1-9]|1[0-2])"),
    ),
    make_auth=_auth, error_message=_error_message, classify=_classify,
    test_connection=lambda client: "Shopify shop {name} ({myshopifyDomain})".format(**_gql(client, SHOP)["shop"]),
    # Shopify meters cost points (Standard: 100/s, 1,000 max), not requests; 2 requests/s keeps pages inside it.
    rate_limit=RateLimit(2, 1.0, source=RATE_DOC),
    rate_limit_for=lambda settings: RateLimit(PLAN_RATES.get(settings.get("plan") or "standard", 2), 1.0,
                                              source=RATE_DOC),
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
    ),
    actions=(Action("add_order_tags", "Add tags to order", "给订单加标签",
                    (Field("tags", "Tags", "array", required=True, label_zh="标签"),), _deliver_tags, _read_tags,
                    match=Param("order_id", "Order ID or GID", required=True, label_zh="订单 ID 或 GID"),
                    batch_max=1, idempotency="tagsAdd only adds: tags are a set, a repeat changes nothing"),),
    sandbox=Sandbox("shopify", credentials={"access_token": "sandbox-shopify-token",
                                            "client_secret": "sandbox-shopify-client-secret"},
                    settings={"shop": "ordersync-demo", "plan": "plus"}),
    hosts=("*.myshopify.com",), docs="https://shopify.dev/docs/api/admin-graphql",
)
