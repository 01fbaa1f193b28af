"""Team mode (issue 14): three ``ordersync worker`` processes with separate data directories share one PostgreSQL
database and 20 recipes. Orders are shipped in waves while they run; one worker is SIGKILLed mid-run, then
another. Every deal is written exactly once (the emulator counts every write call, no-op writes included), no
recipe ever runs on two workers at once (run intervals per recipe, from the shared ``runs`` table, never
overlap), and the killed worker's recipes run again on a survivor within two intervals. With the sandbox
HubSpot window at 100 requests per 10 s, the three workers together cause no 429 by their own pace.

One drill checks both, on 5,000 orders (the 20 recipes each read every shipped order and keep 1 in 20, so the
workers handle 100,000 records; about four minutes on the shared 2-core machine). A second test freezes a worker
instead of killing it: its lease expires, another worker takes over, and the woken worker sends nothing.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.e2e.helpers import DEMO_TEMPLATE, cli_env, counters, serve_sandbox

from ordersync_app.sandbox.warehouse import fulfil_orders

POSTGRES = os.environ.get("ORDERSYNC_TEST_POSTGRES_URL")
RECIPES = 20
EVERY = 15  # seconds; at 10 s (the shortest allowed) 20 recipes on three workers saturate the shared 2-core machine
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server (ORDERSYNC_TEST_POSTGRES_URL unset)")]

SETUP = """
import sys
from pathlib import Path
from ordersync_app.services import accounts, recipes
accounts.add_account("shop", "shopify", base_url="sandbox://shopify")
accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
for path in sorted(Path(sys.argv[1]).glob("*.yaml")):
    recipes.import_recipe(path, {"shop": "shop", "crm": "crm"}, name=path.stem, enable=True)
