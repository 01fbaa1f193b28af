"""The desktop-notification alert sink: the low-noise alert policy's popups, shown by the tray.

Why it exists: ``services.alerts`` decides *when* people hear about a failing recipe and calls each
sink's ``send(alert)`` on the thread that finished the run (a scheduler or background-helper
thread). Widgets may only be touched on the GUI thread, so :class:`DesktopAlerts` (created on the
GUI thread) only emits a signal from ``send``; Qt queues the call to the GUI thread, where the
alert is shown with ``QSystemTrayIcon.showMessage``, or in the status bar where there is no tray.
The tray no longer makes popups of its own, so this policy is the only source of alert popups.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QSystemTrayIcon

from ordersync_app.alerts import Alert, register_sink, unregister_sink
from ordersync_app.gui import i18n

log = logging.getLogger(__name__)
SINK_NAME = "desktop"
STATUS_BAR_MS = 60_000


def texts(alert: Alert) -> tuple[str, str]:
    """(title, body) of ``alert`` in the language in use (shared lines, such as error texts, as is)."""
    body = [i18n.pick(en, zh) if zh else en for en, zh in alert.lines]
    return i18n.pick(alert.title_en, alert.title_zh), "\n".join(body)


class DesktopAlerts(QObject):
    """An :class:`~ordersync_app.alerts.AlertSink` whose ``send`` may be called from any thread.

    Signals:
        arrived(object): internal; carries the Alert to the GUI thread (queued connection).
        shown(str, str): the alert was shown (title, body), emitted on the GUI thread.
    """

    arrived = Signal(object)
    shown = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *, tray: QSystemTrayIcon | None = None,
                 window: QMainWindow | None = None) -> None:
        super().__init__(parent)
        self.tray = tray
        self.window = window
        # Explicitly queued: even a send() on the GUI thread returns before any widget is touched.
        self.arrived.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def send(self, alert: Alert) -> None:
        """Hand ``alert`` to the GUI thread; never blocks and never touches widgets here."""
        self.arrived.emit(alert)

    def install(self) -> None:
        """Register as the ``desktop`` alert sink of this process."""
        register_sink(SINK_NAME, self)

    def uninstall(self) -> None:
        """Stop receiving alerts (the app is quitting)."""
        unregister_sink(SINK_NAME)

    @Slot(object)
    def _show(self, alert: Alert) -> None:
        title, body = texts(alert)
        if self.tray is not None and self.tray.isVisible():
            icon = QSystemTrayIcon.MessageIcon.Warning if alert.kind in ("failing", "digest", "sla_breach") else \
                QSystemTrayIcon.MessageIcon.Information
            self.tray.showMessage(title, body, icon)
        elif self.window is not None:
            first = body.splitlines()[0] if body else ""
            self.window.statusBar().showMessage(f"{title}: {first}" if first else title, STATUS_BAR_MS)
        else:
            log.info("alert for %s not shown: no tray and no window", alert.recipe or "-")
        self.shown.emit(title, body)
