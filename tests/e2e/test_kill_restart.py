"""SIGKILL ``ordersync run`` at random moments during a 500-order run, run again, repeat: in the end
every fulfilled order's deal is in the right stage and the CRM received each write exactly once."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import (
    KILL_ENV,
    add_sandbox_accounts,
    cli_env,
    counters,
    import_demo_recipe,
    ordersync,
    run_until_quiet,
    serve_sandbox,
    start,
)

from ordersync_app.sandbox import demo_data

ORDERS = 500


@pytest.mark.slow
def test_kill_and_rerun_delivers_each_write_exactly_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home)
    rng = random.Random(20261125)
    try:
        httpx.post(f"{url}/_sandbox/hubspot/seed/{ORDERS + 20}", timeout=120).raise_for_status()
        httpx.post(f"{url}/_sandbox/shopify/seed/{ORDERS + 20}", timeout=120).raise_for_status()
        add_sandbox_accounts(home)
        import_demo_recipe(home, "orders")
        fulfilled = ordersync(home, "sandbox", "fulfil", "--count", str(ORDERS), timeout=300)
        assert fulfilled.returncode == 0, fulfilled.stderr
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()

        kills = 0
        for _ in range(8):
            proc = start(home, "run", "orders", "--json", env=cli_env(home, **KILL_ENV))
            time.sleep(rng.uniform(0.3, 2.5))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=60)
        final = run_until_quiet(home, "orders", cli_env(home, **KILL_ENV))
        assert final["seen"] == 0 and final["failed"] == 0
        assert kills >= 3, "the run finished too fast to be interrupted; raise ORDERS"

        seen = counters(url, "hubspot")  # a write that set the same value again is a duplicate too
        writes = Counter(seen.get("deal_writes", {})) + Counter(seen.get("deal_noop", {}))
        assert len(writes) == ORDERS, f"{len(writes)} deals written, expected {ORDERS}"
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        shipped = httpx.post(
            f"{url}/hubspot/crm/v3/objects/0-3/search",
            headers={"Authorization": "Bearer sandbox-hubspot-token"},
            json={"filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "shipped"}]}],
                  "limit": 1, "after": "0", "properties": ["dealstage"], "sorts": []}, timeout=30).json()
        # 10 demo orders were shipped before the demo starts; the warehouse shipped ORDERS more.
        assert shipped["total"] == ORDERS + 10
        history = json.loads(ordersync(home, "history", "orders", "--limit", "2000", "--json").stdout)
        assert len({h["record_key"] for h in history if h["status"] == "succeeded"}) == ORDERS
        assert demo_data.ORDER_ID_PROPERTY
    finally:
        server.terminate()
        server.communicate(timeout=30)
