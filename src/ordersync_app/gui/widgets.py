"""Small shared widgets and formatters: cards, stat tiles, the week chart, status words, dates.

Status words come from the service layer in English (``failed``, ``succeeded``…); :func:`status_text`
translates them so they can be listed by ``pyside6-lupdate`` (context ``Status``).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication, QDateTime, QRectF, QSize, Qt, QTimeZone
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from ordersync_app.gui import i18n

STATUS_COLORS = {"succeeded": "#16a34a", "ok": "#16a34a", "failed": "#dc2626", "error": "#dc2626",
                 "retrying": "#d97706", "reconnect": "#dc2626", "running": "#2563eb", "previewed": "#7c3aed",
                 "unpreviewed": "#dc2626", "skipped": "#6b7280", "filtered": "#6b7280", "unchanged": "#6b7280",
                 "stopped": "#d97706", "interrupted": "#d97706", "untested": "#6b7280", "attention": "#dc2626"}


def status_text(status: str) -> str:
    """The translated word for a service-layer status."""
    words = {
        "succeeded": QCoreApplication.translate("Status", "succeeded"),
        "failed": QCoreApplication.translate("Status", "failed"),
        "retrying": QCoreApplication.translate("Status", "retrying"),
        "filtered": QCoreApplication.translate("Status", "filtered out"),
        "skipped": QCoreApplication.translate("Status", "skipped"),
        "unchanged": QCoreApplication.translate("Status", "unchanged"),
        "previewed": QCoreApplication.translate("Status", "previewed (dry run)"),
        "unpreviewed": QCoreApplication.translate("Status", "not previewed (dry run)"),
        "running": QCoreApplication.translate("Status", "running"),
        "error": QCoreApplication.translate("Status", "error"),
        "stopped": QCoreApplication.translate("Status", "stopped"),
        "interrupted": QCoreApplication.translate("Status", "interrupted"),
        "ok": QCoreApplication.translate("Status", "connected"),
        "reconnect": QCoreApplication.translate("Status", "reconnect needed"),
        "attention": QCoreApplication.translate("Status", "needs attention"),
        "untested": QCoreApplication.translate("Status", "not tested yet"),
        "active": QCoreApplication.translate("Status", "in progress"),
    }
    return words.get(status, status)


def recipe_title(info: object) -> str:
    """A recipe's title in the language in use (a template's translation when the file carries one)."""
    get = info.get if isinstance(info, dict) else lambda key, default=None: getattr(info, key, default)
    document = get("document") or {}
    translations = document.get("translations") or {}
    local = translations.get(i18n.current()) if i18n.current() != "en" else None
    name = (local or {}).get("name") if isinstance(local, dict) else None
    return str(name or get("title", "") or get("name", ""))


def when(iso: str | None) -> str:
    """A stored UTC timestamp shown in local time, in the language's short format."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso
    qdt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()), QTimeZone.systemTimeZone())
    return i18n.locale().toString(qdt, i18n.locale().dateTimeFormat(i18n.locale().FormatType.ShortFormat))


def number(value: float | int, decimals: int = 0) -> str:
    """A number with the language's digit grouping."""
    if decimals:
        return i18n.locale().toString(float(value), "f", decimals)
    return i18n.locale().toString(int(value))


