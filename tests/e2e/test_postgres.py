"""The engine on PostgreSQL (``ORDERSYNC_DATABASE_URL``), for teams that outgrow one machine.

``.ci/run`` starts a throwaway PostgreSQL server on loopback and sets ``ORDERSYNC_TEST_POSTGRES_URL``;
without one these tests cannot run and say so.
"""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa

from ordersync_app.services import demo, runs, sandbox
from ordersync_app.storage import db

SERVER = os.environ.get("ORDERSYNC_TEST_POSTGRES_URL")
pytestmark = pytest.mark.skipif(not SERVER, reason="no PostgreSQL server (ORDERSYNC_TEST_POSTGRES_URL unset)")


@pytest.fixture
def postgres_url(home, monkeypatch: pytest.MonkeyPatch):
    name = f"ordersync_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(SERVER or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(SERVER or "").set(database=name).render_as_string(hide_password=False)
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", url)
    yield url
    db.dispose_all()
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_demo_runs_on_postgresql_with_migrations_and_exactly_once(postgres_url: str) -> None:
    try:
        first = demo.run_demo(orders=8)
        assert first.summary.succeeded == 8
        assert first.summary.writes == 8
        assert demo.run_demo(orders=8).summary.seen == 0
        assert {h.status for h in runs.history("demo")} == {"succeeded"}
        tables = sa.inspect(db.engine(postgres_url)).get_table_names()
        assert {"recipes", "executions", "deliveries", "alembic_version"} <= set(tables)
    finally:
        sandbox.stop_in_process()
