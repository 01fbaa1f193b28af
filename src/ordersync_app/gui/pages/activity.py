"""Activity: the failed queue grouped by cause (with the fix), every record outcome, and the runs.

Three tabs:

- **Problems**: failed records folded by cause (``services.queue.groups``): "4,003 waiting — HubSpot has no
  option “已发货” for “Deal stage”", with the fix button, "Re-send all 4,003" and "Skip all…" for the group.
- **Records**: every outcome newest first, filtered by recipe, outcome, date and search text *in the query*
  and paged as the table scrolls (``services.queue.page``); the selected record's problem in plain words,
  its steps in words, and the raw input under "Details".
- **Runs**: the latest runs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.explained import ExplanationPanel, plain
from ordersync_app.gui.models import Column, PagedRowsModel, RowsModel, fit_columns, selected_rows, table_view
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import STATUS_COLORS, Card, number, recipe_title, row, status_text, when
from ordersync_app.services import queue, recipes, runs
from ordersync_app.services.explain import explain

STATUSES = ("failed", "retrying", "succeeded", "unchanged", "filtered", "skipped", "previewed")
PAGE_SIZE = 200


def step_text(step: dict[str, Any]) -> str:
    """One step of a record's trail in words: "2. Action: refused"."""
    from PySide6.QtCore import QCoreApplication

    kinds = {
        "filter": QCoreApplication.translate("Steps", "Filter"),
        "lookup": QCoreApplication.translate("Steps", "Lookup"),
        "action": QCoreApplication.translate("Steps", "Action"),
    }
    outcomes = {
        "passed": QCoreApplication.translate("Steps", "passed"),
        "filtered out": QCoreApplication.translate("Steps", "filtered out"),
        "found": QCoreApplication.translate("Steps", "found"),
        "not found": QCoreApplication.translate("Steps", "nothing found"),
        "not found, skipped": QCoreApplication.translate("Steps", "nothing found, record skipped"),
        "delivered": QCoreApplication.translate("Steps", "written"),
        "already delivered": QCoreApplication.translate("Steps", "already written before"),
        "delivered earlier (verified)": QCoreApplication.translate("Steps", "written earlier (checked in the target)"),
        "unchanged": QCoreApplication.translate("Steps", "the target already had these values"),
        "rejected": QCoreApplication.translate("Steps", "refused"),
        "mapping failed": QCoreApplication.translate("Steps", "could not compute a value"),
        "will retry": QCoreApplication.translate("Steps", "will be retried"),
        "would write": QCoreApplication.translate("Steps", "would write (dry run)"),
        "would change nothing": QCoreApplication.translate("Steps", "would change nothing (dry run)"),
    }
    status = str(step.get("status"))
    text = f"{int(step.get('step', 0)) + 1}. {kinds.get(str(step.get('kind')), str(step.get('kind')))}: " \
           f"{outcomes.get(status, status)}"
    preview = step.get("preview")
    if isinstance(preview, dict):
        changes = preview.get("changes") or []
        text += "".join(f"\n     {c.get('field')}: {_short(c.get('current'))} → {_short(c.get('new'))}"
                        for c in changes if isinstance(c, dict))
    values = step.get("values")
    if isinstance(values, dict):
        text += "".join(f"\n     {k} = {_short(v)}" for k, v in values.items())
    return text


def _short(value: Any) -> str:
    if value is None or value == "":
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


