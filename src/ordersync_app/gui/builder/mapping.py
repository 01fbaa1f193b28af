"""Field mapping widgets: where a value comes from, its transform chain, and a live preview.

Previews evaluate the mapping with the catalogue itself (``services.builder.preview_mapping``),
so what the builder shows is what a run will compute. Evaluation is pure and fast (no I/O), so
it runs on the GUI thread as the user types. Problems are shown in plain words, never the
validator's own text. Transform arguments have labels in both languages and visible defaults
(a separator is picked from named choices, so no invisible space is ever the default).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
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
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.gui import i18n
from ordersync_app.gui.builder.picker import FieldPicker
from ordersync_app.recipes import catalog
from ordersync_app.services import builder as svc
from ordersync_app.services.builder import FieldChoice

ZONES = ("Asia/Shanghai", "UTC", "Asia/Hong_Kong", "Asia/Singapore", "Europe/Berlin", "Europe/London",
         "America/New_York", "America/Los_Angeles")
Index = QModelIndex | QPersistentModelIndex


def transform_label(name: str) -> str:
    """The catalogue label of a transform in the language in use."""
    spec = catalog.TRANSFORMS.get(name)
    return i18n.pick(spec.label_en, spec.label_zh) if spec else name


def transform_name(item: Any) -> str:
    """The name of a transform in file form (``"trim"`` or ``{"lookup_table": {...}}``)."""
    return item if isinstance(item, str) else next(iter(item))


def show(value: Any) -> str:
    """A preview value as short text ("(empty)" for nothing)."""
    if value is None or value == "":
        return QCoreApplication.translate("Mapping", "(empty)")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:59] + "…"


def allowed(value: Any, options: list[tuple[str, str]] | None) -> bool:
    """Whether a computed value is one the target accepts (any value when it declares none)."""
    return not options or value is None or value == "" or str(value) in {v for v, _l in options}


def arg_label(key: str) -> str:
    """A transform argument's label in the language in use (the file keeps the short key)."""
    labels = {
        "sep": QCoreApplication.translate("Mapping", "Separator"),
        "index": QCoreApplication.translate("Mapping", "Which part (0 = first, -1 = last)"),
        "old": QCoreApplication.translate("Mapping", "Find"),
        "new": QCoreApplication.translate("Mapping", "Replace with"),
        "text": QCoreApplication.translate("Mapping", "Text"),
        "by": QCoreApplication.translate("Mapping", "Multiply by"),
        "amount": QCoreApplication.translate("Mapping", "Add (negative to subtract)"),
        "length": QCoreApplication.translate("Mapping", "Keep at most (characters)"),
        "digits": QCoreApplication.translate("Mapping", "Decimal places"),
        "format": QCoreApplication.translate("Mapping", "Format"),
        "tz": QCoreApplication.translate("Mapping", "Time zone"),
        "value": QCoreApplication.translate("Mapping", "Value"),
    }
    return labels.get(key, key)


def separators() -> list[tuple[str, str]]:
    """Named separators (label, value): a space is shown as a word, never as a blank."""
    return [
        (QCoreApplication.translate("Mapping", "comma and space  “, ”"), ", "),
        (QCoreApplication.translate("Mapping", "comma  “,”"), ","),
        (QCoreApplication.translate("Mapping", "space  “ ”"), " "),
        (QCoreApplication.translate("Mapping", "hyphen  “-”"), "-"),
        (QCoreApplication.translate("Mapping", "slash  “/”"), "/"),
        (QCoreApplication.translate("Mapping", "vertical bar  “|”"), "|"),
        (QCoreApplication.translate("Mapping", "semicolon  “;”"), ";"),
        (QCoreApplication.translate("Mapping", "Chinese comma  “，”"), "，"),
    ]


