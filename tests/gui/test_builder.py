"""Build the demo recipe from scratch in the builder, as a user would, then run it and see Activity."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from tests.gui.conftest import wait_loaded

from ordersync_app.gui.builder.cards import ActionCard, FilterCard
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import recipes

LEFT = Qt.MouseButton.LeftButton


def _pick(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data} not offered"
    combo.setCurrentIndex(index)


def test_build_save_enable_run_and_see_activity(qtbot, window: MainWindow, demo_accounts) -> None:
    window.show_page("recipes")
    qtbot.mouseClick(window.recipes.new, LEFT)
    b = window.builder
    qtbot.waitUntil(lambda: b.loaded == 1 and b.trigger is not None, timeout=10_000)
    trigger = b.trigger
    _pick(trigger.app, "shopify")
    _pick(trigger.operation, "order_fulfilled")
    _pick(trigger.account, "demo-shop")
    _pick(trigger.start, "everything")
    with qtbot.waitSignal(b.sample_loaded, timeout=15_000):
        qtbot.mouseClick(trigger.load, LEFT)
    assert b.state.live
    assert b.state.record()["displayFulfillmentStatus"] == "FULFILLED"

    # the action card offers the target's fields; the source picker shows sample values
    action = b.cards(ActionCard)[0]
    _pick(action.app, "hubspot")
    _pick(action.operation, "update_deal")
    _pick(action.account, "demo-crm")
    assert "dealstage" in action.fields
    offered = [action.match.source.itemText(i) for i in range(action.match.source.count())]
    assert any(t.startswith("legacyResourceId  =  50") for t in offered)

    # saving without a match shows the problem on the action card
    b.title.setText("Shipped orders move deals")
    b.slug.setText("shipped-deals")
    with qtbot.waitSignal(b.problems_shown):
        b.save()
    assert action.problem.isVisibleTo(b)
    assert "match" in action.problem.text().lower()

    action.match.set_path("legacyResourceId")
    stage = action.fields["dealstage"]
    stage.set_path("displayFulfillmentStatus")
    dialog = stage.edit_transforms()
    dialog.add_transform("lookup_table")
    table = dialog.editor
    rows = {table.table.item(r, 0).text(): r for r in range(table.table.rowCount())}
    assert {"FULFILLED", "PARTIALLY_FULFILLED"} <= rows.keys()  # offered from the field's declared values
    table.table.item(rows["FULFILLED"], 1).setText("shipped")
    table.table.item(rows["PARTIALLY_FULFILLED"], 1).setText("processed")
    assert "shipped" in dialog.preview.text()
    dialog.done(QDialog.DialogCode.Accepted)
    assert stage.preview.text() == "→ shipped"

    # a filter step, checked live against the sample
    qtbot.mouseClick(b.add_filter, LEFT)
    flt = b.cards(FilterCard)[0]
    cond = flt.rows[0]
    cond.field.set_path("displayFulfillmentStatus")
    _pick(cond.op, "in")
    cond.value.setText("FULFILLED, PARTIALLY_FULFILLED")
    assert "passes" in flt.result.text()

    with qtbot.waitSignal(b.step_tested, timeout=15_000) as tested:
        qtbot.mouseClick(action.test, LEFT)
    result = tested.args[0]
    assert result.exists
    assert result.properties == {"dealstage": "shipped"}
    assert not result.errors
    assert action.result.text()  # what would change (or that nothing would)

    b.enable.setChecked(True)
    with qtbot.waitSignal(b.saved, timeout=15_000) as saved:
        qtbot.mouseClick(b.save_button, LEFT)
    info = saved.args[0]
    assert info.enabled
    assert info.bindings == {"shop": "demo-shop", "crm": "demo-crm"}
    doc = recipes.get_recipe("shipped-deals").document
    assert doc["steps"][0]["action"]["fields"]["dealstage"]["transforms"][0]["lookup_table"]["table"] == {
        "FULFILLED": "shipped", "PARTIALLY_FULFILLED": "processed"}

    # run it from the Recipes page, then read the outcome in Activity
    qtbot.mouseClick(b.back, LEFT)
    page = window.recipes
    qtbot.waitUntil(lambda: any(r.name == "shipped-deals" for r in page.items), timeout=10_000)
    page.select("shipped-deals")
    with qtbot.waitSignal(page.run_done, timeout=60_000) as run:
        qtbot.mouseClick(page.run, LEFT)
    moved = run.args[0].succeeded
    assert moved >= 8
    assert run.args[0].failed == 0
    activity = window.activity
    before = activity.loaded
    window.show_page("activity")
    wait_loaded(qtbot, activity, before)
    assert [r.status for r in activity.records].count("succeeded") == moved
    activity.table.selectRow(0)
    assert "delivered" in activity.detail.toPlainText()


def test_editing_a_stored_recipe_round_trips(qtbot, window: MainWindow, demo_accounts) -> None:
    from tests.gui.conftest import FULFILLED_TEMPLATE

    recipes.import_recipe(FULFILLED_TEMPLATE, {"shop": "demo-shop", "crm": "demo-crm"}, name="demo")
    before = recipes.get_recipe("demo").document
    window.open_builder("demo")
    b = window.builder
    qtbot.waitUntil(lambda: b.loaded == 1, timeout=10_000)
    assert b.trigger.account.currentData() == "demo-shop"
    with qtbot.waitSignal(b.saved, timeout=15_000):
        b.save()
    after = recipes.get_recipe("demo")
    assert after.version == 2
    assert after.document == before
