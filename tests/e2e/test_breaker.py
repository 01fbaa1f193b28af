"""The circuit breaker: a typo in a mapped value (a deal stage HubSpot does not have) fails the first records
alike; the run stops after them and the recipe pauses, instead of failing every order of the backlog. Fixed
and switched on again, the recipe takes the rest. And a running run can be stopped (the Stop button)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.unit.test_alerts import WECOM_KEY, RobotsApp

from ordersync_app.engine.events import hub
from ordersync_app.engine.runner import BREAKER_RECORDS
from ordersync_app.sandbox._server import Request, Response, SandboxServer
from ordersync_app.sandbox.warehouse import fulfil_orders
from ordersync_app.services import accounts, alerts, queue, recipes, runs

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


@pytest.fixture
def robot(tmp_path: Path) -> Iterator[tuple[RobotsApp, str]]:
    """A loopback WeCom robot that keeps the alerts it receives."""
    app = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([app]).start()
    yield app, server.url("robots")
    server.stop()


@pytest.mark.slow
def test_four_thousand_orders_failing_alike_pause_after_twenty_with_one_alert_then_all_land_once(
        home, sandbox: SandboxServer, robot: tuple[RobotsApp, str]) -> None:
    """4,000 fulfilled orders and a stage HubSpot does not have: the run stops after the first 20, the recipe
    pauses, the owner gets one alert and the Activity page one group of 20 (not 4,000 failures). Fixed, the
    next run takes the 3,980 never read and "re-send all" the 20: every deal is written exactly once."""
    del home
    wecom, url = robot
    for app in ("shopify", "hubspot"):
        sandbox.apps[app].seed(4010)  # orders 1–10 arrive already shipped
    alerts.configure_sink("wecom", {}, {"webhook": f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}"})
    _setup(sandbox, "已发货")
    assert len(fulfil_orders(sandbox.url("shopify"), 4000)) == 4000
    sandbox.apps["hubspot"].reset_counters()

    first = runs.run_recipe("stage")
    assert first.tripped and first.failed == BREAKER_RECORDS and first.seen == BREAKER_RECORDS
    assert recipes.get_recipe("stage").paused_reason
    (group,) = queue.groups("stage")
    assert group.count == BREAKER_RECORDS and "已发货" in group.explanation.what.en
    assert len(wecom.wecom) == 1, wecom.wecom  # one alert, however long the backlog, in plain words
    assert "HubSpot has no option “已发货” for “Deal stage”" in wecom.wecom[0]["text"]["content"]

    text = TEMPLATE.read_text("utf-8")  # the owner picks the right stage and switches the recipe on again
    recipes.import_recipe(text, {"shop": "shop", "crm": "crm"}, name="stage", replace=True, enable=True)
    rest = runs.run_recipe("stage")
    assert rest.failed == 0 and rest.succeeded == 4000 - BREAKER_RECORDS
    (resent,) = runs.retry(None, all_failed=True)
    assert resent.succeeded == BREAKER_RECORDS and queue.groups("stage") == []
    seen = sandbox.apps["hubspot"].counters()  # a write that set the same value again is a duplicate too
    per_deal = Counter(seen.get("deal_writes", {})) + Counter(seen.get("deal_noop", {}))
    assert len(per_deal) == 4000 and set(per_deal.values()) == {1}
    assert ["recovered" in m["text"]["content"] for m in wecom.wecom] == [False, True]  # then: it has recovered
