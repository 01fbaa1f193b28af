"""Activity: what happened to each record, the failed queue (re-send, re-send all, skip), and runs."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.tasks import describe
from ordersync_app.gui.widgets import STATUS_COLORS, Card, number, row, status_text, when
from ordersync_app.services import recipes, runs

STATUSES = ("failed", "retrying", "succeeded", "unchanged", "filtered", "skipped", "previewed")


def step_text(step: dict[str, Any]) -> str:
    """One step of a record's trail as a readable line (kind, outcome, details)."""
    detail = {k: v for k, v in step.items() if k not in ("step", "kind", "status")}
    extra = "  " + json.dumps(detail, ensure_ascii=False, default=str) if detail else ""
    return f"{int(step.get('step', 0)) + 1}. {step.get('kind')}: {status_text(str(step.get('status')))}{extra}"


class ActivityPage(Page):
    """Record outcomes with filters and per-record detail; the failed queue; recent runs.

    Signals:
        resend_done(object): a re-send finished (list of RunSummary).
    """

    name = "activity"
    resend_done = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Activity"), parent)
        self.records: list[runs.ExecutionInfo] = []
        self.running: dict[int, str] = {}
        self.live = QLabel("")
        self.live.setObjectName("muted")
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setMaximumWidth(200)
        self.bar.hide()
        self.layout_.addLayout(row(self.bar, self.live))

        self.recipe = QComboBox()
        self.status = QComboBox()
        self.status.addItem(self.tr("All outcomes"), "")
        for status in STATUSES:
            self.status.addItem(status_text(status), status)
        self.since = QDateEdit()
        self.since.setCalendarPopup(True)
        self.since.setDate(QDate.currentDate().addDays(-30))
        self.since.setDisplayFormat("yyyy-MM-dd")
        for widget in (self.recipe, self.status):
            widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            widget.setMinimumWidth(160)
            widget.currentIndexChanged.connect(self.refresh)
        self.since.dateChanged.connect(self._filter)
        since_label = QLabel(self.tr("since"))
        self.layout_.addLayout(row(QLabel(self.tr("Recipe")), self.recipe, QLabel(self.tr("Outcome")), self.status,
                                   since_label, self.since))

        self.tabs = QTabWidget()
        records = QWidget()
        rec_layout = QVBoxLayout(records)
        split = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([self.tr("When"), self.tr("Recipe"), self.tr("Record"),
                                              self.tr("Outcome"), self.tr("Attempts"), self.tr("Message")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._detail)
        split.addWidget(self.table)
        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select a record to see each step: input, request and outcome."))
        split.addWidget(self.detail)
        split.setSizes([320, 160])
        rec_layout.addWidget(split)
        self.resend = QPushButton(self.tr("Re-send selected"))
        self.resend_all = QPushButton(self.tr("Re-send all failed"))
        self.resend_all.setObjectName("primary")
        self.skip = QPushButton(self.tr("Skip selected…"))
        self.resend.clicked.connect(self._resend)
        self.resend_all.clicked.connect(self._resend_all)
        self.skip.clicked.connect(lambda: self._skip())
        self.queue_note = QLabel("")
        self.queue_note.setWordWrap(True)
        rec_layout.addLayout(row(self.resend, self.resend_all, self.skip))
        rec_layout.addWidget(self.queue_note)
        self.tabs.addTab(records, self.tr("Records"))

        self.runs_table = QTableWidget(0, 7)
        self.runs_table.setHorizontalHeaderLabels([self.tr("Started"), self.tr("Recipe"), self.tr("Result"),
                                                   self.tr("Read"), self.tr("Moved"), self.tr("Failed"),
                                                   self.tr("Note")])
        self.runs_table.verticalHeader().hide()
        self.runs_table.horizontalHeader().setStretchLastSection(True)
        self.runs_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        rh = self.runs_table.horizontalHeader()
        for col in range(6):
            rh.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
        rh.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.tabs.addTab(self.runs_table, self.tr("Runs"))
        card = Card()
        card.body.addWidget(self.tabs)
        self.layout_.addWidget(card, 1)

        ctx.data_changed.connect(self.request_refresh)
        ctx.bridge.run_started.connect(self._run_started)
        ctx.bridge.run_progressed.connect(self._run_progressed)
        ctx.bridge.run_finished.connect(self._run_finished)
        self._selection()

    # -- live progress ------------------------------------------------------------------------
    def _run_started(self, run_id: int, recipe: str) -> None:
        self.running[run_id] = recipe
        self.bar.show()
        self.live.setText(self.tr("Running %1…").replace("%1", recipe))

    def _run_progressed(self, run_id: int, summary: Any) -> None:
        self.live.setText(self.tr("Running %1: %2 read, %3 moved, %4 failed")
                          .replace("%1", self.running.get(run_id, "")).replace("%2", number(summary.seen))
                          .replace("%3", number(summary.succeeded)).replace("%4", number(summary.failed)))

    def _run_finished(self, run_id: int, summary: Any) -> None:
        self.running.pop(run_id, None)
        self.bar.setVisible(bool(self.running))
        self.live.setText(self.tr("Last run of %1: %2 — %3 moved, %4 failed")
                          .replace("%1", summary.recipe).replace("%2", status_text(summary.status))
                          .replace("%3", number(summary.succeeded)).replace("%4", number(summary.failed)))

    # -- data ---------------------------------------------------------------------------------
    def show_failed(self) -> None:
        """Filter on the failed queue."""
        self.status.setCurrentIndex(self.status.findData("failed"))

    def refresh(self) -> None:
        """Re-read recipes (for the filter), record outcomes and runs."""
        recipe = self.recipe.currentData() or None
        status = self.status.currentData() or None

        def work() -> tuple[list[str], list[runs.ExecutionInfo], list[dict[str, Any]]]:
            names = [r.name for r in recipes.list_recipes()]
            chosen = recipe if recipe in names else None
            return names, runs.history(chosen, status=status, limit=500), runs.runs(chosen, limit=100)

        self.ctx.tasks.run(work, on_success=self._show, title=self.tr("Reading activity"))

    def _show(self, data: tuple[list[str], list[runs.ExecutionInfo], list[dict[str, Any]]]) -> None:
        names, records, recent = data
        current = self.recipe.currentData()
        self.recipe.blockSignals(True)
        self.recipe.clear()
        self.recipe.addItem(self.tr("All recipes"), "")
        for name in names:
            self.recipe.addItem(name, name)
        self.recipe.setCurrentIndex(max(0, self.recipe.findData(current)))
        self.recipe.blockSignals(False)
        self.all_records = records
        self._filter()
        self.runs_table.setUpdatesEnabled(False)
        self.runs_table.setRowCount(len(recent))
        for i, r in enumerate(recent):
            cells = [when(r["started_at"]), r["recipe"], status_text(r["status"]) +
                     (" · " + self.tr("dry run") if r.get("dry_run") else ""),
                     number(r.get("seen", 0)), number(r.get("succeeded", 0)), number(r.get("failed", 0)),
                     r.get("error") or ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setForeground(QColor(STATUS_COLORS.get(r["status"], "#374151")))
                self.runs_table.setItem(i, col, item)
        self.runs_table.resizeColumnsToContents()
        self.runs_table.setUpdatesEnabled(True)
        self._loaded()

    def _filter(self) -> None:
        since = self.since.date()
        start = datetime(since.year(), since.month(), since.day()).astimezone(UTC)
        records = [r for r in getattr(self, "all_records", [])
                   if datetime.fromisoformat(r.updated_at).replace(tzinfo=UTC) >= start]
        self.records = records
        self.table.setRowCount(len(records))
        self._fill(0)
        self._detail()

    def _fill(self, first: int) -> None:
        """Fill rows in chunks of 80, yielding to the event loop between chunks (500 rows ≈ 120 ms)."""
        records = self.records
        last = min(first + 80, len(records))
        self.table.setUpdatesEnabled(False)
        for i in range(first, last):
            r = records[i]
            cells = [when(r.updated_at), r.recipe, r.record_key, status_text(r.status), str(r.attempts),
                     (r.error or "").splitlines()[0] if r.error else ""]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setForeground(QColor(STATUS_COLORS.get(r.status, "#374151")))
                if col == 5:
                    item.setToolTip(r.error or "")
                self.table.setItem(i, col, item)
        if first == 0:
            self.table.resizeColumnsToContents()
        self.table.setUpdatesEnabled(True)
        if last < len(records):
            QTimer.singleShot(0, lambda: self._fill(last) if self.records is records else None)

    def selected(self) -> list[runs.ExecutionInfo]:
        """The selected record outcomes."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.records[r] for r in rows if r < len(self.records)]

    def _selection(self) -> None:
        chosen = self.selected()
        failed = [r for r in chosen if r.status == "failed"]
        self.resend.setEnabled(bool(failed))
        self.skip.setEnabled(bool(failed))

    def _detail(self) -> None:
        self._selection()
        chosen = self.selected()
        if not chosen:
            self.detail.clear()
            return
        r = chosen[0]
        lines = [self.tr("Record %1 of %2 — %3").replace("%1", r.record_key).replace("%2", r.recipe)
                 .replace("%3", status_text(r.status))]
        if r.error:
            lines.append(self.tr("Message: %1").replace("%1", r.error))
        if r.next_attempt_at:
            lines.append(self.tr("Next attempt: %1").replace("%1", when(r.next_attempt_at)))
        lines.append("")
        lines.append(self.tr("Steps:"))
        lines += ["  " + step_text(s) for s in r.steps] or ["  —"]
        lines.append("")
        lines.append(self.tr("Input record:"))
        lines.append(json.dumps(r.payload, ensure_ascii=False, indent=2, default=str))
        self.detail.setPlainText("\n".join(lines))

    # -- the failed queue ---------------------------------------------------------------------
    def _after_resend(self, summaries: Any) -> None:
        moved = sum(s.succeeded for s in summaries)
        failed = sum(s.failed for s in summaries)
        self.queue_note.setText(self.tr("Re-sent: %1 moved, %2 still failing.")
                                .replace("%1", number(moved)).replace("%2", number(failed)))
        self.resend_done.emit(summaries)
        self.ctx.data_changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.queue_note.setText(describe(exc))
        self.ctx.data_changed.emit()

    def _resend(self) -> None:
        ids = [r.id for r in self.selected() if r.status == "failed"]
        if ids:
            self.queue_note.setText(self.tr("Re-sending %1 record(s)…").replace("%1", number(len(ids))))
            self.ctx.tasks.run(lambda: runs.retry(ids), on_success=self._after_resend, on_failure=self._failed)

    def _resend_all(self) -> None:
        self.queue_note.setText(self.tr("Re-sending every failed record…"))
        self.ctx.tasks.run(lambda: runs.retry(all_failed=True), on_success=self._after_resend,
                           on_failure=self._failed)

    def _skip(self, reason: str | None = None) -> None:
        ids = [r.id for r in self.selected() if r.status == "failed"]
        if not ids:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(self, self.tr("Skip records"),
                                              self.tr("Why are these records skipped? (kept in the history)"))
            if not ok or not reason.strip():
                return
        self.ctx.tasks.run(lambda: runs.skip(ids, reason.strip()), on_success=lambda n: (
            self.queue_note.setText(self.tr("%1 record(s) skipped.").replace("%1", number(n))),
            self.ctx.data_changed.emit()), on_failure=self._failed)
