"""The fault-injection suite: whole recipe runs through 429 storms, 503s, lost responses and
timeouts — and through SIGKILLs of ``ordersync worker`` — end with every deal in the right stage and
exactly one effective write per record."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import (
    add_sandbox_accounts,
    cli_env,
    counters,
    import_demo_recipe,
    ordersync,
    serve_sandbox,
    start,
)

FAULTS = "429=0.3,503=0.05,lost=0.05,timeout=0.02"


def _setup(home: Path, url: str, orders: int) -> None:
    for app in ("hubspot", "shopify"):
        httpx.post(f"{url}/_sandbox/{app}/seed/{orders + 20}", timeout=300).raise_for_status()
    add_sandbox_accounts(home)
    import_demo_recipe(home, "orders", "--enable")


def _run_until_quiet(home: Path, env: dict[str, str]) -> dict:
    final: dict = {}
    for _ in range(40):
        done = ordersync(home, "run", "orders", "--json", env=env, timeout=600)
        assert done.returncode in (0, 1), done.stderr
        final = json.loads(done.stdout) if done.stdout else {"seen": -1}
        waiting = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
        if final.get("seen") == 0 and not any(h["status"] == "retrying" for h in waiting):
            return final
        time.sleep(1)
    raise AssertionError(f"never became quiet: {final}")


def _assert_weather(url: str) -> None:
    """Every kind of fault really happened during the drill."""
    injected = httpx.get(f"{url}/_sandbox/faults", timeout=10).json()["injected"]
    print(f"faults injected: {injected}")
    assert {"429", "503", "lost", "timeout"} <= set(injected), injected


def _assert_exactly_once(url: str, expected: int, home: Path, env: dict[str, str]) -> None:
    writes = counters(url, "hubspot").get("deal_writes", {})
    assert len(writes) == expected, f"{len(writes)} deals changed, expected {expected}"
    assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
    history = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
    assert not [h for h in history if h["status"] == "failed"]


@pytest.mark.slow
def test_two_thousand_orders_through_the_fault_proxy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orders = 2000
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5,8,8")
    try:
        _setup(home, url, orders)
        assert ordersync(home, "sandbox", "fulfil", "--count", str(orders), timeout=900, env=env).returncode == 0
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=FAULTS, timeout=10).raise_for_status()
        _run_until_quiet(home, env)
        _assert_weather(url)
        _assert_exactly_once(url, orders, home, env)
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_worker_killed_twenty_times_under_faults(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orders = 2000
    rng = random.Random(11)
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="2", ORDERSYNC_RETRY_SCHEDULE="1,1,2,2,3,3,5,5,8,8")
    try:
        _setup(home, url, orders)
        assert ordersync(home, "sandbox", "fulfil", "--count", str(orders), timeout=900, env=env).returncode == 0
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=FAULTS, timeout=10).raise_for_status()
        for _ in range(20):
            worker = start(home, "worker", "--refresh", "1", env=env)
            time.sleep(rng.uniform(1.5, 4.0))
            worker.send_signal(signal.SIGKILL)
            worker.communicate(timeout=30)
        runs = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
        assert runs, "the workers never got to process anything"
        _run_until_quiet(home, env)
        _assert_weather(url)
        _assert_exactly_once(url, orders, home, env)
        recipe = json.loads(ordersync(home, "recipe", "show", "orders", "--json", env=env).stdout)
        assert recipe["last_run"]["status"] != "running"
    finally:
        server.terminate()
        server.communicate(timeout=30)
