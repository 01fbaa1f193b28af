"""Templates → import wizard (roles → accounts), drag-and-drop import, and export without secrets."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from tests.gui.conftest import FULFILLED_TEMPLATE, wait_loaded

from ordersync_app.gui.main_window import MainWindow
from ordersync_app.recipes import load
from ordersync_app.services import recipes

LEFT = Qt.MouseButton.LeftButton


def test_use_a_template_then_export_it(qtbot, window: MainWindow, demo_accounts, tmp_path: Path) -> None:
    page = window.pages["templates"]
    before = page.loaded
    window.show_page("templates")
    wait_loaded(qtbot, page, before)
    index = next(i for i, t in enumerate(page.templates) if t.path == FULFILLED_TEMPLATE)
    use = page.use_buttons[index]

    def in_view() -> bool:  # a click lands where the user can see the button: scroll to it once laid out
        page.scroll.ensureWidgetVisible(use)
        return not use.visibleRegion().isEmpty()
    qtbot.waitUntil(in_view, timeout=5_000)
    qtbot.mouseClick(page.use_buttons[index], LEFT)
    wizard = window.last_wizard
    assert wizard is not None
    assert wizard.bindings() == {"shop": "demo-shop", "crm": "demo-crm"}
    assert "Shopify account" in [wizard.form.labelForField(c).text() for c in wizard.roles.values()]  # not "shop"
    assert not wizard.ok.isEnabled()  # the start point is chosen, never defaulted
    wizard.start.choose("now")
    wizard.enable.setChecked(True)
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        qtbot.mouseClick(wizard.ok, LEFT)
    info = wizard.imported
    assert info is not None
    assert info.enabled
    assert info.bindings == {"shop": "demo-shop", "crm": "demo-crm"}

    target = tmp_path / "shared.yaml"
    window.show_page("recipes")
    with qtbot.waitSignal(window.ctx.tasks.busy_changed, timeout=10_000, check_params_cb=lambda n: n == 0):
        window.recipes.export_to(info.name, target)
    qtbot.waitUntil(target.exists, timeout=5_000)
    text = target.read_text("utf-8")
    assert "demo-shop" not in text
    assert "demo-crm" not in text
    assert "sandbox" not in text
    assert load.load_text(text).to_document() == load.load_file(FULFILLED_TEMPLATE).to_document()


def test_drop_a_file_to_import(qtbot, window: MainWindow, demo_accounts, tmp_path: Path) -> None:
    path = tmp_path / "dropped.yaml"
    path.write_text(FULFILLED_TEMPLATE.read_text("utf-8"), "utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, LEFT, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    wizard = window.last_wizard
    assert wizard is not None
    wizard.name.setText("from-drop")
    wizard.start.choose("everything")
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        qtbot.mouseClick(wizard.ok, LEFT)
    assert recipes.get_recipe("from-drop").bindings == {"shop": "demo-shop", "crm": "demo-crm"}


def test_invalid_file_lists_its_problems(qtbot, window: MainWindow, home, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FULFILLED_TEMPLATE.read_text("utf-8").replace("update_deal", "update_dael"), "utf-8")
    wizard = window.open_import(str(path))
    assert wizard is not None
    assert not wizard.ok.isEnabled()
    assert wizard.problem.text() == "• Pick an action from the list."  # plain words, no file paths or YAML
    assert "update_dael" in wizard.problem.toolTip()  # the precise report stays available


def _chinese_template(tmp_path: Path, title: str) -> Path:
    path = tmp_path / f"{len(title)}-{abs(hash(title))}.yaml"
    path.write_text(FULFILLED_TEMPLATE.read_text("utf-8").replace(
        "name: Shopify order fulfilled → HubSpot deal stage", f"name: {title}"), "utf-8")
    return path


def _import(qtbot, wizard) -> None:
    wizard.start.choose("now")
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        qtbot.mouseClick(wizard.ok, LEFT)


def test_two_chinese_templates_get_two_readable_names(qtbot, window: MainWindow, demo_accounts,
                                                      tmp_path: Path) -> None:
    names = []
    for title in ("订单发货同步", "订单退款同步", "订单发货同步"):
        wizard = window.open_import(str(_chinese_template(tmp_path, title)))
        _import(qtbot, wizard)
        assert wizard.imported is not None
        names.append(wizard.imported.name)
    assert names == ["ding-dan-fa-huo-tong-bu", "ding-dan-tui-kuan-tong-bu", "ding-dan-fa-huo-tong-bu-2"]
    assert all(recipes.get_recipe(n).version == 1 for n in names)  # nothing was replaced silently


def test_importing_over_a_recipe_of_the_same_name_asks_first(qtbot, window: MainWindow, demo_accounts) -> None:
    recipes.import_recipe(FULFILLED_TEMPLATE, {"shop": "demo-shop", "crm": "demo-crm"},
                          name="shopify-order-fulfilled-hubspot-deal-stage")
    wizard = window.open_import(str(FULFILLED_TEMPLATE))
    assert wizard is not None
    assert wizard.name.text() == "shopify-order-fulfilled-hubspot-deal-stage-2"  # a free name is offered
    qtbot.waitUntil(lambda: wizard.ok.text() == "Import", timeout=10_000)
    wizard.name.setText("shopify-order-fulfilled-hubspot-deal-stage")  # the user asks for the taken name
    qtbot.waitUntil(lambda: wizard.taken.isVisibleTo(wizard), timeout=10_000)
    assert wizard.ok.text() == "Replace"
    wizard.name.setText("a-second-one")
    qtbot.waitUntil(lambda: not wizard.taken.isVisibleTo(wizard), timeout=10_000)
    assert wizard.ok.text() == "Import"
    wizard.name.setText("shopify-order-fulfilled-hubspot-deal-stage")
    qtbot.waitUntil(lambda: wizard.ok.text() == "Replace", timeout=10_000)
    _import(qtbot, wizard)
    assert recipes.get_recipe("shopify-order-fulfilled-hubspot-deal-stage").version == 2
