"""The Chinese templates end to end against the sandbox apps (in-process, through the services): N records in,
N effective writes counted by the emulators, a re-run writes nothing; and creates whose answer was lost (Yonyou
sales orders, Fxiaoke customers) end as one record each — the engine reads the target before any re-send."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.sdk import registry
from ordersync_app.engine import runner
from ordersync_app.sandbox._server import Request, SandboxServer
from ordersync_app.services import accounts, recipes, runs

TEMPLATES = Path(__file__).parents[2] / "recipes"
SHIPPED_TO_FXIAOKE = TEMPLATES / "jushuitan-shipped-to-fxiaoke-opportunity-stage.yaml"
YONYOU_TO_JUSHUITAN = TEMPLATES / "yonyou-customer-to-jushuitan-customer.yaml"
SHIPPED = 25  # demo orders 11..35 are shipped during the test (1..10 were shipped before it)


def add_accounts(sandbox: SandboxServer, *keys: str) -> None:
    """One account per connector, named after it, at its emulator (public demo values)."""
    for key in keys:
        box = registry.get(key).sandbox  # type: ignore[union-attr]
        assert box is not None
        accounts.add_account(key, key, base_url=sandbox.url(box.app), settings=dict(box.settings),
                             secret_values=dict(box.credentials), replace=True)


def counters(sandbox: SandboxServer, app: str) -> dict[str, Any]:
    return httpx.get(f"{sandbox.root}/_sandbox/{app}/counters", timeout=10).json()


def ship(first: int, last: int) -> None:
    """The warehouse ships demo orders first..last through Jushuitan's own ship call."""
    items = [{"o_id": 9000 + i, "shop_id": 10100001, "so_id": str(1000 + i), "lc_name": "顺丰速运", "lc_id": "SF",
              "l_id": f"SF{1500000000 + i}"} for i in range(first, last + 1)]
    with accounts.client("jushuitan") as api:
        assert api.json("POST", "/open/order/sent/upload", data={"biz": json.dumps({"items": items})})["issuccess"]


def settle(name: str, *, expected: int) -> None:
    """Run the recipe until every record succeeded (lost answers wait out the client timeout before the check)."""
    deadline, wake = time.monotonic() + 90, threading.Event()
    while time.monotonic() < deadline:
        runs.run_recipe(name)
        done = runs.history(name, status="succeeded", limit=1000)
        if len({h.record_key for h in done}) >= expected and not runs.history(name, status="retrying"):
            return
        wake.wait(0.5)  # poll: the retry becomes due once the lost request can no longer land
    raise AssertionError(f"{name}: not settled: {[(h.record_key, h.status, h.error) for h in runs.history(name)]}")


def test_jushuitan_shipped_moves_the_fxiaoke_opportunity_stage(home, sandbox) -> None:
    add_accounts(sandbox, "jushuitan", "fxiaoke")
    recipes.import_recipe(SHIPPED_TO_FXIAOKE, {"oms": "jushuitan", "crm": "fxiaoke"}, name="shipped")
    ship(11, 10 + SHIPPED)
    first = runs.run_recipe("shipped")
    assert (first.seen, first.succeeded, first.failed) == (SHIPPED, SHIPPED, 0)
    writes = counters(sandbox, "fxiaoke")["opportunity_writes"]
    assert len(writes) == SHIPPED and set(writes.values()) == {1}
    assert "flows" not in counters(sandbox, "fxiaoke")  # sync writes start no workflows or approvals
    again = runs.run_recipe("shipped")
    assert again.writes == 0 and counters(sandbox, "fxiaoke")["opportunity_writes"] == writes


def test_yonyou_customers_reach_jushuitan_once(home, sandbox) -> None:
    add_accounts(sandbox, "yonyou", "jushuitan")
    text = YONYOU_TO_JUSHUITAN.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text, {"crm": "yonyou", "oms": "jushuitan"}, name="customers")
    first = runs.run_recipe("customers")
    assert (first.seen, first.succeeded, first.failed) == (60, 60, 0)  # the sandbox fixture seeds 60
    writes = counters(sandbox, "jushuitan")["customer_writes"]
    assert len(writes) == 60 and set(writes.values()) == {1}
    with accounts.client("jushuitan") as api:
        stored = api.json("POST", "/open/jushuitan/customer/query", data={"biz": json.dumps({"cus_codes": ["C7005"]})})
    assert stored["data"]["datas"][0]["mobile"] == "13900000005" and stored["data"]["datas"][0]["name"]
    assert runs.run_recipe("customers").writes == 0
    assert counters(sandbox, "jushuitan")["customer_writes"] == writes


