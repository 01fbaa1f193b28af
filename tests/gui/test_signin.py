"""Sign in with HubSpot from the account form, and Reconnect of an OAuth account, against the sandbox.

The system browser is stood in for through Qt's own hook, ``QDesktopServices.setUrlHandler``: the
"browser" fetches the sign-in page with httpx on its own thread and follows the redirect to the
app's loopback listener, as a real browser would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLineEdit
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog
from ordersync_app.sandbox.hubspot import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN
from ordersync_app.secrets import store
from ordersync_app.services import accounts

LEFT = Qt.MouseButton.LeftButton


class Browser(QObject):
    """Opens URLs like a browser that is already signed in to HubSpot."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []
        self.threads: list[threading.Thread] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        address = url.toString(QUrl.ComponentFormattingOption.FullyEncoded)
        self.opened.append(address)
        thread = threading.Thread(target=lambda: httpx.get(address, follow_redirects=True, timeout=10))
        thread.start()
        self.threads.append(thread)


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


def test_sign_in_with_hubspot_from_the_account_form(qtbot, window: MainWindow, sandbox, browser: Browser) -> None:
    base = sandbox.url("hubspot")
    dialog = AccountDialog(window.ctx, window, connector_key="hubspot")
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.signin_button.isVisible()  # private app token is the default
    dialog.choose_method("oauth")  # the sign-in method first, then only its fields
    assert dialog.signin_button.isVisible()
    assert dialog.signin_button.text() == "Sign in with HubSpot"
    assert not dialog.save_button.isVisible()
    dialog.name.setText("crm")
    qtbot.mouseClick(dialog.advanced_toggle, LEFT)
    for key, value in (("client_id", SANDBOX_CLIENT_ID), ("authorize_url", f"{base}/oauth/authorize"),
                       ("client_secret", SANDBOX_CLIENT_SECRET)):
        field = dialog.fields[key]
        assert isinstance(field, QLineEdit)
        field.setText(value)
    dialog.base_url.setText(base)
    with qtbot.waitSignal(dialog.accepted, timeout=15_000):
        qtbot.mouseClick(dialog.signin_button, LEFT)
    assert browser.opened and browser.opened[0].startswith(f"{base}/oauth/authorize?")
    assert store.get_secret("crm", "refresh_token") == SANDBOX_REFRESH_TOKEN
    assert accounts.get_account("crm").status == "ok"
    assert "deal pipeline" in dialog.problem.toolTip()


def test_reconnect_signs_an_oauth_account_in_again(qtbot, window: MainWindow, sandbox, browser: Browser,
                                                   home: Path) -> None:
    base = sandbox.url("hubspot")
    accounts.add_account("crm", "hubspot", base_url=base, settings={
        "auth_mode": "oauth", "client_id": SANDBOX_CLIENT_ID, "authorize_url": f"{base}/oauth/authorize"},
        secret_values={"client_secret": SANDBOX_CLIENT_SECRET})
    accounts.set_status("crm", "reconnect", "the refresh token was revoked")
    page = window.pages["accounts"]
    before = page.loaded
    window.show_page("accounts")
    wait_loaded(qtbot, page, before)
    page.table.selectRow(0)
    qtbot.mouseClick(page.reconnect, LEFT)
    qtbot.waitUntil(lambda: page.result.text().startswith(("✓", "✗")), timeout=15_000)
    assert page.result.text().startswith("✓"), page.result.text()
    assert len(browser.opened) == 1
    assert accounts.get_account("crm").status == "ok"
    assert store.get_secret("crm", "refresh_token") == SANDBOX_REFRESH_TOKEN
