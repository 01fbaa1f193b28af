"""Salesforce against its emulator over loopback: SOQL triggers, sObject Collections writes mapped back per
record, External ID semantics, describe, expired sessions, both halves of REQUEST_LIMIT_EXCEEDED, and the
quota report. (The conformance suite covers paging, keyset restarts, replays and throttling.)"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count

import httpx
import pytest

from ordersync_app.connectors.salesforce import CONNECTOR, MARKER
from ordersync_app.connectors.sdk.http import ApiClient, RetryPolicy
from ordersync_app.connectors.sdk.spec import Action, TriggerContext, Write
from ordersync_app.domain.errors import LimitReached, RecordRejected
from ordersync_app.domain.records import Record
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.demo_data import order_id

ORDERS = 60
_names = count()


@pytest.fixture
def api(sandbox: SandboxServer) -> Iterator[ApiClient]:
    account = sandbox_account(CONNECTOR, sandbox.url("salesforce"), name=f"sf-{next(_names)}")
    with ApiClient(CONNECTOR, account, retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02)) as client:
        yield client


def control(sandbox: SandboxServer, path: str, body: object = None) -> dict:
    answer = httpx.post(f"{sandbox.root}/_sandbox/salesforce/{path}", json=body)
    answer.raise_for_status()
    return answer.json()


def counters(sandbox: SandboxServer) -> dict:
    return httpx.get(f"{sandbox.root}/_sandbox/salesforce/counters").json()


def action(key: str) -> Action:
    found = CONNECTOR.action(key)
    assert found is not None
    return found


def read(api: ApiClient, trigger: str, params: dict | None = None, since: str | None = None) -> list[Record]:
    found = CONNECTOR.trigger(trigger)
    assert found is not None
    return [r for page in found.read(api, TriggerContext(params or {}, since, 200)) for r in page]


def test_soql_reads_oldest_first_and_the_stage_trigger_keeps_only_that_stage(api: ApiClient,
                                                                             sandbox: SandboxServer) -> None:
    sent: list[httpx.Request] = []
    api._http.event_hooks["request"].append(sent.append)
    opportunities = read(api, "opportunity_updated")
    assert len(opportunities) == ORDERS
    assert [r.cursor_value for r in opportunities] == sorted(r.cursor_value for r in opportunities)
    assert "attributes" not in opportunities[0].payload and opportunities[0].payload["StageName"]
    query = httpx.URL(str(sent[-1].url)).params["q"]
    assert query.startswith("SELECT Id, Name, StageName") and query.endswith("ORDER BY SystemModstamp, Id")
    assert sent[-1].headers["Sforce-Query-Options"] == "batchSize=200"
    assert sent[-1].headers["Authorization"].startswith("Bearer 00DSANDBOX!")
    won = read(api, "opportunity_entered_stage", {"stage": "Closed Won"})
    assert len(won) == 10 and {r.payload["StageName"] for r in won} == {"Closed Won"}  # demo orders 1–10 shipped
    assert "StageName = 'Closed Won'" in httpx.URL(str(sent[-1].url)).params["q"]
    assert read(api, "opportunity_entered_stage", {"stage": "It's \\ 'odd'"}) == []  # quoted: no SOQL injection


def test_upsert_by_external_id_maps_each_record_and_a_repeat_creates_nothing(api: ApiClient,
                                                                             sandbox: SandboxServer) -> None:
    upsert = action("upsert_opportunity")
    params = {"external_id_field": "Shopify_Order_Id__c"}
    writes = [Write("w1", str(order_id(1)), {"StageName": "Closed Lost"}, params),  # exists: updated
              Write("w2", "900001", {"Name": "New order", "StageName": "Prospecting", "CloseDate": "2026-12-01"},
                    params),  # created
              Write("w3", "900002", {"Name": "No stage"}, params),  # refused: required fields
              Write("w4", "900003", {"Name": "Bad", "StageName": "Prospecting", "CloseDate": "2026-12-01",
                                     "Colour__c": "red"}, params)]  # refused: no such field
    results = upsert.deliver(api, writes)
    assert [r.status for r in results] == ["ok", "ok", "rejected", "rejected"]
    assert results[1].message == "created" and results[0].message is None
    assert "REQUIRED_FIELD_MISSING" in (results[2].message or "") and "CloseDate" in (results[2].message or "")
    assert "INVALID_FIELD" in (results[3].message or "")
    assert upsert.read_current(api, writes[:3]) == [{"StageName": "Closed Lost"}, {
        "Name": "New order", "StageName": "Prospecting", "CloseDate": "2026-12-01"}, None]
    again = upsert.deliver(api, writes[:2])
    assert [r.target_id for r in again] == [r.target_id for r in results[:2]]  # same records, none new
    writes_by_id = counters(sandbox)["opportunity_writes"]
    assert writes_by_id == {results[0].target_id: 2, results[1].target_id: 2}


def test_two_versions_of_one_record_in_a_batch_go_in_order_not_as_duplicates(api: ApiClient,
                                                                             sandbox: SandboxServer) -> None:
    """Salesforce refuses every row sharing an External ID within one call (DUPLICATE_VALUE): the
    connector sends the later version in a second call."""
    params = {"external_id_field": "Shopify_Order_Id__c"}
    first = Write("a", "900010", {"Name": "v1", "StageName": "Prospecting", "CloseDate": "2026-12-01"}, params)
    later = Write("b", "900010", {"Name": "v2"}, params)
    results = action("upsert_opportunity").deliver(api, [first, later])
    assert [r.status for r in results] == ["ok", "ok"] and results[0].target_id == results[1].target_id
    assert counters(sandbox)["call"] == {"PATCH /composite/sobjects/Opportunity/Shopify_Order_Id__c": 2}
    assert action("upsert_opportunity").read_current(api, [later]) == [{"Name": "v2"}]
    token = api._auth._token  # type: ignore[union-attr]
    refused = httpx.patch(f"{sandbox.url('salesforce')}/services/data/v62.0/composite/sobjects/Opportunity/"
                          "Shopify_Order_Id__c", headers={"Authorization": f"Bearer {token}"},
                          json={"records": [{"attributes": {"type": "Opportunity"}, "Shopify_Order_Id__c": "7"}] * 2})
    assert [e["statusCode"] for r in refused.json() for e in r["errors"]] == ["DUPLICATE_VALUE"] * 2


def test_an_external_id_matching_several_records_is_refused_for_that_record(api: ApiClient) -> None:
    create, upsert = action("create_account"), action("upsert_account")
    made = create.deliver(api, [Write(f"r{i}", None, {"Name": f"Twin {i}", "Legacy_Id__c": "L-1"}) for i in (1, 2)])
    assert [r.status for r in made] == ["ok", "ok"]
    [result] = upsert.deliver(api, [Write("u", "L-1", {"Name": "Which one?"}, {"external_id_field": "Legacy_Id__c"})])
    assert result.status == "rejected" and "DUPLICATE_EXTERNAL_ID" in (result.message or "")


def test_create_stamps_the_write_reference_so_a_lost_answer_can_be_checked(api: ApiClient) -> None:
    create = action("create_contact")
    write = Write("7:5001:2026-09-01T08:42:00Z:0", None, {"LastName": "Wang", "FirstName": "Fang"})
    assert create.read_current(api, [write]) == [None]
    [result] = create.deliver(api, [write])
    assert result.status == "ok"
    assert create.read_current(api, [write]) == [{"LastName": "Wang", "FirstName": "Fang"}]
    found = CONNECTOR.lookup("find_contact")
    assert found is not None
    assert found.find(api, {"field": MARKER, "value": write.ref})["Id"] == result.target_id  # type: ignore[index]


def test_update_by_id_rejects_a_missing_record_and_bad_names_never_reach_soql(api: ApiClient) -> None:
    [opportunity] = read(api, "opportunity_updated")[:1]
    update = action("update_opportunity")
    results = update.deliver(api, [Write("a", opportunity.key, {"NextStep": "Call back"}),
                                   Write("b", "006999999999999AAA", {"NextStep": "x"})])
    assert [r.status for r in results] == ["ok", "rejected"]
    assert update.read_current(api, [Write("a", opportunity.key, {"NextStep": "?"}),
                                     Write("c", "not-an-id", {"NextStep": "?"})]) == [{"NextStep": "Call back"}, None]
    with pytest.raises(RecordRejected, match="not a Salesforce field API name"):
        update.read_current(api, [Write("d", opportunity.key, {"Name FROM User --": "x"})])


def test_lookup_takes_the_first_match(api: ApiClient) -> None:
    found = CONNECTOR.lookup("find_opportunity")
    assert found is not None
    hit = found.find(api, {"field": "Shopify_Order_Id__c", "value": str(order_id(3))})
    assert hit is not None and hit["Name"].startswith("Order #1003")
    assert found.find(api, {"field": "Shopify_Order_Id__c", "value": "nope"}) is None
    assert found.find(api, {"field": "Shopify_Order_Id__c", "value": ""}) is None


def test_describe_lists_custom_fields_and_picklist_values(api: ApiClient) -> None:
    assert CONNECTOR.discover_fields is not None
    fields = {f.key: f for f in CONNECTOR.discover_fields(api, "Opportunity")}
    assert fields["Shopify_Order_Id__c"].description == "custom · External ID"
    assert "Closed Won" in fields["StageName"].choices
    assert fields["SystemModstamp"].read_only and not fields["Tracking_Number__c"].read_only


def test_an_expired_session_is_renewed_once_then_the_call_succeeds(api: ApiClient, sandbox: SandboxServer) -> None:
    assert CONNECTOR.test_connection(api).startswith("Salesforce: 60 opportunities")
    bought = api._auth.bought  # type: ignore[union-attr]
    control(sandbox, "sessions", {"expire": True})
    assert len(read(api, "account_updated")) == ORDERS
    assert api._auth.bought == bought + 1  # type: ignore[union-attr]
    assert api.stats.by_status[401] == 1


def test_the_quota_report_is_read_into_the_stats_and_the_connection_test(api: ApiClient) -> None:
    text = CONNECTOR.test_connection(api)
    assert api.stats.usage is not None and api.stats.usage.startswith("api-usage=")
    assert text.endswith(api.stats.usage)


def test_the_daily_allocation_holds_the_client_and_the_concurrent_limit_backs_off(api: ApiClient,
                                                                                  sandbox: SandboxServer) -> None:
    assert CONNECTOR.test_connection(api)  # signed in
    sandbox.faults.once("salesforce", sandbox.apps["salesforce"].throttled(None))  # concurrent requests
    assert CONNECTOR.test_connection(api)
    assert api.stats.retries == 1 and api.stats.by_status[403] == 1
    used = httpx.get(f"{sandbox.root}/_sandbox/salesforce/usage").json()["used"]
    control(sandbox, "limits", {"daily": used})
    with pytest.raises(LimitReached) as first:
        read(api, "contact_updated")
    assert first.value.retry_after == 3600 and "TotalRequests Limit exceeded" in first.value.render()
    calls = sandbox.request_counts["salesforce"]
    with pytest.raises(LimitReached):
        action("upsert_contact").deliver(api, [Write("w", "c-1", {"LastName": "Li"})])
    assert sandbox.request_counts["salesforce"] == calls  # held: the second call never reached Salesforce
