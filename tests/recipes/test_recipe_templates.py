"""The shipped templates in ``recipes/`` load, against the fakes now and the real registry later."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.recipes.conftest import connectors_for

from ordersync_app.connectors.sdk import files, registry
from ordersync_app.connectors.sdk.spec import Connector
from ordersync_app.recipes import evaluate, load_file, matches
from ordersync_app.sandbox.demo_data import demo_order

TEMPLATES = sorted((Path(__file__).parents[2] / "recipes").glob("*.yaml"))
EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def test_the_three_templates_exist() -> None:
    assert {p.name for p in TEMPLATES} >= {
        "shopify-fulfilled-to-hubspot-deal-stage.yaml",
        "jushuitan-shipped-to-hubspot-deal-stage.yaml",
        "shopify-order-to-hubspot-contact.yaml",
    }


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_valid_against_the_fakes(path: Path, fakes: dict[str, Connector]) -> None:
    recipe = load_file(path, connectors=connectors_for(path, fakes))
    assert recipe.name
    assert recipe.description


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_valid_against_the_registry(path: Path) -> None:
    # The connector modules are written in parallel; the lead removes these skips once they land.
    for name in ("hubspot", "shopify", "jushuitan"):
        pytest.importorskip(f"ordersync_app.connectors.{name}")
    examples = (files.load_connector(p) for p in EXAMPLES.glob("*.connector.yaml"))  # added by the user first
    load_file(path, connectors={**registry.all_connectors(), **{c.key: c for c in examples}})



def test_demo_recipe_maps_a_demo_order(fakes: dict[str, Connector]) -> None:
    recipe = load_file(Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml",
                       connectors=fakes)
    order = demo_order(3)
    # The shape the Shopify connector emits (GraphQL names), built from the shared demo data.
    record = {"legacyResourceId": str(order["id"]), "name": order["name"],
              "displayFulfillmentStatus": "FULFILLED", "shippingAddress": order["shippingAddress"]}
    assert recipe.trigger.every_seconds == 60
    filter_step = recipe.steps[0].body
    assert matches(filter_step, record, {})  # type: ignore[arg-type]
    assert not matches(filter_step, {**record, "displayFulfillmentStatus": "UNFULFILLED"}, {})  # type: ignore[arg-type]
    action = recipe.steps[1].action
    assert action is not None
    assert action.match is not None
    assert evaluate(action.match, record, {}) == "5003"
    assert evaluate(action.fields["dealstage"], record, {}, field="dealstage") == "shipped"
    assert evaluate(action.fields["description"], record, {}) == (
        f"Shipped {order['name']} to {order['shippingAddress']['city']}")
