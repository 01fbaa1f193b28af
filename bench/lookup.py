"""Lookup benchmark: N fulfilled orders through a search-then-update recipe (find the deal, PATCH it).

    python bench/lookup.py --orders 2000

HubSpot limits CRM search to about 4–5 requests per second per token besides the ten-second window
(API-FACTS.md corrections); the sandbox HubSpot enforces 5 searches per rolling second and 100 requests per
10 s. Each record costs one search and one PATCH, so the bound is the search limit: 5 records/s. Reported:
records/s, the bound, the ratio, 429s OrderSync caused (the goal is 0), CPU and RSS. Figures, not assertions.
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

RECIPE = """\
format: ordersync-recipe
version: 1
name: Shipped → find the deal, then move it
accounts: {shop: shopify, crm: hubspot}
trigger: {account: shop, event: order_fulfilled, every: 1m, start: everything}
steps:
  - lookup:
      account: crm
      lookup: find_deal
      as: deal
      params: {property: {value: shopify_order_id}, value: {source: legacyResourceId}}
  - action:
      account: crm
      action: update_deal_by_id
      match: {source: steps.deal.id}
      fields: {dealstage: {value: delivered}}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=2000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="ordersync-lookup-bench-"))
    os.environ["ORDERSYNC_HOME"] = str(home)
    env = dict(os.environ, ORDERSYNC_HOME=str(home))
    server = subprocess.Popen([sys.executable, "-m", "ordersync_app", "sandbox", "serve", "--port", "0",
                               "--hubspot-limit", "100", "--hubspot-search-limit", "5", "--shopify-plan", "unmetered"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        marker = home / "sandbox" / "serve.json"
        while not marker.exists():
            time.sleep(0.1)
        url = json.loads(marker.read_text())["url"]
        from ordersync_app.services import accounts, recipes, runs, sandbox

        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{args.orders}", timeout=3600).raise_for_status()
        accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
        accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
        sandbox.fulfil(args.orders - 10)  # demo orders 1–10 are shipped already
        recipes.import_recipe(RECIPE, {"shop": "shop", "crm": "crm"}, name="lookup")
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        summary = runs.run_recipe("lookup")
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        api = runs.runs("lookup", limit=1)[0]["api"]["crm"]
        refused = httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=60).json().get("throttled", {})
        rate = summary.succeeded / wall if wall else 0.0
        print(json.dumps({
            "orders": args.orders, "succeeded": summary.succeeded, "failed": summary.failed,
            "retrying": summary.retrying, "seconds": round(wall, 1), "records_per_s": round(rate, 2),
            "bound_records_per_s": 5.0, "ratio": round(rate / 5.0, 3), "api_calls": api["calls"],
            "throttled_429": api["throttled"], "emulator_refused_searches": refused.get("search", 0),
            "cpu_s_per_1000": round(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
                                    / max(summary.succeeded, 1) * 1000, 3),
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }, indent=2))
        return 0
    finally:
        server.terminate()
        server.communicate(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
