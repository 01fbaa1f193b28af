"""The fault-injection suite: whole recipe runs through 429 storms, 503s, lost responses and timeouts — and
through SIGKILLs of ``ordersync worker``, some aimed while a write is in flight — end with every deal in the
right stage and **every write call counted once**: a deal written twice with the same value is a duplicate
too. The audit log holds one row per effective write, and ``stats`` counts the calls of killed runs."""

from __future__ import annotations

import json
import random
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
LOST_STORM = "lost=0.3"
DRILL_ENV = {"ORDERSYNC_HTTP_TIMEOUT": "2", "ORDERSYNC_RETRY_SCHEDULE": "1,1,2,2,3,3,5,5,8,8"}


def _setup(home: Path, url: str, orders: int, recipe: Path | None = None) -> None:
    for app in ("hubspot", "shopify"):
        httpx.post(f"{url}/_sandbox/{app}/seed/{orders + 20}", timeout=300).raise_for_status()
    add_sandbox_accounts(home)
    if recipe is None:
        import_demo_recipe(home, "orders", "--enable")
    else:
        import_demo_recipe(home, "orders", "--enable", source=recipe)


def _run_until_quiet(home: Path, env: dict[str, str]) -> dict[str, Any]:
    final: dict[str, Any] = {}
    for _ in range(60):
        done = ordersync(home, "run", "orders", "--json", env=env, timeout=600)
        assert done.returncode in (0, 1), done.stderr
        final = json.loads(done.stdout) if done.stdout else {"seen": -1}
        waiting = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
        if final.get("seen") == 0 and not any(h["status"] == "retrying" for h in waiting):
            return final
        time.sleep(1)  # the retry schedule's next attempt (1–8 s in drills) is due after this
    raise AssertionError(f"never became quiet: {final}")


def _requests(url: str) -> int:
    """Every API request the sandbox apps received (reads and writes)."""
    return sum(httpx.get(f"{url}/_sandbox/faults", timeout=10).json()["requests"].values())


def _until(condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float) -> bool:
    """Wait (polling) until ``condition`` holds; False when the process ended or the time ran out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def _kill_workers(home: Path, url: str, env: dict[str, str], kills: int, *, in_flight: bool, done: Callable[[], bool],
                  seed: int) -> int:
    """Start ``ordersync worker`` and SIGKILL it, ``kills`` times: after it made 2–15 more API requests, or —
    ``in_flight`` — while the emulator holds one of its writes (then the write lands with its sender dead)."""
    rng = random.Random(seed)
    made = 0
    for _ in range(kills):
        if done():
            break
        worker = start(home, "worker", "--refresh", "1", env=env)
        if in_flight:
            httpx.post(f"{url}/_sandbox/faults/hold", content="hubspot", timeout=10).raise_for_status()
            ready = _until(lambda: bool(httpx.get(f"{url}/_sandbox/faults", timeout=10).json()["holding"]),
                           worker, timeout=60)
        else:
            target = _requests(url) + rng.randint(2, 15)
            ready = _until(lambda target=target: _requests(url) >= target, worker, timeout=60)
        worker.kill()
        worker.communicate(timeout=30)
        httpx.post(f"{url}/_sandbox/faults/release", timeout=10).raise_for_status()
        made += ready
    return made


def _assert_weather(url: str, kinds: set[str]) -> None:
    """Every kind of fault really happened during the drill."""
    injected = httpx.get(f"{url}/_sandbox/faults", timeout=10).json()["injected"]
    print(f"faults injected: {injected}")
    assert kinds <= set(injected), injected


def _assert_every_deal_written_once(url: str, expected: int, home: Path, env: dict[str, str]) -> None:
    found = counters(url, "hubspot")
    calls = Counter(found.get("deal_writes", {})) + Counter(found.get("deal_noop", {}))
    assert len(calls) == expected, f"{len(calls)} deals written, expected {expected}"
    extra = {deal: n for deal, n in calls.items() if n != 1}
    assert not extra, f"{len(extra)} deals written more than once (+{sum(extra.values()) - len(extra)} writes)"
    history = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
    assert not [h for h in history if h["status"] == "failed"]
    exported = home / "audit.csv"
    assert ordersync(home, "audit", "export", str(exported), env=env).returncode == 0
    rows = exported.read_text("utf-8-sig").splitlines()[1:]
    live = [r for r in rows if ",no," in r]  # dry_run column
    assert len(live) == expected, f"{len(live)} audit rows for {expected} effective writes"
    print(f"audit: {len(live)} rows, {sum(',verified' in r for r in live)} of them verified after a lost answer")


def _assert_stats_count_killed_runs(home: Path, env: dict[str, str]) -> None:
    stats = json.loads(ordersync(home, "stats", "--json", env=env).stdout)
    crm = stats["accounts"]["crm"]
    print(f"stats: {crm}, runs {stats.get('runs_by_status')}")
    assert crm["calls"] > 0 and crm["throttled"] > 0


@pytest.mark.slow
def test_two_thousand_orders_through_the_fault_proxy(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orders = 2000
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, **DRILL_ENV)
    try:
        _setup(home, url, orders)
        assert ordersync(home, "sandbox", "fulfil", "--count", str(orders), timeout=900, env=env).returncode == 0
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=FAULTS, timeout=10).raise_for_status()
        _run_until_quiet(home, env)
        _assert_weather(url, {"429", "503", "lost", "timeout"})
        _assert_every_deal_written_once(url, orders, home, env)
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_worker_killed_twenty_times_under_faults(tmp_path: Path) -> None:
    home = tmp_path / "home"
    orders = 2000
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, **DRILL_ENV)
    try:
        _setup(home, url, orders)
        assert ordersync(home, "sandbox", "fulfil", "--count", str(orders), timeout=900, env=env).returncode == 0
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=FAULTS, timeout=10).raise_for_status()
        kills = _kill_workers(home, url, env, 20, in_flight=False, seed=11,
                              done=lambda: len(counters(url, "hubspot").get("deal_writes", {})) >= orders)
        assert kills >= 10, f"only {kills} workers were killed while writing"
        _run_until_quiet(home, env)
        _assert_weather(url, {"429", "503", "lost", "timeout"})
        _assert_every_deal_written_once(url, orders, home, env)
        _assert_stats_count_killed_runs(home, env)
        recipe = json.loads(ordersync(home, "recipe", "show", "orders", "--json", env=env).stdout)
        assert recipe["last_run"]["status"] != "running"
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_lost_answer_storm_with_kills_while_writes_are_in_flight(tmp_path: Path) -> None:
    """30 % of answers lost, and ten workers killed while the emulator holds one of their writes, which then
    lands after its sender died: the restarted worker must not write it again (it waits until the old
    request can no longer land, then reads the deal)."""
    home = tmp_path / "home"
    orders = 500
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, **DRILL_ENV)
    try:
        _setup(home, url, orders)
        assert ordersync(home, "sandbox", "fulfil", "--count", str(orders), timeout=900, env=env).returncode == 0
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=LOST_STORM, timeout=10).raise_for_status()
        kills = _kill_workers(home, url, env, 10, in_flight=True, seed=5,
                              done=lambda: len(counters(url, "hubspot").get("deal_writes", {})) >= orders)
        assert kills >= 5, f"only {kills} workers were killed with a write in flight"
        _run_until_quiet(home, env)
        _assert_weather(url, {"lost"})
        _assert_every_deal_written_once(url, orders, home, env)
    finally:
        server.terminate()
        server.communicate(timeout=30)


CREATE_RECIPE = """\
format: ordersync-recipe
version: 1
name: New Shopify order → new HubSpot deal
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_created, every: 1m, start: everything}
steps:
  - action:
      account: crm
      action: create_deal
      fields:
        dealname: {template: "Order {name}"}
        pipeline: {value: ecommerce}
        dealstage: {value: checkout_completed}
        order_name: {source: name}
        amount: {source: totalPrice}