"""


def recipe_files(folder: Path) -> None:
    """20 copies of the demo recipe polling every 10 s, each taking the orders whose id ends in one of its five
    two-digit endings (recipe k: k, k+20, k+40, …), so every wave of shipped orders reaches every recipe."""
    folder.mkdir(parents=True)
    text = DEMO_TEMPLATE.read_text("utf-8").replace("every: 1m", f"every: {EVERY}s")
    marker = "  - action:\n"
    assert text.count(marker) == 1
    for k in range(RECIPES):
        endings = "".join(f"        - {{field: legacyResourceId, op: ends_with, value: \"{d:02d}\"}}\n"
                          for d in range(k, 100, RECIPES))
        share = f"  - filter:\n      match: any\n      conditions:\n{endings}"
        (folder / f"team-{k:02d}.yaml").write_text(text.replace(marker, share + marker), "utf-8")


@dataclass
class Team:
    """The sandbox, the shared database and the workers of one drill."""

    url: str
    database: str  # SQLAlchemy URL of the shared database
    homes: list[Path]
    workers: list[subprocess.Popen[str]] = field(default_factory=list)
    killed: dict[str, datetime] = field(default_factory=dict)  # pid → when it was SIGKILLed (naive UTC)

    conn: Any = None

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        import psycopg

        if self.conn is None:
            self.conn = psycopg.connect(self.database.replace("postgresql+psycopg://", "postgresql://"),
                                        autocommit=True)
        return list(self.conn.execute(query, args).fetchall())

    def leases_of(self, worker: subprocess.Popen[str]) -> set[int]:
        """Recipes whose lease ``worker`` holds now."""
        return {rid for rid, holder in self.sql("SELECT recipe_id, holder FROM recipe_leases")
                if holder.split(":")[1] == str(worker.pid)}

    def kill_mid_run(self, worker: subprocess.Popen[str], timeout: float = 120) -> set[int]:
        """SIGKILL ``worker`` while it holds at least one lease (a run in progress); returns those recipes."""
        _wait("a lease held by the worker", lambda: self.leases_of(worker), timeout, every=0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        self.killed[str(worker.pid)] = _utcnow()
        held = self.leases_of(worker)  # a dead holder's rows stay until a survivor takes them over
        assert held
        return held


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # the runs table stores naive UTC


def _wait(what: str, condition: Callable[[], Any], timeout: float, every: float = 0.1) -> Any:
    """Poll ``condition`` until truthy (a readiness wait; the deadline only ends a hung test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def team_database() -> Iterator[str]:
    import psycopg

    assert POSTGRES is not None
    name = f"ordersync_team_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_team(tmp_path: Path, database: str, orders: int, hubspot_limit: int) -> tuple[Team, subprocess.Popen[str]]:
    """Sandbox with ``orders`` open orders and their deals, 20 recipes in the shared database, 3 workers."""
    sandbox_home = tmp_path / "sandbox-home"
    server, url = serve_sandbox(sandbox_home, "--hubspot-limit", str(hubspot_limit), "--shopify-plan", "unmetered")
    for app in ("hubspot", "shopify"):
        httpx.post(f"{url}/_sandbox/{app}/seed/{orders}", timeout=300).raise_for_status()
    homes = [tmp_path / name for name in ("a", "b", "c")]
    for home in homes:  # three machines reaching the same sandbox apps
        (home / "sandbox").mkdir(parents=True)
        (home / "sandbox" / "serve.json").write_text((sandbox_home / "sandbox" / "serve.json").read_text())
    recipe_files(tmp_path / "recipes")
    env = cli_env(homes[0], ORDERSYNC_DATABASE_URL=database)
    setup = subprocess.run([sys.executable, "-c", SETUP, str(tmp_path / "recipes")], env=env, capture_output=True,
                           text=True, timeout=300, check=False)
    assert setup.returncode == 0, setup.stderr
    team = Team(url, database, homes)
    for home in homes:
        with (home / "worker.out").open("w") as out:  # a pipe nobody reads would fill up and block the worker
            team.workers.append(subprocess.Popen(
                [sys.executable, "-m", "ordersync_app", "worker", "--refresh", "2"],
                env=cli_env(home, ORDERSYNC_DATABASE_URL=database), stdout=out, stderr=subprocess.STDOUT, text=True))
    try:  # ready: every worker is up and has scheduled the recipes (which one runs a recipe is the leases' call)
        _wait("three workers scheduling the recipes", lambda: all(
            "recipe(s) scheduled" in (home / "worker.out").read_text() for home in homes), 120)
    except BaseException:
        stop_team(team, server)
        raise
    return team, server


def stop_team(team: Team, server: subprocess.Popen[str]) -> None:
    """Kill what is still running and close the drill's database connection (also after a failed start)."""
    for worker in team.workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGCONT)  # a frozen one too
            worker.kill()
            worker.wait(timeout=30)
    server.terminate()
    server.communicate(timeout=30)
    if team.conn is not None:
        team.conn.close()


