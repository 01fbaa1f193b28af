"""One bad value, one refused account or one unreachable CRM stays where it belongs (issue 9, defects 3,
4 and 11), end to end against the sandbox apps in-process."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from tests.e2e.helpers import DEMO_TEMPLATE as TEMPLATE

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import AuthError
from ordersync_app.domain.records import Record
from ordersync_app.sandbox.hubspot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.services import accounts, recipes, runs

POISON_RECIPE = """
format: ordersync-recipe
version: 1
name: Poison drill
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_fulfilled, every: 1m, start: everything}
steps:
  - action:
      account: crm
      action: update_deal
      match: {source: legacyResourceId}
      params: {id_property: shopify_order_id}
      fields:
        amount: {source: totalPrice, transforms: [to_number, {round: 2}]}
        closedate: {source: createdAt, transforms: [to_datetime]}
        description: {source: shippingAddress.city, transforms: [trim, upper]}
"""

# field → hostile values (one record each): numbers that would cost minutes of CPU or overflow, dates
# outside years 1–9999 in UTC, 10 MB of text and a lone UTF-16 surrogate.
POISON: dict[str, list[Any]] = {
    "amount": ["1e5000", "1e999999", "NaN", "9" * 5000, 10**400, float("inf")],
    "closedate": ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "1e999999", 10**30],
    "description": ["x" * 10_485_760, "bad \ud800 city"],
}
SOURCE = {"amount": ("totalPrice",), "closedate": ("createdAt",), "description": ("shippingAddress", "city")}


def _demo_secrets(connector: str) -> dict[str, str]:
    found = registry.get(connector)
    assert found is not None and found.sandbox is not None
    return dict(found.sandbox.credentials)


def _accounts(sandbox: Any) -> None:
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings={"shop": "demo"},
                         secret_values=_demo_secrets("shopify"))
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values=_demo_secrets("hubspot"))


def _set(payload: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    copy = dict(payload)
    if len(path) == 1:
        copy[path[0]] = value
    else:
        copy[path[0]] = _set(dict(copy.get(path[0]) or {}), path[1:], value)
    return copy


@pytest.fixture
def poisoned_shop(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, Any]]:
    """The Shopify trigger as a hostile shop would feed it: the first orders read carry one poison
    value each (real records from the sandbox over HTTP, then altered)."""
    plan = [(field, SOURCE[field], value) for field, values in POISON.items() for value in values]
    poisoned: list[tuple[str, str, Any]] = []
    real = registry.get("shopify")
    assert real is not None
    trigger = real.trigger("order_fulfilled")
    assert trigger is not None

    def fetch(client: Any, context: Any) -> Iterator[list[Record]]:
        for page in trigger.fetch(client, context):
            out = []
            for record in page:
                if len(poisoned) < len(plan):
                    field, path, value = plan[len(poisoned)]
                    poisoned.append((record.key, field, value))
                    record = dataclasses.replace(record, payload=_set(record.payload, path, value))
                out.append(record)
            yield out

    hostile = dataclasses.replace(real, triggers=tuple(
        dataclasses.replace(t, fetch=fetch) if t.key == "order_fulfilled" else t for t in real.triggers))
    monkeypatch.setitem(registry.all_connectors(), "shopify", hostile)
    return poisoned


def test_poison_values_fail_their_own_record_and_the_others_are_delivered(home, sandbox, poisoned_shop) -> None:
    _accounts(sandbox)
    recipes.import_recipe(POISON_RECIPE, {"shop": "shop", "crm": "crm"}, name="poison")
    assert len(fulfil_orders(sandbox.url("shopify"), 30)) == 30

    summary = runs.run_recipe("poison")  # no exception: the run itself survives every value

    poisoned = {key: field for key, field, _value in poisoned_shop}
    assert len(poisoned) == sum(len(v) for v in POISON.values())
    failed = {h.record_key: h for h in runs.history("poison", failed_only=True)}
    assert set(failed) == set(poisoned)
    for key, field in poisoned.items():
        assert f"field '{field}'" in (failed[key].error or ""), failed[key].error
        assert len(failed[key].error or "") < 2000  # the 10 MB value is not copied into the message
    assert summary.seen >= 30 and summary.succeeded == summary.seen - len(poisoned) and summary.failed == len(poisoned)
    writes = httpx.get(f"{sandbox.root}/_sandbox/hubspot/counters").json()["deal_writes"]
    assert len(writes) == summary.succeeded
    again = runs.run_recipe("poison")  # the cursor moved past them: nothing blocks the next run
    assert again.seen == 0 and again.status == "succeeded"


# -- 3: a refused account pauses only the recipes that use it ------------------------------------
def test_a_refused_refresh_pauses_only_the_recipes_of_that_account(home, sandbox) -> None:
    _accounts(sandbox)
    accounts.add_account("crm-oauth", "hubspot", base_url=sandbox.url("hubspot"),
                         settings={"auth_mode": "oauth", "client_id": SANDBOX_CLIENT_ID},
                         secret_values={"client_secret": SANDBOX_CLIENT_SECRET, "refresh_token": "revoked-refresh-1"})
    recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm-oauth"}, name="refused", enable=True)
    for name in ("healthy-1", "healthy-2"):
        recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name=name, enable=True)
    fulfil_orders(sandbox.url("shopify"), 3)

    with pytest.raises(AuthError) as refused:
        runs.run_recipe("refused")

    assert refused.value.account == "crm-oauth"
    assert accounts.get_account("crm-oauth").status == "reconnect"
    assert accounts.get_account("shop").status != "reconnect"
    assert recipes.get_recipe("refused").paused_reason
    assert recipes.get_recipe("healthy-1").paused_reason is None
    assert recipes.get_recipe("healthy-2").paused_reason is None


# -- 11: a dry run that cannot read the CRM says so ------------------------------------------------
class _Unavailable(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(503)
        self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *_args: object) -> None:
        return


def test_a_dry_run_against_an_unreachable_crm_previews_nothing_and_says_why(home, sandbox) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _accounts(sandbox)
        accounts.add_account("down", "hubspot", base_url=f"http://127.0.0.1:{server.server_address[1]}",
                             secret_values={"access_token": "pat-down-123456"})
        recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "down"}, name="orders")
        fulfil_orders(sandbox.url("shopify"), 3)
        summary = runs.run_recipe("orders", dry_run=True)
    finally:
        server.shutdown()
        server.server_close()
    assert summary.status == "failed" and summary.succeeded == 0 and summary.failed == 3
    assert summary.previews == []
    outcomes = runs.history("orders")
    assert {o.status for o in outcomes} == {"unpreviewed"}
    assert all("not previewed" in (o.error or "") for o in outcomes)
