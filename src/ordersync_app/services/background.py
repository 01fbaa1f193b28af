"""Keep syncing after the window closes: start ``ordersync worker`` as a detached background process.

Why: on a desktop without a system tray, closing the window used to quit the app and silently stop every
switched-on recipe. The window now asks, and can hand scheduling over to the headless worker (the same
one a server runs), which keeps going after the app exits. The app releases the scheduler lock first; the
worker takes it (only one scheduler per data folder).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ordersync_app import paths
from ordersync_app.domain.errors import SetupError
from ordersync_app.secrets import store

__all__ = ["start_worker", "worker_needs_passphrase"]

# Workers started by this process: kept so that they are not reaped (or warned about) as garbage while this
# process still runs; they outlive it by design.
_children: list[subprocess.Popen[bytes]] = []


def worker_needs_passphrase() -> bool:
    """Whether a detached worker could not read account secrets by itself (an encrypted keyring
    unlocked by typing, with no ``ORDERSYNC_KEYRING_PASSPHRASE`` or ``…_FILE``): the window then says so."""
    return store.uses_encrypted_file() and not store.has_env_passphrase()


def start_worker() -> int:
    """Start ``ordersync worker`` detached from this process (its output goes to the log folder).

    Returns:
        The worker's process id.

    Raises:
        SetupError: the process could not be started.
    """
    logs = paths.home() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, ORDERSYNC_HOME=str(paths.home()))
    env.pop("QT_QPA_PLATFORM", None)
    kwargs: dict[str, object] = {}
    if os.name == "nt":  # pragma: no cover - Windows
        kwargs["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
    else:
        kwargs["start_new_session"] = True
    try:
        with Path(logs / "worker.out").open("ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "ordersync_app", "worker"], env=env,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       close_fds=True, **kwargs)  # type: ignore[call-overload]
    except OSError as exc:
        raise SetupError(f"the background worker could not be started: {exc}") from exc
    _children.append(process)
    return int(process.pid)
