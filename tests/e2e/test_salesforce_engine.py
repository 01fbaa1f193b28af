"""The engine with Salesforce, in-process against the emulator.

* The daily API allocation runs out in the middle of a run (the emulator's rolling 24-hour window): no
  record fails, the records wait in the queue for the window, the user gets one alert, and once the day
  has passed every record lands exactly once. The clock is faked, never slept: the org's through the
  emulator's endpoint, the run's by making the waiting records' "next attempt" due.
* An upsert by External ID whose answer is lost is checked in the org before anything is sent again:
  every opportunity is written once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from ordersync_app.alerts import Alert, register_sink, unregister_sink
from ordersync_app.connectors.sdk import registry
from ordersync_app.engine.runner import BREAKER_RECORDS
from ordersync_app.sandbox.salesforce import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from ordersync_app.services import accounts, recipes, runs, stats
from ordersync_app.storage import db
from ordersync_app.storage.tables import AuditEntry, Delivery, Execution, utcnow

ORDERS = 450  # more than two batches of 200
TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-order-to-salesforce-opportunity.yaml"


class Recorder:
    """An alert channel that keeps what it was sent."""

    def __init__(self) -> None:
        self.sent: list[Alert] = []

    def send(self, alert: Alert) -> None:
        self.sent.append(alert)


def bind_template(sandbox, name: str = "orders") -> None:
    """Sandbox accounts ``shop`` and ``crm`` and the template, reading every order from the beginning."""
    shopify = registry.get("shopify")
    assert shopify is not None and shopify.sandbox is not None
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings=dict(shopify.sandbox.settings),
                         secret_values=dict(shopify.sandbox.credentials), replace=True)
    accounts.add_account("crm", "salesforce", base_url=sandbox.url("salesforce"),
                         settings={"client_id": SANDBOX_CLIENT_ID},
                         secret_values={"refresh_token": SANDBOX_REFRESH_TOKEN,
                                        "client_secret": SANDBOX_CLIENT_SECRET}, replace=True)
    text = TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name=name)


def test_the_daily_limit_keeps_records_queued_with_one_alert_then_each_lands_once(home: Path, sandbox) -> None:
    salesforce = f"{sandbox.root}/_sandbox/salesforce"
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/{ORDERS}", timeout=60).raise_for_status()
    bind_template(sandbox)
    used = httpx.get(f"{salesforce}/usage").json()["used"]
    httpx.post(f"{salesforce}/limits", json={"daily": used + 2}).raise_for_status()  # two calls left today
    httpx.post(f"{salesforce}/reset-counters").raise_for_status()
    channel = Recorder()
    register_sink("recorder", channel)
    try:
        first = runs.run_recipe("orders")
        assert (first.seen, first.failed) == (ORDERS, 0)
        assert first.writes >= 200 and first.retrying > 0 and first.writes + first.retrying == ORDERS  # mid-run
        assert first.limited is not None and "TotalRequests Limit exceeded" in first.limited
        waiting = runs.history("orders", status="retrying", limit=1000)
        assert len(waiting) == first.retrying
        soonest = min(w.next_attempt_at or "" for w in waiting)
        assert soonest >= (utcnow() + timedelta(minutes=55)).isoformat()  # the records wait for the window
        assert [a.kind for a in channel.sent] == ["limited"]
        assert f"{first.retrying} record(s) wait" in channel.sent[0].lines[0][0]

        second = runs.run_recipe("orders")  # the next scheduled run: nothing due, nothing new, nothing said
        assert (second.seen, second.writes, second.failed) == (0, 0, 0)
        assert len(runs.history("orders", status="retrying", limit=1000)) == first.retrying
        assert len(channel.sent) == 1

        httpx.post(f"{salesforce}/clock", json={"advance": 86_400 + 60}).raise_for_status()  # a day passes ...
        with db.session() as s:  # ... for the waiting records too
            s.execute(update(Execution).where(Execution.status == "retrying")
                      .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        third = runs.run_recipe("orders")
        assert (third.succeeded, third.failed, third.retrying, third.limited) == (first.retrying, 0, 0, None)
    finally:
        unregister_sink("recorder")

    assert runs.history("orders", failed_only=True) == []
    assert len(channel.sent) == 1  # one alert in all: no "recovered" for a limit
    assert stats.stats("orders")["accounts"]["crm"]["usage"].startswith("api-usage=")  # Sforce-Limit-Info, shown
    writes = httpx.get(f"{salesforce}/counters").json()["opportunity_writes"]
    assert len(writes) == ORDERS and set(writes.values()) == {1}
    app = sandbox.apps["salesforce"]
    orders = [r["Shopify_Order_Id__c"] for r in app._all("Opportunity") if r.get("Shopify_Order_Id__c")]
    assert len(orders) == len(set(orders)) == ORDERS


def test_a_lost_upsert_answer_is_checked_in_the_org_and_nothing_lands_twice(home: Path, sandbox,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "2")
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/80", timeout=60).raise_for_status()
    bind_template(sandbox)
    assert "opportunities" in accounts.test_account("crm")  # signed in: the next Salesforce call is a write
    httpx.post(f"{sandbox.root}/_sandbox/salesforce/reset-counters").raise_for_status()
    sandbox.faults.once("salesforce", "drop-after")  # applied by the org, the answer never arrives

    first = runs.run_recipe("orders")
    assert first.failed == 0 and first.retrying > 0
    unknown = first.retrying
    with db.session() as s:  # the lost request can no longer land: its settle time passes for the run
        s.execute(update(Delivery).where(Delivery.status.in_(("unknown", "inflight")))
                  .values(updated_at=utcnow() - timedelta(minutes=5)))
        s.execute(update(Execution).where(Execution.status == "retrying")
                  .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    second = runs.run_recipe("orders")
    assert (second.succeeded, second.failed, second.retrying) == (unknown, 0, 0)

    writes = httpx.get(f"{sandbox.root}/_sandbox/salesforce/counters").json()["opportunity_writes"]
    assert len(writes) == 80 and set(writes.values()) == {1}  # found in the org: not sent again
    with db.session() as s:
        verified = s.scalars(select(AuditEntry).where(AuditEntry.how == "verified")).all()
    assert len(verified) == unknown


CONTACTS = """
format: ordersync-recipe
version: 1
name: Shopify new order → Salesforce contact
accounts: {shop: shopify, crm: salesforce}
trigger: {account: shop, event: order_created, every: 5m, start: everything}
steps:
  - action:
      account: crm
      action: create_contact
      params: {marker_field: Legacy_Id__c}
      fields:
        LastName: {source: customer.lastName, transforms: [required]}
        FirstName: {source: customer.firstName}
        Email: {source: customer.email}
