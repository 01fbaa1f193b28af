"""Peer harness (issue 15): OrderSync beside a plain httpx script doing the same reads and writes.

    python bench/peer.py                 # 10,000 orders, 3 rounds, contenders alternated
    python bench/peer.py --orders 2000 --rounds 1

The work: N fulfilled orders read with the Shopify connector's own query and page size, mapped as the
demo recipe (``recipes/shopify-fulfilled-to-hubspot-deal-stage.yaml``), written to the sandbox HubSpot
emulator (no rate limit) as batch updates of 100 deals by ``idProperty``.

The source is *replayed*: the Shopify pages are recorded once from the sandbox and served byte-identically
by a small loopback proxy (``Replay``), so the emulator's own GraphQL work caps no contender. The proxy
passes every other request (HubSpot) on to the sandbox. Pages are keyed by the query's variables (search
string, ``first``, ``after``): each contender's reads are recorded in one unmeasured warm-up run of it,
then replayed; a request that was not recorded goes to the sandbox and is counted as a miss.

Contenders, each a subprocess measured with ``wait4`` (wall time, user+system CPU, peak RSS):

* ``ordersync``: the real CLI, ``python -m ordersync_app run bench --json``, as shipped (its own pacing,
  the account's plan, start-up and keyring included), in a fresh data directory per round;
* ``httpx``: this file's ``--baseline`` mode, the same reads and writes with one ``httpx.Client``, not durable;
* ``node-red``: only when ``node-red`` is on PATH (otherwise skipped, and the reason printed).

Also measured: ``ordersync run`` with nothing to do (start-up cost), after each OrderSync round.
Rounds alternate the contenders' order; medians of the rounds are printed with the ratios.
Figures, not assertions: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"
HUBSPOT_TOKEN = "sandbox-hubspot-token"  # the sandbox's public demo credentials
SHOPIFY_TOKEN = "sandbox-shopify-token"
GRAPHQL = "/shopify/admin/api/2025-10/graphql.json"
DEALS_BATCH = "/hubspot/crm/v3/objects/0-3/batch/update"
STAGES = {"FULFILLED": "shipped", "PARTIALLY_FULFILLED": "processed"}


class Replay:
    """A loopback proxy in front of the sandbox: Shopify ``Orders`` pages are recorded on first sight and then
    served byte-identically (keyed by page size and ``after``); every other request goes to the sandbox."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.pages: dict[tuple[Any, ...], tuple[int, bytes]] = {}
        self.recording = True
        self.misses = 0
        self.served = 0
        self._client = httpx.Client(timeout=600)
        self._lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                pass

            def _forward(self, method: str, body: bytes | None) -> tuple[int, bytes, str]:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection", "accept-encoding")}
                with replay._lock:  # the sandbox is one process; one call at a time keeps it simple
                    answer = replay._client.request(method, replay.upstream + self.path, content=body,
                                                    headers=headers)
                return answer.status_code, answer.content, answer.headers.get("content-type", "application/json")

            def _reply(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._reply(*self._forward("GET", None))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = replay.page_key(self.path, body)
                if key is None:
                    self._reply(*self._forward("POST", body))
                    return
                found = replay.pages.get(key)
                if found is None:
                    status, content, kind = self._forward("POST", body)
                    if replay.recording and status == 200:
                        replay.pages[key] = (status, content)
                    else:
                        replay.misses += 1
                    self._reply(status, content, kind)
                    return
                replay.served += 1
                self._reply(found[0], found[1], "application/json")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, name="replay", daemon=True).start()

    @staticmethod
    def page_key(path: str, body: bytes) -> tuple[Any, ...] | None:
        if not path.endswith("/graphql.json"):
            return None
        try:
            sent = json.loads(body)
        except ValueError:
            return None
        if "query Orders(" not in str(sent.get("query")):
            return None
        variables = sent.get("variables") or {}
        return (variables.get("first"), variables.get("after"), variables.get("query"))

    def close(self) -> None:
        self.server.shutdown()
        self._client.close()


# -- the plain httpx contender ----------------------------------------------------------------------------------
def orders_document() -> str:
    from ordersync_app.connectors.shopify import OPS

    return OPS["Orders"]


