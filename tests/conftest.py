"""Shared fixtures: an isolated data directory, and the sandbox apps served on loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from ordersync_app.connectors.sdk import auth, http
from ordersync_app.connectors.sdk.http import RetryPolicy
from ordersync_app.domain import redact
from ordersync_app.sandbox._server import SandboxServer
from ordersync_app.sandbox.apps import build_server
from ordersync_app.secrets import store as secret_store
from ordersync_app.services import webhooks
from ordersync_app.storage import db

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty ``ORDERSYNC_HOME`` for one test."""
    path = tmp_path / "home"
    monkeypatch.setenv("ORDERSYNC_HOME", str(path))
    monkeypatch.delenv("ORDERSYNC_DATABASE_URL", raising=False)
    yield path
    db.dispose_all()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """All sandbox apps on a free loopback port, state in ``tmp_path``; rate limits off."""
    server = build_server(tmp_path / "sandbox", port=0, orders=60, hubspot_limit=None).start()
    yield server
    server.stop()


@pytest.fixture
def fast_retry() -> RetryPolicy:
    """A retry policy with tiny delays, for tests that provoke retries."""
    return RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, max_retry_after=5.0)


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keychain for tests (never used by the app itself)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.values:
            raise keyring.errors.PasswordDeleteError(username)
        del self.values[(service, username)]


@pytest.fixture(autouse=True)
def fresh_account_state() -> Iterator[None]:
    """Rate limiters and sign-ins are shared process-wide per account name (as in the app); tests reuse
    names like "shop", so each test starts with none (a 429's pause must not leak into the next test)."""
    yield
    http._limiters.clear()
    http._pacers.clear()
    http.close_pooled()  # pooled clients too: a test's server and port are gone after it
    auth.forget()
    webhooks.forget_cached()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Every test gets an empty in-memory keychain; the real one is never touched."""
    backend = MemoryKeyring()
    secret_store.set_backend(backend)
    yield backend
    secret_store.set_backend(None)


@pytest.fixture(autouse=True)
def fresh_masking() -> Iterator[None]:
    """Secrets registered by one test are forgotten after it: every 8-character piece of a registered
    secret is masked, so a test token such as ``wrong-access_token-value`` would otherwise mask the
    words ``access_token`` in later tests' vendor messages."""
    saved = (redact._registered, redact._pieces, redact._short, redact._longest)
    yield
    redact._registered, redact._pieces, redact._short, redact._longest = saved
