"""WooCommerce against its emulator: Basic and query-string keys, the exclusive ``modified_after`` kept as a
closed start, ``X-WP-TotalPages`` paging, WordPress errors; and a recipe WooCommerce → HubSpot end to end."""

from __future__ import annotations

import os
import ssl
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from ordersync_app.connectors.sdk.http import ApiClient, fingerprint
from ordersync_app.connectors.sdk.spec import AccountConfig, TriggerContext, Write
from ordersync_app.connectors.woocommerce import CONNECTOR
from ordersync_app.domain.errors import AuthError, SetupError
from ordersync_app.sandbox._server import Response, SandboxServer
from ordersync_app.sandbox.apps import build_server, sandbox_account
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
    sent: list[httpx.Request] = []
    with ApiClient(CONNECTOR, account) as client:
        client._http.event_hooks["request"].append(sent.append)
        said = CONNECTOR.test_connection(client)
    assert said.startswith(f"WooCommerce: {ORDERS} order(s); warning: the keys travel in the query string")
    assert "authorization" not in sent[0].headers and "consumer_secret=" in str(sent[0].url)


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


# -- a store from before 2022 ignores modified_after: the SDK's closed start filters client-side -------------------
def test_a_store_that_ignores_modified_after_still_gives_only_the_changes(api: ApiClient, sandbox: SandboxServer
                                                                          ) -> None:
    records = sorted((r for page in TRIGGER.read(api, TriggerContext({}, None, 100)) for r in page),
                     key=lambda r: r.cursor_value)
    since = records[40].cursor_value
    expected = {r.key for page in TRIGGER.read(api, TriggerContext({}, since, 100)) for r in page}
    app = sandbox.apps["woocommerce"]
    app.ignores_modified_after = True  # type: ignore[attr-defined]
    answered: list[int] = []
    api._http.event_hooks["response"].append(lambda r: answered.append(int(r.headers["X-WP-Total"])))
    got = {r.key for page in TRIGGER.read(api, TriggerContext({}, since, 100)) for r in page}
    assert answered == [ORDERS], "the old store answered every order"
    assert got == expected == {r.key for r in records[40:]}


# -- writes ----------------------------------------------------------------------------------------------------------
def writes_counter(sandbox: SandboxServer, kind: str) -> dict[str, int]:
    return httpx.get(f"{sandbox.root}/_sandbox/woocommerce/counters").json().get(kind, {})


def test_order_batch_update_maps_each_result_back(api: ApiClient, sandbox: SandboxServer) -> None:
    action = CONNECTOR.action("update_order")
    assert action is not None and action.batch_max == 100
    batch = [Write("a", "5003", {"status": "completed", "meta.crm_deal_id": "D-3"}),
             Write("b", "999999", {"status": "completed"}),
             Write("c", "SO-7", {"status": "completed"}),
             Write("d", "5004", {"customer_note": "注意：易碎", "status": "on-hold"})]
    results = action.deliver(api, batch)
    assert [(r.ref, r.status) for r in results] == [("a", "ok"), ("b", "rejected"), ("c", "rejected"), ("d", "ok")]
    assert results[1].message == "Invalid ID." and results[2].message == "no numeric order id"
    assert writes_counter(sandbox, "call") == {"POST /orders/batch": 1}
    assert set(writes_counter(sandbox, "order_writes")) == {"5003", "5004"}
    current = action.read_current(api, [batch[0], batch[3], Write("e", "999999", {"status": "x"})])
    assert current == [{"status": "completed", "meta.crm_deal_id": "D-3"},
                       {"customer_note": "注意：易碎", "status": "on-hold"}, None]


@pytest.mark.parametrize("search_covers_meta", [True, False])
def test_created_orders_carry_the_write_reference_and_are_found_by_it(api: ApiClient, sandbox: SandboxServer,
                                                                      search_covers_meta: bool) -> None:
    action = CONNECTOR.action("create_order")
    assert action is not None and action.semantics == "append"
    write = Write("7:opp-1:v1:0", None, {"status": "processing", "billing.email": "buyer@example.com",
                                        "billing.company": "ACME 有限公司", "fee_name": "Opportunity Big deal",
                                        "fee_total": 1250.5})
    (result,) = action.deliver(api, [write])
    assert result.status == "ok" and result.target_id
    with httpx.Client(auth=("ck_sandbox_woocommerce", "cs_sandbox_woocommerce")) as http:
        made = http.get(f"{sandbox.url('woocommerce')}/orders", params={"include": result.target_id}).json()[0]
    assert made["total"] == "1250.50" and made["billing"]["company"] == "ACME 有限公司"
    assert {"key": "ordersync_ref", "value": "7:opp-1:v1:0"} in made["meta_data"]
    if not search_covers_meta:  # the store's search does not cover the meta key: the newest orders are looked at
        sandbox.faults.hook = lambda request, app: Response(200, []) if request.arg("search") else None
    try:
        found, missing = action.read_current(api, [write, Write("7:opp-2:v1:0", None, {"status": "processing"})])
    finally:
        sandbox.faults.hook = None
    assert found == {"status": "processing", "billing.email": "buyer@example.com", "billing.company": "ACME 有限公司",
                     "fee_name": "Opportunity Big deal", "fee_total": "1250.5"} and missing is None