def baseline(url: str, page_size: int) -> dict[str, Any]:
    """Read every page, map each order as the demo recipe, write 100 deals per batch update."""
    document = orders_document()
    written = calls = 0
    pending: list[dict[str, Any]] = []
    with httpx.Client(base_url=url, timeout=120) as client:
        def flush() -> None:
            nonlocal written, calls
            answer = client.post(DEALS_BATCH, json={"inputs": pending},
                                 headers={"Authorization": f"Bearer {HUBSPOT_TOKEN}"})
            answer.raise_for_status()
            written += len(answer.json().get("results") or [])
            calls += 1
            pending.clear()

        after = None
        while True:
            variables = {"first": page_size, "after": after, "sortKey": "UPDATED_AT",
                         "query": "fulfillment_status:shipped"}
            page = client.post(GRAPHQL, json={"query": document, "variables": variables},
                               headers={"X-Shopify-Access-Token": SHOPIFY_TOKEN})
            page.raise_for_status()
            orders = page.json()["data"]["orders"]
            for node in orders["nodes"]:
                status = node["displayFulfillmentStatus"]
                if status not in STAGES:
                    continue
                city = (node.get("shippingAddress") or {}).get("city")
                pending.append({"id": str(node["legacyResourceId"]), "idProperty": "shopify_order_id",
                                "properties": {"dealstage": STAGES.get(status, "processed"),
                                               "description": f"Shipped {node['name']} to {city}"}})
                if len(pending) == 100:
                    flush()
            if not orders["pageInfo"]["hasNextPage"]:
                break
            after = orders["pageInfo"]["endCursor"]
        if pending:
            flush()
    return {"records": written, "write_calls": calls}


