"""Recipes: the list, and what a user does with one (build, run, switch on, dry run, export, remove).

What a run did is told in words (``services.summaries``): a dry run as a preview ("3 deals would change;
nothing was written"), an empty run with its reason; a failed run in plain words with its fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from ordersync_app.domain.records import RunSummary
from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.explained import ExplanationPanel
from ordersync_app.gui.models import Column, RowsModel, fit_columns, selected_rows, table_view
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import STATUS_COLORS, Card, number, recipe_title, row, status_text, when
from ordersync_app.services import recipes, runs
from ordersync_app.services.queue import action_connector
from ordersync_app.services.summaries import describe_run


def every_text(seconds: int) -> str:
    """"every 5 min" / "every 1 h" / "every 45 s", translated."""
    from PySide6.QtCore import QCoreApplication

    if seconds % 3600 == 0:
        return QCoreApplication.translate("Every", "every %1 h").replace("%1", str(seconds // 3600))
    if seconds % 60 == 0:
        return QCoreApplication.translate("Every", "every %1 min").replace("%1", str(seconds // 60))
    return QCoreApplication.translate("Every", "every %1 s").replace("%1", str(seconds))


def how_often(info: recipes.RecipeInfo) -> str:
    """"every 5 min", or for a scheduled recipe "on a schedule: 0 2 1 * * (Asia/Shanghai)", translated."""
    from PySide6.QtCore import QCoreApplication

    if info.schedule:
        return QCoreApplication.translate("Every", "on a schedule: %1 (%2)").replace(
            "%1", info.schedule["cron"]).replace("%2", info.schedule["timezone"])
    return every_text(info.every_seconds)


def next_run_text(info: recipes.RecipeInfo) -> str:
    """When a scheduled recipe runs next, in local time ("" for a polled one)."""
    from PySide6.QtCore import QCoreApplication

    if not info.schedule:
        return ""
    if not info.next_run_at:
        return QCoreApplication.translate("Every", "This schedule has no next run.")
    return QCoreApplication.translate("Every", "Next run: %1").replace("%1", when(info.next_run_at))


def documents_dir() -> str:
    """Where save and open dialogs start (the user's Documents, not the process's working directory)."""
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


class RecipesPage(Page):
    """Every recipe with its switch, dry-run state, last run and failed count.

    Signals:
        edit_requested(str): open the builder ("" for a new recipe).
        run_done(object): a "Run now" finished (its RunSummary).
        fix_requested(str, str, object): a fix for a run's problem (action id, recipe, explanation).
    """

    name = "recipes"
    edit_requested = Signal(str)
    run_done = Signal(object)
    fix_requested = Signal(str, str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Recipes"), parent)
        self.new = QPushButton(self.tr("New recipe"))
        self.new.setObjectName("primary")
        self.new.clicked.connect(lambda: self.edit_requested.emit(""))
        self.import_ = QPushButton(self.tr("Import file…"))
        self.import_.clicked.connect(self._import)
        self.layout_.addLayout(row(self.new, self.import_))
        card = Card()
        self.model: RowsModel[recipes.RecipeInfo] = RowsModel([
            Column(self.tr("Recipe"), recipe_title, tooltip=lambda r: r.paused_reason or r.name, stretch=True),
            Column(self.tr("How often"), how_often, sort=lambda r: (bool(r.schedule), r.every_seconds),
                   tooltip=lambda r: next_run_text(r) if r.schedule else self.tr(
                       "Missed runs (sleep, downtime) are combined into one that runs as soon as possible, up to "
                       "1 hour late; each run reads from where the last one stopped, so nothing is skipped.")),
            Column(self.tr("Switched on"), self._on_text, color=self._on_color),
            Column(self.tr("Mode"), lambda r: self.tr("dry run") if r.dry_run else self.tr("live")),
            Column(self.tr("Last run"), self._last_text, sort=lambda r: (r.last_run or {}).get("started_at") or ""),
            Column(self.tr("Failed"), lambda r: number(r.failed), sort=lambda r: r.failed,
                   color=lambda r: STATUS_COLORS["failed"] if r.failed else None),
        ], self)
        self.table, self.proxy = table_view(self.model)
        self.table.selectionModel().selectionChanged.connect(self._selection)
        self.table.doubleClicked.connect(lambda *_: self._edit())
        card.body.addWidget(self.table)
        self.empty = QLabel(self.tr("No recipes yet. Start from a template, import a file, or build one."))
        self.empty.setObjectName("muted")
        card.body.addWidget(self.empty)
        self.layout_.addWidget(card, 1)

        self.edit = QPushButton(self.tr("Edit"))
        self.run = QPushButton(self.tr("Run now"))
        self.stop = QPushButton(self.tr("Stop"))
        self.stop.setToolTip(self.tr("Stop the running run after its current page and pause the recipe"))
        self.toggle = QPushButton(self.tr("Switch on"))
        self.dry = QPushButton(self.tr("Dry run on"))
        self.export = QPushButton(self.tr("Export / share…"))
        self.remove = QPushButton(self.tr("Remove"))
        self.actions_ = (self.edit, self.run, self.toggle, self.dry, self.export, self.remove)
        for button, slot in zip(self.actions_, (self._edit, self._run, self._toggle, self._dry, self._export,
                                                self._remove), strict=True):
            button.clicked.connect(slot)
            button.setEnabled(False)
        self.stop.clicked.connect(self._stop)
        self.stop.setEnabled(False)
        self.layout_.addLayout(row(self.actions_[0], self.run, self.stop, *self.actions_[2:]))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.panel = ExplanationPanel()
        self.panel.action_requested.connect(self._fix)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.note)
        self.layout_.addWidget(self.panel)
        self.note_for: str | None = None
        ctx.data_changed.connect(self.request_refresh)
        ctx.bridge.run_progressed.connect(self._progress)

    # -- columns ------------------------------------------------------------------------------
    def _on_text(self, r: recipes.RecipeInfo) -> str:
        if r.paused_reason:
            return self.tr("paused")
        return self.tr("on") if r.enabled else self.tr("off")

    def _on_color(self, r: recipes.RecipeInfo) -> str:
        return STATUS_COLORS["failed"] if r.paused_reason else STATUS_COLORS["ok"] if r.enabled else "#6b7280"

    def _last_text(self, r: recipes.RecipeInfo) -> str:
        last = r.last_run
        if not last:
            return self.tr("never")
        return f"{when(last.get('started_at'))} · {status_text(last['status'])}"

    # -- data ---------------------------------------------------------------------------------
    @property
    def items(self) -> list[recipes.RecipeInfo]:
        """The recipes listed."""
        return self.model.rows

    def refresh(self) -> None:
        """Re-read the recipes."""
        self.ctx.tasks.run(recipes.list_recipes, on_success=self._show, title=self.tr("Reading recipes"))

    def _show(self, items: list[recipes.RecipeInfo]) -> None:
        selected = self.current()
        self.model.set_rows(items)
        fit_columns(self.table)
        self.empty.setVisible(not items)
        if selected is not None:
            self.select(selected.name)
        self._selection()
        self._loaded()

    def current(self) -> recipes.RecipeInfo | None:
        """The selected recipe."""
        chosen = selected_rows(self.table)
        return chosen[0] if chosen else None

    def select(self, name: str) -> None:
        """Select a recipe by name."""
        for i, r in enumerate(self.model.rows):
            if r.name == name:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(i, 0)).row())

    def _selection(self) -> None:
        r = self.current()
        for button in self.actions_:
            button.setEnabled(r is not None)
        if r is not None:
            self.toggle.setText(self.tr("Switch off") if r.enabled and not r.paused_reason else self.tr("Switch on"))
            self.dry.setText(self.tr("Go live") if r.dry_run else self.tr("Dry run on"))
        if r is None or r.name != self.note_for:  # an old run's note belongs to its own recipe
            self._set_note("")
            self.panel.clear()
            self.note_for = None
        if r is not None and r.paused_reason and self.note_for is None:
            self._set_note(self.tr("Paused: %1").replace("%1", r.paused_reason), problem=True)
        if r is not None and not self.progress.isVisible():
            name = r.name
            self.ctx.tasks.run(lambda: name in runs.running(),
                               on_success=lambda busy: self.stop.setEnabled(
                                   self.progress.isVisible() or (bool(busy) and self._is_current(name))))
        else:
            self.stop.setEnabled(self.progress.isVisible())

    def _is_current(self, name: str) -> bool:
        current = self.current()
        return current is not None and current.name == name

    def _stop(self) -> None:
        r = self.current()
        if r is None:
            return
        self.stop.setEnabled(False)

        def done(state: str) -> None:
            self._set_note(self.tr("Stopping: the run ends after its current page, and the recipe is paused.")
                           if state == "stopping" else self.tr("The recipe is not running; it is paused."))
            self.ctx.data_changed.emit()

        self.ctx.tasks.run(lambda: runs.stop_run(r.name), on_success=done)

    def _set_note(self, text: str, *, problem: bool = False) -> None:
        self.note.setText(text)
        self.note.setObjectName("problem" if problem else "")
        self.note.style().unpolish(self.note)
        self.note.style().polish(self.note)

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
        self.stop.setEnabled(True)
        self.panel.clear()
        self.note_for = r.name
        self._set_note(self.tr("Running %1…").replace("%1", recipe_title(r)))

        def work() -> tuple[RunSummary, recipes.RecipeInfo]:
            summary = runs.run_recipe(r.name)
            return summary, recipes.get_recipe(r.name)

        def done(result: tuple[RunSummary, recipes.RecipeInfo]) -> None:
            summary, info = result
            self.progress.hide()
            self.run.setEnabled(True)
            self.stop.setEnabled(False)
            self.note_for = r.name
            self._set_note(describe_run(summary, info.document, info.cursor).pick(i18n.current()),
                           problem=bool(summary.failed))
            self.run_done.emit(summary)
            self.ctx.data_changed.emit()

        def failed(exc: BaseException) -> None:
            self.progress.hide()
            self.run.setEnabled(True)
            self.stop.setEnabled(False)
            self.note_for = r.name
            self._set_note("")
            self.panel.show_error(exc, connector=action_connector(r.document))
            self.ctx.data_changed.emit()

        self.ctx.tasks.run(work, on_success=done, on_failure=failed)

    def _fix(self, action: str) -> None:
        r = self.current()
        if r is not None and self.panel.explanation is not None:
            self.fix_requested.emit(action, r.name, self.panel.explanation)

    def _progress(self, _run_id: int, summary: Any) -> None:
        if self.progress.isVisible():
            text = self.tr("%1 records read so far, %2 would move (dry run)") if summary.dry_run else \
                self.tr("%1 records read so far, %2 moved")
            self._set_note(text.replace("%1", number(summary.seen)).replace("%2", number(summary.succeeded)))

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
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export recipe"), str(Path(documents_dir()) /
                                              f"{r.name}.yaml"), self.tr("Recipe files (*.yaml *.yml)"))
        if path:
            self.export_to(r.name, Path(path))

    def export_to(self, name: str, path: Path) -> None:
        """Write the shareable file (no accounts, hosts or secrets) in the background."""
        def work() -> Path:
            path.write_text(recipes.export_recipe(name), encoding="utf-8")
            return path

        self.ctx.tasks.run(work, on_success=lambda p: self._set_note(
            self.tr("Saved %1 (no accounts or secrets inside).").replace("%1", str(p))), title=self.tr("Export"))

    def _remove(self) -> None:
        r = self.current()
        if r is None:
            return
        answer = QMessageBox.question(self, self.tr("Remove recipe"),
                                      self.tr("Remove “%1” and its history?").replace("%1", recipe_title(r)))
        if answer == QMessageBox.StandardButton.Yes:
            self.ctx.tasks.run(lambda: recipes.remove_recipe(r.name),
                               on_success=lambda _x: self.ctx.data_changed.emit(), title=self.tr("Remove"))

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import recipe"), documents_dir(),
                                              self.tr("Recipe files (*.yaml *.yml *.json)"))
        if path:
            self.ctx.import_requested.emit(path)
