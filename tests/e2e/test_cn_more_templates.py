"""The second round of Chinese templates end to end against the sandbox apps (in-process, through the services):
N records in, N effective writes counted by the emulators (no-op writes count as writes), a re-run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import cli_env, serve_sandbox
from tests.e2e.test_cn_kill_restart import _kill_then_finish, _setup
from tests.e2e.test_cn_templates import add_accounts, counters

from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.fxiaoke import _id as fx_id
from ordersync_app.services import accounts, recipes, runs

TEMPLATES = Path(__file__).parents[2] / "recipes"
WON_TO_WDT = TEMPLATES / "fxiaoke-won-opportunity-to-wangdiantong-order.yaml"


def _since(template: Path, minutes: int = 5) -> str:
    """The template, reading from a few minutes ago instead of "now" (the test changes records right after)."""
    text = template.read_text("utf-8")
    assert "start: now" in text
    return text.replace("start: now", f'start: "{datetime.now(UTC) - timedelta(minutes=minutes):%Y-%m-%dT%H:%M:%SZ}"')


def _opportunities(sandbox: SandboxServer, numbers: range, **values: object) -> None:
    """Sales edit demo opportunities ``numbers`` now (a stage moved to won, an amount corrected)."""
    app = sandbox.apps["fxiaoke"]
    with app.lock:
        for i in numbers:
            record = app._get("NewOpportunityObj", fx_id("NewOpportunityObj", i))  # type: ignore[attr-defined]
            assert record is not None
            record.update(values)
            app._changed("NewOpportunityObj", record)  # type: ignore[attr-defined]


def test_won_fxiaoke_opportunities_become_wangdiantong_orders_once(home: Path, sandbox: SandboxServer) -> None:
    add_accounts(sandbox, "fxiaoke", "wangdiantong")
    recipes.import_recipe(_since(WON_TO_WDT), {"crm": "fxiaoke", "oms": "wangdiantong"}, name="won")
    httpx.post(f"{sandbox.root}/_sandbox/wangdiantong/reset-counters").raise_for_status()
    _opportunities(sandbox, range(1, 21), sales_stage="won")
    _opportunities(sandbox, range(21, 26), sales_stage="2")  # changed, but not won: filtered out
    first = runs.run_recipe("won")
    assert (first.seen, first.succeeded, first.failed) == (25, 20, 0)
    writes = counters(sandbox, "wangdiantong")["order_writes"]
    ids = {fx_id("NewOpportunityObj", i) for i in range(1, 21)}
    assert set(writes) == ids and set(writes.values()) == {1}  # one raw order per won opportunity, tid = its _id
    assert runs.run_recipe("won").writes == 0 and counters(sandbox, "wangdiantong")["order_writes"] == writes

    _opportunities(sandbox, range(3, 4), amount=999.0)  # a won opportunity corrected: the same raw order updates
    assert runs.run_recipe("won").writes == 1
    app = sandbox.apps["wangdiantong"]
    rows = app.db.execute("SELECT body FROM wdt_trades WHERE src_tid = ?", (fx_id("NewOpportunityObj", 3),)).fetchall()
    assert len(rows) == 1 and '"paid": 999.0' in rows[0][0]
    assert counters(sandbox, "wangdiantong")["order_writes"][fx_id("NewOpportunityObj", 3)] == 2


SHIPPED_TO_YONYOU = TEMPLATES / "wangdiantong-shipped-to-yonyou-sales-order-status.yaml"


def test_wangdiantong_shipments_close_the_yonyou_sales_orders_once(home: Path, sandbox: SandboxServer) -> None:
    add_accounts(sandbox, "wangdiantong", "yonyou")
    recipes.import_recipe(_since(SHIPPED_TO_YONYOU), {"oms": "wangdiantong", "erp": "yonyou"}, name="shipped")
    httpx.post(f"{sandbox.root}/_sandbox/yonyou/reset-counters").raise_for_status()
    shipped = httpx.post(f"{sandbox.root}/_sandbox/wangdiantong/ship/20").json()["shipped"]
    assert shipped == [str(5000 + i) for i in range(11, 31)]  # demo orders 11..30; Yonyou has their sales orders
    first = runs.run_recipe("shipped")
    assert (first.seen, first.succeeded, first.failed) == (20, 20, 0)
    writes = counters(sandbox, "yonyou")["sales_order_writes"]
    assert set(writes) == {str(2_100_000_000 + i) for i in range(11, 31)} and set(writes.values()) == {1}
    assert runs.run_recipe("shipped").writes == 0 and counters(sandbox, "yonyou")["sales_order_writes"] == writes
    with accounts.client("yonyou") as api:
        order = api.json("GET", "/yonbip/sd/voucherorder/detail", params={"id": 2_100_000_011})["data"]
        untouched = api.json("GET", "/yonbip/sd/voucherorder/detail", params={"id": 2_100_000_031})["data"]
    assert order["status"] == 2 and all(line["linecloseTime"] for line in order["orderDetails"])
    assert untouched["status"] == 1 and not any("linecloseTime" in line for line in untouched["orderDetails"])


YONYOU_TO_WDT = TEMPLATES / "yonyou-customer-to-wangdiantong-customer.yaml"


def test_yonyou_customers_reach_wangdiantong_once(home: Path, sandbox: SandboxServer) -> None:
    add_accounts(sandbox, "yonyou", "wangdiantong")
    text = YONYOU_TO_WDT.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text, {"crm": "yonyou", "oms": "wangdiantong"}, name="customers")
    httpx.post(f"{sandbox.root}/_sandbox/wangdiantong/reset-counters").raise_for_status()
    first = runs.run_recipe("customers")
    assert (first.seen, first.succeeded, first.failed) == (60, 60, 0)  # the sandbox fixture seeds 60
    writes = counters(sandbox, "wangdiantong")["customer_writes"]
    assert set(writes) == {f"C{7000 + i}" for i in range(1, 61)} and set(writes.values()) == {1}
    with accounts.client("wangdiantong") as api:
        stored = api.json("POST", "/customer_query.php", data={"customer_no": "C7005"})["customers"][0]
    assert stored["mobile"] == "13900000005" and stored["name"]
    assert runs.run_recipe("customers").writes == 0
    assert counters(sandbox, "wangdiantong")["customer_writes"] == writes
    crm = sandbox.apps["yonyou"]
    with crm.lock:  # sales correct the phone in the CRM
        customer = crm._get("customer", 1_700_000_005)  # type: ignore[attr-defined]
        crm._changed("customer", {**customer, "contactTel": "13911112222"})  # type: ignore[attr-defined]
    assert runs.run_recipe("customers").writes == 1
    assert counters(sandbox, "wangdiantong")["customer_writes"]["C7005"] == 2  # the same customer, updated


@pytest.mark.slow
def test_yonyou_customers_to_wangdiantong_survive_kills(tmp_path: Path) -> None:
    """SIGKILL ``ordersync run`` at random moments, then run until quiet: each customer pushed exactly once."""
    home, customers = tmp_path / "home", 1500
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5")
    server, url = serve_sandbox(home)
    try:
        httpx.post(f"{url}/_sandbox/yonyou/seed/{customers}", timeout=300).raise_for_status()
        _setup(home, env, YONYOU_TO_WDT, {"crm": "yonyou", "oms": "wangdiantong"}, everything=True)
        httpx.post(f"{url}/_sandbox/wangdiantong/reset-counters", timeout=10).raise_for_status()
        kills = _kill_then_finish(home, env, seed=12)
        writes = httpx.get(f"{url}/_sandbox/wangdiantong/counters", timeout=10).json().get("customer_writes", {})
        assert len(writes) == customers, f"{len(writes)} customers written, expected {customers}"
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        assert kills >= 2, "the runs finished too fast to be interrupted; raise the customer count"
    finally:
        server.terminate()
        server.communicate(timeout=30)
