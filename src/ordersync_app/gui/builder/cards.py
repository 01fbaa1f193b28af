"""The builder's step cards: Trigger, Filter, Lookup and Action, each editing one part of a recipe file.

A card reads and writes the file form (plain dicts) so what is saved is exactly the recipe format;
roles are named by the editor (``role_of(account)``). Cards show problems in plain words on the widget
they concern (:meth:`StepCard.show_problems`); step cards can be moved up and down, and a card placed
where it does nothing (a filter after its action) says so at once, with a button that moves it.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimeZone, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Connector, Field, Owns
from ordersync_app.domain.errors import SetupError
from ordersync_app.gui import i18n
from ordersync_app.gui.builder.mapping import MappingEditor, show
from ordersync_app.gui.widgets import STATUS_COLORS, Card, when
from ordersync_app.recipes import catalog
from ordersync_app.services import accounts as accounts_svc
from ordersync_app.services import builder as svc
from ordersync_app.services import timing
from ordersync_app.services.builder import FieldChoice

RoleOf = Callable[[str], str]
SCHEDULE = "schedule"  # the interval choice that switches the trigger to a cron schedule


@dataclass
class BuilderState:
    """What every card maps from: accounts, the sample records, lookup results from step tests."""

    accounts: list[accounts_svc.AccountInfo] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    index: int = 0
    live: bool = False
    declared: list[Field] = field(default_factory=list)  # the trigger's declared fields
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path → declared values
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)  # as → found object

    def record(self) -> dict[str, Any]:
        """The sample record in use."""
        return self.records[self.index] if 0 <= self.index < len(self.records) else {}

    def fields(self, *, lookups_before: list[str] | None = None, target: str = "") -> list[FieldChoice]:
        """Source fields with labels and sample values, the likely match for ``target`` first."""
        found = {name: self.lookups.get(name) or {} for name in lookups_before or []}
        return svc.field_choices(self.record(), self.declared, target=target, lookups=found)

    def suggestions(self, path: str) -> list[str]:
        """Known input values of a field (declared choices, then sample values), for lookup tables."""
        values = list(self.choices.get(path, ()))
        for record in self.records:
            for p, v in svc.source_fields(record):
                if p == path and v and v not in values:
                    values.append(v)
        return values


def _combo() -> QComboBox:
    combo = QComboBox()
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)
    return combo


def _set_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class StepCard(Card):
    """Common parts: app → operation → account pickers, move/remove buttons, a problem line.

    Signals:
        changed(): something on the card changed.
        remove_requested(): the user removes the step.
        move_requested(int): move the step up (-1) or down (+1).
    """

    changed = Signal()
    remove_requested = Signal()
    move_requested = Signal(int)
    kind = "step"

    def __init__(self, title: str, state: BuilderState, *, removable: bool = True) -> None:
        super().__init__("")
        self.state = state
        head = QHBoxLayout()
        self.title.setText(title)
        self.title.setVisible(True)
        self.body.removeWidget(self.title)
        head.addWidget(self.title, 1)
        self.up = QToolButton()
        self.up.setText("↑")
        self.up.setToolTip(self.tr("Move this step up"))
        self.down = QToolButton()
        self.down.setText("↓")
        self.down.setToolTip(self.tr("Move this step down"))
        self.up.clicked.connect(lambda: self.move_requested.emit(-1))
        self.down.clicked.connect(lambda: self.move_requested.emit(1))
        for button in (self.up, self.down):
            button.setVisible(removable)
            head.addWidget(button)
        self.body.insertLayout(0, head)
        self.app = _combo()
        self.operation = _combo()
        self.account = _combo()
        self.account.setProperty("userData", True)  # account names: the user's words
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.body.addLayout(self.form)
        self.content = QVBoxLayout()  # what a card shows below its form (conditions, fields…)
        self.body.addLayout(self.content)
        self.warning = QFrame()
        self.warning.setObjectName("warning")
        warning_layout = QHBoxLayout(self.warning)
        warning_layout.setContentsMargins(8, 6, 8, 6)
        self.warning_text = QLabel("")
        self.warning_text.setWordWrap(True)
        self.warning_fix = QPushButton(self.tr("Move it above the action"))
        warning_layout.addWidget(self.warning_text, 1)
        warning_layout.addWidget(self.warning_fix)
        self.warning.hide()
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.footer = QHBoxLayout()
        self.body.addWidget(self.warning)
        self.body.addWidget(self.problem)
        self.body.addWidget(self.result)
        self.body.addLayout(self.footer)
        self.remove = QPushButton(self.tr("Remove step"))
        self.remove.setVisible(removable)
        self.remove.clicked.connect(self.remove_requested.emit)
        self.footer.addStretch(1)
        self.footer.addWidget(self.remove)

    def add_pickers(self, op_label: str, has: Callable[[Connector], bool], *, prefer: Owns = Owns.CUSTOMERS) -> None:
        """App, operation and account rows (only apps where ``has(connector)``; ``prefer``-owning apps first)."""
        ordered = sorted(registry.all_connectors().items(), key=lambda kv: kv[1].owns is not prefer)
        for key, conn in ordered:
            if has(conn):
                self.app.addItem(i18n.pick(conn.name_en, conn.name_zh), key)
        self.form.addRow(self.tr("App"), self.app)
        self.form.addRow(op_label, self.operation)
        self.form.addRow(self.tr("Account"), self.account)
        self.app.currentIndexChanged.connect(self._app_changed)
        self.operation.currentIndexChanged.connect(self._operation_changed)
        self.account.currentIndexChanged.connect(lambda *_: self.changed.emit())

    def connector(self) -> Connector | None:
        """The picked app's connector."""
        return registry.get(str(self.app.currentData() or ""))

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        """(key, en, zh) of the card's operations for ``conn`` (override)."""
        return []

    def _app_changed(self) -> None:
        conn = self.connector()
        self.operation.blockSignals(True)
        self.operation.clear()
        for key, en, zh in self.operations(conn) if conn else []:
            self.operation.addItem(i18n.pick(en, zh), key)
        self.operation.blockSignals(False)
        self.fill_accounts()
        self._operation_changed()

    def fill_accounts(self) -> None:
        """Accounts of the picked app (their display names)."""
        conn = self.connector()
        keep = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        for a in self.state.accounts:
            if conn and a.connector == conn.key:
                self.account.addItem(a.label, a.name)
        if not self.account.count():
            self.account.addItem(self.tr("(no account yet — add one in Accounts)"), "")
        _set_data(self.account, keep)
        self.account.blockSignals(False)

    def _operation_changed(self) -> None:
        self.changed.emit()

    def account_name(self) -> str:
        """The picked account's key ("" when none)."""
        return str(self.account.currentData() or "")

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Show problems; each is (place inside this card, plain sentence)."""
        self.problem.setText("\n".join(f"• {msg}" for _loc, msg in problems))
        self.problem.setVisible(bool(problems))
        self.set_error("\n".join(m for _l, m in problems) if problems else None)

    def show_warning(self, text: str | None) -> None:
        """A placement that does nothing (a filter after its action), with the button that fixes it."""
        self.warning_text.setText(text or "")
        self.warning.setVisible(bool(text))

    def update_context(self, lookups_before: list[str]) -> None:
        """The sample or earlier lookups changed (override)."""

    def to_step(self, role_of: RoleOf) -> dict[str, Any]:
        """The step in file form (override)."""
        raise NotImplementedError


class TriggerCard(StepCard):
    """When: an app's event, the account to poll, how often (or on a cron schedule), from when; "Load sample".

    The interval choices the account's rate budget does not allow are disabled, and the line under the choice
    says what polling that often costs (``services.timing``); a schedule shows its next run as it is typed.
    """

    kind = "trigger"
    sample_requested = Signal()

    def __init__(self, state: BuilderState) -> None:
        super().__init__(self.tr("1. When this happens (trigger)"), state, removable=False)
        self.add_pickers(self.tr("Event"), lambda c: bool(c.triggers), prefer=Owns.ORDERS)
        self.every = _combo()
        for value, label in (("10s", self.tr("every 10 seconds")), ("30s", self.tr("every 30 seconds")),
                             ("1m", self.tr("every minute")), ("5m", self.tr("every 5 minutes")),
                             ("15m", self.tr("every 15 minutes")), ("1h", self.tr("every hour")),
                             (SCHEDULE, self.tr("on a schedule (cron)…"))):
            self.every.addItem(label, value)
        _set_data(self.every, "5m")
        self.budget = QLabel("")
        self.budget.setObjectName("muted")
        self.budget.setWordWrap(True)
        self.cron = QLineEdit("0 2 1 * *")
        self.cron.setToolTip(self.tr("Five fields: minute, hour, day of the month, month, day of the week (0 and 7 "
                                     "are Sunday). 0 2 1 * * runs at 02:00 on the 1st of every month."))
        self.zone = QComboBox()
        self.zone.setEditable(True)
        self.zone.addItems(sorted(zoneinfo.available_timezones()))
        self.zone.setCurrentText(bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC")
        self.next_run = QLabel("")
        self.next_run.setWordWrap(True)
        self.schedule_box = QWidget()
        schedule_form = QFormLayout(self.schedule_box)
        schedule_form.setContentsMargins(0, 0, 0, 0)
        schedule_form.addRow(self.tr("Cron"), self.cron)
        schedule_form.addRow(self.tr("Time zone"), self.zone)
        schedule_form.addRow("", self.next_run)
        self.schedule_box.hide()
        self.start = _combo()
        self.start.addItem(self.tr("from now on"), "now")
        self.start.addItem(self.tr("everything, including the past"), "everything")
        self.start.addItem(self.tr("from a date…"), "date")
        self.start_date = QDateEdit()
        self.start_date.setCalendarPopup(True)
        self.start_date.setDisplayFormat("yyyy-MM-dd")
        self.start_date.setDate(QDate.currentDate().addDays(-7))
        self.start_date.hide()
        start_row = QHBoxLayout()
        start_row.addWidget(self.start, 1)
        start_row.addWidget(self.start_date)
        self.start_chosen = False  # the user picked the start point (asked at the first save otherwise)
        self.form.addRow(self.tr("Check"), self.every)
        self.form.addRow("", self.budget)
        self.form.addRow(self.schedule_box)
        self.form.addRow(self.tr("Start"), start_row)
        self.load = QPushButton(self.tr("Load sample"))
        self.load.setObjectName("primary")
        self.load.clicked.connect(self.sample_requested.emit)
        self.sample = _combo()
        self.sample.setProperty("userData", True)  # sample records: the shop's data
        self.sample.hide()
        self.sample.currentIndexChanged.connect(self._pick_sample)
        line = QHBoxLayout()
        line.addWidget(self.load)
        line.addWidget(self.sample, 1)
        self.content.addLayout(line)
        self.every.currentIndexChanged.connect(self._timing_changed)
        self.account.currentIndexChanged.connect(lambda *_: self._show_budget())
        self.cron.textChanged.connect(self._timing_changed)
        self.zone.currentTextChanged.connect(self._timing_changed)
        self.start.activated.connect(lambda *_: setattr(self, "start_chosen", True))
        self.start.currentIndexChanged.connect(self._start_changed)
        self.start_date.dateChanged.connect(lambda *_: self.changed.emit())
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(t.key, t.label_en, t.label_zh) for t in conn.triggers]

    def _operation_changed(self) -> None:
        self._show_budget()
        super()._operation_changed()

    def scheduled(self) -> bool:
        """The recipe runs on a cron schedule instead of polling."""
        return self.every.currentData() == SCHEDULE

    def _timing_changed(self, *_args: object) -> None:
        scheduled = self.scheduled()
        self.schedule_box.setVisible(scheduled)
        self.budget.setVisible(not scheduled)
        if scheduled and self.start.currentData() == "now":  # a scheduled run reads in full: "from now" reads nothing
            _set_data(self.start, "everything")
        self._show_budget()
        self._show_next_run()
        self.changed.emit()

    def _show_next_run(self) -> None:
        if not self.scheduled():
            return
        preview = timing.preview_schedule(self.cron.text().strip(), self.zone.currentText().strip())
        if preview.problem is not None:
            self.next_run.setText("⚠ " + preview.problem.pick(i18n.current()))
        elif preview.next_run is None:
            self.next_run.setText(self.tr("This schedule has no next run."))
        else:
            moment, zone = preview.next_run, self.zone.currentText().strip()
            text = self.tr("Next run: %1 (%2)").replace("%1", moment.strftime("%Y-%m-%d %H:%M")).replace("%2", zone)
            if moment.utcoffset() != moment.astimezone().utcoffset():  # this computer keeps another time
                text = self.tr("%1, %2 on this computer").replace("%1", text).replace(
                    "%2", when(moment.isoformat()))
            self.next_run.setText(text)

    def _show_budget(self) -> None:
        """Disable the intervals the account's budget does not allow; say what the chosen one costs."""
        conn, event = self.connector(), str(self.operation.currentData() or "")
        if conn is None or not event:
            return
        try:
            choices = {c.text: c for c in timing.intervals(conn.key, event, self.account_name() or None)}
        except SetupError:  # an account that is gone: the connector's declared budget
            choices = {c.text: c for c in timing.intervals(conn.key, event)}
        items = self.every.model()
        for index in range(self.every.count()):
            choice = choices.get(str(self.every.itemData(index)))
            item = items.item(index) if hasattr(items, "item") else None
            if choice is None or item is None:
                continue
            item.setEnabled(choice.allowed)
            reason = "" if choice.allowed or choice.use is None else "\n".join(
                i18n.pick(*part) for part in (choice.use.message(), choice.use.advice()))
            self.every.setItemData(index, reason or None, Qt.ItemDataRole.ToolTipRole)
        chosen = choices.get(str(self.every.currentData()))
        use = chosen.use if chosen is not None else None
        if use is None:
            self.budget.setText("")
            self.budget.setStyleSheet("")
        elif use.fits:
            self.budget.setText(i18n.pick(*use.note()))
            self.budget.setStyleSheet("")
        else:
            self.budget.setText("⚠ " + i18n.pick(*use.message()) + "; " + i18n.pick(*use.advice()))
            self.budget.setStyleSheet(f"color: {STATUS_COLORS['failed']};")

    def _start_changed(self) -> None:
        self.start_date.setVisible(self.start.currentData() == "date")
        self.changed.emit()

    def set_start(self, value: str) -> None:
        """Set the start point from file form (``now``, ``everything`` or a date)."""
        if value in ("now", "everything"):
            _set_data(self.start, value)
        else:
            _set_data(self.start, "date")
            date = QDate.fromString(value[:10], "yyyy-MM-dd")
            if date.isValid():
                self.start_date.setDate(date)
        self.start_chosen = True

    def start_value(self) -> str:
        """The start point in file form (a date is midnight UTC of that day)."""
        chosen = str(self.start.currentData())
        if chosen == "date":
            return self.start_date.date().toString("yyyy-MM-dd") + "T00:00:00Z"
        return chosen

    def show_samples(self) -> None:
        """List the loaded sample records."""
        self.sample.blockSignals(True)
        self.sample.clear()
        for i, record in enumerate(self.state.records):
            label = record.get("name") or record.get("so_id") or record.get("dealname") or record.get("id") \
                or str(i + 1)
            self.sample.addItem(self.tr("Sample %1: %2").replace("%1", str(i + 1)).replace("%2", str(label)), i)
        self.sample.setCurrentIndex(self.state.index)
        self.sample.setVisible(bool(self.state.records))
        self.sample.blockSignals(False)

    def _pick_sample(self, index: int) -> None:
        self.state.index = max(0, index)
        self.changed.emit()

    def to_trigger(self, role_of: RoleOf) -> dict[str, Any]:
        """The ``trigger`` section."""
        section: dict[str, Any] = {"account": role_of(self.account_name()),
                                   "event": str(self.operation.currentData() or "")}
        if self.scheduled():
            section["schedule"] = {"cron": self.cron.text().strip(), "timezone": self.zone.currentText().strip()}
        else:
            section["every"] = str(self.every.currentData())
        section["start"] = self.start_value()
        return section

    def load_trigger(self, doc: dict[str, Any], connector_key: str, account: str) -> None:
        """Show a stored ``trigger`` section."""
        _set_data(self.app, connector_key)
        _set_data(self.operation, doc.get("event"))
        _set_data(self.account, account)
        schedule = doc.get("schedule")
        if isinstance(schedule, dict):
            self.cron.setText(str(schedule.get("cron", "")))
            self.zone.setCurrentText(str(schedule.get("timezone", "")))
            _set_data(self.every, SCHEDULE)
        else:
            index = self.every.findData(doc.get("every", "5m"))
            if index < 0:
                self.every.insertItem(self.every.count() - 1, str(doc.get("every")), doc.get("every"))
                index = self.every.count() - 2
            self.every.setCurrentIndex(index)
        self.set_start(str(doc.get("start", "now")))
        self._timing_changed()


