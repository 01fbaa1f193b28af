"""The engine's rules, end to end against the sandbox apps in-process: a source out of its declared order is
refused with the cursor kept; catch-up is announced only after a real pause; a stop request ends a long
wait at once; listeners hear about outcomes only after they are stored; one client-credentials token
serves fifty runs; a recipe whose trigger changes starts again from its start."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from tests.e2e.helpers import DEMO_TEMPLATE

from ordersync_app.connectors.sdk import auth
from ordersync_app.domain.errors import ConnectorError
from ordersync_app.engine.events import hub
from ordersync_app.recipes import load_text
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.shopify import CLIENT_ID, CLIENT_SECRET
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.services import accounts, recipes, runs
from ordersync_app.storage import db
from ordersync_app.storage.tables import Cursor, Execution, Recipe, utcnow

DEALS_TO_TAGS = """\
format: ordersync-recipe
version: 1
name: Deal changed → tag the order
accounts: {crm: hubspot, shop: shopify}
trigger: {account: crm, event: deal_updated, every: 1m, start: everything}
steps:
  - action:
      account: shop
      action: add_order_tags
      match: {source: shopify_order_id}
      fields: {tags: {value: [crm-synced]}}
"""


def _accounts(sandbox: SandboxServer, **shop_secrets: str) -> None:
    shop_settings = {"shop": "demo", "plan": "plus", **({"client_id": CLIENT_ID} if shop_secrets else {})}
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings=shop_settings,
                         secret_values=shop_secrets or {"access_token": "sandbox-shopify-token"})
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})


def _cursor(name: str) -> str | None:
    with db.session() as s:
        recipe_id = s.scalar(select(Recipe.id).where(Recipe.name == name))
        row = s.get(Cursor, recipe_id)
        return row.value if row else None


def test_a_source_out_of_its_declared_order_is_refused_and_the_cursor_stays(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox)
    recipes.import_recipe(DEALS_TO_TAGS, {"crm": "crm", "shop": "shop"}, name="tags")
    app = sandbox.apps["hubspot"]

    def backwards(request: Request, name: str) -> Response | None:
        if name != "hubspot" or not request.path.endswith("/search"):
            return None
        answer = app.handle(request)
        body = dict(answer.body)
        body["results"] = list(reversed(body["results"]))  # newest first, though the search asked oldest first
        return Response(answer.status, body, answer.headers)

    sandbox.faults.hook = backwards
    with pytest.raises(ConnectorError, match="declared sorted"):
        runs.run_recipe("tags")
    assert _cursor("tags") is None  # "everything": the cursor did not move past anything
    assert runs.history("tags") == []
    assert "tagsAdd" not in sandbox.apps["shopify"].counters().get("call", {})

    sandbox.faults.hook = None
    summary = runs.run_recipe("tags")
    assert (summary.seen, summary.succeeded, summary.failed) == (60, 60, 0)


def test_catch_up_is_announced_after_a_pause_not_after_a_quiet_shop(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox)
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    first, second = runs.run_recipe("orders"), runs.run_recipe("orders")
    assert first.catch_up_since is None and second.catch_up_since is None  # quiet shop: no news is not a pause
    with db.session() as s:  # the laptop slept for a day
        s.execute(update(Cursor).values(polled_at=utcnow() - timedelta(days=1)))
    heard: list[str] = []
    unsubscribe = hub.subscribe("run_did_catch_up", lambda since, **_: heard.append(since))
    try:
        resumed = runs.run_recipe("orders")
    finally:
        unsubscribe()
    assert resumed.catch_up_since is not None and heard == [resumed.catch_up_since]
    assert runs.run_recipe("orders").catch_up_since is None


def test_a_stop_request_ends_a_long_wait_at_once(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox)
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    asked = threading.Event()

    def slow_down(request: Request, name: str) -> Response | None:
        if name == "shopify" and request.path.endswith("graphql.json"):
            asked.set()
            return Response(429, {"errors": "Throttled"}, {"Retry-After": "100"})  # within the in-run budget
        return None

    sandbox.faults.hook = slow_down
    stop, outcome = threading.Event(), {}
    worker = threading.Thread(target=lambda: outcome.update(summary=runs.run_recipe("orders", stop=stop)))
    worker.start()
    assert asked.wait(60), "the run never asked Shopify"
    stop.set()
    worker.join(timeout=30)  # far less than the 100 s the vendor asked for
    assert not worker.is_alive()
    assert outcome["summary"].status == "stopped"
    assert runs.runs("orders")[0]["status"] == "stopped"


def test_listeners_hear_about_outcomes_only_after_they_are_stored(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox)
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    fulfil_orders(sandbox.url("shopify"), 5)
    seen: list[tuple[str, str | None]] = []

    def check(key: str, status: str, **_: Any) -> None:
        with db.session() as s:  # another connection: it sees only what was committed
            stored = s.scalar(select(Execution.status).where(Execution.record_key == key))
        seen.append((status, stored))

    unsubscribe = hub.subscribe("record_did_finish", check)
    try:
        runs.run_recipe("orders")
    finally:
        unsubscribe()
    assert len(seen) == 5 and all(status == stored == "succeeded" for status, stored in seen)


def test_one_client_credentials_token_serves_fifty_runs(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox, client_secret=CLIENT_SECRET)
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    shop = sandbox.apps["shopify"]
    for run in range(50):
        if run == 25:
            auth.forget("shop")  # as a new process would: the token comes back from the keychain
        assert runs.run_recipe("orders").status == "succeeded"
    assert shop.counters()["call"]["POST /admin/oauth/access_token"] == 1


def test_a_new_trigger_starts_again_from_its_start_and_says_so(home, sandbox: SandboxServer) -> None:
    _accounts(sandbox)
    assert accounts.connector("jushuitan").sandbox is not None
    accounts.add_account("oms", "jushuitan", base_url=sandbox.url("jushuitan"), settings={"app_key": "sandbox-app-key"},
                         secret_values={"app_secret": "sandbox-jushuitan-secret",
                                        "access_token": "sandbox-jushuitan-token"})
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/70").raise_for_status()  # orders 61-70 have no deal
    fulfil_orders(sandbox.url("shopify"), 60)
    runs.run_recipe("orders")
    assert runs.history("orders", failed_only=True)  # the Shopify orders without deals wait in the queue
    before = _cursor("orders")

    text = DEMO_TEMPLATE.read_text("utf-8")
    jst = json.loads(json.dumps(load_text(text).to_document()))
    jst["accounts"] = {"shop": "jushuitan", "crm": "hubspot"}
    jst["trigger"].update(event="order_shipped", start="2026-09-01")
    jst["steps"] = [{"action": {"account": "crm", "action": "update_deal", "match": {"source": "so_id"},
                                "params": {"id_property": "shopify_order_id"},
                                "fields": {"dealstage": {"value": "shipped"}}}}]
    changed = load_text(json.dumps(jst))
    bindings = {"shop": "oms", "crm": "crm"}
    notice = recipes.trigger_change("orders", changed, bindings)
    assert notice.resets and notice.new_source
    assert "starts reading again from 2026-09-01" in notice.message_en and "重新读取" in notice.message_zh

    recipes.save_recipe(changed, bindings, name="orders")
    assert _cursor("orders") == "2026-09-01T00:00:00Z" != before
    assert runs.history("orders", failed_only=True) == []  # the old source's failures were set aside
    assert {h.error for h in runs.history("orders", status="skipped")} == {
        "skipped: the recipe's trigger changed to another app or account"}
    assert runs.run_recipe("orders").seen == 10  # Jushuitan's shipped orders, read from the new start
    same = recipes.trigger_change("orders", changed, bindings)
    assert not same.resets


LOOKUP_RECIPE = """\
format: ordersync-recipe
version: 1
name: Shipped → find the deal, then move it
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_fulfilled, every: 1m, start: everything}
steps:
  - lookup:
      account: crm
      lookup: find_deal
      as: deal
      params: {property: {value: shopify_order_id}, value: {source: legacyResourceId}}
  - action:
      account: crm
      action: update_deal_by_id
      match: {source: steps.deal.id}
      fields: {dealstage: {value: delivered}}
