"""Instant triggers end to end: the sandbox shop pushes 1,000 signed ``orders/fulfilled`` webhooks to
``ordersync worker --listen``; 20 forged, replayed and unsigned ones store nothing (forged and unsigned are
refused, replays acknowledged without storing, as a vendor's retry must be); the worker is killed while
committed deliveries wait in its inbox, restarted, and every deal is written once."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.helpers import add_sandbox_accounts, cli_env, counters, import_demo_recipe, ordersync, serve_sandbox

from ordersync_app.connectors.sdk.webhooks import sign
from ordersync_app.sandbox.shopify import CLIENT_SECRET
from ordersync_app.sandbox.warehouse import fulfil_orders

ORDERS = 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(what: str, condition: Callable[[], Any], timeout: float = 300) -> Any:
    """Poll ``condition`` until it is truthy (a readiness wait; the timeout only ends a hung test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _inbox(home: Path) -> tuple[int, int]:
    """(deliveries stored, the recipe's processed inbox position) read from the worker's database."""
    with sqlite3.connect(home / "ordersync.db", timeout=30) as con:
        stored = con.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM webhook_inbox").fetchone()
        position = con.execute("SELECT COALESCE(MAX(inbox_id), 0) FROM cursors").fetchone()[0]
    return int(stored[0]), int(stored[1]) - int(position)


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _worker(home: Path, port: int) -> subprocess.Popen[str]:
    """``ordersync worker --listen``, its output to a file (a pipe nobody reads would fill and block it)."""
    with (home.parent / "worker.log").open("a") as log:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "ordersync_app", "worker", "--refresh", "1", "--listen",
                                 f"127.0.0.1:{port}"], env=cli_env(home), stdout=log, stderr=log, text=True)
    _wait("the listener", lambda: _healthy(f"http://127.0.0.1:{port}") or proc.poll() is not None, 60)
    assert proc.poll() is None, (home.parent / "worker.log").read_text()
    return proc


def _statuses(home: Path) -> dict[str, int]:
    """How many records of the recipe are in each status (the run history's latest word per record)."""
    with sqlite3.connect(home / "ordersync.db", timeout=30) as con:
        return dict(con.execute("SELECT status, COUNT(*) FROM executions GROUP BY status").fetchall())


def _writes(url: str) -> dict[str, int]:
    """Every write call per deal, no-op writes included: a repeat is a duplicate even with the same value."""
    seen = counters(url, "hubspot")
    out: dict[str, int] = {}
    for kind in ("deal_writes", "deal_noop"):
        for deal, n in seen.get(kind, {}).items():
            out[deal] = out.get(deal, 0) + n
    return out


@pytest.mark.slow
def test_a_thousand_signed_webhooks_are_each_written_once_through_a_kill(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    worker: subprocess.Popen[str] | None = None
    try:
        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{ORDERS + 20}", timeout=120).raise_for_status()
        add_sandbox_accounts(home)
        import_demo_recipe(home, "orders", "--enable")
        worker = _worker(home, port)
        registered = ordersync(home, "webhooks", "register", "shop", "--url", base, "--json")
        assert registered.returncode == 0, registered.stderr
        assert [r["topic"] for r in json.loads(registered.stdout)] == ["orders/fulfilled"]
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()

        shipped: list[str] = []
        warehouse = threading.Thread(target=lambda: shipped.extend(fulfil_orders(f"{url}/shopify", ORDERS)))
        warehouse.start()
        # Kill the worker while deliveries it has answered 200 for (committed) still wait unprocessed.
        _stored, waiting = _wait("deliveries waiting in the inbox",
                                lambda: (lambda s, w: (s, w) if s >= 300 and w > 0 else None)(*_inbox(home)))
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert waiting > 0, "nothing was waiting between the inbox commit and processing"

        # While it is down: forged, unsigned and replayed deliveries, then the restarted worker gets them too.
        worker = _worker(home, port)
        sent = httpx.get(f"{url}/_sandbox/shopify/webhooks", timeout=30).json()["deliveries"]
        hook = f"{base}/hooks/shop/orders/fulfilled"
        answers = []
        for n in range(20):
            body = json.dumps({"id": 900000 + n}).encode()
            if n < 7:  # unsigned
                headers = {"X-Shopify-Webhook-Id": f"forged-{n}"}
            elif n < 14:  # signed with a guessed secret
                headers = {"X-Shopify-Hmac-Sha256": sign("shopify", "guess", body), "X-Shopify-Webhook-Id": f"f{n}"}
            else:  # a real delivery replayed byte for byte, with its id and signature
                real = next(d for d in sent[n:] if d["status"] == 200)
                body = json.dumps(real["body"], ensure_ascii=False).encode()
                headers = {"X-Shopify-Hmac-Sha256": sign("shopify", CLIENT_SECRET, body),
                           "X-Shopify-Webhook-Id": real["delivery_id"]}
            answers.append(httpx.post(hook, content=body, headers=headers, timeout=30).status_code)
        assert answers == [401] * 14 + [200] * 6  # a replay is acknowledged, as a vendor's retry must be

        warehouse.join(timeout=600)
        assert len(shipped) == ORDERS
        writes = _wait("every deal written", lambda: (lambda w: w if len(w) >= ORDERS else None)(_writes(url)))
        deliveries = _wait("every delivery answered", lambda: (lambda d: d if all(
            x["answered_at"] for x in d) else None)(httpx.get(f"{url}/_sandbox/shopify/webhooks").json()["deliveries"]))
        assert len(deliveries) == ORDERS and {d["status"] for d in deliveries} == {200}
        assert _inbox(home)[0] == ORDERS  # the forged and replayed ones stored nothing
        assert len(writes) == ORDERS and set(writes.values()) == {1}, {k: v for k, v in writes.items() if v != 1}
        # A record whose write landed just now, or before the kill with its answer lost, is settled by the run that
        # sent or checks it: the history says succeeded once that run has committed.
        settled = _wait("every record settled", lambda: _statuses(home).get("succeeded", 0) >= ORDERS or None, 120)
        assert settled and _statuses(home) == {"succeeded": ORDERS}, _statuses(home)
        history = json.loads(ordersync(home, "history", "orders", "--limit", "5000", "--json").stdout)
        assert len({h["record_key"] for h in history if h["status"] == "succeeded"}) == ORDERS
        status = ordersync(home, "webhooks", "status", "--json")
        assert status.returncode == 0 and json.loads(status.stdout)["shop"]["quiet"] == []
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        server.terminate()
        server.communicate(timeout=30)
