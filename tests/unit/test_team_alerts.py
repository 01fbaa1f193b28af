"""Alert settings and policy state live in the database: two machines (two data directories) on one database
see the same thing, a failing recipe is announced once for the team, and an old ``alerts.json`` is imported
once without losing anything. Run on a shared SQLite file, and on PostgreSQL when
``ORDERSYNC_TEST_POSTGRES_URL`` is set."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import MemoryKeyring
from tests.unit.test_alerts import WECOM_KEY, RobotsApp, _recipe_with_failed_run, stored_alerts_text

from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.secrets import store
from ordersync_app.services import alerts
from ordersync_app.storage import db

POSTGRES = os.environ.get("ORDERSYNC_TEST_POSTGRES_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def team_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """One database URL shared by the "machines" of a test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'team.db'}"
        monkeypatch.setenv("ORDERSYNC_DATABASE_URL", url)
        yield url
        db.dispose_all()
        return
    if not POSTGRES:
        pytest.skip("no PostgreSQL server (ORDERSYNC_TEST_POSTGRES_URL unset)")
    import psycopg

    database = f"ordersync_{uuid.uuid4().hex[:10]}"
    admin = POSTGRES.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    url = POSTGRES.rsplit("/", 1)[0] + f"/{database}"
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", url)
    try:
        yield url
    finally:
        db.dispose_all()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


class Machine:
    """A data directory and a keychain of its own; ``use()`` makes this process act as that machine."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.keychain = MemoryKeyring()

    def use(self, monkeypatch: pytest.MonkeyPatch) -> Machine:
        monkeypatch.setenv("ORDERSYNC_HOME", str(self.home))
        store.set_backend(self.keychain)
        return self


@pytest.fixture
def robots(tmp_path: Path) -> Iterator[tuple[RobotsApp, str]]:
    app = RobotsApp(tmp_path / "robots.db")
    server = SandboxServer([app]).start()
    yield app, server.url("robots")
    server.stop()


def test_two_machines_on_one_database_share_settings_and_state(team_db: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               robots: tuple[RobotsApp, str]) -> None:
    app, url = robots
    a, b = Machine(tmp_path / "a"), Machine(tmp_path / "b")
    webhook = f"{url}/cgi-bin/webhook/send?key={WECOM_KEY}"

    a.use(monkeypatch)
    alerts.configure_sink("wecom", {"timeout": "3"}, {"webhook": webhook})
    alerts.configure_app(digest_minutes=30)
    first = alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=2))
    assert [x.kind for x in first] == ["failing"]
    assert len(app.wecom) == 1

    b.use(monkeypatch)  # the other machine: same settings and state, its own (empty) keychain
    shown = alerts.show()
    assert shown["app"]["digest_minutes"] == 30
    assert shown["sinks"]["wecom"]["settings"] == {"timeout": 3.0}
    assert shown["sinks"]["wecom"]["secrets"] == {"webhook": "not set"}  # secrets never travel via the DB
    assert shown["state"]["demo"]["failing"] is True
    assert shown["state"]["demo"]["announced"] is True
    assert [d["ok"] for d in shown["deliveries"]] == [True]
    # a later failing run seen by this machine does not announce the episode again
    assert alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=1)) == []
    alerts.configure_recipe("demo", sinks=["wecom"])

    a.use(monkeypatch)
    assert alerts.show()["recipes"]["demo"] == {"enabled": None, "sinks": ["wecom"]}
    recovered = alerts.observe_run("demo", _recipe_with_failed_run("demo", failed=0))
    assert [x.kind for x in recovered] == ["recovered"]
    assert len(app.wecom) == 2
    b.use(monkeypatch)
    assert alerts.show()["state"]["demo"]["failing"] is False
    assert WECOM_KEY not in stored_alerts_text()
    assert not (a.home / "alerts.json").exists()
    assert not (b.home / "alerts.json").exists()


OLD_FILE = {
    "version": 1,
    "app": {"enabled": True, "sinks": ["dingtalk"], "digest_minutes": 15},
    "sinks": {"dingtalk": {"settings": {"keyword": "OrderSync"}, "configured_at": "2026-11-01T08:00:00+00:00"}},
    "recipes": {"orders": {"enabled": False, "sinks": None}},
    "state": {"orders": {"failing": True, "announced": True, "since": 1790000000.0, "last_run_id": 41}},
    "sla": {"orders": {"breached": True, "announced": False, "since": 1790000100.0, "missed": ["success"]}},
    "deliveries": [{"at": "2026-11-01T08:05:00+00:00", "recipe": "orders", "kind": "failing", "sink": "dingtalk",
                    "ok": True, "error": None}],
}


def test_an_old_alerts_file_is_imported_once_and_kept(team_db: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = Machine(tmp_path / "a"), Machine(tmp_path / "b")
    a.home.mkdir()
    (a.home / "alerts.json").write_text(json.dumps(OLD_FILE), "utf-8")
    a.use(monkeypatch)
    shown = alerts.show()
    assert shown["app"] == OLD_FILE["app"]
    assert shown["sinks"]["dingtalk"]["settings"] == {"keyword": "OrderSync"}
    assert shown["recipes"] == OLD_FILE["recipes"]
    assert shown["state"]["orders"]["failing"] is True
    assert shown["state"]["orders"]["announced"] is True
    assert shown["sla"]["orders"]["missed"] == ["success"]
    assert shown["deliveries"] == OLD_FILE["deliveries"]
    assert not (a.home / "alerts.json").exists()
    assert json.loads((a.home / "alerts.json.imported").read_text("utf-8")) == OLD_FILE  # kept as it was
    alerts.show()
    assert len(alerts.show()["deliveries"]) == 1  # imported once

    # a second machine's old file joins in: what the team database has wins, what is new is added
    b.home.mkdir()
    theirs = {"app": {"enabled": False}, "sinks": {"wecom": {"settings": {"timeout": 5.0}}},
              "recipes": {"orders": {"enabled": True, "sinks": None}, "refunds": {"enabled": False, "sinks": None}},
              "deliveries": [{"at": "2026-11-02T09:00:00+00:00", "recipe": "refunds", "kind": "failing",
                              "sink": "wecom", "ok": False, "error": "unreachable"}]}
    (b.home / "alerts.json").write_text(json.dumps(theirs), "utf-8")
    b.use(monkeypatch)
    alerts.configure_app(digest_minutes=20)  # any first use imports
    shown = alerts.show()
    assert shown["app"] == {"enabled": True, "sinks": ["dingtalk"], "digest_minutes": 20.0}
    assert shown["recipes"]["orders"]["enabled"] is False
    assert shown["recipes"]["refunds"]["enabled"] is False
    assert shown["sinks"]["wecom"]["settings"] == {"timeout": 5.0}
    assert [d["recipe"] for d in shown["deliveries"]] == ["orders", "refunds"]
    assert (b.home / "alerts.json.imported").exists()
