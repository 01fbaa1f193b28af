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


def listed(value: Any) -> list[str]:
    """A list of words from a list or from comma-separated text (tags: ``"vip, crm"`` → ``["vip", "crm"]``)."""
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    return [str(t).strip() for t in items if str(t).strip()]


def order_lines(value: Any) -> list[dict[str, Any]]:
    """An order's line items as a create-order action takes them, checked once for every OMS connector.

    Each item needs a title (``title`` or ``name``), a whole ``quantity`` (or ``qty``) ≥ 1 and a ``price`` ≥ 0;
    ``sku`` (or ``sku_id``) and ``currencyCode`` are optional. The Shopify trigger's line items and
    Jushuitan's ``items`` fit as they are.

    Returns:
        ``[{"title", "sku", "quantity": int, "price": decimal text, "currencyCode"}]``.

    Raises:
        ValueError: naming the first item that is not a line item, and why.
    """
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("the order needs line items: a list of title, sku, quantity and price")
    lines = []
    for n, item in enumerate(value):
        item = item if isinstance(item, Mapping) else {}
        title, quantity = item.get("title", item.get("name")), str(item.get("quantity", item.get("qty", "")))
        price = str(item.get("price", "")).strip()
        try:
            ok = bool(title) and quantity.isdigit() and int(quantity) >= 1 and float(price) >= 0
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(f"line item {n + 1} needs a title, a whole quantity ≥ 1 and a price ≥ 0 "
                             f"(got {title!r}, {quantity!r}, {price!r})")
        lines.append({"title": str(title), "sku": item.get("sku", item.get("sku_id")), "quantity": int(quantity),
                      "price": price, "currencyCode": item.get("currencyCode")})
    return lines


# The keys a line item keeps, each with the names recipes may give it.
LINE_KEYS = {"title": ("title", "name"), "sku": ("sku", "sku_id"), "quantity": ("quantity", "qty"),
             "price": ("price",), "currencyCode": ("currencyCode",)}


def lines_as_written(current: list[dict[str, Any]], wanted: Any) -> Any:
    """A target's line items (``order_lines`` keys) in the shape a write gave them, for comparison.

    A write's item may name its keys either way (``name``/``qty``/``sku_id``); keys a line item does not
    keep (the source's own line id) are the write's own, not a difference.
    """
    if not isinstance(wanted, list | tuple) or len(wanted) != len(current):
        return current
    shaped = []
    for have, want in zip(current, wanted, strict=True):
        want = want if isinstance(want, Mapping) else {}
        names = {alias: have.get(key) for key, aliases in LINE_KEYS.items() for alias in aliases if alias in want}
        shaped.append({**want, **names})
    return as_written(shaped, wanted)
