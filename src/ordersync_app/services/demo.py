"""``ordersync demo``: the whole product on the built-in sandbox apps, with no accounts needed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from ordersync_app import paths
from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.records import RunSummary
from ordersync_app.services import accounts, recipes, runs, sandbox

DEMO_RECIPE = "demo"
DEMO_TEMPLATE = "shopify-fulfilled-to-hubspot-deal-stage.yaml"
SHOP, CRM = "demo-shop", "demo-crm"


@dataclass
class DemoResult:
    """What the demo did."""

    set_up: bool
    fulfilled: list[str]
    summary: RunSummary
    seconds: float
    sandbox_url: str
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {"set_up": self.set_up, "fulfilled": len(self.fulfilled), "seconds": self.seconds,
                "sandbox_url": self.sandbox_url, "run": self.summary.as_dict()}


def _ensure_account(name: str, connector: str) -> None:
    try:
        accounts.get_account(name)
    except SetupError:
        accounts.add_account(name, connector, base_url=SANDBOX_SCHEME + connector)


def run_demo(orders: int = 20) -> DemoResult:
    """Set up the demo on first use (accounts, recipe, a batch of fulfilled orders), then run it."""
    if orders < 1 or orders > 100_000:
        raise SetupError(f"--orders must be between 1 and 100000, not {orders}")
    started = time.monotonic()
    url = sandbox.root_url()
    _ensure_account(SHOP, "shopify")
    _ensure_account(CRM, "hubspot")
    fulfilled: list[str] = []
    set_up = DEMO_RECIPE not in {r.name for r in recipes.list_recipes()}
    if set_up:
        template = paths.templates_dir() / DEMO_TEMPLATE
        recipes.import_recipe(template, {"shop": SHOP, "crm": CRM}, name=DEMO_RECIPE, enable=True)
        sandbox.seed(10 + orders + 10)
        fulfilled = sandbox.fulfil(orders)
    summary = runs.run_recipe(DEMO_RECIPE, wait=30.0)
    return DemoResult(set_up=set_up, fulfilled=fulfilled, summary=summary,
                      seconds=round(time.monotonic() - started, 2), sandbox_url=url)
