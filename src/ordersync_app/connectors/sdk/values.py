"""When a vendor's value already equals an intended one, decided the same way everywhere.

Vendors echo values in their own form: HubSpot answers every property as text (``"72.50"`` for
72.5), Shopify writes decimals as ``"38.0"``, Jushuitan answers numbers where we sent text. The
engine compares a target's current values with a write's intended ones (dry runs, verifying a write
whose answer was lost, the builder's step test) with :func:`same_value`; a connector that reads back
structured values (an order's line items) answers them in the write's own shape with
:func:`as_written`, so the same comparison applies to every part of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def same_value(current: Any, wanted: Any) -> bool:
    """Whether a target value already equals the intended one ("72.50" equals 72.5; None equals "")."""
    if current == wanted:
        return True
    if current in (None, "") and wanted in (None, ""):
        return True
    try:
        return float(current) == float(wanted)
    except (TypeError, ValueError):
        return str(current) == str(wanted)


def as_written(current: Any, wanted: Any) -> Any:
    """``current`` in the shape of ``wanted``: where the two agree (by :func:`same_value`, key by key
    and item by item) the intended value is given back; where they differ, the vendor's own.

    A list of objects is compared item by item in order, each item only on the keys the write sets
    (the vendor's extra keys, such as its own line ids, do not count as a difference).

    Returns:
        ``wanted`` when ``current`` holds every intended value; otherwise ``current``, restricted
        to the intended keys where both are objects.
    """
    if isinstance(wanted, Mapping) and isinstance(current, Mapping):
        shaped = {key: as_written(current.get(key), value) for key, value in wanted.items()}
        return wanted if all(shaped[k] is wanted[k] for k in wanted) else shaped
    if isinstance(wanted, list | tuple) and isinstance(current, list | tuple):
        if len(wanted) != len(current):
            return list(current)
        items = [as_written(have, want) for have, want in zip(current, wanted, strict=True)]
        return wanted if all(a is b for a, b in zip(items, wanted, strict=True)) else items
    return wanted if same_value(current, wanted) else current
