"""``ordersync connectors`` lists the five Chinese connectors (four systems) with their triggers and actions."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.helpers import ordersync

CHINESE = {
    "fxiaoke": ("纷享销客", {"customer_changed", "opportunity_changed", "sales_order_changed"},
                {"update_opportunity", "create_or_update_customer"}),
    "yonyou": ("用友 YonBIP", {"customer_changed", "sales_order_changed", "opportunity_changed"},
               {"create_sales_order", "submit_sales_orders", "close_sales_order"}),
    "kingdee": ("金蝶云星空", {"sales_order_updated", "customer_updated"}, {"save_sales_order", "save_customer"}),
    "wangdiantong": ("旺店通·企业版", {"order_updated", "order_shipped"}, {"push_order", "push_customer"}),
    "wangdiantong_qjb": ("旺店通·旗舰版", {"order_updated", "order_shipped"}, {"push_order"}),
}


def test_connectors_lists_the_chinese_systems_with_triggers_and_actions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    listed = ordersync(home, "connectors", "--json")
    assert listed.returncode == 0, listed.stderr
    found = {c["key"]: c for c in json.loads(listed.stdout)}
    for key, (name_zh, triggers, actions) in CHINESE.items():
        assert key in found, f"{key} is not listed"
        assert name_zh in found[key]["name_zh"]
        assert triggers <= {t["key"] for t in found[key]["triggers"]}, key
        assert actions <= {a["key"] for a in found[key]["actions"]}, key
        assert all(t["fields"] for t in found[key]["triggers"]), f"{key}: a trigger lists no fields"
    text = ordersync(home, "connectors")
    assert text.returncode == 0, text.stderr
    for key in CHINESE:
        assert f"{key} — " in text.stdout
    for line in ("action  close_sales_order:", "action  push_customer:", "trigger order_shipped:"):
        assert line in text.stdout
