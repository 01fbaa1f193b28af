"""The window stays responsive during a big run: the run goes through the Recipes page's "Run now" (the one
background helper) off the GUI thread, and while it runs the GUI thread keeps handling events — the
bridge's queued progress signals arrive one by one during the run, and a 10 ms timer keeps ticking between
them — and the pages refresh when the run ends.

How long the event loop ever waits is a speed figure, not a test: ``bench/responsive.py`` measures the
longest gap during a 2,000-record run beside the same window idle (these machines are shared and noisy).
"""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt, QTimer
from tests.gui.conftest import TEMPLATES

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import accounts, recipes, runs, sandbox

ORDERS = 2000


class GapMeter:
    """Largest interval between ticks of a 10 ms timer on the GUI thread."""

    def __init__(self) -> None:
        self.last = time.monotonic()
        self.worst = 0.0
        self.ticks = 0
        self.progress_ticks: list[int] = []  # the tick count at each progress signal the GUI thread handled
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.monotonic()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.ticks += 1

    def start(self) -> None:
        self.last = time.monotonic()
        self.timer.start()


@pytest.fixture
def big_recipe(home):
    try:
        accounts.add_account("big-shop", "shopify", base_url="sandbox://shopify")
        accounts.add_account("big-crm", "hubspot", base_url="sandbox://hubspot")
        sandbox.seed(ORDERS)
        text = (TEMPLATES / "shopify-order-to-hubspot-contact.yaml").read_text("utf-8")
        recipes.import_recipe(text.replace("start: now", "start: everything"),
                              {"shop": "big-shop", "crm": "big-crm"}, name="big")
        yield "big"
    finally:
        sandbox.stop_in_process()


def _run_and_measure(qtbot, window: MainWindow, *, stop_after: int | None) -> tuple[GapMeter, object]:
    page = window.recipes
    window.show_page("recipes")
    qtbot.waitUntil(lambda: bool(page.items), timeout=10_000)
    page.select("big")
    meter = GapMeter()
    stop = threading.Event()
    seen = {"n": 0}

    def progressed(_run_id: int, summary: object) -> None:
        seen["n"] = summary.seen  # type: ignore[attr-defined]
        if stop_after and summary.seen >= stop_after:  # type: ignore[attr-defined]
            stop.set()

    window.ctx.bridge.run_progressed.connect(progressed)
    window.ctx.bridge.run_progressed.connect(lambda *_: meter.progress_ticks.append(meter.ticks))
    done: list[object] = []
    meter.start()
    # the page's own "Run now" path, with a stop event so the fast test can end the run early
    window.ctx.tasks.run(lambda: runs.run_recipe("big", stop=stop), on_success=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=300_000)
    window.ctx.data_changed.emit()  # what "Run now" does after a run: every page re-reads
    qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=30_000)
    meter.timer.stop()
    return meter, done[0]


def _kept_handling_events(meter: GapMeter) -> None:
    """Progress arrived on the GUI thread several times during the run, with timer ticks between them: the
    event loop ran while the records were being processed, not only once they were done."""
    ticks = meter.progress_ticks
    assert len(ticks) >= 3, ticks
    assert ticks[-1] > ticks[0], "the timer never ticked between two progress signals"


def test_event_loop_keeps_running_during_a_large_run(qtbot, window: MainWindow, big_recipe) -> None:
    window.show_page("activity")
    meter, summary = _run_and_measure(qtbot, window, stop_after=250)
    assert summary.seen >= 250  # type: ignore[attr-defined]
    _kept_handling_events(meter)


@pytest.mark.slow
def test_event_loop_keeps_running_during_two_thousand_records(qtbot, window: MainWindow, big_recipe) -> None:
    window.show_page("activity")
    meter, summary = _run_and_measure(qtbot, window, stop_after=None)
    assert summary.succeeded == ORDERS  # type: ignore[attr-defined]
    _kept_handling_events(meter)
