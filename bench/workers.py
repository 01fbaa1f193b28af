"""How many recipes a worker carries: 1,000 enabled recipes polling the sandbox every minute, on one
``ordersync worker``, then shared by three workers (separate data directories, one PostgreSQL database).

Each recipe is the demo recipe (Shopify order fulfilled → HubSpot deal stage) with ``every: 1m``; nothing is
shipped meanwhile, so every run is what most runs of a quiet shop are: one poll that finds nothing, plus the
run's bookkeeping (lease, run row, cursor). Measured per setup over ``--seconds`` (default 130: the start-up
herd plus two more ticks):

* CPU share: the worker processes' CPU seconds (user + system, ``/proc``) over the wall time, in % of one core;
* RSS: the largest resident set of a worker process (sampled every second);
* schedule lag: for each run, its start minus the time it was due. A worker runs every recipe once when it starts
  (all 1,000 due at once: its first run's start), then each recipe at its turns: every 60 s at the recipe's own
  phase within the minute (``scheduler.jobs.phase``, the same on every worker, which serve each turn once between
  them); p50/p95/max over all runs (the start-up herd included), and over the steady turns only (turns due more
  than a minute after the start).

    python bench/workers.py [--recipes 1000] [--seconds 150] [--postgres postgresql+psycopg://…]

The database is a fresh one in the PostgreSQL server of ``--postgres`` (default: ``ORDERSYNC_TEST_POSTGRES_URL``),
dropped afterwards. Figures, not assertions: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.helpers import DEMO_TEMPLATE, cli_env, serve_sandbox  # noqa: E402

from ordersync_app.scheduler import jobs  # noqa: E402

SETUP = """
import sys
from pathlib import Path
from ordersync_app.services import accounts, recipes
accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
source = Path(sys.argv[1]).read_text("utf-8")
for k in range(int(sys.argv[2])):
    recipes.import_recipe(source, {"shop": "shop", "crm": "crm"}, name=f"r{k:04d}", enable=True)
