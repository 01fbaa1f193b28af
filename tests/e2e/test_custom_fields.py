"""Custom properties: a recipe may map a property the account has beyond the connector's declared fields
(HubSpot ``monthly_spend``); one the account does not have is refused at import, naming the account's."""

from __future__ import annotations

import pytest

from ordersync_app.domain.errors import SetupError
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.services import accounts, builder, recipes, runs

RECIPE = """\
format: ordersync-recipe
version: 1
name: Order → contact spend
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_updated, every: 1m, start: everything}
steps:
  - action:
      account: crm
      action: upsert_contact
      match: {source: email}
      fields:
        FIELD: {source: totalPrice}
"""


@pytest.fixture
def bound(home, sandbox: SandboxServer) -> dict[str, str]:
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings={"shop": "d", "plan": "plus"},
                         secret_values={"access_token": "sandbox-shopify-token"})
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})
    return {"shop": "shop", "crm": "crm"}


def test_a_custom_property_of_the_account_can_be_mapped_and_written(bound: dict[str, str]) -> None:
    assert "monthly_spend" in {f.key for f in builder.account_fields("crm", "upsert_contact")}
    recipes.import_recipe(RECIPE.replace("FIELD", "monthly_spend"), bound, name="spend")
    summary = runs.run_recipe("spend")
    assert summary.failed == 0 and summary.succeeded > 0


def test_a_property_the_account_lacks_is_refused_with_the_near_one(bound: dict[str, str]) -> None:
    with pytest.raises(SetupError) as caught:
        recipes.import_recipe(RECIPE.replace("FIELD", "monthly_spnd"), bound, name="spend")
    assert "'monthly_spnd' is not a property of account 'crm'" in caught.value.render()
    assert "did you mean 'monthly_spend'" in caught.value.render()


def test_hubspot_offers_the_accounts_deal_stages_by_name(bound: dict[str, str]) -> None:
    options = dict(builder.field_options("crm", "update_deal", "dealstage") or [])
    assert options["shipped"] == "Shipped" and "closedwon" in options
