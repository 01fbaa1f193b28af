"""Shopify for recipes v2 against the sandbox store: every line item with its price, orders created once and found
again by their reference, customers that changed and customer updates, and the modified stamp of every write."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import count
from typing import Any, TypeVar

import httpx
import pytest
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import RateLimit, TriggerContext, Write
from ordersync_app.connectors.shopify import CONNECTOR
from ordersync_app.domain.records import Record
from ordersync_app.engine.diff import already_applied
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.shopify import ShopifySandbox, requested_cost

T = TypeVar("T")


def declared(found: T | None) -> T:
    assert found is not None
    return found


CREATE, UPDATE_CUSTOMER = declared(CONNECTOR.action("create_order")), declared(CONNECTOR.action("update_customer"))
TAGS = declared(CONNECTOR.action("add_order_tags"))
ORDER_CREATED = declared(CONNECTOR.trigger("order_created"))
CUSTOMERS = declared(CONNECTOR.trigger("customer_updated"))
_names = count()


@pytest.fixture
def shop(sandbox: SandboxServer) -> ShopifySandbox:
    app = sandbox.apps["shopify"]
    assert isinstance(app, ShopifySandbox)
    # Shopify's single-query cap (a costlier document is refused), refilled fast: a throttled page waits ~0.2 s.
    app.set_bucket(maximum=1_000, restore_rate=1_000)
    httpx.post(f"{sandbox.root}/_sandbox/shopify/reset-counters").raise_for_status()
    return app


@pytest.fixture
def api(sandbox: SandboxServer, shop: ShopifySandbox) -> Iterator[ApiClient]:
    account = sandbox_account("shopify", sandbox.url("shopify"), f"shop-records-{next(_names)}")
    with ApiClient(CONNECTOR, account, limiter=RateLimiter(RateLimit(1000, 1.0)),
                   retry=RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=0.5)) as client:
        yield client


def read(api: ApiClient, trigger: Any, since: str | None = None, size: int = 25) -> list[Record]:
    return [r for page in trigger.read(api, TriggerContext({}, since, size)) for r in page]


def order_write(ref: str, lines: list[dict[str, Any]], **more: Any) -> Write:
    return Write(ref, ref, {"lineItems": lines, "currency": "USD", "ordersync_ref": ref, **more})


LINES = [{"title": f"Tea sampler {n}", "sku": f"TEA-{n:02d}", "quantity": 1 + n % 3, "price": f"{10 + n}.50"}
         for n in range(25)]


def test_an_order_with_25_lines_is_created_once_and_read_whole(api: ApiClient, shop: ShopifySandbox) -> None:
    ref = "recipe-2:deal-88:2026-09-02T10:00:00Z:1"
    write = order_write(ref, LINES, email="Buyer.One@example.com", firstName="Ana", note="from deal 88",
                        tags=["crm"], **{"shippingAddress.city": "Austin", "shippingAddress.countryCode": "US"})
    assert CREATE.read_current(api, [write]) == [None]

    result = CREATE.deliver(api, [write])[0]

    assert (result.status, result.created) == ("ok", True)
    assert shop.counters()["call"] == {"orderCreate": 1}
    found = CREATE.read_current(api, [write])[0]
    assert already_applied(found, write.properties), found
    records = [r for r in read(api, ORDER_CREATED) if r.key == result.target_id]
    assert len(records) == 1
    order = records[0].payload
    assert [(line["title"], line["quantity"], line["price"], line["currencyCode"]) for line in order["lineItems"]] == \
        [(line["title"], line["quantity"], line["price"], "USD") for line in LINES]
    assert order["customer"]["firstName"] == "Ana" and order["shippingAddress"]["city"] == "Austin"
    assert result.stamp == records[0].cursor_value  # created: the created-at cursor is the stamp too
    assert "_first_lines" not in order


def test_a_created_order_reads_back_in_the_shape_it_was_written(api: ApiClient, shop: ShopifySandbox) -> None:
    """A lost answer is verified by reading the order back: a price written "38.00", Jushuitan-style item keys and
    the source's own line ids must not look like a difference, or the order would be created twice."""
    source = [{"id": "gid://shopify/LineItem/50010", "name": "Kettle", "qty": 2, "price": "38.00", "sku_id": "K-1"}]
    write = order_write("r:2", source, financialStatus="PAID", tags="crm, vip")
    assert CREATE.deliver(api, [write])[0].status == "ok"

    assert already_applied(CREATE.read_current(api, [write])[0], write.properties)
    other = order_write("r:2", [{**source[0], "qty": 3}])
    assert not already_applied(CREATE.read_current(api, [other])[0], other.properties)
    assert CREATE.read_current(api, [order_write("r:3", source)]) == [None]  # another reference: not this order


@pytest.mark.parametrize(("properties", "complaint"), [
    ({"lineItems": [], "currency": "USD"}, "needs line items"),
    ({"lineItems": [{"title": "Tea", "quantity": 0, "price": "1"}], "currency": "USD"}, "line item 1"),
    ({"lineItems": [{"title": "Tea", "quantity": 1, "price": "-1"}], "currency": "USD"}, "price ≥ 0"),
    ({"lineItems": [{"title": "Tea", "quantity": 1, "price": "1"}]}, "currency"),
])
def test_an_order_the_write_cannot_describe_is_refused_before_sending(
        api: ApiClient, shop: ShopifySandbox, properties: dict[str, Any], complaint: str) -> None:
    result = CREATE.deliver(api, [Write("bad", "bad", properties)])[0]
    assert result.status == "rejected" and complaint in (result.message or "")
    assert "call" not in shop.counters()


