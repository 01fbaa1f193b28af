"""One recipe, many runners: three ``ordersync run`` at once plus ``ordersync worker`` on one data directory,
and two workers on two data directories sharing one PostgreSQL — every deal is written once, nobody ends
in "internal error", and a run that finds the recipe busy says so (exit 2 by hand, a skipped turn for the
scheduler)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
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

ORDERS = 2000


def _seed_and_fulfil(home: Path, url: str, env: dict[str, str]) -> int:
    for app in ("hubspot", "shopify"):
        httpx.post(f"{url}/_sandbox/{app}/seed/{ORDERS + 10}", timeout=300).raise_for_status()
    fulfilled = ordersync(home, "sandbox", "fulfil", "--count", str(ORDERS), timeout=900, env=env)
    assert fulfilled.returncode == 0, fulfilled.stderr
    httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
    return ORDERS


def _wait_for_writes(url: str, expected: int, *, processes: list[subprocess.Popen[str]], timeout: float = 600) -> None:
    """Poll the emulator's counters until every deal is written (the workers run on their schedule)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(counters(url, "hubspot").get("deal_writes", {})) >= expected:
            return
        for proc in processes:
            assert proc.poll() is None, f"a worker died: {proc.communicate()[1]}"
        time.sleep(0.5)
    raise AssertionError(f"only {len(counters(url, 'hubspot').get('deal_writes', {}))} of {expected} deals written")


def _assert_each_deal_written_once(url: str, expected: int) -> None:
    found = counters(url, "hubspot")
    writes, noop = found.get("deal_writes", {}), found.get("deal_noop", {})
    assert len(writes) == expected, f"{len(writes)} deals written, expected {expected}"
    assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
    assert not noop, f"deals written again with the same values: {len(noop)}"


def _stop(worker: subprocess.Popen[str]) -> str:
    worker.send_signal(signal.SIGTERM)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0, err
    assert "internal error" not in out + err
    return out


@pytest.mark.slow
def test_three_runs_and_a_worker_on_one_data_directory(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home, "--hubspot-limit", "0")
    env = cli_env(home)
    try:
        add_sandbox_accounts(home)
        import_demo_recipe(home, "demo", "--enable")
        expected = _seed_and_fulfil(home, url, env)

        worker = start(home, "worker", "--refresh", "1", env=env)
        manual = [start(home, "run", "demo", "--json", env=env) for _ in range(3)]
        results = [proc.communicate(timeout=600) for proc in manual]
        for proc, (out, err) in zip(manual, results, strict=True):
            assert proc.returncode in (0, 2), err  # 2: "recipe 'demo' is already running (pid … on host …)"
            assert "internal error" not in out + err
            if proc.returncode == 2:
                assert "is already running" in err
        _wait_for_writes(url, expected, processes=[worker])
        _stop(worker)
        _assert_each_deal_written_once(url, expected)
        history = json.loads(ordersync(home, "history", "demo", "--limit", "5000", "--json", env=env).stdout)
        assert len({h["record_key"] for h in history if h["status"] == "succeeded"}) == expected
        runs = json.loads(ordersync(home, "recipe", "show", "demo", "--json", env=env).stdout)
        assert runs["last_run"]["status"] != "running"
    finally:
        server.terminate()
        server.communicate(timeout=30)


POSTGRES = os.environ.get("ORDERSYNC_TEST_POSTGRES_URL")


@pytest.mark.slow
@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (ORDERSYNC_TEST_POSTGRES_URL unset)")
def test_two_workers_on_two_data_directories_share_one_postgresql(tmp_path: Path) -> None:
    import psycopg

    assert POSTGRES is not None
    database = f"ordersync_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    shared = POSTGRES.rsplit("/", 1)[0] + f"/{database}"
    sandbox_home = tmp_path / "sandbox-home"
    server, url = serve_sandbox(sandbox_home, "--hubspot-limit", "0")
    homes = [tmp_path / "a", tmp_path / "b"]
    envs = [cli_env(home, ORDERSYNC_DATABASE_URL=shared) for home in homes]
    try:
        for home in homes:  # both machines reach the same sandbox apps
            (home / "sandbox").mkdir(parents=True)
            (home / "sandbox" / "serve.json").write_text((sandbox_home / "sandbox" / "serve.json").read_text())
        add_sandbox_accounts(homes[0], env=envs[0])
        import_demo_recipe(homes[0], "demo", "--enable", env=envs[0])
        expected = _seed_and_fulfil(homes[0], url, envs[0])

        workers = [start(home, "worker", "--refresh", "1", env=env) for home, env in zip(homes, envs, strict=True)]
        _wait_for_writes(url, expected, processes=workers)
        outputs = [_stop(worker) for worker in workers]
        assert all("1 recipe(s) scheduled (demo)" in out for out in outputs)
        _assert_each_deal_written_once(url, expected)
    finally:
        server.terminate()
        server.communicate(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
