"""Many rows in one statement through SQLAlchemy Core, not the ORM's bulk machinery.

Why: ``session.execute(insert(Model), rows)`` takes the ORM's bulk path (per-row command collection, mapper
state, identity checks); for the engine's per-chunk writes that was about a quarter of a run's CPU in the
issue-15 profile. A Core statement on the mapped table sends the same SQL, with the columns' types (UTC
datetimes, JSON) and defaults applied, in one executemany.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (column name → value) into ``model``'s table."""
    if rows:
        session.execute(insert(_table(model)), rows)


def update_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Update rows by primary key ``id``: each dict holds ``id`` and the columns to set (rows setting the same
    columns go in one executemany)."""
    table = _table(model)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for columns, members in groups.items():
        # Bound names differ from the columns' (SQLAlchemy reserves those for the SET clause itself).
        statement = update(table).where(table.c.id == bindparam("row_id")).values(
            {name: bindparam(f"new_{name}") for name in columns})
        session.execute(statement, [{"row_id": row["id"], **{f"new_{name}": row[name] for name in columns}}
                                    for row in members])
