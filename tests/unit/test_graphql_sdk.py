"""The SDK's GraphQL helpers against a scripted server on loopback: documents kept as data, errors inside HTTP 200,
mutation payloads as write results, nested lists read to their end (and a looping vendor stopped), and the line
items create-order actions take."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ordersync_app.connectors.sdk import graphql
from ordersync_app.connectors.sdk.auth import bearer
from ordersync_app.connectors.sdk.http import ApiClient, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, Owns, RateLimit, Verdict
from ordersync_app.connectors.sdk.values import lines_as_written, order_lines
from ordersync_app.domain.errors import ConnectorError
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer


class Scripted(SandboxApp):
    name = "scripted"

    def setup(self) -> None:
        self.script: list[Response] = []
        self.sent: list[Any] = []
        self.route("POST", "/api/{version}/graphql.json", self._answer)

    def _answer(self, request: Request) -> Response:
        self.sent.append((request.params["version"], json.loads(request.body)))
        return self.script.pop(0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Scripted, ApiClient]]:
    app = Scripted(tmp_path / "s.db")
    served = SandboxServer([app]).start()
    url = served.url("scripted")
    connector = Connector(key="gql", name_en="GQL", name_zh="GQL", owns=Owns.ORDERS, settings=(), base_url=url,
                          make_auth=lambda _a: bearer("graphql-sdk-test-secret-9d2a"),  # a value no message contains
                          rate_limit=RateLimit(1000, 1.0),
                          error_message=graphql.error_message, test_connection=lambda _c: "ok",
                          classify=graphql.classifier(retry=("THROTTLED",), setup=("ACCESS_DENIED",)))
    account = AccountConfig(name=f"gql-{id(app)}", connector="gql", base_url=url, settings={"version": "2025-10"},
                            secret=lambda _k: None)
    with ApiClient(connector, account, retry=RetryPolicy(max_attempts=1)) as client:
        yield app, client
    served.stop()


def test_documents_are_data_with_a_name_each() -> None:
    shopify = graphql.operations("ordersync_app.connectors", "shopify.graphql")
    assert {"Orders", "OrderLines", "OrderCreate", "Customers", "CustomerUpdate"} <= set(shopify)
    assert shopify["Shop"].startswith("query Shop")
    with pytest.raises(ValueError, match="own name"):
        graphql.operations_in("query A { a } query A { b }")
    with pytest.raises(ValueError, match="unnamed"):
        graphql.operations_in("{ a }")


@pytest.mark.parametrize(("status", "body", "verdict"), [
    (200, {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}, Verdict.RETRY),
    (200, {"errors": [{"message": "no scope", "extensions": {"code": "ACCESS_DENIED"}}]}, Verdict.SETUP),
    (200, {"errors": [{"message": "Field 'x' doesn't exist"}]}, Verdict.REJECT),
    (200, {"data": {"a": 1}}, None),
    (500, {"errors": [{"message": "boom"}]}, None),  # left to the default rules
])
def test_errors_inside_200_are_classified_by_code(status: int, body: dict[str, Any], verdict: Verdict | None) -> None:
    classify = graphql.classifier(retry=("THROTTLED",), setup=("ACCESS_DENIED",))
    assert classify(httpx.Response(status, json=body)) == verdict
    assert graphql.error_message(httpx.Response(200, json={"errors": {"query": "missing"}})) == "query: missing"


def test_a_mutation_payload_becomes_the_writes_result() -> None:
    payload = {"order": {"id": "gid://shopify/Order/7", "legacyResourceId": "7", "updatedAt": "2026-09-02T10:00:00Z"},
               "userErrors": []}
    made = graphql.outcome("r", payload, "order", created=True)
    assert (made.status, made.target_id, made.created, made.stamp) == ("ok", "7", True, "2026-09-02T10:00:00Z")
    tagged = graphql.outcome("r", {"node": {"id": "gid://shopify/Order/9"}, "userErrors": []}, "node")
    assert (tagged.target_id, tagged.stamp) == ("9", None)
    refused = graphql.outcome("r", {"order": None, "userErrors": [{"message": "a"}, {"message": "b"}]}, "order")
    assert (refused.status, refused.message) == ("rejected", "a; b")
    assert graphql.outcome("r", {"node": None, "userErrors": []}, "node", missing="gone").message == "gone"


def test_a_nested_list_is_read_to_its_end_through_the_accounts_path(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    page = {"order": {"lines": {"nodes": [{"n": 2}], "pageInfo": {"hasNextPage": True, "endCursor": "c2"}}}}
    last = {"order": {"lines": {"nodes": [{"n": 3}], "pageInfo": {"hasNextPage": False, "endCursor": "c3"}}}}
    app.script = [Response(200, {"data": page}), Response(200, {"data": last})]

    rest = graphql.rest_of(client, "/api/{version}/graphql.json", "query L { x }", {"id": "o1"}, "order.lines",
                           {"hasNextPage": True, "endCursor": "c1"})

    assert rest == [{"n": 2}, {"n": 3}]
    assert [(v, b["variables"]) for v, b in app.sent] == [("2025-10", {"id": "o1", "after": "c1"}),
                                                          ("2025-10", {"id": "o1", "after": "c2"})]
    assert graphql.rest_of(client, "/api/{version}/graphql.json", "q", {}, "order.lines", {"hasNextPage": False}) == []
    app.script = [Response(200, {"data": {"order": {"lines": {"nodes": [], "pageInfo": {
        "hasNextPage": True, "endCursor": "c1"}}}}})]
    with pytest.raises(ConnectorError, match="repeated the page cursor"):
        graphql.rest_of(client, "/api/{version}/graphql.json", "q", {}, "order.lines",
                        {"hasNextPage": True, "endCursor": "c1"})


def test_line_items_are_checked_once_for_every_oms() -> None:
    shopify_style = [{"id": "gid://1", "title": "Tea", "sku": "T", "quantity": 2, "price": "38.0",
                      "currencyCode": "USD"}]
    jushuitan_style = [{"name": "茶", "sku_id": "T", "qty": "3", "price": 12}]
    assert order_lines(shopify_style) == [{"title": "Tea", "sku": "T", "quantity": 2, "price": "38.0",
                                          "currencyCode": "USD"}]
    assert order_lines(jushuitan_style)[0] == {"title": "茶", "sku": "T", "quantity": 3, "price": "12",
                                               "currencyCode": None}
    for bad, where in (([], "needs line items"), ([{"title": "x", "quantity": 1.5, "price": 1}], "line item 1"),
                       ([{"title": "x", "quantity": 1, "price": "free"}], "line item 1"), ("Tea", "needs line items")):
        with pytest.raises(ValueError, match=where):
            order_lines(bad)
    stored = [{"title": "茶", "sku": "T", "quantity": 3, "price": "12.00"}]
    assert lines_as_written(stored, jushuitan_style) is jushuitan_style
    assert lines_as_written(stored, [{**jushuitan_style[0], "qty": 4}]) != [{**jushuitan_style[0], "qty": 4}]
    assert lines_as_written(stored, []) == stored
