"""Recipes v2 end to end against the sandbox apps in-process, one test per scenario of issue 10: line items,
"deal entered stage" → an order, search-or-create + associate (with its dry run), monthly spend and unusually
large orders from incremental totals, the owner's values kept by field modes, the pilot that never counts as
processed, and the loop guard (two recipes stamping each other, one recipe reading and writing one account).
Writes are counted by the emulators; every re-run writes nothing."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.services import accounts, recipes, runs

TEMPLATES = Path(__file__).parents[2] / "recipes"
HUBSPOT = {"Authorization": "Bearer sandbox-hubspot-token"}
SHOPIFY = {"X-Shopify-Access-Token": "sandbox-shopify-token"}
ORDER_CREATE = """mutation OrderCreate($order: OrderCreateOrderInput!) {
  orderCreate(order: $order) { order { id legacyResourceId } userErrors { field message } }
}"""


@pytest.fixture
def crm_and_shop(home: Path, sandbox: SandboxServer) -> SandboxServer:
    del home
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings={"shop": "demo", "plan": "plus"},
                         secret_values={"access_token": "sandbox-shopify-token"})
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})
    return sandbox


def _hubspot(sandbox: SandboxServer, method: str, path: str, body: Any = None) -> Any:
    answer = httpx.request(method, f"{sandbox.url('hubspot')}{path}", headers=HUBSPOT, json=body, timeout=30)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def _new_order(sandbox: SandboxServer, email: str, lines: list[tuple[str, str, int, str]],
               currency: str = "USD") -> str:
    """An order placed now (title, sku, quantity, price per line); its numeric id."""
    order = {"currency": currency, "email": email, "customer": {"toUpsert": {"email": email, "firstName": "Nia"}},
             "lineItems": [{"title": t, "sku": sku, "quantity": q,
                            "priceSet": {"shopMoney": {"amount": p, "currencyCode": currency}}}
                           for t, sku, q, p in lines]}
    answer = httpx.post(f"{sandbox.url('shopify')}/admin/api/2025-01/graphql.json", headers=SHOPIFY, timeout=30,
                        json={"query": ORDER_CREATE, "variables": {"order": order}}).json()
    assert not answer["data"]["orderCreate"]["userErrors"], answer
    return str(answer["data"]["orderCreate"]["order"]["legacyResourceId"])


def _new_deal(sandbox: SandboxServer, **props: Any) -> str:
    return str(_hubspot(sandbox, "POST", "/crm/v3/objects/deals", {"properties": props})["id"])


def _counters(sandbox: SandboxServer, app: str) -> dict[str, dict[str, int]]:
    return sandbox.apps[app].counters()


def _writes(sandbox: SandboxServer, app: str, kind: str) -> int:
    """Every write call of one object kind, no-op writes included (a repeat is a duplicate even when equal)."""
    seen = _counters(sandbox, app)
    return sum(seen.get(f"{kind}_writes", {}).values()) + sum(seen.get(f"{kind}_noop", {}).values())


def _import(name: str, template: str, **options: Any) -> None:
    recipes.import_recipe(TEMPLATES / template, {"shop": "shop", "crm": "crm"}, name=name, **options)


def test_an_order_with_25_lines_becomes_25_line_items_on_its_deal_once(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    _import("lines", "shopify-order-lines-to-hubspot-line-items.yaml")
    lines = [(f"Sample {n}", f"SKU-{n:02d}", 1 + n % 3, f"{5 + n}.00") for n in range(25)]
    order_id = _new_order(sandbox, "lines@example.com", lines)
    deal = _new_deal(sandbox, dealname="Order with 25 lines", pipeline="ecommerce", dealstage="processed",
                     shopify_order_id=order_id)
    first = runs.run_recipe("lines")
    assert (first.succeeded, first.failed) == (1, 0)
    assert _writes(sandbox, "hubspot", "line_item") == 25
    linked = _hubspot(sandbox, "POST", "/crm/v4/associations/deals/line_items/batch/read", {"inputs": [{"id": deal}]})
    assert len(linked["results"][0]["to"]) == 25
    items = _hubspot(sandbox, "POST", "/crm/v3/objects/line_items/batch/read",
                     {"inputs": [{"id": str(t["toObjectId"])} for t in linked["results"][0]["to"]],
                      "properties": ["name", "price", "quantity", "hs_sku"]})["results"]
    assert sorted(i["properties"]["hs_sku"] for i in items) == sorted(sku for _t, sku, _q, _p in lines)
    assert {i["properties"]["price"] for i in items} == {p for _t, _s, _q, p in lines}
    again = runs.run_recipe("lines")
    assert again.writes == 0 and _writes(sandbox, "hubspot", "line_item") == 25


def test_a_deal_entering_closed_won_creates_one_order_and_later_edits_do_not(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    _import("won", "hubspot-deal-won-to-shopify-order.yaml")
    deals = [_new_deal(sandbox, dealname=f"Deal {n}", pipeline="default", dealstage="appointmentscheduled",
                       amount=str(100 * (n + 1)), deal_currency_code="USD") for n in range(3)]
    assert runs.run_recipe("won").writes == 0  # none is won yet (their stages are remembered)

    def created() -> int:
        return _counters(sandbox, "shopify").get("call", {}).get("orderCreate", 0)

    _hubspot(sandbox, "PATCH", f"/crm/v3/objects/deals/{deals[0]}", {"properties": {"dealstage": "closedwon"}})
    assert runs.run_recipe("won").writes == 1 and created() == 1
    for deal in deals:  # a pipeline edit bumps every deal's modified date: no stage changed
        sandbox.apps["hubspot"].touch(deal)
    _hubspot(sandbox, "PATCH", f"/crm/v3/objects/deals/{deals[0]}", {"properties": {"description": "signed"}})
    bumped = runs.run_recipe("won")
    assert bumped.writes == 0 and created() == 1 and bumped.no_change == 3
    _hubspot(sandbox, "PATCH", f"/crm/v3/objects/deals/{deals[1]}", {"properties": {"dealstage": "closedwon"}})
    assert runs.run_recipe("won").writes == 1 and created() == 2
    assert runs.run_recipe("won").writes == 0 and created() == 2


def test_search_or_create_then_associate_previews_then_runs_live(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    _import("link", "shopify-new-order-to-hubspot-contact-and-deal.yaml", dry_run=True)
    order_id = _new_order(sandbox, "new.buyer@example.com", [("Tea", "TEA-1", 1, "12.00")])
    deal = _new_deal(sandbox, dealname="New buyer", pipeline="ecommerce", dealstage="processed",
                     shopify_order_id=order_id)
    pilot = runs.run_recipe("link")
    assert (pilot.dry_run, pilot.failed, pilot.writes) == (True, 0, 0)
    steps = runs.history("link")[0].steps
    association = [s for s in steps if s.get("kind") == "action" and s.get("step") == 3]
    assert association and association[0]["preview"]["changes"][0]["new"] == "(pending)"  # the contact to be made
    assert _writes(sandbox, "hubspot", "contact") == 0

    recipes.set_dry_run("link", dry_run=False)
    live = runs.run_recipe("link")  # the pilot's outcome did not count as processed
    assert (live.succeeded, live.failed) == (1, 0)
    contact = _hubspot(sandbox, "POST", "/crm/v3/objects/contacts/search", {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "new.buyer@example.com"}]}],
        "properties": ["firstname"], "limit": 1, "after": "0", "sorts": []})["results"][0]
    linked = _hubspot(sandbox, "POST", "/crm/v4/associations/deals/contacts/batch/read", {"inputs": [{"id": deal}]})
    assert [str(t["toObjectId"]) for t in linked["results"][0]["to"]] == [str(contact["id"])]
    assert runs.run_recipe("link").writes == 0


def test_field_modes_keep_what_the_crm_owner_corrected(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    _import("contacts", "shopify-order-to-hubspot-contact.yaml")
    _hubspot(sandbox, "POST", "/crm/v3/objects/contacts", {"properties": {
        "email": "known@example.com", "firstname": "Corrected by sales", "lastname": ""}})
    _new_order(sandbox, "known@example.com", [("Tea", "TEA-1", 1, "12.00")])  # the shop says firstName "Nia"
    assert runs.run_recipe("contacts").failed == 0
    contact = _hubspot(sandbox, "POST", "/crm/v3/objects/contacts/search", {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "known@example.com"}]}],
        "properties": ["firstname"], "limit": 1, "after": "0", "sorts": []})["results"][0]
    assert contact["properties"]["firstname"] == "Corrected by sales"


def _history(sandbox: SandboxServer, customers: int, months: int) -> list[dict[str, Any]]:
    answer = httpx.post(f"{sandbox.root}/_sandbox/shopify/history", json={"customers": customers, "months": months},
                        timeout=120)
    answer.raise_for_status()
    return list(answer.json()["orders"])


def _contacts(sandbox: SandboxServer) -> dict[str, dict[str, Any]]:
    rows = sandbox.apps["hubspot"].db.execute("SELECT props FROM hs_objects WHERE kind = 'contacts'").fetchall()
    return {json.loads(p)["email"]: json.loads(p) for (p,) in rows}


@pytest.mark.slow
def test_monthly_spend_over_a_year_for_500_customers_matches_an_independent_total(
        crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    orders = _history(sandbox, 500, 12)
    _import("spend", "shopify-orders-to-hubspot-monthly-spend.yaml")
    summary = runs.run_recipe("spend")
    assert summary.failed == 0 and summary.retrying == 0
    zone = ZoneInfo("Asia/Shanghai")
    months: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    latest: dict[str, tuple[str, str]] = {}
    for order in orders:  # the buyer's total in the month of their newest order (Shanghai time)
        month = datetime.fromisoformat(order["createdAt"].replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m")
        months[order["email"]][month] += Decimal(order["total"])
        stamp = (order["createdAt"], order["id"].zfill(10))
        if order["email"] not in latest or stamp > latest[order["email"]]:
            latest[order["email"]] = (stamp[0], month)
    contacts = _contacts(sandbox)
    assert len(latest) == 500
    for email, (_at, month) in latest.items():
        assert Decimal(str(contacts[email]["monthly_spend"])).quantize(Decimal("0.01")) == \
            months[email][month].quantize(Decimal("0.01")), email

    before = _writes(sandbox, "hubspot", "contact")
    assert runs.run_recipe("spend").writes == 0
    _new_order(sandbox, "buyer7@history.example", [("Tea set", "TEA-SET", 2, "30.00")])
    one = runs.run_recipe("spend")
    assert one.writes == 1 and _writes(sandbox, "hubspot", "contact") == before + 1
    assert Decimal(str(_contacts(sandbox)["buyer7@history.example"]["monthly_spend"])) == Decimal("60")


def test_a_create_whose_answer_was_lost_is_verified_with_every_field_it_sent(crm_and_shop: SandboxServer) -> None:
    """Killed after an upsert created a contact (its create_only email sent) and before the answer was stored: the
    next run's write leaves the email out (the contact exists now), yet what the target holds must be compared with
    everything that was sent, and the write settled as verified — not sent again (the monthly-spend kill drill's
    occasional extra write)."""
    from datetime import timedelta

    from sqlalchemy import func, select, update

    from ordersync_app.storage import db
    from ordersync_app.storage.tables import AuditEntry, Delivery, Execution, utcnow

    sandbox = crm_and_shop
    _history(sandbox, 30, 1)
    _import("spend", "shopify-orders-to-hubspot-monthly-spend.yaml")
    assert runs.run_recipe("spend").failed == 0
    writes = _writes(sandbox, "hubspot", "contact")
    with db.session() as s:  # a contact written once: its only write created it
        rows = list(s.scalars(select(Delivery)))
        per_target: dict[str | None, list[Delivery]] = defaultdict(list)
        for row in rows:
            per_target[row.target_key].append(row)
        only = next(r[0] for r in per_target.values() if len(r) == 1 and "email" in (r[0].sent or {}))
        only.status, only.updated_at = "inflight", utcnow() - timedelta(hours=1)  # sent, then the process died
        s.execute(update(Execution).where(Execution.record_key == only.record_key).values(
            status="retrying", next_attempt_at=utcnow() - timedelta(seconds=1)))
        only_id = only.id
    again = runs.run_recipe("spend", poll=False)  # the due record only
    assert again.failed == 0
    assert _writes(sandbox, "hubspot", "contact") == writes  # found in the target: nothing sent twice
    with db.session() as s:
        assert s.scalar(select(Delivery.status).where(Delivery.id == only_id)) == "done"
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.how == "verified")) == 1


def test_orders_above_three_times_the_buyers_average_are_flagged_per_currency(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    orders = _history(sandbox, 120, 12)
    _import("large", "shopify-large-order-to-hubspot-flag.yaml")
    summary = runs.run_recipe("large")
    assert summary.failed == 0
    seen: dict[tuple[str, str], list[Decimal]] = defaultdict(list)
    flagged = set()
    for order in sorted(orders, key=lambda o: (o["createdAt"], int(o["id"]))):
        mine = seen[(order["email"], order["currency"])]
        total = Decimal(order["total"])
        if mine and total > 3 * (sum(mine) / len(mine)):
            flagged.add(order["id"])
        mine.append(total)
    assert flagged, "the history holds unusually large orders"
    wrote = {h.record_key for h in runs.history("large", limit=100000) if h.status == "succeeded"}
    assert wrote == flagged
    assert {o["currency"] for o in orders if o["id"] in flagged} <= {"USD", "CNY"}
    assert runs.run_recipe("large").writes == 0


PILOT = """\
format: ordersync-recipe
version: 2
name: Shipped → deal stage (pilot)
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_fulfilled, every: 1m, start: everything}
steps:
  - filter:
      conditions: [{field: totalPrice, op: gt, value: 100}]
  - action:
      account: crm
      action: update_deal
      match: {source: legacyResourceId}
      params: {id_property: shopify_order_id}
      fields: {dealstage: {value: shipped}, description: {template: "Shipped {name}"}}