def test_customers_trigger_and_upsert_by_email(api: ApiClient, sandbox: SandboxServer) -> None:
    trigger = CONNECTOR.trigger("customer_updated")
    assert trigger is not None
    customers = [r for page in trigger.read(api, TriggerContext({}, None, 25)) for r in page]
    assert len(customers) == ORDERS and customers[0].payload["email"]
    known = customers[3].payload["email"]
    action = CONNECTOR.action("upsert_customer")
    assert action is not None
    batch = [Write("a", known.upper(), {"billing.phone": "+86 138 0000 0004", "first_name": "Wei"}),
             Write("b", "new.buyer@example.com", {"first_name": "New", "billing.city": "杭州市"}),
             Write("c", "not-an-email", {"first_name": "X"})]
    assert [r.status for r in action.deliver(api, batch)] == ["ok", "ok", "rejected"]
    assert [r.status for r in action.deliver(api, batch[:2])] == ["ok", "ok"]  # again: the same two customers
    with httpx.Client(auth=("ck_sandbox_woocommerce", "cs_sandbox_woocommerce")) as http:
        listed = http.get(f"{sandbox.url('woocommerce')}/customers", params={"per_page": 100}).json()
    assert len(listed) == ORDERS + 1
    assert action.read_current(api, batch[:2]) == [{"billing.phone": "+86 138 0000 0004", "first_name": "Wei"},
                                                   {"first_name": "New", "billing.city": "杭州市"}]
    since = max(r.cursor_value for r in customers)
    changed = [r for page in trigger.read(api, TriggerContext({}, since, 25)) for r in page]
    assert {r.payload["email"] for r in changed} >= {known, "new.buyer@example.com"}


# -- self-signed TLS per account -------------------------------------------------------------------------------------
def self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "shop.local")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("shop.local")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "shop.pem", folder / "shop.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_a_self_signed_shop_is_trusted_for_its_account_and_the_test_shows_the_pin(home, tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    server = build_server(tmp_path / "tls-sandbox", orders=5)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server._httpd.socket = context.wrap_socket(server._httpd.socket, server_side=True)
    server.start()
    try:
        url = f"https://127.0.0.1:{server.port}/woocommerce"
        keys = {"consumer_key": "ck_sandbox_woocommerce", "consumer_secret": "cs_sandbox_woocommerce"}
        accounts.add_account("shop", "woocommerce", base_url=url, settings={"site": "shop.local"}, secret_values=keys)
        with pytest.raises(SetupError, match="certificate is not trusted"):
            accounts.test_account("shop")
        accounts.set_tls("shop", pinned_pem=cert_file.read_text())
        said = accounts.test_account("shop")
        assert said == f"WooCommerce: 5 order(s); TLS: trusting only the certificate SHA-256 " \
                       f"{fingerprint(cert_file.read_text())}"
    finally:
        server.stop()


WON = textwrap.dedent("""\
    format: ordersync-recipe
    version: 1
    name: Won deals → WooCommerce orders
    accounts: {files: csv_folder, shop: woocommerce}
    trigger: {account: files, event: row_changed, every: 1m, start: everything}
    steps:
      - action:
          account: shop
          action: create_order
          fields:
            status: {value: processing}
            billing.email: {source: email}
            fee_name: {template: "Opportunity {name}"}
            fee_total: {source: amount}
    """)


def test_a_create_whose_answer_was_lost_is_found_by_its_marker_not_sent_again(home, sandbox: SandboxServer,
                                                                              tmp_path: Path, monkeypatch) -> None:
    from ordersync_app.engine import runner

    monkeypatch.setattr(runner, "settle_seconds", lambda _client: 0.0)  # no wait before checking (not under test)
    monkeypatch.setattr(runner, "RETRY_SCHEDULE", (0,))
    (tmp_path / "won.csv").write_text("email,name,amount\na@x.com,Alpha,100\nb@x.com,Beta,250.5\n", "utf-8")
    os.utime(tmp_path / "won.csv", (0, 0))
    assert CONNECTOR.sandbox is not None
    accounts.add_account("files", "csv_folder", settings={"folder": str(tmp_path), "key_column": "email",
                                                          "settle_seconds": "0"})
    accounts.add_account("shop", "woocommerce", base_url=sandbox.url("woocommerce"), settings={"site": "shop.example"},
                         secret_values=dict(CONNECTOR.sandbox.credentials))
    recipes.import_recipe(WON, {"files": "files", "shop": "shop"}, name="won")
    httpx.post(f"{sandbox.root}/_sandbox/woocommerce/reset-counters").raise_for_status()
    sandbox.faults.once("woocommerce", "drop-after")  # the orders are created, the answer never arrives

    first = runs.run_recipe("won")
    assert (first.succeeded, first.retrying, first.writes) == (0, 2, 0)
    second = runs.run_recipe("won")  # checks the shop first: both orders are there, found by their marker
    assert (second.succeeded, second.failed, second.writes) == (2, 0, 2)
    created = writes_counter(sandbox, "order_writes")
    assert len(created) == 2 and set(created.values()) == {1}, "an order was created twice"
    assert runs.run_recipe("won").writes == 0
