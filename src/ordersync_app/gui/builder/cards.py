"""The builder's step cards: Trigger, Filter, Lookup and Action, each editing one part of a recipe file.

A card reads and writes the file form (plain dicts) so what is saved is exactly the recipe format;
roles are named by the editor (``role_of(account)``). Cards show validation problems on the widget
they concern (:meth:`StepCard.show_problems` receives locations relative to the card).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Connector, Owns
from ordersync_app.gui import i18n
from ordersync_app.gui.builder.mapping import MappingEditor, show
from ordersync_app.gui.widgets import Card
from ordersync_app.recipes import catalog
from ordersync_app.services import accounts as accounts_svc
from ordersync_app.services import builder as svc

RoleOf = Callable[[str], str]


@dataclass
class BuilderState:
    """What every card maps from: accounts, the sample records, lookup results from step tests."""

    accounts: list[accounts_svc.AccountInfo] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    index: int = 0
    live: bool = False
    declared: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # path → declared values
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)  # as → found object

    def record(self) -> dict[str, Any]:
        """The sample record in use."""
        return self.records[self.index] if 0 <= self.index < len(self.records) else {}

    def fields(self, *, lookups_before: list[str] | None = None) -> list[tuple[str, str]]:
        """Source paths with sample values, then declared paths not in the sample, then lookup fields."""
        found = svc.source_fields(self.record())
        seen = {p for p, _v in found}
        found += [(p, "") for p, _l in self.declared if p not in seen]
        for name in lookups_before or []:
            result = self.lookups.get(name) or {}
            found += [(f"steps.{name}.{k}", show(v)) for k, v in result.items()] or [(f"steps.{name}.id", "")]
        return found

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
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def _set_data(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


class StepCard(Card):
    """Common parts: app → operation → account pickers, a problem line, a remove button."""

    changed = Signal()
    remove_requested = Signal()
    kind = "step"

    def __init__(self, title: str, state: BuilderState, *, removable: bool = True) -> None:
        super().__init__(title)
        self.state = state
        self.app = _combo()
        self.operation = _combo()
        self.account = _combo()
        self.form = QFormLayout()
        self.body.addLayout(self.form)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.footer = QHBoxLayout()
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
        """Accounts of the picked app."""
        conn = self.connector()
        keep = self.account.currentData()
        self.account.blockSignals(True)
        self.account.clear()
        for a in self.state.accounts:
            if conn and a.connector == conn.key:
                self.account.addItem(a.name, a.name)
        if not self.account.count():
            self.account.addItem(self.tr("(no account yet — add one in Accounts)"), "")
        _set_data(self.account, keep)
        self.account.blockSignals(False)

    def _operation_changed(self) -> None:
        self.changed.emit()

    def account_name(self) -> str:
        """The picked account ("" when none)."""
        return str(self.account.currentData() or "")

    def show_problems(self, problems: list[tuple[str, str]]) -> None:
        """Show problems; each is (location inside this card, message)."""
        self.problem.setText("\n".join(f"• {loc + ': ' if loc else ''}{msg}" for loc, msg in problems))
        self.problem.setVisible(bool(problems))
        self.set_error("\n".join(m for _l, m in problems) if problems else None)

    def update_context(self, lookups_before: list[str]) -> None:
        """The sample or earlier lookups changed (override)."""


class TriggerCard(StepCard):
    """When: an app's event, the account to poll, how often, from when; and "Load sample"."""

    kind = "trigger"
    sample_requested = Signal()

    def __init__(self, state: BuilderState) -> None:
        super().__init__(self.tr("1. When this happens (trigger)"), state, removable=False)
        self.add_pickers(self.tr("Event"), lambda c: bool(c.triggers), prefer=Owns.ORDERS)
        self.every = _combo()
        for value, label in (("1m", self.tr("every minute")), ("5m", self.tr("every 5 minutes")),
                             ("15m", self.tr("every 15 minutes")), ("1h", self.tr("every hour"))):
            self.every.addItem(label, value)
        self.every.setCurrentIndex(1)
        self.start = _combo()
        self.start.addItem(self.tr("from now on"), "now")
        self.start.addItem(self.tr("everything, including the past"), "everything")
        self.form.addRow(self.tr("Check"), self.every)
        self.form.addRow(self.tr("Start"), self.start)
        self.load = QPushButton(self.tr("Load sample"))
        self.load.setObjectName("primary")
        self.load.clicked.connect(self.sample_requested.emit)
        self.sample = _combo()
        self.sample.setMinimumWidth(240)
        self.sample.hide()
        self.sample.currentIndexChanged.connect(self._pick_sample)
        line = QHBoxLayout()
        line.addWidget(self.load)
        line.addWidget(self.sample)
        line.addStretch(1)
        self.body.insertLayout(2, line)
        for combo in (self.every, self.start):
            combo.currentIndexChanged.connect(lambda *_: self.changed.emit())
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(t.key, t.label_en, t.label_zh) for t in conn.triggers]

    def show_samples(self) -> None:
        """List the loaded sample records."""
        self.sample.blockSignals(True)
        self.sample.clear()
        for i, record in enumerate(self.state.records):
            label = record.get("name") or record.get("dealname") or record.get("id") or str(i + 1)
            self.sample.addItem(self.tr("Sample %1: %2").replace("%1", str(i + 1)).replace("%2", str(label)), i)
        self.sample.setCurrentIndex(self.state.index)
        self.sample.setVisible(bool(self.state.records))
        self.sample.blockSignals(False)

    def _pick_sample(self, index: int) -> None:
        self.state.index = max(0, index)
        self.changed.emit()

    def to_trigger(self, role_of: RoleOf) -> dict[str, Any]:
        """The ``trigger`` section."""
        return {"account": role_of(self.account_name()), "event": str(self.operation.currentData() or ""),
                "every": str(self.every.currentData()), "start": str(self.start.currentData())}

    def load_trigger(self, doc: dict[str, Any], connector_key: str, account: str) -> None:
        """Show a stored ``trigger`` section."""
        _set_data(self.app, connector_key)
        _set_data(self.operation, doc.get("event"))
        _set_data(self.account, account)
        index = self.every.findData(doc.get("every", "5m"))
        if index < 0:
            self.every.addItem(str(doc.get("every")), doc.get("every"))
            index = self.every.count() - 1
        self.every.setCurrentIndex(index)
        _set_data(self.start, doc.get("start", "now"))


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
        for name, spec in catalog.FILTER_OPS.items():
            self.op.addItem(i18n.pick(spec.label_en, spec.label_zh), name)
            self.op.setItemData(self.op.count() - 1, i18n.pick(spec.description_en, spec.description_zh), 3)
        self.value = QLineEdit()
        self.remove = QPushButton("✕")
        self.remove.setFixedWidth(32)
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
        self.value.setPlaceholderText(self.tr("values, separated by commas") if spec.value == "list" else "")
        self.changed.emit()

    def to_condition(self) -> dict[str, Any]:
        """One condition in file form."""
        op = str(self.op.currentData())
        spec = catalog.FILTER_OPS[op]
        doc: dict[str, Any] = {"field": self.field.path(), "op": op}
        text = self.value.text().strip()
        if spec.value == "list":
            doc["value"] = [v.strip() for v in text.split(",") if v.strip()]
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
        self.body.insertLayout(2, self.rows_box)
        self.rows: list[ConditionRow] = []
        self.add = QPushButton(self.tr("Add condition"))
        self.add.clicked.connect(lambda: self.add_condition())
        self.body.insertWidget(3, self.add)
        self.changed.connect(self._evaluate)

    def add_condition(self, doc: dict[str, Any] | None = None) -> ConditionRow:
        """Append a condition row."""
        row = ConditionRow()
        row.field.set_context(self.state.fields(), self.state.record(), self.state.lookups)
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
        from ordersync_app.recipes.model import FilterStep

        try:
            step = FilterStep.model_validate(self.to_step(str)["filter"])
            keep = catalog.matches(step, self.state.record(), self.state.lookups)
        except (ValueError, catalog.MappingError) as exc:
            self.result.setText(f"⚠ {str(exc).splitlines()[0]}")
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
        self.params_box = QGridLayout()
        self.params: dict[str, MappingEditor] = {}
        self.add_pickers(self.tr("Lookup"), lambda c: bool(c.lookups))
        self.as_ = QLineEdit("found")
        self.as_.textChanged.connect(lambda *_: self.changed.emit())
        self.form.addRow(self.tr("Name of the result"), self.as_)
        self.if_missing = _combo()
        self.if_missing.addItem(self.tr("the record fails (failed queue)"), "fail")
        self.if_missing.addItem(self.tr("skip the record"), "skip")
        self.form.addRow(self.tr("When nothing is found"), self.if_missing)
        self.body.insertLayout(2, self.params_box)
        self.test = QPushButton(self.tr("Test this step"))
        self.test.clicked.connect(self.test_requested.emit)
        self.footer.insertWidget(0, self.test)
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(lk.key, lk.label_en, lk.label_zh) for lk in conn.lookups]

    def _operation_changed(self) -> None:
        conn = self.connector()
        spec = conn.lookup(str(self.operation.currentData())) if conn else None
        while self.params_box.count():
            item = self.params_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.params = {}
        for i, param in enumerate(spec.params if spec else ()):
            editor = MappingEditor()
            if param.default is not None and not param.required:
                editor.set_document({"value": param.default})
            editor.changed.connect(self.changed.emit)
            self.params_box.addWidget(QLabel(i18n.label(param) + (" *" if param.required else "")), i, 0)
            self.params_box.addWidget(editor, i, 1)
            self.params[param.key] = editor
        self.update_context([])
        self.changed.emit()

    def update_context(self, lookups_before: list[str]) -> None:
        for editor in self.params.values():
            editor.set_context(self.state.fields(lookups_before=lookups_before), self.state.record(),
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
        return {"lookup": {"account": role_of(self.account_name()), "lookup": str(self.operation.currentData() or ""),
                           "as": self.name(), "params": params, "if_missing": str(self.if_missing.currentData())}}

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
        self.params: dict[str, QLineEdit] = {}
        self.params_box = QFormLayout()
        self.fields_box = QGridLayout()
        self.fields_box.setColumnStretch(1, 1)
        self.fields: dict[str, MappingEditor] = {}
        self.add_pickers(self.tr("Action"), lambda c: bool(c.actions))
        self.form.addRow(self.match_label, self.match)
        self.match.changed.connect(self.changed.emit)
        self.body.insertLayout(2, self.params_box)
        heading = QLabel(self.tr("Fields to write (* required). Pick where each value comes from:"))
        heading.setWordWrap(True)
        self.body.insertWidget(3, heading)
        self.body.insertLayout(4, self.fields_box)
        self.test = QPushButton(self.tr("Test this step (dry run)"))
        self.test.clicked.connect(self.test_requested.emit)
        self.footer.insertWidget(0, self.test)
        self._app_changed()

    def operations(self, conn: Connector) -> list[tuple[str, str, str]]:
        return [(a.key, a.label_en, a.label_zh) for a in conn.actions]

    def _operation_changed(self) -> None:
        conn = self.connector()
        spec = conn.action(str(self.operation.currentData())) if conn else None
        for box in (self.fields_box, self.params_box):
            while box.count():
                item = box.takeAt(0)
                if item.widget():
                    item.widget().deleteLater()
        self.fields, self.params = {}, {}
        self.match_label.setText(i18n.label(spec.match) + " *" if spec and spec.match else "")
        self.match.setHidden(not (spec and spec.match))
        for param in spec.params if spec else ():
            edit = QLineEdit("" if param.default is None else str(param.default))
            edit.setToolTip(param.description)
            edit.textChanged.connect(lambda *_: self.changed.emit())
            self.params_box.addRow(i18n.label(param), edit)
            self.params[param.key] = edit
        ordered = sorted(spec.fields if spec else (), key=lambda f: (not f.required, f.key))
        for i, target in enumerate(ordered):
            name = f"{target.label_zh}（{target.key}）" if i18n.is_zh() and target.label_zh else target.key
            label = QLabel(f"{name}{' *' if target.required else ''}")
            label.setToolTip(f"{target.label}\n{target.description}".strip())
            editor = MappingEditor()
            editor.changed.connect(self.changed.emit)
            self.fields_box.addWidget(label, i, 0)
            self.fields_box.addWidget(editor, i, 1)
            self.fields[target.key] = editor
        self.update_context([])
        self.changed.emit()

    def update_context(self, lookups_before: list[str]) -> None:
        fields = self.state.fields(lookups_before=lookups_before)
        for editor in [self.match, *self.fields.values()]:
            path = editor.path()
            editor.set_context(fields, self.state.record(), self.state.lookups, self.state.suggestions(path))

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
