"""The registry of connectors: every vendor module listed here exports ``CONNECTOR``.

An explicit list (not entry-point discovery) keeps start-up fast and the set reviewable; the
conformance suite walks it, so a connector added here is tested automatically.
"""

from __future__ import annotations

import difflib
import importlib
from functools import cache

from ordersync_app.connectors.sdk.spec import Connector

CONNECTOR_MODULES: tuple[str, ...] = ("hubspot", "shopify", "jushuitan")


@cache
def all_connectors() -> dict[str, Connector]:
    """Every registered connector by key, in registry order."""
    found: dict[str, Connector] = {}
    for name in CONNECTOR_MODULES:
        module = importlib.import_module(f"ordersync_app.connectors.{name}")
        connector: Connector = module.CONNECTOR
        found[connector.key] = connector
    return found


def get(key: str) -> Connector | None:
    """The connector named ``key``, or None."""
    return all_connectors().get(key)


def suggest(name: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known name to a misspelt one ("did you mean …")."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None
