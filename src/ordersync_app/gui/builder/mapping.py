"""Field mapping widgets: where a value comes from, its transform chain, and a live preview.

Previews evaluate the mapping with the catalogue itself (``services.builder.preview_mapping``),
so what the builder shows is what a run will compute. Evaluation is pure and fast (no I/O), so
it runs on the GUI thread as the user types.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.gui import i18n
from ordersync_app.recipes import catalog
from ordersync_app.services import builder as svc

ZONES = ("Asia/Shanghai", "UTC", "Asia/Hong_Kong", "Asia/Singapore", "Europe/Berlin", "Europe/London",
         "America/New_York", "America/Los_Angeles")


def transform_label(name: str) -> str:
    """The catalogue label of a transform in the language in use."""
    spec = catalog.TRANSFORMS.get(name)
    return i18n.pick(spec.label_en, spec.label_zh) if spec else name


def transform_name(item: Any) -> str:
    """The name of a transform in file form (``"trim"`` or ``{"lookup_table": {...}}``)."""
    return item if isinstance(item, str) else next(iter(item))


def show(value: Any) -> str:
    """A preview value as short text."""
    if value is None:
        return "∅"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


class LookupTableEditor(QWidget):
    """A two-column table (from → to) and an optional default, for ``lookup_table``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("When the value is"), self.tr("Write")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(150)
        self.table.itemChanged.connect(lambda *_: self.changed.emit())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add = QPushButton(self.tr("Add row"))
        self.remove = QPushButton(self.tr("Remove row"))
        self.add.clicked.connect(lambda: self.add_row("", ""))
        self.remove.clicked.connect(self._remove)
        buttons.addWidget(self.add)
        buttons.addWidget(self.remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.use_default = QCheckBox(self.tr("Otherwise write"))
        self.default = QLineEdit()
        self.default.setEnabled(False)
        self.use_default.toggled.connect(self.default.setEnabled)
        self.use_default.toggled.connect(lambda *_: self.changed.emit())
        self.default.textChanged.connect(lambda *_: self.changed.emit())
        other = QHBoxLayout()
        other.addWidget(self.use_default)
        other.addWidget(self.default, 1)
        layout.addLayout(other)
        hint = QLabel(self.tr("Without a default, a value that is not in the table makes the record fail."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)

    def add_row(self, key: str, value: str) -> None:
        """Append a row."""
        self.table.blockSignals(True)
        n = self.table.rowCount()
        self.table.insertRow(n)
        self.table.setItem(n, 0, QTableWidgetItem(key))
        self.table.setItem(n, 1, QTableWidgetItem(value))
        self.table.blockSignals(False)
        self.changed.emit()

    def _remove(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True) or [self.table.rowCount() - 1]
        for r in rows:
            if r >= 0:
                self.table.removeRow(r)
        self.changed.emit()

    def set_args(self, args: dict[str, Any], suggestions: list[str]) -> None:
        """Fill from arguments (and offer known input values as empty rows)."""
        table = dict(args.get("table") or {})
        for key in suggestions:
            table.setdefault(key, "")
        self.table.setRowCount(0)
        for key, value in table.items():
            self.add_row(str(key), "" if value is None else str(value))
        if "default" in args:
            self.use_default.setChecked(True)
            self.default.setText("" if args["default"] is None else str(args["default"]))

    def args(self) -> dict[str, Any]:
        """The arguments in file form (rows without a target are left out)."""
        table: dict[str, Any] = {}
        for r in range(self.table.rowCount()):
            key = (self.table.item(r, 0).text() if self.table.item(r, 0) else "").strip()
            value = (self.table.item(r, 1).text() if self.table.item(r, 1) else "").strip()
            if key and value:
                table[key] = value
        out: dict[str, Any] = {"table": table}
        if self.use_default.isChecked():
            out["default"] = self.default.text()
        return out


class TransformChainDialog(QDialog):
    """Edit a mapping's transforms: add from the catalogue, set arguments, see each step's result."""

    def __init__(self, mapping: dict[str, Any], record: dict[str, Any], lookups: dict[str, Any],
                 suggestions: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transforms"))
        self.setMinimumSize(720, 520)
        self.base = {k: v for k, v in mapping.items() if k != "transforms"}
        self.chain: list[Any] = list(mapping.get("transforms") or [])
        self.record, self.lookups, self.suggestions = record, lookups, suggestions
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._select)
        left.addWidget(self.list)
        self.catalogue = QComboBox()
        for group in ("text", "number", "datetime", "other"):
            for name, spec in catalog.TRANSFORMS.items():
                if spec.group == group:
                    self.catalogue.addItem(transform_label(name), name)
                    self.catalogue.setItemData(self.catalogue.count() - 1,
                                               i18n.pick(spec.description_en, spec.description_zh),
                                               Qt.ItemDataRole.ToolTipRole)
        add = QPushButton(self.tr("Add"))
        add.clicked.connect(self._add)
        remove = QPushButton(self.tr("Remove"))
        remove.clicked.connect(self._remove)
        up = QPushButton(self.tr("Up"))
        up.clicked.connect(lambda: self._move(-1))
        adder = QHBoxLayout()
        adder.addWidget(self.catalogue, 1)
        adder.addWidget(add)
        left.addLayout(adder)
        moves = QHBoxLayout()
        moves.addWidget(up)
        moves.addWidget(remove)
        moves.addStretch(1)
        left.addLayout(moves)
        top.addLayout(left, 2)
        self.args_host = QWidget()
        self.args_layout = QVBoxLayout(self.args_host)
        self.args_layout.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.args_host, 3)
        layout.addLayout(top, 1)
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.editor: Any = None
        self._fill_list()
        self._update_preview()

    def mapping(self) -> dict[str, Any]:
        """The mapping with the edited chain."""
        return {**self.base, **({"transforms": self.chain} if self.chain else {})}

    def _fill_list(self, select: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for n, item in enumerate(self.chain, 1):
            self.list.addItem(f"{n}. {transform_label(transform_name(item))}")
        self.list.blockSignals(False)
        if self.chain:
            self.list.setCurrentRow(len(self.chain) - 1 if select is None else select)
        else:
            self._select(-1)

    def add_transform(self, name: str, args: dict[str, Any] | None = None) -> None:
        """Append a transform (with default or given arguments)."""
        spec = catalog.TRANSFORMS[name]
        if args:
            self.chain.append({name: args})
        elif name == "lookup_table":
            self.chain.append({name: {"table": {}}})
        elif spec.needs_args:
            defaults = {"replace": {"old": " ", "new": ""}, "split": {"sep": " ", "index": 0},
                        "format_datetime": {"format": "%Y-%m-%d %H:%M", "tz": "Asia/Shanghai"},
                        "to_date": {"tz": "Asia/Shanghai"}, "truncate": {"length": 50},
                        "prefix": {"text": ""}, "suffix": {"text": ""}, "multiply": {"by": 1}, "add": {"amount": 0},
                        "default": {"value": ""}}
            self.chain.append({name: defaults.get(name, {})})
        else:
            self.chain.append(name)
        self._fill_list()
        self._update_preview()

    def _add(self) -> None:
        self.add_transform(str(self.catalogue.currentData()))

    def _remove(self) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.chain):
            del self.chain[row]
            self._fill_list()
            self._update_preview()

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.chain) and 0 <= row + delta < len(self.chain):
            self.chain[row + delta], self.chain[row] = self.chain[row], self.chain[row + delta]
            self._fill_list(row + delta)
            self._update_preview()

    def _select(self, row: int) -> None:
        while self.args_layout.count():
            item = self.args_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.editor = None
        if not 0 <= row < len(self.chain):
            return
        name = transform_name(self.chain[row])
        spec = catalog.TRANSFORMS[name]
        title = QLabel(f"<b>{transform_label(name)}</b>")
        about = QLabel(i18n.pick(spec.description_en, spec.description_zh))
        about.setWordWrap(True)
        self.args_layout.addWidget(title)
        self.args_layout.addWidget(about)
        current = self.chain[row][name] if isinstance(self.chain[row], dict) else {}
        current = current if isinstance(current, dict) else {spec.args.shorthand or "value": current}
        if name == "lookup_table":
            editor = LookupTableEditor()
            editor.set_args(current, self.suggestions)
            editor.changed.connect(lambda r=row, e=editor: self._set_args(r, e.args()))
            self.args_layout.addWidget(editor)
            self.editor = editor
            self._set_args(row, editor.args())
        elif spec.takes_args:
            form = QFormLayout()
            for key, info in spec.args.model_fields.items():
                value = current.get(key, info.default if not info.is_required() else "")
                annotation = str(info.annotation)
                if "int" in annotation and "float" not in annotation and "Number" not in annotation:
                    box = QSpinBox()
                    box.setRange(-1000, 1_000_000)
                    box.setValue(int(value or 0))
                    box.valueChanged.connect(lambda v, r=row, k=key: self._set_arg(r, k, v))
                    form.addRow(key, box)
                elif key == "tz":
                    combo = QComboBox()
                    combo.setEditable(True)
                    combo.addItems(list(ZONES))
                    combo.setCurrentText(str(value or "UTC"))
                    combo.currentTextChanged.connect(lambda v, r=row, k=key: self._set_arg(r, k, v))
                    form.addRow(self.tr("time zone"), combo)
                else:
                    edit = QLineEdit("" if value is None else str(value))
                    numeric = key in ("by", "amount")
                    edit.textChanged.connect(lambda v, r=row, k=key, n=numeric: self._set_arg(r, k, _number(v) if n
                                                                                            else v))
                    form.addRow(key, edit)
            holder = QWidget()
            holder.setLayout(form)
            self.args_layout.addWidget(holder)
        self.args_layout.addStretch(1)

    def _set_arg(self, row: int, key: str, value: Any) -> None:
        name = transform_name(self.chain[row])
        args = dict(self.chain[row][name]) if isinstance(self.chain[row], dict) and \
            isinstance(self.chain[row][name], dict) else {}
        args[key] = value
        self._set_args(row, args)

    def _set_args(self, row: int, args: dict[str, Any]) -> None:
        name = transform_name(self.chain[row])
        self.chain[row] = {name: args} if args else name
        self._update_preview()

    def _update_preview(self) -> None:
        result = svc.preview_mapping(self.mapping(), self.record, self.lookups)
        start = svc.preview_mapping(self.base, self.record, self.lookups) if self.base else svc.Preview()
        parts = [self.tr("Sample value: %1").replace("%1", show(start.value))]
        parts += [f"→ {transform_label(n)}: {show(v)}" for n, v in result.steps]
        text = "<br>".join(p.replace("<", "&lt;") for p in parts)
        if result.error:
            text += f"<br><span style='color:#b91c1c'>{result.error.replace('<', '&lt;')}</span>"
        self.preview.setText(text)


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class MappingEditor(QWidget):
    """One mapping: [From field ▾ | Fixed value | Text with fields] [source] [Transforms…] → preview."""

    changed = Signal()

    KINDS = ("source", "value", "template")

    def __init__(self, parent: QWidget | None = None, *, allow_empty: bool = True) -> None:
        super().__init__(parent)
        self.record: dict[str, Any] = {}
        self.lookups: dict[str, Any] = {}
        self.suggestions: list[str] = []
        self.transforms: list[Any] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("From field"), "source")
        self.kind.addItem(self.tr("Fixed value"), "value")
        self.kind.addItem(self.tr("Text with {fields}"), "template")
        self.source = QComboBox()
        self.source.setEditable(True)
        self.source.setMinimumWidth(180)
        self.source.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        if allow_empty:
            self.source.lineEdit().setPlaceholderText(self.tr("not mapped"))
        self.text = QLineEdit()
        self.text.hide()
        self.chain = QPushButton(self.tr("Transforms…"))
        self.chain.setFlat(True)
        self.chain.clicked.connect(self.edit_transforms)
        self.preview = QLabel("")
        self.preview.setMinimumWidth(120)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.kind)
        layout.addWidget(self.source, 3)
        layout.addWidget(self.text, 3)
        layout.addWidget(self.chain)
        layout.addWidget(self.preview, 2)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.source.currentTextChanged.connect(lambda *_: self._changed())
        self.source.activated.connect(lambda *_: self._changed())
        self.text.textChanged.connect(lambda *_: self._changed())
        self.last_dialog: TransformChainDialog | None = None

    # -- state --------------------------------------------------------------------------------
    def path(self) -> str:
        """The chosen source path (the item's data, or the typed text)."""
        index = self.source.currentIndex()
        text = self.source.currentText().strip()
        if index >= 0 and self.source.itemText(index) == text:
            return str(self.source.itemData(index) or text)
        return text.split("  =  ")[0].strip()

    def to_document(self) -> dict[str, Any] | None:
        """The mapping in file form, or None when nothing is mapped."""
        kind = self.kind.currentData()
        if kind == "source":
            path = self.path()
            if not path:
                return None
            doc: dict[str, Any] = {"source": path}
        elif kind == "template":
            if not self.text.text():
                return None
            doc = {"template": self.text.text()}
        else:
            doc = {"value": self.text.text()}
        if self.transforms:
            doc["transforms"] = list(self.transforms)
        return doc

    def set_document(self, doc: dict[str, Any] | None) -> None:
        """Show a mapping in file form."""
        doc = doc or {}
        kind = next((k for k in self.KINDS if k in doc), "source")
        self.blockSignals(True)
        self.kind.setCurrentIndex(self.KINDS.index(kind))
        if kind == "source":
            self.set_path(str(doc.get("source") or ""))
        else:
            self.text.setText("" if doc.get(kind) is None else str(doc.get(kind)))
        self.transforms = list(doc.get("transforms") or [])
        self.blockSignals(False)
        self._changed()

    def set_path(self, path: str) -> None:
        """Pick a source path."""
        index = self.source.findData(path)
        if index >= 0:
            self.source.setCurrentIndex(index)
        else:
            self.source.setEditText(path)
        self._changed()

    def set_context(self, fields: list[tuple[str, str]], record: dict[str, Any], lookups: dict[str, Any],
                    suggestions: list[str] | None = None) -> None:
        """Offer these source fields (path, sample value) and preview against ``record``."""
        keep = self.path()
        self.record, self.lookups = record, lookups
        self.suggestions = suggestions or []
        self.source.blockSignals(True)
        self.source.clear()
        for path, value in fields:
            self.source.addItem(f"{path}  =  {value}" if value != "" else path, path)
        index = self.source.findData(keep)
        if index >= 0:
            self.source.setCurrentIndex(index)
        else:
            self.source.setCurrentIndex(-1)
            self.source.setEditText(keep)
        self.source.blockSignals(False)
        self._update_preview()

    def _kind_changed(self) -> None:
        source = self.kind.currentData() == "source"
        self.source.setVisible(source)
        self.text.setVisible(not source)
        self.text.setPlaceholderText(self.tr("e.g. Shipped {name} to {shippingAddress.city}")
                                     if self.kind.currentData() == "template" else "")
        self._changed()

    def _changed(self) -> None:
        self._update_preview()
        self.changed.emit()

    def _update_preview(self) -> None:
        names = [transform_label(transform_name(t)) for t in self.transforms]
        self.chain.setText(" → ".join(names) if names else self.tr("Transforms…"))
        doc = self.to_document()
        if doc is None:
            self.preview.setText("")
            self.preview.setToolTip("")
            return
        result = svc.preview_mapping(doc, self.record, self.lookups)
        if result.error:
            self.preview.setText("⚠ " + result.error)
            self.preview.setStyleSheet("color: #b91c1c;")
            self.preview.setToolTip(result.error)
        else:
            self.preview.setText("→ " + show(result.value))
            self.preview.setStyleSheet("color: #15803d;")
            self.preview.setToolTip(show(result.value))

    def set_problem(self, message: str | None) -> None:
        """Mark the mapping as having a validation problem."""
        self.setProperty("error", bool(message))
        self.setToolTip(message or "")
        if message:
            self.preview.setText("⚠ " + message)
            self.preview.setStyleSheet("color: #b91c1c;")
        self.style().unpolish(self)
        self.style().polish(self)

    def edit_transforms(self) -> TransformChainDialog:
        """Open the transform chain dialog (non-modal; applies on OK)."""
        dialog = TransformChainDialog({**(self.to_document() or {"value": None}), "transforms": self.transforms},
                                      self.record, self.lookups, self.suggestions, self)
        self.last_dialog = dialog

        def accepted() -> None:
            self.transforms = list(dialog.chain)
            self._changed()

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog
