"""The database: engine creation (SQLite in WAL mode by default) and migrations run on start."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"

_engines: dict[str, Engine] = {}
_makers: dict[str, sessionmaker[Session]] = {}  # one per engine: building one per session costs a run dearly
_lock = threading.Lock()
# Connections per process: a worker runs a thread per recipe (up to 64) plus their lease heartbeats, each holding a
# connection only for one short transaction at a time. 30 at most per worker: three workers and a desktop app stay
# inside PostgreSQL's default max_connections (100).
POOL_SIZE, POOL_OVERFLOW = 5, 25


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def engine(url: str | None = None) -> Engine:
    """The process-wide engine for ``url`` (default: :func:`paths.database_url`), migrated to head.

    Raises:
        SetupError: the database cannot be opened or migrated.
    """
    url = url or paths.database_url()
    with _lock:
        found = _engines.get(url)
        if found is not None:
            return found
        try:
            _private_sqlite_file(url)
            # A file database has no server to drop idle connections: pinging it before every session is pure cost.
            sqlite = url.startswith("sqlite")
            in_memory = sqlite and (":memory:" in url or url.rstrip("/") == "sqlite:")  # one shared connection
            pool = {} if in_memory else {"pool_size": POOL_SIZE, "max_overflow": POOL_OVERFLOW}
            eng = create_engine(url, future=True, pool_pre_ping=not sqlite, **pool)
            if eng.dialect.name == "sqlite":
                event.listen(eng, "connect", _sqlite_pragmas)
            if not _at_head(eng):  # Alembic (a third of a short command's start-up) only when there is work
                from alembic import command

                with eng.begin() as connection:
                    config = alembic_config(url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise SetupError(f"cannot open the database {_safe(url)}: {type(exc).__name__}",
                             hint="check ORDERSYNC_DATABASE_URL / ORDERSYNC_HOME") from exc
        _engines[url] = eng
        _makers[url] = sessionmaker(eng, expire_on_commit=False)
        return eng


_REVISION = re.compile(r"^(down_revision|revision)\s*(?::[^=]*)?=\s*['\"]?([\w-]+|None)['\"]?", re.M)


def head_revisions() -> set[str]:
    """The newest migrations (normally one), read from the scripts' ``revision``/``down_revision`` lines
    without importing Alembic."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        found = dict((name, value) for name, value in _REVISION.findall(script.read_text("utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    return revisions - parents


def _at_head(eng: Engine) -> bool:
    """Whether the database is migrated to the newest scripts already (False when unsure: Alembic decides)."""
    try:
        with eng.connect() as connection:
            stored = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    except SQLAlchemyError:
        return False
    heads = head_revisions()
    return bool(heads) and stored == heads


def _private_sqlite_file(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite does (its WAL and shm files copy the mode)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        try:
            paths.private_file(parsed.database)
        except OSError:
            return  # SQLite reports the unusable path in its own words


def _safe(url: str) -> str:
    """The URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def has_tables(eng: Engine) -> bool:
    """Whether the schema is present (used by tests)."""
    return "recipes" in inspect(eng).get_table_names()


def dispose_all() -> None:
    """Close every engine (tests switch data directories)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()
        _makers.clear()
        _urls.clear()


_urls: dict[tuple[str | None, str | None], str] = {}


def _default_url() -> str:
    """:func:`paths.database_url`, looked up once per data directory (it creates and checks the directory:
    a few system calls that every session of a run paid)."""
    key = (os.environ.get("ORDERSYNC_DATABASE_URL"), os.environ.get("ORDERSYNC_HOME"))
    found = _urls.get(key)
    if found is None:
        found = _urls[key] = paths.database_url()
    return found


@contextmanager
def session(url: str | None = None) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    url = url or _default_url()
    maker = _makers.get(url)
    if maker is None:
        engine(url)
        maker = _makers[url]
    with maker() as s, s.begin():
        yield s
