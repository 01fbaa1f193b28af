"""The base of every page: a title, a body, and ``refresh()`` that re-reads data off the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ordersync_app.gui.context import AppContext


class Page(QWidget):
    """A page of the main window.

    Subclasses fill ``self.layout_`` and implement :meth:`refresh` with ``ctx.tasks.run``.
    ``loaded`` counts completed refreshes (tests wait on it).
    """

    name = "page"

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.loaded = 0
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 18)
        self.layout_.setSpacing(12)
        self.heading = QLabel(title)
        self.heading.setObjectName("pageTitle")
        self.layout_.addWidget(self.heading)
        # "data changed" often arrives in bursts (a run ends, then its page refresh): read once
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._refresh_if_shown)

    def request_refresh(self) -> None:
        """Refresh soon (coalescing bursts); pages connect ``ctx.data_changed`` here."""
        self._debounce.start()

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Re-read what the page shows (override)."""

    def _loaded(self) -> None:
        self.loaded += 1
