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

from PySide6.QtCore import QCoreApplication, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPainter
from PySide6.QtWidgets import QApplication, QWidget

from ordersync_app.domain.errors import OrderSyncError
from ordersync_app.gui import i18n, icons
from ordersync_app.gui.builder.cards import ActionCard
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.main_window import DEFAULT_SIZE, PAGES, MainWindow

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


def _size(text: str) -> QSize:
    width, _, height = text.lower().partition("x")
    try:
        return QSize(int(width), int(height))
    except ValueError:
        raise SystemExit(f"--size must look like 1024x600, not {text!r}") from None


def _settle(ctx: AppContext) -> None:
    for _ in range(3):
        ctx.tasks.wait_idle()
        QCoreApplication.processEvents()


def screenshot(window: MainWindow, ctx: AppContext, page: str, path: Path, size: QSize | None = None) -> None:
    """Render ``page`` to ``path`` once its data has loaded.

    Pages: the sidebar's, ``builder:<recipe>``, ``failed`` (the grouped failed queue), ``fix`` (its first
    group's fix: the recipe at the refused field), ``guide`` (the first-run guide), ``guide:preview`` (the
    guide's dry-run step, on the sandbox) and ``account:<app>:<method>`` (the Add-account dialog).
    """
    window.resize(size or DEFAULT_SIZE)
    window.show()
    kind, _, rest = page.partition(":")
    dialog: QWidget | None = None
    if kind == "builder":  # a stored recipe in the builder, with its sample loaded
        window.open_builder(rest)
        _settle(ctx)
        actions = window.builder.cards(ActionCard)
        if actions:  # show the field mapper
            window.builder.scroll_area.verticalScrollBar().setValue(actions[0].y() - 8)
    elif kind == "guide":
        window.show_guide()
        _settle(ctx)
        if rest == "preview":
            window.guide.use_sandbox()
            _settle(ctx)
            window.guide.choose_template("shopify-fulfilled-to-hubspot-deal-stage.yaml")
            window.guide.start.choose("everything")
            window.guide.make_preview()
    elif kind == "fix":  # the failed queue's fix: the recipe opened at the refused field, allowed values offered
        window.show_page("failed")
        _settle(ctx)
        group = window.activity.current_group()
        if group is not None and group.explanation.action:
            window.apply_fix(group.explanation.action, group.recipe, group.explanation)
            _settle(ctx)
            editor = window.builder.focus_field(group.explanation.field or "match",
                                                [(o, o) for o in group.explanation.options] or None)
            if editor is not None:
                _settle(ctx)
                window.builder.scroll_area.ensureWidgetVisible(editor, 0, 160)
                dialog = editor.edit_transforms()
                if dialog.list.count():
                    dialog.list.setCurrentRow(dialog.list.count() - 1)
    elif kind == "account":
        window.show_page("accounts")
        _settle(ctx)
        connector, _, method = rest.partition(":")
        found = window.accounts.open_dialog(connector or "hubspot")
        if method:
            found.choose_method(method)
        found.name.setText("我的 CRM" if i18n.is_zh() else "My CRM")
        dialog = found
    else:
        window.show_page(page)
    _settle(ctx)
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = window.grab()
    if dialog is not None:
        shot = dialog.grab()
        painter = QPainter(picture)
        painter.fillRect(picture.rect(), QColor(0, 0, 0, 70))
        painter.drawPixmap((picture.width() - shot.width()) // 2, max(0, (picture.height() - shot.height()) // 2),
                           shot)
        painter.end()
    if not picture.save(str(path)):
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
    extra = ("builder", "failed", "guide", "account", "fix")
    if page.partition(":")[0] not in (*PAGES, *extra):
        raise SystemExit(f"unknown page '{page}'; choose one of {', '.join((*PAGES, *extra))}")
    if shot:
        window = MainWindow(ctx)
        screenshot(window, ctx, page, Path(shot), _size(getattr(args, "size", "") or "1180x680"))
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
    handover: list[bool] = []
    window.quit_requested.connect(app.quit)
    window.keep_syncing_requested.connect(lambda: handover.append(True))
    instance.show_requested.connect(lambda: bring_to_front(window))
    host.start()
    window.show_page(page)
    window.show()
    if page == "home":
        window.start()  # the first-run guide on an empty data folder
    code = app.exec()
    desktop.uninstall()
    host.stop()
    if handover:  # closed without a tray: keep syncing without a window
        from ordersync_app.services import background

        try:
            log.info("background worker started (pid %d)", background.start_worker())
        except OrderSyncError as exc:
            log.error("could not start the background worker: %s", exc.render())
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
