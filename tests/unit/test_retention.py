"""Retention and indexes (issue 15): with many outcomes stored, history and stats are answered from indexes,
and pruning removes expired history in batches while failed records wait until they are resolved."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from ordersync_app.domain.errors import SetupError
from ordersync_app.services import retention, runs, stats
from ordersync_app.storage import db
from ordersync_app.storage.tables import AuditEntry, Delivery, Execution, Recipe, Run, Setting, utcnow

OUTCOMES = 20_000


def _seed(recipes: int = 3) -> list[int]:
    """``OUTCOMES`` outcomes over ``recipes`` recipes, a tenth of them failed or retrying, spread over 200 days;
    one run per recipe per day, a settled ledger row and an audit entry per outcome."""
    now = utcnow()
    with db.session() as s:
        ids = [s.execute(insert(Recipe).values(name=f"r{n}", title=f"R {n}").returning(Recipe.id)).scalar_one()
               for n in range(recipes)]
        run_rows = [{"recipe_id": rid, "recipe_version": 1, "status": "succeeded",
                     "started_at": now - timedelta(days=d), "finished_at": now - timedelta(days=d), "counts": {},
                     "api": {}}
                    for rid in ids for d in range(200)]
        s.execute(insert(Run), run_rows)
        run_of = {(r.recipe_id, (now - r.started_at).days): r.id for r in s.execute(select(Run.id, Run.recipe_id,
                                                                                          Run.started_at))}
        outcomes: list[dict[str, Any]] = []
        deliveries: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for n in range(OUTCOMES):
            rid, age = ids[n % recipes], (n * 7) % 200
            at = now - timedelta(days=age, minutes=n % 60)
            status = "failed" if n % 20 == 0 else "retrying" if n % 20 == 1 else "succeeded"
            outcomes.append({"recipe_id": rid, "run_id": run_of.get((rid, age)) or run_of[(rid, age - 1)],
                             "record_key": str(n), "record_version": "v1", "payload": {"n": n}, "status": status,
                             "steps": [], "attempts": 0, "created_at": at, "updated_at": at})
            deliveries.append({"recipe_id": rid, "record_key": str(n), "record_version": "v1", "step": 1,
                               "status": "done" if status == "succeeded" else "rejected", "write_hash": "h",
                               "created_at": at, "updated_at": at})
            audits.append({"at": now - timedelta(days=2 * age), "recipe_id": rid, "account": "crm",
                           "action": "update_deal", "record_key": str(n), "after": {"n": n}})
        s.execute(insert(Execution), outcomes)
        s.execute(insert(Delivery), deliveries)
        s.execute(insert(AuditEntry), audits)
    return ids


def _plan(statement: Any) -> str:
    """SQLite's plan for a statement (its literal values inlined), one line per step."""
    eng = db.engine()
    sql = str(statement.compile(eng, compile_kwargs={"literal_binds": True}))
    with eng.connect() as conn:
        return "\n".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))


def test_history_and_stats_queries_use_indexes_with_many_outcomes(home) -> None:
    ids = _seed()
    with db.engine().connect() as conn:
        conn.execute(text("ANALYZE"))  # as a long-lived database would have statistics
    since = utcnow() - timedelta(days=7)
    plans = {
        "history": _plan(runs.history_query(None)),
        "history of a recipe": _plan(runs.history_query("r1")),
        "failed of a recipe": _plan(runs.history_query("r1", status="failed")),
        "failed": _plan(runs.history_query(None, status="failed")),
        "stats outcomes": _plan(stats.outcomes_query(ids, since)),
        "stats runs": _plan(stats.runs_query(ids, since)),
    }
    for name, plan in plans.items():
        scans = [line for line in plan.splitlines() if line.startswith("SCAN executions") or
                 line.startswith("SCAN runs")]
        assert not [line for line in scans if "INDEX" not in line], f"{name} reads the whole table:\n{plan}"
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan or name.startswith("stats"), f"{name} sorts:\n{plan}"
    assert "ix_executions_recipe_updated" in plans["history of a recipe"]
    assert "ix_executions_recipe_updated" in plans["stats outcomes"] or \
        "ix_executions_recipe_status_updated" in plans["stats outcomes"]
    assert "ix_runs_recipe_started" in plans["stats runs"]
    # And the services answer with them.
    assert len(runs.history(limit=50)) == 50
    assert stats.stats("r1", days=7)["recipes"][0]["recipe"] == "r1"


