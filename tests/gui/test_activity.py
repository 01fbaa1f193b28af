"""A record fails; the user fixes the recipe and re-sends it from the failed queue, or skips it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from tests.gui.conftest import FULFILLED_TEMPLATE, wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import recipes, runs

LEFT = Qt.MouseButton.LeftButton


def _broken_then_run() -> int:
    """Import the template with a stage HubSpot refuses, run it; returns the failed count."""
    text = FULFILLED_TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text.replace("FULFILLED: shipped", "FULFILLED: sent"),
                          {"shop": "demo-shop", "crm": "demo-crm"}, name="demo")
    summary = runs.run_recipe("demo")
    recipes.import_recipe(text, {"shop": "demo-shop", "crm": "demo-crm"}, name="demo", replace=True)  # the fix
    return summary.failed


def _show_failed(qtbot, window: MainWindow):
    page = window.activity
    before = page.loaded
    window.show_page("failed")
    qtbot.waitUntil(lambda: page.loaded > before and page.status.currentData() == "failed", timeout=10_000)
    wait_loaded(qtbot, page, page.loaded - 1)
    return page


def test_failed_record_is_resent_after_the_fix(qtbot, window: MainWindow, demo_accounts) -> None:
    failed = _broken_then_run()
    assert failed >= 8
    page = _show_failed(qtbot, window)
    qtbot.waitUntil(lambda: len(page.records) == failed, timeout=10_000)
    assert "sent was not one of the allowed options" in page.records[0].error
    page.table.selectRow(0)
    assert page.resend.isEnabled()
    assert "rejected" in page.detail.toPlainText()
    with qtbot.waitSignal(page.resend_done, timeout=30_000) as done:
        qtbot.mouseClick(page.resend, LEFT)
    assert sum(s.succeeded for s in done.args[0]) == 1
    qtbot.waitUntil(lambda: len(page.records) == failed - 1, timeout=10_000)
    with qtbot.waitSignal(page.resend_done, timeout=30_000) as done:
        qtbot.mouseClick(page.resend_all, LEFT)
    assert sum(s.succeeded for s in done.args[0]) == failed - 1
    qtbot.waitUntil(lambda: not page.records, timeout=10_000)
    assert not runs.history("demo", failed_only=True)


def test_skip_keeps_the_reason(qtbot, window: MainWindow, demo_accounts, monkeypatch) -> None:
    failed = _broken_then_run()
    page = _show_failed(qtbot, window)
    qtbot.waitUntil(lambda: len(page.records) == failed, timeout=10_000)
    page.table.selectRow(0)
    skipped_id = page.records[0].id
    # the reason dialog is Qt's own modal input box; answer it the way a user would
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("order cancelled by phone", True)))
    qtbot.mouseClick(page.skip, LEFT)
    qtbot.waitUntil(lambda: len(page.records) == failed - 1, timeout=10_000)
    skipped = [e for e in runs.history("demo", status="skipped") if e.id == skipped_id]
    assert skipped
    assert skipped[0].error == "skipped: order cancelled by phone"
