"""A recipe resuming after a pause is announced to the user, from the engine's worker thread."""

from __future__ import annotations

import threading
from pathlib import Path

from ordersync_app.engine.events import hub
from ordersync_app.gui.context import AppContext


def test_catch_up_event_becomes_a_message_on_the_gui_thread(qtbot, home: Path) -> None:
    context = AppContext()
    try:
        worker = threading.Thread(target=lambda: hub.emit("run_did_catch_up", run_id=7, recipe="orders",
                                                          since="2026-11-20T08:00:00Z"))
        with qtbot.waitSignal(context.message, timeout=5_000) as blocker:
            worker.start()
        worker.join()
        assert blocker.args[0] == ("orders: catching up on changes since 2026-11-20T08:00:00Z "
                                   "(paused or asleep); nothing is skipped")
    finally:
        context.close()
