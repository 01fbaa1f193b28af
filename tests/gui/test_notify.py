"""The desktop alert sink: alerts sent on a run's thread are shown on the GUI thread."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QThread
from PySide6.QtWidgets import QMainWindow

from ordersync_app.alerts import registered_sinks
from ordersync_app.alerts.policy import sample_alert
from ordersync_app.gui import i18n
from ordersync_app.gui.notify import DesktopAlerts
from ordersync_app.services import alerts


def test_alert_from_a_worker_thread_is_shown_on_the_gui_thread(qtbot, home: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    sink = DesktopAlerts(window, window=window)  # no tray offscreen: the status bar shows it
    sink.install()
    shown_on: list[QThread] = []
    sink.shown.connect(lambda *_: shown_on.append(QThread.currentThread()))
    sent_from: list[int] = []

    def run_thread() -> None:  # what alerts.observe_run does at the end of a scheduled run
        sent_from.append(threading.get_ident())
        alerts.test_sink("desktop")

    try:
        assert "desktop" in registered_sinks()
        worker = threading.Thread(target=run_thread)
        with qtbot.waitSignal(sink.shown, timeout=5_000) as blocker:
            worker.start()
        worker.join()
    finally:
        sink.uninstall()
    assert sent_from and sent_from[0] != threading.get_ident()
    assert shown_on == [QCoreApplication.instance().thread()]
    title, body = blocker.args
    assert title == "OrderSync test alert"
    assert "reach this channel" in body
    assert window.statusBar().currentMessage().startswith("OrderSync test alert: If you can read this")
    assert "desktop" not in registered_sinks()
    assert alerts.show()["deliveries"][-1]["ok"] is True


def test_alert_text_follows_the_language(qtbot, home: Path) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    sink = DesktopAlerts(window, window=window)
    i18n.install("zh_CN")
    try:
        with qtbot.waitSignal(sink.shown, timeout=5_000) as blocker:
            sink.send(sample_alert())
    finally:
        i18n.install("en")
    assert blocker.args[0] == "OrderSync 测试提醒"
    assert blocker.args[1].startswith("收到这条消息")