"""


@pytest.mark.slow
def test_a_create_action_under_faults_and_kills_creates_no_duplicate(tmp_path: Path) -> None:
    """Creates are the hard case: a create re-sent after a lost answer is a second deal. Each create carries
    its ledger reference in a unique property, and a lost answer is checked by reading that, never re-sent."""
    home = tmp_path / "home"
    orders = 300
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home, **DRILL_ENV)
    recipe = tmp_path / "create.yaml"
    recipe.write_text(CREATE_RECIPE, "utf-8")
    try:
        _setup(home, url, orders - 20, recipe=recipe)  # Shopify holds `orders` orders
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        httpx.post(f"{url}/_sandbox/faults", content=FAULTS.replace("lost=0.05", "lost=0.2"), timeout=10) \
            .raise_for_status()
        kills = _kill_workers(home, url, env, 10, in_flight=True, seed=3,
                              done=lambda: len(counters(url, "hubspot").get("deal_writes", {})) >= orders)
        assert kills >= 3
        _run_until_quiet(home, env)
        httpx.post(f"{url}/_sandbox/faults", content="", timeout=10).raise_for_status()  # quiet for our own reads
        per_order = Counter(_deals_by_order(url))
        assert len(per_order) == orders, f"{len(per_order)} orders have a deal, expected {orders}"
        assert set(per_order.values()) == {1}, {k: n for k, n in per_order.items() if n > 1}
        assert len(counters(url, "hubspot").get("deal_writes", {})) == orders  # every create landed once
        history = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
        assert not [h for h in history if h["status"] == "failed"]  # none was refused as a conflict either
    finally:
        server.terminate()
        server.communicate(timeout=30)


def _deals_by_order(url: str) -> list[str]:
    """``order_name`` of every deal that OrderSync created (it carries an ``ordersync_ref``)."""
    names, after = [], "0"
    headers = {"Authorization": "Bearer sandbox-hubspot-token"}
    while True:
        page = httpx.post(f"{url}/hubspot/crm/v3/objects/0-3/search", headers=headers, timeout=30, json={
            "filterGroups": [{"filters": [{"propertyName": "ordersync_ref", "operator": "HAS_PROPERTY"}]}],
            "sorts": [], "properties": ["order_name", "ordersync_ref"], "limit": 200, "after": after}).json()
        names += [r["properties"]["order_name"] for r in page["results"]]
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return names
