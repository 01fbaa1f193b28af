""""Sign in with HubSpot/Salesforce/…": the browser half of ``services.oauth``, used by Add account and Reconnect.

Why it exists: the sign-in has three steps on two threads: start the loopback listener (background
helper), open the vendor's page in the system browser (GUI thread, ``QDesktopServices.openUrl``), then
wait for the browser to come back, exchange the code and test the account (background helper, so
the window stays responsive for the minutes a user may take). Both the account form and the
Accounts page's "Reconnect" run exactly this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from ordersync_app.connectors.sdk.spec import SANDBOX_SCHEME
from ordersync_app.domain.errors import SetupError
from ordersync_app.gui.context import AppContext
from ordersync_app.services import accounts, oauth


def offers_signin(connector_key: str, settings: Mapping[str, Any], base_url: str = "") -> bool:
    """Whether this account signs in through the browser: its connector declares an OAuth sign-in and
    the account chose it (the declared setting has the declared value, or defaults to it)."""
    if base_url.startswith(SANDBOX_SCHEME):
        return False
    try:
        app = oauth.provider(connector_key)
    except SetupError:
        return False
    key, value = app.when
    default = next((s.default for s in accounts.connector(connector_key).settings if s.key == key), None)
    return (settings.get(key) or default) == value


def _finish(flow: oauth.Flow) -> str:
    flow.wait()
    return accounts.test_account(flow.account)  # marks it ok and resumes recipes paused for it


class SignIn(QObject):
    """One sign-in under way.

    Signals:
        waiting(str, bool): the sign-in page's URL and whether a browser opened it; waiting for the user.
        succeeded(str): signed in; what the vendor said when the account was tested.
        failed(object): the exception (shown in plain words by the caller; no secrets).
    """

    waiting = Signal(str, bool)
    succeeded = Signal(str)
    failed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.flow: oauth.Flow | None = None

    def start(self, prepare: Callable[[], oauth.Flow]) -> None:
        """Run ``prepare`` (save the account, ``oauth.begin``) off the GUI thread, then open the browser."""
        self.ctx.tasks.run(prepare, on_success=self._open, on_failure=self._fail)

    def cancel(self) -> None:
        """Stop waiting for the browser (the dialog was closed)."""
        if self.flow is not None:
            self.flow.cancel()

    def _open(self, flow: oauth.Flow) -> None:
        self.flow = flow
        opened = QDesktopServices.openUrl(QUrl.fromEncoded(flow.url.encode("ascii")))
        self.waiting.emit(flow.url, opened)  # not opened: the page shows the address to open by hand
        self.ctx.tasks.run(lambda: _finish(flow), on_success=self._done, on_failure=self._fail)

    def _done(self, text: str) -> None:
        self.flow = None
        self.ctx.data_changed.emit()
        self.succeeded.emit(text)

    def _fail(self, exc: BaseException) -> None:
        self.flow = None
        self.failed.emit(exc)
