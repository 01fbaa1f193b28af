"""Templates: the recipes shipped in ``recipes/``, and the import wizard (roles → local accounts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ordersync_app import paths
from ordersync_app.connectors.sdk import files, registry
from ordersync_app.gui import i18n
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.base import Page
from ordersync_app.gui.startpoint import StartPointChooser
from ordersync_app.gui.tasks import describe
from ordersync_app.gui.widgets import Card, row
from ordersync_app.recipes import load
from ordersync_app.recipes.model import Recipe
from ordersync_app.services import accounts, recipes
from ordersync_app.services.problems import plain_problems


@dataclass
class Template:
    """A shipped recipe file and what it needs."""

    path: Path
    recipe: Recipe | None
    problem: str | None = None
    apps_to_add: tuple[str, ...] = ()  # the shop's own apps (custom apps) the template names, not added yet


def _needing_own_apps(path: Path) -> Template | None:
    """A template for an in-house system (``inhouse_oms``) whose custom app is not added yet: valid against the
    example connector files shipped in ``resources/examples``, it names the apps to add first."""
    examples = {}
    for example in sorted((paths.resources_dir() / "examples").glob("*.connector.yaml")):
        try:
            found = files.load_connector(example)
        except files.ConnectorFileInvalid:
            continue
        examples[found.key] = found
    known = registry.all_connectors()
    try:
        recipe = load.load_file(path, connectors={**examples, **known})
    except load.RecipeInvalid:
        return None
    return Template(path, recipe, apps_to_add=tuple(sorted({k for k in recipe.accounts.values() if k not in known})))


def read_templates() -> list[Template]:
    """Every ``*.yaml`` in the templates folder, validated."""
    out: list[Template] = []
    folder = paths.templates_dir()
    for path in sorted(folder.glob("*.y*ml")) if folder.exists() else []:
        try:
            out.append(Template(path, load.load_file(path)))
        except load.RecipeInvalid as exc:
            out.append(_needing_own_apps(path) or Template(path, None, exc.render()))
    return out


def app_name(connector_key: str) -> str:
    """A connector's display name in the language in use."""
    conn = registry.get(connector_key)
    return i18n.pick(conn.name_en, conn.name_zh) if conn else connector_key


def role_label(role: str, connector_key: str) -> str:
    """How a recipe role is shown: the app's name ("Shopify account"), not the role key ("shop")."""
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("ImportWizard", "%1 account").replace("%1", app_name(connector_key))


