"""The template "Shopify order → Salesforce opportunity" end to end in the sandbox, through the real
``ordersync`` command: N orders in, N effective writes counted by the emulator, a re-run writes nothing,
and runs SIGKILLed in the middle of their batches, then run again, write nothing twice."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest
from tests.e2e.helpers import cli_env, counters, ordersync, serve_sandbox, start

TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-order-to-salesforce-opportunity.yaml"
FIRST, MORE = 300, 900  # orders 1–60 already have an opportunity (updated), the others are created


def opportunities(url: str) -> list[str]:
    """The Shopify order ids held by the org's opportunities (one entry per opportunity)."""
    token = httpx.post(f"{url}/salesforce/services/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "sandbox-salesforce-consumer-key",
        "refresh_token": "sandbox-salesforce-refresh-token"}, timeout=10).json()["access_token"]
    found = httpx.get(f"{url}/salesforce/services/data/v62.0/query", headers={"Authorization": f"Bearer {token}"},
                      params={"q": "SELECT Id, Shopify_Order_Id__c FROM Opportunity"}, timeout=30).json()
    return [r["Shopify_Order_Id__c"] for r in found["records"] if r["Shopify_Order_Id__c"]]


@pytest.mark.slow
def test_each_order_lands_once_through_reruns_and_kills(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = cli_env(home, ORDERSYNC_HTTP_TIMEOUT="3", ORDERSYNC_RETRY_SCHEDULE=",".join(["1"] * 30))
    server, url = serve_sandbox(home)
    try:
        httpx.post(f"{url}/_sandbox/shopify/seed/{FIRST}", timeout=120).raise_for_status()
        for name, connector in (("shop", "shopify"), ("crm", "salesforce")):
            added = ordersync(home, "account", "add", name, "--connector", connector, "--base-url",
                              f"sandbox://{connector}", env=env)
            assert added.returncode == 0, added.stderr
        recipe = tmp_path / "orders.yaml"
        recipe.write_text(TEMPLATE.read_text("utf-8").replace("start: now", "start: everything"), "utf-8")
        imported = ordersync(home, "recipe", "import", str(recipe), "--bind", "shop=shop", "--bind", "crm=crm",
                             "--name", "orders", env=env)
        assert imported.returncode == 0, imported.stderr
        httpx.post(f"{url}/_sandbox/salesforce/reset-counters", timeout=10).raise_for_status()

        done = ordersync(home, "run", "orders", "--json", env=env, timeout=300)
        assert done.returncode == 0, done.stderr
        first = json.loads(done.stdout)
        assert (first["seen"], first["writes"], first["failed"]) == (FIRST, FIRST, 0)
        writes = counters(url, "salesforce")["opportunity_writes"]
        assert len(writes) == FIRST and set(writes.values()) == {1}

        again = json.loads(ordersync(home, "run", "orders", "--json", env=env, timeout=300).stdout)
        assert (again["seen"], again["writes"]) == (0, 0)
        assert counters(url, "salesforce")["opportunity_writes"] == writes  # a re-run writes nothing

        httpx.post(f"{url}/_sandbox/shopify/seed/{FIRST + MORE}", timeout=120).raise_for_status()
        kills = 0
        for _ in range(4):  # kill each run as soon as one of its batches has landed
            landed = len(counters(url, "salesforce")["opportunity_writes"])
            proc = start(home, "run", "orders", "--json", env=env)
            while proc.poll() is None and len(counters(url, "salesforce")["opportunity_writes"]) == landed:
                pass  # polling the emulator's counters: the kill waits for progress, not for a time
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=60)
        final: dict = {}
        for _ in range(20):  # then run until nothing is left to do (records a kill left in flight are verified)
            done = ordersync(home, "run", "orders", "--json", env=env, timeout=300)
            final = json.loads(done.stdout)
            waiting = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json", env=env).stdout)
            if final["seen"] == 0 and not [h for h in waiting if h["status"] == "retrying"]:
                break
        assert final["seen"] == 0 and final["failed"] == 0
        assert kills >= 2, "the runs finished before they could be interrupted; raise MORE"
        writes = counters(url, "salesforce")["opportunity_writes"]
        assert len(writes) == FIRST + MORE
        assert set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        held = opportunities(url)
        assert len(held) == len(set(held)) == FIRST + MORE
    finally:
        server.terminate()
        server.communicate(timeout=30)