options: {dry_run: true}
"""


def test_a_pilot_never_counts_as_processed_and_import_replace_follows_the_file(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    info = recipes.import_recipe(PILOT, {"shop": "shop", "crm": "crm"}, name="pilot")
    assert info.dry_run
    pilot = runs.run_recipe("pilot")
    assert pilot.dry_run and pilot.filtered > 0 and pilot.writes == 0  # some shipped orders are small
    live = recipes.import_recipe(PILOT.replace("value: 100}]", "value: 0}]").replace("dry_run: true", "dry_run: false"),
                                 {"shop": "shop", "crm": "crm"}, name="pilot", replace=True)
    assert not live.dry_run and "dry run off (live), as the file says" in live.notes
    done = runs.run_recipe("pilot")
    assert done.succeeded == pilot.filtered + pilot.succeeded  # the pilot's filtered records were read anew
    assert done.writes == _writes(sandbox, "hubspot", "deal") > 0
    kept = recipes.import_recipe(PILOT.replace("options: {dry_run: true}\n", ""), {"shop": "shop", "crm": "crm"},
                                 name="pilot", replace=True)
    assert not kept.dry_run and any("kept the current mode (live)" in n for n in kept.notes)


STAMP_ORDERS = """\
format: ordersync-recipe
version: 2
name: Deal changed → stamp the order
accounts: {crm: hubspot, shop: shopify}
owns: {crm: [deals], shop: [orders]}
trigger: {account: crm, event: deal_updated, every: 1m, start: now}
steps:
  - action:
      account: shop
      action: add_order_tags
      match: {source: shopify_order_id}
      fields: {tags: {template: "crm-{hs_lastmodifieddate}", mode: always}}
