"""Accounts: connect apps through forms generated from each connector's declared settings.

Secrets typed here go straight to the service layer, which puts them in the OS keychain; the
form never shows a stored secret back (a "Reconnect" asks for it again). Accounts that sign in with
OAuth (HubSpot in ``oauth`` mode) get "Sign in with HubSpot" in the form, and their "Reconnect"
runs that browser sign-in again (``gui.signin``, RFC 8252 loopback redirect).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Connector
from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.signin import SignIn, offers_signin
from ordersync_app.gui.tasks import describe
from ordersync_app.gui.widgets import STATUS_COLORS, Card, row, status_text
from ordersync_app.services import accounts, oauth, recipes

SANDBOX = "sandbox://"


class AccountDialog(QDialog):
    """Add (or reconnect) an account: app, name, then one field per declared setting."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 existing: accounts.AccountInfo | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = existing
        self.setWindowTitle(self.tr("Reconnect account") if existing else self.tr("Add an account"))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        top = QFormLayout()
        self.app = QComboBox()
        for key, conn in registry.all_connectors().items():
            self.app.addItem(i18n.pick(conn.name_en, conn.name_zh), key)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. my-shop"))
        top.addRow(self.tr("App"), self.app)
        top.addRow(self.tr("Account name"), self.name)
        self.sandbox = QCheckBox(self.tr("Use the built-in sandbox (demo data, no sign-in)"))
        top.addRow("", self.sandbox)
        layout.addLayout(top)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        layout.addWidget(self.form_host)
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText(self.tr("leave empty for the vendor's address"))
        advanced = QFormLayout()
        advanced.addRow(self.tr("API address (advanced)"), self.base_url)
        self.allow_host = QCheckBox(self.tr("This address is my own server or proxy: send the credentials there"))
        advanced.addRow("", self.allow_host)
        layout.addLayout(advanced)
        self.signin_button = QPushButton()
        self.signin_button.setObjectName("primary")
        self.signin_button.clicked.connect(self.sign_in)
        layout.addLayout(row(self.signin_button))
        self.signin = SignIn(ctx, self)
        self.signin.waiting.connect(self._waiting)
        self.signin.succeeded.connect(self._signed_in)
        self.signin.failed.connect(self._signin_failed)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.rejected.connect(self.signin.cancel)
        layout.addWidget(self.buttons)
        self.app.currentIndexChanged.connect(self._build_form)
        self.sandbox.toggled.connect(lambda on: self.form_host.setEnabled(not on))
        self.sandbox.toggled.connect(lambda _on: self._update_signin())
        if existing:
            self.app.setCurrentIndex(self.app.findData(existing.connector))
            self.app.setEnabled(False)
            self.name.setText(existing.name)
            self.name.setEnabled(False)
            self.sandbox.setChecked(existing.base_url.startswith(SANDBOX))
        self.saved: accounts.AccountInfo | None = None
        self.stored = False  # saved by a sign-in attempt
        self._build_form()

    def connector(self) -> Connector:
        """The connector picked."""
        return accounts.connector(str(self.app.currentData()))

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = {}
        conn = self.connector()
        self.sandbox.setVisible(bool(conn.sandbox))
        for spec in conn.settings:
            if spec.choices:
                widget: QLineEdit | QComboBox = QComboBox()
                widget.addItems(list(spec.choices))
                if spec.default:
                    widget.setCurrentText(spec.default)
            else:
                widget = QLineEdit()
                if spec.secret:
                    widget.setEchoMode(QLineEdit.EchoMode.Password)
                    widget.setPlaceholderText(self.tr("stored in the system keychain"))
                elif spec.default:
                    widget.setPlaceholderText(spec.default)
                if self.existing and not spec.secret:
                    widget.setText(str(self.existing.settings.get(spec.key, "")))
            helptext = i18n.pick(spec.help_en, spec.help_zh)
            widget.setToolTip(helptext)
            label = i18n.pick(spec.label_en, spec.label_zh) + (" *" if spec.required else "")
            box = QWidget()
            inner = QVBoxLayout(box)
            inner.setContentsMargins(0, 0, 0, 0)
            inner.setSpacing(2)
            inner.addWidget(widget)
            if helptext:
                note = QLabel(helptext)
                note.setObjectName("muted")
                note.setWordWrap(True)
                inner.addWidget(note)
            self.form.addRow(label, box)
            self.fields[spec.key] = widget
            if isinstance(widget, QComboBox):
                widget.currentTextChanged.connect(lambda _t: self._update_signin())
        self.signin_button.setText(self.tr("Sign in with %1").replace("%1", i18n.pick(conn.name_en, conn.name_zh)))
        self._update_signin()

    def _update_signin(self) -> None:
        """Show "Sign in with …" when the account signs in through the browser."""
        if not hasattr(self, "signin_button"):
            return
        settings, _secrets = self.values()
        offered = offers_signin(self.connector().key, settings, SANDBOX if self.sandbox.isChecked() else "")
        self.signin_button.setVisible(offered)

    def values(self) -> tuple[dict[str, str], dict[str, str]]:
        """(settings, secrets) typed into the form."""
        settings: dict[str, str] = {}
        secrets: dict[str, str] = {}
        for spec in self.connector().settings:
            widget = self.fields[spec.key]
            value = widget.currentText() if isinstance(widget, QComboBox) else widget.text().strip()
            if value:
                (secrets if spec.secret else settings)[spec.key] = value
        return settings, secrets

    def _typed(self) -> tuple[Connector, str, str | None, dict[str, str], dict[str, str]]:
        """(connector, name, base URL, settings, secrets) as the form stands."""
        conn = self.connector()
        settings, secrets = self.values()
        base_url = (SANDBOX + (conn.sandbox.app if conn.sandbox else conn.key)) if self.sandbox.isChecked() else \
            (self.base_url.text().strip() or None)
        if self.sandbox.isChecked():
            settings, secrets = {}, {}
        return conn, self.name.text().strip(), base_url, settings, secrets

    def sign_in(self) -> None:
        """Save the account, then sign in in the system browser (the dialog closes when it worked)."""
        conn, name, base_url, settings, secrets = self._typed()
        allow_host = self.allow_host.isChecked()
        replace = self.existing is not None or self.stored
        self.signin_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
        self.problem.setText(self.tr("Preparing the sign-in…"))

        def prepare() -> oauth.Flow:  # background: no widgets here
            info = accounts.add_account(name, conn.key, base_url=base_url, settings=settings,
                                        secret_values=secrets, replace=replace, allow_host=allow_host)
            return oauth.begin(info.name, info.connector, info.settings, base_url=info.base_url)

        self.signin.start(prepare)

    def _waiting(self, url: str, opened: bool) -> None:
        self.stored = True  # the account exists now: a second attempt replaces it
        self.ctx.data_changed.emit()
        text = self.tr("Finish signing in in your web browser; this window waits for it.")
        if not opened:
            text = self.tr("Could not open the web browser. Open this address yourself: %1").replace("%1", url)
        self.problem.setText(text)

    def _signed_in(self, text: str) -> None:
        self.problem.setText("✓ " + text)
        self.accept()

    def _signin_failed(self, text: str) -> None:
        self.signin_button.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        self.problem.setText(text)

    def save(self) -> None:
        """Validate and store through the service layer (off the GUI thread)."""
        conn, name, base_url, settings, secrets = self._typed()
        self.buttons.setEnabled(False)
        self.problem.setText("")

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.problem.setText(describe(exc))

        def done(info: accounts.AccountInfo) -> None:
            self.saved = info
            self.buttons.setEnabled(True)
            self.ctx.data_changed.emit()
            self.accept()

        replace = self.existing is not None or self.stored
        allow_host = self.allow_host.isChecked()
        self.ctx.tasks.run(lambda: accounts.add_account(name, conn.key, base_url=base_url, settings=settings,
                                                        secret_values=secrets, replace=replace,
                                                        allow_host=allow_host),
                           on_success=done, on_failure=failed)


