"""Where a new recipe starts reading: from now on, everything already there, or a date — chosen, not defaulted.

Why: the recipe format's default start is "from now on", so a first test run of a fresh recipe finds
nothing and reads like a failure; "everything" on a real shop can touch years of orders. Neither is a safe
silent default, so the builder (at the first save), the import wizard and the first-run guide all ask with
this chooser, each choice explained.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

CHOICES = ("now", "everything", "date")


class StartPointChooser(QWidget):
    """Three explained choices; ``value()`` is "" until the user picks one.

    Signals:
        chosen(str): a start point was picked (``now``, ``everything`` or an ISO date-time).
    """

    chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, noun: str = "") -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        things = noun or self.tr("orders")
        texts = {
            "now": (self.tr("From now on"),
                    self.tr("Only %1 that change after you save count. The past is left alone, so a first test "
                            "may find nothing to do.").replace("%1", things)),
            "everything": (self.tr("Everything already there"),
                           self.tr("Every matching %1 in the app is processed, old ones included. Preview with a "
                                   "dry run first.").replace("%1", things)),
            "date": (self.tr("From a date"),
                     self.tr("%1 that changed since the chosen day.").replace("%1", things[:1].upper() + things[1:])),
        }
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate.currentDate().addDays(-7))
        self.date.setEnabled(False)
        for i, key in enumerate(CHOICES):
            title, about = texts[key]
            radio = QRadioButton(title)
            self.group.addButton(radio, i)
            self.buttons[key] = radio
            line = QHBoxLayout()
            line.addWidget(radio)
            if key == "date":
                line.addWidget(self.date)
            line.addStretch(1)
            layout.addLayout(line)
            note = QLabel(about)
            note.setObjectName("muted")
            note.setWordWrap(True)
            note.setContentsMargins(24, 0, 0, 4)
            layout.addWidget(note)
        self.group.idToggled.connect(self._toggled)
        self.date.dateChanged.connect(lambda *_: self.chosen.emit(self.value()) if self.value() else None)

    def _toggled(self, _id: int, on: bool) -> None:
        if on:
            self.date.setEnabled(self.buttons["date"].isChecked())
            self.chosen.emit(self.value())

    def choose(self, key: str) -> None:
        """Pick ``now``, ``everything`` or ``date``."""
        self.buttons[key].setChecked(True)

    def value(self) -> str:
        """The start point in recipe-file form ("" while nothing is picked)."""
        for key, radio in self.buttons.items():
            if radio.isChecked():
                return self.date.date().toString("yyyy-MM-dd") + "T00:00:00Z" if key == "date" else key
        return ""


class StartPointDialog(QDialog):
    """Asks where a new recipe starts, at its first save."""

    def __init__(self, parent: QWidget | None = None, *, noun: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Where should this recipe start?"))
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Choose which changes this recipe handles. This is set once, when it is first "
                               "saved."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.chooser = StartPointChooser(self, noun=noun)
        layout.addWidget(self.chooser)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        self.chooser.chosen.connect(lambda value: self.ok.setEnabled(bool(value)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