# Defaults a new transform starts with: visible values only (the user fills in what is missing).
DEFAULT_ARGS: dict[str, dict[str, Any]] = {
    "replace": {"old": "", "new": ""}, "split": {"sep": "-", "index": 0},
    "format_datetime": {"format": "%Y-%m-%d %H:%M", "tz": "Asia/Shanghai"}, "to_date": {"tz": "Asia/Shanghai"},
    "to_iso": {"tz": "Asia/Shanghai"},
    "truncate": {"length": 50}, "prefix": {"text": ""}, "suffix": {"text": ""}, "multiply": {"by": 1},
    "add": {"amount": 0}, "default": {"value": ""}, "join": {"sep": ", "},
}


class PairsModel(QAbstractTableModel):
    """An editable two-column table (from → to) for ``lookup_table``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[list[str]] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.pairs)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self.pairs[index.row()][index.column()]
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        self.pairs[index.row()][index.column()] = "" if value is None else str(value)
        self.dataChanged.emit(index, index)
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        return super().flags(index) | Qt.ItemFlag.ItemIsEditable

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return (QCoreApplication.translate("Mapping", "When the value is"),
                    QCoreApplication.translate("Mapping", "Write"))[section]
        return None

    def set_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self.pairs = [[k, v] for k, v in pairs]
        self.endResetModel()

    def add(self, key: str = "", value: str = "") -> None:
        """Append a row."""
        self.beginInsertRows(QModelIndex(), len(self.pairs), len(self.pairs))
        self.pairs.append([key, value])
        self.endInsertRows()

    def remove(self, rows: list[int]) -> None:
        """Remove rows."""
        for r in sorted(set(rows), reverse=True):
            if 0 <= r < len(self.pairs):
                self.beginRemoveRows(QModelIndex(), r, r)
                del self.pairs[r]
                self.endRemoveRows()


class OptionsDelegate(QStyledItemDelegate):
    """Edits a cell with a combo of allowed values (labels shown; the value stored)."""

    def __init__(self, options: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.options = options

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        combo.setEditable(True)
        for value, label in self.options:
            combo.addItem(label if label == value else f"{label} ({value})", value)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            value = str(index.data(Qt.ItemDataRole.EditRole) or "")
            found = editor.findData(value)
            if found >= 0:
                editor.setCurrentIndex(found)
            else:
                editor.setEditText(value)

    def setModelData(self, editor: QWidget, model: Any, index: Index) -> None:
        if isinstance(editor, QComboBox):
            text = editor.currentText()
            found = editor.findText(text)
            model.setData(index, editor.itemData(found) if found >= 0 else text, Qt.ItemDataRole.EditRole)


class LookupTableEditor(QWidget):
    """A two-column table (from → to) and an optional default, for ``lookup_table``.

    When the target field has known values (``set_options``), the "Write" column offers them.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.model = PairsModel(self)
        self.model.dataChanged.connect(lambda *_: self.changed.emit())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(150)
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
        self.allowed = QLabel("")
        self.allowed.setObjectName("secondary")
        self.allowed.setWordWrap(True)
        layout.addWidget(self.allowed)

    def set_options(self, options: list[tuple[str, str]] | None) -> None:
        """Offer the target's allowed values in the "Write" column."""
        if options:
            self.table.setItemDelegateForColumn(1, OptionsDelegate(options, self.table))
            self.allowed.setText(self.tr("Allowed values: %1").replace("%1", ", ".join(v for v, _l in options)))
        self.allowed.setVisible(bool(options))

    def add_row(self, key: str, value: str) -> None:
        """Append a row."""
        self.model.add(key, value)
        self.changed.emit()

    def set_value(self, row: int, column: int, value: str) -> None:
        """Type a cell (as a user would)."""
        self.model.setData(self.model.index(row, column), value)

    def rows(self) -> dict[str, int]:
        """Input value → row."""
        return {k: i for i, (k, _v) in enumerate(self.model.pairs)}

    def _remove(self) -> None:
        rows = [i.row() for i in self.table.selectionModel().selectedIndexes()] or [self.model.rowCount() - 1]
        self.model.remove(rows)
        self.changed.emit()

    def set_args(self, args: dict[str, Any], suggestions: list[str]) -> None:
        """Fill from arguments (and offer known input values as empty rows)."""
        table = dict(args.get("table") or {})
        for key in suggestions:
            table.setdefault(key, "")
        self.model.set_pairs([(str(k), "" if v is None else str(v)) for k, v in table.items()])
        if "default" in args:
            self.use_default.setChecked(True)
            self.default.setText("" if args["default"] is None else str(args["default"]))

    def args(self) -> dict[str, Any]:
        """The arguments in file form (rows without a target are left out)."""
        table = {k.strip(): v.strip() for k, v in self.model.pairs if k.strip() and v.strip()}
        out: dict[str, Any] = {"table": table}
        if self.use_default.isChecked():
            out["default"] = self.default.text()
        return out


