"""The tray icon: health at a glance (ok / failing / paused), Open, Run all now, Pause all, Quit.

Where the desktop has no tray (``QSystemTrayIcon.isSystemTrayAvailable()`` is false: some GNOME
setups without the AppIndicator extension, offscreen), the app keeps its window open instead and
the status bar says why. Alert popups are not made here: ``gui.notify`` shows what the low-noise
alert policy sends, so a failing recipe pops up once, not after every run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ordersync_app.gui import health, icons
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.host import SchedulerHost


def available() -> bool:
    """Whether this desktop shows tray icons."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class Tray(QObject):
    """Owns the QSystemTrayIcon and its menu. Signals: ``open_requested``, ``quit_requested``."""

    open_requested = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, host: SchedulerHost | None) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.host = host
        self.state = "ok"
        self.icon = QSystemTrayIcon(icons.app_icon("ok"), self)
        menu = QMenu()
        self.menu = menu
        menu.addAction(self.tr("Open OrderSync"), self.open_requested.emit)
        menu.addAction(self.tr("Run all now"), lambda: host.run_all_now() if host else None)
        self.pause = QAction(self.tr("Pause all"), menu)
        self.pause.setCheckable(True)
        self.pause.toggled.connect(lambda on: host.set_paused(paused=on) if host else None)
        menu.addAction(self.pause)
        menu.addSeparator()
        menu.addAction(self.tr("Quit"), self.quit_requested.emit)
        self.icon.setContextMenu(menu)
        self.icon.activated.connect(self._activated)
        self.icon.setToolTip("OrderSync")
        # A finished run or a pause changes the health (ctx re-emits them as data_changed); popups about
        # failures come only from the alert policy, through gui.notify.DesktopAlerts.
        ctx.data_changed.connect(self.update_health)
        if host is not None:
            host.state_changed.connect(lambda _s: self.update_health())
        self.timer = QTimer(self)
        self.timer.setInterval(60_000)
        self.timer.timeout.connect(self.update_health)
        self.timer.start()

    def show(self) -> None:
        """Show the icon and read the health."""
        self.icon.show()
        self.update_health()

    def update_health(self) -> None:
        """Re-read health off the GUI thread and set the icon."""
        self.ctx.tasks.run(health.collect, on_success=self._set, title=self.tr("Reading the health summary"))

    def _set(self, data: health.Health) -> None:
        state = data.state
        if self.host is not None and self.host.state == "paused":
            state = "paused"
        self.state = state
        self.icon.setIcon(icons.app_icon(state))
        tips = {"ok": self.tr("OrderSync: syncing normally"),
                "failing": self.tr("OrderSync: %1 failed record(s) need attention").replace("%1", str(data.failed)),
                "paused": self.tr("OrderSync: paused")}
        self.icon.setToolTip(tips[state])

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit()

    def notify(self, title: str, text: str) -> None:
        """A desktop notification."""
        self.icon.showMessage(title, text)
