"""The second round of Chinese templates end to end against the sandbox apps (in-process, through the services):
N records in, N effective writes counted by the emulators (no-op writes count as writes), a re-run writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
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
