"""One app per data directory: a second launch asks the first to show its window, then exits.

A ``QLocalServer`` named after the data directory answers; the scheduler's file lock (see
:mod:`ordersync_app.scheduler.lock`) separately guarantees recipes are never scheduled twice.
"""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from ordersync_app import paths


def server_name() -> str:
    """The local socket name for this data directory."""
    digest = hashlib.sha256(str(paths.home().resolve()).encode()).hexdigest()[:16]
    return f"ordersync-{digest}"


def ask_running_instance(timeout_ms: int = 500) -> bool:
    """If an app already runs on this data directory, ask it to come to the front; True if it did."""
    socket = QLocalSocket()
    socket.connectToServer(server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(b"show\n")
    socket.flush()
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches. Signals: ``show_requested()``."""

    show_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        QLocalServer.removeServer(server_name())  # a stale socket from a crashed app
        self.server.listen(server_name())
        self.server.newConnection.connect(self._connection)

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).strip() == b"show":
            self.show_requested.emit()
        socket.disconnectFromServer()
