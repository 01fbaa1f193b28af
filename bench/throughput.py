"""Throughput benchmark: N fulfilled orders through the demo recipe into the HubSpot sandbox.

    python bench/throughput.py --orders 10000              # HubSpot's Starter window: 100 req / 10 s
    python bench/throughput.py --orders 10000 --no-limit   # no rate limit: the engine's own overhead

The sandbox apps run in their own process (``ordersync sandbox serve``), so the CPU and memory
figures are the engine's alone. The shop is "unmetered" and the shop account's limiter is lifted,
so the figures measure the CRM side; the rate-limit bound is HubSpot's window × batch size.
Reported: records/s, the bound, the ratio, p50/p95 sync latency, peak RSS, CPU s per 1,000
records, 429s received. Figures, not assertions: the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--no-limit", action="store_true", help="HubSpot emulator without a rate limit")
    parser.add_argument("--window-requests", type=int, default=100, help="HubSpot requests per 10 s")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="ordersync-bench-"))
    os.environ["ORDERSYNC_HOME"] = str(home)
    limit = 0 if args.no_limit else args.window_requests
    env = dict(os.environ, ORDERSYNC_HOME=str(home))
    server = subprocess.Popen([sys.executable, "-m", "ordersync_app", "sandbox", "serve", "--port", "0",
                               "--hubspot-limit", str(limit), "--shopify-plan", "unmetered"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marker = home / "sandbox" / "serve.json"
        while not marker.exists():
            time.sleep(0.1)
        url = json.loads(marker.read_text())["url"]
        while True:
            try:
                httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        from ordersync_app.connectors.sdk import http
        from ordersync_app.connectors.sdk.spec import RateLimit
        from ordersync_app.services import accounts, recipes, runs, sandbox, stats

        setup_started = time.monotonic()
        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{args.orders + 20}", timeout=3600).raise_for_status()
        accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
        accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
        recipes.import_recipe(TEMPLATE, {"shop": "shop", "crm": "crm"}, name="bench", enable=True)
        sandbox.fulfil(args.orders)
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=60).raise_for_status()
        setup_seconds = time.monotonic() - setup_started
        # Lift the shop's pacing: this benchmark measures the CRM side and the engine.
        unmetered = http.RateLimiter(RateLimit(1_000_000, 1.0))
        # The CRM account is told the emulator's window, as a plan setting would tell it a real portal's.
        crm = unmetered if args.no_limit else http.RateLimiter(RateLimit(args.window_requests, 10.0))
        http.limiter_for = lambda account, limit: unmetered if account == "shop" else crm

        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        summary = runs.run_recipe("bench")
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        figures = stats.stats("bench", days=1)["recipes"][0]
        run = runs.runs("bench", limit=1)[0]
        api = run["api"]
        writes = httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=60).json()
        calls = sum(v for k, v in writes.get("call", {}).items())
        rate = summary.succeeded / wall if wall else 0.0
        bound = None if args.no_limit else args.window_requests / 10 * 100
        # A sliding window lets the first W calls through at once; only later calls wait for it.
        window_floor = None if args.no_limit else max(0, calls - args.window_requests) / (args.window_requests / 10)
        result = {
            "orders": args.orders, "hubspot_window": "none" if args.no_limit else f"{args.window_requests}/10 s",
            "batch_size": 100, "succeeded": summary.succeeded, "failed": summary.failed,
            "seconds": round(wall, 2), "records_per_s": round(rate, 1),
            "bound_records_per_s": bound, "ratio": round(rate / bound, 3) if bound else None,
            "window_floor_seconds": window_floor,
            "latency_p50_s": figures.get("latency_p50_s"), "latency_p95_s": figures.get("latency_p95_s"),
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
            "cpu_s_per_1000": round(cpu / max(summary.succeeded, 1) * 1000, 3),
            "hubspot_write_calls": calls, "throttled_429": api.get("crm", {}).get("throttled"),
            "setup_seconds": round(setup_seconds, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }
        print(json.dumps(result, indent=2))
        return 0
    finally:
        server.terminate()
        server.communicate(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