def drop_first(sandbox: SandboxServer, app: str, path_end: str) -> list[str]:
    """The first call to ``path_end`` is applied by the emulator but its answer never arrives."""
    dropped: list[str] = []

    def hook(request: Request, name: str) -> str | None:
        if name == app and request.path.endswith(path_end) and not dropped:
            dropped.append(request.path)
            return "drop-after"
        return None

    sandbox.faults.hook = hook  # type: ignore[assignment]
    return dropped


SALES_ORDERS = """format: ordersync-recipe
version: 1
name: Jushuitan shipped order → Yonyou sales order
accounts: {oms: jushuitan, erp: yonyou}
trigger: {account: oms, event: order_shipped, every: 5m, start: now}
steps:
  - action:
      account: erp
      action: create_sales_order
      params: {key_field: headItem.define1}
      fields:
        salesOrgId: {value: SO01}
        transactionTypeId: {value: SO-001}
        vouchdate: {source: send_date}
        agentId: {value: C7001}
        settlementOrgId: {value: SO01}
        "orderPrices!currency": {value: CNY}
        payMoney: {source: pay_amount}
        orderDetails: {source: items}
        purchaseNo: {source: so_id}
"""


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """A lost request can land up to 1 s (plus the engine's margin) later; retries come seconds apart (as
    ORDERSYNC_RETRY_SCHEDULE does for the subprocess drills)."""
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "1")
    monkeypatch.setattr(runner, "RETRY_SCHEDULE", (1, 1, 2, 2, 3))


@pytest.mark.usefixtures("quick_retries")
def test_a_yonyou_order_whose_answer_was_lost_is_created_once(home, sandbox) -> None:
    add_accounts(sandbox, "jushuitan", "yonyou")
    recipes.import_recipe(SALES_ORDERS, {"oms": "jushuitan", "erp": "yonyou"}, name="orders")
    ship(11, 20)
    dropped = drop_first(sandbox, "yonyou", "/singleSave")
    first = runs.run_recipe("orders")
    assert dropped and first.retrying == 1  # the lost one waits to be checked, never re-sent blindly
    settle("orders", expected=10)
    writes = counters(sandbox, "yonyou")["sales_order_writes"]
    assert len(writes) == 10 and set(writes.values()) == {1}  # found by its key: not sent a second time
    verified = [h for h in runs.history("orders", status="succeeded") if h.attempts]
    assert len(verified) == 1


CUSTOMERS_TO_FXIAOKE = """format: ordersync-recipe
version: 1
name: Yonyou customer → Fxiaoke customer
accounts: {erp: yonyou, crm: fxiaoke}
trigger: {account: erp, event: customer_changed, every: 5m, start: everything}
steps:
  - action:
      account: crm
      action: create_or_update_customer
      match: {source: code}
      params: {match_field: customer_code__c}
      fields:
        name: {source: name}
        tel: {source: contactTel}
"""


@pytest.mark.usefixtures("quick_retries")
def test_a_fxiaoke_customer_whose_create_answer_was_lost_exists_once(home, sandbox) -> None:
    httpx.post(f"{sandbox.root}/_sandbox/yonyou/seed/70").raise_for_status()  # C7061..C7070 are new to Fxiaoke
    add_accounts(sandbox, "yonyou", "fxiaoke")
    recipes.import_recipe(CUSTOMERS_TO_FXIAOKE, {"erp": "yonyou", "crm": "fxiaoke"}, name="to-crm")
    dropped = drop_first(sandbox, "fxiaoke", "/data/create")
    runs.run_recipe("to-crm")
    assert dropped
    settle("to-crm", expected=70)
    writes = counters(sandbox, "fxiaoke")["customer_writes"]
    assert len(writes) == 70 and set(writes.values()) == {1}
    app = sandbox.apps["fxiaoke"]
    codes = [json.loads(b)["customer_code__c"] for (b,) in app.db.execute(
        "SELECT body FROM fx_records WHERE api = 'AccountObj'")]
    assert len(codes) == len(set(codes)) == 70
