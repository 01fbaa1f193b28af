"""The first-run guide: connect your shop → connect your CRM (or try the sandbox) → pick a template →
preview what it would write (a dry run) → go live.

Why: on an empty data folder the app used to open on a Home page of zeros, and a shop owner had to find
Accounts, Templates, dry runs and the switch alone; the first dry run then said "0 moved" without saying
why. The guide walks the five steps in order, asks the start point explicitly, words the dry run as a
preview ("3 deals would change; nothing was written") and, when it finds nothing, says why.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Owns
from ordersync_app.domain.records import RunSummary
from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.explained import ExplanationPanel
from ordersync_app.gui.models import Column, RowsModel, fit_columns, table_view
from ordersync_app.gui.pages.templates import Template, read_templates
from ordersync_app.gui.startpoint import StartPointChooser
from ordersync_app.gui.widgets import row
from ordersync_app.services import accounts, recipes, runs, sandbox
from ordersync_app.services.builder import target_labels
from ordersync_app.services.explain import Text
from ordersync_app.services.summaries import describe_run

SANDBOX_ORDERS = 30
SANDBOX_SHIPPED = 10


def set_up_sandbox(lang: str) -> list[accounts.AccountInfo]:
    """Sandbox shop and CRM accounts with demo orders, some shipped (idempotent); returns the accounts."""
    names = {"shopify": ("Demo shop", "演示店铺"), "hubspot": ("Demo CRM", "演示 CRM")}
    existing = {a.connector: a for a in accounts.list_accounts() if a.sandbox}
    made = []
    for connector, (en, zh) in names.items():
        found = existing.get(connector)
        if found is None:
            found = accounts.add_account("", connector, sandbox=True, display_name=zh if lang.startswith("zh") else en)
            accounts.test_account(found.name)
        made.append(found)
    sandbox.seed(SANDBOX_ORDERS)
    sandbox.fulfil(SANDBOX_SHIPPED)
    return made


class _Step(QFrame):
    """One panel of the guide: a title, an explanation and its own content."""

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self.setObjectName("guideStep")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(18, 14, 18, 14)
        heading = QLabel(title)
        heading.setObjectName("cardTitle")
        about = QLabel(text)
        about.setWordWrap(True)
        self.layout_.addWidget(heading)
        self.layout_.addWidget(about)


class OnboardingGuide(QWidget):
    """Five steps from an empty data folder to a recipe switched on.

    Signals:
        finished(str): the guide ended (the recipe made, or "" when skipped).
        step_changed(int): the step shown (0-4).
        preview_shown(object): the dry run's RunSummary arrived (tests wait on it).
    """

    finished = Signal(str)
    step_changed = Signal(int)
    preview_shown = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.recipe: str | None = None
        self.templates: list[Template] = []
        self.labels: dict[str, Text] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)
        top = QHBoxLayout()
        title = QLabel(self.tr("Welcome to OrderSync"))
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.skip = QPushButton(self.tr("Skip the guide"))
        self.skip.clicked.connect(lambda: self.finished.emit(""))
        top.addWidget(self.skip)
        outer.addLayout(top)
        intro = QLabel(self.tr("Five steps, a few minutes: OrderSync will then keep your CRM in step with your "
                               "orders by itself."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        outer.addWidget(intro)
        self.progress = QHBoxLayout()
        self.marks: list[QLabel] = []
        for n, text in enumerate((self.tr("Your shop"), self.tr("Your CRM"), self.tr("A recipe"),
                                  self.tr("Preview"), self.tr("Go live")), 1):
            mark = QLabel(f"{n}. {text}")
            self.marks.append(mark)
            self.progress.addWidget(mark)
            if n < 5:
                self.progress.addWidget(QLabel("→"))
        self.progress.addStretch(1)
        outer.addLayout(self.progress)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.stack = QStackedWidget()
        scroll.setWidget(self.stack)
        outer.addWidget(scroll, 1)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.panel = ExplanationPanel()
        outer.addWidget(self.note)
        outer.addWidget(self.panel)
        self.stack.addWidget(self._shop_step())
        self.stack.addWidget(self._crm_step())
        self.stack.addWidget(self._template_step())
        self.stack.addWidget(self._preview_step())
        self.stack.addWidget(self._live_step())
        ctx.data_changed.connect(self._accounts_changed)
        self.show_step(0)

    # -- steps --------------------------------------------------------------------------------
    def _connect_buttons(self, owns: Owns) -> list[QPushButton]:
        buttons = []
        for key, conn in registry.all_connectors().items():
            if conn.owns is owns:
                button = QPushButton(self.tr("Connect %1…").replace("%1", i18n.pick(conn.name_en, conn.name_zh)))
                button.clicked.connect(lambda _=False, k=key: self._connect(k))
                buttons.append(button)
        return buttons

    def _shop_step(self) -> QWidget:
        step = _Step(self.tr("1. Connect your shop"),
                     self.tr("Where do your orders come from? OrderSync reads orders there; it never changes them "
                             "unless a recipe says so."))
        self.shop_buttons = self._connect_buttons(Owns.ORDERS)
        step.layout_.addLayout(row(*self.shop_buttons))
        self.sandbox_button = QPushButton(self.tr("Try everything with the sandbox (a demo shop and CRM)"))
        self.sandbox_button.setObjectName("primary")
        self.sandbox_button.clicked.connect(self.use_sandbox)
        hint = QLabel(self.tr("The sandbox runs on this computer with demo orders: nothing real is read or written."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        step.layout_.addWidget(QLabel(self.tr("Or, without any account:")))
        step.layout_.addLayout(row(self.sandbox_button))
        step.layout_.addWidget(hint)
        self.shop_done = QLabel("")
        self.shop_done.setObjectName("stepDone")
        step.layout_.addWidget(self.shop_done)
        self.shop_next = QPushButton(self.tr("Next"))
        self.shop_next.clicked.connect(lambda: self.show_step(1))
        step.layout_.addLayout(row(self.shop_next))
        step.layout_.addStretch(1)
        return step

    def _crm_step(self) -> QWidget:
        step = _Step(self.tr("2. Connect your CRM"),
                     self.tr("Where should orders show up? OrderSync writes there, once per change."))
        self.crm_buttons = self._connect_buttons(Owns.CUSTOMERS)
        self.crm_sandbox = QPushButton(self.tr("Use the sandbox CRM"))
        self.crm_sandbox.clicked.connect(self.use_sandbox)
        step.layout_.addLayout(row(*self.crm_buttons, self.crm_sandbox))
        self.crm_done = QLabel("")
        self.crm_done.setObjectName("stepDone")
        step.layout_.addWidget(self.crm_done)
        back = QPushButton(self.tr("Back"))
        back.clicked.connect(lambda: self.show_step(0))
        self.crm_next = QPushButton(self.tr("Next"))
        self.crm_next.clicked.connect(lambda: self.show_step(2))
        step.layout_.addLayout(row(back, self.crm_next))
        step.layout_.addStretch(1)
        return step

    def _template_step(self) -> QWidget:
        step = _Step(self.tr("3. Pick a recipe"),
                     self.tr("A recipe says what happens when: “when an order ships, move its deal to Shipped”. "
                             "Start from a ready-made one; you can change it later in the builder."))
        self.template_box = QVBoxLayout()
        self.template_group = QButtonGroup(self)
        self.template_group.idToggled.connect(lambda _i, on: self._update_template() if on else None)
        step.layout_.addLayout(self.template_box)
        start_title = QLabel(self.tr("Which orders should it handle?"))
        start_title.setObjectName("cardTitle")
        step.layout_.addWidget(start_title)
        self.start = StartPointChooser(noun=self.tr("orders"))
        self.start.chosen.connect(lambda _v: self._update_template())
        step.layout_.addWidget(self.start)
        back = QPushButton(self.tr("Back"))
        back.clicked.connect(lambda: self.show_step(1))
        self.preview_button = QPushButton(self.tr("Preview what it would do"))
        self.preview_button.setObjectName("primary")
        self.preview_button.clicked.connect(self.make_preview)
        step.layout_.addLayout(row(back, self.preview_button))
        step.layout_.addStretch(1)
        return step

    def _preview_step(self) -> QWidget:
        step = _Step(self.tr("4. Preview (dry run)"),
                     self.tr("OrderSync read your orders and worked out what it would write. Nothing has been "
                             "written yet."))
        self.preview_text = QLabel("")
        self.preview_text.setWordWrap(True)
        self.preview_text.setObjectName("explainTodo")
        step.layout_.addWidget(self.preview_text)
        self.preview_model: RowsModel[dict[str, Any]] = RowsModel([
            Column(self.tr("Order"), lambda p: str(p.get("label") or p.get("record"))),
            Column(self.tr("Would change"), self._change_text, stretch=True),
        ], self)
        self.preview_view, _proxy = table_view(self.preview_model, parent=step)
        self.preview_view.setMinimumHeight(140)
        step.layout_.addWidget(self.preview_view, 1)
        back = QPushButton(self.tr("Back"))
        back.clicked.connect(lambda: self.show_step(2))
        self.live_button = QPushButton(self.tr("Go live"))
        self.live_button.setObjectName("primary")
        self.live_button.clicked.connect(self.go_live)
        step.layout_.addLayout(row(back, self.live_button))
        return step

    def _live_step(self) -> QWidget:
        step = _Step(self.tr("5. It is on"),
                     self.tr("The recipe is switched on and writes for real now. OrderSync checks for changes on "
                             "its schedule while this app (or its background worker) runs; Activity shows every "
                             "record and explains any problem."))
        self.live_text = QLabel("")
        self.live_text.setWordWrap(True)
        step.layout_.addWidget(self.live_text)
        self.activity_button = QPushButton(self.tr("Open Activity"))
        self.activity_button.clicked.connect(lambda: (self.finished.emit(self.recipe or ""),
                                                      self.ctx.navigate.emit("activity")))
        self.done_button = QPushButton(self.tr("Done"))
        self.done_button.setObjectName("primary")
        self.done_button.clicked.connect(lambda: self.finished.emit(self.recipe or ""))
        step.layout_.addLayout(row(self.activity_button, self.done_button))
        step.layout_.addStretch(1)
        return step

    def _change_text(self, preview: dict[str, Any]) -> str:
        changes = preview.get("changes") or []
        if not changes:
            return self.tr("nothing (already up to date)")
        lang = i18n.current()
        colon, sep = ("：", "；") if i18n.is_zh() else (": ", "; ")
        return sep.join(f"{self.labels[f].pick(lang) if (f := str(c.get('field'))) in self.labels else f}{colon}"
                        f"{c.get('current') or '—'} → {c.get('new') or '—'}" for c in changes)

    # -- navigation ---------------------------------------------------------------------------
    def show_step(self, index: int) -> None:
        """Show a step and refresh what it shows."""
        self.stack.setCurrentIndex(index)
        for i, mark in enumerate(self.marks):
            mark.setObjectName("stepDone" if i < index else "stepNow" if i == index else "stepLater")
            mark.style().unpolish(mark)
            mark.style().polish(mark)
        self.note.setText("")
        self.panel.clear()
        if index in (0, 1):
            self._accounts_changed()
        if index == 2:
            self.ctx.tasks.run(lambda: (accounts.list_accounts(), read_templates()), on_success=self._show_templates,
                               title=self.tr("Reading templates"))
        self.step_changed.emit(index)

    def refresh(self) -> None:
        """Re-read what the current step shows (the main window calls this when the guide is shown)."""
        self.show_step(self.stack.currentIndex())

    def _accounts_changed(self) -> None:
        self.ctx.tasks.run(accounts.list_accounts, on_success=self._show_accounts, title=self.tr("Reading accounts"))

    def _show_accounts(self, listed: list[accounts.AccountInfo]) -> None:
        def names(owns: Owns) -> list[str]:
            return [a.label for a in listed if (c := registry.get(a.connector)) is not None and c.owns is owns]

        shops, crms = names(Owns.ORDERS), names(Owns.CUSTOMERS)
        self.shop_done.setText("✓ " + self.tr("Connected: %1").replace("%1", ", ".join(shops)) if shops else "")
        self.crm_done.setText("✓ " + self.tr("Connected: %1").replace("%1", ", ".join(crms)) if crms else "")
        self.shop_next.setEnabled(bool(shops))
        self.crm_next.setEnabled(bool(crms))

    def _connect(self, connector_key: str) -> None:
        from ordersync_app.gui.pages.accounts import AccountDialog

        dialog = AccountDialog(self.ctx, self, connector_key=connector_key)
        self.last_dialog = dialog
        dialog.tested.connect(lambda ok: self.show_step(self.stack.currentIndex() + 1) if ok else None)
        dialog.open()

    def use_sandbox(self) -> None:
        """Create the sandbox shop and CRM with demo orders, then go to the recipe step."""
        self.sandbox_button.setEnabled(False)
        self.crm_sandbox.setEnabled(False)
        self.note.setText(self.tr("Setting up the sandbox shop and CRM with demo orders…"))
        lang = i18n.current()

        def done(_made: list[accounts.AccountInfo]) -> None:
            self.sandbox_button.setEnabled(True)
            self.crm_sandbox.setEnabled(True)
            self.ctx.data_changed.emit()
            self.show_step(2)

        def failed(exc: BaseException) -> None:
            self.sandbox_button.setEnabled(True)
            self.crm_sandbox.setEnabled(True)
            self.note.setText("")
            self.panel.show_error(exc)

        self.ctx.tasks.run(lambda: set_up_sandbox(lang), on_success=done, on_failure=failed)

    # -- the recipe ---------------------------------------------------------------------------
    def _show_templates(self, data: tuple[list[accounts.AccountInfo], list[Template]]) -> None:
        listed, templates = data
        keep = self.template()
        have = {a.connector for a in listed}
        for button in self.template_group.buttons():
            self.template_group.removeButton(button)
        while self.template_box.count():
            item = self.template_box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.accounts_by_app: dict[str, str] = {}
        for a in listed:  # prefer a real account over the sandbox when both exist
            if a.connector not in self.accounts_by_app or not a.sandbox:
                self.accounts_by_app[a.connector] = a.name
        lang = i18n.current()
        self.templates = [t for t in templates if t.recipe and set(t.recipe.accounts.values()) <= have]
        for i, t in enumerate(self.templates):
            assert t.recipe is not None
            radio = QRadioButton(t.recipe.title(lang))
            self.template_group.addButton(radio, i)
            about = QLabel(t.recipe.summary(lang))
            about.setObjectName("muted")
            about.setWordWrap(True)
            about.setContentsMargins(24, 0, 0, 6)
            self.template_box.addWidget(radio)
            self.template_box.addWidget(about)
        if keep is not None:  # a re-read keeps the user's choice
            self.choose_template(keep.path.name)
        if not self.templates:
            none = QLabel(self.tr("No ready-made recipe fits the connected apps yet; build one in Recipes."))
            none.setWordWrap(True)
            self.template_box.addWidget(none)
        self._update_template()

    def template(self) -> Template | None:
        """The template picked."""
        index = self.template_group.checkedId()
        return self.templates[index] if 0 <= index < len(self.templates) else None

    def choose_template(self, file_name: str) -> None:
        """Pick a template by its file name."""
        for i, t in enumerate(self.templates):
            if t.path.name == file_name:
                button = self.template_group.button(i)
                if button is not None:
                    button.setChecked(True)

    def _update_template(self) -> None:
        self.preview_button.setEnabled(self.template() is not None and bool(self.start.value()))

    def make_preview(self) -> None:
        """Import the picked template in dry-run mode and run it once: what would it write?"""
        template = self.template()
        if template is None or template.recipe is None or not self.start.value():
            return
        bindings = {role: self.accounts_by_app[key] for role, key in template.recipe.accounts.items()}
        start, path, existing = self.start.value(), template.path, self.recipe
        self.preview_button.setEnabled(False)
        self.note.setText(self.tr("Reading your orders and working out what would change (nothing is written)…"))

        def work() -> tuple[RunSummary, recipes.RecipeInfo]:
            name = existing or _free_name(recipes.slugify(path.stem))
            info = recipes.import_recipe(path, bindings, name=name, replace=existing is not None, start=start,
                                         dry_run=True)
            summary = runs.run_recipe(info.name, dry_run=True)
            return summary, recipes.get_recipe(info.name)

        def failed(exc: BaseException) -> None:
            self.preview_button.setEnabled(True)
            self.note.setText("")
            self.panel.show_error(exc)

        self.ctx.tasks.run(work, on_success=self._previewed, on_failure=failed)

    def _previewed(self, result: tuple[RunSummary, recipes.RecipeInfo]) -> None:
        summary, info = result
        self.recipe = info.name
        self.preview_button.setEnabled(True)
        self.ctx.data_changed.emit()
        self.show_step(3)
        self.preview_text.setText(describe_run(summary, info.document, info.cursor).pick(i18n.current()))
        self.labels = target_labels(info.document)
        labels = {p.get("record"): p for p in summary.previews}
        self.preview_model.set_rows(list(labels.values()))
        fit_columns(self.preview_view)
        self.live_button.setEnabled(True)
        self.preview_shown.emit(summary)

    def go_live(self) -> None:
        """Switch the recipe on for real (dry run off); the records previewed are the ones sent."""
        name = self.recipe
        if not name:
            return
        self.live_button.setEnabled(False)

        def work() -> recipes.RecipeInfo:
            recipes.set_dry_run(name, dry_run=False)
            return recipes.set_enabled(name, enabled=True)

        def done(info: recipes.RecipeInfo) -> None:
            self.live_button.setEnabled(True)
            from ordersync_app.gui.pages.recipes import every_text

            self.live_text.setText(self.tr("“%1” is switched on and checks %2.")
                                   .replace("%1", _title(info)).replace("%2", every_text(info.every_seconds)))
            self.ctx.data_changed.emit()
            self.show_step(4)

        def failed(exc: BaseException) -> None:
            self.live_button.setEnabled(True)
            self.panel.show_error(exc)

        self.ctx.tasks.run(work, on_success=done, on_failure=failed)


def _title(info: recipes.RecipeInfo) -> str:
    from ordersync_app.gui.widgets import recipe_title

    return recipe_title(info)


def _free_name(base: str) -> str:
    """``base``, or ``base-2``… when a recipe of that name exists."""
    name, n = base[:60], 2
    while recipes.exists(name):
        name, n = f"{base[:56]}-{n}", n + 1
    return name


__all__ = ["OnboardingGuide", "set_up_sandbox"]
