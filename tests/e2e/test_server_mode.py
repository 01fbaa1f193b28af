"""``ordersync worker`` as a server runs it: JSON log lines on stderr naming the recipe and run, and /healthz
reporting the database, the leases held and each recipe's last successful run."""

from __future__ import annotations

import json
import signal
import socket
import time
from pathlib import Path
from typing import Any

import httpx
from tests.e2e.helpers import add_sandbox_accounts, cli_env, import_demo_recipe, ordersync, serve_sandbox, start


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(base: str) -> dict[str, Any] | None:
    try:
        answer = httpx.get(f"{base}/healthz", timeout=2)
    except httpx.HTTPError:
        return None
    return answer.json() if answer.status_code == 200 else None


def test_worker_logs_json_lines_and_reports_health(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, _url = serve_sandbox(home)
    token = "test-passphrase"  # the keyring passphrase cli_env gives every test process
    try:
        add_sandbox_accounts(home)
        import_demo_recipe(home, "orders", "--enable")
        assert ordersync(home, "sandbox", "fulfil", "--count", "3").returncode == 0
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        worker = start(home, "worker", "--refresh", "1", "--listen", f"127.0.0.1:{port}", "--log-format", "json",
                       env=cli_env(home))
        deadline = time.monotonic() + 90  # a readiness wait: the first run's success shows in /healthz
        details = None
        while time.monotonic() < deadline and worker.poll() is None:
            details = _health(base)
            if details and "orders" in details["last_success"]:
                break
            time.sleep(0.2)
        assert details and "orders" in details["last_success"], details
        assert details["database"] == "ok"
        assert details["process"].count(":") == 2 and isinstance(details["leases"], list)

        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert "stopped cleanly" in out
        assert all(line.startswith("{") for line in err.splitlines() if line.strip()), err  # every line is JSON
        lines = [json.loads(line) for line in err.splitlines() if line.strip()]
        assert lines
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
        runs = [line for line in lines if line.get("recipe") == "orders" and isinstance(line.get("run_id"), int)]
        assert any(line["message"].startswith("scheduled run of orders: succeeded") for line in runs), lines
        assert token not in err
        file_lines = (home / "logs" / "ordersync.log").read_text("utf-8").splitlines()
        assert any(json.loads(line).get("recipe") == "orders" for line in file_lines if line.startswith("{"))
    finally:
        server.terminate()
        server.communicate(timeout=30)