class ConditionRow(QWidget):
    """field · operator · value."""

    changed = Signal()
    remove_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = MappingEditor()
        self.field.kind.hide()
        self.field.chain.hide()
        self.field.preview.hide()
        self.op = _combo()
        self.op.setMinimumContentsLength(8)
        for name, spec in catalog.FILTER_OPS.items():
            self.op.addItem(i18n.pick(spec.label_en, spec.label_zh), name)
            self.op.setItemData(self.op.count() - 1, i18n.pick(spec.description_en, spec.description_zh),
                                Qt.ItemDataRole.ToolTipRole)
        self.value = QLineEdit()
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip(self.tr("Remove this condition"))
        layout.addWidget(self.field, 3)
        layout.addWidget(self.op)
        layout.addWidget(self.value, 2)
        layout.addWidget(self.remove)
        self.field.changed.connect(self.changed.emit)
        self.op.currentIndexChanged.connect(self._op_changed)
        self.value.textChanged.connect(lambda *_: self.changed.emit())
        self.remove.clicked.connect(self.remove_requested.emit)
        self._op_changed()

    def _op_changed(self) -> None:
        spec = catalog.FILTER_OPS[str(self.op.currentData())]
        self.value.setVisible(spec.value != "none")
        self.value.setPlaceholderText(self.tr("values, separated by commas") if spec.value == "list" else
                                      self.tr("value"))
        self.changed.emit()

    def to_condition(self) -> dict[str, Any]:
        """One condition in file form."""
        op = str(self.op.currentData())
        spec = catalog.FILTER_OPS[op]
        doc: dict[str, Any] = {"field": self.field.path(), "op": op}
        text = self.value.text().strip()
        if spec.value == "list":
            doc["value"] = [v.strip() for v in re.split(r"[,，]", text) if v.strip()]
        elif spec.value == "ordered":
            try:
                doc["value"] = float(text) if "." in text else int(text)
            except ValueError:
                doc["value"] = text
        elif spec.value != "none":
            doc["value"] = text
        return doc

    def load(self, doc: dict[str, Any]) -> None:
        """Show a condition."""
        self.field.set_path(str(doc.get("field", "")))
        _set_data(self.op, doc.get("op"))
        value = doc.get("value")
        self.value.setText(", ".join(map(str, value)) if isinstance(value, list) else
                           "" if value is None else str(value))


