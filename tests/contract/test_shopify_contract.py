"""Every GraphQL document we send Shopify must validate against Shopify's real Admin schema.

The schema is Shopify's own introspection of Admin API 2025-01 (``shopify/admin_schema_2025-01.json.gz``,
ISC licence in ``shopify/LICENSE``; copied from Shopify/dev-mcp, see shared/specs/shopify/README.md).
The documents are not written out here: they are recorded from the wire while the connector and the
warehouse helper run against the sandbox, so a new or edited query is checked without anyone listing it.
The sandbox's own SDL must stay a true subset of the real schema, or the emulator would accept
documents that Shopify refuses. 2025-01 is older than the version we pin (2025-10): treat it as a floor.
"""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    NoDeprecatedCustomRule,
    build_client_schema,
    build_schema,
    is_non_null_type,
    parse,
    validate,
)
from graphql.pyutils import Undefined

from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import RateLimit, TriggerContext, Write
from ordersync_app.connectors.shopify import CONNECTOR
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.demo_data import demo_order
from ordersync_app.sandbox.shopify import ShopifySandbox
from ordersync_app.sandbox.warehouse import fulfil_orders

SCHEMA_FILE = Path(__file__).parent / "shopify" / "admin_schema_2025-01.json.gz"
# Deprecated fields we still use on purpose, each with its reason (see connectors/shopify.py).
KNOWN_DEPRECATIONS = {"Customer.email"}  # replacement defaultEmailAddress arrived in 2025-04, after this schema


@pytest.fixture(scope="module")
def real_schema() -> GraphQLSchema:
    # WORKAROUND(shopify): Shopify's schema breaks graphql-core 3.3's rule that an implementation may be
    # deprecated only where its interface field is (Customer.hasTimelineComment, DiscountAutomaticBxgy.id);
    # assume_valid skips that schema check and nothing else about validating our documents.
    with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as handle:
        return build_client_schema(json.load(handle)["data"], assume_valid=True)


@pytest.fixture
def sent_documents(sandbox: SandboxServer) -> list[str]:
    """The distinct GraphQL documents the connector and the warehouse send while doing all they do."""
    documents: set[str] = set()

    def record(request: Request, app: str) -> Response | None:
        if app == "shopify" and request.path.endswith("/graphql.json"):
            documents.add(json.loads(request.body)["query"])
        return None

    shop = sandbox.apps["shopify"]
    assert isinstance(shop, ShopifySandbox)
    shop.set_bucket(maximum=10_000, restore_rate=1_000)
    sandbox.faults.hook = record
    api = ApiClient(CONNECTOR, sandbox_account("shopify", sandbox.url("shopify"), "shopify-contract"),
                    limiter=RateLimiter(RateLimit(1000, 1.0)), retry=RetryPolicy(max_attempts=2, base_delay=0.01))
    lines = [{"title": f"Item {n}", "sku": f"SKU-{n}", "quantity": 1, "price": "9.50"} for n in range(7)]
    writes = {  # an order with more lines than a page holds, so the follow-up line query is sent too
        "add_order_tags": [Write("contract", "5011", {"tags": ["contract"]})],
        "create_order": [Write("c:1:v:0", "c:1:v:0", {"lineItems": lines, "currency": "USD", "ordersync_ref": "c:1:v:0",
                                                      "email": "new.buyer@example.com",
                                                      "shippingAddress.city": "Austin"})],
        "update_customer": [Write("u1", demo_order(3)["email"], {"note": "VIP"}),
                            Write("u2", "gid://shopify/Customer/7004", {"phone": "+15035550100"})],
    }
    try:
        CONNECTOR.test_connection(api)
        fulfil_orders(sandbox.url("shopify"), 2)
        for action in CONNECTOR.actions:
            action.read_current(api, writes[action.key])
            assert {r.status for r in action.deliver(api, writes[action.key])} == {"ok"}
            action.read_current(api, writes[action.key])
        for trigger in CONNECTOR.triggers:
            assert any(trigger.fetch(api, TriggerContext(params={}, since=None, page_size=5)))
        for trigger in CONNECTOR.triggers:  # instant triggers: read announced orders back, subscribe twice
            hook = trigger.webhook
            if hook is None:  # customers are polled
                continue
            assert hook.fetch is not None and hook.register is not None
            assert [o["legacyResourceId"] for o in hook.fetch(api, ["5011", "999999"])] == ["5011"]
            url = f"http://127.0.0.1:9/hooks/shop/{hook.topics[0]}"
            assert hook.register(api, hook.topics[0], url) == hook.register(api, hook.topics[0], url)
    finally:
        sandbox.faults.hook = None
        api.close()
    return sorted(documents)


