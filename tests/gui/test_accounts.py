"""Accounts: the sign-in method first, then only its fields; names in any language; status from the last
real test; the passphrase dialog where there is no system keychain; no ghost rows."""

from __future__ import annotations

import keyring.errors
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog
from ordersync_app.secrets import store
from ordersync_app.services import accounts, sandbox

LEFT = Qt.MouseButton.LeftButton


def _visible_fields(dialog: AccountDialog) -> set[str]:
    return {key for key, index in dialog.field_rows.items() if dialog.form.isRowVisible(index)}


def test_sign_in_method_first_then_only_its_fields(qtbot, window: MainWindow) -> None:
    dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
    qtbot.addWidget(dialog)
    assert dialog.method().key == "private_app"
    assert _visible_fields(dialog) == {"access_token", "plan"}
    assert not dialog.signin_button.isVisibleTo(dialog) and dialog.save_button.isVisibleTo(dialog)
    plan = dialog.fields["plan"]
    assert isinstance(plan, QComboBox)
    assert plan.itemText(0) == "Free or Starter"  # a label, not "starter"
    dialog.choose_method("oauth")
    assert _visible_fields(dialog) == {"client_id", "client_secret", "plan"}
    assert dialog.signin_button.isVisibleTo(dialog) and dialog.signin_button.text() == "Sign in with HubSpot"
    qtbot.mouseClick(dialog.advanced_toggle, LEFT)
    assert "authorize_url" in _visible_fields(dialog)
    dialog.choose_method("sandbox")
    assert _visible_fields(dialog) == set()
    # one form: every label in the same column
    labels = {dialog.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().x()
              for i in range(dialog.form.rowCount())
              if dialog.form.isRowVisible(i) and dialog.form.itemAt(i, QFormLayout.ItemRole.LabelRole)
              and dialog.form.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().text()}
    dialog.show()
    qtbot.waitExposed(dialog)
    fields_x = {dialog.form.itemAt(i, QFormLayout.ItemRole.FieldRole).widget().x()
                for i in range(dialog.form.rowCount()) if dialog.form.isRowVisible(i)}
    assert len(fields_x) == 1, "every field starts at the same x"
    assert labels


def test_chinese_name_secret_to_keychain_and_a_refused_token_is_not_connected(qtbot, window: MainWindow, sandbox,
                                                                               memory_keyring) -> None:
    dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
    qtbot.addWidget(dialog)
    token = dialog.fields["access_token"]
    assert isinstance(token, QLineEdit) and token.echoMode() == QLineEdit.EchoMode.Password
    dialog.name.setText("我的 CRM")
    dialog.save()
    assert "Private app access token" in dialog.problem.text()  # checked before anything is sent
    token.setText("pat-wrong-token")
    qtbot.mouseClick(dialog.advanced_toggle, LEFT)
    dialog.base_url.setText(sandbox.url("hubspot"))
    with qtbot.waitSignal(dialog.tested, timeout=30_000) as tested:
        dialog.save()
    assert tested.args == [False]
    stored = accounts.get_account("crm")  # the key made from the name
    assert stored.label == "我的 CRM" and stored.status == "reconnect"  # never "connected" after a refusal
    assert "pat-wrong-token" not in str(stored.as_dict())
    assert "pat-wrong-token" in memory_keyring.values.values()
    assert dialog.panel.isVisibleTo(dialog) and "did not accept" in dialog.panel.what.text()
    assert dialog.panel.fix.text() == "Reconnect account"
    assert "ordersync" not in dialog.panel.todo.text()  # no CLI commands in the GUI


class LockedKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.PasswordSetError("locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.PasswordDeleteError(username)


def test_a_refused_save_leaves_no_ghost_row(qtbot, window: MainWindow) -> None:
    store.set_backend(LockedKeyring())
    dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
    qtbot.addWidget(dialog)
    dialog.name.setText("real-crm")
    token = dialog.fields["access_token"]
    assert isinstance(token, QLineEdit)
    token.setText("pat-123")
    with qtbot.waitSignal(window.ctx.tasks.busy_changed, timeout=10_000, check_params_cb=lambda n: n == 0):
        dialog.save()
    qtbot.waitUntil(lambda: dialog.panel.isVisibleTo(dialog), timeout=10_000)
    assert accounts.list_accounts() == []


def test_passphrase_dialog_unlocks_the_encrypted_keyring(qtbot, window: MainWindow, sandbox, monkeypatch) -> None:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    monkeypatch.setattr(CryptFileKeyring, "time_cost", 1)  # a fast key derivation: the test is about the dialog
    monkeypatch.setattr(CryptFileKeyring, "memory_cost", 1024)
    store.set_backend(None)
    monkeypatch.setattr(store, "_os_keychain", lambda: None)
    monkeypatch.delenv("ORDERSYNC_KEYRING_PASSPHRASE", raising=False)
    dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
    qtbot.addWidget(dialog)
    dialog.name.setText("crm")
    token = dialog.fields["access_token"]
    assert isinstance(token, QLineEdit)
    token.setText("pat-canary-0003")
    qtbot.mouseClick(dialog.advanced_toggle, LEFT)
    dialog.base_url.setText(sandbox.url("hubspot"))  # loopback only
    dialog.save()
    qtbot.waitUntil(lambda: _passphrase(window) is not None, timeout=10_000)
    asking = _passphrase(window)
    assert asking.state.new
    asking.passphrase.setText("correct horse")
    asking.again.setText("correct horse")
    with qtbot.waitSignal(dialog.tested, timeout=60_000):
        asking.unlock()
    assert store.get_secret("crm", "access_token") == "pat-canary-0003"


def _passphrase(window: MainWindow):
    from ordersync_app.gui.passphrase import PassphraseDialog

    found = [w for w in window.findChildren(PassphraseDialog)]
    return found[-1] if found else None


def test_sandbox_account_then_test_connection(qtbot, window: MainWindow, home) -> None:
    try:
        page = window.accounts
        dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
        qtbot.addWidget(dialog)
        dialog.name.setText("演示 CRM")
        dialog.choose_method("sandbox")
        with qtbot.waitSignal(dialog.accepted, timeout=15_000):
            dialog.save()
        before = page.loaded
        window.show_page("accounts")
        wait_loaded(qtbot, page, before)
        qtbot.waitUntil(lambda: [a.label for a, _u in page.items] == ["演示 CRM"], timeout=10_000)
        assert page.items[0][0].status == "ok"  # tested when saved
        page.table.selectRow(0)
        qtbot.mouseClick(page.test, LEFT)
        qtbot.waitUntil(lambda: page.result.text().startswith("✓"), timeout=15_000)
        assert "HubSpot" in page.result.toolTip()
    finally:
        sandbox.stop_in_process()