class ImportWizard(QDialog):
    """Import a recipe file: what it does, an account for each app, where it starts, its name; import."""

    def __init__(self, ctx: AppContext, source: Path | str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("Import a recipe"))
        self.setMinimumWidth(520)
        self.imported: recipes.RecipeInfo | None = None
        self.text = Path(source).read_text("utf-8") if isinstance(source, Path) else source
        layout = QVBoxLayout(self)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.form = QFormLayout()
        layout.addLayout(self.form)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(self.tr("Import"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setObjectName("primary")
        self.buttons.accepted.connect(self.do_import)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.roles: dict[str, QComboBox] = {}
        self.recipe: Recipe | None = None
        try:
            self.recipe = load.load_text(self.text, source=str(source) if isinstance(source, Path) else "<recipe>")
        except load.RecipeInvalid as exc:
            self.summary.setText(self.tr("This file is not a valid recipe:"))
            lang = i18n.current()
            self.problem.setText("\n".join(f"• {p.text.pick(lang)}" for p in plain_problems(exc.problems)))
            self.problem.setToolTip("\n".join(str(p) for p in exc.problems))
            self.ok.setEnabled(False)
            return
        r = self.recipe
        self.summary.setText(f"<b>{r.title(i18n.current())}</b><br>{r.summary(i18n.current())}")
        known = accounts.list_accounts()
        shared = [k for k in r.accounts.values() if list(r.accounts.values()).count(k) > 1]
        for role, key in r.accounts.items():
            combo = QComboBox()
            combo.setProperty("userData", True)  # account names: the user's words
            for a in known:
                if a.connector == key:
                    combo.addItem(a.label, a.name)
            if not combo.count():
                combo.addItem(self.tr("(no %1 account yet — add one in Accounts)").replace("%1", app_name(key)), "")
            label = role_label(role, key) + (f" ({role})" if key in shared else "")
            self.form.addRow(label, combo)
            self.roles[role] = combo
        self.start = StartPointChooser(noun=self.tr("orders"))
        self.start.chosen.connect(lambda _v: self._update())
        self.form.addRow(self.tr("Start"), self.start)
        self.name = QLineEdit(recipes.free_name(recipes.slugify(r.name)))  # a free name: importing adds, never replaces
        self.name.textChanged.connect(lambda _t: self._check_name())
        self.form.addRow(self.tr("Short name"), self.name)
        self.taken = QLabel("")
        self.taken.setObjectName("problem")
        self.taken.setWordWrap(True)
        self.taken.hide()
        self.form.addRow("", self.taken)
        self.enable = QCheckBox(self.tr("Switch it on after importing"))
        self.form.addRow("", self.enable)
        self.exists, self.taken_name = False, ""
        self._check_name()
        self._update()

    def _check_name(self) -> None:
        name = self.name.text().strip()
        self.ctx.tasks.run(lambda: recipes.exists(name), on_success=lambda found: self._taken(name, found))

    def _taken(self, name: str, found: bool) -> None:
        if name != self.name.text().strip():
            return
        self.exists, self.taken_name = found, name
        self.taken.setText(self.tr("A recipe with this short name exists; importing replaces it with this file "
                                   "(as a new version). Change the short name to import it beside it."))
        self.taken.setVisible(found)
        self.ok.setText(self.tr("Replace") if found else self.tr("Import"))

    def _update(self) -> None:
        self.ok.setEnabled(self.recipe is not None and bool(self.start.value()))

    def bindings(self) -> dict[str, str]:
        """Role → chosen account."""
        return {role: str(combo.currentData() or "") for role, combo in self.roles.items()}

    def do_import(self) -> None:
        """Import through the service layer; an existing name is replaced only after the user agrees."""
        if self.recipe is None:
            return
        missing = [role_label(role, self.recipe.accounts[role]) for role, account in self.bindings().items()
                   if not account]
        if missing:
            self.problem.setText(self.tr("Add an account for: %1").replace("%1", ", ".join(missing)))
            return
        if not self.start.value():
            self.problem.setText(self.tr("Choose where the recipe starts."))
            return
        name, bindings, enable, text = self.name.text().strip(), self.bindings(), self.enable.isChecked(), self.text
        start = self.start.value()
        # Replace only what the wizard said it would replace (the button read "Replace"); a name taken
        # since then is refused by the service instead of silently replaced.
        replace = self.exists and self.taken_name == name
        self.ok.setEnabled(False)

        def done(info: recipes.RecipeInfo) -> None:
            self.imported = info
            self.ctx.data_changed.emit()
            self.ctx.message.emit(self.tr("Imported “%1”.").replace("%1", self.recipe.title(i18n.current())
                                                                   if self.recipe else info.title))
            self.accept()

        def failed(exc: BaseException) -> None:
            self.ok.setEnabled(True)
            self.problem.setText(describe(exc))

        self.ctx.tasks.run(lambda: recipes.import_recipe(text, bindings, name=name, enable=enable, replace=replace,
                                                         start=start),
                           on_success=done, on_failure=failed)


class TemplatesPage(Page):
    """Cards for each shipped template with "Use this template"."""

    name = "templates"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, self.tr("Templates"), parent)
        intro = QLabel(self.tr("Ready-made recipes. Pick one, choose your accounts, and it is ready to switch on. "
                               "You can also drop a recipe file anywhere on this window."))
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.layout_.addWidget(intro)
        self.import_ = QPushButton(self.tr("Import file…"))
        self.import_.clicked.connect(self._import)
        self.layout_.addLayout(row(self.import_))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.host = QWidget()
        self.host.setObjectName("page")
        self.grid = QGridLayout(self.host)
        self.grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.grid.setSpacing(12)
        self.scroll.setWidget(self.host)
        self.layout_.addWidget(self.scroll, 1)
        self.templates: list[Template] = []
        self.use_buttons: list[QPushButton] = []

    def refresh(self) -> None:
        """Read the template files."""
        self.ctx.tasks.run(read_templates, on_success=self._show, title=self.tr("Reading templates"))

    def _show(self, templates: list[Template]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.templates = templates
        self.use_buttons = []
        for i, t in enumerate(templates):
            card = Card(t.recipe.title(i18n.current()) if t.recipe else t.path.name)
            card.title.setWordWrap(True)
            text = QLabel(t.recipe.summary(i18n.current()) if t.recipe else (t.problem or ""))
            text.setWordWrap(True)
            card.body.addWidget(text)
            if t.recipe:
                apps = " → ".join(dict.fromkeys(app_name(k) for k in t.recipe.accounts.values()))
                needs = QLabel(self.tr("Needs: %1").replace("%1", apps))
                needs.setObjectName("muted")
                card.body.addWidget(needs)
            if t.apps_to_add:
                first = QLabel(self.tr("First add your own system as a custom app with the key %1 "
                                       "(Accounts → Add a custom app…).").replace("%1", ", ".join(t.apps_to_add)))
                first.setObjectName("problem")
                first.setWordWrap(True)
                card.body.addWidget(first)
            use = QPushButton(self.tr("Use this template"))
            use.setObjectName("primary")
            use.setEnabled(t.recipe is not None and not t.apps_to_add)
            use.clicked.connect(lambda _=False, p=t.path: self.ctx.import_requested.emit(str(p)))
            self.use_buttons.append(use)
            card.body.addLayout(row(use))
            self.grid.addWidget(card, i // 2, i % 2)
        self.grid.setRowStretch((len(templates) + 1) // 2, 1)
        self._loaded()

    def _import(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        from ordersync_app.gui.pages.recipes import documents_dir

        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import recipe"), documents_dir(),
                                              self.tr("Recipe files (*.yaml *.yml *.json)"))
        if path:
            self.ctx.import_requested.emit(path)
