"""Home: is syncing healthy? Recipes on, records moved today, success rate, service levels against their targets,
failures and why, the week.

On a data folder with nothing in it yet, Home points to the first-run guide instead of a wall of zeros.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from ordersync_app.gui import health, i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.models import Column, RowsModel, table_view
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import (
    STATUS_COLORS,
    Card,
    StatTile,
    WeekChart,
    number,
    recipe_title,
    row,
    status_text,
    when,
)
from ordersync_app.services.sla import SlaFigures


class HomePage(Page):
    """Health tiles, the biggest problem, last run per recipe and a chart of the week.

    Signals:
        guide_requested(): open the first-run guide.
    """

    name = "home"
    guide_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Home"), parent)
        self.health: health.Health | None = None
        self.start = Card(self.tr("Start here"))
        intro = QLabel(self.tr("Connect your shop and your CRM, pick a ready-made recipe, preview what it would "
                               "write, then switch it on. It takes a few minutes; the sandbox lets you try it "
                               "with demo data first."))
        intro.setWordWrap(True)
        self.start.body.addWidget(intro)
        self.start_button = QPushButton(self.tr("Open the guide"))
        self.start_button.setObjectName("primary")
        self.start_button.clicked.connect(self.guide_requested.emit)
        self.start.body.addLayout(row(self.start_button))
        self.start.hide()
        self.layout_.addWidget(self.start)
        tiles = QGridLayout()
        tiles.setSpacing(12)
        self.on = StatTile(self.tr("recipes switched on"))
        self.today = StatTile(self.tr("records moved today"))
        self.rate = StatTile(self.tr("success rate, last 7 days"))
        self.failed = StatTile(self.tr("failed records need attention"))
        for i, tile in enumerate((self.on, self.today, self.rate, self.failed)):
            tiles.addWidget(tile, 0, i)
        self.layout_.addLayout(tiles)
        self.levels = Card(self.tr("Service level: each recipe against its targets"))
        self.levels_grid = QGridLayout()
        self.levels_grid.setHorizontalSpacing(18)
        self.levels_grid.setVerticalSpacing(4)
        self.levels.body.addLayout(self.levels_grid)
        self.levels.hide()
        self.level_rows: list[tuple[QLabel, QLabel, QLabel, QLabel]] = []
        self.layout_.addWidget(self.levels)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.fix = QPushButton(self.tr("Open the failed queue"))
        self.fix.setObjectName("primary")
        self.fix.clicked.connect(lambda: ctx.navigate.emit("failed"))
        self.fix.hide()
        self.layout_.addWidget(self.problem)
        self.layout_.addLayout(row(self.fix))

        runs_card = Card(self.tr("Last run of each recipe"))
        self.model: RowsModel[dict[str, Any]] = RowsModel([
            Column(self.tr("Recipe"), recipe_title, stretch=True),
            Column(self.tr("Last run"), lambda r: when(r.get("started_at")), sort=lambda r: r.get("started_at") or ""),
            Column(self.tr("Result"), self._result, color=lambda r: STATUS_COLORS.get(r.get("status") or "")),
            Column(self.tr("Moved / failed"), self._counts),
        ], self)
        self.table, _proxy = table_view(self.model)
        runs_card.body.addWidget(self.table)
        week_card = Card(self.tr("This week (green: moved, red: failed)"))
        self.chart = WeekChart()
        self.chart.setMinimumHeight(120)
        week_card.body.addWidget(self.chart)
        bottom = QGridLayout()
        bottom.addWidget(runs_card, 0, 0)
        bottom.addWidget(week_card, 0, 1)
        bottom.setColumnStretch(0, 3)
        bottom.setColumnStretch(1, 2)
        self.layout_.addLayout(bottom, 1)
        ctx.data_changed.connect(self.request_refresh)

    def _counts(self, run: dict[str, Any]) -> str:
        counts = f"{number(run.get('succeeded', 0))} / {number(run.get('failed', 0))}"
        return self.tr("%1 (dry run: nothing written)").replace("%1", counts) if run.get("dry_run") else counts

    def _result(self, run: dict[str, Any]) -> str:
        status = run.get("status")
        result = status_text(status) if status else self.tr("not run yet")
        if run.get("paused"):
            return self.tr("paused")
        if not run.get("enabled"):
            result += " · " + self.tr("off")
        return str(result)

    def refresh(self) -> None:
        """Collect health numbers on a worker thread."""
        self.ctx.tasks.run(health.collect, on_success=self._show, title=self.tr("Reading the health summary"))

    def _show(self, data: health.Health) -> None:
        self.health = data
        self.start.setVisible(data.recipes_total == 0)
        self.on.set(f"{data.recipes_on} / {data.recipes_total}")
        self.today.set(number(data.moved_today))
        if data.success_rate is None:
            self.rate.set("—")
        else:
            pct = data.success_rate * 100
            healthy = pct >= 99 or not data.failed  # old failures that were re-sent do not make it amber
            self.rate.set(i18n.locale().toString(pct, "f", 1) + " %",
                          STATUS_COLORS["ok"] if healthy else STATUS_COLORS["retrying"])
        self.failed.set(number(data.failed), STATUS_COLORS["failed"] if data.failed else STATUS_COLORS["ok"])
        self.fix.setVisible(bool(data.failed))
        top = data.top_problem
        self.problem.setVisible(top is not None)
        if top is not None:
            self.problem.setText(self.tr("%1 waiting: %2").replace("%1", number(top.count))
                                 .replace("%2", top.explanation.what.pick(i18n.current())))
        self._show_levels(data.service_levels)
        self.model.set_rows(data.last_runs)
        loc = i18n.locale()
        self.chart.set_days([(loc.dayName(d.isoweekday(), loc.FormatType.ShortFormat), ok, bad)
                             for d, ok, bad in data.week])
        self._loaded()

    # -- service levels ---------------------------------------------------------------------------
    def _show_levels(self, levels: list[SlaFigures]) -> None:
        """One line per recipe with targets: its success rate and p95 latency, each beside its target."""
        for labels in self.level_rows:
            for label in labels:
                self.levels_grid.removeWidget(label)
                label.hide()
                label.deleteLater()
        self.level_rows = []
        for line, figures in enumerate(levels):
            labels = (QLabel(recipe_title({"title": figures.title, "document": {
                "translations": figures.translations}})), QLabel(self._success_text(figures)),
                QLabel(self._p95_text(figures)), QLabel(self._state_text(figures)))
            labels[0].setProperty("userData", True)  # the recipe's name: the user's words
            window = self.tr("Measured over the last %1 day(s); the time runs from a record's change in the source "
                             "to its write in the target.").replace("%1", str(figures.window_days))
            for column, label in enumerate(labels):
                label.setToolTip(window)
                label.setWordWrap(True)  # narrow windows wrap the line instead of cutting it
                self.levels_grid.addWidget(label, line, column)
            labels[1].setStyleSheet(self._color(figures.success, breached=figures.success_breached))
            labels[2].setStyleSheet(self._color(figures.p95_s, breached=figures.p95_breached))
            labels[3].setStyleSheet(self._color(1.0 if figures.measured else None, breached=figures.breached))
            self.level_rows.append(labels)
        self.levels_grid.setColumnStretch(0, 1)
        self.levels.setVisible(bool(levels))

    @staticmethod
    def _color(value: float | None, *, breached: bool) -> str:
        if value is None:
            return ""
        return f"color: {STATUS_COLORS['failed'] if breached else STATUS_COLORS['ok']};"

    def _success_text(self, figures: SlaFigures) -> str:
        if figures.target_success is None:
            return ""
        loc = i18n.locale()
        value = "—" if figures.success is None else loc.toString(figures.success, "f", 2) + " %"
        return self.tr("success %1 (target ≥ %2 %)").replace("%1", value).replace(
            "%2", loc.toString(figures.target_success, "g", 4))

    def _p95_text(self, figures: SlaFigures) -> str:
        if figures.target_p95_s is None:
            return ""
        loc = i18n.locale()
        value = "—" if figures.p95_s is None else self._seconds(figures.p95_s)
        return self.tr("95 % written within %1 (target ≤ %2 s)").replace("%1", value).replace(
            "%2", loc.toString(figures.target_p95_s, "g", 4))

    def _seconds(self, seconds: float) -> str:
        """``12.3 s``, ``4.5 min``, ``2.5 h``, ``3.2 d`` in the language in use."""
        if seconds < 120:
            text, size = self.tr("%1 s"), 1
        elif seconds < 7200:
            text, size = self.tr("%1 min"), 60
        elif seconds < 172_800:
            text, size = self.tr("%1 h"), 3600
        else:
            text, size = self.tr("%1 d"), 86_400
        return text.replace("%1", i18n.locale().toString(seconds / size, "f", 1))

    def _state_text(self, figures: SlaFigures) -> str:
        if figures.breached:
            return "✗ " + self.tr("below target")
        return "✓ " + self.tr("on target") if figures.measured else self.tr("no records yet")
