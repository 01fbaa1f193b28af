"""HubSpot for recipes v2 against the sandbox portal: contacts that changed, associations, line items on a deal,
and what every write answers (the record's id, whether it was created, its modified stamp for the loop guard)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TypeVar

import httpx
import pytest

from ordersync_app.connectors.hubspot import CONNECTOR
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.connectors.sdk.spec import TriggerContext, Write
from ordersync_app.domain.errors import RecordRejected
from ordersync_app.domain.records import Record
from ordersync_app.engine.diff import already_applied
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.hubspot import HubSpotSandbox

T = TypeVar("T")


def declared(found: T | None) -> T:
    assert found is not None
    return found


_names = itertools.count()
CONTACT, UPDATE = declared(CONNECTOR.action("upsert_contact")), declared(CONNECTOR.action("update_deal"))
ASSOCIATE, LINES = declared(CONNECTOR.action("associate")), declared(CONNECTOR.action("create_line_items"))
CONTACT_UPDATED = declared(CONNECTOR.trigger("contact_updated"))
DEAL_UPDATED = declared(CONNECTOR.trigger("deal_updated"))
FIND_DEAL, FIND_CONTACT = declared(CONNECTOR.lookup("find_deal")), declared(CONNECTOR.lookup("find_contact"))
TO_CONTACTS = {"from_object": "deals", "to_object": "contacts"}


def counters(server: SandboxServer) -> dict[str, dict[str, int]]:
    return httpx.get(f"{server.root}/_sandbox/hubspot/counters").json()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[ApiClient]:
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()
    account = sandbox_account("hubspot", sandbox.url("hubspot"), name=f"hubspot-records-{next(_names)}")
    with ApiClient(CONNECTOR, account) as api:
        yield api


def read_all(client: ApiClient, since: str | None = None) -> list[Record]:
    return [r for page in CONTACT_UPDATED.read(client, TriggerContext({}, since, 25)) for r in page]


def deal_id(client: ApiClient, i: int) -> str:
    return str(declared(FIND_DEAL.find(client, {"value": str(demo_data.order_id(i))}))["id"])


def contact_id(client: ApiClient, i: int) -> str:
    return str(declared(FIND_CONTACT.find(client, {"email": demo_data.demo_order(i)["email"]}))["id"])


def test_upsert_contact_answers_its_id_whether_it_was_created_and_its_stamp(client: ApiClient) -> None:
    new = Write("c-new", "new.buyer@example.com", {"firstname": "Nia", "lastname": "Okafor"})

    first, again = CONTACT.deliver(client, [new])[0], CONTACT.deliver(client, [new])[0]
    renamed = CONTACT.deliver(client, [Write("c-new-2", new.match, {"firstname": "Nina"})])[0]

    assert (first.status, first.created, again.created, renamed.created) == ("ok", True, False, False)
    assert first.target_id == again.target_id == renamed.target_id
    assert first.message == "created"  # kept for callers that read the message
    contact = declared(FIND_CONTACT.find(client, {"email": "new.buyer@example.com"}))
    assert first.stamp is not None and renamed.stamp is not None
    assert again.stamp == first.stamp, "writing the same values must not move the modified stamp"
    assert renamed.stamp > first.stamp
    assert [r.cursor_value for r in read_all(client, renamed.stamp)] == [renamed.stamp]
    assert contact["id"] == first.target_id


def test_a_writes_stamp_is_what_the_trigger_reads_next(client: ApiClient) -> None:
    """The loop guard's premise: the stamp a write answers equals the cursor the trigger later reads for that
    change, so the engine can recognise its own write coming back."""
    result = UPDATE.deliver(client, [Write("u1", str(demo_data.order_id(4)), {"hs_next_step": "call back"})])[0]
    assert result.stamp is not None

    echoed = [r for page in DEAL_UPDATED.read(client, TriggerContext({}, result.stamp, 10)) for r in page]

    assert [(r.key, r.cursor_value) for r in echoed] == [(result.target_id, result.stamp)]


def test_contact_trigger_reads_every_contact_oldest_first_and_then_each_change(client: ApiClient) -> None:
    records = read_all(client)
    assert len(records) == len({r.key for r in records}) == 60
    assert [r.cursor_value for r in records] == sorted(r.cursor_value for r in records)
    assert {r.payload["email"] for r in records} == {demo_data.demo_order(i)["email"].lower() for i in range(1, 61)}

    email = demo_data.demo_order(7)["email"]
    written = CONTACT.deliver(client, [Write("c7", email, {"city": "Hangzhou"})])[0]
    later = read_all(client, records[-1].cursor_value)

    assert later[-1].key == written.target_id
    assert later[-1].payload["city"] == "Hangzhou"
    assert later[-1].cursor_value == written.stamp
    assert read_all(client, records[30].cursor_value)[0].key == records[30].key  # closed start


def test_associate_links_a_deal_and_a_contact_once(client: ApiClient, sandbox: SandboxServer) -> None:
    deal, contact = deal_id(client, 3), contact_id(client, 9)
    write = Write("a1", deal, {"to_id": contact}, TO_CONTACTS)
    assert ASSOCIATE.read_current(client, [write]) == [None]

    first, again = ASSOCIATE.deliver(client, [write]), ASSOCIATE.deliver(client, [write])

    assert [r.status for r in first + again] == ["ok", "ok"]
    assert ASSOCIATE.read_current(client, [write]) == [{"to_id": contact}]
    assert already_applied(ASSOCIATE.read_current(client, [write])[0], write.properties)
    reverse = Write("a2", contact, {"to_id": deal}, {"from_object": "contacts", "to_object": "deals"})
    assert ASSOCIATE.read_current(client, [reverse]) == [{"to_id": deal}]  # HubSpot keeps both directions
    seen = counters(sandbox)
    assert seen["association_writes"] == {f"deals:{deal}->contacts:{contact}": 1}
    assert seen["association_noop"] == {f"deals:{deal}->contacts:{contact}": 1}
    assert seen["call"] == {"POST /crm/v4/associations/{fromObjectType}/{toObjectType}/batch/associate/default": 2}


def test_associate_refuses_only_the_pair_whose_record_is_missing(client: ApiClient, sandbox: SandboxServer) -> None:
    deal = deal_id(client, 5)
    writes = [Write("ok", deal, {"to_id": contact_id(client, 5)}, TO_CONTACTS),
              Write("gone", deal, {"to_id": "424242"}, TO_CONTACTS),
              Write("bad", "not-an-id", {"to_id": contact_id(client, 6)}, TO_CONTACTS)]

    results = ASSOCIATE.deliver(client, writes)

    assert [r.status for r in results] == ["ok", "rejected", "rejected"]
    assert "424242" not in (results[0].message or "")
    assert "OBJECT_NOT_FOUND" in (results[1].message or "")
    assert "numeric id" in (results[2].message or "")
    assert len(counters(sandbox)["association_writes"]) == 1


def test_reading_associations_follows_each_records_paging(client: ApiClient, sandbox: SandboxServer,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    app = sandbox.apps["hubspot"]
    assert isinstance(app, HubSpotSandbox)
    monkeypatch.setattr(app, "association_page", 2)
    deal = deal_id(client, 8)
    writes = [Write(f"a{i}", deal, {"to_id": contact_id(client, i)}, TO_CONTACTS) for i in range(10, 17)]
    assert [r.status for r in ASSOCIATE.deliver(client, writes)] == ["ok"] * 7

    assert ASSOCIATE.read_current(client, writes) == [{"to_id": w.properties["to_id"]} for w in writes]
    assert ASSOCIATE.read_current(client, [Write("x", deal, {"to_id": contact_id(client, 20)}, TO_CONTACTS)]) == [None]


def line(n: int, deal: str, **more: object) -> Write:
    ref = f"recipe-7:5010:2026-09-01T08:00:00Z:2:{n}"  # the engine's per-item ledger reference
    return Write(ref, ref, {"name": f"Item {n}", "quantity": n % 3 + 1, "price": "19.90", "hs_sku": f"SKU-{n}",
                            "deal_id": deal, "ordersync_ref": ref, **more})


def test_25_line_items_are_created_on_their_deal_once(client: ApiClient, sandbox: SandboxServer) -> None:
    deal = deal_id(client, 10)
    writes = [line(n, deal) for n in range(25)]
    assert LINES.read_current(client, writes) == [None] * 25

    results = LINES.deliver(client, writes)

    assert [r.status for r in results] == ["ok"] * 25 and all(r.created and r.stamp for r in results)
    seen = counters(sandbox)
    assert seen["call"] == {"POST /crm/v3/objects/line_items/batch/create": 1}
    assert len(seen["line_item_writes"]) == 25
    assert len(seen["association_writes"]) == 25  # each line item → its deal, inline
    current = LINES.read_current(client, writes)
    assert all(already_applied(now, w.properties) for now, w in zip(current, writes, strict=True))
    reverse = Write("r", deal, {"to_id": declared(results[24].target_id)}, {"from_object": "deals",
                                                                            "to_object": "line_items"})
    assert ASSOCIATE.read_current(client, [reverse]) == [{"to_id": results[24].target_id}]

    with pytest.raises(RecordRejected, match="already exists"):  # the unique reference blocks a second create
        LINES.deliver(client, writes[:1])
    assert len(counters(sandbox)["line_item_writes"]) == 25


def test_a_line_item_without_its_deal_is_refused_alone(client: ApiClient, sandbox: SandboxServer) -> None:
    deal = deal_id(client, 11)
    results = LINES.deliver(client, [line(1, deal), line(2, ""), line(3, deal)])

    assert [r.status for r in results] == ["ok", "rejected", "ok"]
    assert "deal_id" in (results[1].message or "")
    assert len(counters(sandbox)["line_item_writes"]) == 2
    with pytest.raises(RecordRejected, match="No DEAL with id 424242"):
        LINES.deliver(client, [line(4, "424242")])
    with pytest.raises(RecordRejected, match="cannot be negative"):
        LINES.deliver(client, [line(5, deal, price="-1")])


def test_the_properties_api_lists_line_item_properties(client: ApiClient) -> None:
    assert CONNECTOR.discover_fields is not None
    fields = {f.key: f for f in CONNECTOR.discover_fields(client, "line_items")}
    assert {"name", "quantity", "price", "hs_sku", "ordersync_ref"} <= set(fields)
    assert fields["price"].type == "number"
    assert fields["hs_lastmodifieddate"].read_only


def test_two_versions_of_one_deal_in_a_batch_land_in_order(client: ApiClient, sandbox: SandboxServer) -> None:
    order = str(demo_data.order_id(12))  # HubSpot refuses one id twice in a call: the later version goes next
    results = UPDATE.deliver(client, [Write("v1", order, {"dealstage": "delivered"}),
                                      Write("v2", order, {"dealstage": "cancelled"})])

    assert [r.status for r in results] == ["ok", "ok"] and results[0].target_id == results[1].target_id
    assert counters(sandbox)["call"] == {"POST /crm/v3/objects/0-3/batch/update": 2}
    assert UPDATE.read_current(client, [Write("r", order, {"dealstage": None})]) == [{"dealstage": "cancelled"}]
