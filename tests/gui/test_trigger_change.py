"""Changing a saved recipe's trigger to another app in the builder: no crash, the user is told before saving
that the recipe starts reading again from its start, and its cursor is reset when they agree."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
from sqlalchemy import select
from tests.gui.conftest import FULFILLED_TEMPLATE

from ordersync_app.gui.builder.cards import ActionCard, FilterCard
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import accounts, recipes, runs
from ordersync_app.storage import db
from ordersync_app.storage.tables import Cursor, Recipe


def _cursor(name: str) -> tuple[str | None, str | None]:
    """The recipe's stored position and the trigger it belongs to (a reset "from now" may well land on the same
    second as the old position: the fingerprint says whose position it is)."""
    with db.session() as s:
        recipe_id = s.scalar(select(Recipe.id).where(Recipe.name == name))
        row = s.get(Cursor, recipe_id)
        return row.value, row.fingerprint


def test_switching_the_trigger_from_shopify_to_jushuitan_resets_and_says_so(qtbot, window: MainWindow,
                                                                             demo_accounts) -> None:
    accounts.add_account("demo-oms", "jushuitan", base_url="sandbox://jushuitan")
    recipes.import_recipe(FULFILLED_TEMPLATE, {"shop": "demo-shop", "crm": "demo-crm"}, name="shipped")
    runs.run_recipe("shipped")
    before = _cursor("shipped")

    window.open_builder("shipped")
    b = window.builder
    qtbot.waitUntil(lambda: b.editing == "shipped" and b.trigger is not None and bool(b.cards(ActionCard)),
                    timeout=10_000)
    trigger = b.trigger
    trigger.app.setCurrentIndex(trigger.app.findData("jushuitan"))
    trigger.operation.setCurrentIndex(trigger.operation.findData("order_shipped"))
    trigger.account.setCurrentIndex(trigger.account.findData("demo-oms"))
    for card in b.cards(FilterCard):  # the Shopify status filter does not apply to Jushuitan orders
        b.remove_card(card)
    action = b.cards(ActionCard)[0]
    action.match.set_path("so_id")

    b.save()
    qtbot.waitUntil(lambda: getattr(b, "last_trigger_dialog", None) is not None, timeout=10_000)
    dialog = b.last_trigger_dialog
    assert "starts reading again from now on" in dialog.text()
    assert _cursor("shipped") == before  # nothing is saved until the user agrees
    with qtbot.waitSignal(b.saved, timeout=15_000):
        dialog.button(QMessageBox.StandardButton.Save).click()

    info = recipes.get_recipe("shipped")
    assert info.version == 2
    assert info.trigger.endswith(".order_shipped")
    assert _cursor("shipped") != before
    assert not recipes.trigger_change("shipped", recipes.recipe_model("shipped")[2], info.bindings).resets
