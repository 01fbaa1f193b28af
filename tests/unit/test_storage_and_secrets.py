"""Storage migrations on a real SQLite file, the secret store, and masking."""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from ordersync_app.domain.errors import SetupError
from ordersync_app.domain.redact import mask, register_secret
from ordersync_app.secrets import store
from ordersync_app.storage import db
from ordersync_app.storage.tables import Base


def test_migrations_create_schema_in_home(home) -> None:
    eng = db.engine()
    assert db.has_tables(eng)
    path = home / "ordersync.db"
    assert path.exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        head = ScriptDirectory.from_config(db.alembic_config(db.paths.database_url())).get_current_head()
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head


def test_the_start_up_check_knows_the_same_head_as_alembic(home, monkeypatch) -> None:
    """``db.engine`` skips Alembic when the database is at the head it reads from the scripts itself; that head
    must be Alembic's own (a new database is migrated: ``test_migrations_create_schema_in_home``)."""
    from alembic import command

    scripts = ScriptDirectory.from_config(db.alembic_config(db.paths.database_url()))
    assert db.head_revisions() == set(scripts.get_heads())
    db.engine()
    db.dispose_all()

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("Alembic ran on a database already at its head")

    monkeypatch.setattr(command, "upgrade", refuse)
    assert db.has_tables(db.engine())


def test_migrations_match_the_tables(home) -> None:
    """Every table, column and index of ``tables.py`` exists after the migrations (none forgotten)."""
    with db.engine().connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_bad_database_url_is_a_setup_error(monkeypatch) -> None:
    monkeypatch.setenv("ORDERSYNC_DATABASE_URL", "sqlite:////nonexistent-dir/x/y.db")
    with pytest.raises(Exception, match="cannot open the database"):
        db.engine()


def test_secret_store_round_trip(memory_keyring) -> None:
    store.set_secret("shop", "access_token", "tok-123456")
    assert store.get_secret("shop", "access_token") == "tok-123456"
    assert memory_keyring.values == {("OrderSync", "shop/access_token"): "tok-123456"}
    store.delete_secrets("shop", ["access_token", "missing"])
    assert store.get_secret("shop", "access_token") is None


def test_encrypted_file_keyring_without_passphrase_refuses(home, monkeypatch) -> None:
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(Exception, match="no system keychain"):
        store.backend()


def test_encrypted_file_keyring_with_passphrase(home, monkeypatch) -> None:
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE", "correct horse")
    store.set_secret("crm", "access_token", "pat-canary-0001")
    data = (home / "secrets.cfg").read_bytes()
    assert b"pat-canary-0001" not in data  # encrypted at rest
    store.set_backend(None)
    assert store.get_secret("crm", "access_token") == "pat-canary-0001"


def test_mask_hides_registered_and_obvious_secrets() -> None:
    register_secret("s3cr3t-value")
    text = mask("token=abc123&x=1 Authorization: Bearer xyz.abc s3cr3t-value")
    assert "abc123" not in text and "xyz.abc" not in text and "s3cr3t-value" not in text
    assert "x=1" in text


def test_encrypted_file_keyring_with_a_passphrase_file(home, tmp_path, monkeypatch) -> None:
    """A headless server mounts the passphrase as a file (/run/secrets/…, a systemd credential)."""
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE", raising=False)
    secret_file = tmp_path / "run-secrets" / "ordersync-keyring-passphrase"
    secret_file.parent.mkdir()
    secret_file.write_text("correct horse battery\n", "utf-8")  # as `echo … >` writes it
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE_FILE", str(secret_file))
    assert not store.needs_passphrase()
    store.set_secret("crm", "access_token", "pat-canary-0002")
    assert b"pat-canary-0002" not in (home / "secrets.cfg").read_bytes()

    store.set_backend(None)  # the same passphrase typed in the variable opens it: the line break is not part of it
    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE_FILE")
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE", "correct horse battery")
    assert store.get_secret("crm", "access_token") == "pat-canary-0002"

    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE")
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE_FILE", str(secret_file))
    store.set_backend(None)
    assert store.get_secret("crm", "access_token") == "pat-canary-0002"

    secret_file.write_text("wrong horse\n", "utf-8")
    store.set_backend(None)
    with pytest.raises(SetupError, match="passphrase is wrong"):
        store.get_secret("crm", "access_token")
    secret_file.write_text("\n", "utf-8")
    store.set_backend(None)
    with pytest.raises(SetupError, match="is empty"):
        store.get_secret("crm", "access_token")
    secret_file.unlink()
    store.set_backend(None)
    with pytest.raises(SetupError, match="cannot read the keyring passphrase file") as unreadable:
        store.get_secret("crm", "access_token")
    assert "ORDERSYNC_KEYRING_PASSPHRASE_FILE" in (unreadable.value.hint or "")
