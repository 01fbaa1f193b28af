"""Home: is syncing healthy? Recipes on, records moved today, success rate, failures, the week."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem, QWidget

from ordersync_app.gui import health, i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.widgets import STATUS_COLORS, Card, StatTile, WeekChart, number, row, status_text, when


class HomePage(Page):
    """Health tiles, last run per recipe and a chart of the week."""

    name = "home"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Home"), parent)
        self.health: health.Health | None = None
        tiles = QGridLayout()
        tiles.setSpacing(12)
        self.on = StatTile(self.tr("recipes switched on"))
        self.today = StatTile(self.tr("records moved today"))
        self.rate = StatTile(self.tr("success rate, last 7 days"))
        self.failed = StatTile(self.tr("failed records need attention"))
        for i, tile in enumerate((self.on, self.today, self.rate, self.failed)):
            tiles.addWidget(tile, 0, i)
        self.layout_.addLayout(tiles)
        self.fix = QPushButton(self.tr("Open the failed queue"))
        self.fix.setObjectName("primary")
        self.fix.clicked.connect(lambda: ctx.navigate.emit("activity"))
        self.fix.hide()
        self.layout_.addLayout(row(self.fix))

        runs_card = Card(self.tr("Last run of each recipe"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Recipe"), self.tr("Last run"), self.tr("Result"),
                                              self.tr("Moved / failed")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            self.table.horizontalHeader().setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        runs_card.body.addWidget(self.table)
        week_card = Card(self.tr("This week (green: moved, red: failed)"))
        self.chart = WeekChart()
        week_card.body.addWidget(self.chart)
        bottom = QGridLayout()
        bottom.addWidget(runs_card, 0, 0)
        bottom.addWidget(week_card, 0, 1)
        bottom.setColumnStretch(0, 3)
        bottom.setColumnStretch(1, 2)
        self.layout_.addLayout(bottom, 1)
        ctx.data_changed.connect(self.request_refresh)

    def refresh(self) -> None:
        """Collect health numbers on a worker thread."""
        self.ctx.tasks.run(health.collect, on_success=self._show, title=self.tr("Reading the health summary"))

    def _show(self, data: health.Health) -> None:
        self.health = data
        self.on.set(f"{data.recipes_on} / {data.recipes_total}")
        self.today.set(number(data.moved_today))
        if data.success_rate is None:
            self.rate.set("—")
        else:
            pct = data.success_rate * 100
            self.rate.set(i18n.locale().toString(pct, "f", 1) + " %",
                          STATUS_COLORS["ok"] if pct >= 99 else STATUS_COLORS["retrying"])
        self.failed.set(number(data.failed), STATUS_COLORS["failed"] if data.failed else STATUS_COLORS["ok"])
        self.fix.setVisible(bool(data.failed))
        self.table.setRowCount(len(data.last_runs))
        for i, run in enumerate(data.last_runs):
            status = run.get("status")
            result = status_text(status) if status else self.tr("not run yet")
            if run.get("paused"):
                result = self.tr("paused: %1").replace("%1", str(run["paused"]))
            elif not run.get("enabled"):
                result += " · " + self.tr("off")
            cells = [run["title"], when(run.get("started_at")), result,
                     f"{number(run.get('succeeded', 0))} / {number(run.get('failed', 0))}"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2 and status:
                    from PySide6.QtGui import QColor

                    item.setForeground(QColor(STATUS_COLORS.get(status, "#374151")))
                self.table.setItem(i, col, item)
        loc = i18n.locale()
        self.chart.set_days([(loc.dayName(d.isoweekday(), loc.FormatType.ShortFormat), ok, bad)
                             for d, ok, bad in data.week])
        self._loaded()
