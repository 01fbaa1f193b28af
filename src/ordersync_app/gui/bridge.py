"""Engine events → Qt signals: the only place where the Qt-free engine meets the GUI.

qutebrowser's ``GlobalMessageBridge`` habit (STYLE habit 13, ``qutebrowser/utils/message.py``):
the engine calls plain listeners on worker threads; this QObject lives on the GUI thread, so
emitting its signals from those threads queues the calls to the GUI thread (Qt's automatic
connection type). Summaries are copied so the GUI never reads an object a run is still changing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from ordersync_app.engine.events import EventHub, hub


class EngineBridge(QObject):
    """Re-emits ``run_did_start`` … ``recipe_did_pause``, ``run_did_catch_up`` as past-tense Qt signals."""

    run_started = Signal(int, str)  # run id, recipe
    run_progressed = Signal(int, object)  # run id, RunSummary copy
    record_finished = Signal(int, str, str)  # run id, record key, status
    run_finished = Signal(int, object)  # run id, RunSummary copy
    recipe_paused = Signal(str, str)  # recipe, reason
    run_caught_up = Signal(str, str)  # recipe, cursor it resumed from after a pause

    def __init__(self, parent: QObject | None = None, *, events: EventHub = hub) -> None:
        super().__init__(parent)
        self._events = events
        self._unsubscribe: list[Callable[[], None]] = []

    def attach(self) -> None:
        """Start listening to the engine's events."""
        if self._unsubscribe:
            return
        on = self._events.subscribe
        self._unsubscribe = [
            on("run_did_start", lambda run_id, recipe, **_: self.run_started.emit(run_id, recipe)),
            on("run_did_progress", lambda run_id, summary, **_: self.run_progressed.emit(run_id, _copy(summary))),
            on("record_did_finish",
               lambda run_id, key, status, **_: self.record_finished.emit(run_id, str(key), str(status))),
            on("run_did_finish", lambda run_id, summary, **_: self.run_finished.emit(run_id, _copy(summary))),
            on("recipe_did_pause", lambda recipe, reason, **_: self.recipe_paused.emit(recipe, reason)),
            on("run_did_catch_up", lambda recipe, since, **_: self.run_caught_up.emit(recipe, str(since))),
        ]

    def detach(self) -> None:
        """Stop listening (the window is closing)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []


def _copy(summary: Any) -> Any:
    return dataclasses.replace(summary, previews=list(summary.previews)) if dataclasses.is_dataclass(summary) \
        else summary