class FilterCard(StepCard):
    """Only continue when all (or any) of the conditions hold."""

    kind = "filter"

    def __init__(self, state: BuilderState) -> None:
        super().__init__(self.tr("Only continue if (filter)"), state)
        self.match = _combo()
        self.match.addItem(self.tr("all conditions hold"), "all")
        self.match.addItem(self.tr("any condition holds"), "any")
        self.match.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self.form.addRow(self.tr("Continue when"), self.match)
        self.rows_box = QVBoxLayout()
        self.content.addLayout(self.rows_box)
        self.rows: list[ConditionRow] = []
        self.lookups_before: list[str] = []
        self.add = QPushButton(self.tr("Add condition"))
        self.add.clicked.connect(lambda: self.add_condition())
        self.content.addWidget(self.add)
        self.changed.connect(self._evaluate)

    def add_condition(self, doc: dict[str, Any] | None = None) -> ConditionRow:
        """Append a condition row."""
        row = ConditionRow()
        row.field.set_context(self.state.fields(lookups_before=self.lookups_before), self.state.record(),
                              self.state.lookups)
        if doc:
            row.load(doc)
        row.changed.connect(self.changed.emit)
        row.remove_requested.connect(lambda r=row: self._remove_row(r))
        self.rows.append(row)
        self.rows_box.addWidget(row)
        self.changed.emit()
        return row

    def _remove_row(self, row: ConditionRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self.changed.emit()

    def update_context(self, lookups_before: list[str]) -> None:
        self.lookups_before = lookups_before
        for row in self.rows:
            row.field.set_context(self.state.fields(lookups_before=lookups_before), self.state.record(),
                                  self.state.lookups)
        self._evaluate()

    def to_step(self, _role_of: RoleOf) -> dict[str, Any]:
        """The step in file form."""
        return {"filter": {"match": str(self.match.currentData()), "conditions": [r.to_condition() for r in self.rows]}}

    def load_step(self, doc: dict[str, Any]) -> None:
        """Show a stored filter step."""
        _set_data(self.match, doc.get("match", "all"))
        for condition in doc.get("conditions") or []:
            self.add_condition(condition)

    def _evaluate(self) -> None:
        if not self.state.records or not self.rows:
            self.result.setText("")
            return
        keep = svc.preview_filter(self.to_step(str)["filter"], self.state.record(), self.state.lookups)
        if not isinstance(keep, bool):
            self.result.setText("⚠ " + keep.pick(i18n.current()))
            return
        self.result.setText(self.tr("✓ The sample record passes.") if keep else
                            self.tr("✗ The sample record is filtered out."))

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        super().show_problems(problems)
        for i, row in enumerate(self.rows):
            mine = [m for loc, m in problems if loc.startswith(f"conditions[{i}]")]
            row.field.set_problem("; ".join(mine) or None)


class LookupCard(StepCard):
    """Find something in another app; later steps read it as ``steps.<name>.<field>``."""

    kind = "lookup"
    test_requested = Signal()

    def __init__(self, state: BuilderState) -> None:
        super().__init__(self.tr("Look up (find something in another app)"), state)
        self.params: dict[str, MappingEditor] = {}
        self.lookups_before: list[str] = []
        self.add_pickers(self.tr("Lookup"), lambda c: bool(c.lookups))
        self.as_ = QLineEdit("found")
        self.as_.textChanged.connect(lambda *_: self.changed.emit())
        self.form.addRow(self.tr("Name of the result"), self.as_)
        self.if_missing = _combo()
        self.if_missing.addItem(self.tr("the record fails (failed queue)"), "fail")
        self.if_missing.addItem(self.tr("skip the record"), "skip")
        self.form.addRow(self.tr("When nothing is found"), self.if_missing)
        self.test = QPushButton(self.tr("Test this step"))
        self.test.clicked.connect(self.test_requested.emit)
        self.footer.insertWidget(0, self.test)
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(lk.key, lk.label_en, lk.label_zh) for lk in conn.lookups]

    def _operation_changed(self) -> None:
        conn = self.connector()
        spec = conn.lookup(str(self.operation.currentData())) if conn else None
        for editor in self.params.values():
            self.form.removeRow(editor)
        self.params = {}
        for param in spec.params if spec else ():
            editor = MappingEditor(field_label=i18n.label(param))
            if param.default is not None and not param.required:
                editor.set_document({"value": param.default})
            editor.changed.connect(self.changed.emit)
            self.form.addRow(i18n.label(param) + (" *" if param.required else ""), editor)
            self.params[param.key] = editor
        self.update_context(self.lookups_before)
        self.changed.emit()

    def update_context(self, lookups_before: list[str]) -> None:
        self.lookups_before = lookups_before
        for key, editor in self.params.items():
            editor.set_context(self.state.fields(lookups_before=lookups_before, target=key), self.state.record(),
                               self.state.lookups)

    def name(self) -> str:
        """The ``as`` name."""
        return self.as_.text().strip()

    def param_values(self) -> dict[str, Any]:
        """Evaluated parameters for the sample record."""
        return {k: svc.preview_mapping(doc, self.state.record(), self.state.lookups).value
                for k, e in self.params.items() if (doc := e.to_document()) is not None}

    def to_step(self, role_of: RoleOf) -> dict[str, Any]:
        """The step in file form."""
        params = {k: doc for k, e in self.params.items() if (doc := e.to_document()) is not None}
        return {"id": self.name(), "lookup": {"account": role_of(self.account_name()),
                                              "lookup": str(self.operation.currentData() or ""), "params": params,
                                              "if_missing": str(self.if_missing.currentData())}}

    def load_step(self, doc: dict[str, Any], connector_key: str, account: str) -> None:
        """Show a stored lookup step."""
        _set_data(self.app, connector_key)
        _set_data(self.operation, doc.get("lookup"))
        _set_data(self.account, account)
        self.as_.setText(str(doc.get("as", "found")))
        _set_data(self.if_missing, doc.get("if_missing", "fail"))
        for key, mapping in (doc.get("params") or {}).items():
            if key in self.params:
                self.params[key].set_document(mapping)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        super().show_problems(problems)
        for key, editor in self.params.items():
            mine = [m for loc, m in problems if loc.startswith(f"params.{key}")]
            editor.set_problem("; ".join(mine) or None)