"""


def _sql(url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return list(conn.execute(query, args).fetchall())


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(workers: int, recipes: int, seconds: float, admin_url: str, tmp: Path) -> dict[str, Any]:
    name = f"ordersync_bench_{uuid.uuid4().hex[:8]}"
    import psycopg

    admin = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = admin_url.rsplit("/", 1)[0] + f"/{name}"
    base = tmp / f"w{workers}"
    server, _url = serve_sandbox(base / "sandbox-home", "--hubspot-limit", "0", "--shopify-plan", "unmetered")
    procs: list[subprocess.Popen[str]] = []
    try:
        homes = [base / f"home{n}" for n in range(workers)]
        for home in homes:
            (home / "sandbox").mkdir(parents=True)
            (home / "sandbox" / "serve.json").write_text((base / "sandbox-home" / "sandbox" / "serve.json").read_text())
        recipe = base / "recipe.yaml"
        recipe.write_text(DEMO_TEMPLATE.read_text("utf-8").replace("every: 1m", "every: 60s"), "utf-8")
        started = time.monotonic()
        subprocess.run([sys.executable, "-c", SETUP, str(recipe), str(recipes)],
                       env=cli_env(homes[0], ORDERSYNC_DATABASE_URL=database), check=True, capture_output=True)
        print(f"  {recipes} recipes imported in {time.monotonic() - started:.0f} s", flush=True)

        ticks: dict[int, datetime] = {}  # pid → when the worker had scheduled every recipe (tick 0)
        cpu_start: dict[int, float] = {}

        def watch(proc: subprocess.Popen[str]) -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                if "recipe(s) scheduled" in line:
                    ticks[proc.pid] = datetime.now(UTC).replace(tzinfo=None)
        for home in homes:
            proc = subprocess.Popen([sys.executable, "-m", "ordersync_app", "worker", "--refresh", "30"],
                                    env=cli_env(home, ORDERSYNC_DATABASE_URL=database), stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, text=True)
            procs.append(proc)
            threading.Thread(target=watch, args=(proc,), daemon=True).start()
        # the measured window starts when every worker has scheduled its recipes
        deadline = time.monotonic() + 300
        while len(ticks) < workers and time.monotonic() < deadline:
            time.sleep(0.2)
        t0, wall0 = datetime.now(UTC).replace(tzinfo=None), time.monotonic()
        cpu_start = {p.pid: _cpu_seconds(p.pid) for p in procs}
        peak = 0.0
        while time.monotonic() - wall0 < seconds:
            peak = max([peak, *(_rss_mb(p.pid) for p in procs)])
            time.sleep(1)
        wall = time.monotonic() - wall0
        cpu = sum(_cpu_seconds(p.pid) - cpu_start[p.pid] for p in procs)
        end = t0 + timedelta(seconds=wall)
        rows = [(holder, name, start.replace(tzinfo=UTC)) for holder, name, start in _sql(
            database, "SELECT runs.holder, recipes.name, runs.started_at FROM runs JOIN recipes ON recipes.id = "
                      "runs.recipe_id WHERE runs.started_at <= %s", end)]
        lags, steady = [], []
        anchors: dict[str, datetime] = {}  # per worker: its first run's start = when it scheduled every recipe
        for holder, _name, start in rows:
            pid = holder.split(":")[1]
            anchors[pid] = min(anchors.get(pid, start), start)
        for holder, name, start in rows:
            tick0 = anchors[holder.split(":")[1]]
            # due: the recipe's latest turn (its phase within the minute), or the worker's start for the runs it
            # makes at once when it starts
            turn = jobs.current_turn(name, 60, now=start + timedelta(seconds=0.001))
            due = max(turn, tick0)
            lag = max(0.0, (start - due).total_seconds())
            lags.append(lag)
            if turn > tick0 + timedelta(seconds=60):
                steady.append(lag)
        per_worker = {p.pid: n for p, n in ((p, sum(1 for h, _n, _s in rows if h.split(":")[1] == str(p.pid)))
                                            for p in procs)}
        return {"workers": workers, "recipes": recipes, "seconds": round(wall), "runs": len(rows),
                "runs_per_worker": sorted(per_worker.values()), "cpu_share": 100 * cpu / wall,
                "cpu_per_worker": 100 * cpu / wall / workers, "peak_rss_mb": peak,
                "lag_p50": statistics.median(lags) if lags else float("nan"), "lag_p95": _percentile(lags, 0.95),
                "lag_max": max(lags, default=float("nan")), "steady_p95": _percentile(steady, 0.95),
                "steady_max": max(steady, default=float("nan"))}
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                proc.kill()
        server.terminate()
        server.communicate(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=130.0, help="measured window per setup")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3], help="setups to measure (default: 1 3)")
    parser.add_argument("--postgres", default=os.environ.get("ORDERSYNC_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server URL whose user may create databases")
    args = parser.parse_args()
    if not args.postgres:
        parser.error("give --postgres URL or set ORDERSYNC_TEST_POSTGRES_URL")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in args.workers:
            print(f"{workers} worker(s), {args.recipes} recipes every minute, {args.seconds:.0f} s:", flush=True)
            result = measure(workers, args.recipes, args.seconds, args.postgres, Path(tmp))
            results.append(result)
            print(f"  {result}", flush=True)
    print("\n| workers | recipes | window | runs (per worker) | CPU, all workers (% of one core) | peak RSS per "
          "worker | schedule lag p50 / p95 / max | steady ticks p95 / max |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['workers']} | {r['recipes']:,} | {r['seconds']} s | {r['runs']:,} "
              f"({' / '.join(f'{n:,}' for n in r['runs_per_worker'])}) | {r['cpu_share']:.0f} % | "
              f"{r['peak_rss_mb']:.0f} MB | {r['lag_p50']:.1f} / {r['lag_p95']:.1f} / {r['lag_max']:.1f} s | "
              f"{r['steady_p95']:.1f} / {r['steady_max']:.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
