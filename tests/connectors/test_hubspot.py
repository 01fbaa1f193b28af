"""The HubSpot connector against the HubSpot sandbox over loopback: writes land once, errors land on the
right record, paging, lookups, auth, 429 handling and OAuth refresh."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from ordersync_app.connectors import hubspot
from ordersync_app.connectors.hubspot import CONNECTOR, rate_limit_for
from ordersync_app.connectors.sdk.http import ApiClient, RateLimiter, RetryPolicy
from ordersync_app.connectors.sdk.spec import AccountConfig, RateLimit, TriggerContext, Write
from ordersync_app.domain.errors import AuthError, ConnectorError, RecordRejected
from ordersync_app.sandbox import demo_data
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.apps import sandbox_account
from ordersync_app.sandbox.hubspot import (
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_REFRESH_TOKEN,
    HubSpotSandbox,
)

T = TypeVar("T")


def declared(found: T | None) -> T:
    assert found is not None
    return found


_names = itertools.count()
UPDATE, UPSERT = declared(CONNECTOR.action("update_deal")), declared(CONNECTOR.action("upsert_deal"))
BY_ID, CONTACT = declared(CONNECTOR.action("update_deal_by_id")), declared(CONNECTOR.action("upsert_contact"))
DEAL_UPDATED = declared(CONNECTOR.trigger("deal_updated"))
FIND_DEAL, FIND_CONTACT = declared(CONNECTOR.lookup("find_deal")), declared(CONNECTOR.lookup("find_contact"))


def client_for(server: SandboxServer, *, retry: RetryPolicy | None = None, limiter: RateLimiter | None = None,
               sleep: Callable[[float], None] = time.sleep) -> ApiClient:
    """A client on the sandbox portal; each test gets its own account name (and so its own limiter)."""
    account = sandbox_account("hubspot", server.url("hubspot"), name=f"hubspot-test-{next(_names)}")
    return ApiClient(CONNECTOR, account, retry=retry, limiter=limiter, sleep=sleep)


def counters(server: SandboxServer) -> dict[str, dict[str, int]]:
    return httpx.get(f"{server.root}/_sandbox/hubspot/counters").json()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[ApiClient]:
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()
    with client_for(sandbox) as api:
        yield api


def order_write(i: int, **properties: object) -> Write:
    return Write(ref=f"ref-{i}", match=str(demo_data.order_id(i)), properties=dict(properties))


def test_batch_update_by_property_lands_exactly_once_per_deal(client: ApiClient, sandbox: SandboxServer) -> None:
    writes = [order_write(i, dealstage="delivered", hs_next_step=f"ask order {i} for a review") for i in range(1, 6)]
    assert [(c or {}).get("dealstage") for c in UPDATE.read_current(client, writes)] == ["shipped"] * 5

    results = UPDATE.deliver(client, writes)

    assert [r.status for r in results] == ["ok"] * 5
    assert [r.ref for r in results] == [w.ref for w in writes]
    assert len({r.target_id for r in results}) == 5
    seen = counters(sandbox)
    assert seen["call"] == {"POST /crm/v3/objects/0-3/batch/update": 1}
    assert set(seen["deal_writes"]) == {r.target_id for r in results}
    assert set(seen["deal_writes"].values()) == {1}
    expected: dict[str, Any] = {"dealstage": "delivered", "hs_next_step": "ask order 3 for a review"}
    assert UPDATE.read_current(client, writes)[2] == expected

    again = UPDATE.deliver(client, writes)  # the desired state again: nothing changes
    assert [r.status for r in again] == ["ok"] * 5
    assert set(counters(sandbox)["deal_writes"].values()) == {1}
    assert len(counters(sandbox)["deal_noop"]) == 5


def test_207_partial_failure_rejects_only_the_missing_deal(client: ApiClient, sandbox: SandboxServer) -> None:
    writes = [order_write(1, dealstage="delivered"), Write("ref-missing", "999999", {"dealstage": "delivered"}),
              order_write(2, dealstage="cancelled")]

    results = UPDATE.deliver(client, writes)

    assert [r.status for r in results] == ["ok", "rejected", "ok"]
    assert "Could not get some DEAL objects" in (results[1].message or "")
    assert "OBJECT_NOT_FOUND" in (results[1].message or "")
    assert len(counters(sandbox)["deal_writes"]) == 2
    assert UPDATE.read_current(client, writes)[1] is None


def test_emulator_refuses_more_than_100_inputs_and_writes_nothing(client: ApiClient, sandbox: SandboxServer) -> None:
    assert UPDATE.batch_max == 100
    writes = [Write(f"ref-{n}", str(demo_data.order_id(1) + n), {"hs_next_step": f"step {n}"}) for n in range(101)]

    with pytest.raises(RecordRejected) as refused:
        UPDATE.deliver(client, writes)

    assert "exceeds the limit of 100" in str(refused.value)
    assert "VALIDATION_ERROR" in str(refused.value)
    assert "deal_writes" not in counters(sandbox)


def test_invalid_stage_refuses_the_whole_call_with_hubspots_message(client: ApiClient, sandbox: SandboxServer) -> None:
    with pytest.raises(RecordRejected) as refused:  # the engine then re-sends one by one to find the bad one
        UPDATE.deliver(client, [order_write(1, dealstage="delivered"), order_write(2, dealstage="lost-in-space")])
    assert "lost-in-space was not one of the allowed options" in str(refused.value)
    assert "deal_writes" not in counters(sandbox)


def test_upserts_create_once_then_update(client: ApiClient, sandbox: SandboxServer) -> None:
    new = Write("ref-new", "777001", {"dealname": "Order #9001", "pipeline": "ecommerce", "dealstage": "processed"})
    assert UPSERT.read_current(client, [new]) == [None]

    first, second = UPSERT.deliver(client, [new]), UPSERT.deliver(client, [new])

    assert first[0].status == second[0].status == "ok"
    assert first[0].message == "created"
    assert second[0].message is None
    assert first[0].target_id == second[0].target_id
    assert counters(sandbox)["deal_writes"] == {first[0].target_id: 1}
    assert UPSERT.read_current(client, [new]) == [new.properties]

    email = demo_data.demo_order(4)["email"]
    contacts = CONTACT.deliver(client, [Write("c1", email.upper(), {"phone": "+1 503 555 0100"}),
                                        Write("c2", "new.buyer@example.com", {"firstname": "Nia"})])
    assert [c.status for c in contacts] == ["ok", "ok"]
    assert [c.message for c in contacts] == [None, "created"]
    assert CONTACT.read_current(client, [Write("c1", email, {"phone": "x"})]) == [{"phone": "+1 503 555 0100"}]


def test_update_by_deal_id_patches_one_deal(client: ApiClient, sandbox: SandboxServer) -> None:
    assert BY_ID.batch_max == 1
    deal = FIND_DEAL.find(client, {"value": str(demo_data.order_id(7))})
    assert deal is not None
    write = Write("ref-7", deal["id"], {"amount": 12.5, "description": None})

    assert BY_ID.deliver(client, [write])[0].target_id == deal["id"]
    assert BY_ID.read_current(client, [write]) == [{"amount": "12.5", "description": None}]
    assert counters(sandbox)["call"] == {"PATCH /crm/v3/objects/0-3/{objectId}": 1}
    with pytest.raises(RecordRejected, match="resource not found"):
        BY_ID.deliver(client, [Write("ref-x", "424242", {"amount": 1})])


def test_trigger_pages_oldest_first_and_resumes_at_the_cursor(client: ApiClient) -> None:
    pages = list(DEAL_UPDATED.fetch(client, TriggerContext(params={}, since=None, page_size=25)))
    records = [r for page in pages for r in page]

    # Each page restarts the search at the last timestamp read (keyset); the deal read twice at the
    # boundary is passed on once.
    assert [len(p) for p in pages if p] == [25, 24, 11]
    assert len({r.key for r in records}) == len(records) == 60
    assert [r.cursor_value for r in records] == sorted(r.cursor_value for r in records)
    assert records[0].payload["shopify_order_id"] == "5001"
    assert records[0].payload["dealstage"] == "shipped"

    resumed = [r for page in DEAL_UPDATED.fetch(client, TriggerContext({}, records[40].cursor_value, 25))
               for r in page]
    assert [r.key for r in resumed] == [r.key for r in records[40:]]  # closed start: record 40 again

    UPDATE.deliver(client, [order_write(3, dealstage="delivered")])
    latest = [r for page in DEAL_UPDATED.fetch(client, TriggerContext({}, records[-1].cursor_value, 25))
              for r in page]
    assert latest[-1].payload["shopify_order_id"] == "5003"
    assert latest[-1].payload["dealstage"] == "delivered"
    assert latest[-1].version > records[-1].version


def test_keyset_restarts_never_page_into_hubspots_result_cap(
        client: ApiClient, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    app = sandbox.apps["hubspot"]
    assert isinstance(app, HubSpotSandbox)
    monkeypatch.setattr(app, "search_cap", 20)  # the emulator's 10,000, scaled down
    with pytest.raises(RecordRejected, match="limited to 20"):  # paging past the cap is refused …
        client.json("POST", f"{hubspot.DEALS}/search", json={"filterGroups": [], "sorts": [], "properties": [],
                                                              "limit": 7, "after": "14"})

    records = [r for page in DEAL_UPDATED.fetch(client, TriggerContext({}, None, 7)) for r in page]

    assert {r.payload["shopify_order_id"] for r in records} == {str(demo_data.order_id(i)) for i in range(1, 61)}
    assert [r.cursor_value for r in records] == sorted(r.cursor_value for r in records)


def test_trigger_stops_when_hubspot_repeats_a_paging_cursor(client: ApiClient, sandbox: SandboxServer) -> None:
    def same_page(request: Request, app: str) -> Response | None:
        if app == "hubspot" and request.path.endswith("/search"):
            return Response(200, {"total": 99, "results": [{"id": "1", "properties": {
                "hs_lastmodifieddate": "2026-09-01T08:00:00.000Z"}, "updatedAt": "2026-09-01T08:00:00.000Z"}],
                "paging": {"next": {"after": "0"}}})
        return None

    sandbox.faults.hook = same_page
    with pytest.raises(ConnectorError, match="same page twice"):
        list(DEAL_UPDATED.fetch(client, TriggerContext({}, None, 10)))


def test_lookups_find_by_property_and_email(client: ApiClient) -> None:
    deal = FIND_DEAL.find(client, {"property": "shopify_order_id", "value": "5012"})
    assert deal is not None
    assert deal["dealname"].startswith("Order #1012")
    assert deal["id"].isdigit()
    assert FIND_DEAL.find(client, {"value": "no-such-order"}) is None

    order = demo_data.demo_order(5)  # a customer with a Chinese name
    contact = FIND_CONTACT.find(client, {"email": order["email"].upper()})
    assert contact is not None
    assert contact["lastname"] == order["customer"]["lastName"]


def test_test_connection_reports_pipelines(client: ApiClient) -> None:
    assert CONNECTOR.test_connection(client) == "HubSpot: 2 deal pipeline(s), 12 stages"


def test_bad_token_is_an_auth_error_without_the_token(sandbox: SandboxServer) -> None:
    account = AccountConfig(name=f"hubspot-bad-{next(_names)}", connector="hubspot", base_url=sandbox.url("hubspot"),
                            settings={}, secret={"access_token": "pat-na1-not-the-right-one"}.get)
    with ApiClient(CONNECTOR, account) as api, pytest.raises(AuthError) as refused:
        CONNECTOR.test_connection(api)
    assert "INVALID_AUTHENTICATION" in str(refused.value)
    assert "pat-na1-not-the-right-one" not in str(refused.value)


class FakeTime:
    """One clock for the emulator's rate window and the client's sleeps: waits cost no real time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_429_is_retried_after_the_retry_after_delay(tmp_path: Path) -> None:
    fake = FakeTime()
    app = HubSpotSandbox(tmp_path / "hubspot.db", rate_limit=5, clock=fake.clock)
    with app.lock:
        app.db.execute("BEGIN")
        app.seed(3)
        app.db.execute("COMMIT")
    server = SandboxServer([app]).start()
    try:
        retry = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=30)
        limiter = RateLimiter(RateLimit(100, 10.0), clock=fake.clock, sleep=fake.sleep)
        with client_for(server, retry=retry, limiter=limiter, sleep=fake.sleep) as api:
            for _ in range(5):
                CONNECTOR.test_connection(api)
            results = UPDATE.deliver(api, [order_write(2, dealstage="delivered")])

            assert results[0].status == "ok"
            assert api.stats.throttled == 1
            assert sum(fake.slept) >= 10  # the emulator said Retry-After: 10
            assert counters(server)["deal_writes"] == {results[0].target_id: 1}

        fake.now += 60  # a fresh window, then one call too many
        answers = [httpx.get(f"{server.url('hubspot')}/crm/v3/pipelines/0-3",
                             headers={"Authorization": "Bearer sandbox-hubspot-token"}) for _ in range(6)]
        assert [a.headers["X-HubSpot-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0"]
        throttled = answers[-1]
        assert throttled.status_code == 429
        assert throttled.json()["policyName"] == "TEN_SECONDLY_ROLLING"
        assert throttled.headers["X-HubSpot-RateLimit-Max"] == "5"
        assert throttled.headers["X-HubSpot-RateLimit-Remaining"] == "0"
        assert throttled.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
        assert 1 <= int(throttled.headers["Retry-After"]) <= 10
    finally:
        server.stop()


def test_oauth_refreshes_through_the_sandbox_token_endpoint(sandbox: SandboxServer) -> None:
    vault = {"client_secret": SANDBOX_CLIENT_SECRET, "refresh_token": SANDBOX_REFRESH_TOKEN}
    account = AccountConfig(name=f"hubspot-oauth-{next(_names)}", connector="hubspot",
                            base_url=sandbox.url("hubspot"), settings={"auth_mode": "oauth",
                                                                       "client_id": SANDBOX_CLIENT_ID},
                            secret=vault.get, save_secret=vault.__setitem__)
    with ApiClient(CONNECTOR, account) as api:
        assert CONNECTOR.test_connection(api).startswith("HubSpot: 2 deal pipeline(s)")
    assert vault["access_token"].startswith("sandbox-hubspot-oauth-")
    assert float(vault["access_token_expires_at"]) > 0

    app = sandbox.apps["hubspot"]
    with app.lock:  # the portal forgets the token: one 401, one refresh, then success
        app.db.execute("DELETE FROM hs_tokens")
    with ApiClient(CONNECTOR, account) as api:
        assert FIND_DEAL.find(api, {"value": "5001"}) is not None
        assert api.stats.by_status.get(401) == 1

    vault["refresh_token"] = "revoked"
    vault.pop("access_token")
    with app.lock:  # the portal revokes the access token too: the refresh is refused
        app.db.execute("DELETE FROM hs_tokens")
    with ApiClient(CONNECTOR, account) as api, pytest.raises(AuthError, match="BAD_REFRESH_TOKEN"):
        CONNECTOR.test_connection(api)


@pytest.mark.parametrize(("plan", "requests"), [(None, 100), ("starter", 100), ("professional", 190),
                                                ("enterprise", 190), ("api_increase", 250)])
def test_rate_limit_follows_the_plan(plan: str | None, requests: int) -> None:
    limit = rate_limit_for({"plan": plan} if plan else {})
    assert (limit.requests, limit.per_seconds) == (requests, 10.0)
    assert CONNECTOR.rate_limit == rate_limit_for({})
