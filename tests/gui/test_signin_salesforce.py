"""Sign in with Salesforce from the account form, against the emulator: the form asks only what browser
sign-in needs, the system browser (stood in for through ``QDesktopServices.setUrlHandler``) follows the
org's redirect to the loopback listener on the chosen callback port, and the account works afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLineEdit
from tests.gui.test_signin import Browser
from tests.unit.test_oauth_salesforce import free_port

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog, PastedKey
from ordersync_app.sandbox.salesforce import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from ordersync_app.secrets import store
from ordersync_app.services import accounts

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def browser() -> Iterator[Browser]:
    stand_in = Browser()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, stand_in, "open_url")
    yield stand_in
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)
    for thread in stand_in.threads:
        thread.join(10)


def visible(dialog: AccountDialog) -> set[str]:
    return {key for key, row in dialog.field_rows.items() if dialog.form.isRowVisible(row)}


def test_sign_in_with_salesforce_through_the_loopback_redirect(qtbot, window: MainWindow, sandbox,
                                                               browser: Browser) -> None:
    base, port = sandbox.url("salesforce"), free_port()
    dialog = AccountDialog(window.ctx, window, connector_key="salesforce")
    qtbot.addWidget(dialog)
    dialog.show()
    # The methods come from the connector's declarations (auth_mode's labelled choices and shown_when),
    # browser sign-in from its OAuthApp.
    assert [m.key for m in dialog.methods] == ["oauth", "jwt", "sandbox"]
    assert dialog.method().label.en == "Sign in with Salesforce (browser)"
    assert visible(dialog) == {"client_id", "client_secret", "callback_port"}  # no JWT fields
    assert dialog.signin_button.isVisible() and dialog.signin_button.text() == "Sign in with Salesforce"
    dialog.choose_method("jwt")
    assert visible(dialog) == {"client_id", "username", "private_key"}
    assert {m.key: m.required for m in dialog.methods[:2]} == {"oauth": ("client_secret",),
                                                              "jwt": ("username", "private_key")}
    assert not dialog.signin_button.isVisible() and dialog.save_button.isVisible()
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    key_field = dialog.fields["private_key"]
    assert isinstance(key_field, PastedKey)  # a PEM key keeps its lines (a line edit would join them)
    key_field.setPlainText(pem + "\n")
    assert dialog.values()[1]["private_key"] == pem
    key_field.setPlainText("")
    qtbot.mouseClick(dialog.advanced_toggle, LEFT)
    assert "login_url" in visible(dialog)  # the My Domain login URL (a default that most orgs keep)
    dialog.choose_method("oauth")

    dialog.name.setText("sf")
    for key, value in (("client_id", SANDBOX_CLIENT_ID), ("client_secret", SANDBOX_CLIENT_SECRET),
                       ("callback_port", str(port))):
        field = dialog.fields[key]
        assert isinstance(field, QLineEdit)
        field.setText(value)
    dialog.base_url.setText(base)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.mouseClick(dialog.signin_button, LEFT)
    assert browser.opened and browser.opened[0].startswith(f"{base}/services/oauth2/authorize?")
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback" in browser.opened[0]
    assert store.get_secret("sf", "refresh_token") == SANDBOX_REFRESH_TOKEN
    assert store.get_secret("sf", "client_secret") == SANDBOX_CLIENT_SECRET  # sent with the code, then kept
    assert accounts.get_state("sf", "instance_url") == base
    info = accounts.get_account("sf")
    assert info.status == "ok" and info.settings["auth_mode"] == "oauth" and "username" not in info.settings
    assert "opportunities" in dialog.problem.toolTip() and "api-usage=" in dialog.problem.toolTip()
