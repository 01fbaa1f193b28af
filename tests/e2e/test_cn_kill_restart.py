"""SIGKILL ``ordersync run`` of the Chinese templates at random moments, run again until quiet: every record
arrives and the emulators counted exactly one write per target (no write sent twice across the kills)."""

from __future__ import annotations

import json
import random
import signal
import threading
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import cli_env, counters, ordersync, serve_sandbox, start

from ordersync_app.connectors.jushuitan import CONNECTOR as JUSHUITAN
from ordersync_app.connectors.sdk.http import ApiClient
from ordersync_app.sandbox.apps import sandbox_account

TEMPLATES = Path(__file__).parents[2] / "recipes"


def _setup(home: Path, env: dict[str, str], template: Path, roles: dict[str, str], *, everything: bool) -> None:
    for role, connector in roles.items():
        added = ordersync(home, "account", "add", role, "--connector", connector, "--base-url",
                          f"sandbox://{connector}", env=env)
        assert added.returncode == 0, added.stderr
    source = template
    if everything:
        source = home / template.name
        source.write_text(template.read_text("utf-8").replace("start: now", "start: everything"), "utf-8")
    binds = [arg for role in roles for arg in ("--bind", f"{role}={role}")]
    imported = ordersync(home, "recipe", "import", str(source), *binds, "--name", "cn", env=env)
    assert imported.returncode == 0, imported.stderr


def _kill_then_finish(home: Path, env: dict[str, str], seed: int) -> int:
    """Start and SIGKILL the run several times, then run until nothing is left; returns the kills."""
    rng, kills, wake = random.Random(seed), 0, threading.Event()
    for _ in range(6):
        proc = start(home, "run", "cn", "--json", env=env)
        wake.wait(rng.uniform(0.8, 3.0))  # the moment of the crash is random on purpose
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
    for _ in range(40):
        done = ordersync(home, "run", "cn", "--json", env=env, timeout=600)
        assert done.returncode in (0, 1), done.stderr
        summary = json.loads(done.stdout)
        waiting = json.loads(ordersync(home, "history", "cn", "--limit", "5000", "--json", env=env).stdout)
        if summary["seen"] == 0 and not any(h["status"] in ("retrying", "failed") for h in waiting):
            return kills
        wake.wait(1.0)  # retries of writes whose fate was unknown become due after the client timeout
    raise AssertionError(f"never became quiet: {summary}")


@pytest.mark.slow
def test_shipped_to_fxiaoke_survives_kills(tmp_path: Path) -> None:
    home, orders = tmp_path / "home", 120
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5")
    server, url = serve_sandbox(home)
    try:
        for app in ("jushuitan", "fxiaoke"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{orders + 20}", timeout=120).raise_for_status()
        _setup(home, env, TEMPLATES / "jushuitan-shipped-to-fxiaoke-opportunity-stage.yaml",
               {"oms": "jushuitan", "crm": "fxiaoke"}, everything=False)
        items = [{"o_id": 9000 + i, "shop_id": 10100001, "so_id": str(1000 + i), "lc_name": "顺丰速运",
                  "lc_id": "SF", "l_id": f"SF{1500000000 + i}"} for i in range(11, 11 + orders)]
        with ApiClient(JUSHUITAN, sandbox_account(JUSHUITAN, f"{url}/jushuitan")) as api:  # the warehouse ships
            assert api.json("POST", "/open/order/sent/upload", data={"biz": json.dumps({"items": items})})["issuccess"]
        httpx.post(f"{url}/_sandbox/fxiaoke/reset-counters", timeout=10).raise_for_status()
        kills = _kill_then_finish(home, env, seed=20261202)
        writes = counters(url, "fxiaoke").get("opportunity_writes", {})
        assert len(writes) == orders, f"{len(writes)} opportunities written, expected {orders}"
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        assert kills >= 2, "the runs finished too fast to be interrupted; raise the order count"
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_yonyou_customers_to_jushuitan_survive_kills(tmp_path: Path) -> None:
    home, customers = tmp_path / "home", 1500
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5")
    server, url = serve_sandbox(home)
    try:
        httpx.post(f"{url}/_sandbox/yonyou/seed/{customers}", timeout=300).raise_for_status()
        _setup(home, env, TEMPLATES / "yonyou-customer-to-jushuitan-customer.yaml",
               {"crm": "yonyou", "oms": "jushuitan"}, everything=True)
        httpx.post(f"{url}/_sandbox/jushuitan/reset-counters", timeout=10).raise_for_status()
        kills = _kill_then_finish(home, env, seed=11)
        writes = counters(url, "jushuitan").get("customer_writes", {})
        assert len(writes) == customers, f"{len(writes)} customers written, expected {customers}"
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        assert kills >= 2, "the runs finished too fast to be interrupted; raise the customer count"
    finally:
        server.terminate()
        server.communicate(timeout=30)
