"""The main window: a sidebar of pages (Home, Recipes, Accounts, Activity, Templates, Settings).

The recipe builder is a seventh, unlisted page opened from Recipes. Changing the language
rebuilds the pages (cheaper to get right than re-translating every widget in place).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ordersync_app.gui import i18n, icons
from ordersync_app.gui.builder.editor import RecipeBuilder
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.accounts import AccountsPage
from ordersync_app.gui.pages.activity import ActivityPage
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.pages.home import HomePage
from ordersync_app.gui.pages.recipes import RecipesPage
from ordersync_app.gui.pages.settings import SettingsPage
from ordersync_app.gui.pages.templates import ImportWizard, TemplatesPage
from ordersync_app.gui.widgets import STYLE_SHEET

PAGES = ("home", "recipes", "accounts", "activity", "templates", "settings")
RECIPE_SUFFIXES = (".yaml", ".yml", ".json")


class MainWindow(QMainWindow):
    """Sidebar + stacked pages.

    Signals:
        quit_requested(): the user closed the window with no tray to keep running in.
    """

    quit_requested = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.tray_available = False
        self.really_quit = False
        self.setWindowIcon(icons.app_icon())
        self.setAcceptDrops(True)
        self.setStyleSheet(STYLE_SHEET)
        self.resize(1180, 760)
        self.pages: dict[str, Page] = {}
        self.last_wizard: ImportWizard | None = None
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
        self.sidebar.setFixedWidth(190 if i18n.is_zh() else 200)
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
        self.builder.closed.connect(lambda: self.show_page("recipes"))
        self.stack.addWidget(self.builder)
        self.recipes.edit_requested.connect(self.open_builder)
        self.settings.language_changed.connect(self.change_language)
        self.sidebar.currentRowChanged.connect(self._sidebar)
        self.setCentralWidget(central)
        if old is not None:
            old.deleteLater()
        self.show_page(page)

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
    def settings(self) -> SettingsPage:
        """The Settings page."""
        page = self.pages["settings"]
        assert isinstance(page, SettingsPage)
        return page

    def current_page(self) -> str:
        """Name of the page shown."""
        widget = self.stack.currentWidget()
        return "builder" if widget is self.builder else getattr(widget, "name", "home")

    def show_page(self, name: str) -> None:
        """Show a page by name (``builder`` opens an empty builder) and refresh it."""
        if name == "builder":
            self.open_builder("")
            return
        if name == "failed":
            self.activity.show_failed()
            name = "activity"
        page = self.pages.get(name) or self.pages["home"]
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(PAGES.index(page.name))
        self.sidebar.blockSignals(False)
        self.stack.setCurrentWidget(page)
        page.refresh()

    def _sidebar(self, index: int) -> None:
        if 0 <= index < len(PAGES):
            self.show_page(PAGES[index])

    def open_builder(self, name: str) -> None:
        """Open the builder on a recipe ("" = a new one)."""
        self.sidebar.blockSignals(True)
        self.sidebar.setCurrentRow(PAGES.index("recipes"))
        self.sidebar.blockSignals(False)
        self.stack.setCurrentWidget(self.builder)
        self.builder.open_recipe(name)

    def change_language(self, code: str) -> None:
        """Switch language now and rebuild the pages."""
        i18n.install(code or None)
        self.build(self.current_page() if self.current_page() != "builder" else "recipes")
        self.show_page("settings")

    # -- import by drag and drop ---------------------------------------------------------------
    def open_import(self, path: str) -> ImportWizard:
        """The import wizard for a file (also used for templates)."""
        wizard = ImportWizard(self.ctx, Path(path), self)
        self.last_wizard = wizard
        wizard.open()
        return wizard

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if urls and all(u.isLocalFile() and u.toLocalFile().lower().endswith(RECIPE_SUFFIXES) for u in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls()[:1]:
            self.open_import(url.toLocalFile())
        event.acceptProposedAction()

    # -- closing ------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
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
        event.accept()
        self.quit_requested.emit()

    def _task_failed(self, title: str, message: str) -> None:
        self.statusBar().showMessage(f"{title}: {message}" if title else message, 15000)