"""


def test_a_lookup_recipe_stays_inside_hubspots_search_limit(home, tmp_path) -> None:
    """HubSpot limits CRM search to about 5 requests per second per token besides its 10-second window; the
    connector declares both and OrderSync's own pacing causes no 429 (the emulator enforces both)."""
    from ordersync_app.sandbox.apps import build_server

    server = build_server(tmp_path / "limited", port=0, orders=40, hubspot_limit=100).start()
    try:
        accounts.add_account("shop", "shopify", base_url=server.url("shopify"),
                             settings={"shop": "demo", "plan": "plus"},
                             secret_values={"access_token": "sandbox-shopify-token"})
        accounts.add_account("crm", "hubspot", base_url=server.url("hubspot"),
                             secret_values={"access_token": "sandbox-hubspot-token"})
        fulfil_orders(server.url("shopify"), 30)  # 10 + 30 shipped orders: 40 searches, 40 PATCHes
        recipes.import_recipe(LOOKUP_RECIPE, {"shop": "shop", "crm": "crm"}, name="lookup")
        summary = runs.run_recipe("lookup")
        assert (summary.succeeded, summary.failed, summary.retrying) == (40, 0, 0)
        api = runs.runs("lookup")[0]["api"]["crm"]
        assert api["throttled"] == 0, api
        assert "throttled" not in server.apps["hubspot"].counters()  # the emulator never had to refuse a search
    finally:
        server.stop()