def test_pruning_keeps_failed_records_and_goes_in_batches(home) -> None:
    _seed()
    now = utcnow()
    setting = retention.Retention()  # the defaults: 90 days, audit 365 days, failed kept until resolved
    with db.session() as s:
        before = dict(s.execute(select(Execution.status, func.count()).group_by(Execution.status)).all())
        old_failed = s.scalar(select(func.count()).where(Execution.status.in_(("failed", "retrying")),
                                                         Execution.updated_at < now - timedelta(days=90)))
    step = retention.prune_step(setting, batch=100)
    assert step["outcomes"] == 100 and step["deliveries"] == 100  # one small batch each, no more

    totals = retention.prune(setting, batch=500)
    assert totals["outcomes"] > 0 and totals["audit"] > 0 and totals["runs"] > 0
    with db.session() as s:
        after = dict(s.execute(select(Execution.status, func.count()).group_by(Execution.status)).all())
        assert after["failed"] == before["failed"] and after["retrying"] == before["retrying"]
        assert old_failed and s.scalar(select(func.count()).where(Execution.status.in_(("failed", "retrying")),
                                                                  Execution.updated_at < now - timedelta(days=90))
                                       ) == old_failed
        assert s.scalar(select(func.count()).where(Execution.status == "succeeded",
                                                   Execution.updated_at < now - timedelta(days=90))) == 0
        assert 0 < after["succeeded"] < before["succeeded"]
        # The failed records' ledger rows (rejected) stay; old settled ones went.
        assert s.scalar(select(func.count()).where(Delivery.status == "rejected")) == \
            before["failed"] + before["retrying"]
        assert s.scalar(select(func.count()).where(Delivery.status == "done",
                                                   Delivery.updated_at < now - timedelta(days=90))) == 0
        assert s.scalar(select(func.count()).where(AuditEntry.at < now - timedelta(days=365))) == 0
        assert s.scalar(select(func.count()).where(AuditEntry.at >= now - timedelta(days=365))) > 0
        # Every kept outcome still has its run (a run is pruned only when no kept outcome names it).
        assert s.scalar(select(func.count()).select_from(Execution).outerjoin(Run, Run.id == Execution.run_id)
                        .where(Run.id.is_(None))) == 0
    assert not any(retention.prune(setting).values())  # nothing left to do


def test_the_setting_is_stored_and_zero_keeps_forever(home) -> None:
    _seed(recipes=1)
    retention.save(retention.Retention(outcomes_days=0, audit_days=0))
    assert retention.load() == retention.Retention(outcomes_days=0, audit_days=0)
    assert retention.prune() == {"outcomes": 0, "deliveries": 0, "runs": 0, "audit": 0, "echoes": 0}


def test_the_setting_is_shared_by_every_machine_on_the_database(tmp_path, monkeypatch) -> None:
    """Two data directories (two machines) on one database: what one saves, the other prunes by."""
    shared = f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", shared)
    monkeypatch.setenv("ORDERSYNC_HOME", str(tmp_path / "machine-a"))
    retention.save(retention.Retention(outcomes_days=30, audit_days=730))
    monkeypatch.setenv("ORDERSYNC_HOME", str(tmp_path / "machine-b"))
    try:
        assert retention.load() == retention.Retention(outcomes_days=30, audit_days=730)
    finally:
        db.dispose_all()


def test_an_old_retention_file_is_imported_once_then_renamed(home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "retention.json").write_text('{"outcomes_days": 14, "audit_days": 400, "keep_failed": false}')
    expected = retention.Retention(outcomes_days=14, audit_days=400, keep_failed=False)
    assert retention.load() == expected
    assert not (home / "retention.json").exists() and (home / "retention.json.imported").exists()
    assert retention.load() == expected  # now from the database


@pytest.mark.parametrize(("stored", "problem"), [
    ({"outcomes_days": -1}, "outcomes_days must be a whole number of days, 0 or more, not -1"),
    ({"audit_days": "a year"}, "audit_days must be a whole number of days, 0 or more, not 'a year'"),
    ({"keep_failed": "yes"}, "keep_failed must be true or false, not 'yes'"),
    (["90"], "not a valid retention setting (not an object)"),
])
def test_a_bad_stored_setting_is_refused_naming_what_is_wrong(home, stored: Any, problem: str) -> None:
    with db.session() as s:
        s.add(Setting(name="retention", value=stored, updated_at=utcnow()))
    with pytest.raises(SetupError) as caught:
        retention.load()
    assert problem in caught.value.render()


def test_a_damaged_old_file_is_refused_and_kept(home) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "retention.json").write_text("{not json")
    with pytest.raises(SetupError, match=r"retention\.json is not a valid retention setting"):
        retention.load()
    assert (home / "retention.json").exists()


def test_prune_from_the_command_line_refuses_negative_days_and_saves_for_everyone(tmp_path) -> None:
    from tests.e2e.helpers import ordersync

    home = tmp_path / "home"
    refused = ordersync(home, "prune", "--outcomes-days", "-5")
    assert refused.returncode == 2 and "outcomes_days must be a whole number of days, 0 or more" in refused.stderr
    saved = ordersync(home, "prune", "--outcomes-days", "30", "--save")
    assert saved.returncode == 0 and "outcomes 30 days" in saved.stdout and "(saved)" in saved.stdout
    shown = ordersync(home, "prune", "--json")
    assert json.loads(shown.stdout)["setting"] == {"outcomes_days": 30, "audit_days": 365, "keep_failed": True}
