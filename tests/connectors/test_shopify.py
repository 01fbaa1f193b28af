"""Shopify connector against the Shopify sandbox: paging, closed-start cursors, fulfilment, tags, throttling, auth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import count
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Verdict, Write
from ordersync_app.connectors.shopify import CONNECTOR, MAX_PAGE
from ordersync_app.domain.errors import AuthError, BugError, RecordRejected, SetupError, TransientError
from ordersync_app.domain.records import Record
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.shopify import CLIENT_ID, CLIENT_SECRET, ShopifySandbox
from ordersync_app.sandbox.warehouse import fulfil_orders

assert CONNECTOR.sandbox is not None
DEMO_TOKEN, DEMO_SETTINGS = CONNECTOR.sandbox.credentials["access_token"], dict(CONNECTOR.sandbox.settings)
ORDERS = 60  # the sandbox fixture seeds demo orders 1..60; 1..10 arrive already shipped
_names = count()


@pytest.fixture
def shop(sandbox: SandboxServer) -> ShopifySandbox:
    """The emulated store with a Plus-sized cost bucket: these tests are not about throttling."""
    app = sandbox.apps["shopify"]
    assert isinstance(app, ShopifySandbox)
    app.set_bucket(maximum=10_000, restore_rate=1_000)
    return app


Client = Callable[..., ApiClient]


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[Client]:
    """Makes ApiClients without our own 2-requests/s pacing (the emulator meters cost instead); closes them."""
    made: list[ApiClient] = []

    def make(config: AccountConfig | None = None, retry: RetryPolicy | None = None, pace: bool = True) -> ApiClient:
        made.append(ApiClient(
            CONNECTOR, config or sandbox_account("shopify", sandbox.url("shopify"), f"shop-{next(_names)}"),
            limiter=RateLimiter(RateLimit(1000, 1.0)),
            retry=retry or RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.05), pace=pace))
        return made[-1]

    yield make
    for api in made:
        api.close()


def fetch(api: ApiClient, trigger: str, since: str | None = None, until: str | None = None,
          page_size: int = MAX_PAGE) -> list[list[Record]]:
    spec = CONNECTOR.trigger(trigger)
    assert spec is not None
    return list(spec.fetch(api, TriggerContext(params={}, since=since, page_size=page_size, until=until)))


def flat(pages: list[list[Record]]) -> list[Record]:
    return [record for page in pages for record in page]


def account(sandbox: SandboxServer, **secrets: str) -> AccountConfig:
    settings = {**DEMO_SETTINGS, **{k: v for k, v in secrets.items() if k == "client_id"}}
    return AccountConfig(name=f"shop-{next(_names)}", connector="shopify", base_url=sandbox.url("shopify"),
                         settings=settings, secret={k: v for k, v in secrets.items() if k != "client_id"}.get)


def test_test_connection_names_the_shop(client: Client, shop: ShopifySandbox) -> None:
    assert CONNECTOR.test_connection(client()) == "Shopify shop OrderSync Demo Store " \
        "(ordersync-demo.myshopify.com)"


def test_order_updated_pages_through_every_order(client: Client, shop: ShopifySandbox) -> None:
    pages = fetch(client(), "order_updated", page_size=7)
    records = flat(pages)
    # Each page restarts at the last updatedAt read (keyset); the boundary order is passed on once.
    assert [len(p) for p in pages if p] == [7] + [6] * 8 + [5]
    assert [r.key for r in records] == [str(5000 + i) for i in range(1, ORDERS + 1)]
    assert [r.cursor_value for r in records] == sorted(r.cursor_value for r in records)
    first = records[0]
    assert first.version == first.cursor_value == first.payload["updatedAt"] == "2026-09-01T08:42:00Z"
    assert (first.payload["legacyResourceId"], first.payload["id"]) == ("5001", "gid://shopify/Order/5001")
    assert first.payload["customer"]["email"] == first.payload["email"]
    assert first.payload["lineItems"][0]["sku"] == "CER-01"
    assert first.payload["totalPrice"] == "254.00"
    assert first.payload["fulfillments"][0]["trackingInfo"] == {"number": "1ZSB0000005001", "company": "UPS"}
    chinese = next(r for r in records if r.key == "5005").payload
    assert (chinese["currencyCode"], chinese["shippingAddress"]["countryCodeV2"]) == ("CNY", "CN")


def test_a_big_page_size_is_capped_to_stay_under_the_query_cost_limit(client: Client, shop: ShopifySandbox) -> None:
    api = client()
    pages = fetch(api, "order_updated", page_size=250)
    assert max(len(p) for p in pages) == MAX_PAGE
    assert len(flat(pages)) == ORDERS
    assert api.stats.calls == 3  # pages of 25, 25 and the last 12 (one boundary order read again per page)


def test_closed_start_includes_the_record_at_since_and_until_excludes(client: Client, shop: ShopifySandbox) -> None:
    api = client()
    everything = flat(fetch(api, "order_updated"))
    since, until = everything[20].cursor_value, everything[30].cursor_value
    later = flat(fetch(api, "order_updated", since=since, page_size=9))
    assert (later[0].key, later[0].cursor_value) == (everything[20].key, since)
    assert [r.key for r in later] == [r.key for r in everything[20:]]
    window = flat(fetch(api, "order_updated", since=since, until=until))
    assert [r.key for r in window] == [r.key for r in everything[20:30]]


def test_order_created_reads_by_creation_time(client: Client, shop: ShopifySandbox) -> None:
    api = client()
    since = flat(fetch(api, "order_created"))[29].cursor_value
    CONNECTOR.actions[0].deliver(api, [Write("t", "5002", {"tags": ["vip"]})])  # an old order changes
    records = flat(fetch(api, "order_created", since=since))
    assert [r.key for r in records] == [str(5000 + i) for i in range(30, ORDERS + 1)]
    assert all(r.version == r.cursor_value == r.payload["createdAt"] for r in records)


def test_order_fulfilled_sees_what_the_warehouse_ships(client: Client, sandbox: SandboxServer,
                                                       shop: ShopifySandbox) -> None:
    api = client()
    shipped_before = flat(fetch(api, "order_fulfilled"))
    assert [r.key for r in shipped_before] == [str(5000 + i) for i in range(1, 11)]
    mark = shipped_before[-1].cursor_value

    assert fulfil_orders(sandbox.url("shopify"), 3) == ["#1011", "#1012", "#1013"]

    after = flat(fetch(api, "order_fulfilled", since=mark))
    assert [r.key for r in after] == ["5010", "5011", "5012", "5013"]  # 5010 sits on the closed start
    assert after[0].version == shipped_before[-1].version  # same event: the engine de-duplicates it
    for record in after[1:]:
        assert record.payload["displayFulfillmentStatus"] == "FULFILLED"
        assert record.payload["fulfillments"][0]["trackingInfo"] == {
            "number": f"1ZWH000000{record.key}", "company": "UPS"}
        assert record.version == record.payload["fulfillments"][0]["updatedAt"]
    counters = shop.counters()
    assert counters["call"]["fulfillmentCreate"] == 3
    assert counters["order_writes"] == {"5011": 1, "5012": 1, "5013": 1}


def test_fulfilled_version_ignores_later_edits(client: Client, sandbox: SandboxServer, shop: ShopifySandbox) -> None:
    api = client()
    fulfil_orders(sandbox.url("shopify"), 1)
    before = flat(fetch(api, "order_fulfilled"))[-1]
    CONNECTOR.actions[0].deliver(api, [Write("t", before.key, {"tags": "gift"})])
    edited = flat(fetch(api, "order_fulfilled", since=before.cursor_value))
    assert [(r.key, r.version) for r in edited] == [(before.key, before.version)]
    assert edited[0].cursor_value >= before.cursor_value
    assert edited[0].payload["tags"] == ["gift"]


def test_the_warehouse_ships_only_what_is_open(sandbox: SandboxServer, shop: ShopifySandbox) -> None:
    names = fulfil_orders(sandbox.url("shopify"), 500)
    assert names == [f"#{1000 + i}" for i in range(11, ORDERS + 1)]
    assert fulfil_orders(sandbox.url("shopify"), 5) == []


def test_add_order_tags_is_idempotent(client: Client, shop: ShopifySandbox) -> None:
    api = client()
    action = CONNECTOR.action("add_order_tags")
    assert action is not None
    write = Write("ref-1", "5012", {"tags": ["crm-synced", "vip"]})
    assert action.read_current(api, [write]) == [{"tags": []}]
    for _ in range(2):
        [result] = action.deliver(api, [write])
        assert (result.ref, result.status, result.target_id) == ("ref-1", "ok", "5012")
    assert action.read_current(api, [write]) == [{"tags": ["crm-synced", "vip"]}]
    [by_gid] = action.deliver(api, [Write("ref-2", "gid://shopify/Order/5012", {"tags": "vip, Crm-Synced"})])
    assert by_gid.status == "ok"
    counters = shop.counters()
    assert counters["call"]["tagsAdd"] == 3
    assert counters["order_writes"] == {"5012": 1}  # the repeats changed nothing


def test_add_order_tags_rejects_an_unknown_order(client: Client, shop: ShopifySandbox) -> None:
    api = client()
    action = CONNECTOR.action("add_order_tags")
    assert action is not None
    missing = Write("ref-9", "999999", {"tags": ["x"]})
    [result] = action.deliver(api, [missing])
    assert (result.status, result.message) == ("rejected", "Order does not exist")
    assert action.read_current(api, [missing]) == [None]
    [empty] = action.deliver(api, [Write("ref-0", "5012", {"tags": " , "})])
    [not_an_id] = action.deliver(api, [Write("ref-8", "no-such-order", {"tags": ["x"]})])
    assert (empty.status, not_an_id.status) == ("rejected", "rejected")
    assert action.read_current(api, [Write("ref-8", "no-such-order", {})]) == [None]
    assert shop.counters()["call"]["tagsAdd"] == 1  # only the well-formed write reached Shopify


def test_throttled_answers_are_retried_until_the_bucket_refills(client: Client, sandbox: SandboxServer) -> None:
    app = sandbox.apps["shopify"]
    assert isinstance(app, ShopifySandbox)
    app.set_bucket(maximum=200, restore_rate=500)  # one 5-order page (~182 points, lines with prices) at a time
    # Without cost pacing (another app on the store can spend the bucket just the same) calls are throttled.
    api = client(retry=RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=0.4), pace=False)
    records = flat(fetch(api, "order_updated", page_size=5))
    assert len({r.key for r in records}) == ORDERS
    assert api.stats.retries >= 1
    assert app.counters()["throttled"]["graphql"] >= 1


def test_reads_are_paced_by_the_cost_shopify_reports_so_nothing_is_throttled(client: Client,
                                                                            sandbox: SandboxServer) -> None:
    """The same small bucket, paced by ``extensions.cost``: each page waits for its requested points."""
    app = sandbox.apps["shopify"]
    assert isinstance(app, ShopifySandbox)
    app.set_bucket(maximum=200, restore_rate=500)
    httpx.post(f"{sandbox.root}/_sandbox/shopify/reset-counters").raise_for_status()
    api = client(retry=RetryPolicy(max_attempts=8, base_delay=0.05, max_delay=0.4))
    assert api.pacer is not None
    records = flat(fetch(api, "order_updated", page_size=5))
    assert len({r.key for r in records}) == ORDERS
    assert "throttled" not in app.counters() or not app.counters()["throttled"].get("graphql")
    assert api.stats.retries == 0 and api.stats.throttled == 0


def test_throttling_that_outlasts_the_retry_budget_is_transient(client: Client, sandbox: SandboxServer) -> None:
    app = sandbox.apps["shopify"]
    assert isinstance(app, ShopifySandbox)
    app.set_bucket(maximum=200, restore_rate=1)
    api = client(retry=RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02))
    with pytest.raises(TransientError) as caught:
        fetch(api, "order_updated", page_size=5)
    assert caught.value.vendor_message == "Throttled"


def test_a_wrong_or_missing_token_is_a_setup_problem_that_hides_the_token(client: Client,
                                                                          sandbox: SandboxServer) -> None:
    api = client(account(sandbox, access_token="shpat_wrong_token_1234"))
    with pytest.raises(AuthError) as caught:
        CONNECTOR.test_connection(api)
    assert "Invalid API key or access token" in str(caught.value)
    assert "shpat_wrong_token_1234" not in str(caught.value)
    with pytest.raises(SetupError, match="no access token"):
        client(account(sandbox))


def test_client_credentials_buy_one_token_and_reuse_it(client: Client, sandbox: SandboxServer,
                                                       shop: ShopifySandbox) -> None:
    api = client(account(sandbox, client_id=CLIENT_ID, client_secret=CLIENT_SECRET))
    assert CONNECTOR.test_connection(api).startswith("Shopify shop")
    assert len(flat(fetch(api, "order_created"))) == ORDERS
    assert shop.counters()["call"]["POST /admin/oauth/access_token"] == 1


def test_wrong_client_credentials_are_an_auth_error(client: Client, sandbox: SandboxServer) -> None:
    api = client(account(sandbox, client_id=CLIENT_ID, client_secret="not-the-secret"))
    with pytest.raises(AuthError, match="client credentials") as caught:
        CONNECTOR.test_connection(api)
    assert "not-the-secret" not in str(caught.value)


def test_graphql_errors_on_http_200_are_rejected_with_the_vendor_message(client: Client) -> None:
    api = client()
    with pytest.raises(RecordRejected) as caught:
        api.json("POST", "/admin/api/2025-10/graphql.json", json={"query": "{ shop { nme } }"})
    assert caught.value.vendor_message == "Cannot query field 'nme' on type 'Shop'. Did you mean 'name'?"


@pytest.mark.parametrize(("status", "body", "verdict"), [
    (200, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}, Verdict.RETRY),
    (200, {"errors": [{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]},
     Verdict.SETUP),
    (200, {"errors": [{"message": "Invalid global id"}], "data": None}, Verdict.REJECT),
    (200, {"data": {"shop": {"name": "x"}}}, None),
    (429, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}, None),  # default: retry
])
def test_classify(status: int, body: dict[str, Any], verdict: Verdict | None) -> None:
    assert CONNECTOR.classify is not None
    assert CONNECTOR.classify(httpx.Response(status, json=body)) is verdict


def test_error_message_reads_every_error_shape() -> None:
    shapes = [({"errors": "[API] Invalid API key"}, "[API] Invalid API key"),
              ({"errors": [{"message": "a"}, {"message": "b"}]}, "a; b"),
              ({"errors": {"query": "Required parameter missing or invalid"}},
               "query: Required parameter missing or invalid")]
    for body, message in shapes:
        assert CONNECTOR.error_message(httpx.Response(400, json=body)) == message


def test_a_repeated_page_cursor_stops_the_trigger(client: Client, sandbox: SandboxServer) -> None:
    page = {"data": {"orders": {"nodes": [], "pageInfo": {"hasNextPage": True, "endCursor": "c2FtZQ=="}}}}

    def stuck(request: Request, app: str) -> Response | None:
        return Response(200, page) if app == "shopify" and request.path.endswith("graphql.json") else None

    sandbox.faults.hook = stuck
    with pytest.raises(BugError, match="twice"):
        fetch(client(), "order_updated")


def test_the_emulator_answers_like_shopify(sandbox: SandboxServer, shop: ShopifySandbox) -> None:
    """What the connector does not exercise: orderUpdate, a second fulfilment, search warnings, cost data."""
    url = f"{sandbox.url('shopify')}/admin/api/2025-10/graphql.json"
    headers = {"X-Shopify-Access-Token": DEMO_TOKEN}

    def gql(query: str, **variables: Any) -> dict[str, Any]:
        return httpx.post(url, json={"query": query, "variables": variables}, headers=headers).json()

    updated = gql('mutation { orderUpdate(input: {id: "gid://shopify/Order/5020", tags: ["a"], note: "n"}) '
                  "{ order { tags note updatedAt } userErrors { message } } }")["data"]["orderUpdate"]
    assert (updated["order"]["tags"], updated["order"]["note"], updated["userErrors"]) == (["a"], "n", [])
    assert updated["order"]["updatedAt"] > "2026-09-02"
    again = gql('mutation { fulfillmentCreate(fulfillment: {lineItemsByFulfillmentOrder: '
                '[{fulfillmentOrderId: "gid://shopify/FulfillmentOrder/105001"}]}) { userErrors { message } } }')
    assert "unfulfillable status= closed" in again["data"]["fulfillmentCreate"]["userErrors"][0]["message"]
    open_orders = gql("{ fulfillmentOrders(first: 2) { nodes { orderName status lineItems(first: 1) "
                      "{ nodes { remainingQuantity } } } } }")["data"]["fulfillmentOrders"]["nodes"]
    assert [(fo["orderName"], fo["status"]) for fo in open_orders] == [("#1011", "OPEN"), ("#1012", "OPEN")]
    searched = gql('{ orders(first: 1, query: "colour:red") { nodes { id } } }')
    assert searched["extensions"]["search"][0]["warnings"][0]["field"] == "colour"
    assert searched["extensions"]["cost"]["requestedQueryCost"] == 2 + 1 * 1
    assert shop.counters()["order_writes"] == {"5020": 1}
