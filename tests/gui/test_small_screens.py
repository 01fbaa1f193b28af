"""The window fits a 1366×768 laptop with its frame, and every page is usable at 1024×600: no primary control
is cut off (outside the window, or narrower than its text) unless it sits in a scroll area."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QPushButton,
    QWidget,
)
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.main_window import DEFAULT_SIZE, MINIMUM_SIZE, MainWindow

FRAME_AND_TASKBAR = 30 + 40  # a title bar and a taskbar, at least


def _in_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def clipped(window: MainWindow) -> list[str]:
    """Visible buttons, choices and text boxes that the user could not see or read in full."""
    for _ in range(3):  # let pending layout requests (texts set by the last data) settle
        QApplication.processEvents()
    found = []
    area = window.rect()
    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not isinstance(widget, QAbstractButton | QComboBox | QLineEdit):
            continue
        if _in_scroll_area(widget) or widget.width() <= 0:
            continue  # reachable by scrolling
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        name = f"{type(widget).__name__} '{getattr(widget, 'text', lambda: '')()}'"
        if not area.contains(rect):
            found.append(f"{name} at {rect.getRect()} is outside the {area.width()}×{area.height()} window")
        if isinstance(widget, QPushButton) and widget.width() < widget.minimumSizeHint().width() - 2:
            found.append(f"{name} is {widget.width()} px wide, its text needs {widget.minimumSizeHint().width()}")
    return found


def test_default_size_fits_a_1366x768_screen_with_its_frame() -> None:
    assert DEFAULT_SIZE.width() <= 1366 and DEFAULT_SIZE.height() + FRAME_AND_TASKBAR <= 768
    assert MINIMUM_SIZE.width() <= 1024 and MINIMUM_SIZE.height() + FRAME_AND_TASKBAR <= 600


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_page_at_1024x600(qtbot, window: MainWindow, demo_accounts, lang: str) -> None:
    from tests.gui.conftest import FULFILLED_TEMPLATE

    from ordersync_app.gui import i18n
    from ordersync_app.services import recipes, runs

    recipes.import_recipe(FULFILLED_TEMPLATE.read_text("utf-8").replace("start: now", "start: everything")
                          .replace("FULFILLED: shipped", "FULFILLED: 已发货"),
                          {"shop": "demo-shop", "crm": "demo-crm"}, name="demo")
    runs.run_recipe("demo")  # something in every table, and a problem in Activity
    if lang != "en":
        i18n.install(lang)
        window.build()
    window.resize(1024, 600)
    qtbot.waitUntil(lambda: window.size() == QSize(1024, 600), timeout=5_000)
    problems: dict[str, list[str]] = {}
    for name in ("home", "recipes", "accounts", "activity", "templates", "settings"):
        page = window.pages[name]
        before = page.loaded
        window.show_page(name)
        wait_loaded(qtbot, page, before)
        qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=10_000)
        problems[name] = clipped(window)
        assert window.size() == QSize(1024, 600), f"{name} forces the window to grow to {window.size()}"
    window.open_builder("demo")
    qtbot.waitUntil(lambda: window.builder.loaded >= 1 and window.builder.state.live, timeout=15_000)
    problems["builder"] = clipped(window)
    window.show_guide()
    qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=10_000)
    problems["guide"] = clipped(window)
    assert window.size() == QSize(1024, 600)
    assert {k: v for k, v in problems.items() if v} == {}
