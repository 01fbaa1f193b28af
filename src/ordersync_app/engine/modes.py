"""Field write modes: which of an action's values may be written over what the target already holds.

``always`` writes; ``only_if_empty`` writes where the target's value is empty (a name the sales rep has
corrected stays); ``create_only`` writes only when the action creates the object; ``never`` is never
written (the field is listed to say the other system owns it — left out before anything is sent).
"""

from __future__ import annotations

from typing import Any

from ordersync_app.recipes.model import ActionStep


def needs_current(step: ActionStep) -> bool:
    """Whether the step's modes depend on the target's current values (one read before writing)."""
    return any(m.mode in ("only_if_empty", "create_only") for m in step.fields.values())


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def apply(step: ActionStep, properties: dict[str, Any], current: dict[str, Any] | None, *,
          marker: str | None = None) -> dict[str, Any] | None:
    """The properties to send given the target's current values (None: the target does not exist).

    Returns None when nothing is left to write (every mapped value belongs to the target), so nothing
    is sent; the marker alone is not something to write.
    """
    exists = current is not None
    kept: dict[str, Any] = {}
    for name, value in properties.items():
        mapping = step.fields.get(name)
        mode = mapping.mode if mapping is not None else "always"
        if mode == "create_only" and exists:
            continue
        if mode == "only_if_empty" and exists and not _empty((current or {}).get(name)):
            continue
        kept[name] = value
    if not any(k != marker for k in kept):
        return None
    return kept