class ActionCard(StepCard):
    """Do this: an action of an app, which record it updates, and the field mapper."""

    kind = "action"
    test_requested = Signal()

    def __init__(self, state: BuilderState) -> None:
        super().__init__(self.tr("Then do this (action)"), state)
        self.match = MappingEditor()
        self.match_label = QLabel("")
        self.match_label.setWordWrap(True)
        self.params: dict[str, QLineEdit] = {}
        self.fields: dict[str, MappingEditor] = {}
        self.field_specs: dict[str, Field] = {}
        self.lookups_before: list[str] = []
        self.add_pickers(self.tr("Action"), lambda c: bool(c.actions))
        self.form.addRow(self.match_label, self.match)
        self.match.changed.connect(self.changed.emit)
        self.heading = QLabel(self.tr("Fields to write (* required). Pick where each value comes from:"))
        self.heading.setWordWrap(True)
        self.heading.setObjectName("muted")
        self.form.addRow(self.heading)
        self.field_labels: dict[str, QLabel] = {}
        self.test = QPushButton(self.tr("Test this step (dry run)"))
        self.test.clicked.connect(self.test_requested.emit)
        self.footer.insertWidget(0, self.test)
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(a.key, a.label_en, a.label_zh) for a in conn.actions]

    def _operation_changed(self) -> None:
        conn = self.connector()
        spec = conn.action(str(self.operation.currentData())) if conn else None
        for widget in [*self.params.values(), *self.fields.values()]:
            self.form.removeRow(widget)
        self.fields, self.params, self.field_specs, self.field_labels = {}, {}, {}, {}
        self.match_label.setText(i18n.label(spec.match) + " *" if spec and spec.match else "")
        self.match.field_label = i18n.label(spec.match) if spec and spec.match else ""
        self.match.setHidden(not (spec and spec.match))
        heading_row = self.form.getWidgetPosition(self.heading)[0]
        for n, param in enumerate(spec.params if spec else ()):
            edit = QLineEdit("" if param.default is None else str(param.default))
            edit.setToolTip(param.description)
            edit.textChanged.connect(lambda *_: self.changed.emit())
            self.form.insertRow(heading_row + n, i18n.label(param), edit)
            self.params[param.key] = edit
        ordered = sorted(spec.fields if spec else (), key=lambda f: (not f.required, f.key))
        for target in ordered:
            name = i18n.label(target)
            label = QLabel(f"{name}{' *' if target.required else ''}" +
                           (f"<br><span style='color:#6b7280;font-size:9pt'>{target.key}</span>"
                            if name != target.key else ""))
            label.setToolTip(f"{target.key}\n{target.description}".strip())
            editor = MappingEditor(field_label=name)
            if conn is not None and spec is not None:
                editor.set_options(svc.field_options(None, spec.key, target.key, connector_key=conn.key))
            editor.changed.connect(self.changed.emit)
            self.form.addRow(label, editor)
            self.fields[target.key] = editor
            self.field_specs[target.key] = target
            self.field_labels[target.key] = label
        self.update_context(self.lookups_before)
        self.changed.emit()

    def apply_account_fields(self, found: tuple[Field, ...]) -> None:
        """Offer the values the bound account accepts (its deal stages by name, enumeration options), so an
        invalid value cannot be picked."""
        by_key = {f.key: f for f in found}
        for key, editor in self.fields.items():
            target = by_key.get(key)
            if target is not None and target.choices:
                editor.set_options([(v, target.choice_labels.get(v, v)) for v in target.choices])

    def field_text(self, key: str) -> str:
        """A target field's label text as shown."""
        label = self.field_labels.get(key)
        return label.text() if label is not None else ""

    def update_context(self, lookups_before: list[str]) -> None:
        self.lookups_before = lookups_before
        match_target = self.match_label.text()
        self.match.set_context(self.state.fields(lookups_before=lookups_before, target=match_target),
                               self.state.record(), self.state.lookups, self.state.suggestions(self.match.path()))
        for key, editor in self.fields.items():
            spec = self.field_specs.get(key)
            target = f"{spec.label} {spec.key}" if spec else key
            editor.set_context(self.state.fields(lookups_before=lookups_before, target=target), self.state.record(),
                               self.state.lookups, self.state.suggestions(editor.path()))

    def mapped(self) -> dict[str, dict[str, Any]]:
        """Target field → mapping, for the mapped fields."""
        return {k: doc for k, e in self.fields.items() if (doc := e.to_document()) is not None}

    def to_step(self, role_of: RoleOf) -> dict[str, Any]:
        """The step in file form."""
        body: dict[str, Any] = {"account": role_of(self.account_name()), "action": str(self.operation.currentData())}
        match = self.match.to_document() if self.match_label.text() else None
        if match is not None:
            body["match"] = match
        params = {k: e.text().strip() for k, e in self.params.items() if e.text().strip()}
        if params:
            body["params"] = params
        body["fields"] = self.mapped()
        return {"action": body}

    def load_step(self, doc: dict[str, Any], connector_key: str, account: str) -> None:
        """Show a stored action step."""
        _set_data(self.app, connector_key)
        _set_data(self.operation, doc.get("action"))
        _set_data(self.account, account)
        if doc.get("match"):
            self.match.set_document(doc["match"])
        for key, value in (doc.get("params") or {}).items():
            if key in self.params:
                self.params[key].setText(str(value))
        for key, mapping in (doc.get("fields") or {}).items():
            if key in self.fields:
                self.fields[key].set_document(mapping)

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        super().show_problems(problems)
        for key, editor in self.fields.items():
            mine = [m for loc, m in problems if re.match(rf"fields\.{re.escape(key)}(\.|$)", loc)]
            editor.set_problem("; ".join(mine) or None)
        self.match.set_problem("; ".join(m for loc, m in problems if loc.startswith("match")) or None)

    def show_test(self, lines: list[str]) -> None:
        """The result of "Test this step" (cleared as soon as the card changes)."""
        self.result.setText("\n".join(lines))


__all__ = ["ActionCard", "BuilderState", "FilterCard", "LookupCard", "StepCard", "TriggerCard", "show"]
