"""Recipes: the list, and what a user does with one (build, run, switch on, dry run, export, remove)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import STATUS_COLORS, Card, number, row, status_text, when
from ordersync_app.services import recipes, runs


def every_text(seconds: int) -> str:
    """"5 min" / "1 h" / "45 s", translated."""
    from PySide6.QtCore import QCoreApplication

    if seconds % 3600 == 0:
        return QCoreApplication.translate("Every", "every %1 h").replace("%1", str(seconds // 3600))
    if seconds % 60 == 0:
        return QCoreApplication.translate("Every", "every %1 min").replace("%1", str(seconds // 60))
    return QCoreApplication.translate("Every", "every %1 s").replace("%1", str(seconds))


class RecipesPage(Page):
    """Every recipe with its switch, dry-run state, last run and failed count.

    Signals:
        edit_requested(str): open the builder ("" for a new recipe).
        run_done(object): a "Run now" finished (its RunSummary).
    """

    name = "recipes"
    edit_requested = Signal(str)
    run_done = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Recipes"), parent)
        self.items: list[recipes.RecipeInfo] = []
        self.new = QPushButton(self.tr("New recipe"))
        self.new.setObjectName("primary")
        self.new.clicked.connect(lambda: self.edit_requested.emit(""))
        self.import_ = QPushButton(self.tr("Import file…"))
        self.import_.clicked.connect(self._import)
        self.layout_.addLayout(row(self.new, self.import_))
        card = Card()
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([self.tr("Recipe"), self.tr("Checks"), self.tr("Switched on"),
                                              self.tr("Mode"), self.tr("Last run"), self.tr("Failed")])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in range(1, 6):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._selection)
        self.table.doubleClicked.connect(lambda *_: self._edit())
        card.body.addWidget(self.table)
        self.empty = QLabel(self.tr("No recipes yet. Start from a template, import a file, or build one."))
        self.empty.setObjectName("muted")
        card.body.addWidget(self.empty)
        self.layout_.addWidget(card, 1)

        self.edit = QPushButton(self.tr("Edit"))
        self.run = QPushButton(self.tr("Run now"))
        self.toggle = QPushButton(self.tr("Switch on"))
        self.dry = QPushButton(self.tr("Dry run on"))
        self.export = QPushButton(self.tr("Export / share…"))
        self.remove = QPushButton(self.tr("Remove"))
        self.actions_ = (self.edit, self.run, self.toggle, self.dry, self.export, self.remove)
        for button, slot in zip(self.actions_, (self._edit, self._run, self._toggle, self._dry, self._export,
                                                self._remove), strict=True):
            button.clicked.connect(slot)
            button.setEnabled(False)
        self.layout_.addLayout(row(*self.actions_))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.hide()
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.note)
        ctx.data_changed.connect(self.request_refresh)
        ctx.bridge.run_progressed.connect(self._progress)

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the recipes."""
        self.ctx.tasks.run(recipes.list_recipes, on_success=self._show, title=self.tr("Reading recipes"))

    def _show(self, items: list[recipes.RecipeInfo]) -> None:
        selected = self.current()
        self.items = items
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(items))
        self.empty.setVisible(not items)
        for i, r in enumerate(items):
            last = r.last_run or {}
            on = self.tr("on") if r.enabled else self.tr("off")
            if r.paused_reason:
                on = self.tr("paused")
            cells = [r.title, every_text(r.every_seconds), on,
                     self.tr("dry run") if r.dry_run else self.tr("live"),
                     f"{when(last.get('started_at'))} · {status_text(last['status'])}" if last else self.tr("never"),
                     number(r.failed)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 0:
                    item.setToolTip(r.paused_reason or r.name)
                if col == 1:
                    item.setToolTip(self.tr("Missed runs (sleep, downtime) are combined into one that runs as soon "
                                            "as possible, up to 1 hour late; each run reads from where the last "
                                            "one stopped, so nothing is skipped."))
                if col == 2:
                    item.setForeground(QColor(STATUS_COLORS["failed"] if r.paused_reason else
                                              STATUS_COLORS["ok"] if r.enabled else "#6b7280"))
                if col == 5 and r.failed:
                    item.setForeground(QColor(STATUS_COLORS["failed"]))
                self.table.setItem(i, col, item)
            if selected and r.name == selected.name:
                self.table.selectRow(i)
        self.table.setUpdatesEnabled(True)
        self._selection()
        self._loaded()

    def current(self) -> recipes.RecipeInfo | None:
        """The selected recipe."""
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def select(self, name: str) -> None:
        """Select a recipe by name."""
        for i, r in enumerate(self.items):
            if r.name == name:
                self.table.selectRow(i)

    def _selection(self) -> None:
        r = self.current()
        for button in self.actions_:
            button.setEnabled(r is not None)
        if r is not None:
            self.toggle.setText(self.tr("Switch off") if r.enabled and not r.paused_reason else self.tr("Switch on"))
            self.dry.setText(self.tr("Go live") if r.dry_run else self.tr("Dry run on"))

    # -- actions ------------------------------------------------------------------------------
    def _edit(self) -> None:
        r = self.current()
        if r is not None:
            self.edit_requested.emit(r.name)

    def _run(self) -> None:
        r = self.current()
        if r is None:
            return
        self.progress.show()
        self.run.setEnabled(False)
        self.note.setText(self.tr("Running %1…").replace("%1", r.title))

        def done(summary: object) -> None:
            self.progress.hide()
            self.run.setEnabled(True)
            s = summary
            self.note.setText(self.tr("%1: %2 — %3 moved, %4 failed, %5 filtered out.")
                              .replace("%1", r.title).replace("%2", status_text(s.status))  # type: ignore[attr-defined]
                              .replace("%3", number(s.succeeded)).replace("%4", number(s.failed))  # type: ignore[attr-defined]
                              .replace("%5", number(s.filtered)))  # type: ignore[attr-defined]
            self.run_done.emit(summary)
            self.ctx.data_changed.emit()

        def failed(exc: BaseException) -> None:
            from ordersync_app.gui.tasks import describe

            self.progress.hide()
            self.run.setEnabled(True)
            self.note.setText(describe(exc))
            self.note.setObjectName("problem")
            self.ctx.data_changed.emit()

        self.ctx.tasks.run(lambda: runs.run_recipe(r.name), on_success=done, on_failure=failed)

    def _progress(self, _run_id: int, summary: object) -> None:
        if self.progress.isVisible():
            self.note.setText(self.tr("%1 records read so far, %2 moved")
                              .replace("%1", number(summary.seen))  # type: ignore[attr-defined]
                              .replace("%2", number(summary.succeeded)))  # type: ignore[attr-defined]

    def _toggle(self) -> None:
        r = self.current()
        if r is not None:
            on = not (r.enabled and not r.paused_reason)
            self.ctx.tasks.run(lambda: recipes.set_enabled(r.name, enabled=on),
                               on_success=lambda _i: self.ctx.data_changed.emit(), title=self.tr("Switching"))

    def _dry(self) -> None:
        r = self.current()
        if r is not None:
            self.ctx.tasks.run(lambda: recipes.set_dry_run(r.name, dry_run=not r.dry_run),
                               on_success=lambda _i: self.ctx.data_changed.emit(), title=self.tr("Dry run"))

    def _export(self) -> None:
        r = self.current()
        if r is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export recipe"), f"{r.name}.yaml",
                                              self.tr("Recipe files (*.yaml *.yml)"))
        if path:
            self.export_to(r.name, Path(path))

    def export_to(self, name: str, path: Path) -> None:
        """Write the shareable file (no accounts, hosts or secrets) in the background."""
        def work() -> Path:
            path.write_text(recipes.export_recipe(name), encoding="utf-8")
            return path

        self.ctx.tasks.run(work, on_success=lambda p: self.note.setText(
            self.tr("Saved %1 (no accounts or secrets inside).").replace("%1", str(p))), title=self.tr("Export"))

    def _remove(self) -> None:
        r = self.current()
        if r is None:
            return
        answer = QMessageBox.question(self, self.tr("Remove recipe"),
                                      self.tr("Remove “%1” and its history?").replace("%1", r.title))
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.tasks.run(lambda: recipes.remove_recipe(r.name),
                               on_success=lambda _x: self.ctx.data_changed.emit(), title=self.tr("Remove"))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import recipe"), "",
                                              self.tr("Recipe files (*.yaml *.yml *.json)"))
        if path:
            self.ctx.import_requested.emit(path)
