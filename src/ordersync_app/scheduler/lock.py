"""One scheduler per data directory: the app and ``ordersync worker`` never run the same recipes twice."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from ordersync_app.domain.errors import SetupError


class InstanceLock:
    """An exclusive, non-blocking lock on ``<home>/scheduler.lock`` (released when the process dies)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise SetupError naming the process that holds it."""
        handle = self.path.open("a+", encoding="utf-8")
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SetupError(f"recipes in this data directory are already scheduled by {holder}",
                             hint="stop the other OrderSync app or worker first") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(f"OrderSync pid {os.getpid()}")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Give the lock back."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None
