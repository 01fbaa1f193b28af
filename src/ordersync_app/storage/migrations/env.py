"""Alembic environment: runs on the connection handed over by :func:`ordersync_app.storage.db.engine`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from ordersync_app.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run migrations online (on a given connection, or on the configured URL)."""
    connection = config.attributes.get("connection")
    if connection is None:
        with create_engine(config.get_main_option("sqlalchemy.url") or "").begin() as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            with context.begin_transaction():
                context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run()
