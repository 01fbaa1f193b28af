"""Health figures and the audit log over real rows in a real SQLite file, plus their CLI commands."""

from __future__ import annotations

import argparse
import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ordersync_app.cli import ops
from ordersync_app.domain.errors import SetupError
from ordersync_app.services import audit, stats
from ordersync_app.storage import db
from ordersync_app.storage.tables import AuditEntry, Execution, Recipe, Run

NOW = datetime(2024, 6, 10, 15, 0, tzinfo=UTC)


def _ago(**kw: float) -> datetime:
    return NOW - timedelta(**kw)


@pytest.fixture
def data(home: Path) -> dict[str, int]:
    """Two recipes with runs, record outcomes and audit entries at known times."""
    with db.session() as s:
        demo, other = Recipe(name="demo", title="Demo"), Recipe(name="订单", title="订单同步")
        s.add_all([demo, other])
        s.flush()
        runs = [
            Run(recipe_id=demo.id, recipe_version=1, status="succeeded", started_at=_ago(hours=1),
                api={"source": {"account": "shop", "calls": 10, "throttled": 0, "retries": 0},
                     "target": {"account": "crm", "calls": 5, "throttled": 2, "retries": 3}}),
            Run(recipe_id=demo.id, recipe_version=1, status="failed", started_at=_ago(days=2),
                api={"source": {"account": "shop", "calls": 4}, "target": {"account": "crm", "calls": 1}}),
            Run(recipe_id=demo.id, recipe_version=1, status="succeeded", started_at=_ago(days=30),
                api={"target": {"account": "crm", "calls": 999, "throttled": 99}}),  # outside the window
            Run(recipe_id=other.id, recipe_version=1, status="error", started_at=_ago(hours=2),
                api={"target": {"account": "crm", "calls": 7, "throttled": 1}}),
        ]
        s.add_all(runs)
        s.flush()

        def execution(recipe: Recipe, key: str, status: str, stored: datetime, latency: float | None) -> Execution:
            return Execution(recipe_id=recipe.id, run_id=runs[0].id, record_key=key, record_version="v1", payload={},
                             status=status, updated_at=stored, created_at=stored,
                             changed_at=None if latency is None else stored - timedelta(seconds=latency))

        # demo: ten records moved with latencies 1..10 s (two today, the others over past days),
        # one unchanged, two failed, one waiting for a retry, one filtered, one long ago.
        for n in range(1, 11):
            stored = _ago(minutes=5 * n) if n <= 2 else _ago(days=n % 6 + 1)
            s.add(execution(demo, f"ok-{n}", "succeeded", stored, float(n)))
        s.add_all([
            execution(demo, "same", "unchanged", _ago(hours=3), None),
            execution(demo, "bad-1", "failed", _ago(hours=4), None),
            execution(demo, "bad-2", "failed", _ago(days=1), None),
            execution(demo, "later", "retrying", _ago(hours=1), None),
            execution(demo, "skip", "filtered", _ago(hours=1), None),
            execution(demo, "old", "succeeded", _ago(days=20), 5000.0),
            execution(other, "o-1", "succeeded", _ago(minutes=1), 2.0),
        ])
        s.add_all([
            AuditEntry(recipe_id=demo.id, run_id=runs[0].id, account="crm", action="update_deal_stage",
                       record_key="1001", target_id="deal-1", at=_ago(days=3),
                       before={"dealstage": "appointmentscheduled", "amount": "10"},
                       after={"dealstage": "closedwon", "amount": "10"}),
            AuditEntry(recipe_id=other.id, run_id=runs[3].id, account="crm", action="update_deal_stage",
                       record_key="1002", target_id=None, at=_ago(hours=2), before=None,
                       after={"dealname": "=HYPERLINK(\"http://x\")", "note": "张三的订单 #1002"}, dry_run=True),
            AuditEntry(recipe_id=demo.id, run_id=runs[0].id, account="crm", action="update_deal_stage",
                       record_key="1003", target_id="deal-3", at=_ago(hours=1),
                       before={"dealstage": "closedwon"}, after={"dealstage": "closedwon"}),
        ])
        return {"demo": demo.id, "other": other.id}


def test_stats_per_recipe(data) -> None:
    result = stats.stats(now=NOW, tz=UTC)
    assert [r["recipe"] for r in result["recipes"]] == ["demo", "订单"]
    demo = result["recipes"][0]
    assert demo["runs"] == 2
    assert demo["runs_by_status"] == {"failed": 1, "succeeded": 1}
    assert (demo["succeeded"], demo["unchanged"], demo["failed"], demo["retrying"]) == (10, 1, 2, 1)
    assert demo["success_rate"] == round(11 / 13, 4)
    assert (demo["latency_p50_s"], demo["latency_p95_s"], demo["latency_samples"]) == (5.0, 10.0, 10)
    assert demo["moved_today"] == 2
    assert demo["api"] == {"crm": {"calls": 6, "retries": 3, "throttled": 2},
                           "shop": {"calls": 14, "retries": 0, "throttled": 0}}
    assert [d["date"] for d in demo["daily"]] == [f"2024-06-{d:02d}" for d in range(4, 11)]
    assert sum(d["succeeded"] for d in demo["daily"]) == 10
    assert sum(d["failed"] for d in demo["daily"]) == 2
    assert demo["daily"][-1] == {"date": "2024-06-10", "succeeded": 2, "failed": 1}
    assert demo["last_run"] == {"status": "succeeded", "started_at": _ago(hours=1).isoformat()}
    assert result["accounts"]["crm"] == {"calls": 13, "retries": 3, "throttled": 3}
    assert result["totals"]["succeeded"] == 11
    assert result["totals"]["moved_today"] == 3


