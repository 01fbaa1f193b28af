"""The 金蝶 and 旺店通 templates end to end in the sandbox: N records in, N effective writes counted by the HubSpot
emulator, a re-run writes nothing; ``ordersync run`` killed with SIGKILL mid-run, then run again, writes nothing
twice."""

from __future__ import annotations

import json
import random
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import cli_env, counters, ordersync, serve_sandbox, start

from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.services import accounts, recipes, runs

RECIPES = Path(__file__).parents[2] / "recipes"
KINGDEE = RECIPES / "kingdee-sales-order-to-hubspot-deal.yaml"
SHIPPED = {"wangdiantong": RECIPES / "wangdiantong-shipped-to-hubspot-deal-stage.yaml",
           "wangdiantong_qjb": RECIPES / "wangdiantong-qjb-shipped-to-hubspot-deal-stage.yaml"}


def _from(template: Path, moment: str) -> str:
    """The template, reading from ``moment`` instead of "now" (the sandbox's orders already exist)."""
    text = template.read_text("utf-8")
    assert "start: now" in text
    return text.replace("start: now", f'start: "{moment}"')


def _accounts(sandbox: SandboxServer, source: str) -> None:
    for name, key in (("src", source), ("crm", "hubspot")):
        box = accounts.connector(key).sandbox
        assert box is not None
        accounts.add_account(name, key, base_url=sandbox.url(box.app), settings=dict(box.settings),
                             secret_values=dict(box.credentials))


def _deal_writes(root: str) -> dict[str, int]:
    return httpx.get(f"{root}/_sandbox/hubspot/counters").json().get("deal_writes", {})


def test_kingdee_sales_orders_become_deals_once(home: Path, sandbox: SandboxServer) -> None:
    _accounts(sandbox, "kingdee")
    recipes.import_recipe(_from(KINGDEE, "2026-09-01T00:00:00Z"), {"erp": "src", "crm": "crm"}, name="kd")
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()
    first = runs.run_recipe("kd")
    assert (first.seen, first.succeeded, first.failed) == (60, 60, 0)
    writes = _deal_writes(sandbox.root)
    assert len(writes) == 60 and set(writes.values()) == {1}  # 60 new deals, each written once
    again = runs.run_recipe("kd")
    assert again.writes == 0 and _deal_writes(sandbox.root) == writes
    found = httpx.post(f"{sandbox.url('hubspot')}/crm/v3/objects/0-3/batch/read",
                       headers={"Authorization": "Bearer sandbox-hubspot-token"},
                       json={"inputs": [{"id": "XSDD000003"}], "idProperty": "erp_order_no",
                             "properties": ["dealname", "dealstage", "amount"], "propertiesWithHistory": []}).json()
    deal = found["results"][0]["properties"]
    assert deal["dealname"].startswith("XSDD000003 – ") and deal["dealstage"] == "closedwon"  # demo order 3 is audited


@pytest.mark.parametrize("source", sorted(SHIPPED))
def test_wangdiantong_shipments_move_deals_once(source: str, home: Path, sandbox: SandboxServer) -> None:
    _accounts(sandbox, source)
    since = f"{datetime.now(UTC) - timedelta(minutes=5):%Y-%m-%dT%H:%M:%SZ}"
    recipes.import_recipe(_from(SHIPPED[source], since), {"oms": "src", "crm": "crm"}, name="shipped")
    httpx.post(f"{sandbox.root}/_sandbox/hubspot/reset-counters").raise_for_status()
    shipped = httpx.post(f"{sandbox.root}/_sandbox/{source}/ship/30").json()["shipped"]
    assert shipped == [str(5000 + i) for i in range(11, 41)]  # demo orders 11..40; their deals exist
    first = runs.run_recipe("shipped")
    assert (first.seen, first.succeeded, first.failed) == (30, 30, 0)
    writes = _deal_writes(sandbox.root)
    assert len(writes) == 30 and set(writes.values()) == {1}
    assert runs.run_recipe("shipped").writes == 0 and _deal_writes(sandbox.root) == writes


def _kill_and_finish(home: Path, recipe: str, rng: random.Random, env: dict[str, str]
                     ) -> tuple[int, dict[str, object]]:
    kills = 0
    for _ in range(6):
        proc = start(home, "run", recipe, "--json", env=env)
        time.sleep(rng.uniform(0.8, 3.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
    final: dict[str, object] = {}
    for _ in range(30):  # to completion (writes in flight when killed wait out their settle time), then quiet
        done = ordersync(home, "run", recipe, "--json", timeout=300, env=env)
        assert done.returncode in (0, 1), done.stderr
        final = json.loads(done.stdout)
        waiting = json.loads(ordersync(home, "history", recipe, "--limit", "5000", "--json", env=env).stdout)
        if final["seen"] == 0 and not any(h["status"] == "retrying" for h in waiting):
            break
        time.sleep(1)
    return kills, final


@pytest.mark.slow
@pytest.mark.parametrize("template", ["kingdee", "wangdiantong"])
def test_sigkill_mid_run_then_rerun_writes_nothing_twice(template: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    orders = 1500
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5,8,8")
    try:
        source = "kingdee" if template == "kingdee" else "wangdiantong"
        for app in ("hubspot", source):
            httpx.post(f"{url}/_sandbox/{app}/seed/{orders + 20}", timeout=300).raise_for_status()
        for name, key in (("src", source), ("crm", "hubspot")):
            added = ordersync(home, "account", "add", name, "--connector", key, "--base-url", f"sandbox://{key}")
            assert added.returncode == 0, added.stderr
        text = _from(KINGDEE, "2026-09-01T00:00:00Z") if template == "kingdee" else \
            _from(SHIPPED[source], f"{datetime.now(UTC) - timedelta(minutes=5):%Y-%m-%dT%H:%M:%SZ}")
        path = tmp_path / "template.yaml"
        path.write_text(text, "utf-8")
        roles = ["--bind", "erp=src" if template == "kingdee" else "oms=src", "--bind", "crm=crm"]
        imported = ordersync(home, "recipe", "import", str(path), *roles, "--name", "cn")
        assert imported.returncode == 0, imported.stderr
        expected = orders + 20 if template == "kingdee" else len(
            httpx.post(f"{url}/_sandbox/{source}/ship/{orders}", timeout=300).json()["shipped"])
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        kills, final = _kill_and_finish(home, "cn", random.Random(20261202), env)
        assert final["seen"] == 0 and final["failed"] == 0
        assert kills >= 1, "the run finished before any kill; raise the order count"
        writes = counters(url, "hubspot").get("deal_writes", {})
        assert len(writes) == expected, f"{len(writes)} deals written, expected {expected}"
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
    finally:
        server.terminate()
        server.communicate(timeout=30)
