"""The field picker: connector labels in the user's language, the raw path as secondary text, sample
values, substring search and the likely match first, in a popup wide enough to read them.

Why: a plain combo box of API paths (``legacyResourceId = 5010``, ``fulfillments[0].trackingInfo.number``)
hides the labels the connector declares ("Order ID", "快递单号"), elides long entries, searches from the
start of the path only, and lists the decoy (``id = gid://…``) first. The choices and their order come from
``services.builder.field_choices``.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ordersync_app.gui import i18n
from ordersync_app.gui.models import Column, RowsModel, table_view
from ordersync_app.services.builder import FieldChoice

POPUP_WIDTH = 600


class FieldPopup(QFrame):
    """The list of fields with a search box (a ``Qt.Popup`` window; closes on a click outside).

    Signals:
        chosen(str): a path was picked (from the list, or typed).
    """

    chosen = Signal(str)

    def __init__(self, choices: list[FieldChoice], parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("fieldPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search fields, paths or sample values"))
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        lang = i18n.current()
        self.model: RowsModel[FieldChoice] = RowsModel([
            Column(self.tr("Field"), lambda c: c.label(lang), tooltip=lambda c: c.path),
            Column(self.tr("Path"), lambda c: c.path if c.path != c.label(lang) else "",
                   color=lambda _c: "#6b7280"),
            Column(self.tr("Sample value"), lambda c: c.sample, tooltip=lambda c: c.sample, stretch=True),
        ], self)
        self.model.set_rows(choices)
        self.view, self.proxy = table_view(self.model, sortable=False, parent=self)
        self.view.setColumnWidth(0, 180)
        self.view.setColumnWidth(1, 200)
        self.view.doubleClicked.connect(lambda index: self._pick_row(index.row()))
        layout.addWidget(self.view, 1)
        self.hint = QLabel("")
        self.hint.setObjectName("secondary")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        self.resize(POPUP_WIDTH, 340)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount():
            self.view.selectRow(0)
            self.hint.setText("")
        else:
            self.hint.setText(self.tr("No field matches. Press Enter to use “%1” as a field path.")
                              .replace("%1", text.strip()) if text.strip() else "")

    def visible_paths(self) -> list[str]:
        """The paths listed under the current search, in order."""
        return [self.model.rows[self.proxy.mapToSource(self.proxy.index(r, 0)).row()].path
                for r in range(self.proxy.rowCount())]

    def _pick_row(self, proxy_row: int) -> None:
        if 0 <= proxy_row < self.proxy.rowCount():
            choice = self.model.rows[self.proxy.mapToSource(self.proxy.index(proxy_row, 0)).row()]
            self.chosen.emit(choice.path)
            self.close()

    def pick_current(self) -> None:
        """Choose the highlighted row, or the typed text when nothing matches."""
        rows = self.view.selectionModel().selectedRows()
        if rows:
            self._pick_row(rows[0].row())
        elif self.search.text().strip():
            self.chosen.emit(self.search.text().strip())
            self.close()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.pick_current()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                current = self.view.currentIndex().row()
                step = 1 if key == Qt.Key.Key_Down else -1
                self.view.selectRow(max(0, min(self.proxy.rowCount() - 1, current + step)))
                return True
        return super().eventFilter(watched, event)


class FieldPicker(QPushButton):
    """A button showing the chosen field ("Order ID · 5010"); clicking opens :class:`FieldPopup`.

    Signals:
        changed(): another path was chosen.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fieldPicker")
        self.setProperty("userData", True)  # shows a sample value: the shop's data
        self.choices: list[FieldChoice] = []
        self._path = ""
        self.placeholder = self.tr("Choose a field…")
        self.popup: FieldPopup | None = None
        self.setStyleSheet("QPushButton#fieldPicker { text-align: left; padding: 4px 8px; }")
        self.setMinimumWidth(150)
        self.clicked.connect(self.open_popup)
        self._render()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(min(hint.width(), 260), hint.height())

    def set_choices(self, choices: list[FieldChoice]) -> None:
        """The fields on offer (the chosen path is kept, even when it is not among them)."""
        self.choices = list(choices)
        self._render()

    def path(self) -> str:
        """The chosen path ("" for none)."""
        return self._path

    def set_path(self, path: str) -> None:
        """Choose a path (emits ``changed`` when it differs)."""
        path = path.strip()
        if path == self._path:
            self._render()
            return
        self._path = path
        self._render()
        self.changed.emit()

    def choice(self) -> FieldChoice | None:
        """The offered choice for the chosen path, if it is one."""
        return next((c for c in self.choices if c.path == self._path), None)

    def open_popup(self) -> FieldPopup:
        """Show the list under the button (wider than the button), search focused."""
        popup = FieldPopup(self.choices, self)
        popup.chosen.connect(self.set_path)
        below = self.mapToGlobal(QPoint(0, self.height()))
        screen = self.screen().availableGeometry() if self.screen() else None
        width = max(POPUP_WIDTH, self.width())
        if screen is not None:
            below.setX(max(screen.left(), min(below.x(), screen.right() - width)))
            if below.y() + popup.height() > screen.bottom():
                below.setY(max(screen.top(), self.mapToGlobal(QPoint(0, 0)).y() - popup.height()))
        popup.resize(width, popup.height())
        popup.move(below)
        self.popup = popup
        popup.show()
        popup.search.setFocus()
        return popup

    def _render(self) -> None:
        lang = i18n.current()
        found = self.choice()
        if not self._path:
            text, tip = self.placeholder, ""
        elif found is None:
            text, tip = self._path, self._path
        else:
            label = found.label(lang)
            text = label + (f"  ·  {found.sample}" if found.sample else "")
            tip = f"{label}\n{found.path}" + (f"\n= {found.sample}" if found.sample else "")
        self.full_text = text
        self.setToolTip(tip)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(metrics.elidedText(self.full_text, Qt.TextElideMode.ElideRight, max(40, self.width() - 24)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()
