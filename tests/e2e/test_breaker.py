"""The circuit breaker: a typo in a mapped value (a deal stage HubSpot does not have) fails the first records
alike; the run stops after them and the recipe pauses, instead of failing every order of the backlog. Fixed
and switched on again, the recipe takes the rest. And a running run can be stopped (the Stop button)."""

from __future__ import annotations

import threading
from pathlib import Path

from ordersync_app.engine.events import hub
from ordersync_app.engine.runner import BREAKER_RECORDS
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.services import accounts, recipes, runs

TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"


def _setup(sandbox: SandboxServer, stage: str) -> None:
    accounts.add_account("shop", "shopify", base_url=sandbox.url("shopify"), settings={"shop": "demo", "plan": "plus"},
                         secret_values={"access_token": "sandbox-shopify-token"})
    accounts.add_account("crm", "hubspot", base_url=sandbox.url("hubspot"),
                         secret_values={"access_token": "sandbox-hubspot-token"})
    text = TEMPLATE.read_text("utf-8").replace("FULFILLED: shipped", f"FULFILLED: {stage}")
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name="stage", enable=True)


def test_the_first_records_failing_alike_pause_the_recipe_and_the_rest_wait(home, sandbox: SandboxServer) -> None:
    del home
    _setup(sandbox, "已发货")  # not a stage of the pipeline: HubSpot refuses every record
    fulfil_orders(sandbox.url("shopify"), 50)  # (the sandbox store holds 60 orders; 10 were shipped before)
    paused: list[str] = []
    forget = hub.subscribe("recipe_did_pause", lambda **event: paused.append(event["recipe"]))
    try:
        summary = runs.run_recipe("stage")
    finally:
        forget()
    assert summary.tripped and "INVALID_OPTION" in summary.tripped
    assert summary.failed == BREAKER_RECORDS  # it stopped after them: the rest of the backlog waits unread
    info = recipes.get_recipe("stage")
    assert info.paused_reason and "first 20 records all failed" in info.paused_reason
    assert paused == ["stage"]

    text = TEMPLATE.read_text("utf-8")  # fixed: the right stage
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name="stage", replace=True, enable=True)
    recipes.set_enabled("stage", enabled=True)
    assert recipes.get_recipe("stage").paused_reason is None
    after = runs.run_recipe("stage")
    assert after.failed == 0 and after.succeeded == 50 - summary.failed  # the ones never read
    resent = runs.retry(None, all_failed=True)
    assert sum(s.succeeded for s in resent) == summary.failed


def test_a_different_outcome_among_the_first_records_disarms_the_breaker(home, sandbox: SandboxServer) -> None:
    del home
    _setup(sandbox, "shipped")
    fulfil_orders(sandbox.url("shopify"), 30)
    summary = runs.run_recipe("stage")
    assert summary.tripped is None and summary.succeeded == 30


def test_a_running_run_can_be_stopped_and_the_recipe_pauses(home, sandbox: SandboxServer) -> None:
    del home
    _setup(sandbox, "shipped")
    fulfil_orders(sandbox.url("shopify"), 40)
    started, release = threading.Event(), threading.Event()

    def slow_crm(request: Request, app: str) -> Response | None:  # the CRM takes its time over the writes
        if app == "hubspot" and request.method == "POST" and "batch" in request.path:
            release.wait(30)
        return None

    sandbox.faults.hook = slow_crm
    forget = hub.subscribe("run_did_start", lambda **_event: started.set())
    result: list[object] = []
    worker = threading.Thread(target=lambda: result.append(runs.run_recipe("stage")))
    try:
        worker.start()
        assert started.wait(30)
        assert runs.stop_run("stage") == "stopping"
    finally:
        forget()
        release.set()
        sandbox.faults.hook = None
        worker.join(timeout=60)
    (summary,) = result
    assert summary.status == "stopped"  # type: ignore[attr-defined]
    assert "stopped by the user" in (recipes.get_recipe("stage").paused_reason or "")
    assert runs.stop_run("stage") == "not running"
