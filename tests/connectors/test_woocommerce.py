"""WooCommerce against its emulator: Basic and query-string keys, the exclusive ``modified_after`` kept as a
closed start, ``X-WP-TotalPages`` paging, WordPress errors; and a recipe WooCommerce → HubSpot end to end."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

import httpx
import pytest

from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import AccountConfig, TriggerContext
from ordersync_app.connectors.woocommerce import CONNECTOR
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.services import accounts, recipes, runs

ORDERS = 60
TRIGGER = CONNECTOR.triggers[0]


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[ApiClient]:
    with ApiClient(CONNECTOR, sandbox_account(CONNECTOR, sandbox.url("woocommerce"))) as client:
        yield client


def test_orders_page_by_total_pages_and_keys_go_in_basic_auth(api: ApiClient, sandbox: SandboxServer) -> None:
    sent: list[httpx.Request] = []
    api._http.event_hooks["request"].append(sent.append)
    records = [r for page in TRIGGER.read(api, TriggerContext({}, None, 25)) for r in page]
    assert sorted(int(r.key) for r in records) == [5000 + i for i in range(1, ORDERS + 1)]
    assert len(sent) == 3  # pages of 25, 25, 10: X-WP-TotalPages said 3
    assert sent[0].headers["Authorization"].startswith("Basic ")
    assert "consumer_secret" not in str(sent[0].url)
    first = min(records, key=lambda r: int(r.key))
    assert (first.key, first.cursor_value, first.version) == ("5001", "2026-09-01T08:42:00Z", "2026-09-01T08:42:00Z")
    assert first.payload["date_modified_gmt"] == "2026-09-01T08:42:00"  # GMT, without a zone, on the wire


def test_the_exclusive_modified_after_still_gives_a_closed_start(api: ApiClient) -> None:
    records = sorted((r for page in TRIGGER.read(api, TriggerContext({}, None, 100)) for r in page),
                     key=lambda r: r.cursor_value)
    since = records[30].cursor_value
    again = [r for page in TRIGGER.read(api, TriggerContext({}, since, 100)) for r in page]
    assert {r.key for r in again} == {r.key for r in records[30:]}  # the order at the cursor is included


def test_keys_in_the_query_string_when_a_host_strips_authorization(sandbox: SandboxServer) -> None:
    base = sandbox_account(CONNECTOR, sandbox.url("woocommerce"))
    account = AccountConfig(name="woo-query", connector="woocommerce", base_url=base.base_url,
                            settings={**base.settings, "auth_in": "query"}, secret=base.secret)
    with ApiClient(CONNECTOR, account) as client:
        assert CONNECTOR.test_connection(client) == f"WooCommerce: {ORDERS} order(s)"


def test_wrong_keys_and_a_site_without_the_api_say_what_to_fix(sandbox: SandboxServer) -> None:
    account = AccountConfig(name="woo-wrong", connector="woocommerce", base_url=sandbox.url("woocommerce"),
                            settings={"site": "x"}, secret={"consumer_key": "ck_x", "consumer_secret": "cs_x"}.get)
    with ApiClient(CONNECTOR, account) as client, pytest.raises(AuthError, match="cannot list resources"):
        CONNECTOR.test_connection(client)
    sandbox.faults.once("woocommerce", httpx_response_no_route())
    with ApiClient(CONNECTOR, sandbox_account(CONNECTOR, sandbox.url("woocommerce"))) as client, \
            pytest.raises(SetupError, match="No route was found"):
        CONNECTOR.test_connection(client)


def httpx_response_no_route():  # WordPress without WooCommerce's REST routes (or without pretty permalinks)
    from ordersync_app.sandbox._server import Response

    return Response(404, {"code": "rest_no_route", "message": "No route was found matching the URL and request "
                          "method.", "data": {"status": 404}})


RECIPE = textwrap.dedent("""\
    format: ordersync-recipe
    version: 1
    name: WooCommerce completed → HubSpot deal stage
    accounts: {shop: woocommerce, crm: hubspot}
    trigger: {account: shop, event: order_updated, every: 1m, start: everything}
    steps:
      - filter: {conditions: [{field: status, op: equals, value: completed}]}
      - action:
          account: crm
          action: update_deal
          match: {source: id}
          params: {id_property: shopify_order_id}
          fields:
            dealstage: {value: delivered}
            description: {template: "WooCommerce order {number} completed"}
    """)


def test_a_recipe_moves_hubspot_deals_of_completed_woocommerce_orders_once(home, sandbox: SandboxServer) -> None:
    assert CONNECTOR.sandbox is not None
    accounts.add_account("shop", "woocommerce", base_url=sandbox.url("woocommerce"), settings={"site": "shop.example"},
                         secret_values=dict(CONNECTOR.sandbox.credentials))
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})
    recipes.import_recipe(RECIPE, {"shop": "shop", "crm": "crm"}, name="woo")
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()

    first = runs.run_recipe("woo")
    assert (first.seen, first.succeeded, first.filtered, first.failed) == (ORDERS, 10, 50, 0)  # 1..10 completed
    writes = httpx.get(f"{sandbox.root}/_sandbox/hubspot/counters").json()["deal_writes"]
    assert len(writes) == 10 and set(writes.values()) == {1}

    with httpx.Client(auth=("ck_sandbox_woocommerce", "cs_sandbox_woocommerce")) as http:  # two more complete
        answer = http.post(f"{sandbox.url('woocommerce')}/orders/batch",
                           json={"update": [{"id": 5011, "status": "completed"}, {"id": 5012, "status": "completed"}]})
        assert answer.status_code == 200
    second = runs.run_recipe("woo")
    assert (second.succeeded, second.failed) == (2, 0)
    third = runs.run_recipe("woo")
    assert third.succeeded == third.writes == 0
    writes = httpx.get(f"{sandbox.root}/_sandbox/hubspot/counters").json()["deal_writes"]
    assert len(writes) == 12 and set(writes.values()) == {1}  # every deal written once, in three runs
