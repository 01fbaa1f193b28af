"""``ordersync worker``: runs enabled recipes on schedule, one per data directory, stops cleanly."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

from tests.e2e.helpers import add_sandbox_accounts, import_demo_recipe, ordersync, serve_sandbox, start


def test_worker_syncs_enabled_recipes_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, _url = serve_sandbox(home)
    try:
        add_sandbox_accounts(home)
        import_demo_recipe(home, "orders", "--enable")
        assert ordersync(home, "sandbox", "fulfil", "--count", "3").returncode == 0
        worker = start(home, "worker", "--refresh", "1")
        deadline = time.monotonic() + 60
        moved = []
        while time.monotonic() < deadline and len(moved) < 3:
            history = ordersync(home, "history", "orders", "--json")
            moved = [h for h in json.loads(history.stdout or "[]") if h["status"] == "succeeded"]
            time.sleep(0.5)
        assert len(moved) == 3

        second = ordersync(home, "worker")  # the data directory is already scheduled
        assert second.returncode == 2
        assert "already scheduled" in second.stderr

        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        assert "1 recipe(s) scheduled (orders)" in out
        assert "stopped cleanly" in out
    finally:
        server.terminate()
        server.communicate(timeout=30)
