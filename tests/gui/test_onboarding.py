"""The first-run guide builds the demo recipe from an empty data folder in a handful of user actions, words the
dry run as a preview, and says why a run found nothing.

Click count for the same recipe before the guide (GUI review 2026-11): 36 clicks and 3 typed values.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QWidget
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import accounts, recipes, runs, sandbox

LEFT = Qt.MouseButton.LeftButton
TEMPLATE = "shopify-fulfilled-to-hubspot-deal-stage.yaml"
BEFORE_CLICKS, BEFORE_TYPED = 36, 3  # the shortest path the GUI review found without the guide


class User:
    """Clicks and typing as a user makes them, counted."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.clicks = 0
        self.typed = 0

    def click(self, widget: QWidget) -> None:
        self.qtbot.waitUntil(lambda: widget.isVisible() and widget.isEnabled() and widget.height() > 0,
                             timeout=20_000)
        # on the label of a radio button (its middle may be empty space past the text), else the middle
        at = QPoint(12, widget.height() // 2) if isinstance(widget, QAbstractButton) and widget.isCheckable() \
            else widget.rect().center()
        self.qtbot.mouseClick(widget, LEFT, pos=at)
        self.clicks += 1

    @property
    def actions(self) -> int:
        return self.clicks + self.typed


def _start(qtbot, window: MainWindow):
    window.start()
    guide = window.guide
    qtbot.waitUntil(lambda: window.current_page() == "guide", timeout=10_000)
    return guide


def test_demo_recipe_from_an_empty_folder_in_at_most_15_actions(qtbot, window: MainWindow, home) -> None:
    try:
        user = User(qtbot)
        guide = _start(qtbot, window)
        assert guide.stack.currentIndex() == 0 and not guide.shop_next.isEnabled()
        with qtbot.waitSignal(guide.step_changed, timeout=60_000, check_params_cb=lambda i: i == 2):
            user.click(guide.sandbox_button)  # a demo shop and CRM, with shipped orders
        qtbot.waitUntil(lambda: bool(guide.templates), timeout=10_000)
        assert not guide.preview_button.isEnabled()  # a template and a start point must be chosen
        user.click(guide.template_group.button([t.path.name for t in guide.templates].index(TEMPLATE)))
        assert not guide.preview_button.isEnabled()
        user.click(guide.start.buttons["everything"])
        with qtbot.waitSignal(guide.preview_shown, timeout=60_000) as shown:
            user.click(guide.preview_button)
        summary = shown.args[0]
        assert summary.dry_run and summary.writes == 0 and summary.previews
        changing = sum(1 for p in summary.previews if p["changes"])
        assert guide.preview_text.text().startswith(f"Dry run: {changing} deals would change; nothing was written.")
        assert guide.preview_model.rowCount() == len(summary.previews)
        with qtbot.waitSignal(guide.step_changed, timeout=20_000, check_params_cb=lambda i: i == 4):
            user.click(guide.live_button)
        assert "is switched on" in guide.live_text.text()
        user.click(guide.done_button)
        qtbot.waitUntil(lambda: window.current_page() == "recipes", timeout=10_000)

        assert user.actions <= 15, f"{user.clicks} clicks and {user.typed} typed values"
        print(f"\nThe demo recipe from an empty folder: {user.clicks} clicks + {user.typed} typed values "
              f"(before the guide: {BEFORE_CLICKS} clicks + {BEFORE_TYPED} typed values)")
        (info,) = recipes.list_recipes()
        assert info.enabled and not info.dry_run and info.document["trigger"]["start"] == "everything"
        live = runs.run_recipe(info.name)  # going live sends exactly what the preview showed
        assert live.succeeded == changing and live.failed == 0
        assert {a.label for a in accounts.list_accounts()} == {"Demo shop", "Demo CRM"}
    finally:
        sandbox.stop_in_process()


def test_a_preview_that_finds_nothing_says_why(qtbot, window: MainWindow, home) -> None:
    try:
        user = User(qtbot)
        guide = _start(qtbot, window)
        with qtbot.waitSignal(guide.step_changed, timeout=60_000, check_params_cb=lambda i: i == 2):
            user.click(guide.sandbox_button)
        qtbot.waitUntil(lambda: bool(guide.templates), timeout=10_000)
        shipped_by = time.time()  # "from now on" counts from the saved second: let the demo shipments be older
        qtbot.waitUntil(lambda: time.time() >= int(shipped_by) + 1.05, timeout=5_000)
        guide.choose_template(TEMPLATE)
        user.click(guide.start.buttons["now"])
        with qtbot.waitSignal(guide.preview_shown, timeout=60_000) as shown:
            user.click(guide.preview_button)
        assert shown.args[0].seen == 0
        assert "the start point is “from now on”, so only changes after" in guide.preview_text.text()
    finally:
        sandbox.stop_in_process()


def test_home_points_to_the_guide_until_there_is_a_recipe(qtbot, window: MainWindow, home) -> None:
    page = window.pages["home"]
    before = page.loaded
    window.show_page("home")
    wait_loaded(qtbot, page, before)
    assert page.start.isVisibleTo(page)
    qtbot.mouseClick(page.start_button, LEFT)
    assert window.current_page() == "guide"
