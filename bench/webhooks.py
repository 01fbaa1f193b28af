"""Latency from a change in the shop to the write in the CRM: instant (webhook) triggers beside polling.

Side by side in one run, on the sandbox apps (own process) and real ``ordersync worker`` processes:

* ``webhooks``: ``worker --listen`` with the Shopify subscription registered; the sandbox shop pushes a signed
  ``orders/fulfilled`` delivery for each shipment.
* ``polling 10 s``: the same recipe polled every 10 s (the floor), no listener.

The warehouse ships ``--orders`` orders at a steady ``--rate`` per second. Latency per order is the deal's
``hs_lastmodifieddate`` (the emulator stamps our write) minus the moment the sandbox shipped the order (its
delivery's ``changed_at``; for polling the fulfilment's own time), both on this machine's clock.

    python bench/webhooks.py --orders 300 --rate 5
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).parents[1]
DEMO = ROOT / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
HUBSPOT = {"Authorization": "Bearer sandbox-hubspot-token"}


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSYNC_")}
    env.update(ORDERSYNC_HOME=str(home), ORDERSYNC_KEYRING_PASSPHRASE="bench", QT_QPA_PLATFORM="offscreen")
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ordersync_app", *args], env=_env(home), capture_output=True,
                          text=True, check=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait(condition: Any, timeout: float = 600) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise TimeoutError("condition not met")


def _serve(home: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "ordersync_app", "sandbox", "serve", "--port", "0",
                             "--hubspot-limit", "0"], env=_env(home), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, text=True)
    marker = home / "sandbox" / "serve.json"
    url = _wait(lambda: json.loads(marker.read_text())["url"] if marker.exists() else None, 60)
    _wait(lambda: httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=2).status_code == 200, 60)
    return proc, url


def _ship(url: str, count: int, rate: float) -> dict[str, float]:
    """Ship ``count`` orders one at a time at ``rate`` per second; order id → when it was shipped (epoch s)."""
    from ordersync_app.sandbox.warehouse import fulfil_orders

    shipped: dict[str, float] = {}
    for _ in range(count):
        started = time.time()
        names = fulfil_orders(f"{url}/shopify", 1)
        if names:
            shipped[str(5000 + int(names[0].lstrip("#")) - 1000)] = started
        time.sleep(max(0.0, 1 / rate - (time.time() - started)))
    return shipped


def _deal_times(url: str, ids: set[str]) -> dict[str, float]:
    """Order id → when its deal was last written (the emulator's hs_lastmodifieddate), for shipped deals."""
    found: dict[str, float] = {}
    after = "0"
    while True:
        page = httpx.post(f"{url}/hubspot/crm/v3/objects/0-3/search", headers=HUBSPOT, timeout=30, json={
            "filterGroups": [{"filters": [{"propertyName": "dealstage", "operator": "EQ", "value": "shipped"}]}],
            "properties": ["shopify_order_id", "hs_lastmodifieddate"], "limit": 100, "after": after,
            "sorts": []}).json()
        for deal in page["results"]:
            order = deal["properties"].get("shopify_order_id")
            if order in ids:
                stamp = deal["properties"]["hs_lastmodifieddate"].replace("Z", "+00:00")
                found[order] = datetime.fromisoformat(stamp).timestamp()
        after = ((page.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return found


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def measure(mode: str, orders: int, rate: float) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"bench-{mode}-"))
    server, url = _serve(home)
    worker: subprocess.Popen[str] | None = None
    try:
        httpx.post(f"{url}/_sandbox/shopify/seed/{orders + 20}", timeout=120).raise_for_status()
        httpx.post(f"{url}/_sandbox/hubspot/seed/{orders + 20}", timeout=120).raise_for_status()
        for name, connector in (("shop", "shopify"), ("crm", "hubspot")):
            _cli(home, "account", "add", name, "--connector", connector, "--base-url", f"sandbox://{connector}")
        text = DEMO.read_text("utf-8").replace("every: 1m", "every: 10s")
        recipe = home / "recipe.yaml"
        recipe.write_text(text, "utf-8")
        _cli(home, "recipe", "import", str(recipe), "--bind", "shop=shop", "--bind", "crm=crm", "--name", "stage",
             "--enable")
        args = ["worker", "--refresh", "2"]
        port = _free_port()
        if mode == "webhooks":
            args += ["--listen", f"127.0.0.1:{port}"]
        with (home / "worker.log").open("w") as log:
            worker = subprocess.Popen([sys.executable, "-m", "ordersync_app", *args], env=_env(home), stdout=log,
                                      stderr=log, text=True)
        if mode == "webhooks":
            _wait(lambda: _healthy(port) or worker.poll() is not None, 60)
            _cli(home, "webhooks", "register", "shop", "--url", f"http://127.0.0.1:{port}")
        time.sleep(3)  # let the first (empty) poll pass
        shipped = _ship(url, orders, rate)
        ids = set(shipped)
        written = _wait(lambda: (lambda d: d if len(d) >= len(ids) else None)(_deal_times(url, ids)), 900)
        latencies = [written[i] - shipped[i] for i in ids]
        return {"mode": mode, "orders": len(ids), "p50_s": round(statistics.median(latencies), 2),
                "p95_s": round(_p(latencies, 95), 2), "max_s": round(max(latencies), 2)}
    finally:
        if worker is not None and worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--rate", type=float, default=5.0, help="shipments per second")
    args = parser.parse_args()
    results = [measure(mode, args.orders, args.rate) for mode in ("webhooks", "polling")]
    print("| trigger | orders | p50 | p95 | max |\n|---|---|---|---|---|")
    for r in results:
        label = "webhooks (worker --listen)" if r["mode"] == "webhooks" else "polling every 10 s"
        print(f"| {label} | {r['orders']} | {r['p50_s']} s | {r['p95_s']} s | {r['max_s']} s |")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
