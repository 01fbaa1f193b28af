"""Recipes v2 templates through the real ``ordersync run``, killed (SIGKILL) at random moments and run again
until quiet: every line item is created once per (order, line), and every order updates its buyer's
monthly spend with exactly one write — loops, aggregates and the ledger survive crashes."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from tests.e2e.helpers import (
    KILL_ENV,
    add_sandbox_accounts,
    cli_env,
    counters,
    ordersync,
    run_until_quiet,
    serve_sandbox,
    start,
)

from ordersync_app.sandbox import demo_data

TEMPLATES = Path(__file__).parents[2] / "recipes"


def _shanghai_month(stamp: str) -> str:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")


def _kill_loop(home: Path, recipe: str, seed: int, *, attempts: int = 6) -> int:
    """Run and SIGKILL the recipe at random moments; returns how many runs were killed mid-way."""
    rng = random.Random(seed)
    kills = 0
    for _ in range(attempts):
        proc = start(home, "run", recipe, "--json", env=cli_env(home, **KILL_ENV))
        time.sleep(rng.uniform(0.5, 3.0))  # a random moment to crash at, not a wait for anything
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
    return kills


@pytest.mark.slow
def test_line_items_survive_kills_each_created_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home)
    try:
        orders = 150
        for app in ("hubspot", "shopify"):
            httpx.post(f"{url}/_sandbox/{app}/seed/{orders}", timeout=120).raise_for_status()
        add_sandbox_accounts(home)
        template = TEMPLATES / "shopify-order-lines-to-hubspot-line-items.yaml"
        imported = ordersync(home, "recipe", "import", str(template), "--bind", "shop=shop", "--bind", "crm=crm",
                             "--name", "lines", "--start", "everything")
        assert imported.returncode == 0, imported.stderr
        kills = _kill_loop(home, "lines", 20261202)
        run_until_quiet(home, "lines", cli_env(home, **KILL_ENV))
        expected = sum(len(demo_data.demo_order(i)["lineItems"]) for i in range(1, orders + 1))
        made = counters(url, "hubspot")
        writes = {**made.get("line_item_writes", {}), **{k: v for k, v in made.get("line_item_noop", {}).items()}}
        assert len(writes) == expected and set(writes.values()) == {1}, (len(writes), expected)
        assert kills >= 2, "the runs finished too fast to be interrupted; raise the number of orders"
    finally:
        server.terminate()
        server.communicate(timeout=30)


@pytest.mark.slow
def test_monthly_spend_survives_kills_one_write_per_order(tmp_path: Path) -> None:
    home = tmp_path / "home"
    server, url = serve_sandbox(home)
    try:
        history = httpx.post(f"{url}/_sandbox/shopify/history", json={"customers": 150, "months": 6}, timeout=120)
        history.raise_for_status()
        made = history.json()["orders"]
        add_sandbox_accounts(home)
        imported = ordersync(home, "recipe", "import", str(TEMPLATES / "shopify-orders-to-hubspot-monthly-spend.yaml"),
                             "--bind", "shop=shop", "--bind", "crm=crm", "--name", "spend")
        assert imported.returncode == 0, imported.stderr
        httpx.post(f"{url}/_sandbox/hubspot/reset-counters", timeout=10).raise_for_status()
        kills = _kill_loop(home, "spend", 7)
        run_until_quiet(home, "spend", cli_env(home, **KILL_ENV))
        seen = counters(url, "hubspot")
        per_contact: dict[str, int] = {}
        for kind in ("contact_writes", "contact_noop"):
            for contact, n in seen.get(kind, {}).items():
                per_contact[contact] = per_contact.get(contact, 0) + n
        contacts = {json.loads(p)["email"]: (str(i), json.loads(p)) for i, p in sqlite3.connect(
            home / "sandbox" / "hubspot.db").execute("SELECT id, props FROM hs_objects WHERE kind = 'contacts'")}
        orders_of: dict[str, list[dict]] = {}
        for order in made:
            orders_of.setdefault(order["email"], []).append(order)
        for email, mine in orders_of.items():  # never more writes than orders (no duplicate), final value right
            contact_id, props = contacts[email]
            assert per_contact.get(contact_id, 0) <= len(mine), (email, per_contact.get(contact_id), len(mine))
            newest = max(mine, key=lambda o: (o["createdAt"], int(o["id"])))
            month = _shanghai_month(newest["createdAt"])
            expected = sum(Decimal(o["total"]) for o in mine if _shanghai_month(o["createdAt"]) == month)
            assert Decimal(str(props["monthly_spend"])).quantize(Decimal("0.01")) == expected, email
        assert len(orders_of) == 150
        assert kills >= 2, "the runs finished too fast to be interrupted; raise the number of customers"
    finally:
        server.terminate()
        server.communicate(timeout=30)
