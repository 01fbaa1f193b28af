"""The README's main command, in-process and as a real subprocess."""

from __future__ import annotations

import json

import httpx
from tests.e2e.helpers import ordersync

from ordersync_app.sandbox import demo_data
from ordersync_app.services import accounts, demo, sandbox


def test_demo_moves_every_fulfilled_order_then_finds_nothing_new(home) -> None:
    try:
        first = demo.run_demo(orders=15)
        assert first.set_up and len(first.fulfilled) == 15
        assert first.summary.status == "succeeded"
        assert first.summary.seen == 15 and first.summary.succeeded == 15
        assert first.summary.writes == 15 and first.summary.failed == 0

        # every fulfilled order's deal is now "shipped", each written exactly once
        root = sandbox.root_url()
        writes = httpx.get(f"{root}/_sandbox/hubspot/counters").json().get("deal_writes", {})
        assert sorted(writes.values()) == [1] * 15
        with accounts.client(demo.CRM) as crm:
            for name in first.fulfilled:
                order_id = str(demo_data.ORDER_ID_BASE + int(name.lstrip("#")) - 1000)
                found = crm.connector.lookup("find_deal").find(
                    crm, {"property": demo_data.ORDER_ID_PROPERTY, "value": order_id})
                assert found is not None and found["dealstage"] == "shipped", name

        second = demo.run_demo(orders=15)
        assert not second.set_up and second.summary.seen == 0 and second.summary.writes == 0
    finally:
        sandbox.stop_in_process()


def test_demo_command_prints_summary(tmp_path) -> None:
    home = tmp_path / "home"
    result = ordersync(home, "demo", "--orders", "5")
    assert result.returncode == 0, result.stderr
    assert "orders seen:    5" in result.stdout and "deals moved:    5" in result.stdout
    assert "failed:         0" in result.stdout
    again = ordersync(home, "demo", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["run"]["seen"] == 0
