"""Accounts: connect apps by choosing how to sign in first, then filling in only that method's fields.

Why the form looks the way it does: a connector declares all its settings in one list; showing them all
(a token *and* OAuth IDs *and* an API version) overwhelms a shop owner. ``services.account_forms`` groups
them by sign-in method and labels every choice; this dialog shows the method choice, then one aligned form
with only that method's fields, with rarely needed ones under "Advanced". The account's name can be in
any language; its ASCII key is derived (or typed under "Advanced"). Saving stores the secrets (after the
passphrase dialog where there is no system keychain), then tests the account right away, so the list shows
what the vendor actually said: "connected", "needs attention" or "reconnect needed" — never a guess.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Connector, Setting
from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.explained import ExplanationPanel
from ordersync_app.gui.models import Column, RowsModel, fit_columns, selected_rows, table_view
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.pages.custom_app import CustomAppDialog
from ordersync_app.gui.passphrase import with_unlocked_keychain
from ordersync_app.gui.signin import SignIn, offers_signin
from ordersync_app.gui.widgets import STATUS_COLORS, Card, row, status_text
from ordersync_app.services import account_forms, accounts, oauth
from ordersync_app.services.account_forms import SANDBOX_METHOD, SignInMethod


class PastedKey(QPlainTextEdit):
    """A secret of several lines (a PEM private key), read like a line edit's ``text()``."""

    def __init__(self) -> None:
        super().__init__()
        self.setTabChangesFocus(True)
        self.setMaximumHeight(90)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

    def text(self) -> str:
        return self.toPlainText()


