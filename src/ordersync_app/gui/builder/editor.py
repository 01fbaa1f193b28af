"""The recipe builder page: header (name, switch, dry run, save) over a vertical flow of step cards.

Steps can be inserted anywhere ("+ Add a step here" between cards; "+ Filter" and "+ Lookup" go before the
first action, where they have an effect) and moved up and down. A step placed where it does nothing (a
filter after its action) is flagged at once and blocks saving until moved. Saving builds the recipe
document from the cards, validates it with ``recipes.load.load_document`` (the same checks as a file
import) and shows each problem in plain words (``services.problems``) on the card and field it concerns.
A new recipe's start point is asked at its first save. Unsaved work is guarded: the main window asks
before leaving the builder (:meth:`RecipeBuilder.is_dirty`).
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Owns
from ordersync_app.gui import i18n
from ordersync_app.gui.builder.cards import ActionCard, BuilderState, FilterCard, LookupCard, StepCard, TriggerCard
from ordersync_app.gui.builder.mapping import MappingEditor, show
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.explained import plain
from ordersync_app.gui.startpoint import StartPointDialog
from ordersync_app.gui.tasks import describe
from ordersync_app.recipes import load
from ordersync_app.recipes.migrations import CURRENT_VERSION
from ordersync_app.recipes.model import FORMAT, Recipe
from ordersync_app.services import accounts, recipes
from ordersync_app.services import builder as svc
from ordersync_app.services.problems import plain_problems
from ordersync_app.services.summaries import object_noun


class RecipeBuilder(QWidget):
    """Build or edit one recipe.

    Signals:
        closed(): back to the recipe list (the main window asks first when there are unsaved changes).
        saved(object): the RecipeInfo stored.
        sample_loaded(): sample records arrived (or the offline sample was used).
        step_tested(object): a "Test this step" answered (result or exception).
        problems_shown(int): validation found this many problems.
    """

    closed = Signal()
    saved = Signal(object)
    sample_loaded = Signal()
    step_tested = Signal(object)
    account_fields_loaded = Signal(object)  # an action card now offers its account's accepted values
    problems_shown = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.state = BuilderState()
        self.editing: str | None = None
        self.roles: dict[str, str] = {}  # account → role of the stored recipe
        self.loaded = 0
        self.translations: dict[str, Any] = {}
        self.on_error = "continue"
        self.clean = ""  # the document as last opened or saved (unsaved-changes guard)
        self.pending_focus: tuple[str, list[tuple[str, str]] | None] | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 8)
        outer.setSpacing(6)
        top = QHBoxLayout()
        self.back = QPushButton(self.tr("← Recipes"))
        self.back.clicked.connect(self.closed.emit)
        self.heading = QLabel(self.tr("New recipe"))
        self.heading.setObjectName("pageTitle")
        top.addWidget(self.back)
        top.addWidget(self.heading)
        top.addStretch(1)
        outer.addLayout(top)
        names = QHBoxLayout()
        self.title = QLineEdit()
        self.title.setPlaceholderText(self.tr("What does it do? e.g. Shipped orders move HubSpot deals"))
        self.slug = QLineEdit()
        self.slug.setPlaceholderText(self.tr("short-name"))
        self.slug.setMaximumWidth(180)
        self.slug.setToolTip(self.tr("Letters, digits and '-'; used in file names and by the command line."))
        self.title.textEdited.connect(lambda t: self.slug.setText(recipes.slugify(t)) if not self.editing else None)
        names.addWidget(QLabel(self.tr("Name")))
        names.addWidget(self.title, 1)
        names.addWidget(QLabel(self.tr("Short name")))
        names.addWidget(self.slug)
        outer.addLayout(names)
        about = QHBoxLayout()
        self.description = QLineEdit()
        self.description.setPlaceholderText(self.tr("A sentence for whoever reads this recipe later (optional)"))
        about.addWidget(QLabel(self.tr("Description")))
        about.addWidget(self.description, 1)
        outer.addLayout(about)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.flow_host = QWidget()
        self.flow_host.setObjectName("page")
        self.flow = QVBoxLayout(self.flow_host)
        self.flow.setSpacing(4)
        self.scroll_area.setWidget(self.flow_host)
        outer.addWidget(self.scroll_area, 1)
        adders = QHBoxLayout()
        self.add_filter = QPushButton(self.tr("+ Filter"))
        self.add_filter.setToolTip(self.tr("Adds a filter before the first action, where it can stop records."))
        self.add_lookup = QPushButton(self.tr("+ Lookup"))
        self.add_lookup.setToolTip(self.tr("Adds a lookup before the first action, so the action can use it."))
        self.add_action = QPushButton(self.tr("+ Action"))
        self.add_filter.clicked.connect(lambda: self.insert_step("filter", self.first_action_index()))
        self.add_lookup.clicked.connect(lambda: self.insert_step("lookup", self.first_action_index()))
        self.add_action.clicked.connect(lambda: self.insert_step("action", len(self.steps)))
        for button in (self.add_filter, self.add_lookup, self.add_action):
            adders.addWidget(button)
        adders.addStretch(1)
        self.enable = QCheckBox(self.tr("Switch on"))
        self.dry_run = QCheckBox(self.tr("Dry run (preview, write nothing)"))
        self.save_button = QPushButton(self.tr("Save"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        adders.addWidget(self.enable)
        adders.addWidget(self.dry_run)
        adders.addWidget(self.save_button)
        outer.addLayout(adders)
        self.problems = QLabel("")
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        outer.addWidget(self.problems)
        self.trigger: TriggerCard | None = None
        self.steps: list[StepCard] = []
        self.inserters: list[QToolButton] = []

    # -- cards --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty flow with a trigger card."""
        self.beyond: list[svc.Text] = []
        self.save_button.setEnabled(True)
        for card in [self.trigger, *self.steps]:
            if card is not None:
                card.deleteLater()
        self.steps = []
        self.state.records, self.state.index, self.state.lookups = [], 0, {}
        self.trigger = TriggerCard(self.state)
        self.trigger.sample_requested.connect(self.load_sample)
        self.trigger.changed.connect(self._context_changed)
        self._relayout()
        self.problems.setText("")

    def _inserter(self, index: int) -> QToolButton:
        """"+ Add a step here" between cards (a menu: filter, lookup, action)."""
        button = QToolButton()
        button.setText(self.tr("+ Add a step here"))
        button.setAutoRaise(True)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.addAction(self.tr("Filter: only continue if…"), lambda: self.insert_step("filter", index))
        menu.addAction(self.tr("Lookup: find something in another app"), lambda: self.insert_step("lookup", index))
        menu.addAction(self.tr("Action: do something in another app"), lambda: self.insert_step("action", index))
        button.setMenu(menu)
        return button

    def _relayout(self) -> None:
        """Put the cards in order with an inserter between each two (cards are kept, inserters rebuilt)."""
        while self.flow.count():
            item = self.flow.takeAt(0)
            widget = item.widget() if item else None
            if widget is not None and widget in self.inserters:
                widget.deleteLater()
        self.inserters = []
        assert self.trigger is not None
        self.flow.addWidget(self.trigger)
        for i, card in enumerate(self.steps):
            inserter = self._inserter(i)
            self.inserters.append(inserter)
            self.flow.addWidget(inserter)
            self.flow.addWidget(card)
            card.up.setEnabled(i > 0)
            card.down.setEnabled(i < len(self.steps) - 1)
        last = self._inserter(len(self.steps))
        self.inserters.append(last)
        self.flow.addWidget(last)
        self.flow.addStretch(1)

    def make_card(self, kind: str) -> StepCard:
        """A new step card of a kind (``filter``, ``lookup``, ``action``)."""
        card: StepCard = {"filter": FilterCard, "lookup": LookupCard, "action": ActionCard}[kind](self.state)
        card.changed.connect(self._context_changed)
        card.remove_requested.connect(lambda c=card: self.remove_card(c))
        card.move_requested.connect(lambda delta, c=card: self.move_card(c, delta))
        card.warning_fix.clicked.connect(lambda _=False, c=card: self.move_card(c, self.first_action_index()
                                                                                 - self.steps.index(c)))
        if isinstance(card, LookupCard):
            card.test_requested.connect(lambda c=card: self.test_lookup(c))
            card.changed.connect(lambda c=card: c.result.setText(""))
        if isinstance(card, ActionCard):
            card.test_requested.connect(lambda c=card: self.test_action(c))
            card.changed.connect(lambda c=card: c.result.setText(""))
            card.changed.connect(lambda c=card: self.load_account_fields(c))
        return card

    def insert_step(self, kind: str, index: int) -> Any:
        """Insert a step card at ``index`` (a filter starts with one condition)."""
        card = self.make_card(kind)
        self.steps.insert(max(0, min(index, len(self.steps))), card)
        if isinstance(card, FilterCard):
            card.add_condition()
        self._relayout()
        self._context_changed()
        QTimer.singleShot(0, lambda: self.scroll_area.ensureWidgetVisible(card, 0, 40))
        return card

    def add_card(self, card: StepCard) -> Any:
        """Append an already made step card (used when loading a stored recipe)."""
        card.changed.connect(self._context_changed)
        card.remove_requested.connect(lambda c=card: self.remove_card(c))
        card.move_requested.connect(lambda delta, c=card: self.move_card(c, delta))
        card.warning_fix.clicked.connect(lambda _=False, c=card: self.move_card(c, self.first_action_index()
                                                                                 - self.steps.index(c)))
        if isinstance(card, LookupCard):
            card.test_requested.connect(lambda c=card: self.test_lookup(c))
            card.changed.connect(lambda c=card: c.result.setText(""))
        if isinstance(card, ActionCard):
            card.test_requested.connect(lambda c=card: self.test_action(c))
            card.changed.connect(lambda c=card: c.result.setText(""))
            card.changed.connect(lambda c=card: self.load_account_fields(c))
            self.load_account_fields(card)
        self.steps.append(card)
        self._relayout()
        self._context_changed()
        return card

    def first_action_index(self) -> int:
        """Where filters and lookups go to take effect: before the first action (else at the end)."""
        return next((i for i, c in enumerate(self.steps) if isinstance(c, ActionCard)), len(self.steps))

    def move_card(self, card: StepCard, delta: int) -> None:
        """Move a step up (negative) or down (positive)."""
        if card not in self.steps or not delta:
            return
        old = self.steps.index(card)
        new = max(0, min(len(self.steps) - 1, old + delta))
        self.steps.insert(new, self.steps.pop(old))
        self._relayout()
        self._context_changed()

    def remove_card(self, card: StepCard) -> None:
        """Drop a step."""
        self.steps.remove(card)
        card.deleteLater()
        self._relayout()
        self._context_changed()

    def cards(self, kind: type[StepCard]) -> list[Any]:
        """The step cards of one kind, in order."""
        return [c for c in self.steps if isinstance(c, kind)]

    def _context_changed(self) -> None:
        before: list[str] = []
        for card in self.steps:
            card.blockSignals(True)
            card.update_context(list(before))
            card.blockSignals(False)
            if isinstance(card, LookupCard) and card.name():
                before.append(card.name())
        self._check_order()

    def _check_order(self) -> list[tuple[int, str]]:
        """Flag steps that do nothing where they are; returns (index, sentence)."""
        doc = {"steps": [{c.kind: {}} for c in self.steps]}
        found = [(i, text.pick(i18n.current())) for i, text in svc.order_problems(doc)]
        flagged = dict(found)
        for i, card in enumerate(self.steps):
            card.show_warning(flagged.get(i))
        return found

    # -- opening ------------------------------------------------------------------------------
    def open_recipe(self, name: str, *, focus: tuple[str, list[tuple[str, str]] | None] | None = None) -> None:
        """Start a new recipe ("") or load a stored one; accounts are read in the background.

        Args:
            name: the recipe ("" for a new one).
            focus: (target field, allowed values) to show once loaded — the fix for a refused value.
        """
        self.editing = name or None
        self.pending_focus = focus
        self.heading.setText(self.tr("Edit recipe") if name else self.tr("New recipe"))

        def work() -> tuple[list[accounts.AccountInfo], recipes.RecipeInfo | None]:
            return accounts.list_accounts(), (recipes.get_recipe(name) if name else None)

        self.ctx.tasks.run(work, on_success=self._opened, title=self.tr("Opening the recipe"))

    def _opened(self, data: tuple[list[accounts.AccountInfo], recipes.RecipeInfo | None]) -> None:
        self.state.accounts, info = data
        self.reset()
        assert self.trigger is not None
        if info is None:
            self.title.setText("")
            self.description.setText("")
            self.slug.setText("")
            self.slug.setEnabled(True)
            self.enable.setChecked(False)
            self.dry_run.setChecked(False)
            self.roles = {}
            self.translations = {}
            self.on_error = "continue"
            self.trigger.fill_accounts()
            self.insert_step("action", 0)
        else:
            self._load(info)
        self.clean = self.snapshot()
        self.loaded += 1
        if info is not None:
            self.load_sample()  # so previews show real values, not empty ones

    def _load(self, info: recipes.RecipeInfo) -> None:
        assert self.trigger is not None
        doc = info.document
        self.translations = dict(doc.get("translations") or {})  # not edited here; kept on save
        self.on_error = str((doc.get("options") or {}).get("on_error") or "continue")
        self.title.setText(info.title)
        self.description.setText(str(doc.get("description", "")))
        self.slug.setText(info.name)
        self.slug.setEnabled(False)
        self.enable.setChecked(info.enabled)
        self.dry_run.setChecked(info.dry_run)
        bindings = info.bindings
        self.roles = {account: role for role, account in bindings.items()}
        roles = doc.get("accounts", {})
        trig = doc.get("trigger", {})
        self.trigger.load_trigger(trig, roles.get(trig.get("account"), ""), bindings.get(trig.get("account"), ""))
        for step in doc.get("steps", []):
            if "filter" in step:
                self.add_card(self.make_bare("filter")).load_step(step["filter"])
            elif "lookup" in step:
                body = {**step["lookup"], "as": step.get("id", step["lookup"].get("as"))}  # v2: the step's id
                self.add_card(self.make_bare("lookup")).load_step(body, roles.get(body["account"], ""),
                                                                  bindings.get(body["account"], ""))
            elif "action" in step:
                body = step["action"]
                self.add_card(self.make_bare("action")).load_step(body, roles.get(body["account"], ""),
                                                                  bindings.get(body["account"], ""))
        self.beyond = svc.beyond_builder(doc)
        if self.beyond:  # saving from the cards would drop them: show, but leave the file as the place to edit
            self.save_button.setEnabled(False)
            self.problems.setText(self.tr("This recipe uses %1, which the builder does not edit yet. Export it, "
                                          "edit the file and import it again (Recipes → Import).")
                                  .replace("%1", "、".join(t.pick(i18n.current()) for t in self.beyond)
                                           if i18n.current().startswith("zh") else
                                           ", ".join(t.pick(i18n.current()) for t in self.beyond)))
        self._context_changed()

    def make_bare(self, kind: str) -> StepCard:
        """A card not yet connected (``add_card`` connects it)."""
        return {"filter": FilterCard, "lookup": LookupCard, "action": ActionCard}[kind](self.state)

    def focus_field(self, target: str, options: list[tuple[str, str]] | None = None) -> MappingEditor | None:
        """Scroll to the action field a problem is about and mark it; offer its allowed values."""
        for card in self.cards(ActionCard):
            editor = card.match if target == "match" else card.fields.get(target)
            if editor is None:
                continue
            if options:
                editor.set_options(options)  # its preview now says when a value is not allowed
            editor.setProperty("error", True)
            editor.setToolTip(self.tr("Pick one of the allowed values here."))
            editor.style().unpolish(editor)
            editor.style().polish(editor)
            self.scroll_area.ensureWidgetVisible(editor, 0, 80)
            editor.setFocus()
            return editor
        return None

    # -- unsaved changes ----------------------------------------------------------------------
    def snapshot(self) -> str:
        """The recipe as the cards describe it (compared to spot unsaved changes)."""
        if self.trigger is None:
            return ""
        doc, bindings = self.document()
        return json.dumps([doc, bindings, self.enable.isChecked(), self.slug.text()], sort_keys=True, default=str)

    def is_dirty(self) -> bool:
        """Whether the cards differ from what was opened or last saved."""
        return self.trigger is not None and self.snapshot() != self.clean

    # -- sample and step tests ----------------------------------------------------------------
    def load_sample(self) -> None:
        """Read sample records from the trigger's account (or the offline sample)."""
        assert self.trigger is not None
        trigger = self.trigger
        account, event = trigger.account_name(), str(trigger.operation.currentData() or "")
        conn = trigger.connector()
        if not account or conn is None:
            trigger.result.setText(self.tr("Pick an account first (or add one in Accounts)."))
            if conn is not None:
                self._sample_done(svc.SampleResult([svc.offline_sample(conn.key, event)], live=False))
            return
        trigger.load.setEnabled(False)
        trigger.result.setText(self.tr("Loading sample records…"))

        def failed(exc: BaseException) -> None:
            trigger.load.setEnabled(True)
            trigger.result.setText("⚠ " + describe(exc))

        self.ctx.tasks.run(lambda: svc.sample_records(account, event, limit=5), on_success=self._sample_done,
                           on_failure=failed)

    def _sample_done(self, result: svc.SampleResult) -> None:
        if self.trigger is None:
            return
        scroll = self.scroll_area.verticalScrollBar().value()
        conn = self.trigger.connector()
        spec = conn.trigger(str(self.trigger.operation.currentData())) if conn else None
        self.state.records = result.records
        self.state.index = max(0, len(result.records) - 1)
        self.state.live = result.live
        self.state.declared = list(spec.fields) if spec else []
        self.state.choices = {f.key: f.choices for f in spec.fields if f.choices} if spec else {}
        self.trigger.load.setEnabled(True)
        if result.live:
            self.trigger.result.setText(self.tr("✓ %1 sample record(s) loaded from the account.")
                                        .replace("%1", str(len(result.records))))
        else:
            self.trigger.result.setText(self.tr("Using example values: the account gave no records yet."))
            self.trigger.result.setToolTip(plain(result.note) if result.note else "")
        self.trigger.show_samples()
        self._context_changed()
        QTimer.singleShot(0, lambda: self.scroll_area.verticalScrollBar().setValue(scroll))
        if self.pending_focus is not None:
            target, options = self.pending_focus
            self.pending_focus = None
            self.focus_field(target, options)
        self.sample_loaded.emit()

    def test_lookup(self, card: LookupCard) -> None:
        """Run the lookup for the sample record (a read)."""
        account, lookup, params = card.account_name(), str(card.operation.currentData()), card.param_values()
        card.result.setText(self.tr("Testing…"))

        def done(found: dict[str, Any] | None) -> None:
            if found is None:
                card.result.setText(self.tr("Nothing found for %1.").replace("%1", show(params)))
            else:
                self.state.lookups[card.name()] = found
                card.result.setText(self.tr("✓ Found: %1").replace("%1", show(found)))
                self._context_changed()
            self.step_tested.emit(found)

        def failed(exc: BaseException) -> None:
            card.result.setText("⚠ " + describe(exc))
            self.step_tested.emit(exc)

        self.ctx.tasks.run(lambda: svc.run_lookup(account, lookup, params), on_success=done, on_failure=failed)

    def test_action(self, card: ActionCard) -> None:
        """Dry-run the action for the sample record: what would change in the target."""
        step = card.to_step(lambda a: a)["action"]
        record, lookups = dict(self.state.record()), dict(self.state.lookups)
        account = card.account_name()
        card.result.setText(self.tr("Testing (nothing is written)…"))

        def label(key: str) -> str:
            spec = card.field_specs.get(key)
            return i18n.label(spec) if spec else key

        def done(result: svc.ActionTest) -> None:
            lines = []
            for key, error in result.errors.items():
                lines.append(f"⚠ {label(key)}: {plain(error, kind='recipe')}")
            if not result.exists:
                lines.append(self.tr("No record in the target has the value “%1” to match on; check the field "
                                     "used to match.").replace("%1", show(result.match)))
            for change in result.changes:
                lines.append(self.tr("%1: %2 → %3").replace("%1", label(str(change["field"])))
                             .replace("%2", show(change["current"])).replace("%3", show(change["new"])))
            if result.exists and not result.changes and not result.errors:
                lines.append(self.tr("✓ The target already has these values."))
            card.show_test(lines)
            self.step_tested.emit(result)

        def failed(exc: BaseException) -> None:
            card.result.setText("⚠ " + describe(exc))
            self.step_tested.emit(exc)

        self.ctx.tasks.run(lambda: svc.preview_action(account, step["action"], match=step.get("match"),
                                                   fields=step["fields"], params=step.get("params"),
                                                   record=record, lookups=lookups),
                           on_success=done, on_failure=failed)

    def load_account_fields(self, card: Any) -> None:
        """Read, in the background, which values the action's account accepts (once per account and action)."""
        account, action = card.account_name(), card.operation.currentData()
        if not account or not action or getattr(card, "_options_for", None) == (account, action):
            return
        card._options_for = (account, action)

        def done(found: Any) -> None:
            if getattr(card, "_options_for", None) == (account, action):
                card.apply_account_fields(found)
                self.account_fields_loaded.emit(card)

        self.ctx.tasks.run(lambda: svc.account_fields(account, str(action)), on_success=done,
                           on_failure=lambda _exc: None)  # unreachable account: the declared values stay

    # -- saving -------------------------------------------------------------------------------
    def role_names(self) -> dict[str, str]:
        """Account → role for every account the cards use (stored roles kept; else shop/crm/…)."""
        assert self.trigger is not None
        out: dict[str, str] = {}
        used = set()
        for card in [self.trigger, *self.steps]:
            if isinstance(card, FilterCard):
                continue
            account = card.account_name()
            conn = card.connector()
            if account in out or conn is None:
                continue
            role = self.roles.get(account) or ("shop" if conn.owns is Owns.ORDERS else "crm")
            base, n = role, 2
            while role in used:
                role, n = f"{base}{n}", n + 1
            used.add(role)
            out[account] = role
        return out

    def document(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The recipe document and bindings (role → account) the cards describe."""
        assert self.trigger is not None
        roles = self.role_names()

        def role_of(account: str) -> str:
            return roles.get(account, "missing_account")

        connectors: dict[str, str] = {}
        for card in [self.trigger, *self.steps]:
            conn = card.connector()
            if conn is not None and not isinstance(card, FilterCard):
                connectors[role_of(card.account_name())] = conn.key
        doc: dict[str, Any] = {
            "format": FORMAT, "version": CURRENT_VERSION, "name": self.title.text().strip() or self.slug.text().strip(),
            "description": self.description.text().strip(), "accounts": connectors,
            "trigger": self.trigger.to_trigger(role_of),
            "steps": [card.to_step(role_of) for card in self.steps],
            "options": {"dry_run": self.dry_run.isChecked(), "on_error": self.on_error},
        }
        if self.translations:
            doc["translations"] = self.translations
        return doc, {role: account for account, role in roles.items() if account}

    def validate(self) -> Recipe | None:
        """Check the document; show problems in plain words on their cards. Returns the recipe when valid."""
        assert self.trigger is not None
        doc, _bindings = self.document()
        lang = i18n.current()
        model: Recipe | None = None
        per_card: dict[int, list[tuple[str, str]]] = {}
        general: list[str] = []
        try:
            model = load.load_document(doc, source="builder")
        except load.RecipeInvalid as exc:
            for problem in plain_problems(exc.problems, doc):
                if problem.part == "step" and problem.step is not None and problem.step < len(self.steps):
                    per_card.setdefault(problem.step + 1, []).append((problem.where, problem.text.pick(lang)))
                elif problem.part == "trigger":
                    per_card.setdefault(0, []).append((problem.where, problem.text.pick(lang)))
                elif problem.where == "name":
                    general.append(self.tr("Give the recipe a name."))
                elif not problem.where.startswith("accounts"):  # a missing account is shown on its card
                    general.append(problem.text.pick(lang))
        missing = [card for card in [self.trigger, *self.steps]
                   if not isinstance(card, FilterCard) and not card.account_name()]
        for card in missing:
            index = 0 if card is self.trigger else self.steps.index(card) + 1
            per_card.setdefault(index, []).append(("", self.tr("Pick an account (add one in Accounts first).")))
        for index, text in self._check_order():
            per_card.setdefault(index + 1, []).append(("", text))
        for index, card in enumerate(self.steps):
            for key, editor in card.fields.items() if isinstance(card, ActionCard) else ():
                if (value := editor.not_allowed()) is not None:  # a stage HubSpot does not have is never saved
                    per_card.setdefault(index + 1, []).append((f"fields.{key}", self.tr(
                        "“%1” is not one of the values %2 accepts here: pick one from the list.").replace(
                        "%1", value).replace("%2", card.app.currentText())))
        if not self.slug.text().strip():
            general.append(self.tr("Give the recipe a name."))
        for i, card in enumerate([self.trigger, *self.steps]):
            card.show_problems(per_card.get(i, []))
        self.problems.setStyleSheet("")
        self.problems.setText("\n".join(dict.fromkeys(general)))
        count = sum(len(v) for v in per_card.values()) + len(general)
        if count:
            first = min(per_card, default=None)
            if first is not None:
                target = [self.trigger, *self.steps][first]
                self.scroll_area.ensureWidgetVisible(target, 0, 40)
            self.problems_shown.emit(count)
            return None
        return model

    def ask_start(self, then: Any) -> None:
        """At the first save of a new recipe, have the user choose its start point, then call ``then``."""
        assert self.trigger is not None
        if self.editing or self.trigger.start_chosen:
            then()
            return
        doc, _b = self.document()
        dialog = StartPointDialog(self, noun=self._start_noun(doc))
        self.last_start_dialog = dialog

        def chosen() -> None:
            assert self.trigger is not None
            self.trigger.set_start(dialog.chooser.value())
            then()

        dialog.accepted.connect(chosen)
        dialog.open()

    def _start_noun(self, doc: dict[str, Any]) -> str:
        conn = self.trigger.connector() if self.trigger else None
        if conn is not None and conn.owns is Owns.ORDERS:
            return self.tr("orders")
        return object_noun(doc).pick(i18n.current()).replace("(s)", "s")

    def save(self) -> None:
        """Validate, ask the start point of a new recipe, warn when a changed trigger restarts reading, then
        store as a new version (one transaction)."""
        if self.beyond:
            return
        if self.validate() is not None:
            self.ask_start(lambda: self.confirm_trigger_change(self._store))

    def confirm_trigger_change(self, then: Any) -> None:
        """A saved recipe whose trigger now reads another app, event or start point starts reading again from
        its start: say so before saving (``recipes.trigger_change``), and save only when the user agrees."""
        model = self.validate()
        if model is None:
            return
        _doc, bindings = self.document()
        change = recipes.trigger_change(self.editing, model, bindings) if self.editing else None
        if change is None or not change.resets:
            then()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The trigger changed"),
                          i18n.pick(change.message_en, change.message_zh),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, self)
        self.last_trigger_dialog = box

        def clicked(button: Any) -> None:
            if box.standardButton(button) == QMessageBox.StandardButton.Save:
                then()

        box.buttonClicked.connect(clicked)
        box.open()

    def _store(self) -> None:
        model = self.validate()
        if model is None:
            return
        _doc, bindings = self.document()
        name, enabled, dry = self.slug.text().strip(), self.enable.isChecked(), self.dry_run.isChecked()
        self.save_button.setEnabled(False)

        def work() -> recipes.RecipeInfo:
            return recipes.save_recipe(model, bindings, name=name, replace=True, enabled=enabled, dry_run=dry)

        def done(info: recipes.RecipeInfo) -> None:
            self.save_button.setEnabled(True)
            self.editing = info.name
            self.slug.setEnabled(False)
            self.roles = {account: role for role, account in info.bindings.items()}
            self.problems.setStyleSheet("color: #15803d;")
            self.problems.setText(self.tr("Saved version %1 (%2).").replace("%1", str(info.version))
                                  .replace("%2", self.tr("switched on") if info.enabled else self.tr("switched off")))
            self.clean = self.snapshot()
            self.ctx.data_changed.emit()
            self.saved.emit(info)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.problems.setText(describe(exc))
            self.problems_shown.emit(1)

        self.ctx.tasks.run(work, on_success=done, on_failure=failed)


def connector_name(key: str) -> str:
    """Display name of a connector in the language in use."""
    conn = registry.get(key)
    return i18n.pick(conn.name_en, conn.name_zh) if conn else key
