"""The scheduler hosted by the desktop app: APScheduler on its own threads, never on the GUI thread.

``RecipeScheduler`` takes the per-data-directory lock, so when ``ordersync worker`` (or another
app window) already schedules these recipes this app says so and leaves scheduling to it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from ordersync_app.domain.errors import SetupError
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.tasks import describe
from ordersync_app.scheduler.worker import RecipeScheduler


class SchedulerHost(QObject):
    """Starts, refreshes, pauses and stops the in-app scheduler.

    Signals:
        state_changed(str): ``starting``, ``running``, ``paused``, ``elsewhere`` or ``stopped``.
    """

    state_changed = Signal(str)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.scheduler = RecipeScheduler()
        self.state = "stopped"
        self.note = ""
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(500)
        self._debounce.timeout.connect(self._refresh_now)
        ctx.data_changed.connect(self._debounce.start)
        ctx.host = self

    def _set(self, state: str, note: str = "") -> None:
        self.state, self.note = state, note
        self.state_changed.emit(state)

    def start(self) -> None:
        """Take the lock and schedule the enabled recipes (on a worker thread)."""
        self._set("starting")

        def failed(exc: BaseException) -> None:
            self._set("elsewhere" if isinstance(exc, SetupError) else "stopped", describe(exc))

        self.ctx.tasks.run(self.scheduler.start, on_success=lambda _r: self._set("running"), on_failure=failed)

    def _refresh_now(self) -> None:
        if self.state in ("running", "paused"):
            self.ctx.tasks.run(self.scheduler.refresh, title=self.tr("Updating the schedule"))

    def run_all_now(self) -> None:
        """Run every scheduled recipe as soon as possible."""
        if self.state == "running":
            self.scheduler.run_all_now()

    def set_paused(self, *, paused: bool) -> None:
        """Pause or resume every schedule (runs in progress finish their page)."""
        if self.state not in ("running", "paused"):
            return
        if paused:
            self.scheduler.scheduler.pause()
        else:
            self.scheduler.scheduler.resume()
        self._set("paused" if paused else "running")

    def stop(self) -> None:
        """Stop scheduling and release the lock (waits for in-flight records)."""
        if self.state in ("running", "paused"):
            self.scheduler.stop()
        self._set("stopped")

    def describe(self) -> str:
        """What the scheduler is doing, for Settings and the tray."""
        texts = {
            "starting": self.tr("Starting…"),
            "running": self.tr("Running switched-on recipes on their schedules in this app."),
            "paused": self.tr("Paused: no scheduled runs until you resume."),
            "elsewhere": self.tr("Another OrderSync (app or worker) already schedules these recipes."),
            "stopped": self.tr("Stopped."),
        }
        text = texts.get(self.state, self.state)
        return f"{text}\n{self.note}" if self.note and self.state != "running" else text
