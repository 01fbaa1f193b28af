"""Assemble the sandbox apps into one loopback server, found from the connectors themselves.

A connector that has an emulator says so (``Connector.sandbox = Sandbox(app="hubspot", …)``); the
emulator is the module ``ordersync_app.sandbox.<app>`` exporting ``App``, found by looking. Nothing
here lists vendors: a new connector with its emulator appears in ``ordersync sandbox serve``, the demo, the
fault drills and the conformance suite by existing. The demo credentials a connector declares are
public values that open only its emulator, so sandbox accounts (``sandbox://<app>``) need nothing
from the keychain.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME, AccountConfig, Connector
from ordersync_app.sandbox._server import SandboxApp, SandboxServer

__all__ = ["DEFAULT_PORT", "SANDBOX_SCHEME", "app_classes", "build_apps", "build_server", "sandbox_account"]

DEFAULT_PORT = 8765


def app_classes() -> dict[str, type[SandboxApp]]:
    """Every emulator, by app name: each module of this package that exports ``App`` (a connector names
    its emulator by that module's name; the generic REST app serves connector files)."""
    package = importlib.import_module("ordersync_app.sandbox")
    found: dict[str, type[SandboxApp]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "apps":
            continue
        app = getattr(importlib.import_module(f"ordersync_app.sandbox.{info.name}"), "App", None)
        if isinstance(app, type) and issubclass(app, SandboxApp):
            found[app.name] = app
    return found


def build_apps(data_dir: Path, *, orders: int = 60, **options: Any) -> list[SandboxApp]:
    """Create (or reopen) every sandbox app with its state under ``data_dir``.

    ``options`` reach every app's ``create`` (each takes what it knows: ``hubspot_limit``,
    ``shopify_plan``…).
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    apps = [cls.create(data_dir / f"{name}.db", **options) for name, cls in app_classes().items()]
    for app in apps:
        with app.lock:
            app.db.execute("BEGIN IMMEDIATE")
            app.seed(orders)
            app.db.execute("COMMIT")
    return apps


def build_server(data_dir: Path, *, port: int = 0, orders: int = 60, **options: Any) -> SandboxServer:
    """A server (not yet started) over every sandbox app."""
    return SandboxServer(build_apps(data_dir, orders=orders, **options), port=port)


def sandbox_account(connector: str | Connector, base_url: str, name: str | None = None, *,
                    data_dir: Path | None = None) -> AccountConfig:
    """An :class:`AccountConfig` for a connector's sandbox app at ``base_url``; ``data_dir`` (the sandbox
    state folder) fills ``{sandbox_dir}`` in the sandbox settings of file connectors."""
    found = registry.get(connector) if isinstance(connector, str) else connector
    box = found.sandbox if found is not None else None
    secrets = dict(box.credentials) if box else {}
    key = found.key if found is not None else str(connector)
    settings = {k: v.replace("{sandbox_dir}", str(data_dir)) if data_dir else v
                for k, v in (box.settings.items() if box else ())}
    return AccountConfig(name=name or f"sandbox-{key}", connector=key, base_url=base_url,
                         settings=settings, secret=secrets.get)