def test_shopify_refusals_come_back_as_the_records_rejection(api: ApiClient, shop: ShopifySandbox) -> None:
    write = order_write("r:4", [{"title": "Tea", "quantity": 1, "price": "5", "currencyCode": "EUR"}])
    result = CREATE.deliver(api, [write])[0]
    assert result.status == "rejected" and "price in USD" in (result.message or "")
    assert CREATE.read_current(api, [write]) == [None]


def test_a_long_order_stays_under_the_query_cost_cap(api: ApiClient, shop: ShopifySandbox,
                                                     sandbox: SandboxServer) -> None:
    assert CREATE.deliver(api, [order_write("r:5", LINES * 10)])[0].status == "ok"  # 250 lines
    sent: list[dict[str, Any]] = []

    def record(request: Request, app: str) -> Response | None:
        if app == "shopify":
            sent.append(json.loads(request.body))
        return None

    sandbox.faults.hook = record
    try:
        records = read(api, ORDER_CREATED)
    finally:
        sandbox.faults.hook = None

    assert max(len(r.payload["lineItems"]) for r in records) == 250
    costs = {}
    for body in sent:
        document = parse(body["query"])
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        costs[body["query"].split("(")[0]] = requested_cost(operation.selection_set, body["variables"], fragments)
    assert set(costs) == {"query Orders", "query OrderLines"}
    assert max(costs.values()) <= 1000, costs  # Shopify's single-query cap (the emulator counts pageInfo per item)


def test_the_customer_trigger_reads_every_customer_and_sees_updates(api: ApiClient, shop: ShopifySandbox) -> None:
    customers = read(api, CUSTOMERS, size=25)
    assert len(customers) == len({c.key for c in customers}) == 60
    assert [c.cursor_value for c in customers] == sorted(c.cursor_value for c in customers)
    first = customers[0].payload
    assert first["numberOfOrders"] == 1 and first["amountSpent"] == demo_data.demo_order(1)["total"]

    email = demo_data.demo_order(9)["email"]
    result = UPDATE_CUSTOMER.deliver(api, [Write("c9", email, {"firstName": "Nina", "tags": "vip, crm"})])[0]

    assert result.status == "ok" and result.target_id == str(demo_data.demo_order(9)["customer"]["id"])
    changed = read(api, CUSTOMERS, since=customers[-1].cursor_value)
    assert changed[-1].key == f"gid://shopify/Customer/{result.target_id}"
    assert changed[-1].cursor_value == result.stamp
    assert changed[-1].payload["firstName"] == "Nina" and changed[-1].payload["tags"] == ["vip", "crm"]


def test_update_customer_by_id_or_email_sets_values_once(api: ApiClient, shop: ShopifySandbox) -> None:
    by_id = Write("c1", "gid://shopify/Customer/7003", {"phone": "+15035550100", "note": "prefers email"})
    by_email = Write("c2", demo_data.demo_order(3)["email"].upper(), {"phone": "+15035550100"})
    assert UPDATE_CUSTOMER.read_current(api, [by_id])[0] != by_id.properties

    first, again = UPDATE_CUSTOMER.deliver(api, [by_id])[0], UPDATE_CUSTOMER.deliver(api, [by_email])[0]

    assert (first.status, again.status, first.target_id, again.target_id) == ("ok", "ok", "7003", "7003")
    assert again.stamp == first.stamp  # nothing changed the second time
    assert UPDATE_CUSTOMER.read_current(api, [by_id, by_email]) == [by_id.properties, by_email.properties]
    seen = shop.counters()
    assert seen["customer_writes"] == {"7003": 1} and seen["customer_noop"] == {"7003": 1}
    missing = UPDATE_CUSTOMER.deliver(api, [Write("c3", "nobody@example.com", {"note": "x"})])[0]
    assert missing.status == "rejected" and "nobody@example.com" in (missing.message or "")
    taken = UPDATE_CUSTOMER.deliver(api, [Write("c4", "7004", {"email": demo_data.demo_order(3)["email"]})])[0]
    assert taken.status == "rejected" and "already been taken" in (taken.message or "")


def test_tagging_answers_the_orders_new_stamp(api: ApiClient, shop: ShopifySandbox) -> None:
    result = TAGS.deliver(api, [Write("t", "5012", {"tags": ["synced"]})])[0]
    later = [r for r in read(api, declared(CONNECTOR.trigger("order_updated")), result.stamp) if r.key == "5012"]
    assert result.stamp is not None and [r.cursor_value for r in later] == [result.stamp]


def test_an_order_announced_by_webhook_is_read_back_whole(api: ApiClient, shop: ShopifySandbox) -> None:
    """Instant triggers read the announced order through the API: all its lines too, in the polled shape."""
    created = CREATE.deliver(api, [order_write("r:6", LINES[:12])])[0]
    hook = declared(declared(CONNECTOR.trigger("order_created")).webhook)
    assert hook.fetch is not None

    (node,) = hook.fetch(api, [declared(created.target_id)])
    payload = declared(ORDER_CREATED.shape)(node)

    assert len(payload["lineItems"]) == 12 and "_first_lines" not in payload
    polled = [r.payload for r in read(api, ORDER_CREATED) if r.key == created.target_id]
    assert polled == [payload]
