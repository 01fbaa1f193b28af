"""Starting the desktop app: Qt application, language, single instance, tray, in-app scheduler.

``main(args)`` is what ``ordersync`` and ``ordersync gui`` call. It registers the desktop alert
sink (``gui.notify``) so the alert policy's popups reach the tray. With ``--screenshot FILE`` it
renders one page offscreen (after its data has loaded) to a PNG and exits, without the tray,
the scheduler or the single-instance check, so it also works in CI and in tests.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from ordersync_app.gui import i18n, icons
from ordersync_app.gui.builder.cards import ActionCard
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.main_window import PAGES, MainWindow

log = logging.getLogger(__name__)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                "Microsoft YaHei", "PingFang SC")


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (created once), with names used by QSettings and the desktop."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or [sys.argv[0]])
    assert isinstance(app, QApplication)
    app.setApplicationName("OrderSync")
    app.setOrganizationName("OrderSync")
    app.setDesktopFileName("ordersync")
    app.setWindowIcon(icons.app_icon())
    return app


def tune_gc() -> None:
    """Keep garbage-collection pauses off the event loop's critical path.

    A full (generation 2) collection walks every tracked object while holding the GIL, so it
    stops the GUI thread too; with Qt, the connectors and the recipe catalogue loaded that is
    ~150,000 objects and 60-200 ms per pass. ``gc.freeze()`` moves everything alive after start-up
    into a permanent generation that later passes skip, and a larger first threshold makes passes
    rarer (CPython docs, gc.freeze: "useful ... to avoid ... collections"; Instagram's write-up of
    the same technique).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(5_000, 10, 20)


def use_cjk_font(app: QApplication) -> str | None:
    """Prefer an installed Simplified Chinese UI font so CJK text is legible (None if none found)."""
    families = set(QFontDatabase.families())
    for family in CJK_FAMILIES:
        if family in families:
            font = QFont(app.font())
            font.setFamilies([family, *font.families()])
            app.setFont(font)
            return family
    log.warning("no CJK font installed; Chinese text may show as boxes (install fonts-noto-cjk)")
    return None


def screenshot(window: MainWindow, ctx: AppContext, page: str, path: Path) -> None:
    """Render ``page`` to ``path`` once its data has loaded."""
    window.resize(1180, 760)
    window.show()
    if page.startswith("add-account:"):  # add-account:APP[:SETTING=CHOICE]: the Add account form of one app
        from PySide6.QtWidgets import QComboBox

        from ordersync_app.gui.pages.accounts import AccountDialog

        _kind, app_key, *chosen = page.split(":")
        dialog = AccountDialog(ctx, window)
        dialog.app.setCurrentIndex(dialog.app.findData(app_key))
        for key, _eq, value in (c.partition("=") for c in chosen):
            combo = dialog.fields.get(key)
            if isinstance(combo, QComboBox):
                combo.setCurrentIndex(combo.findData(value))
        dialog.show()
        QCoreApplication.processEvents()
        layout = dialog.layout()
        assert layout is not None
        dialog.resize(640, layout.totalHeightForWidth(640))  # wrapped help texts get their full height
        QCoreApplication.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not dialog.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        return
    if page.startswith("builder:"):  # a stored recipe in the builder, with its sample loaded
        window.open_builder(page.partition(":")[2])
        ctx.tasks.wait_idle()
        window.builder.load_sample()
        ctx.tasks.wait_idle()
        actions = window.builder.cards(ActionCard)
        if actions:  # show the field mapper
            window.builder.scroll_area.verticalScrollBar().setValue(actions[0].y() - 8)
    else:
        window.show_page(page)
    ctx.tasks.wait_idle()
    QCoreApplication.processEvents()
    ctx.tasks.wait_idle()
    QCoreApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        raise OSError(f"could not write {path}")


def main(args: argparse.Namespace) -> int:
    """Run the app (or take a screenshot); returns the exit code."""
    shot = getattr(args, "screenshot", None)
    if shot:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = application()
    use_cjk_font(app)
    i18n.install(getattr(args, "lang", None))
    ctx = AppContext(app)
    tune_gc()
    page = getattr(args, "page", "home") or "home"
    if page.partition(":")[0] not in (*PAGES, "builder", "failed", "add-account"):
        raise SystemExit(f"unknown page '{page}'; choose one of {', '.join((*PAGES, 'builder'))}")
    if shot:
        window = MainWindow(ctx)
        screenshot(window, ctx, page, Path(shot))
        ctx.close()
        return 0

    from ordersync_app.gui import single, tray
    from ordersync_app.gui.host import SchedulerHost
    from ordersync_app.gui.notify import DesktopAlerts

    if single.ask_running_instance():
        log.info("OrderSync is already running for this data folder; brought it to the front")
        return 0
    instance = single.InstanceServer(app)
    app.setQuitOnLastWindowClosed(False)
    window = MainWindow(ctx)
    host = SchedulerHost(ctx)
    tray_icon = None
    if tray.available():
        tray_icon = tray.Tray(ctx, host)
        tray_icon.open_requested.connect(lambda: bring_to_front(window))
        tray_icon.quit_requested.connect(lambda: quit_app(window))
        tray_icon.show()
        window.tray_available = True
        window.tray = tray_icon  # type: ignore[attr-defined]
    else:
        QTimer.singleShot(0, lambda: window.statusBar().showMessage(QCoreApplication.translate("MainWindow",
            "No system tray on this desktop: OrderSync runs while this window is open."), 30000))
    desktop = DesktopAlerts(ctx, tray=tray_icon.icon if tray_icon else None, window=window)
    desktop.install()  # alerts.observe_run calls it from run threads; shown on this thread
    window.quit_requested.connect(app.quit)
    instance.show_requested.connect(lambda: bring_to_front(window))
    host.start()
    window.show_page(page)
    window.show()
    code = app.exec()
    desktop.uninstall()
    host.stop()
    ctx.close()
    return int(code)


def bring_to_front(window: MainWindow) -> None:
    """Show, un-minimise and raise the window."""
    window.show()
    window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.raise_()
    window.activateWindow()


def quit_app(window: MainWindow) -> None:
    """Quit from the tray."""
    window.really_quit = True
    window.close()
    QCoreApplication.quit()
