"""Accounts: the form comes from the connector's settings, secrets go to the keychain, test connection."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog
from ordersync_app.services import accounts, sandbox

LEFT = Qt.MouseButton.LeftButton


def test_form_follows_settings_and_secret_goes_to_keychain(qtbot, window: MainWindow, memory_keyring) -> None:
    dialog = AccountDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.app.setCurrentIndex(dialog.app.findData("shopify"))
    assert set(dialog.fields) == {s.key for s in accounts.connector("shopify").settings}
    token = dialog.fields["access_token"]
    assert isinstance(token, QLineEdit)
    assert token.echoMode() == QLineEdit.EchoMode.Password
    dialog.name.setText("my-shop")
    with qtbot.waitSignal(window.ctx.tasks.busy_changed, check_params_cb=lambda n: n == 0):
        dialog.save()  # the shop subdomain is required
    assert "shop" in dialog.problem.text().lower()
    dialog.fields["shop"].setText("tea-house")
    token.setText("shpat_secret_value")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.save()
    stored = accounts.get_account("my-shop")
    assert stored.settings["shop"] == "tea-house"
    assert "shpat_secret_value" not in str(stored.as_dict())
    assert "shpat_secret_value" in memory_keyring.values.values()


def test_sandbox_account_test_connection(qtbot, window: MainWindow, home) -> None:
    try:
        page = window.pages["accounts"]
        dialog = AccountDialog(window.ctx, window)
        qtbot.addWidget(dialog)
        dialog.app.setCurrentIndex(dialog.app.findData("hubspot"))
        dialog.name.setText("crm")
        dialog.sandbox.setChecked(True)
        before = page.loaded
        with qtbot.waitSignal(dialog.accepted, timeout=10_000):
            dialog.save()
        window.show_page("accounts")
        wait_loaded(qtbot, page, before)
        qtbot.waitUntil(lambda: [a.name for a, _u in page.items] == ["crm"], timeout=10_000)
        page.table.selectRow(0)
        qtbot.mouseClick(page.test, LEFT)
        qtbot.waitUntil(lambda: page.result.text().startswith("✓"), timeout=15_000)
        assert "HubSpot" in page.result.text()
    finally:
        sandbox.stop_in_process()