"""


def test_a_lost_create_answer_is_found_by_the_marker_field_the_recipe_names(home: Path, sandbox,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Creates repeat as duplicates, so each carries its ledger reference in a field the recipe names (an
    External ID field of the user's choosing, here Legacy_Id__c); after a lost answer
    the engine finds the contacts by it and sends nothing again."""
    monkeypatch.setenv("ORDERSYNC_HTTP_TIMEOUT", "2")
    bind_template(sandbox)
    recipes.import_recipe(CONTACTS, {"shop": "shop", "crm": "crm"}, name="contacts")
    assert "opportunities" in accounts.test_account("crm")
    httpx.post(f"{sandbox.root}/_sandbox/salesforce/reset-counters").raise_for_status()
    sandbox.faults.once("salesforce", "drop-after")

    first = runs.run_recipe("contacts")
    # The answer of the first batch is lost: the run's first chunk (the circuit breaker's sample) waits.
    assert (first.failed, first.retrying, first.succeeded) == (0, BREAKER_RECORDS, 60 - BREAKER_RECORDS)
    with db.session() as s:
        s.execute(update(Delivery).where(Delivery.status.in_(("unknown", "inflight")))
                  .values(updated_at=utcnow() - timedelta(minutes=5)))
        s.execute(update(Execution).where(Execution.status == "retrying")
                  .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    second = runs.run_recipe("contacts")
    assert (second.succeeded, second.failed) == (BREAKER_RECORDS, 0)
    writes = httpx.get(f"{sandbox.root}/_sandbox/salesforce/counters").json()["contact_writes"]
    assert len(writes) == 60 and set(writes.values()) == {1}
    stamped = [c["Legacy_Id__c"] for c in sandbox.apps["salesforce"]._all("Contact") if c.get("Legacy_Id__c")]
    assert len(stamped) == len(set(stamped)) == 60 and all(ref.endswith(":0") for ref in stamped)  # the refs

