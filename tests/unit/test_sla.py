"""Service levels from stored outcomes in a real SQLite file: success with waiting records, p95 from change to
write, ``ordersync stats``, and one alert per breach episode through a loopback WeCom robot."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.unit.test_alerts import WECOM_KEY, RobotsApp, stored_alerts_text

from ordersync_app.cli import ops
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.services import alerts, sla, stats
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution, Recipe, RecipeVersion, Run

NOW = datetime.now(UTC).replace(microsecond=0)  # the CLI measures up to the real now; figures are relative
TARGETS = {"success": 99.5, "p95_seconds": 30}


def _document(targets: dict[str, Any] | None, name: str = "Orders to deals") -> dict[str, Any]:
    document: dict[str, Any] = {
        "format": "ordersync-recipe", "version": 1, "name": name, "accounts": {"shop": "shopify", "crm": "hubspot"},
        "trigger": {"account": "shop", "event": "order_fulfilled", "every": "10s"},
        "steps": [{"action": {"account": "crm", "action": "update_deal", "match": {"source": "id"},
                              "fields": {"dealstage": {"value": "shipped"}}}}],
        "options": {"dry_run": False, "on_error": "continue"}}
    if targets is not None:
        document["options"]["sla"] = targets
    return document


class Outcomes:
    """Writes crafted record outcomes for one recipe, as the engine stores them."""

    def __init__(self, name: str, targets: dict[str, Any] | None) -> None:
        with db.session() as s:
            recipe = Recipe(name=name, title=name.title(), version=1, created_at=NOW - timedelta(days=30))
            s.add(recipe)
            s.flush()
            s.add(RecipeVersion(recipe_id=recipe.id, version=1, document=_document(targets), bindings={}))
            run = Run(recipe_id=recipe.id, recipe_version=1, status="succeeded", started_at=NOW - timedelta(days=9))
            s.add(run)
            s.flush()
            self.recipe_id, self.run_id = recipe.id, run.id
        self.count = 0

    def add(self, status: str, *, stored: datetime, latency: float | None = None, n: int = 1) -> None:
        """``n`` records with ``status`` stored at ``stored``, changed ``latency`` seconds before."""
        with db.session() as s:
            for _ in range(n):
                self.count += 1
                s.add(Execution(recipe_id=self.recipe_id, run_id=self.run_id, record_key=f"r{self.count}",
                                record_version="v1", payload={}, status=status, created_at=stored, updated_at=stored,
                                changed_at=None if latency is None else stored - timedelta(seconds=latency)))

    def settle_waiting(self, *, stored: datetime, latency: float) -> None:
        """Every waiting record goes through (the retry succeeded)."""
        with db.session() as s:
            for row in s.query(Execution).filter(Execution.recipe_id == self.recipe_id,
                                                 Execution.status == "retrying"):
                row.status, row.updated_at = "succeeded", stored
                row.changed_at = stored - timedelta(seconds=latency)


@pytest.fixture
def orders(home: Path) -> Outcomes:
    """Recipe ``orders`` (targets 99.5 %, p95 ≤ 30 s): 1,000 records moved within 1..20 s over the week, plus
    records outside the window, filtered, skipped and previewed ones that must not count."""
    del home
    data = Outcomes("orders", TARGETS)
    for i in range(1000):
        data.add("succeeded", stored=NOW - timedelta(hours=1 + i % 150), latency=1 + i % 20)
    data.add("unchanged", stored=NOW - timedelta(hours=2), n=5)
    data.add("filtered", stored=NOW - timedelta(hours=2), n=50)
    data.add("skipped", stored=NOW - timedelta(hours=2), n=7)
    data.add("previewed", stored=NOW - timedelta(hours=2), n=9)
    data.add("failed", stored=NOW - timedelta(days=8), n=40)  # before the 7-day window
    data.add("succeeded", stored=NOW - timedelta(days=8), latency=9999, n=40)
    Outcomes("plain", None).add("failed", stored=NOW - timedelta(hours=1), n=3)  # no targets: no figures
    return data


def test_figures_count_what_the_user_would_count(orders: Outcomes) -> None:
    [figures] = sla.figures(now=NOW)  # "plain" sets no targets
    assert figures.recipe == "orders"
    assert (figures.succeeded, figures.unchanged, figures.failed, figures.waiting) == (1000, 5, 0, 0)
    assert figures.success == 100.0
    assert figures.latency_samples == 1000
    assert figures.p95_s == 19.0  # nearest rank over 50 × each of 1..20 s
    assert figures.state == "met"
    assert not figures.breached


def test_a_record_waiting_for_retries_lowers_the_success_rate(orders: Outcomes) -> None:
    # waiting since long before the window: it still has not arrived, so it still counts
    orders.add("retrying", stored=NOW - timedelta(days=20), n=4)
    orders.add("retrying", stored=NOW - timedelta(minutes=3), n=2)
    orders.add("failed", stored=NOW - timedelta(days=1), n=1)
    [figures] = sla.figures("orders", now=NOW)
    assert (figures.failed, figures.waiting) == (1, 6)
    assert figures.success == round(1005 / 1012 * 100, 3)  # 99.308 %
    assert figures.success_breached
    assert not figures.p95_breached
    assert figures.state == "breached"
    as_json = figures.as_dict()
    assert as_json["success"] == {"target": 99.5, "value": 99.308, "breached": True}
    assert as_json["counted"] == {"succeeded": 1000, "unchanged": 5, "failed": 1, "waiting": 6}


def test_p95_is_from_the_change_to_the_write(orders: Outcomes) -> None:
    # 60 records that first waited for retries went through 45 s after their change: over 5 % of 1,060
    orders.add("succeeded", stored=NOW - timedelta(minutes=10), latency=45.0, n=60)
    # history read from the start point: changed before the recipe was added, so no latency to speak of
    orders.add("succeeded", stored=NOW - timedelta(minutes=10), latency=40 * 86400.0, n=500)
    [figures] = sla.figures("orders", now=NOW)
    assert figures.succeeded == 1560
    assert figures.latency_samples == 1060
    assert figures.p95_s == 45.0
    assert figures.p95_breached
    assert not figures.success_breached
    # the window ends "now": 8 days later only what happened since counts
    assert sla.figures("orders", now=NOW + timedelta(days=8))[0].state == "no data"


def test_stats_shows_the_figures_and_their_targets(orders: Outcomes, capsys) -> None:
    orders.add("retrying", stored=NOW - timedelta(minutes=3), n=10)
    data = stats.stats(now=NOW, tz=UTC)
    by_name = {r["recipe"]: r for r in data["recipes"]}
    assert by_name["plain"]["sla"] is None
    assert by_name["orders"]["sla"]["state"] == "breached"
    assert by_name["orders"]["sla"]["p95_s"] == {"target": 30.0, "value": 19.0, "breached": False}
    assert json.loads(json.dumps(data)) == data  # --json prints exactly this

    assert ops.cmd_stats(argparse.Namespace(recipe=None, days=7, json=False)) == 0
    out = capsys.readouterr().out
    assert "Service level" in out
    line = next(line for line in out.splitlines() if line.startswith("orders") and "≥ 99.5 %" in line)
    assert f"{round(1005 / 1015 * 100, 3):.2f} % (≥ 99.5 %) ✗" in line
    assert "≤ 30 s" in line
    assert "BREACHED" in line


# -- one alert per breach episode --------------------------------------------------------------


@pytest.fixture
def robot(home: Path, tmp_path: Path) -> Iterator[RobotsApp]:
    del home
    app = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([app]).start()
    alerts.configure_sink("wecom", {}, {"webhook": f"{server.url('robots')}/cgi-bin/webhook/send?key={WECOM_KEY}"})
    yield app
    server.stop()


def test_one_alert_per_breach_and_one_when_back_in_target(orders: Outcomes, robot: RobotsApp) -> None:
    assert sla.observe("orders", now=NOW) == []  # met: nothing to say
    orders.add("retrying", stored=NOW - timedelta(minutes=3), n=8)

    [breach] = sla.observe("orders", now=NOW)
    assert breach.kind == "sla_breach"
    text = robot.wecom[-1]["text"]["content"]
    assert "recipe 'orders' is below its service level" in text
    assert "Success 99.21 % over the last 7 day(s) (target ≥ 99.5 %): 8 of 1,013 record(s) failed or still wait" \
        in text
    assert "近 7 天成功率 99.21 %（目标 ≥ 99.5 %）：1,013 条记录中有 8 条失败或仍在等待重试。" in text
    assert "✓ 95 % of records were written within 19 s of their change (target ≤ 30 s)" in text

    for minutes in range(1, 6):  # still breached after each later run: nothing more is said
        orders.add("retrying", stored=NOW - timedelta(minutes=minutes))
        assert sla.observe("orders", now=NOW) == []
    assert len(robot.wecom) == 1
    assert alerts.show()["sla"]["orders"]["breached"] is True

    orders.settle_waiting(stored=NOW - timedelta(minutes=1), latency=25.0)
    [back] = sla.observe("orders", now=NOW)
    assert back.kind == "sla_met"
    assert "is back within its service level" in robot.wecom[-1]["text"]["content"]
    assert "orders" not in alerts.show()["sla"]
    assert sla.observe("orders", now=NOW) == []
    assert len(robot.wecom) == 2

    orders.add("failed", stored=NOW - timedelta(minutes=1), n=20)  # a new episode: a new alert
    assert [a.kind for a in sla.observe("orders", now=NOW)] == ["sla_breach"]
    assert len(robot.wecom) == 3


def test_an_undelivered_breach_alert_is_sent_at_the_next_measurement(orders: Outcomes, home: Path,
                                                                     tmp_path: Path) -> None:
    alerts.configure_sink("wecom", {"timeout": "2"},
                          {"webhook": f"http://127.0.0.1:9/cgi-bin/webhook/send?key={WECOM_KEY}"})  # nobody listens
    orders.add("failed", stored=NOW - timedelta(minutes=1), n=20)
    assert [a.kind for a in sla.observe("orders", now=NOW)] == ["sla_breach"]
    assert alerts.show()["sla"]["orders"]["announced"] is False
    app = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([app]).start()
    try:
        alerts.configure_sink("wecom", {}, {"webhook": f"{server.url('robots')}/cgi-bin/webhook/send?key={WECOM_KEY}"})
        assert [a.kind for a in sla.observe("orders", now=NOW)] == ["sla_breach"]
        assert len(app.wecom) == 1
        assert sla.observe("orders", now=NOW) == []
    finally:
        server.stop()
    assert alerts.show()["sla"]["orders"]["announced"] is True
    assert "sla_breach" in stored_alerts_text()


def test_a_recipe_that_drops_its_targets_ends_its_episode_quietly(orders: Outcomes, robot: RobotsApp) -> None:
    orders.add("failed", stored=NOW - timedelta(minutes=1), n=20)
    assert len(sla.observe("orders", now=NOW)) == 1
    with db.session() as s:
        version = s.query(RecipeVersion).filter(RecipeVersion.recipe_id == orders.recipe_id).one()
        version.document = _document(None)
    assert sla.observe("orders", now=NOW) == []
    assert "orders" not in alerts.show()["sla"]
    assert len(robot.wecom) == 1
