"""Every request the HubSpot connector sends must match our description of HubSpot's operations.

``hubspot_subset.openapi.json`` is our own OpenAPI document (HubSpot's files may not be copied; its
``info.description`` says what it was checked against). The requests are not listed here: they are
recorded from the wire while the connector does everything it does against the sandbox, then each
one's method, path, query and body are validated, and every operation of the document must have been
exercised. The validator is a small one for the JSON Schema keywords the document uses (no new
dependency); it refuses keywords it does not know, so a constraint can never be skipped silently.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from ordersync_app.connectors.hubspot import CONNECTOR
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import AccountConfig, TriggerContext, Write
from ordersync_app.domain.errors import RecordRejected
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.hubspot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN

DOCUMENT = json.loads((Path(__file__).parent / "hubspot_subset.openapi.json").read_text(encoding="utf-8"))
KEYWORDS = {"type", "required", "properties", "additionalProperties", "items", "minItems", "maxItems", "minimum",
            "maximum", "minLength", "maxLength", "enum", "$ref", "description"}
_names = itertools.count()


def check(schema: dict[str, Any], value: Any, where: str = "body") -> list[str]:
    """What is wrong with ``value`` under ``schema`` (the subset of JSON Schema in KEYWORDS)."""
    unknown = set(schema) - KEYWORDS
    assert not unknown, f"the validator does not know {unknown}"
    if "$ref" in schema:
        target: Any = DOCUMENT
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return check(target, value, where)
    kinds: dict[str, type | tuple[type, ...]] = {"object": dict, "array": list, "string": str, "integer": int,
                                                 "number": (int, float), "boolean": bool}
    kind = schema.get("type")
    if kind and (not isinstance(value, kinds[kind]) or (isinstance(value, bool) and kind != "boolean")):
        return [f"{where}: expected {kind}, got {type(value).__name__}"]
    problems = [] if value in schema.get("enum", [value]) else [f"{where}: {value!r} is not one of {schema['enum']}"]
    if isinstance(value, dict):
        problems += [f"{where}: {name} is required" for name in schema.get("required", []) if name not in value]
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in schema.get("properties", {}):
                problems += check(schema["properties"][name], item, f"{where}.{name}")
            elif extra is False:
                problems.append(f"{where}: unexpected field {name}")
            elif isinstance(extra, dict):
                problems += check(extra, item, f"{where}.{name}")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", len(value)):
            problems.append(f"{where}: {len(value)} items, allowed {schema.get('minItems', 0)}..{schema['maxItems']}")
        for n, item in enumerate(value):
            problems += check(schema.get("items", {}), item, f"{where}[{n}]")
    if isinstance(value, str) and not schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)):
        problems.append(f"{where}: length {len(value)} out of bounds")
    if isinstance(value, int | float) and not isinstance(value, bool) and \
            not schema.get("minimum", value) <= value <= schema.get("maximum", value):
        problems.append(f"{where}: {value} out of bounds")
    return problems


def operation_of(method: str, path: str) -> tuple[str, dict[str, Any], dict[str, str]]:
    """The document's operation for ``method path``: its template, definition and path parameters."""
    for template, item in DOCUMENT["paths"].items():
        match = re.fullmatch(re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)), path)
        if match and method.lower() in item:
            return template, item[method.lower()], match.groupdict()
    raise AssertionError(f"{method} {path} is not an operation of the document")