"""
STAMP_DEALS = """\
format: ordersync-recipe
version: 2
name: Order changed → stamp the deal
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_updated, every: 1m, start: now}
steps:
  - action:
      account: crm
      action: update_deal
      match: {source: legacyResourceId}
      params: {id_property: shopify_order_id}
      fields: {description: {template: "shop synced {updatedAt}"}}
"""


def test_two_recipes_stamping_each_other_stop_after_one_write(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    recipes.import_recipe(STAMP_ORDERS, {"crm": "crm", "shop": "shop"}, name="to-shop")
    recipes.import_recipe(STAMP_DEALS, {"crm": "crm", "shop": "shop"}, name="to-crm")
    deals = {d["properties"]["shopify_order_id"]: d["id"] for d in _hubspot(
        sandbox, "POST", "/crm/v3/objects/deals/search", {"filterGroups": [], "properties": ["shopify_order_id"],
                                                         "limit": 10, "after": "0", "sorts": []})["results"]}
    echoes = 0
    for round_, deal in enumerate(list(deals.values())[:10]):  # ten rounds, each started by someone editing a deal
        _hubspot(sandbox, "PATCH", f"/crm/v3/objects/deals/{deal}", {"properties": {"hs_next_step": f"call {round_}"}})
        assert runs.run_recipe("to-shop").writes == 1  # the edit is a real change: the order is stamped
        back = runs.run_recipe("to-crm")
        echoes += back.echoes
        assert back.writes == 0  # the order's change was our own stamp: not sent back
        assert runs.run_recipe("to-shop").writes == 0
    assert echoes == 10


SELF_LOOP = """\
format: ordersync-recipe
version: 2
name: Deal changed → note on the deal
accounts: {crm_in: hubspot, crm_out: hubspot}
trigger: {account: crm_in, event: deal_updated, every: 1m, start: now}
steps:
  - action:
      account: crm_out
      action: update_deal_by_id
      match: {source: id}
      fields: {hs_next_step: {template: "seen at {hs_lastmodifieddate}"}}
