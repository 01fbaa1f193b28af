""""Add a custom app": describe the shop's own REST system in a form, try it, and save it as a connector file.

Reached from the Accounts page. The form asks what a connector file says — address, sign-in, the list
endpoint (items path, paging, cursor, record key) and an optional write endpoint — and "Fetch a sample"
calls the list once so its fields can be picked instead of typed. The calls and the saving run through the
service layer (:mod:`ordersync_app.services.custom_apps`) on a worker thread; this module only maps widgets
to a :class:`~ordersync_app.services.custom_apps.CustomApp`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.gui.context import AppContext
from ordersync_app.gui.tasks import describe
from ordersync_app.gui.widgets import row
from ordersync_app.services import connectors, custom_apps
from ordersync_app.services.custom_apps import CustomApp


def _combo(items: list[tuple[str, str]]) -> QComboBox:
    box = QComboBox()
    for value, text in items:
        box.addItem(text, value)
    return box


class CustomAppDialog(QDialog):
    """The form; ``sampled`` is emitted when a sample arrived, ``accepted`` once the app is saved.

    Signals:
        sampled(int): the number of fields found in the sample.
    """

    sampled = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Add a custom app"))
        self.setMinimumSize(640, 560)
        self.sample: connectors.Sample | None = None
        self.saved: connectors.AddedConnector | None = None
        outer = QVBoxLayout(self)
        intro = QLabel(self.tr("Describe your own system's REST API. OrderSync saves it as a connector file "
                               "(without keys: those stay with the account), which you can share like a recipe."))
        intro.setWordWrap(True)
        outer.addWidget(intro)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        self.body = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self._app_section()
        self._auth_section()
        self._list_section()
        self._write_section()
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problem)
        self.export = QPushButton(self.tr("Save as file…"))
        self.export.clicked.connect(self._export)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.export, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self._update_visibility()

    # -- sections ------------------------------------------------------------------------------
    def _group(self, title: str) -> QFormLayout:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.body.addWidget(group)
        return form

    def _app_section(self) -> None:
        form = self._group(self.tr("The app"))
        self.name_en, self.name_zh = QLineEdit(), QLineEdit()
        self.name_en.setPlaceholderText(self.tr("e.g. Our order system"))
        self.key = QLineEdit("inhouse_oms")
        self.key.setToolTip(self.tr("Recipes and templates name the app by this key (lowercase, digits, _)"))
        self.owns = _combo([("orders", self.tr("It holds orders")), ("customers", self.tr("It holds customers"))])
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("https://erp.example.com/api  ·  sandbox://rest")
        self.account = QLineEdit("oms")
        form.addRow(self.tr("Name"), self.name_en)
        form.addRow(self.tr("Name in Chinese (optional)"), self.name_zh)
        form.addRow(self.tr("Key"), self.key)
        form.addRow(self.tr("What it holds"), self.owns)
        form.addRow(self.tr("Address (base URL)"), self.base_url)
        form.addRow(self.tr("Account name"), self.account)

    def _auth_section(self) -> None:
        self.auth_form = form = self._group(self.tr("Sign-in"))
        self.auth = _combo([("none", self.tr("None")), ("api_key", self.tr("API key")),
                            ("basic", self.tr("User name and password (Basic)")),
                            ("bearer", self.tr("Bearer token")),
                            ("client_credentials", self.tr("OAuth 2.0 client credentials"))])
        self.key_in = _combo([("header", self.tr("in a header")), ("query", self.tr("in the query string"))])
        self.key_name = QLineEdit("X-Api-Key")
        self.user = QLineEdit()
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText(self.tr("stored in the system keychain, never in the file"))
        self.token_url = QLineEdit()
        self.token_url.setPlaceholderText("https://erp.example.com/oauth/token")
        form.addRow(self.tr("Method"), self.auth)
        form.addRow(self.tr("Send the key"), self.key_in)
        form.addRow(self.tr("Header or parameter name"), self.key_name)
        form.addRow(self.tr("User name / client ID"), self.user)
        form.addRow(self.tr("Key, token, password or client secret"), self.secret)
        form.addRow(self.tr("Token address"), self.token_url)
        self.auth.currentIndexChanged.connect(self._update_visibility)

    def _list_section(self) -> None:
        self.list_form = form = self._group(self.tr("The list of records"))
        self.path = QLineEdit()
        self.path.setPlaceholderText("/orders")
        self.records = QLineEdit()
        self.records.setPlaceholderText(self.tr("where the list is in the answer, e.g. data (empty: the answer)"))
        self.paging = _combo([("none", self.tr("One page only")), ("page", self.tr("Page numbers")),
                              ("offset", self.tr("Offset and limit")), ("token", self.tr("Next-page cursor")),
                              ("link", self.tr("Link header")), ("next_url", self.tr("Next-page address"))])
        self.page_param, self.size_param, self.more_path = QLineEdit(), QLineEdit(), QLineEdit()
        self.fetch = QPushButton(self.tr("Fetch a sample"))
        self.fetch.clicked.connect(self.fetch_sample)
        self.sample_note = QLabel("")
        self.sample_note.setObjectName("muted")
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Sample value"), self.tr("Type")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(150)
        self.cursor_field, self.key_field = QComboBox(), QComboBox()
        for box in (self.cursor_field, self.key_field):
            box.setEditable(True)
        self.cursor_param = QLineEdit()
        self.cursor_param.setPlaceholderText(self.tr("e.g. updated_since (empty: the whole list every time)"))
        self.inclusive = QCheckBox(self.tr("The parameter includes the time given (≥)"))
        self.inclusive.setChecked(True)
        self.sorted = QCheckBox(self.tr("The list is sorted by this field, oldest first"))
        self.sorted.setChecked(True)
        form.addRow(self.tr("List path"), self.path)
        form.addRow(self.tr("Items path"), self.records)
        form.addRow(self.tr("Paging"), self.paging)
        form.addRow(self.tr("Page, offset or cursor parameter"), self.page_param)
        form.addRow(self.tr("Page size parameter"), self.size_param)
        form.addRow(self.tr("Path of the total or the next cursor/address"), self.more_path)
        form.addRow("", row(self.fetch, self.sample_note))
        form.addRow(self.table)
        form.addRow(self.tr("Changed-at field (cursor)"), self.cursor_field)
        form.addRow(self.tr("Start parameter"), self.cursor_param)
        form.addRow("", self.inclusive)
        form.addRow("", self.sorted)
        form.addRow(self.tr("Record key"), self.key_field)
        self.paging.currentIndexChanged.connect(self._update_visibility)

    def _write_section(self) -> None:
        self.write_form = form = self._group(self.tr("Write back (optional)"))
        self.write = _combo([("none", self.tr("No writes")), ("update", self.tr("Update a record by its key")),
                             ("upsert", self.tr("Create or update a record by its key"))])
        self.write_method = _combo([(m, m) for m in ("PATCH", "PUT", "POST")])
        self.write_path = QLineEdit()
        self.write_path.setPlaceholderText("/orders/{match}")
        self.write_fields = QListWidget()
        self.write_fields.setMinimumHeight(110)
        self.extra_fields = QLineEdit()
        self.extra_fields.setPlaceholderText(self.tr("more fields, separated by commas"))
        self.read_path, self.read_record = QLineEdit(), QLineEdit()
        self.read_path.setPlaceholderText(self.tr("GET address reading one record, e.g. /orders/{match}"))
        form.addRow(self.tr("Write"), self.write)
        form.addRow(self.tr("Method"), self.write_method)
        form.addRow(self.tr("Address ({match} = the key)"), self.write_path)
        form.addRow(self.tr("Fields it sets"), self.write_fields)
        form.addRow("", self.extra_fields)
        form.addRow(self.tr("Read address"), self.read_path)
        form.addRow(self.tr("Record path in the read answer"), self.read_record)
        self.write.currentIndexChanged.connect(self._update_visibility)

    def _update_visibility(self) -> None:
        auth = str(self.auth.currentData())
        shown = {self.key_in: auth == "api_key", self.key_name: auth == "api_key",
                 self.user: auth in ("basic", "client_credentials"), self.secret: auth != "none",
                 self.token_url: auth == "client_credentials"}
        for widget, visible in shown.items():
            self.auth_form.setRowVisible(widget, visible)
        paging = str(self.paging.currentData())
        self.list_form.setRowVisible(self.page_param, paging in ("page", "offset", "token"))
        self.list_form.setRowVisible(self.size_param, paging in ("page", "offset", "token", "link"))
        self.list_form.setRowVisible(self.more_path, paging in ("page", "offset", "token", "next_url"))
        writes = self.write.currentData() != "none"
        for widget in (self.write_method, self.write_path, self.write_fields, self.extra_fields, self.read_path,
                       self.read_record):
            self.write_form.setRowVisible(widget, writes)

    # -- the answers ---------------------------------------------------------------------------
    def answers(self) -> CustomApp:
        """The form as plain data for the service layer."""
        checked = [self.write_fields.item(i).text() for i in range(self.write_fields.count())
                   if self.write_fields.item(i).checkState() == Qt.CheckState.Checked]
        extra = [f.strip() for f in self.extra_fields.text().split(",") if f.strip()]
        sampled = self.sample.fields if self.sample else []
        cursor = self.cursor_field.currentText().strip()
        return CustomApp(
            name_en=self.name_en.text().strip(), name_zh=self.name_zh.text().strip(), key=self.key.text().strip(),
            owns=str(self.owns.currentData()), base_url=self.base_url.text().strip(), auth=str(self.auth.currentData()),
            key_in=str(self.key_in.currentData()), key_name=self.key_name.text().strip(),
            user=self.user.text().strip(), secret=self.secret.text().strip(), token_url=self.token_url.text().strip(),
            path=self.path.text().strip(), records=self.records.text().strip(), paging=str(self.paging.currentData()),
            page_param=self.page_param.text().strip(), size_param=self.size_param.text().strip(),
            more_path=self.more_path.text().strip(), cursor_field=cursor, cursor_param=self.cursor_param.text().strip(),
            cursor_inclusive=self.inclusive.isChecked(), cursor_sorted=self.sorted.isChecked(),
            cursor_is_number=any(f.path == cursor and f.type == "number" for f in sampled),
            key_field=self.key_field.currentText().strip(), fields=[f.path for f in sampled],
            write=str(self.write.currentData()),
            write_method=str(self.write_method.currentData()), write_path=self.write_path.text().strip(),
            write_fields=checked + extra, read_path=self.read_path.text().strip(),
            read_record=self.read_record.text().strip(), account=self.account.text().strip())

    # -- actions -------------------------------------------------------------------------------
    def fetch_sample(self) -> None:
        """Call the list endpoint once (off the GUI thread) and show the fields of its items."""
        app = self.answers()
        self.fetch.setEnabled(False)
        self.sample_note.setText(self.tr("Calling %1…").replace("%1", app.path or "/"))

        def failed(exc: BaseException) -> None:
            self.fetch.setEnabled(True)
            self.sample_note.setText("")
            self.problem.setText(describe(exc))

        self.ctx.tasks.run(lambda: custom_apps.sample(app), on_success=self._show_sample, on_failure=failed)

    def _show_sample(self, sample: connectors.Sample) -> None:
        self.fetch.setEnabled(True)
        self.problem.setText("")
        self.sample = sample
        self.sample_note.setText(self.tr("%1 item(s), %2 field(s)").replace("%1", str(sample.items))
                                 .replace("%2", str(len(sample.fields))))
        self.table.setRowCount(len(sample.fields))
        for i, found in enumerate(sample.fields):
            for col, text in enumerate((found.path, found.sample, found.type)):
                self.table.setItem(i, col, QTableWidgetItem(text))
        paths = [f.path for f in sample.fields]
        for box, prefer in ((self.cursor_field, ("updated_at", "modified", "date_modified", "updatedAt")),
                            (self.key_field, ("id", "order_no", "number", "code"))):
            typed = box.currentText()
            box.clear()
            box.addItems(paths)
            guess = typed or next((p for p in paths if any(w in p for w in prefer)), "")
            box.setCurrentText(guess)
        self.write_fields.clear()
        for path in paths:
            item = QListWidgetItem(path)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.write_fields.addItem(item)
        self.sampled.emit(len(sample.fields))

    def save(self) -> None:
        """Validate, test and add the connector file, then the account (off the GUI thread)."""
        app = self.answers()
        self.buttons.setEnabled(False)
        self.problem.setText(self.tr("Testing the app and saving it…"))

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.problem.setText(describe(exc))

        def done(added: connectors.AddedConnector) -> None:
            self.saved = added
            self.buttons.setEnabled(True)
            self.ctx.data_changed.emit()
            self.accept()

        self.ctx.tasks.run(lambda: custom_apps.save(app), on_success=done, on_failure=failed)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the connector file"),
                                              f"{self.key.text().strip() or 'custom-app'}.connector.yaml",
                                              self.tr("Connector files (*.yaml)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, target: Path) -> None:
        """Write the form as a connector file (no secrets) to share or to add elsewhere."""
        try:
            target.write_text(connectors.document_text(custom_apps.document(self.answers())), "utf-8")
        except Exception as exc:  # noqa: BLE001 - an invalid form or an unwritable place: said in the dialog
            self.problem.setText(describe(exc))
            return
        self.problem.setText(self.tr("Saved %1").replace("%1", str(target)))
