"""Build the demo recipe from scratch in the builder, as a user would, then run it and see Activity; steps go
where they take effect and can be moved; a filter after its action is flagged before saving; unsaved work is
guarded."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from tests.gui.conftest import FULFILLED_TEMPLATE, wait_loaded

from ordersync_app.gui.builder.cards import ActionCard, FilterCard
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.services import recipes

LEFT = Qt.MouseButton.LeftButton


def _pick(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data} not offered"
    combo.setCurrentIndex(index)


def _new_recipe(qtbot, window: MainWindow):
    window.show_page("recipes")
    qtbot.mouseClick(window.recipes.new, LEFT)
    b = window.builder
    qtbot.waitUntil(lambda: b.loaded >= 1 and b.trigger is not None and bool(b.cards(ActionCard)), timeout=10_000)
    return b


def test_build_save_enable_run_and_see_activity(qtbot, window: MainWindow, demo_accounts) -> None:
    b = _new_recipe(qtbot, window)
    trigger = b.trigger
    _pick(trigger.app, "shopify")
    _pick(trigger.operation, "order_fulfilled")
    _pick(trigger.account, "demo-shop")
    with qtbot.waitSignal(b.sample_loaded, timeout=15_000):
        qtbot.mouseClick(trigger.load, LEFT)
    assert b.state.live
    assert b.state.record()["displayFulfillmentStatus"] == "FULFILLED"

    # the action card offers the target's fields; the picker shows labels, paths and samples, likely match first
    action = b.cards(ActionCard)[0]
    _pick(action.app, "hubspot")
    _pick(action.operation, "update_deal")
    _pick(action.account, "demo-crm")
    assert "dealstage" in action.fields
    assert "Deal stage" in action.field_text("dealstage") and "dealstage" in action.field_text("dealstage")
    first = action.match.source.choices[0]
    assert (first.path, first.label_en) == ("legacyResourceId", "Order ID") and first.sample.startswith("50")
    popup = action.match.source.open_popup()
    assert popup.width() >= 560  # wide enough to read label, path and sample
    popup.search.setText("tracking")  # a substring, not a prefix
    assert popup.visible_paths() == ["fulfillments[0].trackingInfo.number", "fulfillments[0].trackingInfo.company"]
    popup.search.setText("Tracking number")  # the label finds it too
    assert popup.visible_paths() == ["fulfillments[0].trackingInfo.number"]
    popup.close()

    # saving without a match shows the problem on the action card, in plain words
    b.title.setText("Shipped orders move deals")
    b.slug.setText("shipped-deals")
    with qtbot.waitSignal(b.problems_shown):
        b.save()
    assert action.problem.isVisibleTo(b)
    assert "the field that finds the record to update" in action.problem.text()
    assert "`" not in action.problem.text() and "steps[" not in action.problem.text()

    popup = action.match.source.open_popup()
    popup.pick_current()  # Enter on the first (likely) match
    assert action.match.path() == "legacyResourceId"
    stage = action.fields["dealstage"]
    stage.set_path("displayFulfillmentStatus")
    dialog = stage.edit_transforms()
    dialog.add_transform("lookup_table")
    table = dialog.editor
    rows = table.rows()
    assert {"FULFILLED", "PARTIALLY_FULFILLED"} <= rows.keys()  # offered from the field's declared values
    table.set_value(rows["FULFILLED"], 1, "shipped")
    table.set_value(rows["PARTIALLY_FULFILLED"], 1, "processed")
    assert "shipped" in dialog.preview.text()
    dialog.done(QDialog.DialogCode.Accepted)
    assert stage.preview.text() == "→ shipped"

    # "+ Filter" goes before the action, where it can stop records; checked live against the sample
    qtbot.mouseClick(b.add_filter, LEFT)
    assert isinstance(b.steps[0], FilterCard) and isinstance(b.steps[1], ActionCard)
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
    assert action.result.text() and "dealstage:" not in action.result.text()  # labels, not property keys

    b.enable.setChecked(True)
    qtbot.mouseClick(b.save_button, LEFT)  # the first save asks where the recipe starts
    start = b.last_start_dialog
    assert not start.ok.isEnabled()  # no silent default
    start.chooser.choose("everything")
    with qtbot.waitSignal(b.saved, timeout=15_000) as saved:
        qtbot.mouseClick(start.ok, LEFT)
    info = saved.args[0]
    assert info.enabled
    assert info.bindings == {"shop": "demo-shop", "crm": "demo-crm"}
    doc = recipes.get_recipe("shipped-deals").document
    assert doc["trigger"]["start"] == "everything"
    assert [next(iter(s)) for s in doc["steps"]] == ["filter", "action"]
    assert doc["steps"][1]["action"]["fields"]["dealstage"]["transforms"][0]["lookup_table"]["table"] == {
        "FULFILLED": "shipped", "PARTIALLY_FULFILLED": "processed"}
    assert not b.is_dirty()

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
    assert page.note.text().startswith(f"Updated {moved} deals.")
    activity = window.activity
    before = activity.loaded
    window.show_page("activity")
    wait_loaded(qtbot, activity, before)
    activity.tabs.setCurrentIndex(1)
    assert [r.status for r in activity.records].count("succeeded") == moved
    activity.table.selectRow(0)
    qtbot.waitUntil(lambda: "written" in activity.detail.toPlainText(), timeout=10_000)


def test_a_filter_after_its_action_is_flagged_and_moved(qtbot, window: MainWindow, demo_accounts) -> None:
    b = _new_recipe(qtbot, window)
    flt = b.insert_step("filter", len(b.steps))  # "+ Add a step here" under the action
    assert b.steps.index(flt) == 1
    qtbot.waitUntil(lambda: flt.isVisible())  # a new card is shown by the event loop
    assert flt.warning.isVisibleTo(b) and "cannot stop anything" in flt.warning_text.text()
    b.title.setText("Guarded")
    b.slug.setText("guarded")
    with qtbot.waitSignal(b.problems_shown):
        b.save()  # refused: the filter would do nothing
    qtbot.waitUntil(lambda: flt.warning_fix.height() > 0)  # laid out by the event loop
    qtbot.mouseClick(flt.warning_fix, LEFT)  # "Move it above the action"
    assert b.steps.index(flt) == 0 and not flt.warning.isVisibleTo(b)
    qtbot.waitUntil(lambda: flt.down.height() > 0)
    qtbot.mouseClick(flt.down, LEFT)
    assert b.steps.index(flt) == 1 and flt.warning.isVisibleTo(b)
    qtbot.mouseClick(flt.up, LEFT)
    assert b.steps.index(flt) == 0


def test_leaving_with_unsaved_changes_asks(qtbot, window: MainWindow, demo_accounts) -> None:
    b = _new_recipe(qtbot, window)
    assert not b.is_dirty()
    b.title.setText("Half built")
    assert b.is_dirty()
    qtbot.mouseClick(b.back, LEFT)
    box = window.last_question
    assert box is not None and box.isVisible() and window.current_page() == "builder"
    keep = next(x for x in box.buttons() if box.buttonRole(x) == QMessageBox.ButtonRole.RejectRole)
    qtbot.mouseClick(keep, LEFT)
    assert window.current_page() == "builder" and b.title.text() == "Half built"
    window.sidebar.setCurrentRow(0)  # the sidebar asks too
    box = window.last_question
    discard = next(x for x in box.buttons() if box.buttonRole(x) == QMessageBox.ButtonRole.DestructiveRole)
    qtbot.mouseClick(discard, LEFT)
    assert window.current_page() == "home"


def test_editing_a_stored_recipe_round_trips(qtbot, window: MainWindow, demo_accounts) -> None:
    recipes.import_recipe(FULFILLED_TEMPLATE, {"shop": "demo-shop", "crm": "demo-crm"}, name="demo")
    before = recipes.get_recipe("demo").document
    window.open_builder("demo")
    b = window.builder
    qtbot.waitUntil(lambda: b.loaded == 1, timeout=10_000)
    qtbot.waitUntil(lambda: b.state.live, timeout=15_000)  # a stored recipe loads its sample by itself
    assert b.trigger.account.currentData() == "demo-shop"
    assert not b.is_dirty()
    with qtbot.waitSignal(b.saved, timeout=15_000):
        b.save()  # no start-point question when editing
    after = recipes.get_recipe("demo")
    assert after.version == 2
    assert after.document == before


def test_a_stage_the_crm_does_not_have_cannot_be_saved(qtbot, window: MainWindow, demo_accounts) -> None:
    """The stage field offers HubSpot's stages; typing one it does not have ("已发货") is shown at once and the
    recipe is not saved until a listed stage is picked — also when the stage comes from a lookup table."""
    b = _new_recipe(qtbot, window)
    _pick(b.trigger.app, "shopify")
    _pick(b.trigger.operation, "order_fulfilled")
    _pick(b.trigger.account, "demo-shop")
    with qtbot.waitSignal(b.sample_loaded, timeout=15_000):
        qtbot.mouseClick(b.trigger.load, LEFT)
    action = b.cards(ActionCard)[0]
    _pick(action.app, "hubspot")
    _pick(action.operation, "update_deal")
    _pick(action.account, "demo-crm")
    action.match.set_path("legacyResourceId")
    stage = action.fields["dealstage"]
    qtbot.waitUntil(lambda: bool(stage.options), timeout=15_000)
    _pick(stage.kind, "value")
    assert stage.choice.isVisible() and stage.choice.findData("shipped") >= 0  # picked from HubSpot's stages
    stage.choice.setEditText("已发货")  # typed over the list
    assert stage.preview.text() == "⚠ “已发货” is not one of the allowed values"
    b.title.setText("Shipped orders move deals")
    b.slug.setText("typed-stage")
    with qtbot.waitSignal(b.problems_shown):
        qtbot.mouseClick(b.save_button, LEFT)
    assert "“已发货” is not one of the values HubSpot accepts here" in action.problem.text()
    assert stage.property("error")
    assert all(r.name != "typed-stage" for r in recipes.list_recipes())  # nothing was saved

    stage.set_path("displayFulfillmentStatus")  # a lookup table that writes a stage HubSpot lacks: refused too
    dialog = stage.edit_transforms()
    dialog.add_transform("lookup_table")
    dialog.editor.set_value(dialog.editor.rows()["FULFILLED"], 1, "已发货")
    dialog.done(QDialog.DialogCode.Accepted)
    with qtbot.waitSignal(b.problems_shown):
        qtbot.mouseClick(b.save_button, LEFT)
    assert "“已发货”" in action.problem.text()

    dialog = stage.edit_transforms()  # picking a listed stage lets it save
    dialog.editor.set_value(dialog.editor.rows()["FULFILLED"], 1, "shipped")
    dialog.done(QDialog.DialogCode.Accepted)
    qtbot.mouseClick(b.save_button, LEFT)
    start = b.last_start_dialog
    assert start is not None
    start.chooser.choose("now")
    with qtbot.waitSignal(b.saved, timeout=15_000):
        qtbot.mouseClick(start.ok, LEFT)
    assert recipes.get_recipe("typed-stage").document["steps"][0]["action"]["fields"]["dealstage"]["transforms"][0][
        "lookup_table"]["table"]["FULFILLED"] == "shipped"
