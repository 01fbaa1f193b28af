"""Small fake connectors (built from the real SDK declarations) for checking recipe meaning.

They mirror the keys of the real hubspot, shopify and jushuitan modules, which are written in
parallel; the template test checks the same files against the real registry once it imports.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ordersync_app.connectors.sdk import files, registry
from ordersync_app.connectors.sdk.spec import (
    Action,
    Connector,
    Cursor,
    Field,
    Lookup,
    Owns,
    Param,
    RateLimit,
    Trigger,
    TriggerContext,
    Write,
    WriteResult,
    WriteSemantics,
)
from ordersync_app.domain.records import Record


def _fetch(_client: Any, _ctx: TriggerContext) -> Iterator[list[Record]]:
    yield []


def _deliver(_client: Any, writes: list[Write]) -> list[WriteResult]:
    return [WriteResult(w.ref, "ok") for w in writes]


def _read(_client: Any, writes: list[Write]) -> list[dict[str, Any] | None]:
    return [None for _ in writes]


def _find(_client: Any, _params: Any) -> dict[str, Any] | None:
    return None


def _trigger(key: str, *params: Param) -> Trigger:
    return Trigger(key, key, key, _fetch, Cursor("updatedAt"), (Field("id", "ID"),), params)


def _action(key: str, fields: tuple[Field, ...], *, match: Param | None = None,
            params: tuple[Param, ...] = (), **declared: Any) -> Action:
    return Action(key, key, key, fields, _deliver, _read, match=match, params=params, **declared)


def _connector(key: str, name: str, owns: Owns, **kwargs: Any) -> Connector:
    return Connector(key, name, name, owns, (), "https://example.invalid", lambda _a: None,
                     RateLimit(10, 1), lambda _r: "", lambda _c: "ok", **kwargs)


DEAL_FIELDS = (Field("dealstage", "Deal stage"), Field("description", "Description"),
               Field("dealname", "Deal name"), Field("amount", "Amount", "number"),
               Field("closedate", "Close date", "datetime"), Field("pipeline", "Pipeline"),
               Field("tracking_number", "Tracking number"), Field("tracking_company", "Carrier"))

FAKE_CONNECTORS: dict[str, Connector] = {
    "hubspot": _connector(
        "hubspot", "HubSpot", Owns.CUSTOMERS,
        triggers=(_trigger("deal_updated", Param("pipeline", "Pipeline")),),
        actions=(
            _action("update_deal", DEAL_FIELDS, match=Param("match", "Deal whose order id is …"),
                    params=(Param("id_property", "Unique property", default="shopify_order_id"),)),
            _action("upsert_deal", (*DEAL_FIELDS, Field("shopify_order_id", "Order id", required=True)),
                    match=Param("match", "Order id")),
            _action("upsert_contact", (Field("email", "Email", required=True), Field("firstname", "First name"),
                                       Field("lastname", "Last name"), Field("city", "City"),
                                       Field("phone", "Phone")), match=Param("match", "Email")),
            _action("update_deal_by_id", DEAL_FIELDS, match=Param("match", "Deal id")),
            # a create the engine could not check after a lost answer (no marker): recipes may not use it
            _action("append_note", (Field("note", "Note"),), semantics=WriteSemantics.APPEND),
        ),
        lookups=(
            Lookup("find_deal", "Find deal", "查找交易", (Param("property", "Property", required=True),
                                                      Param("value", "Value", required=True)),
                   (Field("id", "ID"), Field("dealstage", "Stage")), _find),
            Lookup("find_contact", "Find contact", "查找联系人", (Param("email", "Email", required=True),),
                   (Field("id", "ID"),), _find),
        ),
    ),
    "shopify": _connector(
        "shopify", "Shopify", Owns.ORDERS,
        triggers=(_trigger("order_created"), _trigger("order_updated"), _trigger("order_fulfilled")),
        actions=(_action("add_order_tags", (Field("tags", "Tags", required=True),),
                         match=Param("match", "Order id")),),
    ),
    "jushuitan": _connector(
        "jushuitan", "Jushuitan", Owns.ORDERS,
        triggers=(_trigger("order_shipped", Param("shop_id", "Shop id")),),
    ),
}


@pytest.fixture
def fakes() -> dict[str, Connector]:
    """The fake connectors by key."""
    return FAKE_CONNECTORS


EXAMPLES = Path(__file__).parents[2] / "resources" / "examples"


def _uses_only_faked(doc: dict[str, Any], fakes: dict[str, Connector]) -> bool:
    """Whether every trigger, action and lookup (and every action field) the recipe names exists in the fakes
    (the templates of recipes v2 use actions the fakes do not mirror)."""
    roles = doc.get("accounts") or {}
    trigger = doc.get("trigger") or {}
    conn = fakes.get(roles.get(trigger.get("account"), ""))
    if conn is None or conn.trigger(str(trigger.get("event"))) is None:
        return False
    for step in doc.get("steps") or []:
        for kind in ("action", "lookup"):
            body = step.get(kind) if isinstance(step, dict) else None
            if not isinstance(body, dict):
                continue
            conn = fakes.get(roles.get(body.get("account"), ""))
            found = conn and (conn.action(str(body.get("action"))) if kind == "action" else
                              conn.lookup(str(body.get("lookup"))))
            if not found:
                return False
            if kind == "action" and set(body.get("fields") or {}) - {f.key for f in found.fields}:
                return False
    return True


def connectors_for(path: Path, fakes: dict[str, Connector]) -> dict[str, Connector]:
    """The fakes when they cover every connector a recipe file names, else the real registry (templates for the
    newer connectors are checked against the real declarations, which the fakes do not mirror)."""

    text = path.read_text("utf-8")
    doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text) or {}
    named = set((doc.get("accounts") or {}).values()) if isinstance(doc, dict) else set()
    if named <= set(fakes) and _uses_only_faked(doc, fakes):
        return fakes
    examples = (files.load_connector(p) for p in sorted(EXAMPLES.glob("*.connector.yaml")))  # added by the user
    return {**registry.all_connectors(), **{c.key: c for c in examples}}
