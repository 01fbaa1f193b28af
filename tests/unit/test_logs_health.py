"""Structured (JSON) logs and what ``/healthz`` reports."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from ordersync_app import logs
from ordersync_app.domain import logcontext
from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import register_secret
from ordersync_app.services import health
from ordersync_app.storage import db, leases
from ordersync_app.storage.tables import Recipe, Run, utcnow

SECRET = "pat-na1-0b5e-SECRET-77aa"  # a fake token to find in the output


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """No handler of an earlier test (logs.setup is idempotent per process)."""
    def drop() -> None:
        for logger in map(logging.getLogger, ("ordersync_app", *logs.LIBRARY_LOGGERS)):
            for handler in [h for h in logger.handlers if getattr(h, "_ordersync", False)
                            or getattr(h, "_ordersync_json", False)]:
                logger.removeHandler(handler)
                handler.close()

    drop()
    yield
    drop()


def _log_some_lines() -> None:
    log = logging.getLogger("ordersync_app.engine.runner")
    log.info("outside any run")

    def in_a_run() -> None:
        logcontext.note(recipe="orders", run_id=42)
        log.warning("HubSpot answered 401 for token %s", SECRET)
        try:
            raise RuntimeError(f"boom Authorization: Bearer {SECRET}")
        except RuntimeError:
            log.exception("run failed")

    contextvars.Context().run(in_a_run)
    log.info("after the run: 中文 too")


def test_json_logs_one_object_per_line_with_run_ids_and_masked_secrets(home: Path, clean_logging: None,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ORDERSYNC_LOG_FORMAT", "json")
    register_secret(SECRET)
    logs.setup()
    _log_some_lines()
    logging.getLogger("waitress").error("Exception when servicing a channel")  # a library's line: JSON too
    err = capsys.readouterr().err
    assert json.loads(err.splitlines()[-1])["logger"] == "waitress"
    err = "\n".join(err.splitlines()[:-1])
    file_text = (home / "logs" / "ordersync.log").read_text("utf-8")
    for text in (err, file_text):
        assert SECRET not in text
        lines = [json.loads(line) for line in text.splitlines()]  # every line is one JSON object
        assert lines[0]["message"] == "outside any run"
        assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
        assert "recipe" not in lines[0] and "run_id" not in lines[0]
        warned = lines[1]
        assert (warned["level"], warned["logger"], warned["recipe"], warned["run_id"]) == (
            "WARNING", "ordersync_app.engine.runner", "orders", 42)
        assert "HubSpot answered 401 for token" in warned["message"]
        failed = lines[2]
        assert failed["message"] == "run failed" and "RuntimeError: boom" in failed["exc"]
        assert lines[3]["message"] == "after the run: 中文 too" and "recipe" not in lines[3]
        assert lines[3]["time"].endswith("+00:00")


def test_text_logs_stay_the_default_and_a_bad_format_is_refused(home: Path, clean_logging: None,
                                                                monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    logs.setup()
    logging.getLogger("ordersync_app.test").info("plain line")
    assert capsys.readouterr().err == ""
    assert " INFO ordersync_app.test: plain line" in (home / "logs" / "ordersync.log").read_text("utf-8")
    monkeypatch.setenv("ORDERSYNC_LOG_FORMAT", "xml")
    with pytest.raises(SetupError, match="unknown log format 'xml'"):
        logs.log_format()
    assert logs.log_format("json") == "json"  # the command-line option wins


def test_health_names_held_leases_and_last_successes(home: Path) -> None:
    with db.session() as s:
        orders, refunds = Recipe(name="orders", title="orders"), Recipe(name="refunds", title="refunds")
        s.add_all([orders, refunds])
        s.flush()
        finished = utcnow() - timedelta(minutes=3)
        s.add(Run(recipe_id=orders.id, recipe_version=1, status="succeeded", finished_at=finished))
        s.add(Run(recipe_id=refunds.id, recipe_version=1, status="failed", finished_at=finished))
        ids = orders.id, refunds.id
    ok, details = health.health()
    assert ok and details["database"] == "ok"
    assert details["leases"] == [] and details["leases_held"] == 0
    assert details["last_success"] == {"orders": finished.isoformat()}
    assert leases.try_acquire(db.session, ids[1]) is None
    ok, details = health.health()
    assert details["leases"] == ["refunds"] and details["leases_held"] == 1
    assert details["process"] == leases.HOLDER
    leases.release(db.session, ids[1])
    assert health.health()[1]["leases"] == []


def test_health_says_when_the_database_is_unreachable(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2")
    ok, details = health.health()
    assert not ok
    assert details == {"database": "unreachable (cannot open the database)"}
