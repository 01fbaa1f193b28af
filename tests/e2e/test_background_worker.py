"""Closing the window without a tray can hand syncing to a detached ``ordersync worker`` (services.background)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from ordersync_app.domain.errors import SetupError
from ordersync_app.processes import pid_alive
from ordersync_app.scheduler.lock import InstanceLock
from ordersync_app.services import background


def _held(lock_path: Path) -> bool:
    lock = InstanceLock(lock_path)
    try:
        lock.acquire()
    except SetupError:
        return True
    lock.release()
    return False


def _until(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)  # polling a condition, not a fixed wait
    return False


@pytest.mark.skipif(os.name == "nt", reason="SIGTERM stands for the user's logout here")
def test_start_worker_runs_the_scheduler_detached(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("ORDERSYNC_KEYRING_PASSPHRASE", "test-passphrase")
    pid = background.start_worker()
    try:
        assert _until(lambda: _held(home / "scheduler.lock")), (home / "logs" / "worker.out").read_text("utf-8")
        assert os.getpgid(pid) == pid  # its own session: closing the app (or its terminal) does not stop it
    finally:
        os.kill(pid, signal.SIGTERM)
        worker = background._children.pop()
        assert worker.pid == pid
        assert worker.wait(timeout=30) == 0  # a clean stop, as at logout
    assert not pid_alive(pid)