class ActivityPage(Page):
    """The failed queue by cause, record outcomes and runs.

    Signals:
        resend_done(object): a re-send finished (list of RunSummary).
        fix_requested(str, str, object): open a fix: (action id, recipe name, explanation).
    """

    name = "activity"
    resend_done = Signal(object)
    fix_requested = Signal(str, str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Activity"), parent)
        self.running: dict[int, str] = {}
        self.titles: dict[str, str] = {}
        self.total: int | None = None
        self.groups_loaded = 0
        self.live = QLabel("")
        self.live.setObjectName("muted")
        self.live.hide()
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(160)
        self.bar.hide()
        self.layout_.addLayout(row(self.bar, self.live))

        self.recipe = QComboBox()
        self.recipe.setProperty("userData", True)  # recipe titles: the user's words
        self.recipe.setMinimumContentsLength(12)
        self.status = QComboBox()
        self.status.addItem(self.tr("All outcomes"), "")
        for status in STATUSES:
            self.status.addItem(status_text(status), status)
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDate(QDate.currentDate().addDays(-30))
        self.since.setDisplayFormat("yyyy-MM-dd")
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Order number or record key"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(150)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda *_: self._search_timer.start())
        for combo in (self.recipe, self.status):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.currentIndexChanged.connect(self.refresh)
        self.status.setMinimumContentsLength(10)
        self.since.dateChanged.connect(self.refresh)
        filters = row(QLabel(self.tr("Recipe")), self.recipe, QLabel(self.tr("Outcome")), self.status,
                      QLabel(self.tr("since")), self.since, self.search, stretch=False)
        filters.setStretch(filters.count() - 1, 1)
        self.layout_.addLayout(filters)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._problems_tab(), self.tr("Problems"))
        self.tabs.addTab(self._records_tab(), self.tr("Records"))
        self.tabs.addTab(self._runs_tab(), self.tr("Runs"))
        card = Card()
        card.body.addWidget(self.tabs)
        self.layout_.addWidget(card, 1)

        ctx.data_changed.connect(self.request_refresh)
        ctx.bridge.run_started.connect(self._run_started)
        ctx.bridge.run_progressed.connect(self._run_progressed)
        ctx.bridge.run_finished.connect(self._run_finished)
        self._selection()

    # -- building -----------------------------------------------------------------------------
    def _problems_tab(self) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        self.groups_model: RowsModel[queue.ErrorGroup] = RowsModel([
            Column(self.tr("Waiting"), lambda g: number(g.count), sort=lambda g: g.count,
                   color=lambda _g: STATUS_COLORS["failed"]),
            Column(self.tr("Problem"), lambda g: g.explanation.what.pick(i18n.current()), stretch=True,
                   tooltip=lambda g: g.explanation.why.pick(i18n.current())),
            Column(self.tr("Recipe"), lambda g: self.titles.get(g.recipe, g.recipe_title)),
            Column(self.tr("Last failed"), lambda g: when(_iso(g.latest)), sort=lambda g: g.latest),
        ], self)
        self.groups_view, self.groups_proxy = table_view(self.groups_model, parent=host)
        self.groups_view.selectionModel().selectionChanged.connect(self._group_selected)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.groups_view)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.group_panel = ExplanationPanel()
        self.group_panel.action_requested.connect(self._group_fix)
        lower_layout.addWidget(self.group_panel)
        self.group_resend = QPushButton(self.tr("Re-send all"))
        self.group_skip = QPushButton(self.tr("Skip all…"))
        self.group_show = QPushButton(self.tr("Show these records"))
        self.group_resend.clicked.connect(self._group_resend)
        self.group_skip.clicked.connect(lambda: self._group_skip())
        self.group_show.clicked.connect(self._group_show)
        lower_layout.addLayout(row(self.group_resend, self.group_skip, self.group_show))
        lower_layout.addStretch(1)
        split.addWidget(lower)
        split.setSizes([180, 260])
        layout.addWidget(split, 1)
        self.no_problems = QLabel(self.tr("No failed records. Everything that was read was delivered or filtered."))
        self.no_problems.setObjectName("muted")
        self.no_problems.setWordWrap(True)
        layout.addWidget(self.no_problems)
        self.group_note = QLabel("")
        self.group_note.setWordWrap(True)
        layout.addWidget(self.group_note)
        return host

    def _records_tab(self) -> QWidget:
        host = QWidget()
        layout = QVBoxLayout(host)
        self.count_label = QLabel("")
        self.count_label.setObjectName("muted")
        layout.addWidget(self.count_label)
        self.model: PagedRowsModel[queue.OutcomeRow] = PagedRowsModel([
            Column(self.tr("When"), lambda r: when(_iso(r.updated_at)), sort=lambda r: r.updated_at),
            Column(self.tr("Recipe"), lambda r: self.titles.get(r.recipe, r.recipe_title)),
            Column(self.tr("Order"), lambda r: r.label or r.record_key,
                   tooltip=lambda r: self.tr("record key %1").replace("%1", r.record_key)),
            Column(self.tr("Outcome"), lambda r: status_text(r.status), color=lambda r: STATUS_COLORS.get(r.status)),
            Column(self.tr("Attempts"), lambda r: str(r.attempts) if r.status in ("failed", "retrying") else "",
                   sort=lambda r: r.attempts),
            Column(self.tr("Problem"), self._problem_text, stretch=True),
        ], self._load_more, self)
        self.table, self.proxy = table_view(self.model, sortable=False, multi=True, parent=host)
        self.table.selectionModel().selectionChanged.connect(self._detail)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.record_panel = ExplanationPanel()
        self.record_panel.action_requested.connect(self._record_fix)
        lower_layout.addWidget(self.record_panel)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select a record to see what happened at each step."))
        lower_layout.addWidget(self.detail, 1)
        self.input_toggle = QToolButton()
        self.input_toggle.setText(self.tr("Input record"))
        self.input_toggle.setCheckable(True)
        self.input_toggle.setAutoRaise(True)
        self.input_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.input_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.input = QPlainTextEdit()
        self.input.setReadOnly(True)
        self.input.hide()
        self.input_toggle.toggled.connect(lambda on: (self.input.setVisible(on), self.input_toggle.setArrowType(
            Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)))
        lower_layout.addWidget(self.input_toggle)
        lower_layout.addWidget(self.input, 1)
        split.addWidget(lower)
        split.setSizes([300, 200])
        layout.addWidget(split, 1)
        self.resend = QPushButton(self.tr("Re-send selected"))
        self.skip = QPushButton(self.tr("Skip selected…"))
        self.resend_all = QPushButton(self.tr("Re-send all failed"))
        self.resend.clicked.connect(self._resend)
        self.skip.clicked.connect(lambda: self._skip())
        self.resend_all.clicked.connect(self._resend_all)
        layout.addLayout(row(self.resend, self.skip, self.resend_all))
        self.queue_note = QLabel("")
        self.queue_note.setWordWrap(True)
        layout.addWidget(self.queue_note)
        return host

    def _runs_tab(self) -> QWidget:
        self.runs_model: RowsModel[dict[str, Any]] = RowsModel([
            Column(self.tr("Started"), lambda r: when(r["started_at"]), sort=lambda r: r["started_at"]),
            Column(self.tr("Recipe"), lambda r: self.titles.get(r["recipe"], r["recipe"])),
            Column(self.tr("Result"), lambda r: status_text(r["status"]) + (" · " + self.tr("dry run")
                                                                            if r.get("dry_run") else ""),
                   color=lambda r: STATUS_COLORS.get(r["status"])),
            Column(self.tr("Read"), lambda r: number(r.get("seen", 0)), sort=lambda r: r.get("seen", 0)),
            Column(self.tr("Moved"), lambda r: (self.tr("would move %1") if r.get("dry_run") else "%1")
                   .replace("%1", number(r.get("succeeded", 0))), sort=lambda r: r.get("succeeded", 0)),
            Column(self.tr("Failed"), lambda r: number(r.get("failed", 0)), sort=lambda r: r.get("failed", 0)),
            Column(self.tr("Note"), lambda r: explain(r["error"], kind="vendor").what.pick(i18n.current())
                   if r.get("error") else "", tooltip=lambda r: plain(r["error"], kind="vendor")
                   if r.get("error") else "", stretch=True),
        ], self)
        self.runs_table, _proxy = table_view(self.runs_model)
        return self.runs_table

    # -- live progress ------------------------------------------------------------------------
    def _run_started(self, run_id: int, recipe: str) -> None:
        self.running[run_id] = recipe
        self.bar.show()
        self.live.show()
        self.live.setText(self.tr("Running %1…").replace("%1", self.titles.get(recipe, recipe)))

    def _run_progressed(self, run_id: int, summary: Any) -> None:
        recipe = self.running.get(run_id, "")
        text = self.tr("Dry run of %1: %2 read, %3 would move, %4 failed") if summary.dry_run else \
            self.tr("Running %1: %2 read, %3 moved, %4 failed")
        self.live.setText(text.replace("%1", self.titles.get(recipe, recipe)).replace("%2", number(summary.seen))
                          .replace("%3", number(summary.succeeded)).replace("%4", number(summary.failed)))

    def _run_finished(self, run_id: int, summary: Any) -> None:
        self.running.pop(run_id, None)
        self.bar.setVisible(bool(self.running))
        text = self.tr("Dry run of %1: %2 — %3 would move (nothing written), %4 failed") if summary.dry_run else \
            self.tr("Last run of %1: %2 — %3 moved, %4 failed")
        self.live.setText(text.replace("%1", self.titles.get(summary.recipe, summary.recipe))
                          .replace("%2", status_text(summary.status))
                          .replace("%3", number(summary.succeeded)).replace("%4", number(summary.failed)))

    # -- data ---------------------------------------------------------------------------------
    @property
    def records(self) -> list[queue.OutcomeRow]:
        """The record outcomes loaded so far (more arrive as the table scrolls)."""
        return self.model.rows

    def show_failed(self) -> None:
        """Show the failed queue, grouped by cause."""
        self.status.setCurrentIndex(self.status.findData("failed"))
        self.tabs.setCurrentIndex(0)

    def current_filter(self) -> queue.HistoryFilter:
        """The filter the controls describe."""
        date = self.since.date()
        since = datetime(date.year(), date.month(), date.day()).astimezone(UTC)
        return queue.HistoryFilter(recipe=self.recipe.currentData() or None, status=self.status.currentData() or None,
                                   since=since, search=self.search.text())

    def refresh(self) -> None:
        """Re-read recipes (for the filter), the problem groups, the first page of records and the runs."""
        flt = self.current_filter()
        generation = self.model.generation + 1

        def work() -> tuple[list[recipes.RecipeInfo], list[queue.ErrorGroup], queue.OutcomePage,
                            list[dict[str, Any]]]:
            listed = recipes.list_recipes()
            chosen = flt.recipe if flt.recipe in {r.name for r in listed} else None
            shown = queue.HistoryFilter(chosen, flt.status, flt.since, flt.search)
            return (listed, queue.groups(chosen), queue.page(shown, limit=PAGE_SIZE, count=True),
                    runs.runs(chosen, limit=100))

        self.model.generation = generation  # answers of an older filter's next page are dropped
        self.ctx.tasks.run(work, on_success=lambda data: self._show(data, generation),
                           title=self.tr("Reading activity"))

    def _show(self, data: tuple[list[recipes.RecipeInfo], list[queue.ErrorGroup], queue.OutcomePage,
                                list[dict[str, Any]]], generation: int) -> None:
        listed, groups, first, recent = data
        if generation != self.model.generation:
            return
        self.titles = {r.name: recipe_title(r) for r in listed}
        current = self.recipe.currentData()
        self.recipe.blockSignals(True)
        self.recipe.clear()
        self.recipe.addItem(self.tr("All recipes"), "")
        for r in listed:
            self.recipe.addItem(self.titles[r.name], r.name)
        self.recipe.setCurrentIndex(max(0, self.recipe.findData(current)))
        self.recipe.blockSignals(False)
        self._show_groups(groups)
        self.total = first.total
        self.next_page = first.next
        self.model.reset(first.rows, has_more=first.next is not None)
        fit_columns(self.table)
        self.count_label.setText(self.tr("%1 record(s)").replace("%1", number(first.total or 0)))
        self.runs_model.set_rows(recent)
        fit_columns(self.runs_table)
        self._detail()
        self._loaded()

    def _load_more(self, done: Any) -> None:
        flt, after, generation = self.current_filter(), self.next_page, self.model.generation
        if after is None:
            done([], False)
            return

        def arrived(found: queue.OutcomePage) -> None:
            if generation == self.model.generation:
                self.next_page = found.next
            done(found.rows, found.next is not None)

        self.ctx.tasks.run(lambda: queue.page(flt, after=after, limit=PAGE_SIZE), on_success=arrived,
                           title=self.tr("Reading activity"))

    def _problem_text(self, r: queue.OutcomeRow) -> str:
        if r.status == "skipped" and r.error:
            return r.error.removeprefix("skipped: ")
        if not r.error or r.status not in ("failed", "retrying"):
            return ""
        return queue.explain_stored(r.error, self._connector_of(r.recipe)).what.pick(i18n.current())

    def _connector_of(self, recipe: str) -> str | None:
        return self.connectors.get(recipe) if hasattr(self, "connectors") else None

    # -- problems -----------------------------------------------------------------------------
    def _show_groups(self, groups: list[queue.ErrorGroup]) -> None:
        keep = self.current_group()
        self.connectors = {g.recipe: g.connector for g in groups}
        self.groups_model.set_rows(groups)
        fit_columns(self.groups_view, max_width=120)
        total = sum(g.count for g in groups)
        self.tabs.setTabText(0, self.tr("Problems (%1)").replace("%1", number(total)) if total else self.tr("Problems"))
        self.no_problems.setVisible(not groups)
        self.groups_view.setVisible(bool(groups))
        index = next((i for i, g in enumerate(groups) if keep and g.key == keep.key), 0 if groups else -1)
        if index >= 0:
            self.groups_view.selectRow(self.groups_proxy.mapFromSource(self.groups_model.index(index, 0)).row())
        self._group_selected()
        self.groups_loaded += 1

    def current_group(self) -> queue.ErrorGroup | None:
        """The problem group selected."""
        chosen = selected_rows(self.groups_view)
        return chosen[0] if chosen else None

    def _group_selected(self) -> None:
        group = self.current_group()
        for button in (self.group_resend, self.group_skip, self.group_show):
            button.setEnabled(group is not None)
        if group is None:
            self.group_panel.clear()
            self.group_resend.setText(self.tr("Re-send all"))
            self.group_skip.setText(self.tr("Skip all…"))
            return
        self.group_panel.show_explanation(group.explanation)
        self.group_resend.setText(self.tr("Re-send all %1").replace("%1", number(group.count)))
        self.group_skip.setText(self.tr("Skip all %1…").replace("%1", number(group.count)))

    def _group_fix(self, action: str) -> None:
        group = self.current_group()
        if group is None:
            return
        if action == "resend":
            self._group_resend()
            return
        self.fix_requested.emit(action, group.recipe, group.explanation)

    def _group_resend(self) -> None:
        group = self.current_group()
        if group is None:
            return
        self.group_note.setText(self.tr("Re-sending %1 record(s)…").replace("%1", number(group.count)))
        self._run_resend(queue.HistoryFilter(group=group.key), None, self.group_note)

    def _group_skip(self, reason: str | None = None) -> None:
        group = self.current_group()
        if group is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("Skip records"), self.tr(
                "Skip all %1 records with this problem? Say why (kept in the history):").replace(
                "%1", number(group.count)))
            if not ok or not reason.strip():
                return
        flt = queue.HistoryFilter(group=group.key)
        self.ctx.tasks.run(lambda: queue.skip(flt, reason), on_success=lambda n: self._skipped(n, self.group_note),
                           on_failure=lambda exc: self._failed(exc, self.group_note))

    def _group_show(self) -> None:
        group = self.current_group()
        if group is None:
            return
        self.recipe.setCurrentIndex(max(0, self.recipe.findData(group.recipe)))
        self.status.setCurrentIndex(self.status.findData("failed"))
        self.tabs.setCurrentIndex(1)

    # -- records ------------------------------------------------------------------------------
    def selected(self) -> list[queue.OutcomeRow]:
        """The selected record outcomes."""
        return selected_rows(self.table)

    def _selection(self) -> None:
        failed = [r for r in self.selected() if r.status == "failed"]
        self.resend.setEnabled(bool(failed))
        self.skip.setEnabled(bool(failed))
        status = self.status.currentData()
        waiting = status in ("failed", "", None) and (self.total or 0) > 0 and (
            status == "failed" or any(r.status == "failed" for r in self.records))
        self.resend_all.setEnabled(bool(waiting))
        self.resend_all.setObjectName("primary" if waiting else "")
        self.resend_all.style().unpolish(self.resend_all)
        self.resend_all.style().polish(self.resend_all)

    def _detail(self) -> None:
        self._selection()
        chosen = self.selected()
        if not chosen:
            self.detail.clear()
            self.input.clear()
            self.record_panel.clear()
            return
        r = chosen[0]

        def shown(info: runs.ExecutionInfo) -> None:
            if not self.selected() or self.selected()[0].id != info.id:
                return
            lines = [self.tr("%1 — %2").replace("%1", r.label or r.record_key).replace("%2", status_text(r.status))]
            if info.next_attempt_at:
                lines.append(self.tr("Next attempt: %1").replace("%1", when(info.next_attempt_at)))
            lines.append("")
            lines += [step_text(s) for s in info.steps] or ["—"]
            self.detail.setPlainText("\n".join(lines))
            self.input.setPlainText(json.dumps(info.payload, ensure_ascii=False, indent=2, default=str))
            if info.error and info.status in ("failed", "retrying"):
                self.record_panel.show_explanation(queue.explain_stored(info.error, self._connector_of(r.recipe)))
            else:
                self.record_panel.clear()

        self.ctx.tasks.run(lambda: runs.execution(r.id), on_success=shown, title=self.tr("Reading activity"))

    def _record_fix(self, action: str) -> None:
        chosen = self.selected()
        panel = self.record_panel.explanation
        if not chosen or panel is None:
            return
        if action == "resend":
            self._resend()
            return
        self.fix_requested.emit(action, chosen[0].recipe, panel)

    # -- the failed queue ---------------------------------------------------------------------
    def _after_resend(self, summaries: Any, note: QLabel) -> None:
        moved = sum(s.succeeded for s in summaries)
        failed = sum(s.failed for s in summaries)
        note.setText(self.tr("Re-sent: %1 moved, %2 still failing.").replace("%1", number(moved))
                     .replace("%2", number(failed)))
        self.resend_done.emit(summaries)
        self.ctx.data_changed.emit()

    def _failed(self, exc: BaseException, note: QLabel) -> None:
        note.setText(plain(exc))
        self.ctx.data_changed.emit()

    def _skipped(self, count: int, note: QLabel) -> None:
        note.setText(self.tr("%1 record(s) skipped.").replace("%1", number(count)))
        self.ctx.data_changed.emit()

    def _run_resend(self, flt: queue.HistoryFilter, ids: list[int] | None, note: QLabel) -> None:
        self.ctx.tasks.run(lambda: queue.resend(flt, ids), on_success=lambda s: self._after_resend(s, note),
                           on_failure=lambda exc: self._failed(exc, note))

    def _resend(self) -> None:
        ids = [r.id for r in self.selected() if r.status == "failed"]
        if ids:
            self.queue_note.setText(self.tr("Re-sending %1 record(s)…").replace("%1", number(len(ids))))
            self._run_resend(queue.HistoryFilter(status="failed"), ids, self.queue_note)

    def _resend_all(self) -> None:
        flt = self.current_filter()
        flt = queue.HistoryFilter(recipe=flt.recipe, status="failed", since=flt.since, search=flt.search)
        self.queue_note.setText(self.tr("Re-sending every failed record shown…"))
        self._run_resend(flt, None, self.queue_note)

    def _skip(self, reason: str | None = None) -> None:
        ids = [r.id for r in self.selected() if r.status == "failed"]
        if not ids:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("Skip records"),
                                              self.tr("Why are these records skipped? (kept in the history)"))
            if not ok or not reason.strip():
                return
        self.ctx.tasks.run(lambda: queue.skip(queue.HistoryFilter(status="failed"), reason, ids),
                           on_success=lambda n: self._skipped(n, self.queue_note),
                           on_failure=lambda exc: self._failed(exc, self.queue_note))