class AccountsPage(Page):
    """Accounts with their status and the recipes that use them."""

    name = "accounts"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Accounts"), parent)
        self.items: list[tuple[accounts.AccountInfo, list[str]]] = []
        self.add = QPushButton(self.tr("Add an account"))
        self.add.setObjectName("primary")
        self.add.clicked.connect(self._add)
        self.layout_.addLayout(row(self.add))
        card = Card()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Account"), self.tr("App"), self.tr("Status"),
                                              self.tr("Used by")])
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for col in (0, 1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection)
        card.body.addWidget(self.table)
        self.empty = QLabel(self.tr("No accounts yet. Add one, or try the built-in sandbox apps."))
        self.empty.setObjectName("muted")
        card.body.addWidget(self.empty)
        self.layout_.addWidget(card, 1)
        self.test = QPushButton(self.tr("Test connection"))
        self.reconnect = QPushButton(self.tr("Reconnect…"))
        self.remove = QPushButton(self.tr("Remove"))
        for button, slot in ((self.test, self._test), (self.reconnect, self._reconnect), (self.remove, self._remove)):
            button.clicked.connect(slot)
            button.setEnabled(False)
        self.layout_.addLayout(row(self.test, self.reconnect, self.remove))
        self.result = QLabel("")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.result)
        self.signin = SignIn(ctx, self)
        self.signin.waiting.connect(self._signin_waiting)
        self.signin.succeeded.connect(lambda text: self.result.setText("✓ " + text))
        self.signin.failed.connect(lambda text: self.result.setText("✗ " + text))
        ctx.data_changed.connect(self.request_refresh)

    def refresh(self) -> None:
        """Re-read accounts and which recipes use each."""
        def work() -> list[tuple[accounts.AccountInfo, list[str]]]:
            return [(a, recipes.recipes_using(a.name)) for a in accounts.list_accounts()]

        self.ctx.tasks.run(work, on_success=self._show, title=self.tr("Reading accounts"))

    def _show(self, items: list[tuple[accounts.AccountInfo, list[str]]]) -> None:
        self.items = items
        self.empty.setVisible(not items)
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(items))
        for i, (a, used) in enumerate(items):
            conn = registry.get(a.connector)
            app = i18n.pick(conn.name_en, conn.name_zh) if conn else a.connector
            if a.base_url.startswith(SANDBOX):
                app += " " + self.tr("(sandbox)")
            cells = [a.name, app, status_text(a.status), ", ".join(used) or "—"]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setForeground(QColor(STATUS_COLORS.get(a.status, "#374151")))
                    item.setToolTip(a.status_message or "")
                self.table.setItem(i, col, item)
        self.table.setUpdatesEnabled(True)
        self._selection()
        self._loaded()

    def current(self) -> accounts.AccountInfo | None:
        """The selected account."""
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()][0] if rows and rows[0].row() < len(self.items) else None

    def _selection(self) -> None:
        a = self.current()
        for button in (self.test, self.reconnect, self.remove):
            button.setEnabled(a is not None)

    def _add(self) -> None:
        AccountDialog(self.ctx, self).open()

    def _reconnect(self) -> None:
        a = self.current()
        if a is None:
            return
        if not offers_signin(a.connector, a.settings, a.base_url):
            AccountDialog(self.ctx, self, existing=a).open()
            return
        self.signin.cancel()  # one sign-in at a time
        self.result.setText(self.tr("Opening the sign-in page for %1…").replace("%1", a.name))
        self.signin.start(lambda: oauth.begin(a.name, a.connector, a.settings, base_url=a.base_url))

    def _signin_waiting(self, url: str, opened: bool) -> None:
        self.result.setText(self.tr("Finish signing in in your web browser; this window waits for it.") if opened
                            else self.tr("Could not open the web browser. Open this address yourself: %1")
                            .replace("%1", url))

    def _test(self) -> None:
        a = self.current()
        if a is None:
            return
        self.result.setText(self.tr("Testing %1…").replace("%1", a.name))
        self.result.setObjectName("muted")

        def ok(text: str) -> None:
            self.result.setText("✓ " + text)
            self.ctx.data_changed.emit()

        self.ctx.tasks.run(lambda: accounts.test_account(a.name), on_success=ok,
                           on_failure=lambda exc: self.result.setText("✗ " + describe(exc)))

    def _remove(self) -> None:
        a = self.current()
        if a is None:
            return
        used = next((u for x, u in self.items if x.name == a.name), [])
        text = self.tr("Remove the account “%1” and its keychain entries?").replace("%1", a.name)
        if used:
            text += "\n" + self.tr("These recipes use it and will stop: %1").replace("%1", ", ".join(used))
        if QMessageBox.question(self, self.tr("Remove account"), text) == QMessageBox.StandardButton.Yes:
            self.ctx.tasks.run(lambda: accounts.remove_account(a.name),
                               on_success=lambda _x: self.ctx.data_changed.emit(), title=self.tr("Remove"))
