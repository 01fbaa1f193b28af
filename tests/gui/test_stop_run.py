"""The Stop button: a run started from the Recipes page stops after its current page and the recipe pauses."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.sandbox._server import Request, Response
from ordersync_app.services import recipes
from ordersync_app.services import sandbox as sandbox_service

TEMPLATE = Path(__file__).parents[2] / "recipes" / "shopify-fulfilled-to-hubspot-deal-stage.yaml"


def test_stop_ends_a_running_run_and_pauses_the_recipe(qtbot, window: MainWindow, demo_accounts) -> None:
    del demo_accounts
    recipes.import_recipe(TEMPLATE, {"shop": "demo-shop", "crm": "demo-crm"}, name="stage", start="everything")
    server = sandbox_service._server
    assert server is not None
    writing, release = threading.Event(), threading.Event()

    def slow_crm(request: Request, app: str) -> Response | None:  # the CRM takes its time over the first write
        if app == "hubspot" and request.method == "POST" and "batch" in request.path:
            writing.set()
            release.wait(30)
        return None

    server.faults.hook = slow_crm
    page = window.recipes
    window.show_page("recipes")
    qtbot.waitUntil(lambda: any(r.name == "stage" for r in page.items), timeout=10_000)
    page.select("stage")
    try:
        qtbot.mouseClick(page.run, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(writing.is_set, timeout=30_000)  # the run is writing now
        assert page.stop.isEnabled()
        with qtbot.waitSignal(window.ctx.data_changed, timeout=10_000):
            qtbot.mouseClick(page.stop, Qt.MouseButton.LeftButton)
        assert page.note.text().startswith("Stopping")
    finally:
        release.set()
        server.faults.hook = None
    with qtbot.waitSignal(page.run_done, timeout=60_000) as done:
        pass
    assert done.args[0].status == "stopped"
    assert "stopped by the user" in (recipes.get_recipe("stage").paused_reason or "")
    assert page.note.text().startswith("Stopped on request")
