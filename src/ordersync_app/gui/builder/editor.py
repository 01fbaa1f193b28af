"""The recipe builder page: header (name, switch, dry run, save) over a vertical flow of step cards.

Saving builds the recipe document from the cards, validates it with ``recipes.load.load_document``
(the same checks as a file import) and shows each problem on the card and field it concerns; a
valid recipe goes to ``services.recipes.save_recipe``, which stores it as a new version.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ordersync_app.connectors.sdk import registry
from ordersync_app.connectors.sdk.spec import Owns
from ordersync_app.gui import i18n
from ordersync_app.gui.builder.cards import ActionCard, BuilderState, FilterCard, LookupCard, StepCard, TriggerCard
from ordersync_app.gui.builder.mapping import show
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.tasks import describe
from ordersync_app.recipes import load
from ordersync_app.recipes.model import FORMAT, Recipe
from ordersync_app.services import accounts, recipes
from ordersync_app.services import builder as svc

_STEP = re.compile(r"^steps\[(\d+)\]\.(filter|lookup|action)\.?(.*)$")


class RecipeBuilder(QWidget):
    """Build or edit one recipe.

    Signals:
        closed(): back to the recipe list.
        saved(object): the RecipeInfo stored.
        sample_loaded(): sample records arrived (or the offline sample was used).
        step_tested(object): a "Test this step" answered (result or exception).
        problems_shown(int): validation found this many problems.
    """

    closed = Signal()
    saved = Signal(object)
    sample_loaded = Signal()
    step_tested = Signal(object)
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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 12)
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
        self.slug.setMaximumWidth(220)
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
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.flow_host = QWidget()
        self.flow_host.setObjectName("page")
        self.flow = QVBoxLayout(self.flow_host)
        self.flow.setSpacing(10)
        self.scroll_area.setWidget(self.flow_host)
        outer.addWidget(self.scroll_area, 1)
        adders = QHBoxLayout()
        self.add_filter = QPushButton(self.tr("+ Filter"))
        self.add_lookup = QPushButton(self.tr("+ Lookup"))
        self.add_action = QPushButton(self.tr("+ Action"))
        self.add_filter.clicked.connect(lambda: self.add_card(FilterCard(self.state)).add_condition())
        self.add_lookup.clicked.connect(lambda: self.add_card(LookupCard(self.state)))
        self.add_action.clicked.connect(lambda: self.add_card(ActionCard(self.state)))
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

    # -- cards --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Empty flow with a trigger card."""
        for card in [self.trigger, *self.steps]:
            if card is not None:
                card.deleteLater()
        while self.flow.count():
            self.flow.takeAt(0)
        self.steps = []
        self.state.records, self.state.index, self.state.lookups = [], 0, {}
        self.trigger = TriggerCard(self.state)
        self.trigger.sample_requested.connect(self.load_sample)
        self.trigger.changed.connect(self._context_changed)
        self.flow.addWidget(self.trigger)
        self.flow.addStretch(1)
        self.problems.setText("")

    def add_card(self, card: StepCard) -> Any:
        """Append a step card (before the trailing stretch)."""
        self.steps.append(card)
        self.flow.insertWidget(self.flow.count() - 1, card)
        card.changed.connect(self._context_changed)
        card.remove_requested.connect(lambda c=card: self.remove_card(c))
        if isinstance(card, LookupCard):
            card.test_requested.connect(lambda c=card: self.test_lookup(c))
        if isinstance(card, ActionCard):
            card.test_requested.connect(lambda c=card: self.test_action(c))
        self._context_changed()
        return card

    def remove_card(self, card: StepCard) -> None:
        """Drop a step."""
        self.steps.remove(card)
        card.deleteLater()
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

    # -- opening ------------------------------------------------------------------------------
    def open_recipe(self, name: str) -> None:
        """Start a new recipe ("") or load a stored one; accounts are read in the background."""
        self.editing = name or None
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
            self._default_accounts()
            self.add_card(ActionCard(self.state))
        else:
            self._load(info)
        self.loaded += 1

    def _default_accounts(self) -> None:
        """For a new recipe, pre-pick an order app that has an account, if any."""
        assert self.trigger is not None
        self.trigger.fill_accounts()

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
                self.add_card(FilterCard(self.state)).load_step(step["filter"])
            elif "lookup" in step:
                body = step["lookup"]
                self.add_card(LookupCard(self.state)).load_step(body, roles.get(body["account"], ""),
                                                                bindings.get(body["account"], ""))
            elif "action" in step:
                body = step["action"]
                self.add_card(ActionCard(self.state)).load_step(body, roles.get(body["account"], ""),
                                                                bindings.get(body["account"], ""))
        self._context_changed()

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
        assert self.trigger is not None
        conn = self.trigger.connector()
        spec = conn.trigger(str(self.trigger.operation.currentData())) if conn else None
        self.state.records = result.records
        self.state.index = max(0, len(result.records) - 1)
        self.state.live = result.live
        self.state.declared = [(f.key, i18n.label(f)) for f in spec.fields] if spec else []
        self.state.choices = {f.key: f.choices for f in spec.fields if f.choices} if spec else {}
        self.trigger.load.setEnabled(True)
        if result.live:
            self.trigger.result.setText(self.tr("✓ %1 sample record(s) loaded from the account.")
                                        .replace("%1", str(len(result.records))))
        else:
            self.trigger.result.setText(self.tr("Using example values (the account gave none: %1).")
                                        .replace("%1", result.note or "—"))
        self.trigger.show_samples()
        self._context_changed()
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

        def done(result: svc.ActionTest) -> None:
            lines = []
            if result.errors:
                lines += [f"⚠ {k}: {v}" for k, v in result.errors.items()]
            if not result.exists:
                lines.append(self.tr("The target was not found (match: %1).").replace("%1", str(result.match)))
            for change in result.changes:
                lines.append(self.tr("%1: %2 → %3").replace("%1", change["field"])
                             .replace("%2", show(change["current"])).replace("%3", show(change["new"])))
            if result.exists and not result.changes and not result.errors:
                lines.append(self.tr("✓ The target already has these values."))
            card.result.setText("\n".join(lines))
            self.step_tested.emit(result)

        def failed(exc: BaseException) -> None:
            card.result.setText("⚠ " + describe(exc))
            self.step_tested.emit(exc)

        self.ctx.tasks.run(lambda: svc.preview_action(account, step["action"], match=step.get("match"),
                                                   fields=step["fields"], params=step.get("params"),
                                                   record=record, lookups=lookups),
                           on_success=done, on_failure=failed)

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
            "format": FORMAT, "version": 1, "name": self.title.text().strip() or self.slug.text().strip(),
            "description": self.description.text().strip(), "accounts": connectors,
            "trigger": self.trigger.to_trigger(role_of),
            "steps": [card.to_step(role_of) for card in self.steps],
            "options": {"dry_run": self.dry_run.isChecked(), "on_error": self.on_error},
        }
        if self.translations:
            doc["translations"] = self.translations
        return doc, {role: account for account, role in roles.items() if account}

    def validate(self) -> Recipe | None:
        """Check the document; show problems on their cards. Returns the recipe when valid."""
        assert self.trigger is not None
        doc, _bindings = self.document()
        found: list[tuple[str, str]] = []
        model: Recipe | None = None
        try:
            model = load.load_document(doc, source="builder")
        except load.RecipeInvalid as exc:
            found = [(p.location, p.message + (f" — {p.hint}" if p.hint else "")) for p in exc.problems]
        missing = [card for card in [self.trigger, *self.steps]
                   if not isinstance(card, FilterCard) and not card.account_name()]
        per_card: dict[int, list[tuple[str, str]]] = {}
        general: list[str] = []
        for loc, message in found:
            match = _STEP.match(loc)
            if match and int(match.group(1)) < len(self.steps):
                per_card.setdefault(int(match.group(1)) + 1, []).append((match.group(3), message))
            elif loc.startswith("trigger"):
                per_card.setdefault(0, []).append((loc.partition(".")[2], message))
            else:
                general.append(f"{loc}: {message}" if loc else message)
        for card in missing:
            index = 0 if card is self.trigger else self.steps.index(card) + 1
            per_card.setdefault(index, []).append(("", self.tr("pick an account (add one in Accounts first)")))
        if not self.slug.text().strip():
            general.append(self.tr("give the recipe a name"))
        for i, card in enumerate([self.trigger, *self.steps]):
            card.show_problems(per_card.get(i, []))
        self.problems.setStyleSheet("")
        self.problems.setText("\n".join(general))
        count = sum(len(v) for v in per_card.values()) + len(general)
        if count:
            self.problems_shown.emit(count)
            return None
        return model

    def save(self) -> None:
        """Validate, then store as a new version (switch and dry run applied)."""
        model = self.validate()
        if model is None:
            return
        _doc, bindings = self.document()
        name, enable, dry = self.slug.text().strip(), self.enable.isChecked(), self.dry_run.isChecked()
        self.save_button.setEnabled(False)

        def work() -> recipes.RecipeInfo:
            recipes.save_recipe(model, bindings, name=name, enable=enable, replace=True)
            recipes.set_enabled(name, enabled=enable)
            return recipes.set_dry_run(name, dry_run=dry)

        def done(info: recipes.RecipeInfo) -> None:
            self.save_button.setEnabled(True)
            self.editing = info.name
            self.slug.setEnabled(False)
            self.roles = {account: role for role, account in info.bindings.items()}
            self.problems.setStyleSheet("color: #15803d;")
            self.problems.setText(self.tr("Saved version %1 (%2).").replace("%1", str(info.version))
                                  .replace("%2", self.tr("switched on") if info.enabled else self.tr("switched off")))
            self.ctx.data_changed.emit()
            self.saved.emit(info)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            self.problems.setText(describe(exc))
            self.problems_shown.emit(1)

        self.ctx.tasks.run(work, on_success=done, on_failure=failed)


def connector_name(key: str) -> str:
    """Display name of a connector."""
    conn = registry.get(key)
    return conn.name_en if conn else key
