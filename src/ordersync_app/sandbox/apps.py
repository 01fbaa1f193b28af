"""Assemble the sandbox apps into one loopback server, and the demo credentials they accept.

The sandbox credentials are public, well-known values (they open only the local emulators), so
sandbox accounts need nothing from the keychain: accounts whose base URL is ``sandbox://<app>``
are resolved to the running sandbox and use these values.
"""

from __future__ import annotations

from pathlib import Path

from ordersync_app.connectors.sdk.spec import AccountConfig
from ordersync_app.domain.redact import declare_public
from ordersync_app.sandbox._server import SandboxApp, SandboxServer

SANDBOX_SCHEME = "sandbox://"
DEFAULT_PORT = 8765

# Public demo credentials of the emulators; they are not secrets and open nothing real.
SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "hubspot": {"access_token": "sandbox-hubspot-token"},
    "shopify": {"access_token": "sandbox-shopify-token"},
    "jushuitan": {"app_secret": "sandbox-jushuitan-secret", "access_token": "sandbox-jushuitan-token"},
}
declare_public(v for values in SANDBOX_CREDENTIALS.values() for v in values.values())
SANDBOX_SETTINGS: dict[str, dict[str, str]] = {
    "hubspot": {},
    "shopify": {"shop": "ordersync-demo", "plan": "plus"},
    "jushuitan": {"app_key": "sandbox-app-key"},
}


# The sandbox shop is a Shopify Plus store (1,000 cost points/s restored), so demos and drills are not
# paced by the Standard plan's 100 points/s; ``shopify_plan="standard"`` emulates the smaller plan.
# "unmetered" is for benchmarks that measure the CRM side alone.
SHOPIFY_PLANS = {"standard": (1000.0, 100.0), "advanced": (2000.0, 200.0), "plus": (10000.0, 1000.0),
                 "unmetered": (1e12, 1e12)}


def build_apps(data_dir: Path, *, orders: int = 60, hubspot_limit: int | None = 100,
               shopify_plan: str = "plus") -> list[SandboxApp]:
    """Create (or reopen) every sandbox app with its state under ``data_dir``."""
    from ordersync_app.sandbox.hubspot import HubSpotSandbox
    from ordersync_app.sandbox.jushuitan import JushuitanSandbox
    from ordersync_app.sandbox.shopify import ShopifySandbox

    data_dir.mkdir(parents=True, exist_ok=True)
    apps: list[SandboxApp] = [
        HubSpotSandbox(data_dir / "hubspot.db", rate_limit=hubspot_limit),
        ShopifySandbox(data_dir / "shopify.db"),
        JushuitanSandbox(data_dir / "jushuitan.db"),
    ]
    apps[1].set_bucket(*SHOPIFY_PLANS[shopify_plan])  # type: ignore[attr-defined]
    for app in apps:
        with app.lock:
            app.db.execute("BEGIN IMMEDIATE")
            app.seed(orders)
            app.db.execute("COMMIT")
    return apps


def build_server(data_dir: Path, *, port: int = 0, orders: int = 60, hubspot_limit: int | None = 100,
                 shopify_plan: str = "plus") -> SandboxServer:
    """A server (not yet started) over every sandbox app."""
    return SandboxServer(build_apps(data_dir, orders=orders, hubspot_limit=hubspot_limit,
                                    shopify_plan=shopify_plan), port=port)


def sandbox_account(connector: str, base_url: str, name: str | None = None) -> AccountConfig:
    """An :class:`AccountConfig` for a connector's sandbox app at ``base_url``."""
    secrets = SANDBOX_CREDENTIALS.get(connector, {})
    return AccountConfig(
        name=name or f"sandbox-{connector}",
        connector=connector,
        base_url=base_url,
        settings=dict(SANDBOX_SETTINGS.get(connector, {})),
        secret=secrets.get,
    )