def ship_in_waves(url: str, orders: int, waves: int, between: Callable[[int], None]) -> int:
    """The warehouse ships up to ``orders`` in ``waves``; ``between(n)`` runs after wave n. Returns how many it
    shipped (the demo shop holds a few orders back: a warehouse cannot ship those)."""
    size, shipped = -(-orders // waves), 0
    for n in range(waves):
        shipped += len(fulfil_orders(f"{url}/shopify", min(size, orders - n * size)))
        between(n)
    assert shipped > orders * 0.9
    return shipped


def deal_writes(url: str) -> dict[str, int]:
    """Every write call per deal, no-op writes included (a repeat with the same values is still a repeat)."""
    found = counters(url, "hubspot")
    out: dict[str, int] = {}
    for kind in ("deal_writes", "deal_noop"):
        for deal, n in found.get(kind, {}).items():
            out[deal] = out.get(deal, 0) + n
    return out


def stop_all(team: Team) -> None:
    for worker in team.workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker, home in zip(team.workers, team.homes, strict=True):
        code = worker.wait(timeout=120)
        if str(worker.pid) not in team.killed:
            output = (home / "worker.out").read_text()
            assert code == 0 and "internal error" not in output, output


def run_intervals(team: Team) -> dict[int, list[tuple[datetime, datetime, str]]]:
    """Per recipe, each run's (start, end, worker pid); a killed worker's unfinished run ends at its kill."""
    out: dict[int, list[tuple[datetime, datetime, str]]] = {}
    for rid, holder, started, finished in team.sql(
            "SELECT recipe_id, holder, started_at, finished_at FROM runs WHERE NOT dry_run ORDER BY started_at"):
        pid = holder.split(":")[1]
        end = finished or _utcnow()
        if pid in team.killed:
            end = min(end, team.killed[pid])
        out.setdefault(rid, []).append((started, end, pid))
    return out


def assert_no_overlap(intervals: dict[int, list[tuple[datetime, datetime, str]]]) -> int:
    overlaps = [(rid, a, b) for rid, runs in intervals.items() for a, b in pairwise(runs)
                if b[0] < a[1]]
    assert not overlaps, overlaps[:5]
    return sum(len(runs) for runs in intervals.values())


def test_three_workers_share_twenty_recipes_through_two_kills_inside_the_hubspot_window(
        tmp_path: Path, team_database: str) -> None:
    orders = 5000
    team, server = start_team(tmp_path, team_database, orders, hubspot_limit=100)
    taken: list[tuple[str, set[int]]] = []
    try:
        def between(wave: int) -> None:
            if wave in (1, 4):  # SIGKILL a worker mid-run (whichever holds a lease now), later another
                victim = _wait("a worker holding a lease", lambda: next(
                    (w for w in team.workers if w.poll() is None and team.leases_of(w)), None), 120, every=0.01)
                taken.append((str(victim.pid), team.kill_mid_run(victim)))

        shipped = ship_in_waves(team.url, orders, 10, between)
        _wait("every deal written", lambda: len(deal_writes(team.url)) >= shipped, 600)
        survivor = next(w for w in team.workers if str(w.pid) not in team.killed)
        assert survivor.poll() is None
        intervals = run_intervals(team)
        # the killed workers' recipes ran again on another worker within two intervals of the kill
        delays: list[list[float]] = []
        for pid, recipes in taken:
            delays.append([])
            for rid in recipes:
                after = [start for start, _end, holder in intervals[rid]
                         if holder != pid and start >= team.killed[pid]]
                assert after, f"recipe {rid} of the killed worker {pid} never ran again"
                delays[-1].append((after[0] - team.killed[pid]).total_seconds())
        # After each kill, even the second (one worker left with all twenty recipes, its own runs long under the
        # load), the killed worker's recipes start again at their next turn: a thread per recipe, none waits for one.
        assert max(max(d) for d in delays) <= 2 * EVERY, delays
        stop_all(team)
        writes = deal_writes(team.url)
        assert len(writes) == shipped
        assert {n for n in writes.values()} == {1}, {d: n for d, n in writes.items() if n != 1}
        runs = assert_no_overlap(run_intervals(team))
        assert runs > RECIPES * 3
        holders = {holder for _rid, holder in team.sql("SELECT recipe_id, holder FROM recipe_leases")}
        assert not {h for h in holders if h.split(":")[1] in team.killed}  # the dead workers' leases were taken
        # the HubSpot window (100 calls per 10 s): the three workers together never overran it
        found = counters(team.url, "hubspot")
        calls = sum(found.get("call", {}).values())
        assert found.get("throttled", {}).get("ten_secondly_rolling", 0) == 0, found.get("throttled")
        seen = [use for (api,) in team.sql("SELECT api FROM runs") for use in (api or {}).values()
                if isinstance(use, dict) and use.get("account") == "crm"]  # each run's API use per role
        assert seen and sum(int(use.get("throttled") or 0) for use in seen) == 0  # the engine saw none either
        peak = found["window_peak"]["ten_secondly_rolling"]
        assert 0 < peak <= 100
        print(f"{shipped} deals written once in {runs} runs; resumed after {delays} s; {calls} HubSpot "
              f"calls, at most {peak} in one 10-s window, 0 throttled")
    finally:
        stop_team(team, server)


FROZEN_EVERY = 10  # seconds: the shortest interval a recipe may poll at


def test_a_frozen_worker_loses_its_recipe_and_sends_nothing_when_it_wakes(tmp_path: Path, team_database: str) -> None:
    """A worker frozen between claiming its writes and sending them (SIGSTOP: a suspended VM, a machine cut off
    from the database) keeps its pid alive, so only the lease's expiry frees the recipe. Another worker takes it
    over within two intervals, settles the claimed writes against the target and delivers them. When the frozen
    worker wakes it sends nothing: its lease no longer surely covers a call, so the run stops."""
    sandbox_home = tmp_path / "sandbox-home"
    server, url = serve_sandbox(sandbox_home, "--hubspot-limit", "0", "--shopify-plan", "unmetered")
    homes = [tmp_path / "a", tmp_path / "b"]
    fast = {"ORDERSYNC_DATABASE_URL": team_database, "ORDERSYNC_LEASE_TTL": "10", "ORDERSYNC_HTTP_TIMEOUT": "2"}
    team = Team(url, team_database, homes)
    workers = team.workers
    try:
        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/60", timeout=60).raise_for_status()
        for home in homes:
            (home / "sandbox").mkdir(parents=True)
            (home / "sandbox" / "serve.json").write_text((sandbox_home / "sandbox" / "serve.json").read_text())
        (tmp_path / "recipes").mkdir()
        (tmp_path / "recipes" / "frozen.yaml").write_text(
            DEMO_TEMPLATE.read_text("utf-8").replace("every: 1m", f"every: {FROZEN_EVERY}s"), "utf-8")
        setup = subprocess.run([sys.executable, "-c", SETUP, str(tmp_path / "recipes")],
                               env=cli_env(homes[0], **fast), capture_output=True, text=True, timeout=300, check=False)
        assert setup.returncode == 0, setup.stderr

        def start_worker(home: Path) -> subprocess.Popen[str]:
            with (home / "worker.out").open("w") as out:
                worker = subprocess.Popen([sys.executable, "-m", "ordersync_app", "worker", "--refresh", "2"],
                                          env=cli_env(home, **fast), stdout=out, stderr=subprocess.STDOUT, text=True)
            workers.append(worker)
            _wait("the worker scheduling the recipe",
                  lambda: "recipe(s) scheduled" in (home / "worker.out").read_text(), 120)
            return worker

        frozen = start_worker(homes[0])
        httpx.post(f"{url}/_sandbox/faults/throttle", content="hubspot", timeout=10).raise_for_status()
        shipped = len(fulfil_orders(f"{url}/shopify", 40))
        # The worker claimed its writes (inflight in the ledger) and was told to slow down: it waits to try again.
        _wait("a write refused as too many", lambda: httpx.get(f"{url}/_sandbox/faults", timeout=10).json()
              ["throttled"].get("hubspot"), 120, every=0.02)
        frozen.send_signal(signal.SIGSTOP)
        frozen_at = _utcnow()
        assert team.leases_of(frozen)
        claimed = team.sql("SELECT count(*) FROM deliveries WHERE status = 'inflight'")[0][0]
        assert claimed > 0
        httpx.post(f"{url}/_sandbox/faults/release", timeout=10).raise_for_status()

        survivor = start_worker(homes[1])
        _wait("every deal written by the other worker", lambda: len(deal_writes(url)) >= shipped, 180)
        first = team.sql("SELECT min(started_at) FROM runs WHERE holder LIKE %s", f"%:{survivor.pid}:%")[0][0]
        taken_after = (first - frozen_at).total_seconds()
        assert taken_after <= 10 + 2 * FROZEN_EVERY, taken_after

        frozen.send_signal(signal.SIGCONT)  # it wakes up in the middle of its run, with writes it meant to send
        log = homes[0] / "logs" / "ordersync.log"
        _wait("the woken worker to find its lease gone", lambda: "lost the lease" in log.read_text("utf-8"), 120)
        _wait("the woken worker's run to end", lambda: "stopped" in {status for (status,) in team.sql(
            "SELECT status FROM runs WHERE holder LIKE %s AND started_at <= %s", f"%:{frozen.pid}:%", frozen_at)},
            120)  # (the other worker marked it interrupted when it took over; the woken one ends it as stopped)
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(timeout=120) == 0
        writes = deal_writes(url)
        assert len(writes) == shipped
        assert set(writes.values()) == {1}, {d: n for d, n in writes.items() if n != 1}
        print(f"{claimed} writes claimed when frozen; the other worker took over after {taken_after:.1f} s")
    finally:
        stop_team(team, server)
