"""Recipe names from titles are readable and unique, also for Chinese titles (issue 9, defect 5)."""

from __future__ import annotations

from tests.e2e.helpers import DEMO_TEMPLATE

from ordersync_app.services import accounts, recipes


def test_chinese_titles_become_pinyin_names() -> None:
    assert recipes.slugify("Shopify 订单发货 → HubSpot") == "shopify-ding-dan-fa-huo-hubspot"
    assert recipes.slugify("订单退款") != recipes.slugify("订单发货")
    assert recipes.slugify("Заказы") == "recipe"  # no Latin spelling: the numbered fallback takes over


def test_a_taken_name_is_numbered(home) -> None:
    accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
    accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
    assert recipes.free_name("orders") == "orders"
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    assert recipes.exists("orders")
    assert recipes.free_name("orders") == "orders-2"
    recipes.import_recipe(DEMO_TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders-2")
    assert recipes.free_name("orders") == "orders-3"
