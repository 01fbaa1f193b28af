"""Comparing a target's current values with the values a write intends, the same way everywhere
(dry runs, crash verification, the builder's "Test this step"): vendors echo values as text."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ordersync_app.connectors.sdk.values import same_value

__all__ = ["already_applied", "changes", "same_value"]


def changes(current: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields a write would change: ``{"field", "current", "new"}`` each (all of them when the
    target does not exist yet)."""
    return [{"field": k, "current": None if current is None else current.get(k), "new": v}
            for k, v in wanted.items() if current is None or not same_value(current.get(k), v)]


def already_applied(current: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    """Whether the target exists and already holds every intended value."""
    return current is not None and not changes(current, wanted)