def problems_of(method: str, path: str, query: dict[str, list[str]], content_type: str, body: bytes) -> list[str]:
    """Everything wrong with one request under the document."""
    template, op, _params = operation_of(method, path)
    where = f"{method} {template}"
    declared = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
    problems = [f"{where}: undeclared query parameter {name}" for name in query if name not in declared]
    problems += [f"{where}: query {name} is required" for name, p in declared.items()
                 if p.get("required") and name not in query]
    for name, values in query.items():
        if name in declared:
            problems += check(declared[name]["schema"], values[0], f"{where} ?{name}")
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        return problems + ([f"{where}: sends a body but the operation takes none"] if body else [])
    media = content_type.split(";")[0].strip()
    if media not in content:
        return [*problems, f"{where}: body sent as {media!r}, the operation takes {sorted(content)}"]
    value = json.loads(body) if media == "application/json" else \
        {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    return problems + check(content[media]["schema"], value, where)


class Recorder(httpx.BaseTransport):
    """A transport that keeps a copy of every request on its way to the sandbox."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def recorded(sandbox: SandboxServer) -> list[tuple[str, str, dict[str, list[str]], str, bytes]]:
    """The requests of a realistic session: connect, poll, look up, dry-run, write, fail, refresh."""
    recorder = Recorder()
    account = sandbox_account("hubspot", sandbox.url("hubspot"), name=f"hubspot-contract-{next(_names)}")
    with ApiClient(CONNECTOR, account, transport=recorder) as api:
        CONNECTOR.test_connection(api)
        (find_deal, find_contact) = CONNECTOR.lookups
        for trigger in CONNECTOR.triggers:
            records = [r for page in trigger.read(api, TriggerContext({}, None, 25)) for r in page]
            list(trigger.read(api, TriggerContext({"pipeline": "ecommerce"}, records[30].cursor_value, 10,
                                                  until=records[50].cursor_value)))
        deal = find_deal.find(api, {"value": "5004"})
        contact = find_contact.find(api, {"email": demo_data.demo_order(2)["email"]})
        assert deal is not None and contact is not None
        ref = "1:5004:v:3:0"
        writes = {
            "update_deal": [Write("u1", "5001", {"dealstage": "delivered", "amount": 31.5, "hs_next_step": None}),
                            Write("u2", "999999", {"dealstage": "delivered"})],
            "upsert_deal": [Write("d1", "880001", {"dealname": "Order #9", "pipeline": "ecommerce",
                                                   "dealstage": "processed", "closedate": "2026-09-03"})],
            "upsert_contact": [Write("c1", "buyer@example.com", {"firstname": "Ana", "lastname": "Silva"})],
            "update_deal_by_id": [Write("p1", deal["id"], {"description": "shipped with DHL"})],
            "create_deal": [Write("n1", "1:5099:v:0", {"dealname": "Order #99", "pipeline": "ecommerce",
                                                      "dealstage": "processed", "ordersync_ref": "1:5099:v:0"})],
            "create_line_items": [Write(ref, ref, {"name": "Oolong tea 250g", "quantity": 2, "price": "24.50",
                                                   "hs_sku": "TEA-OOL", "deal_id": deal["id"], "ordersync_ref": ref})],
            "associate": [Write("a1", deal["id"], {"to_id": contact["id"]}, {"from_object": "deals",
                                                                             "to_object": "contacts"})],
        }
        for action in CONNECTOR.actions:
            action.read_current(api, writes[action.key])
            assert "ok" in [r.status for r in action.deliver(api, writes[action.key])], action.key
            action.read_current(api, writes[action.key])
        by_id = CONNECTOR.action("update_deal_by_id")
        assert by_id is not None
        with pytest.raises(RecordRejected):  # a deal that does not exist: HubSpot's 404
            by_id.deliver(api, [Write("p2", "424242", {"amount": "1"})])

    vault = {"client_secret": SANDBOX_CLIENT_SECRET, "refresh_token": SANDBOX_REFRESH_TOKEN}
    oauth = AccountConfig(name=f"hubspot-contract-oauth-{next(_names)}", connector="hubspot",
                          base_url=sandbox.url("hubspot"), secret=vault.get, save_secret=vault.__setitem__,
                          settings={"auth_mode": "oauth", "client_id": SANDBOX_CLIENT_ID})
    with ApiClient(CONNECTOR, oauth, transport=recorder) as api:
        CONNECTOR.test_connection(api)

    prefix = urlsplit(sandbox.url("hubspot")).path
    return [(r.method, r.url.path.removeprefix(prefix), parse_qs(r.url.query.decode()),
             r.headers.get("content-type", ""), r.content) for r in recorder.requests]


def test_every_request_matches_the_document(recorded: list[tuple[str, str, dict[str, list[str]], str, bytes]]) -> None:
    assert len(recorded) >= 15
    problems = [p for request in recorded for p in problems_of(*request)]
    assert not problems, "\n".join(problems)

    used = {(method, operation_of(method, path)[0]) for method, path, *_ in recorded}
    documented = {(m.upper(), path) for path, item in DOCUMENT["paths"].items() for m in item}
    assert used == documented, f"never exercised: {documented - used}; unknown: {used - documented}"


def test_the_document_is_ours_and_names_what_it_was_checked_against() -> None:
    description = DOCUMENT["info"]["description"]
    assert "Our own description" in description
    readme = Path(__file__).parents[3] / "shared" / "specs" / "hubspot" / "README.md"
    if readme.exists():  # the shared folder sits next to the repository on the team's machines
        head = re.search(r"HEAD `([0-9a-f]{40})`", readme.read_text(encoding="utf-8"))
        assert head is not None
        assert head.group(1) in description
    assert "99893791383254f52aa07662baeb98aad65cc710" in description


@pytest.mark.parametrize(("method", "path", "body", "complaint"), [
    ("POST", "/crm/v3/objects/0-3/search", {"filterGroups": [], "sorts": [], "properties": [], "limit": 10},
     "after is required"),
    ("POST", "/crm/v3/objects/0-3/search", {"filterGroups": [], "properties": [], "limit": 10, "after": "0",
                                            "sorts": [{"propertyName": "createdate", "direction": "ASCENDING"}]},
     "expected string"),
    ("POST", "/crm/v3/objects/0-3/search", {"filterGroups": [], "sorts": [], "properties": [], "limit": 500,
                                            "after": "0"}, "out of bounds"),
    ("POST", "/crm/v3/objects/0-3/batch/update",
     {"inputs": [{"id": str(n), "properties": {"amount": "1"}} for n in range(101)]}, "101 items"),
    ("POST", "/crm/v3/objects/0-3/batch/update", {"inputs": [{"id": "1", "properties": {"amount": 1}}]},
     "expected string"),
    ("POST", "/crm/v3/objects/0-3/batch/read", {"inputs": [{"id": "1"}], "properties": []},
     "propertiesWithHistory is required"),
    ("POST", "/crm/v3/objects/line_items/batch/create", {"inputs": [{"properties": {"name": "x"}, "associations": []}]},
     "0 items"),
    ("POST", "/crm/v3/objects/line_items/batch/create", {"inputs": [{"properties": {"name": "x"}, "associations": [
        {"to": {"id": "1"}, "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": "20"}]}]}]},
     "expected integer"),
    ("POST", "/crm/v4/associations/deals/contacts/batch/associate/default", {"inputs": [{"from": {"id": "1"}}]},
     "to is required"),
])
def test_the_validator_catches_what_hubspot_would_refuse(method: str, path: str, body: dict[str, Any],
                                                          complaint: str) -> None:
    problems = problems_of(method, path, {}, "application/json", json.dumps(body).encode())
    assert any(complaint in p for p in problems), problems


def test_paths_outside_the_document_are_refused() -> None:
    with pytest.raises(AssertionError, match="not an operation"):
        operation_of("POST", "/crm/v3/objects/deals/batch/update")  # the docs' alias is not in HubSpot's file
