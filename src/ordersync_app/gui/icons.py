"""Icons drawn with QPainter: the app icon, its health variants for the tray, and the sidebar glyphs.

Drawn in code rather than shipped as files so they stay sharp at any size and need no icon theme
(offscreen and minimal Linux desktops have none). ``resources/icons/ordersync.png`` and
``.ico`` for packaging are rendered from :func:`paint_app` by ``packaging/build.sh``.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

BRAND = QColor("#2563eb")
HEALTH = {"ok": QColor("#16a34a"), "failing": QColor("#dc2626"), "paused": QColor("#9ca3af")}


def paint_app(p: QPainter, size: float, health: str | None = None) -> None:
    """The app mark: two arrows chasing each other (sync) on a rounded square; an optional dot."""
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(BRAND)
    p.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    pen = QPen(QColor("white"), size * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    box = QRectF(size * 0.24, size * 0.24, size * 0.52, size * 0.52)
    p.drawArc(box, 30 * 16, 140 * 16)
    p.drawArc(box, 210 * 16, 140 * 16)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    radius = box.width() / 2
    centre = box.center()
    for angle in (30.0, 210.0):
        a = math.radians(angle)
        tip = QPointF(centre.x() + radius * math.cos(a), centre.y() - radius * math.sin(a))
        s = size * 0.12
        direction = -1 if angle == 30.0 else 1
        path = QPainterPath(QPointF(tip.x() - s, tip.y() + direction * s * 0.1))
        path.lineTo(QPointF(tip.x() + s, tip.y() + direction * s * 0.1))
        path.lineTo(QPointF(tip.x(), tip.y() + direction * s))
        path.closeSubpath()
        p.drawPath(path)
    if health:
        d = size * 0.38
        p.setPen(QPen(QColor("white"), size * 0.05))
        p.setBrush(HEALTH.get(health, HEALTH["paused"]))
        p.drawEllipse(QRectF(size - d - size * 0.02, size - d - size * 0.02, d, d))


def app_pixmap(size: int = 256, health: str | None = None) -> QPixmap:
    """The app icon as a pixmap."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    paint_app(painter, size, health)
    painter.end()
    return pix


def app_icon(health: str | None = None) -> QIcon:
    """The app icon (with a health dot for the tray: ok, failing or paused)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(app_pixmap(size, health))
    return icon


def _glyph(name: str, p: QPainter, s: float, color: QColor) -> None:
    pen = QPen(color, s * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if name == "home":
        path = QPainterPath(QPointF(s * .15, s * .5))
        for x, y in ((.5, .18), (.85, .5)):
            path.lineTo(QPointF(s * x, s * y))
        p.drawPath(path)
        p.drawRect(QRectF(s * .27, s * .48, s * .46, s * .36))
    elif name == "recipes":
        for y in (.12, .42, .72):
            p.drawRoundedRect(QRectF(s * .25, s * y, s * .5, s * .18), s * .05, s * .05)
        p.drawLine(QPointF(s * .5, s * .3), QPointF(s * .5, s * .42))
        p.drawLine(QPointF(s * .5, s * .6), QPointF(s * .5, s * .72))
    elif name == "accounts":
        p.drawEllipse(QRectF(s * .34, s * .12, s * .32, s * .32))
        p.drawArc(QRectF(s * .16, s * .52, s * .68, s * .6), 0, 180 * 16)
    elif name == "activity":
        path = QPainterPath(QPointF(s * .08, s * .55))
        for x, y in ((.3, .55), (.42, .2), (.58, .82), (.7, .55), (.92, .55)):
            path.lineTo(QPointF(s * x, s * y))
        p.drawPath(path)
    elif name == "templates":
        p.drawRect(QRectF(s * .3, s * .12, s * .5, s * .6))
        p.drawPolyline([QPointF(s * .2, s * .28), QPointF(s * .2, s * .86), QPointF(s * .66, s * .86)])
    elif name == "settings":
        p.drawEllipse(QRectF(s * .35, s * .35, s * .3, s * .3))
        for i in range(8):
            a = math.radians(i * 45)
            c = s / 2
            p.drawLine(QPointF(c + s * .24 * math.cos(a), c + s * .24 * math.sin(a)),
                       QPointF(c + s * .38 * math.cos(a), c + s * .38 * math.sin(a)))


def glyph(name: str, color: str = "#374151", size: int = 40) -> QIcon:
    """A sidebar glyph (home, recipes, accounts, activity, templates, settings)."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QBrush())
    _glyph(name, painter, size, QColor(color))
    painter.end()
    return QIcon(pix)