"""


def test_one_recipe_reading_and_writing_one_account_does_not_rewrite_its_own_deals(
        crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    info = recipes.import_recipe(SELF_LOOP, {"crm_in": "crm", "crm_out": "crm"}, name="self")
    assert any("both bound to the account 'crm'" in n for n in info.notes)  # flagged at import
    deal = _new_deal(sandbox, dealname="Loop", pipeline="default", dealstage="appointmentscheduled")
    runs.run_recipe("self")  # the new deal itself is a change: one write
    start = _writes(sandbox, "hubspot", "deal")
    for round_ in range(10):
        _hubspot(sandbox, "PATCH", f"/crm/v3/objects/deals/{deal}", {"properties": {"description": f"edit {round_}"}})
        assert runs.run_recipe("self").writes == 1
        echo = runs.run_recipe("self")
        assert (echo.writes, echo.echoes) == (0, 1)
    assert _writes(sandbox, "hubspot", "deal") - start == 10 * 2  # each round: the user's edit and our note


def test_jushuitan_shipped_finds_each_deal_by_its_order_number(crm_and_shop: SandboxServer) -> None:
    from tests.e2e.test_cn_templates import add_accounts, ship

    sandbox = crm_and_shop
    add_accounts(sandbox, "jushuitan")
    recipes.import_recipe(TEMPLATES / "jushuitan-shipped-to-hubspot-deal-stage.yaml",
                          {"oms": "jushuitan", "crm": "crm"}, name="jst")
    ship(11, 30)
    first = runs.run_recipe("jst")
    assert (first.seen, first.succeeded, first.failed) == (20, 20, 0)  # scenario (a): 4 of 4 failed before
    assert _writes(sandbox, "hubspot", "deal") == 20
    shipped = _hubspot(sandbox, "POST", "/crm/v3/objects/deals/search", {
        "filterGroups": [{"filters": [{"propertyName": "order_name", "operator": "EQ", "value": "#1011"}]}],
        "properties": ["dealstage", "tracking_number"], "limit": 1, "after": "0", "sorts": []})["results"][0]
    assert shipped["properties"]["dealstage"] == "shipped" and shipped["properties"]["tracking_number"]
    assert runs.run_recipe("jst").writes == 0


def test_the_crm_owns_customers_and_the_two_directions_do_not_loop(crm_and_shop: SandboxServer) -> None:
    sandbox = crm_and_shop
    _import("to-crm", "shopify-order-to-hubspot-contact.yaml")
    _import("to-shop", "hubspot-contact-to-shopify-customer.yaml")
    _new_order(sandbox, "two.ways@example.com", [("Tea", "TEA-1", 1, "12.00")])  # the shop makes its customer
    assert runs.run_recipe("to-crm").writes == 1  # the buyer becomes a HubSpot contact
    contact = _hubspot(sandbox, "POST", "/crm/v3/objects/contacts/search", {
        "filterGroups": [{"filters": [{"propertyName": "email", "operator": "EQ", "value": "two.ways@example.com"}]}],
        "properties": ["firstname"], "limit": 1, "after": "0", "sorts": []})["results"][0]
    _hubspot(sandbox, "PATCH", f"/crm/v3/objects/contacts/{contact['id']}",
             {"properties": {"firstname": "Nina", "phone": "+1 503 555 0100"}})  # sales corrects the name
    assert runs.run_recipe("to-shop").writes >= 1  # the CRM's values reach the Shopify customer
    customers = sandbox.apps["shopify"].db.execute("SELECT body FROM shopify_customers").fetchall()
    mine = [json.loads(p) for (p,) in customers if "two.ways@example.com" in p]
    assert mine and mine[0]["firstName"] == "Nina"
    for _ in range(3):  # nothing bounces back and forth
        assert runs.run_recipe("to-crm").writes == 0
        assert runs.run_recipe("to-shop").writes == 0


def test_the_pilot_template_then_the_live_one(crm_and_shop: SandboxServer) -> None:
    from ordersync_app.sandbox.warehouse import fulfil_orders

    sandbox = crm_and_shop
    info = recipes.import_recipe(TEMPLATES / "shopify-fulfilled-to-hubspot-deal-stage-pilot.yaml",
                                 {"shop": "shop", "crm": "crm"}, name="stage")
    assert info.dry_run
    fulfil_orders(sandbox.url("shopify"), 5)
    pilot = runs.run_recipe("stage")
    assert (pilot.dry_run, pilot.succeeded, pilot.writes) == (True, 5, 0) and len(pilot.previews) == 5
    live = recipes.import_recipe(TEMPLATES / "shopify-fulfilled-to-hubspot-deal-stage.yaml",
                                 {"shop": "shop", "crm": "crm"}, name="stage", replace=True)
    assert not live.dry_run
    done = runs.run_recipe("stage")
    assert (done.succeeded, done.writes) == (5, 5) and _writes(sandbox, "hubspot", "deal") == 5


def test_two_shops_feed_one_recipe_with_a_channel(crm_and_shop: SandboxServer, tmp_path: Path) -> None:
    from ordersync_app.sandbox.apps import build_server

    sandbox = crm_and_shop
    other = build_server(tmp_path / "second-shop", port=0, orders=60, hubspot_limit=None).start()
    try:
        accounts.add_account("shop_cn", "shopify", base_url=other.url("shopify"),
                             settings={"shop": "demo-cn", "plan": "plus"},
                             secret_values={"access_token": "sandbox-shopify-token"})
        recipes.import_recipe(TEMPLATES / "shopify-shops-to-hubspot-deals-by-channel.yaml",
                              {"shop_us": "shop", "shop_cn": "shop_cn", "crm": "crm"}, name="channels")
        us = [_new_order(sandbox, f"us{n}@example.com", [("Tea", "TEA-1", 1, "12.00")]) for n in range(3)]
        cn = [_new_order(other, f"cn{n}@example.cn", [("龙井茶", "TEA-LJ", 1, "128.00")], currency="CNY")
              for n in range(2)]
        assert set(us) & set(cn), "both shops number their orders alike: the channel keeps them apart"
        first = runs.run_recipe("channels")
        assert (first.succeeded, first.failed, first.writes) == (5, 0, 5)
        deals = {d["properties"]["erp_order_no"]: d["properties"] for d in _hubspot(
            sandbox, "POST", "/crm/v3/objects/deals/search",
            {"filterGroups": [{"filters": [{"propertyName": "erp_order_no", "operator": "HAS_PROPERTY"}]}],
             "properties": ["erp_order_no", "dealname", "description", "closedate", "deal_currency_code"],
             "limit": 100, "after": "0", "sorts": []})["results"]}
        assert set(deals) == {f"shop_us-{i}" for i in us} | {f"shop_cn-{i}" for i in cn}
        assert {deals[f"shop_cn-{i}"]["description"] for i in cn} == {"天猫旗舰店"}
        assert {deals[f"shop_cn-{i}"]["deal_currency_code"] for i in cn} == {"CNY"}
        assert all(d["closedate"].endswith("+08:00") for d in deals.values())  # one zone for every shop
        assert {h.record_key.split(":")[0] for h in runs.history("channels")} == {"shop_us", "shop_cn"}
        assert runs.run_recipe("channels").writes == 0
        _new_order(other, "cn9@example.cn", [("龙井茶", "TEA-LJ", 2, "128.00")], currency="CNY")
        assert runs.run_recipe("channels").writes == 1  # each shop reads on from its own position
    finally:
        other.stop()


def test_the_sla_template_reports_its_figures(crm_and_shop: SandboxServer) -> None:
    from ordersync_app.sandbox.warehouse import fulfil_orders
    from ordersync_app.services import sla

    sandbox = crm_and_shop
    info = recipes.import_recipe(TEMPLATES / "shopify-fulfilled-to-hubspot-deal-stage-sla.yaml",
                                 {"shop": "shop", "crm": "crm"}, name="fast")
    assert info.every_seconds == 10
    fulfil_orders(sandbox.url("shopify"), 8)
    assert runs.run_recipe("fast").succeeded == 8
    (figures,) = sla.figures("fast")
    assert (figures.target_success, figures.target_p95_s) == (99.5, 30)
    assert figures.success == 100.0 and figures.latency_samples == 8 and figures.p95_s is not None
    assert figures.state in ("met", "breached")  # the p95 is what this machine measured, not asserted


def test_a_won_salesforce_opportunity_becomes_one_woocommerce_order(home: Path, sandbox: SandboxServer) -> None:
    from tests.e2e.test_cn_templates import add_accounts
    from tests.e2e.test_salesforce_engine import bind_template

    del home
    bind_template(sandbox, name="unused")  # the Salesforce account "crm" (and a shop) at the emulators
    add_accounts(sandbox, "woocommerce")
    recipes.import_recipe(TEMPLATES / "salesforce-opportunity-won-to-woocommerce-order.yaml",
                          {"crm": "crm", "shop": "woocommerce"}, name="won")
    api = "/services/data/v62.0"
    with accounts.client("crm") as client:
        open_ = client.json("GET", f"{api}/query", params={
            "q": "SELECT Id FROM Opportunity WHERE StageName = 'Negotiation/Review' LIMIT 3"})["records"]

        def stage(opportunity: str, value: str) -> None:
            client.json("PATCH", f"{api}/composite/sobjects", json={"allOrNone": False, "records": [
                {"attributes": {"type": "Opportunity"}, "id": opportunity, "StageName": value}]})

        def created() -> int:
            return sum(sandbox.apps["woocommerce"].counters().get("order_writes", {}).values())

        assert runs.run_recipe("won").writes == 0
        stage(open_[0]["Id"], "Closed Won")
        assert runs.run_recipe("won").writes == 1 and created() == 1
        client.json("PATCH", f"{api}/composite/sobjects", json={"allOrNone": False, "records": [
            {"attributes": {"type": "Opportunity"}, "id": open_[0]["Id"], "NextStep": "ship it"}]})
        assert runs.run_recipe("won").writes == 0 and created() == 1  # edited after winning: nothing new
        stage(open_[1]["Id"], "Closed Won")
        stage(open_[2]["Id"], "Closed Lost")
        assert runs.run_recipe("won").writes == 1 and created() == 2
        assert runs.run_recipe("won").writes == 0


def test_a_lost_answer_for_monthly_totals_is_verified_against_what_was_sent(
        crm_and_shop: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answer to a batch of buyers' monthly totals is lost after HubSpot applied it (the first writes, which
    create the contacts with their e-mail). While those writes wait to be verified, later orders of the same
    buyers add to the totals; the check reads the contact for the values that were sent (not the grown total,
    not without the create-only e-mail), finds them, and no contact is written more often than its buyer has
    orders — a repeated write is a duplicate even when it sets the same value."""
    from ordersync_app.engine import runner
    from ordersync_app.sandbox._server import Request

    sandbox = crm_and_shop
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "1")  # the engine waits timeout + 5 s before it verifies
    monkeypatch.setattr(runner, "RETRY_SCHEDULE", (1, 1, 2, 2, 3))
    orders = _history(sandbox, 30, 2)
    _import("spend", "shopify-orders-to-hubspot-monthly-spend.yaml")
    calls: list[str] = []

    def drop_second_upsert(request: Request, app: str) -> str | None:
        if app == "hubspot" and request.path.endswith("/contacts/batch/upsert"):
            calls.append(request.path)
            if len(calls) == 2:
                return "drop-after"  # applied by the emulator, the answer never arrives
        return None
    sandbox.faults.hook = drop_second_upsert
    first = runs.run_recipe("spend")
    assert first.retrying > 0, "the lost batch waits to be verified"
    deadline = time.monotonic() + 90
    while runs.history("spend", status="retrying") and time.monotonic() < deadline:
        runs.run_recipe("spend")  # not due until the settle time has passed: the condition is polled
        time.sleep(0.5)
    assert runs.history("spend", status="retrying") == []
    per_buyer: dict[str, int] = defaultdict(int)
    for (payload,) in sandbox.apps["shopify"].db.execute("SELECT payload FROM shopify_orders"):
        order = json.loads(payload)
        per_buyer[((order.get("customer") or {}).get("email") or order.get("email") or "").strip().lower()] += 1
    emails = {str(i): json.loads(p)["email"] for i, p in sandbox.apps["hubspot"].db.execute(
        "SELECT id, props FROM hs_objects WHERE kind = 'contacts'")}
    seen = _counters(sandbox, "hubspot")
    writes: dict[str, int] = defaultdict(int)
    for kind in ("contact_writes", "contact_noop"):
        for contact_id, n in seen.get(kind, {}).items():
            writes[emails[contact_id]] += n
    assert {email: (n, per_buyer[email]) for email, n in writes.items() if n > per_buyer[email]} == {}
    verified = [h for h in runs.history("spend", limit=2000)
                if any(step.get("status") == "delivered earlier (verified)" for step in h.steps)]
    assert verified, "the lost batch was found in HubSpot, not sent again"
    zone, contacts = ZoneInfo("Asia/Shanghai"), _contacts(sandbox)  # and the writes landed in their order:
    for email in {o["email"] for o in orders}:  # each buyer shows the total of their newest order's month
        mine = [o for o in orders if o["email"] == email]
        month = max((o["createdAt"], int(o["id"])) for o in mine)[0]
        in_month = [o for o in mine if _month(o["createdAt"], zone) == _month(month, zone)]
        assert Decimal(str(contacts[email]["monthly_spend"])).quantize(Decimal("0.01")) == \
            sum(Decimal(o["total"]) for o in in_month).quantize(Decimal("0.01")), email


def _month(stamp: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(zone).strftime("%Y-%m")
