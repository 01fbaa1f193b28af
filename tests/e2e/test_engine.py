"""Engine behaviour end to end against the sandbox apps (in-process): the failed queue and re-send,
auth failures pausing recipes, crash recovery of runs left "running"."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from tests.e2e.helpers import DEMO_TEMPLATE as TEMPLATE

from ordersync_app.connectors.sdk import registry
from ordersync_app.domain.errors import AuthError
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.services import accounts, recipes, runs
from ordersync_app.storage import db
from ordersync_app.storage.tables import Recipe, Run


def _demo_secrets(connector: str) -> dict[str, str]:
    found = registry.get(connector)
    assert found is not None and found.sandbox is not None
    return dict(found.sandbox.credentials)


SANDBOX_CREDENTIALS = {key: _demo_secrets(key) for key in ("shopify", "hubspot")}


def _accounts(sandbox, *, crm_token: str) -> None:
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings={"shop": "demo"},
                         secret_values=dict(SANDBOX_CREDENTIALS["shopify"]), replace=True)
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"), secret_values={"access_token": crm_token},
                         replace=True)


def test_rejected_records_wait_in_the_failed_queue_and_resend(home, sandbox) -> None:
    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/70").raise_for_status()  # orders 61-70 have no deal
    assert len(fulfil_orders(sandbox.url("shopify"), 60)) == 60

    summary = runs.run_recipe("orders")
    assert summary.succeeded == 50
    assert summary.failed == 10
    assert summary.status == "failed"
    failed = runs.history("orders", failed_only=True)
    assert len(failed) == 10
    assert all("rejected" in (f.error or "") for f in failed)
    assert recipes.get_recipe("orders").failed == 10

    # the deals appear in the CRM; one click re-sends every failed record
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/seed/70").raise_for_status()
    [again] = runs.retry(all_failed=True)
    assert again.succeeded == 10
    assert again.failed == 0
    assert runs.history("orders", failed_only=True) == []
    writes = httpx.get(f"{sandbox.root}/_sandbox/hubspot/counters").json()["deal_writes"]
    assert len(writes) == 60
    assert set(writes.values()) == {1}


def test_skip_takes_a_record_out_of_the_queue_with_its_reason(home, sandbox) -> None:
    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/62").raise_for_status()
    fulfil_orders(sandbox.url("shopify"), 52)
    runs.run_recipe("orders")
    failed = runs.history("orders", failed_only=True)
    assert len(failed) == 2
    assert runs.skip([failed[0].id], "order cancelled by phone") == 1
    [skipped] = runs.history("orders", status="skipped")
    assert skipped.error == "skipped: order cancelled by phone"


def test_refused_credentials_pause_every_recipe_of_the_account(home, sandbox) -> None:
    _accounts(sandbox, crm_token="expired-token-1234")
    recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders-copy")
    fulfil_orders(sandbox.url("shopify"), 3)
    with pytest.raises(AuthError):
        runs.run_recipe("orders")
    assert accounts.get_account("crm").status == "reconnect"
    for name in ("orders", "orders-copy"):
        assert "reconnect account 'crm'" in (recipes.get_recipe(name).paused_reason or "")
    assert runs.history("orders") == []  # nothing was burnt through: the records wait

    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    assert accounts.test_account("crm").startswith("HubSpot")
    assert recipes.get_recipe("orders-copy").paused_reason is None
    assert runs.run_recipe("orders").succeeded == 3


def test_runs_left_running_by_a_dead_process_are_marked_interrupted(home, sandbox) -> None:
    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    info = recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="orders")
    with db.session() as s:
        recipe_id = s.scalar(select(Recipe.id).where(Recipe.name == info.name))
        s.add(Run(recipe_id=recipe_id, recipe_version=1, status="running", pid=2**22 + 12345))
    assert runs.recover_interrupted() == 1
    assert runs.runs("orders")[0]["status"] == "interrupted"



def test_on_error_stop_reads_no_further_after_a_failing_chunk(home, sandbox) -> None:
    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    text = TEMPLATE.read_text("utf-8").replace("on_error: continue", "on_error: stop")
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name="careful")
    httpx.post(f"{sandbox.root}/_sandbox/shopify/seed/200").raise_for_status()  # deals exist for 1-60 only
    assert len(fulfil_orders(sandbox.url("shopify"), 150)) == 150  # orders 11-160

    # One chunk (at least a full HubSpot batch of 100): orders 11-60 move, the later ones are rejected.
    first = runs.run_recipe("careful")
    assert 100 <= first.seen < 150
    assert (first.succeeded, first.failed) == (50, first.seen - 50)
    read, later = first.seen, []
    while read < 150 and len(later) < 5:  # the orders not read yet are still behind the cursor: later runs read them
        later.append(runs.run_recipe("careful"))
        read += later[-1].seen
        assert later[-1].failed == later[-1].seen  # each halts again after its first failing chunk
    assert read == 150


def test_a_recipe_whose_filter_keeps_one_order_in_twenty_still_fills_its_write_batches(home, sandbox) -> None:
    """The first chunk is the usual 100 records; once the filter has let only 1 in 20 through, the run reads up to
    500 records per chunk, so the HubSpot batches carry about 25 writes each instead of 5."""
    _accounts(sandbox, crm_token=SANDBOX_CREDENTIALS["hubspot"]["access_token"])
    endings = "".join(f"        - {{field: legacyResourceId, op: ends_with, value: \"{d}\"}}\n"
                      for d in ("00", "20", "40", "60", "80"))
    text = TEMPLATE.read_text("utf-8").replace(
        "  - action:\n", f"  - filter:\n      match: any\n      conditions:\n{endings}  - action:\n", 1)
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name="one-in-twenty")
    for app in ("shopify", "hubspot"):
        httpx.post(f"{sandbox.root}/_sandbox/{app}/seed/620", timeout=120).raise_for_status()
    shipped = fulfil_orders(sandbox.url("shopify"), 600)
    kept = [number for number in shipped if str(number)[-2:] in ("00", "20", "40", "60", "80")]
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()

    summary = runs.run_recipe("one-in-twenty")
    assert (summary.succeeded, summary.failed) == (len(kept), 0) and summary.filtered >= 600 - len(kept)
    found = httpx.get(f"{sandbox.root}/_sandbox/hubspot/counters").json()
    writes = found["deal_writes"]
    assert len(writes) == len(kept) and set(writes.values()) == {1}
    batches = sum(n for name, n in found["call"].items() if "batch/update" in name)
    assert batches <= 3, found["call"]  # 100 records, then a chunk of 500 (was one batch of ~5 per 100 records: 6)
