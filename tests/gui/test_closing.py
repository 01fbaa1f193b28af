"""Closing the window on a desktop without a tray says that syncing stops and offers a background worker."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from ordersync_app.gui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def _button(box: QMessageBox, role: QMessageBox.ButtonRole):
    return next(b for b in box.buttons() if box.buttonRole(b) == role)


def test_closing_without_a_tray_offers_to_keep_syncing(qtbot, window: MainWindow, home) -> None:
    window.tray_available = False
    window.ctx.host = SimpleNamespace(state="running")  # this window schedules switched-on recipes
    window.close()
    box = window.last_question
    assert box is not None and box.isVisible() and window.isVisible()
    assert "closing the window stops syncing" in box.text()
    qtbot.mouseClick(_button(box, QMessageBox.ButtonRole.RejectRole), LEFT)  # Cancel: nothing happens
    assert window.isVisible()
    window.close()
    box = window.last_question
    with qtbot.waitSignal(window.keep_syncing_requested), qtbot.waitSignal(window.quit_requested):
        qtbot.mouseClick(_button(box, QMessageBox.ButtonRole.AcceptRole), LEFT)
    assert not window.isVisible()
    window.ctx.host = None


def test_closing_when_nothing_is_scheduled_just_quits(qtbot, window: MainWindow, home) -> None:
    window.tray_available = False
    with qtbot.waitSignal(window.quit_requested):
        window.close()
    assert window.last_question is None
