"""Activity: the failed queue grouped by cause in plain words with its fix; re-send and skip a whole group;
search by order number; the date filter in the query; the fix opens the recipe at the refused field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import update
from tests.gui.conftest import FULFILLED_TEMPLATE, wait_loaded

from ordersync_app.gui.builder.cards import ActionCard
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import queue, recipes, runs
from ordersync_app.storage import db
from ordersync_app.storage.tables import Execution

LEFT = Qt.MouseButton.LeftButton


def _broken_then_run(stage: str = "已发货") -> int:
    """Import the template with a stage HubSpot refuses, run it; returns the failed count."""
    text = FULFILLED_TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text.replace("FULFILLED: shipped", f"FULFILLED: {stage}"),
                          {"shop": "demo-shop", "crm": "demo-crm"}, name="demo")
    return runs.run_recipe("demo").failed


def _fix_recipe() -> None:
    text = FULFILLED_TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
    recipes.import_recipe(text, {"shop": "demo-shop", "crm": "demo-crm"}, name="demo", replace=True)


def _show_failed(qtbot, window: MainWindow):
    page = window.activity
    before = page.groups_loaded
    window.show_page("failed")
    qtbot.waitUntil(lambda: page.groups_loaded > before and page.status.currentData() == "failed", timeout=10_000)
    wait_loaded(qtbot, page, page.loaded - 1)
    return page


def test_failures_are_one_group_in_plain_words_with_the_fix(qtbot, window: MainWindow, demo_accounts) -> None:
    failed = _broken_then_run()
    assert failed >= 8
    page = _show_failed(qtbot, window)
    assert page.tabs.currentIndex() == 0 and page.tabs.tabText(0) == f"Problems ({failed})"
    qtbot.waitUntil(lambda: page.groups_model.rowCount() == 1, timeout=10_000)
    group = page.current_group()
    assert group is not None and group.count == failed
    panel = page.group_panel
    assert panel.what.text() == "HubSpot has no option “已发货” for “Deal stage”"
    assert "checkout_completed, processed, shipped" in panel.why.text()
    assert "\\u" not in panel.details.toPlainText() and "已发货" in panel.details.toPlainText()
    assert not panel.details.isVisible()  # the raw answer is folded under "Details"
    assert panel.fix.text() == "Pick a valid stage"
    assert page.group_resend.text() == f"Re-send all {failed}"

    qtbot.mouseClick(panel.fix, LEFT)  # opens the recipe at the field, with the allowed stages offered
    b = window.builder
    qtbot.waitUntil(lambda: window.current_page() == "builder" and b.loaded >= 1, timeout=10_000)
    # The field's options come from the CRM's field list; the mark comes when the builder has gone to the field.
    qtbot.waitUntil(lambda: bool(b.cards(ActionCard) and b.cards(ActionCard)[0].fields["dealstage"].options
                                 and b.cards(ActionCard)[0].fields["dealstage"].property("error")), timeout=15_000)
    stage = b.cards(ActionCard)[0].fields["dealstage"]
    assert "shipped" in [value for value, _label in stage.options]
    assert stage.property("error")
    assert stage.preview.text() == "⚠ “已发货” is not one of the allowed values"  # the sample shows the problem


def test_resend_a_whole_group_after_the_fix(qtbot, window: MainWindow, demo_accounts) -> None:
    failed = _broken_then_run()
    _fix_recipe()
    page = _show_failed(qtbot, window)
    qtbot.waitUntil(lambda: page.current_group() is not None, timeout=10_000)
    with qtbot.waitSignal(page.resend_done, timeout=60_000) as done:
        qtbot.mouseClick(page.group_resend, LEFT)
    assert sum(s.succeeded for s in done.args[0]) == failed
    qtbot.waitUntil(lambda: page.groups_model.rowCount() == 0, timeout=10_000)
    assert page.no_problems.isVisibleTo(page)
    assert queue.groups() == []


def test_records_search_by_order_number_and_skip_keeps_the_reason(qtbot, window: MainWindow, demo_accounts,
                                                                  monkeypatch) -> None:
    failed = _broken_then_run()
    page = _show_failed(qtbot, window)
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: len(page.records) == failed, timeout=10_000)
    assert page.count_label.text() == f"{failed} record(s)"
    assert page.resend_all.isEnabled()
    first = page.records[0]
    assert first.label.startswith("#")  # the order number, not only the internal id
    page.search.setText(first.label)
    qtbot.waitUntil(lambda: [r.id for r in page.records] == [first.id], timeout=10_000)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.record_panel.isVisibleTo(page), timeout=10_000)
    assert "已发货" in page.record_panel.what.text()
    assert "2. Action: refused" in page.detail.toPlainText()
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("order cancelled by phone", True)))
    qtbot.mouseClick(page.skip, LEFT)
    qtbot.waitUntil(lambda: not page.records, timeout=10_000)
    skipped = [e for e in runs.history("demo", status="skipped") if e.id == first.id]
    assert skipped and skipped[0].error == "skipped: order cancelled by phone"
    page.search.setText("")
    qtbot.waitUntil(lambda: len(page.records) == failed - 1, timeout=10_000)


def test_skip_a_whole_group_and_resend_all_is_off_when_empty(qtbot, window: MainWindow, demo_accounts,
                                                            monkeypatch) -> None:
    failed = _broken_then_run()
    page = _show_failed(qtbot, window)
    qtbot.waitUntil(lambda: page.current_group() is not None, timeout=10_000)
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("stage set by hand", True)))
    before = page.groups_loaded
    qtbot.mouseClick(page.group_skip, LEFT)
    qtbot.waitUntil(lambda: page.groups_loaded > before and page.groups_model.rowCount() == 0, timeout=10_000)
    assert len(runs.history("demo", status="skipped")) == failed
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.total == 0, timeout=10_000)
    assert not page.resend_all.isEnabled()


def test_date_filter_reaches_records_older_than_the_newest_page(qtbot, window: MainWindow, demo_accounts) -> None:
    failed = _broken_then_run()
    old = datetime.now(UTC) - timedelta(days=60)
    with db.session() as s:
        s.execute(update(Execution).values(updated_at=old))
    page = window.activity
    before = page.loaded
    window.show_page("activity")
    wait_loaded(qtbot, page, before)
    assert page.records == []  # the last 30 days by default
    before = page.loaded
    page.since.setDate(QDate.currentDate().addDays(-90))
    wait_loaded(qtbot, page, before)
    assert len(page.records) == failed
