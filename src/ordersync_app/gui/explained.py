"""A problem told in plain words: what happened, why, what to do, a fix button, and folded details.

Used wherever an error reaches the user (Activity, Recipes, Accounts, the account dialog). The words come
from :func:`ordersync_app.services.explain.explain` in the language in use; the vendor's raw answer stays
under "Details", folded, for support.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit, QPushButton, QToolButton, QVBoxLayout, QWidget

from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.gui import i18n
from ordersync_app.gui.widgets import row
from ordersync_app.services.explain import Explanation, explain


def action_text(action: str | None) -> str:
    """The label of a fix button ("" when the fix is to wait)."""
    return {
        "pick_valid_stage": QCoreApplication.translate("Explained", "Pick a valid stage"),
        "open_recipe_field": QCoreApplication.translate("Explained", "Open the recipe at this field"),
        "open_recipe": QCoreApplication.translate("Explained", "Open the recipe"),
        "reconnect_account": QCoreApplication.translate("Explained", "Reconnect account"),
        "unlock_keychain": QCoreApplication.translate("Explained", "Unlock the password store"),
        "resend": QCoreApplication.translate("Explained", "Re-send"),
        "open_log": QCoreApplication.translate("Explained", "Open the log folder"),
    }.get(action or "", "")


def plain(error: BaseException | str, *, connector: str | None = None, kind: str | None = None) -> str:
    """One paragraph for a status line or note (the language in use)."""
    cause = error if isinstance(error, OrderSyncError | str) else None
    if cause is None:
        return QCoreApplication.translate("Explained", "Something went wrong inside OrderSync; see the log file.")
    return explain(cause, connector=connector, kind=kind).render(i18n.current())


class ExplanationPanel(QFrame):
    """Shows one :class:`Explanation`.

    Signals:
        action_requested(str): the fix button was pressed (its action id).
    """

    action_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("explanation")
        self.explanation: Explanation | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        self.what = QLabel("")
        self.what.setObjectName("explainWhat")
        self.what.setWordWrap(True)
        self.why = QLabel("")
        self.why.setWordWrap(True)
        self.todo = QLabel("")
        self.todo.setWordWrap(True)
        self.todo.setObjectName("explainTodo")
        for label in (self.what, self.why, self.todo):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addWidget(label)
        self.fix = QPushButton("")
        self.fix.setObjectName("primary")
        self.fix.clicked.connect(lambda: self.action_requested.emit(self.explanation.action if self.explanation
                                                                    else ""))
        self.extra = row(self.fix)
        layout.addLayout(self.extra)
        self.toggle = QToolButton()
        self.toggle.setText(self.tr("Details"))
        self.toggle.setCheckable(True)
        self.toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.toggled.connect(self._fold)
        layout.addWidget(self.toggle)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        self.details.hide()
        layout.addWidget(self.details)
        self.clear()

    def _fold(self, open_: bool) -> None:
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)
        self.details.setVisible(open_)

    def clear(self) -> None:
        """Show nothing."""
        self.explanation = None
        self.hide()

    def show_explanation(self, explanation: Explanation, *, extra_details: str = "") -> None:
        """Show an explanation in the language in use."""
        lang = i18n.current()
        self.explanation = explanation
        self.what.setText(explanation.what.pick(lang))
        self.why.setText(explanation.why.pick(lang))
        self.todo.setText(explanation.todo.pick(lang))
        label = action_text(explanation.action)
        self.fix.setText(label)
        self.fix.setVisible(bool(label))
        self.details.setPlainText("\n\n".join(p for p in (explanation.details, extra_details) if p))
        self.toggle.setChecked(False)
        self.show()

    def show_error(self, error: BaseException | str, *, connector: str | None = None,
                   kind: str | None = None) -> None:
        """Explain and show an error (an exception from a task, or stored text)."""
        if isinstance(error, OrderSyncError | str):
            self.show_explanation(explain(error, connector=connector, kind=kind))
        else:
            self.show_explanation(explain(f"internal error: {type(error).__name__}", kind="app"))