class Card(QFrame):
    """A white, rounded panel with an optional title (the builder's step cards reuse it)."""

    def __init__(self, title: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(16, 12, 16, 14)
        self.body.setSpacing(8)
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.title.setVisible(bool(title))
        self.body.addWidget(self.title)

    def set_error(self, message: str | None) -> None:
        """Mark the card as having a problem (red border, message as tooltip)."""
        self.setProperty("error", bool(message))
        self.setToolTip(message or "")
        self.style().unpolish(self)
        self.style().polish(self)


class StatTile(Card):
    """A big number with a caption (Home)."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.value = QLabel("—")
        font = QFont(self.value.font())
        font.setPointSizeF(font.pointSizeF() * 2.0)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        self.caption.setObjectName("muted")
        self.body.addWidget(self.value)
        self.body.addWidget(self.caption)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set(self, text: str, color: str | None = None) -> None:
        """Show a value (optionally coloured)."""
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {color};" if color else "")


class WeekChart(QWidget):
    """Stacked bars of succeeded (green) and failed (red) records per day, last 7 days."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.days: list[tuple[str, int, int]] = []
        self.setMinimumHeight(160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(420, 180)

    def set_days(self, days: list[tuple[str, int, int]]) -> None:
        """(label, succeeded, failed) per day, oldest first."""
        self.days = days
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        metrics = self.fontMetrics()
        label_h = metrics.height() + 6
        top, bottom = metrics.height() + 6, self.height() - label_h
        peak = max([ok + bad for _d, ok, bad in self.days] + [1])
        n = max(len(self.days), 1)
        slot = self.width() / n
        bar_w = min(36.0, slot * 0.6)
        for i, (label, ok, bad) in enumerate(self.days):
            x = i * slot + (slot - bar_w) / 2
            h_ok = (bottom - top) * ok / peak
            h_bad = (bottom - top) * bad / peak
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor("#16a34a"))
            p.drawRoundedRect(QRectF(x, bottom - h_ok, bar_w, h_ok), 3, 3)
            p.setBrush(QColor("#dc2626"))
            p.drawRoundedRect(QRectF(x, bottom - h_ok - h_bad, bar_w, h_bad), 3, 3)
            p.setPen(text)
            p.drawText(QRectF(i * slot, bottom + 2, slot, label_h), Qt.AlignmentFlag.AlignCenter, label)
            if ok + bad:
                p.drawText(QRectF(i * slot, bottom - h_ok - h_bad - metrics.height() - 2, slot, metrics.height()),
                           Qt.AlignmentFlag.AlignCenter, number(ok + bad))
        p.end()


def badge(status: str) -> QLabel:
    """A coloured status word."""
    label = QLabel(status_text(status))
    label.setStyleSheet(f"color: {STATUS_COLORS.get(status, '#374151')}; font-weight: 600;")
    return label


def row(*widgets: QWidget, stretch: bool = True) -> QHBoxLayout:
    """Widgets side by side (with a trailing stretch)."""
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)
    return layout


STYLE_SHEET = """
QMainWindow, QWidget#page { background: #f5f6f8; }
QListWidget#sidebar { background: #1f2937; color: #e5e7eb; border: none; padding-top: 8px; font-size: 11pt; }
QListWidget#sidebar::item { padding: 10px 12px; border-radius: 6px; margin: 2px 8px; }
QListWidget#sidebar::item:selected { background: #2563eb; color: white; }
QFrame#card { background: white; border: 1px solid #e5e7eb; border-radius: 8px; }
QFrame#card[error="true"] { border: 2px solid #dc2626; }
QLabel#cardTitle { font-weight: 600; font-size: 11pt; }
QLabel#pageTitle { font-size: 16pt; font-weight: 600; }
QLabel#muted { color: #6b7280; }
QLabel#problem { color: #b91c1c; }
QLabel#ok { color: #15803d; }
QPushButton#primary { background: #2563eb; color: white; border: none; border-radius: 5px; padding: 6px 14px; }
QPushButton#primary:disabled { background: #93c5fd; }
QWidget[error="true"] { border: 1px solid #dc2626; }
QFrame#explanation { background: #fef2f2; border: 1px solid #fecaca; border-radius: 6px; }
QLabel#explainWhat { font-weight: 600; color: #991b1b; }
QLabel#explainTodo { color: #1f2937; font-weight: 600; }
QFrame#warning { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 6px; }
QFrame#guideStep { background: white; border: 1px solid #e5e7eb; border-radius: 8px; }
QLabel#stepDone { color: #15803d; font-weight: 600; }
QLabel#stepNow { color: #1d4ed8; font-weight: 600; }
QLabel#stepLater { color: #9ca3af; }
QLabel#secondary { color: #6b7280; font-size: 9pt; }
"""