def test_stats_window_and_filters(data) -> None:
    one_day = stats.stats("demo", days=1, now=NOW, tz=UTC)
    (demo,) = one_day["recipes"]
    # the window's start is inclusive: ok-6 and bad-2 were stored exactly one day ago
    assert demo["runs"] == 1
    assert demo["succeeded"] == 3
    assert demo["failed"] == 2
    assert len(demo["daily"]) == 7  # the chart always shows a week
    month = stats.stats("demo", days=30, now=NOW, tz=UTC)["recipes"][0]
    assert month["succeeded"] == 11
    assert month["latency_p95_s"] == 5000.0
    with pytest.raises(SetupError, match="did you mean 'demo'"):
        stats.stats("dem0")
    with pytest.raises(SetupError, match="at least one day"):
        stats.stats(days=0)


def test_stats_on_an_empty_database(home) -> None:
    result = stats.stats()
    assert result["recipes"] == []
    assert result["totals"]["success_rate"] is None
    assert result["totals"]["latency_p50_s"] is None


def test_percentile_is_nearest_rank() -> None:
    assert stats.percentile([], 50) is None
    assert stats.percentile([3.0], 95) == 3.0
    assert stats.percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert stats.percentile([float(n) for n in range(1, 21)], 95) == 19.0


def test_audit_entries_newest_first_with_changes(data) -> None:
    items = audit.entries()
    assert [i["record_key"] for i in items] == ["1003", "1002", "1001"]
    assert items[2]["changes"] == [{"field": "dealstage", "before": "appointmentscheduled", "after": "closedwon"}]
    assert items[0]["changes"] == []  # the write changed nothing
    assert [c["field"] for c in items[1]["changes"]] == ["dealname", "note"]
    assert items[1]["dry_run"]
    assert [i["record_key"] for i in audit.entries("demo", since=NOW - timedelta(days=1))] == ["1003"]
    assert len(audit.entries(limit=1)) == 1
    with pytest.raises(SetupError, match="no recipe named"):
        audit.entries("nope")


def test_audit_csv_has_bom_and_opens_cleanly(data, tmp_path: Path) -> None:
    target = tmp_path / "audit.csv"
    assert audit.export_csv(target) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read UTF-8
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["record_key"] for r in rows] == ["1001", "1002", "1003"]  # oldest first
    first, second = rows[0], rows[1]
    assert first["recipe"] == "demo"
    assert first["changed_fields"] == "dealstage"
    assert first["dry_run"] == "no"
    assert json.loads(first["before"])["dealstage"] == "appointmentscheduled"
    assert first["when_utc"] == "2024-06-07T15:00:00+00:00"
    assert second["recipe"] == "订单"
    assert json.loads(second["after"])["note"] == "张三的订单 #1002"
    assert second["before"] == ""
    assert second["dry_run"] == "yes"
    assert audit.export_csv(tmp_path / "one.csv", recipe="订单", since="2024-06-01") == 1
    with pytest.raises(SetupError, match="no recipe named"):
        audit.export_csv(tmp_path / "never.csv", recipe="nope")
    assert not (tmp_path / "never.csv").exists()


def test_audit_csv_neutralises_formulas(home, tmp_path: Path) -> None:
    with db.session() as s:
        s.add(AuditEntry(recipe_id=None, account="crm", action="=cmd|' /C calc'!A0", record_key="@SUM(1)",
                         after={"x": 1}))
    audit.export_csv(tmp_path / "a.csv")
    with (tmp_path / "a.csv").open(encoding="utf-8-sig", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["action"].startswith("'=")
    assert row["record_key"] == "'@SUM(1)"


def test_parse_since_forms() -> None:
    assert audit.parse_since("7d", now=NOW) == NOW - timedelta(days=7)
    assert audit.parse_since("12h", now=NOW) == NOW - timedelta(hours=12)
    assert audit.parse_since("2024-06-01T08:00:00Z") == datetime(2024, 6, 1, 8, tzinfo=UTC)
    local_midnight = audit.parse_since("2024-06-01")
    assert local_midnight is not None
    assert local_midnight.tzinfo is not None
    assert local_midnight.hour == 0
    assert audit.parse_since(None) is None
    with pytest.raises(SetupError, match="not a date"):
        audit.parse_since("last tuesday")


def test_cli_stats_and_audit_export(data, tmp_path: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    ops.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["stats", "--json", "--days", "3650"])
    assert args.func(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert {r["recipe"] for r in out["recipes"]} == {"demo", "订单"}
    assert out["days"] == 3650
    args = parser.parse_args(["stats", "demo", "--days", "3650"])
    assert args.func(args) == 0
    text = capsys.readouterr().out
    assert "RECIPE" in text
    assert "demo" in text
    assert "429s" in text
    args = parser.parse_args(["audit", "export", str(tmp_path / "x.csv"), "--recipe", "demo", "--since", "2000-01-01"])
    assert args.func(args) == 0
    assert "Wrote 2 audit entries" in capsys.readouterr().out
    args = parser.parse_args(["audit", "list", "--json"])
    assert args.func(args) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
