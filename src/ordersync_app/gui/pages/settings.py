"""Settings: language, start at login, the tray, and where the data lives."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QWidget

from ordersync_app import paths
from ordersync_app.gui import autostart, i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import Card


class SettingsPage(Page):
    """Preferences of the desktop app.

    Signals:
        language_changed(str): the user picked a language ("" = follow the system).
    """

    name = "settings"
    language_changed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Settings"), parent)
        card = Card()
        form = QFormLayout()
        card.body.addLayout(form)
        self.language = QComboBox()
        self.language.addItem(self.tr("Same as the system"), "")
        for code, label in i18n.LANGUAGES.items():
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(i18n.saved_language() or "")))
        self.language.currentIndexChanged.connect(self._language)
        form.addRow(self.tr("Language"), self.language)
        self.login = QCheckBox(self.tr("Start OrderSync when I log in"))
        self.login.setChecked(autostart.is_enabled())
        self.login.toggled.connect(lambda on: autostart.set_enabled(enabled=on))
        form.addRow(self.tr("Start-up"), self.login)
        store = i18n.settings()
        self.tray = QCheckBox(self.tr("Keep running in the system tray when the window is closed"))
        self.tray.setChecked(str(store.value("keep_in_tray", "true")) == "true")
        self.tray.toggled.connect(self._tray)
        from PySide6.QtWidgets import QSystemTrayIcon

        if not QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.setEnabled(False)
            self.tray.setToolTip(self.tr("This desktop has no system tray. When you close the window, OrderSync "
                                         "asks whether to keep syncing in the background."))
        form.addRow(self.tr("Background"), self.tray)
        self.scheduler = QLabel("")
        self.scheduler.setWordWrap(True)
        form.addRow(self.tr("Scheduler"), self.scheduler)
        home = QLabel(str(paths.home()))
        home.setWordWrap(True)
        form.addRow(self.tr("Data folder"), home)
        self.layout_.addWidget(card)
        self.layout_.addStretch(1)

    def refresh(self) -> None:
        """Show where scheduling happens."""
        host = self.ctx.host
        self.scheduler.setText(host.describe() if host is not None else  # type: ignore[attr-defined]
                               self.tr("Not running in this window."))
        self._loaded()

    def _language(self) -> None:
        code = str(self.language.currentData() or "")
        i18n.save_language(code or None)
        self.language_changed.emit(code)

    def _tray(self, on: bool) -> None:
        store = i18n.settings()
        store.setValue("keep_in_tray", "true" if on else "false")
        store.sync()