class TransformChainDialog(QDialog):
    """Edit a mapping's transforms: add from the catalogue, set arguments, see each step's result."""

    def __init__(self, mapping: dict[str, Any], record: dict[str, Any], lookups: dict[str, Any],
                 suggestions: list[str], parent: QWidget | None = None, *, field_label: str = "",
                 options: list[tuple[str, str]] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transforms for “%1”").replace("%1", field_label) if field_label
                            else self.tr("Transforms"))
        self.setMinimumSize(640, 440)
        self.base = {k: v for k, v in mapping.items() if k != "transforms"}
        self.chain: list[Any] = list(mapping.get("transforms") or [])
        self.record, self.lookups, self.suggestions, self.options = record, lookups, suggestions, options
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Transforms change the value step by step, top to bottom. Add one from the list, "
                               "fill in its settings on the right, and check the preview below."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        layout.addWidget(intro)
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
        down = QPushButton(self.tr("Down"))
        down.clicked.connect(lambda: self._move(1))
        adder = QHBoxLayout()
        adder.addWidget(self.catalogue, 1)
        adder.addWidget(add)
        left.addLayout(adder)
        moves = QHBoxLayout()
        moves.addWidget(up)
        moves.addWidget(down)
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
        self.empty_hint = QLabel(self.tr("No transform yet: the value is written as it is."))
        self.empty_hint.setObjectName("muted")
        self.empty_hint.setWordWrap(True)
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
        elif spec.takes_args and name in DEFAULT_ARGS:
            self.chain.append({name: dict(DEFAULT_ARGS[name])})
        elif spec.needs_args:
            self.chain.append({name: {}})
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
            if item.widget() and item.widget() is not self.empty_hint:
                item.widget().deleteLater()
        self.editor = None
        if not 0 <= row < len(self.chain):
            self.args_layout.addWidget(self.empty_hint)
            self.empty_hint.show()
            self.args_layout.addStretch(1)
            return
        self.empty_hint.hide()
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
            editor.set_options(self.options)
            editor.changed.connect(lambda r=row, e=editor: self._set_args(r, e.args()))
            self.args_layout.addWidget(editor)
            self.editor = editor
            self._set_args(row, editor.args())
        elif spec.takes_args:
            form = QFormLayout()
            for key, info in spec.args.model_fields.items():
                value = current.get(key, info.default if not info.is_required() else "")
                form.addRow(arg_label(key), self._arg_widget(row, key, value, str(info.annotation)))
            holder = QWidget()
            holder.setLayout(form)
            self.args_layout.addWidget(holder)
        self.args_layout.addStretch(1)

    def _arg_widget(self, row: int, key: str, value: Any, annotation: str) -> QWidget:
        if key == "sep":
            combo = QComboBox()
            for label, sep in separators():
                combo.addItem(label, sep)
            found = combo.findData(value)
            if found < 0:
                combo.addItem(self.tr("other  “%1”").replace("%1", str(value)), value)
                found = combo.count() - 1
            combo.setCurrentIndex(found)
            combo.currentIndexChanged.connect(lambda _i, r=row, k=key, c=combo: self._set_arg(r, k, c.currentData()))
            return combo
        if key == "tz":
            combo = QComboBox()
            combo.setProperty("userData", True)  # IANA zone names are codes
            combo.setEditable(True)
            combo.addItems(list(ZONES))
            combo.setCurrentText(str(value or "UTC"))
            combo.currentTextChanged.connect(lambda v, r=row, k=key: self._set_arg(r, k, v))
            return combo
        if "int" in annotation and "float" not in annotation and "Number" not in annotation:
            box = QSpinBox()
            box.setRange(-1000, 1_000_000)
            box.setValue(int(value or 0))
            box.valueChanged.connect(lambda v, r=row, k=key: self._set_arg(r, k, v))
            return box
        edit = QLineEdit("" if value is None else str(value))
        placeholders = {"old": self.tr("the text to find"), "new": self.tr("(nothing: remove it)"),
                        "text": self.tr("e.g. ORD-"), "format": "%Y-%m-%d %H:%M"}
        edit.setPlaceholderText(placeholders.get(key, ""))
        numeric = key in ("by", "amount")
        edit.textChanged.connect(lambda v, r=row, k=key, n=numeric: self._set_arg(r, k, _number(v) if n else v))
        return edit

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
        problem = result.problem.pick(i18n.current()) if result.problem is not None else None
        if problem is None and result.steps and not allowed(result.value, self.options):
            problem = self.tr("“%1” is not one of the allowed values").replace("%1", show(result.value))
        if problem:
            text += f"<br><span style='color:#b91c1c'>{problem.replace('<', '&lt;')}</span>"
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
    """One mapping: [From field ▾ | Fixed value | Text with fields] [field] [Transforms…] → preview."""

    changed = Signal()

    KINDS = ("source", "value", "template")

    def __init__(self, parent: QWidget | None = None, *, field_label: str = "") -> None:
        super().__init__(parent)
        self.field_label = field_label
        self.record: dict[str, Any] = {}
        self.lookups: dict[str, Any] = {}
        self.suggestions: list[str] = []
        self.options: list[tuple[str, str]] | None = None
        self.transforms: list[Any] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.kind = QComboBox()
        self.kind.addItem(self.tr("From field"), "source")
        self.kind.addItem(self.tr("Fixed value"), "value")
        self.kind.addItem(self.tr("Text with {fields}"), "template")
        self.source = FieldPicker()
        self.text = QLineEdit()
        self.text.hide()
        self.choice = QComboBox()
        self.choice.setEditable(True)
        self.choice.hide()
        self.chain = QPushButton(self.tr("Transforms…"))
        self.chain.setFlat(True)
        self.chain.clicked.connect(self.edit_transforms)
        self.preview = QLabel("")
        self.preview.setMinimumWidth(90)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.kind)
        layout.addWidget(self.source, 3)
        layout.addWidget(self.text, 3)
        layout.addWidget(self.choice, 3)
        layout.addWidget(self.chain)
        layout.addWidget(self.preview, 2)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.source.changed.connect(self._changed)
        self.text.textChanged.connect(lambda *_: self._changed())
        self.choice.currentTextChanged.connect(lambda *_: self._changed())
        self.last_dialog: TransformChainDialog | None = None

    # -- state --------------------------------------------------------------------------------
    def path(self) -> str:
        """The chosen source path."""
        return self.source.path()

    def _fixed_value(self) -> str:
        if self.options and not self.choice.isHidden():
            found = self.choice.findText(self.choice.currentText())
            return str(self.choice.itemData(found)) if found >= 0 else self.choice.currentText()
        return self.text.text()

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
            doc = {"value": self._fixed_value()}
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
            self.source.set_path(str(doc.get("source") or ""))
        else:
            value = "" if doc.get(kind) is None else str(doc.get(kind))
            self.text.setText(value)
            found = self.choice.findData(value)
            if found >= 0:
                self.choice.setCurrentIndex(found)
            else:
                self.choice.setEditText(value)
        self.transforms = list(doc.get("transforms") or [])
        self.blockSignals(False)
        self._changed()

    def not_allowed(self) -> str | None:
        """A value this mapping always writes that the target does not accept (a fixed value, or a value of its
        lookup table), or None: such a recipe is not saved, whatever the sample record says."""
        doc = self.to_document()
        if not self.options or doc is None:
            return None
        written = [doc["value"]] if "value" in doc else []
        for transform in doc.get("transforms") or []:
            table = transform.get("lookup_table") if isinstance(transform, dict) else None
            if isinstance(table, dict):
                written += list((table.get("table") or {}).values())
                written += [table["default"]] if table.get("default") not in (None, "") else []
        return next((str(v) for v in written if not allowed(v, self.options)), None)

    def set_path(self, path: str) -> None:
        """Pick a source path."""
        self.kind.setCurrentIndex(0)
        self.source.set_path(path)

    def set_context(self, fields: list[FieldChoice], record: dict[str, Any], lookups: dict[str, Any],
                    suggestions: list[str] | None = None) -> None:
        """Offer these source fields and preview against ``record``."""
        self.record, self.lookups = record, lookups
        self.suggestions = suggestions or []
        self.source.blockSignals(True)
        self.source.set_choices(fields)
        self.source.blockSignals(False)
        self._update_preview()

    def set_options(self, options: list[tuple[str, str]] | None) -> None:
        """The values the target accepts (a fixed value is then picked from them)."""
        self.options = options
        keep = self._fixed_value()
        self.choice.blockSignals(True)
        self.choice.clear()
        for value, label in options or []:
            self.choice.addItem(label if label == value else f"{label} ({value})", value)
        found = self.choice.findData(keep)
        if found >= 0:
            self.choice.setCurrentIndex(found)
        else:
            self.choice.setEditText(keep)
        self.choice.blockSignals(False)
        self._kind_changed()

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.source.setVisible(kind == "source")
        picks = kind == "value" and bool(self.options)
        self.choice.setVisible(picks)
        self.text.setVisible(kind != "source" and not picks)
        self.text.setPlaceholderText(self.tr("e.g. Shipped {name} to {shippingAddress.city}")
                                     if kind == "template" else "")
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
        if result.problem is not None:
            text = result.problem.pick(i18n.current())
            self.preview.setText("⚠ " + text)
            self.preview.setStyleSheet("color: #b91c1c;")
            self.preview.setToolTip(text)
        elif not allowed(result.value, self.options):
            text = self.tr("“%1” is not one of the allowed values").replace("%1", show(result.value))
            self.preview.setText("⚠ " + text)
            self.preview.setStyleSheet("color: #b91c1c;")
            self.preview.setToolTip(self.tr("Allowed values: %1").replace("%1", ", ".join(
                v for v, _l in self.options or [])))
        else:
            self.preview.setText("→ " + show(result.value))
            self.preview.setStyleSheet("color: #15803d;")
            self.preview.setToolTip(show(result.value))

    def set_problem(self, message: str | None) -> None:
        """Mark the mapping as having a validation problem (a plain sentence)."""
        self.setProperty("error", bool(message))
        self.setToolTip(message or "")
        if message:
            self.preview.setText("⚠ " + message)
            self.preview.setStyleSheet("color: #b91c1c;")
        self.style().unpolish(self)
        self.style().polish(self)

    def edit_transforms(self) -> TransformChainDialog:
        """Open the transform chain dialog (applies on OK)."""
        dialog = TransformChainDialog({**(self.to_document() or {"value": None}), "transforms": self.transforms},
                                      self.record, self.lookups, self.suggestions, self,
                                      field_label=self.field_label, options=self.options)
        self.last_dialog = dialog

        def accepted() -> None:
            self.transforms = list(dialog.chain)
            self._changed()

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog
