"""Plain observer events the engine emits; the GUI's bridge turns them into Qt signals.

Event names follow ``<subject>_did_<verb>``: ``run_did_start``, ``record_did_finish``,
``run_did_progress``, ``run_did_finish``, ``recipe_did_pause``.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
Listener = Callable[..., None]


class EventHub:
    """Subscribe by event name; emit calls listeners synchronously in the emitting thread."""

    def __init__(self) -> None:
        self._listeners: dict[str, list[Listener]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, name: str, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        with self._lock:
            self._listeners[name].append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners[name]:
                    self._listeners[name].remove(listener)

        return unsubscribe

    def emit(self, name: str, **payload: Any) -> None:
        """Call every listener of ``name``; a failing listener is logged, never breaks a run."""
        with self._lock:
            listeners = list(self._listeners.get(name, ()))
        for listener in listeners:
            try:
                listener(**payload)
            except Exception:  # a listener's bug must not stop deliveries
                log.exception("listener for %s failed", name)


hub = EventHub()