# -- measuring a contender ----------------------------------------------------------------------------------------
def measure(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``argv`` to completion; wall seconds, CPU seconds (user + system) and peak RSS (MB), its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{argv[2:5]} exited {proc.returncode}: {stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "stdout": stdout}


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSYNC_")}
    env.update(ORDERSYNC_HOME=str(home), ORDERSYNC_KEYRING_PASSPHRASE="bench-passphrase",
               QT_QPA_PLATFORM="offscreen")
    return env


def ordersync(home: Path, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "ordersync_app", *args], env=cli_env(home), capture_output=True,
                          text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ordersync {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


def fresh_home(base: Path, n: int, replay_url: str) -> Path:
    """A new data directory whose ``sandbox://`` accounts reach the replay proxy, with the demo recipe."""
    home = base / f"ordersync-{n}"
    (home / "sandbox").mkdir(parents=True)
    (home / "sandbox" / "serve.json").write_text(json.dumps({"pid": os.getpid(), "url": replay_url}), "utf-8")
    for name, connector in (("shop", "shopify"), ("crm", "hubspot")):
        ordersync(home, "account", "add", name, "--connector", connector, "--base-url", f"sandbox://{connector}")
    ordersync(home, "recipe", "import", str(TEMPLATE), "--bind", "shop=shop", "--bind", "crm=crm", "--name", "bench",
              "--start", "everything")
    return home


def run_ordersync(base: Path, n: int, replay_url: str) -> dict[str, Any]:
    home = fresh_home(base, n, replay_url)
    env = cli_env(home)
    found = measure([sys.executable, "-m", "ordersync_app", "run", "bench", "--json"], env)
    summary = json.loads(found["stdout"])
    idle = measure([sys.executable, "-m", "ordersync_app", "run", "bench", "--json"], env)
    shutil.rmtree(home, ignore_errors=True)
    return {"records": summary["succeeded"], "failed": summary["failed"], "wall": found["wall"], "cpu": found["cpu"],
            "rss_mb": found["rss_mb"], "run_seconds": summary.get("seconds"),
            "idle_wall": idle["wall"], "idle_cpu": idle["cpu"], "idle_rss_mb": idle["rss_mb"]}


def run_baseline(replay_url: str, page_size: int) -> dict[str, Any]:
    found = measure([sys.executable, str(Path(__file__).resolve()), "--baseline", replay_url,
                     "--page-size", str(page_size)], dict(os.environ))
    figures = json.loads(found["stdout"])
    return {"records": figures["records"], "failed": 0, "wall": found["wall"], "cpu": found["cpu"],
            "rss_mb": found["rss_mb"]}


def node_red_note() -> str | None:
    """Why Node-RED is skipped (None when it could run)."""
    if shutil.which("node-red") is None:
        node = shutil.which("node")
        return f"node-red is not installed (node: {node or 'not installed'}); skipped"
    return "node-red is installed but no flow is bundled with this harness yet; skipped"


def page_size() -> int:
    from ordersync_app.connectors.shopify import CONNECTOR

    trigger = CONNECTOR.trigger("order_fulfilled")
    assert trigger is not None
    return trigger.page_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--page-size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        print(json.dumps(baseline(args.baseline, args.page_size)))
        return 0

    base = Path(tempfile.mkdtemp(prefix="ordersync-peer-"))
    sandbox_home = base / "sandbox-home"
    env = cli_env(sandbox_home)
    server = subprocess.Popen([sys.executable, "-m", "ordersync_app", "sandbox", "serve", "--port", "0",
                               "--hubspot-limit", "0", "--shopify-plan", "unmetered"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    replay: Replay | None = None
    try:
        marker = sandbox_home / "sandbox" / "serve.json"
        while True:
            if marker.exists():
                url = json.loads(marker.read_text())["url"]
                try:
                    httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=2).raise_for_status()
                    break
                except httpx.HTTPError:
                    pass
            if server.poll() is not None:
                raise RuntimeError(server.stderr.read() if server.stderr else "the sandbox died")
            time.sleep(0.1)
        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{args.orders + 20}", timeout=3600).raise_for_status()
        ordersync(sandbox_home, "sandbox", "fulfil", "--count", str(args.orders))
        replay = Replay(url)
        size = page_size()
        recorded = baseline(replay.url, size)  # the recording passes (through the proxy, not measured)
        warm = run_ordersync(base, -1, replay.url)
        replay.recording = False
        print(f"recorded {len(replay.pages)} Shopify pages ({size} orders each) for {recorded['records']} / "
              f"{warm['records']} records", file=sys.stderr)

        results: dict[str, list[dict[str, Any]]] = {"ordersync": [], "httpx": []}
        for n in range(args.rounds):
            order = ["ordersync", "httpx"] if n % 2 == 0 else ["httpx", "ordersync"]
            for name in order:
                found = run_ordersync(base, n, replay.url) if name == "ordersync" else run_baseline(replay.url, size)
                results[name].append(found)
                print(f"round {n + 1} {name}: {found['records']} records in {found['wall']:.2f} s, "
                      f"CPU {found['cpu']:.2f} s, RSS {found['rss_mb']:.0f} MB", file=sys.stderr)

        def med(name: str, key: str) -> float:
            return statistics.median(r[key] for r in results[name])

        table: dict[str, dict[str, Any]] = {}
        for name, rows in results.items():
            records = rows[0]["records"]
            table[name] = {"records": records, "seconds": round(med(name, "wall"), 2),
                           "records_per_s": round(statistics.median(r["records"] / r["wall"] for r in rows), 1),
                           "cpu_ms_per_record": round(statistics.median(1000 * r["cpu"] / max(r["records"], 1)
                                                                        for r in rows), 3),
                           "peak_rss_mb": round(med(name, "rss_mb"), 1)}
        table["ordersync"].update(
            run_phase_s=round(med("ordersync", "run_seconds"), 2), failed=results["ordersync"][0]["failed"],
            startup_idle_wall_s=round(med("ordersync", "idle_wall"), 2),
            startup_idle_cpu_s=round(med("ordersync", "idle_cpu"), 2),
            startup_idle_rss_mb=round(med("ordersync", "idle_rss_mb"), 1))
        report = {
            "orders": args.orders, "rounds": args.rounds, "page_size": size, "contenders": table,
            "ratio_records_per_s": round(table["ordersync"]["records_per_s"] / table["httpx"]["records_per_s"], 3),
            "ratio_cpu_per_record": round(table["ordersync"]["cpu_ms_per_record"]
                                          / table["httpx"]["cpu_ms_per_record"], 2),
            "replay": {"pages": len(replay.pages), "served": replay.served, "misses": replay.misses},
            "node_red": node_red_note(),
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }
        print(json.dumps(report, indent=2))
        return 0
    finally:
        if replay is not None:
            replay.close()
        server.terminate()
        server.communicate(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
