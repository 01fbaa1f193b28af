"""GUI fixtures: an English main window over an isolated data directory with sandbox accounts.

Accounts use ``sandbox://`` URLs, which start the sandbox apps in-process; each test stops them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ordersync_app.gui import i18n
from ordersync_app.gui.app import tune_gc
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import accounts, sandbox

TEMPLATES = Path(__file__).parents[2] / "recipes"
FULFILLED_TEMPLATE = TEMPLATES / "shopify-fulfilled-to-hubspot-deal-stage.yaml"


@pytest.fixture
def demo_accounts(home: Path) -> Iterator[Path]:
    """Accounts ``demo-shop`` (Shopify sandbox) and ``demo-crm`` (HubSpot sandbox), 8 orders fulfilled."""
    try:
        accounts.add_account("demo-shop", "shopify", base_url="sandbox://shopify")
        accounts.add_account("demo-crm", "hubspot", base_url="sandbox://hubspot")
        sandbox.seed(30)
        sandbox.fulfil(8)
        yield home
    finally:
        sandbox.stop_in_process()


@pytest.fixture
def window(qtbot, home: Path) -> Iterator[MainWindow]:
    """The main window in English; background tasks are drained at teardown."""
    i18n.install("en")
    ctx = AppContext()
    win = MainWindow(ctx)
    tune_gc()  # as the app does after start-up
    qtbot.addWidget(win)
    win.show()
    yield win
    ctx.tasks.wait_idle()
    ctx.close()
    i18n.install("en")


def wait_loaded(qtbot, page, before: int | None = None) -> None:
    """Wait until ``page`` finished a refresh started after ``before`` loads."""
    start = page.loaded if before is None else before
    qtbot.waitUntil(lambda: page.loaded > start, timeout=15_000)
