"""What every page shares: the background helper, the engine bridge, and "data changed" news.

Pages never call each other; after a change they emit :attr:`AppContext.data_changed` and every
visible page re-reads what it shows through the service layer (on a worker thread).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from ordersync_app.gui.bridge import EngineBridge
from ordersync_app.gui.tasks import Tasks


class AppContext(QObject):
    """Shared by the main window and its pages.

    Signals:
        data_changed(): recipes, accounts or runs changed; re-read.
        message(str): a short status-bar note.
        import_requested(str): open the import wizard for this file path.
        navigate(str): show a page by name.
    """

    data_changed = Signal()
    message = Signal(str)
    import_requested = Signal(str)
    navigate = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = Tasks(self)
        self.bridge = EngineBridge(self)
        self.bridge.attach()
        self.host: object | None = None  # the SchedulerHost when the app hosts the scheduler
        self.bridge.run_finished.connect(lambda *_: self.data_changed.emit())
        self.bridge.recipe_paused.connect(lambda *_: self.data_changed.emit())
        self.bridge.run_caught_up.connect(self._announce_catch_up)

    def _announce_catch_up(self, recipe: str, since: str) -> None:
        """A recipe resumes after a pause or sleep: say that the backlog is being worked through."""
        self.message.emit(self.tr("%1: catching up on changes since %2 (paused or asleep); nothing is skipped")
                          .replace("%1", recipe).replace("%2", since))

    def close(self) -> None:
        """Stop listening to the engine; work still running reports to no one."""
        self.bridge.detach()
        self.tasks.shutdown()