class AccountDialog(QDialog):
    """Add (or reconnect) an account: app and name, the sign-in method, then that method's fields.

    Signals:
        tested(bool): the account was saved and tested (True when the vendor accepted it).
    """

    tested = Signal(bool)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 existing: accounts.AccountInfo | None = None, connector_key: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.existing = existing
        self.saved: accounts.AccountInfo | None = None
        self.stored = False  # the account exists now (saved by an earlier attempt): later saves replace it
        self.setWindowTitle(self.tr("Reconnect account") if existing else self.tr("Add an account"))
        self.setMinimumWidth(520)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        host = QWidget()
        self.form = QFormLayout(host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        scroll.setWidget(host)
        outer.addWidget(scroll, 1)

        self.app = QComboBox()
        for key, conn in registry.all_connectors().items():
            self.app.addItem(i18n.pick(conn.name_en, conn.name_zh), key)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. My shop, 我的店铺"))
        self.form.addRow(self.tr("App"), self.app)
        self.form.addRow(self.tr("Name"), self.name)
        self.methods_box = QWidget()
        self.methods_layout = QVBoxLayout(self.methods_box)
        self.methods_layout.setContentsMargins(0, 0, 0, 0)
        self.methods_layout.setSpacing(2)
        self.method_group = QButtonGroup(self)
        self.method_group.idToggled.connect(lambda _i, on: self._method_changed() if on else None)
        self.form.addRow(self.tr("Sign in with"), self.methods_box)
        self.method_help = QLabel("")
        self.method_help.setObjectName("muted")
        self.method_help.setWordWrap(True)
        self.method_help.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.form.addRow("", self.method_help)
        self.first_field_row = self.form.rowCount()
        self.fields: dict[str, QLineEdit | QComboBox | PastedKey] = {}
        self.field_rows: dict[str, int] = {}
        self.methods: list[SignInMethod] = []
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setText(self.tr("Advanced"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.toggled.connect(self._show_advanced)
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText(self.tr("leave empty for the vendor's address"))
        self.allow_host = QCheckBox(self.tr("This address is my own server or proxy: send the credentials there"))
        self.key = QLineEdit()
        self.key.setPlaceholderText(self.tr("made from the name"))
        self.key.setToolTip(self.tr("Letters, digits, '-', '_' and '.'; recipe files refer to the account by it."))

        self.panel = ExplanationPanel()
        self.panel.action_requested.connect(self._fix)
        outer.addWidget(self.panel)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.addButton(self.tr("Save and test"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.signin_button = QPushButton()
        self.signin_button.setObjectName("primary")
        self.buttons.addButton(self.signin_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.signin_button.clicked.connect(self.sign_in)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        outer.addWidget(self.buttons)
        self.signin = SignIn(ctx, self)
        self.signin.waiting.connect(self._waiting)
        self.signin.succeeded.connect(self._signed_in)
        self.signin.failed.connect(self._signin_failed)
        self.rejected.connect(self.signin.cancel)
        self.app.currentIndexChanged.connect(self._build_form)
        if connector_key:
            self.app.setCurrentIndex(max(0, self.app.findData(connector_key)))
        if existing:
            self.app.setCurrentIndex(self.app.findData(existing.connector))
            self.app.setEnabled(False)
            self.name.setText(existing.label)
            self.key.setText(existing.name)
            self.key.setEnabled(False)
        self._build_form()

    # -- the form -----------------------------------------------------------------------------
    def connector(self) -> Connector:
        """The connector picked."""
        return accounts.connector(str(self.app.currentData()))

    def method(self) -> SignInMethod:
        """The sign-in method picked."""
        index = self.method_group.checkedId()
        return self.methods[index] if 0 <= index < len(self.methods) else self.methods[0]

    def choose_method(self, key: str) -> None:
        """Pick a sign-in method by key (``private_app``, ``oauth``, ``sandbox``…)."""
        for i, method in enumerate(self.methods):
            if method.key == key:
                button = self.method_group.button(i)
                if button is not None:
                    button.setChecked(True)

    @property
    def sandbox(self) -> bool:
        """Whether the built-in sandbox is picked."""
        return self.method().key == SANDBOX_METHOD

    def _build_form(self) -> None:
        keep = (self.advanced_toggle, self.base_url, self.allow_host, self.key)
        while self.form.rowCount() > self.first_field_row:
            taken = self.form.takeRow(self.first_field_row)
            for item in (taken.labelItem, taken.fieldItem):
                widget = item.widget() if item is not None else None
                if widget is not None and widget not in keep:
                    widget.hide()  # gone now, not at the next event loop pass (a grab before it drew both forms)
                    widget.deleteLater()
                elif widget is not None:
                    widget.setParent(None)
        for button in self.method_group.buttons():
            self.method_group.removeButton(button)
            button.hide()
            button.deleteLater()
        conn = self.connector()
        self.methods = list(account_forms.sign_in_methods(conn))
        lang = i18n.current()
        current = account_forms.method_of(conn, self.existing.settings, self.existing.base_url) \
            if self.existing else self.methods[0].key
        self.method_group.blockSignals(True)
        for i, method in enumerate(self.methods):
            radio = QRadioButton(method.label.pick(lang))
            self.method_group.addButton(radio, i)
            self.methods_layout.addWidget(radio)
            radio.setChecked(method.key == current)
        self.method_group.blockSignals(False)
        self.methods_box.setVisible(len(self.methods) > 1)
        self.fields, self.field_rows = {}, {}
        declared = {s.key: s for s in conn.settings}
        keys = list(dict.fromkeys(k for m in self.methods for k in m.fields if k in declared))
        for key in keys:
            spec = declared[key]
            widget = self._widget(conn, spec)
            self.form.addRow(self._label(spec), widget)
            self.field_rows[key] = self.form.rowCount() - 1
            self.fields[key] = widget
        self.form.addRow("", self.advanced_toggle)
        self.advanced_row = self.form.rowCount() - 1
        self.form.addRow(self.tr("API address"), self.base_url)
        self.form.addRow("", self.allow_host)
        self.form.addRow(self.tr("Account key"), self.key)
        self.signin_button.setText(self.tr("Sign in with %1").replace("%1", i18n.pick(conn.name_en, conn.name_zh)))
        self._method_changed()

    def _label(self, spec: Setting) -> str:
        return account_forms.setting_label(self.connector().key, spec).pick(i18n.current())

    def _widget(self, conn: Connector, spec: Setting) -> QLineEdit | QComboBox | PastedKey:
        lang = i18n.current()
        if spec.choices:
            combo = QComboBox()
            for value in spec.choices:
                combo.addItem(account_forms.choice_label(conn.key, spec, value).pick(lang), value)
            chosen = (self.existing.settings.get(spec.key) if self.existing else None) or spec.default
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
            combo.setToolTip(i18n.pick(spec.help_en, spec.help_zh))
            return combo
        if spec.secret and spec.multiline:  # a PEM key: a line edit would join its lines
            key = PastedKey()
            key.setPlaceholderText(self.tr("paste the whole key, BEGIN and END lines included (kept in the "
                                           "system keychain)"))
            key.setToolTip(i18n.pick(spec.help_en, spec.help_zh))
            return key
        edit = QLineEdit()
        if spec.secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.setPlaceholderText(self.tr("kept in the system keychain") if not self.existing else
                                    self.tr("type it again to change it"))
        else:
            help_text = i18n.pick(spec.help_en, spec.help_zh)
            edit.setPlaceholderText(spec.default or help_text)
            if self.existing:
                edit.setText(str(self.existing.settings.get(spec.key, "")))
        edit.setToolTip(i18n.pick(spec.help_en, spec.help_zh))
        return edit

    def _method_changed(self) -> None:
        if not self.methods:
            return
        method = self.method()
        self._order_rows(method)
        self.method_help.setText(method.help.pick(i18n.current()))
        self.method_help.setVisible(bool(method.help.en))
        advanced_open = self.advanced_toggle.isChecked()
        for key, index in self.field_rows.items():
            wanted = key in method.fields and (key not in method.advanced or advanced_open)
            self.form.setRowVisible(index, wanted)
            label = self.form.itemAt(index, QFormLayout.ItemRole.LabelRole)
            spec = next(s for s in self.connector().settings if s.key == key)
            widget = label.widget() if label is not None else None
            if isinstance(widget, QLabel):
                required = key in method.required or spec.required
                widget.setText(self._label(spec) + (" *" if required else ""))
        sandboxed = method.key == SANDBOX_METHOD
        self.form.setRowVisible(self.advanced_row, not sandboxed or self.existing is None)
        self.form.setRowVisible(self.advanced_row + 1, advanced_open and not sandboxed)
        self.form.setRowVisible(self.advanced_row + 2, advanced_open and not sandboxed)
        self.form.setRowVisible(self.advanced_row + 3, advanced_open)
        browser = method.browser and not sandboxed
        self.signin_button.setVisible(browser)
        self.save_button.setVisible(not browser)
        self.problem.setText("")
        self.panel.clear()

    def _order_rows(self, method: SignInMethod) -> None:
        """Put the method's own fields first, in its order (the form's rows are built once per app)."""
        wanted = [k for k in method.fields if k in self.fields] + [k for k in self.fields if k not in method.fields]
        if wanted == sorted(self.field_rows, key=self.field_rows.__getitem__):
            return
        by_field = {id(w): k for k, w in self.fields.items()}
        rows: dict[str, tuple[QWidget | None, QWidget]] = {}
        for _ in range(len(self.fields)):
            taken = self.form.takeRow(self.first_field_row)
            label = taken.labelItem.widget() if taken.labelItem is not None else None
            field = taken.fieldItem.widget() if taken.fieldItem is not None else None
            if field is not None:
                rows[by_field[id(field)]] = (label, field)
        for i, key in enumerate(wanted):
            label, field = rows[key]
            self.form.insertRow(self.first_field_row + i, label, field)
            self.field_rows[key] = self.first_field_row + i

    def _show_advanced(self, on: bool) -> None:
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self._method_changed()

    def values(self) -> tuple[dict[str, str], dict[str, str]]:
        """(settings, secrets) typed into the picked method's fields (plus what the method implies)."""
        method = self.method()
        settings: dict[str, str] = dict(method.fixed)
        secrets: dict[str, str] = {}
        for spec in self.connector().settings:
            widget = self.fields.get(spec.key)
            if widget is None or spec.key not in method.fields:
                continue
            value = str(widget.currentData()) if isinstance(widget, QComboBox) else widget.text().strip()
            if value:
                (secrets if spec.secret else settings)[spec.key] = value
        return settings, secrets

    def _missing(self) -> list[str]:
        """Labels of the required fields left empty (checked before anything is sent)."""
        method = self.method()
        settings, secrets = self.values()
        out = []
        for spec in self.connector().settings:
            needed = spec.key in method.required or (spec.required and spec.key in method.fields)
            if needed and not (settings.get(spec.key) or secrets.get(spec.key)):
                if spec.secret and self.existing is not None:
                    continue  # reconnecting without retyping a secret keeps the stored one
                out.append(self._label(spec))
        if not self.name.text().strip():
            out.insert(0, self.tr("Name"))
        return out

    def _typed(self) -> tuple[Connector, str, str, str | None, dict[str, str], dict[str, str]]:
        """(connector, key, display name, base URL, settings, secrets) as the form stands."""
        conn = self.connector()
        if self.sandbox:  # the service fills in the sandbox's address and demo credentials
            return conn, self.key.text().strip(), self.name.text().strip(), None, {}, {}
        settings, secrets = self.values()
        return (conn, self.key.text().strip(), self.name.text().strip(), self.base_url.text().strip() or None,
                settings, secrets)

    # -- saving and testing -------------------------------------------------------------------
    def _replace(self) -> bool:
        return self.existing is not None or self.stored

    def save(self) -> None:
        """Check the form, unlock the keychain if needed, save through the service layer, then test."""
        missing = self._missing()
        if missing:
            self.problem.setText(self.tr("Please fill in: %1").replace("%1", ", ".join(missing)))
            return
        conn, key, display, base_url, settings, secrets = self._typed()
        sandbox = self.sandbox
        self.buttons.setEnabled(False)
        self.problem.setText(self.tr("Saving…"))
        self.panel.clear()
        replace = self._replace()
        allow_host = self.allow_host.isChecked()

        def work() -> tuple[accounts.AccountInfo, str | BaseException]:
            info = accounts.add_account(key, conn.key, base_url=base_url, settings=settings, secret_values=secrets,
                                        replace=replace, display_name=display, sandbox=sandbox,
                                        allow_host=allow_host)
            try:
                return info, accounts.test_account(info.name)
            except Exception as exc:  # noqa: BLE001 - a failed test is shown, the account stays (needs attention)
                return info, exc

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.problem.setText("")
            self.panel.show_error(exc, connector=conn.key, kind="account")

        def done(result: tuple[accounts.AccountInfo, str | BaseException]) -> None:
            info, answer = result
            self.saved, self.stored = info, True
            self.key.setText(info.name)
            self.key.setEnabled(False)
            self.buttons.setEnabled(True)
            self.ctx.data_changed.emit()
            if isinstance(answer, BaseException):
                self.problem.setText(self.tr("Saved, but the test failed:"))
                self.panel.show_error(answer, connector=conn.key, kind="account")
                self.tested.emit(False)
                return
            self.problem.setText("✓ " + self.tr("Connected."))
            self.problem.setToolTip(answer)
            self.ctx.message.emit(self.tr("Connected “%1”.").replace("%1", info.label))
            self.tested.emit(True)
            self.accept()

        def go() -> None:
            self.ctx.tasks.run(work, on_success=done, on_failure=failed)

        if secrets:
            self.buttons.setEnabled(True)
            with_unlocked_keychain(self.ctx, self, lambda: (self.buttons.setEnabled(False), go()))
        else:
            go()

    def _fix(self, action: str) -> None:
        if action == "unlock_keychain":
            with_unlocked_keychain(self.ctx, self, self.save)
        elif action == "reconnect_account":
            first = next((w for k, w in self.fields.items() if k in self.method().fields), None)
            if first is not None:
                first.setFocus()

    def sign_in(self) -> None:
        """Save the account, then sign in in the system browser (the dialog closes when it worked)."""
        missing = self._missing()
        if missing:
            self.problem.setText(self.tr("Please fill in: %1").replace("%1", ", ".join(missing)))
            return
        conn, key, display, base_url, settings, secrets = self._typed()
        replace = self._replace()
        allow_host = self.allow_host.isChecked()
        self.signin_button.setEnabled(False)
        self.problem.setText(self.tr("Preparing the sign-in…"))
        self.panel.clear()

        def prepare() -> oauth.Flow:  # background: no widgets here
            info = accounts.add_account(key, conn.key, base_url=base_url, settings=settings, secret_values=secrets,
                                        replace=replace, display_name=display, allow_host=allow_host)
            return oauth.begin(info.name, info.connector, info.settings, base_url=info.base_url)

        with_unlocked_keychain(self.ctx, self, lambda: self.signin.start(prepare))

    def _waiting(self, url: str, opened: bool) -> None:
        self.stored = True  # the account exists now: a second attempt replaces it
        self.ctx.data_changed.emit()
        text = self.tr("Finish signing in in your web browser; this window waits for it.")
        if not opened:
            text = self.tr("Could not open the web browser. Open this address yourself: %1").replace("%1", url)
        self.problem.setText(text)

    def _signed_in(self, text: str) -> None:
        self.problem.setText("✓ " + self.tr("Connected."))
        self.problem.setToolTip(text)
        self.tested.emit(True)
        self.accept()

    def _signin_failed(self, error: BaseException) -> None:
        self.signin_button.setEnabled(True)
        self.problem.setText("")
        self.panel.show_error(error, connector=self.connector().key, kind="account")


class AccountsPage(Page):
    """Accounts with their status (from the last real test) and the recipes that use them."""

    name = "accounts"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Accounts"), parent)
        self.usage: dict[str, list[str]] = {}
        self.add = QPushButton(self.tr("Add an account"))
        self.add.setObjectName("primary")
        self.add.clicked.connect(lambda: self.open_dialog())
        self.custom = QPushButton(self.tr("Add a custom app…"))
        self.custom.setToolTip(self.tr("Your own system with a REST API, described in a form"))
        self.custom.clicked.connect(self.add_custom_app)
        self.layout_.addLayout(row(self.add, self.custom))
        card = Card()
        self.model: RowsModel[accounts.AccountInfo] = RowsModel([
            Column(self.tr("Account"), lambda a: a.label, tooltip=lambda a: self.tr("key: %1").replace("%1", a.name)),
            Column(self.tr("App"), self._app),
            Column(self.tr("Status"), lambda a: status_text(a.status), color=lambda a: STATUS_COLORS.get(a.status),
                   tooltip=lambda a: a.status_message or ""),
            Column(self.tr("Used by"), lambda a: ", ".join(self.usage.get(a.name, [])) or "—", stretch=True),
        ], self)
        self.table, self.proxy = table_view(self.model)
        self.table.selectionModel().selectionChanged.connect(self._selection)
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
        self.panel = ExplanationPanel()
        self.panel.action_requested.connect(self._fix)
        self.layout_.addWidget(self.panel)
        self.signin = SignIn(ctx, self)
        self.signin.waiting.connect(self._signin_waiting)
        self.signin.succeeded.connect(lambda text: (self.result.setText("✓ " + self.tr("Connected.")),
                                                    self.result.setToolTip(text)))
        self.signin.failed.connect(self._show_failure)
        self.last_dialog: AccountDialog | None = None
        ctx.data_changed.connect(self.request_refresh)

    def _app(self, a: accounts.AccountInfo) -> str:
        conn = registry.get(a.connector)
        app = i18n.pick(conn.name_en, conn.name_zh) if conn else a.connector
        return app + (" " + self.tr("(sandbox)") if a.sandbox else "")

    @property
    def items(self) -> list[tuple[accounts.AccountInfo, list[str]]]:
        """Accounts listed, with the recipes using each."""
        return [(a, self.usage.get(a.name, [])) for a in self.model.rows]

    def refresh(self) -> None:
        """Re-read accounts and which recipes use each (one query for all)."""
        def work() -> tuple[list[accounts.AccountInfo], dict[str, list[str]]]:
            return accounts.list_accounts(), accounts.usage()

        self.ctx.tasks.run(work, on_success=self._show, title=self.tr("Reading accounts"))

    def _show(self, data: tuple[list[accounts.AccountInfo], dict[str, list[str]]]) -> None:
        listed, self.usage = data
        keep = self.current()
        self.model.set_rows(listed)
        fit_columns(self.table)
        self.empty.setVisible(not listed)
        if keep is not None:
            self.select(keep.name)
        self._selection()
        self._loaded()

    def current(self) -> accounts.AccountInfo | None:
        """The selected account."""
        chosen = selected_rows(self.table)
        return chosen[0] if chosen else None

    def select(self, name: str) -> None:
        """Select an account by key."""
        for i, a in enumerate(self.model.rows):
            if a.name == name:
                self.table.selectRow(self.proxy.mapFromSource(self.model.index(i, 0)).row())

    def _selection(self) -> None:
        a = self.current()
        for button in (self.test, self.reconnect, self.remove):
            button.setEnabled(a is not None)

    def open_dialog(self, connector_key: str | None = None, *,
                    existing: accounts.AccountInfo | None = None) -> AccountDialog:
        """Open the add (or reconnect) dialog."""
        dialog = AccountDialog(self.ctx, self, existing=existing, connector_key=connector_key)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def add_custom_app(self) -> CustomAppDialog:
        """Open "Add a custom app" (it adds the connector file and an account that uses it)."""
        dialog = CustomAppDialog(self.ctx, self)
        dialog.open()
        return dialog

    def reconnect_account(self, name: str) -> None:
        """Reconnect an account by key (the fix offered for a refused sign-in)."""
        self.select(name)
        found = next((a for a in self.model.rows if a.name == name), None)
        if found is not None:
            self._reconnect(found)

    def _reconnect(self, account: accounts.AccountInfo | None = None) -> None:
        a = account or self.current()
        if a is None:
            return
        if not offers_signin(a.connector, a.settings, a.base_url):
            self.open_dialog(existing=a)
            return
        self.signin.cancel()  # one sign-in at a time
        self.panel.clear()
        self.result.setText(self.tr("Opening the sign-in page for %1…").replace("%1", a.label))
        with_unlocked_keychain(self.ctx, self, lambda: self.signin.start(
            lambda: oauth.begin(a.name, a.connector, a.settings, base_url=a.base_url)))

    def _signin_waiting(self, url: str, opened: bool) -> None:
        self.result.setText(self.tr("Finish signing in in your web browser; this window waits for it.") if opened
                            else self.tr("Could not open the web browser. Open this address yourself: %1")
                            .replace("%1", url))

    def _show_failure(self, error: BaseException | str) -> None:
        a = self.current()
        self.result.setText("✗ " + self.tr("The test failed."))
        self.panel.show_error(error, connector=a.connector if a else None, kind="account")
        self.ctx.data_changed.emit()

    def _test(self) -> None:
        a = self.current()
        if a is None:
            return
        self.result.setText(self.tr("Testing %1…").replace("%1", a.label))
        self.result.setToolTip("")
        self.panel.clear()

        def ok(text: str) -> None:
            self.result.setText("✓ " + self.tr("Connected: the app answered."))
            self.result.setToolTip(text)
            self.ctx.data_changed.emit()

        with_unlocked_keychain(self.ctx, self, lambda: self.ctx.tasks.run(
            lambda: accounts.test_account(a.name), on_success=ok, on_failure=self._show_failure))

    def _fix(self, action: str) -> None:
        if action == "reconnect_account":
            self._reconnect()
        elif action == "unlock_keychain":
            with_unlocked_keychain(self.ctx, self, self._test)

    def _remove(self) -> None:
        a = self.current()
        if a is None:
            return
        used = self.usage.get(a.name, [])
        text = self.tr("Remove the account “%1” and its keychain entries?").replace("%1", a.label)
        if used:
            text += "\n" + self.tr("These recipes use it and will stop: %1").replace("%1", ", ".join(used))
        if QMessageBox.question(self, self.tr("Remove account"), text) != QMessageBox.StandardButton.Yes:
            return

        def failed(exc: BaseException) -> None:
            self.result.setText("✗ " + self.tr("The account was not removed."))
            self.panel.show_error(exc, kind="account")
            self.ctx.data_changed.emit()

        self.ctx.tasks.run(lambda: accounts.remove_account(a.name),
                           on_success=lambda _x: self.ctx.data_changed.emit(), on_failure=failed)