def test_every_document_we_send_is_valid_for_shopify(real_schema: GraphQLSchema, sent_documents: list[str]) -> None:
    # orders (shared by the three order triggers) and an order's further lines, orders by tag, orderCreate, tagsAdd,
    # order tags, customers, a customer, customers by email, customerUpdate, shop, the warehouse's two calls, and
    # the webhook ones: orders by id, subscriptions, subscribe
    assert len(sent_documents) == 16
    for document in sent_documents:
        assert validate(real_schema, parse(document)) == [], document


def test_no_deprecated_field_beyond_the_known_ones(real_schema: GraphQLSchema, sent_documents: list[str]) -> None:
    used = {match
            for document in sent_documents
            for error in validate(real_schema, parse(document), [NoDeprecatedCustomRule])
            for match in re.findall(r"The field (\w+\.\w+) is deprecated", error.message)}
    assert used <= KNOWN_DEPRECATIONS


@pytest.mark.parametrize(("document", "complaint"), [
    ("query { orders(first: 1) { nodes { id fulfillment_status } } }", "fulfillment_status"),  # REST name
    ('query { orders(first: "ten") { nodes { id } } }', "Int"),
    ("query { orders(first: 1, sortKey: UPDATED) { nodes { id } } }", "UPDATED"),
    ("mutation { tagsAdd(id: 1) { node { id } } }", "tags"),
])
def test_a_wrong_document_fails(real_schema: GraphQLSchema, document: str, complaint: str) -> None:
    errors = validate(real_schema, parse(document))
    assert any(complaint in error.message for error in errors), errors


def test_the_sandbox_schema_is_a_subset_of_shopifys(real_schema: GraphQLSchema) -> None:
    sdl = resources.files("ordersync_app.sandbox").joinpath("shopify_schema.graphql").read_text("utf-8")
    ours = build_schema(sdl)
    assert (ours.query_type.name, ours.mutation_type.name) == (real_schema.query_type.name,  # type: ignore[union-attr]
                                                               real_schema.mutation_type.name)  # type: ignore[union-attr]
    for name, mine in ours.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        real = real_schema.get_type(name)
        assert type(real) is type(mine), name
        if isinstance(mine, GraphQLEnumType):
            assert set(mine.values) <= set(real.values), name  # type: ignore[union-attr]
        if isinstance(mine, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            real_fields = real.fields  # type: ignore[union-attr]
            for field_name, field in mine.fields.items():
                assert field_name in real_fields, f"{name}.{field_name}"
                assert str(field.type) == str(real_fields[field_name].type), f"{name}.{field_name}"
                for arg_name, arg in getattr(field, "args", {}).items():
                    assert str(arg.type) == str(real_fields[field_name].args[arg_name].type), \
                        f"{name}.{field_name}({arg_name})"
                required = {a for a, arg in getattr(real_fields[field_name], "args", {}).items()
                            if is_non_null_type(arg.type) and arg.default_value is Undefined}
                assert required <= set(getattr(field, "args", {})), f"{name}.{field_name} misses required args"
        if isinstance(mine, GraphQLInputObjectType):  # Shopify's required inputs must exist here too
            required = {f for f, field in real.fields.items()  # type: ignore[union-attr]
                        if is_non_null_type(field.type) and field.default_value is Undefined}
            assert required <= set(mine.fields), name
