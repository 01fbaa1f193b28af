"""The one way the GUI does slow work: a function on a worker thread, then a callback on the GUI thread.

Anki's ``QueryOp`` habit (STYLE habit 12, ankitects/anki ``qt/aqt/operations/__init__.py``): the
background function gets no widgets and returns plain data; ``on_success``/``on_failure`` run on
the GUI thread through a queued signal. So the event loop never waits on the network or SQLite.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.domain.redact import mask

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Created on the GUI thread, so signals emitted from the worker are delivered there (queued)."""

    succeeded = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI thread, never lost on a worker thread
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


def _deliver(callback: Callable[[Any], None], value: Any) -> None:
    """Call back, unless the widgets the callback would update were destroyed meanwhile (a page rebuilt
    for another language, a dialog closed): then there is no one left to tell."""
    try:
        callback(value)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise
        log.debug("a background answer arrived for a closed widget: %s", exc)


def describe(exc: BaseException) -> str:
    """A one-paragraph message for the user, in plain words and the language in use.

    Known errors say what happened and what to do (``services.explain``); recipe problems are listed
    in plain words (``services.problems``); anything else points at the log file.
    """
    from ordersync_app.gui import i18n
    from ordersync_app.services.explain import explain
    from ordersync_app.services.problems import plain_problems

    lang = i18n.current()
    problems = getattr(exc, "problems", None)
    if isinstance(exc, OrderSyncError) and problems and all(isinstance(p, str) for p in problems):
        header = "连接器文件有问题：" if lang.startswith("zh") else "The connector file has problems:"
        return "\n".join([header, *(f"• {p}" for p in problems)])  # a connector file's (located, technical)
    if isinstance(exc, OrderSyncError) and problems:
        header = "这个流程有问题：" if lang.startswith("zh") else "The recipe has problems:"
        return "\n".join([header, *(f"• {p.text.pick(lang)}" for p in plain_problems(problems))])
    if isinstance(exc, OrderSyncError):
        return explain(exc).render(lang)
    log.debug("unexpected error shown to the user: %s", mask(f"{type(exc).__name__}: {exc}"))
    return explain(f"internal error: {type(exc).__name__}", kind="app").render(lang)


class Tasks(QObject):
    """Runs callables on a thread pool; ``busy_changed`` says how many are running.

    Signals:
        busy_changed(int): the number of running tasks changed.
        failed(str, str): a task without its own ``on_failure`` failed (title, message).
    """

    busy_changed = Signal(int)
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None, *, max_threads: int = 4) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._running: set[_Relay] = set()
        self.closed = False  # after shutdown(): no new work, and late answers are dropped

    @property
    def busy(self) -> int:
        """Tasks started and not yet reported back."""
        return len(self._running)

    def run(self, fn: Callable[[], Any], *, on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException], None] | None = None, title: str = "") -> None:
        """Call ``fn()`` on a worker thread, then ``on_success(result)`` or ``on_failure(exc)`` here.

        Args:
            fn: plain work (services calls); it must not touch widgets.
            on_success: called on the GUI thread with ``fn``'s result.
            on_failure: called on the GUI thread with the exception; when None, ``failed`` is
                emitted with ``title`` and a readable message.
            title: what was being done, for the default failure message.
        """
        if self.closed:
            return
        relay = _Relay(self)
        self._running.add(relay)

        def done() -> None:
            self._running.discard(relay)
            relay.deleteLater()
            self.busy_changed.emit(len(self._running))

        def succeeded(result: Any) -> None:
            done()
            if on_success is not None and not self.closed:
                _deliver(on_success, result)

        def failed(exc: BaseException) -> None:
            done()
            if self.closed:
                return
            if not isinstance(exc, OrderSyncError):
                log.error("background task failed", exc_info=exc)
            if on_failure is not None:
                _deliver(on_failure, exc)
            else:
                self.failed.emit(title, describe(exc))

        relay.succeeded.connect(succeeded)
        relay.failed.connect(failed)
        self.busy_changed.emit(len(self._running))
        self.pool.start(_Job(fn, relay))

    def shutdown(self) -> None:
        """Stop taking work and drop the answers of work still running (the window is going away)."""
        self.closed = True

    def wait_idle(self, timeout_ms: int = 30_000) -> bool:
        """Block until the pool is empty and every callback ran (screenshots and shutdown only)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop

        deadline = QDeadlineTimer(timeout_ms)
        while self._running and not deadline.hasExpired():
            self.pool.waitForDone(50)
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return not self._running
