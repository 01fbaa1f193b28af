"""Running the real ``ordersync`` command in a subprocess with an isolated data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

EXTRA_ENV: dict[str, str] = {}


def cli_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess: its own home, an encrypted keyring, offscreen Qt."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERSYNC_")}
    env.update(ORDERSYNC_HOME=str(home), ORDERSYNC_KEYRING_PASSPHRASE="test-passphrase",
               QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1", **extra)
    return env


def ordersync(home: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None,
              stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``ordersync ARGS`` to completion."""
    return subprocess.run([sys.executable, "-m", "ordersync_app", *args], env=env or cli_env(home),
                          capture_output=True, text=True, timeout=timeout, input=stdin, check=False)


def start(home: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """Start ``ordersync ARGS`` in the background."""
    return subprocess.Popen([sys.executable, "-m", "ordersync_app", *args], env=env or cli_env(home),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def serve_sandbox(home: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``ordersync sandbox serve`` on a free port and wait until it answers."""
    proc = start(home, "sandbox", "serve", "--port", "0", *extra)
    marker = home / "sandbox" / "serve.json"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if marker.exists():
            url = json.loads(marker.read_text())["url"]
            try:
                httpx.get(f"{url}/_sandbox/hubspot/counters", timeout=2).raise_for_status()
                return proc, url
            except httpx.HTTPError:
                pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read() if proc.stderr else "sandbox died")
        time.sleep(0.1)
    raise TimeoutError("sandbox did not start")


def counters(url: str, app: str) -> dict[str, Any]:
    """The sandbox's write counters of one app."""
    return httpx.get(f"{url}/_sandbox/{app}/counters", timeout=10).json()


DEMO_TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"


def add_sandbox_accounts(home: Path, env: dict[str, str] | None = None) -> None:
    """Accounts ``shop`` (Shopify sandbox) and ``crm`` (HubSpot sandbox), through the CLI."""
    for name, connector in (("shop", "shopify"), ("crm", "hubspot")):
        result = ordersync(home, "account", "add", name, "--connector", connector,
                           "--base-url", f"sandbox://{connector}", env=env)
        assert result.returncode == 0, result.stderr


def import_demo_recipe(home: Path, name: str = "orders", *extra: str, source: Path = DEMO_TEMPLATE,
                       env: dict[str, str] | None = None) -> None:
    """Import the demo recipe bound to ``shop`` and ``crm`` (extra flags such as ``--enable``)."""
    result = ordersync(home, "recipe", "import", str(source), "--bind", "shop=shop", "--bind", "crm=crm",
                       "--name", name, *extra, env=env)
    assert result.returncode == 0, result.stderr


# A killed run's in-flight writes are checked once they can no longer land: after the HTTP timeout plus a
# margin. Kill tests shorten both so that this takes seconds, as the fault drills do.
KILL_ENV = {"ORDERSYNC_HTTP_TIMEOUT": "3", "ORDERSYNC_RETRY_SCHEDULE": "1,1,2,2,3,3,5,5"}


def waiting(home: Path) -> int:
    """Records that wait for a later attempt (``retrying``) in the home's database."""
    import sqlite3

    with sqlite3.connect(home / "ordersync.db") as db:
        return int(db.execute("SELECT COUNT(*) FROM executions WHERE status = 'retrying'").fetchone()[0])


def run_until_quiet(home: Path, recipe: str, env: dict[str, str] | None = None, *, within: float = 300) -> dict:
    """``ordersync run RECIPE`` until a run reads nothing new and nothing waits; returns the last summary.

    Records whose earlier attempt may still have been in flight when a run was killed wait until it can no
    longer land, then are checked: exit code 1 (some records wait) is expected on the way."""
    final: dict = {}
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = ordersync(home, "run", recipe, "--json", timeout=600, env=env)
        assert done.returncode in (0, 1), done.stderr
        final = json.loads(done.stdout)
        if final["seen"] == 0 and final["retrying"] == 0 and waiting(home) == 0:
            break
        time.sleep(1)  # poll: the waiting records become due when their earlier attempt has settled
    assert final["failed"] == 0 and waiting(home) == 0, final
    return final
