"""The SDK's batch helpers against a scripted server on loopback: every write learns its own fate from a 200/207
answer (and no write is called written when an error might concern it), reads come back per write, associations
page until what is wanted is seen, and vendors' echoes compare equal to what was written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ordersync_app.connectors.sdk.associations import associated, association_reader, associator
from ordersync_app.connectors.sdk.auth import bearer
from ordersync_app.connectors.sdk.crm_batch import batch_reader, batch_writer, refusals, stamp, strings
from ordersync_app.connectors.sdk.http import ApiClient, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, Connector, Owns, RateLimit, Write
from ordersync_app.connectors.sdk.values import as_written, same_value
from ordersync_app.sandbox._server import Request, Response, SandboxApp, SandboxServer


class Scripted(SandboxApp):
    """Answers each POST with the next scripted body and keeps what it was sent."""

    name = "scripted"

    def setup(self) -> None:
        self.script: list[Response] = []
        self.sent: list[tuple[str, Any]] = []
        for pattern in ("/{kind}/batch/{op}", "/v4/{a}/{b}/batch/{op}", "/v4/{a}/{b}/batch/associate/default"):
            self.route("POST", pattern, self._answer)

    def _answer(self, request: Request) -> Response:
        self.sent.append((request.path, json.loads(request.body)))
        return self.script.pop(0) if self.script else Response(200, {"results": []})


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Scripted, ApiClient]]:
    app = Scripted(tmp_path / "s.db")
    served = SandboxServer([app]).start()
    url = served.url("scripted")
    connector = Connector(key="crm", name_en="CRM", name_zh="CRM", owns=Owns.CUSTOMERS, settings=(), base_url=url,
                          make_auth=lambda _a: bearer("batch-sdk-test-secret-5c1e"),  # a value no message contains
                          rate_limit=RateLimit(1000, 1.0),
                          error_message=lambda r: r.text, test_connection=lambda _c: "ok")
    account = AccountConfig(name=f"batch-{id(app)}", connector="crm", base_url=url, settings={}, secret=lambda _k: None)
    with ApiClient(connector, account, retry=RetryPolicy(max_attempts=1)) as client:
        yield app, client
    served.stop()


def test_each_write_learns_its_fate_from_a_207(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    app.script = [Response(207, {
        "results": [{"id": "11", "properties": {"order_id": "A"}, "updatedAt": "2026-09-01T08:05:00.123Z", "new": True},
                    {"id": "12", "objectWriteTraceId": "w-b", "properties": {}, "updatedAt": "2026-09-01T08:05:01Z"}],
        "errors": [{"message": "Could not get some objects", "category": "OBJECT_NOT_FOUND",
                    "context": {"ids": ["c"]}}]})]
    writes = [Write("w-a", "a", {"stage": "won"}), Write("w-b", "B", {"stage": None, "flag": True, "n": 2.5}),
              Write("w-c", "C", {"stage": "won"}), Write("w-none", None, {"stage": "won"})]

    results = batch_writer("/objects", "upsert", "order_id")(client, writes)

    assert [(r.ref, r.status, r.target_id, r.created) for r in results] == [
        ("w-a", "ok", "11", True), ("w-b", "ok", "12", False), ("w-c", "rejected", None, False),
        ("w-none", "rejected", None, False)]
    assert results[0].stamp == "2026-09-01T08:05:00.123000Z" and results[1].stamp == "2026-09-01T08:05:01Z"
    assert "OBJECT_NOT_FOUND" in (results[2].message or "") and results[3].message == "no value to match on"
    path, body = app.sent[0]
    assert path.endswith("/objects/batch/upsert")
    assert body["inputs"][1] == {"id": "B", "idProperty": "order_id", "objectWriteTraceId": "w-b",
                                 "properties": {"stage": "", "flag": "true", "n": "2.5"}}


def test_an_error_naming_no_write_leaves_no_unanswered_write_ok(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    app.script = [Response(207, {"results": [{"id": "1", "properties": {"order_id": "a"}}],
                                 "errors": [{"message": "Something failed", "category": "X", "context": {}}]})]

    results = batch_writer("/objects", "update", "order_id")(client, [Write("a", "a", {}), Write("b", "b", {})])

    assert [r.status for r in results] == ["ok", "rejected"]
    assert results[1].message == "Something failed [X]"


def test_creates_send_extras_and_refuse_bad_writes_before_sending(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    app.script = [Response(201, {"results": [{"id": "7", "objectWriteTraceId": "ok", "properties": {}}]})]

    def parent(write: Write) -> dict[str, Any]:
        if not write.properties.get("parent"):
            raise ValueError("needs a parent")
        return {"associations": [{"to": {"id": write.properties["parent"]}}]}

    writes = [Write("ok", "ok", {"name": "x", "parent": "9"}), Write("orphan", "orphan", {"name": "y"})]
    results = batch_writer("/items", "create", "ref", extras=parent, skip=("parent",))(client, writes)

    assert [(r.status, r.created, r.message) for r in results] == [("ok", True, "created"),
                                                                     ("rejected", False, "needs a parent")]
    assert app.sent == [("/items/batch/create", {"inputs": [
        {"associations": [{"to": {"id": "9"}}], "properties": {"name": "x"}, "objectWriteTraceId": "ok"}]})]


def test_reads_come_back_per_write_in_chunks_with_more_values(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    writes = [Write(f"r{n}", f"ref-{n}", {"name": f"n{n}", "parent": "9"}) for n in range(150)]
    app.script = [Response(200, {"results": [{"id": str(n), "properties": {"ref": f"REF-{n}", "name": f"n{n}"}}
                                             for n in range(0, 100, 2)]}),
                  Response(207, {"results": [], "errors": [{"message": "missing", "context": {"ids": ["ref-140"]}}]})]

    def parents(_client: ApiClient, found: list[dict[str, Any]]) -> None:
        for item in found:
            item["parent"] = "9"

    current = batch_reader("/items", "ref", more=parents, skip=("parent",))(client, writes)

    assert current[0] == {"name": "n0", "parent": "9"} and current[1] is None and current[140] is None
    assert [len(body["inputs"]) for _path, body in app.sent] == [100, 50]
    assert app.sent[0][1]["properties"] == ["name", "ref"] and app.sent[0][1]["idProperty"] == "ref"


def test_associations_are_sent_once_per_pair_and_refusals_land_on_their_pairs(
        server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    app.script = [Response(200, {"results": [{"from": {"id": "1"}, "to": {"id": "2"}}], "errors": [
        {"message": "No CONTACT 404", "category": "OBJECT_NOT_FOUND", "context": {"ids": ["404"]}}]})]
    writes = [Write("a", "1", {"to_id": "2"}, {"from_object": "deals", "to_object": "contacts"}),
              Write("b", "1", {"to_id": "404"}), Write("c", "x", {"to_id": "2"})]

    results = associator("/v4", "deals", "contacts")(client, writes)

    assert [(r.status, r.target_id) for r in results] == [("ok", "1-2"), ("rejected", None), ("rejected", None)]
    assert app.sent == [("/v4/deals/contacts/batch/associate/default",
                         {"inputs": [{"from": {"id": "1"}, "to": {"id": "2"}},
                                     {"from": {"id": "1"}, "to": {"id": "404"}}]})]


def test_association_reads_page_only_until_the_wanted_ids_are_seen(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server
    page = {"from": {"id": "1"}, "to": [{"toObjectId": "5"}], "paging": {"next": {"after": "5"}}}
    app.script = [Response(200, {"results": [page, {"from": {"id": "3"}, "to": [{"toObjectId": 8}]}]}),
                  Response(200, {"results": [{"from": {"id": "1"}, "to": [{"toObjectId": "6"}]}]})]

    current = association_reader("/v4", "deals", "contacts")(client, [
        Write("a", "1", {"to_id": "6"}), Write("b", "3", {"to_id": "8"}), Write("c", "3", {"to_id": "9"}),
        Write("d", "no-such-id", {"to_id": "1"})])

    assert current == [{"to_id": "6"}, {"to_id": "8"}, None, None]
    assert [body for _path, body in app.sent] == [{"inputs": [{"id": "1"}, {"id": "3"}]},
                                                  {"inputs": [{"id": "1", "after": "5"}]}]
    app.script = [Response(200, {"results": [page]})]
    assert associated(client, "/v4/deals/contacts", ["1"], {"1": {"5"}}) == {"1": ["5"]}  # found: no next page


def test_helpers_say_what_the_vendor_will_see() -> None:
    assert strings({"a": None, "b": False, "c": [1], "d": {"x": "中"}, "e": 3}, skip=("e",)) == \
        {"a": "", "b": "false", "c": "[1]", "d": '{"x": "中"}'}
    assert stamp({"updatedAt": "2026-09-01T16:05:00+08:00"}) == "2026-09-01T08:05:00Z"
    assert stamp({"updatedAt": "yesterday"}) is None and stamp({}) is None
    failed, loose = refusals({"errors": [{"message": "m", "category": "C", "context": {"ids": ["K"]}}]},
                             [("k", "w1"), ("k", "w2"), ("z", "w3")])
    assert failed == {"w1": "m [C]", "w2": "m [C]"} and loose == []


def test_a_vendors_echo_compares_equal_in_the_writes_own_shape() -> None:
    wanted = [{"title": "Tea", "price": "38.00", "quantity": 2}, {"title": "Kettle", "price": 89}]
    echoed = [{"id": "gid://1", "title": "Tea", "price": "38.0", "quantity": 2}, {"title": "Kettle", "price": "89.0"}]

    assert as_written(echoed, wanted) is wanted
    assert as_written([*echoed[:1], {"title": "Kettle", "price": "90.0"}], wanted) == [
        wanted[0], {"title": "Kettle", "price": "90.0"}]
    assert as_written(echoed[:1], wanted) == echoed[:1]  # a line missing is a difference
    assert as_written("USD", "USD") == "USD" and as_written(None, "") == ""
    assert same_value("72.50", 72.5) and not same_value("a", "b")


def test_two_writes_to_one_object_go_in_consecutive_calls(server: tuple[Scripted, ApiClient]) -> None:
    app, client = server  # HubSpot refuses a batch naming one id twice
    app.script = [Response(200, {"results": [{"id": "1", "objectWriteTraceId": "a1", "properties": {}},
                                             {"id": "2", "objectWriteTraceId": "b", "properties": {}}]}),
                  Response(200, {"results": [{"id": "1", "objectWriteTraceId": "a2", "properties": {}}]})]
    writes = [Write("a1", "A", {"stage": "one"}), Write("b", "B", {"stage": "x"}), Write("a2", "a", {"stage": "two"})]

    results = batch_writer("/objects", "update", "order_id")(client, writes)

    assert [(r.ref, r.status, r.target_id) for r in results] == [("a1", "ok", "1"), ("b", "ok", "2"), ("a2", "ok", "1")]
    assert [[i["objectWriteTraceId"] for i in body["inputs"]] for _path, body in app.sent] == [["a1", "b"], ["a2"]]
