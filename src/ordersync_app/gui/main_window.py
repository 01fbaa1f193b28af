"""The main window: a sidebar of pages (Home, Recipes, Accounts, Activity, Templates, Settings).

The recipe builder and the first-run guide are unlisted pages (opened from Recipes, Home, or on an empty
data folder). Changing the language rebuilds the pages (cheaper to get right than re-translating every
widget in place). The window fits a 1366×768 laptop with its frame and stays usable down to 1024×600.
Leaving the builder with unsaved changes asks first; closing the window on a desktop without a tray says
that syncing stops and offers to keep a background worker running.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from ordersync_app import paths
from ordersync_app.gui import i18n, icons
from ordersync_app.gui.builder.editor import RecipeBuilder
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.onboarding import OnboardingGuide
from ordersync_app.gui.pages.accounts import AccountsPage
from ordersync_app.gui.pages.activity import ActivityPage
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.pages.home import HomePage
from ordersync_app.gui.pages.recipes import RecipesPage
from ordersync_app.gui.pages.settings import SettingsPage
from ordersync_app.gui.pages.templates import ImportWizard, TemplatesPage
from ordersync_app.gui.passphrase import with_unlocked_keychain
from ordersync_app.gui.widgets import STYLE_SHEET
from ordersync_app.services import accounts, recipes
from ordersync_app.services.explain import Explanation
from ordersync_app.services.queue import action_connector

PAGES = ("home", "recipes", "accounts", "activity", "templates", "settings")
RECIPE_SUFFIXES = (".yaml", ".yml", ".json")
DEFAULT_SIZE = QSize(1180, 680)  # + a title bar and a taskbar still fits a 1366×768 screen
MINIMUM_SIZE = QSize(800, 500)  # usable on a 1024×600 netbook screen


class MainWindow(QMainWindow):
    """Sidebar + stacked pages.

    Signals:
        quit_requested(): the user closed the window with no tray to keep running in.
        keep_syncing_requested(): as ``quit_requested``, but hand scheduling to a background worker.
    """

    quit_requested = Signal()
    keep_syncing_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tray_available = False
        self.really_quit = False
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(DEFAULT_SIZE)
        self.setMinimumSize(MINIMUM_SIZE)
        self.pages: dict[str, Page] = {}
        self.last_wizard: ImportWizard | None = None
        self.last_question: QMessageBox | None = None
        ctx.navigate.connect(self.show_page)
        ctx.import_requested.connect(self.open_import)
        ctx.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        ctx.tasks.failed.connect(self._task_failed)
        self.build()

    # -- building -----------------------------------------------------------------------------
    def build(self, page: str = "home") -> None:
        """(Re)create the sidebar and pages in the current language."""
        self.setWindowTitle(self.tr("OrderSync — orders to CRM, in sync"))
        old = self.centralWidget()
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setIconSize(QSize(22, 22))
        self.sidebar.setFixedWidth(150 if i18n.is_zh() else 170)
        self.stack = QStackedWidget()
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        labels = {"home": self.tr("Home"), "recipes": self.tr("Recipes"), "accounts": self.tr("Accounts"),
                  "activity": self.tr("Activity"), "templates": self.tr("Templates"),
                  "settings": self.tr("Settings")}
        makers = {"home": HomePage, "recipes": RecipesPage, "accounts": AccountsPage, "activity": ActivityPage,
                  "templates": TemplatesPage, "settings": SettingsPage}
        self.pages = {}
        for name in PAGES:
            item = QListWidgetItem(icons.glyph(name, "#e5e7eb"), labels[name])
            item.setData(Qt.ItemDataRole.UserRole, name)
            self.sidebar.addItem(item)
            widget = makers[name](self.ctx)
            self.pages[name] = widget
            self.stack.addWidget(widget)
        self.builder = RecipeBuilder(self.ctx)
        self.builder.closed.connect(lambda: self.leave_builder(lambda: self.show_page("recipes", force=True)))
        self.stack.addWidget(self.builder)
        self.guide = OnboardingGuide(self.ctx)
        self.guide.finished.connect(self._guide_finished)
        self.stack.addWidget(self.guide)
        self.recipes.edit_requested.connect(self.open_builder)
        self.recipes.fix_requested.connect(self.apply_fix)
        self.activity.fix_requested.connect(self.apply_fix)
        home = self.pages["home"]
        assert isinstance(home, HomePage)
        home.guide_requested.connect(self.show_guide)
        self.settings.language_changed.connect(self.change_language)
        self.sidebar.currentRowChanged.connect(self._sidebar)
        self.setCentralWidget(central)
        if old is not None:
            old.deleteLater()
        self.show_page(page, force=True)

    @property
    def recipes(self) -> RecipesPage:
        """The Recipes page."""
        page = self.pages["recipes"]
        assert isinstance(page, RecipesPage)
        return page

    @property
    def activity(self) -> ActivityPage:
        """The Activity page."""
        page = self.pages["activity"]
        assert isinstance(page, ActivityPage)
        return page

    @property
    def accounts(self) -> AccountsPage:
        """The Accounts page."""
        page = self.pages["accounts"]
        assert isinstance(page, AccountsPage)
        return page

    @property
    def settings(self) -> SettingsPage:
        """The Settings page."""
        page = self.pages["settings"]
        assert isinstance(page, SettingsPage)
        return page

    def current_page(self) -> str:
        """Name of the page shown."""
        widget = self.stack.currentWidget()
        if widget is self.builder:
            return "builder"
        if widget is self.guide:
            return "guide"
        return getattr(widget, "name", "home")

    # -- navigation ---------------------------------------------------------------------------
    def leave_builder(self, then: Callable[[], None]) -> None:
        """Run ``then`` once the builder may be left: at once, or after asking about unsaved changes."""
        if self.stack.currentWidget() is not self.builder or not self.builder.is_dirty():
            then()
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Unsaved changes"),
                          self.tr("The recipe has changes that are not saved."), parent=self)
        save = box.addButton(self.tr("Save"), QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(self.tr("Discard changes"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        self.last_question = box

        def answered() -> None:
            if box.clickedButton() is discard:
                self.builder.clean = self.builder.snapshot()
                then()
            elif box.clickedButton() is save:
                def saved(_info: object) -> None:
                    self.builder.saved.disconnect(saved)
                    then()
                self.builder.saved.connect(saved)
                self.builder.save()
            else:
                self._mark_sidebar("recipes")

        box.finished.connect(answered)
        box.open()

    def show_page(self, name: str, *, force: bool = False) -> None:
        """Show a page by name (``builder`` opens an empty builder, ``failed`` the failed queue, ``guide``
        the first-run guide) and refresh it; leaving the builder asks about unsaved changes first."""
        if not force and self.stack.currentWidget() is self.builder and name != "builder":
            self.leave_builder(lambda: self.show_page(name, force=True))
            return
        if name == "builder":
            self.open_builder("")
            return
        if name == "guide":
            self.show_guide()
            return
        if name == "failed":
            self.activity.show_failed()
            name = "activity"
        page = self.pages.get(name) or self.pages["home"]
        self._mark_sidebar(page.name)
        self.stack.setCurrentWidget(page)
        page.refresh()

    def _mark_sidebar(self, name: str) -> None:
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(PAGES.index(name))
        self.sidebar.blockSignals(False)

    def _sidebar(self, index: int) -> None:
        if 0 <= index < len(PAGES):
            self.show_page(PAGES[index])

    def open_builder(self, name: str, *, focus: tuple[str, list[tuple[str, str]] | None] | None = None) -> None:
        """Open the builder on a recipe ("" = a new one), optionally at a field to fix."""
        self._mark_sidebar("recipes")
        self.stack.setCurrentWidget(self.builder)
        self.builder.open_recipe(name, focus=focus)

    def show_guide(self) -> None:
        """Show the first-run guide."""
        self.sidebar.blockSignals(True)
        self.sidebar.clearSelection()  # not setCurrentRow(-1): the list would pick row 0 again on focus
        self.sidebar.blockSignals(False)
        self.stack.setCurrentWidget(self.guide)
        self.guide.refresh()

    def start(self) -> None:
        """Show the first-run guide on an empty data folder, Home otherwise."""
        def empty() -> bool:
            return not accounts.list_accounts() and not recipes.list_recipes()

        self.ctx.tasks.run(empty, on_success=lambda is_empty: self.show_guide() if is_empty else None,
                           title=self.tr("Reading accounts"))

    def _guide_finished(self, recipe: str) -> None:
        self.show_page("recipes" if recipe else "home", force=True)
        if recipe:
            self.recipes.select(recipe)

    def change_language(self, code: str) -> None:
        """Switch language now and rebuild the pages."""
        i18n.install(code or None)
        self.build(self.current_page() if self.current_page() not in ("builder", "guide") else "recipes")
        self.show_page("settings")

    # -- fixes offered with a problem ---------------------------------------------------------
    def apply_fix(self, action: str, recipe: str, explanation: object) -> None:
        """Carry out the fix a problem offers: open the recipe at the field, reconnect the account…"""
        assert isinstance(explanation, Explanation)
        if action in ("pick_valid_stage", "open_recipe_field"):
            options = [(o, o) for o in explanation.options] or None
            self.leave_builder(lambda: self.open_builder(recipe, focus=(explanation.field or "match", options)))
        elif action == "open_recipe":
            self.leave_builder(lambda: self.open_builder(recipe))
        elif action == "reconnect_account":
            def bound() -> str | None:
                info = recipes.get_recipe(recipe)
                connector = action_connector(info.document)
                roles = info.document.get("accounts") or {}
                return next((info.bindings.get(role) for role, key in roles.items() if key == connector), None)

            self.show_page("accounts")
            self.ctx.tasks.run(bound, on_success=lambda name: self.accounts.reconnect_account(name) if name else None,
                               title=self.tr("Reading accounts"))
        elif action == "unlock_keychain":
            with_unlocked_keychain(self.ctx, self, lambda: self.ctx.data_changed.emit())
        elif action == "open_log":
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.home() / "logs")))

    # -- import by drag and drop ---------------------------------------------------------------
    def open_import(self, path: str) -> ImportWizard | None:
        """The import wizard for a file (also used for templates); asks first when the builder has changes."""
        result: list[ImportWizard] = []

        def go() -> None:
            wizard = ImportWizard(self.ctx, Path(path), self)
            self.last_wizard = wizard
            wizard.open()
            result.append(wizard)

        self.leave_builder(go)
        return result[0] if result else None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls()[:1]:
            path = url.toLocalFile()
            if path.lower().endswith(RECIPE_SUFFIXES):
                self.open_import(path)
            else:
                self.statusBar().showMessage(self.tr("Only recipe files (.yaml, .yml, .json) can be dropped here."),
                                             8000)
        event.acceptProposedAction()

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.stack.currentWidget() is self.builder and self.builder.is_dirty() and not self.really_quit:
            event.ignore()
            self.leave_builder(lambda: (self.builder.__setattr__("clean", self.builder.snapshot()), self.close()))
            return
        store = i18n.settings()
        keep = str(store.value("keep_in_tray", "true")) == "true"
        if self.tray_available and keep and not self.really_quit:
            event.ignore()
            self.hide()
            if str(store.value("tray_notice_shown", "false")) != "true":
                store.setValue("tray_notice_shown", "true")
                store.sync()
                self.ctx.message.emit(self.tr("OrderSync keeps syncing in the system tray."))
                tray = getattr(self, "tray", None)
                if tray is not None:
                    tray.notify(self.tr("Still running"), self.tr(
                        "OrderSync keeps syncing in the background. Use the tray icon to open it or quit."))
            return
        if not self.tray_available and not self.really_quit and self._syncing():
            event.ignore()
            self.ask_keep_syncing()
            return
        event.accept()
        self.quit_requested.emit()

    def _syncing(self) -> bool:
        """Whether this window schedules switched-on recipes (closing it would stop them)."""
        host: Any = self.ctx.host
        return host is not None and getattr(host, "state", "") in ("running", "paused")

    def ask_keep_syncing(self) -> QMessageBox:
        """No tray: closing stops syncing — say so, and offer the background worker."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Keep syncing?"), self.tr(
            "This desktop has no system tray, so closing the window stops syncing: switched-on recipes will not run "
            "until OrderSync is opened again.\n\nOrderSync can keep a background worker running instead; it "
            "syncs without a window until you open OrderSync again or restart the computer."), parent=self)
        from ordersync_app.services import background

        if background.worker_needs_passphrase():
            box.setInformativeText(self.tr("Accounts with passwords need the password store: without a system "
                                           "keychain the background worker can only open it when "
                                           "ORDERSYNC_KEYRING_PASSPHRASE is set for it."))
        keep = box.addButton(self.tr("Keep syncing in the background"), QMessageBox.ButtonRole.AcceptRole)
        stop = box.addButton(self.tr("Quit and stop syncing"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        self.last_question = box

        def answered() -> None:
            if box.clickedButton() is keep:
                self.really_quit = True
                self.keep_syncing_requested.emit()
                self.close()
            elif box.clickedButton() is stop:
                self.really_quit = True
                self.close()

        box.finished.connect(answered)
        box.open()
        return box

    def _task_failed(self, title: str, message: str) -> None:
        self.statusBar().showMessage(f"{title}: {message}" if title else message, 15000)
