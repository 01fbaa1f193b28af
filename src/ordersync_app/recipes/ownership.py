"""Master-data ownership: which system owns which kind of data, and which writes would overwrite it.

The CRM owns customer data, the order system owns order data (each connector declares which with
``Connector.owns``); a recipe may say otherwise per role with ``owns: {crm: [contacts, companies]}``.
A write *into* an object type its target owns, from a trigger whose system does not own it, would
overwrite the owner's data with a copy — the shipped "new order → contact" recipe rewriting the names
a sales rep corrected. Such a recipe must give every field a ``mode`` (``only_if_empty``,
``create_only``, ``never``… or ``always`` on purpose), so the choice is written down.

An action's object (``Action.object``: ``contacts``, ``deals``, ``AccountObj``…) belongs to customer data
or to order data by its name; a HubSpot deal or a Salesforce opportunity mirrors an order here.
"""

from __future__ import annotations

from collections.abc import Mapping

CUSTOMERS, ORDERS = "customers", "orders"
_CUSTOMER_WORDS = ("contact", "customer", "account", "compan", "lead", "merchant", "partner", "member")
_ORDER_WORDS = ("order", "deal", "trade", "opportunit", "line_item", "lineitem", "sale", "invoice", "shipment")


def kind_of(obj: str | None) -> str | None:
    """``customers`` or ``orders`` for an object type's name; None when the name says neither."""
    name = (obj or "").lower()
    if any(word in name for word in _ORDER_WORDS):
        return ORDERS
    if any(word in name for word in _CUSTOMER_WORDS):
        return CUSTOMERS
    return None


def owns(role: str, obj: str | None, default_kind: str | None, declared: Mapping[str, list[str]]) -> bool:
    """Whether ``role`` owns object type ``obj``: by the recipe's ``owns`` when it names the role, else by
    its connector's kind (``default_kind``)."""
    kind = kind_of(obj)
    if role in declared:
        names = {n.lower() for n in declared[role]}
        return (obj or "").lower() in names or (kind is not None and kind in names)
    return kind is not None and kind == default_kind
