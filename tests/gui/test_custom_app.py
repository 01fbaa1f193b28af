""""Add a custom app" in the real GUI: a custom REST app built from a sample of the sandbox's generic REST app,
in each paging style it serves, saved as a connector file with an account, and used by the in-house template
end to end (the in-house system ships orders; their HubSpot deals move to "Shipped" once)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import Qt
from tests.gui.conftest import TEMPLATES

from ordersync_app.connectors.sdk import files, registry
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.custom_app import CustomAppDialog
from ordersync_app.sandbox.rest import API_KEY
from ordersync_app.services import accounts, connectors, recipes, runs, sandbox

LEFT = Qt.MouseButton.LeftButton
TEMPLATE = TEMPLATES / "inhouse-oms-shipped-to-hubspot-deal-stage.yaml"
# style: (list path, items path, paging, page/offset/cursor parameter, page size parameter, total/next path)
STYLES = {"offset": ("/offset/orders", "data", "offset", "offset", "limit", "total"),
          "page": ("/page/orders", "items", "page", "page", "per_page", "total_pages"),
          "cursor": ("/cursor/orders", "orders", "token", "cursor", "limit", "next_cursor"),
          "link": ("/link/orders", "", "link", "", "per_page", "")}


def choose(box, value: str) -> None:
    box.setCurrentIndex(box.findData(value))


def ship(order_no: str, tracking: str) -> None:
    """The in-house system ships an order (as its warehouse screen would)."""
    url = f"{sandbox.resolve('sandbox://rest')}/orders/{order_no}"
    httpx.patch(url, headers={"X-Api-Key": API_KEY}, json={"status": "shipped", "tracking_no": tracking},
                timeout=10).raise_for_status()


def deal(order_id: int) -> dict[str, str]:
    body = {"filterGroups": [{"filters": [{"propertyName": "shopify_order_id", "operator": "EQ",
                                           "value": str(order_id)}]}],
            "properties": ["dealstage", "tracking_number"], "limit": 1, "after": "0", "sorts": []}
    answer = httpx.post(f"{sandbox.resolve('sandbox://hubspot')}/crm/v3/objects/0-3/search", json=body,
                        headers={"Authorization": "Bearer sandbox-hubspot-token"}, timeout=10).json()
    found = answer["results"][0]["properties"]
    return {"dealstage": found["dealstage"], "tracking_number": found.get("tracking_number")}


@pytest.mark.parametrize("style", list(STYLES))
def test_a_custom_app_built_from_a_sample_runs_the_inhouse_template(qtbot, window: MainWindow, tmp_path: Path,
                                                                    style: str) -> None:
    path, items, paging, param, size, more = STYLES[style]
    try:
        window.show_page("accounts")
        page = window.pages["accounts"]
        qtbot.mouseClick(page.custom, LEFT)
        dialog = page.findChildren(CustomAppDialog)[-1]
        qtbot.waitUntil(dialog.isVisible)
        dialog.name_en.setText("Our order system")
        dialog.name_zh.setText("自有订单系统")
        dialog.base_url.setText("sandbox://rest")
        choose(dialog.auth, "api_key")
        assert dialog.auth_form.isRowVisible(dialog.key_name) and not dialog.auth_form.isRowVisible(dialog.token_url)
        dialog.key_name.setText("X-Api-Key")
        dialog.secret.setText(API_KEY)
        dialog.path.setText(path)
        dialog.records.setText(items)
        choose(dialog.paging, paging)
        dialog.page_param.setText(param)
        dialog.size_param.setText(size)
        dialog.more_path.setText(more)

        with qtbot.waitSignal(dialog.sampled, timeout=20_000) as found:
            qtbot.mouseClick(dialog.fetch, LEFT)
        assert found.args[0] == dialog.table.rowCount() >= 10
        shown = {dialog.table.item(i, 0).text(): dialog.table.item(i, 1).text() for i in range(dialog.table.rowCount())}
        assert shown["order_no"] == "SO-1001" and shown["shop_order_id"] == "5001" and "updated_at" in shown
        assert dialog.cursor_field.currentText() == "updated_at"  # guessed from the sample
        dialog.key_field.setCurrentText("order_no")
        dialog.cursor_param.setText("updated_since")

        choose(dialog.write, "update")
        dialog.write_path.setText("/orders/{match}")
        for i in range(dialog.write_fields.count()):
            item = dialog.write_fields.item(i)
            if item.text() in ("status", "tracking_no"):
                item.setCheckState(Qt.CheckState.Checked)
        dialog.extra_fields.setText("note")
        dialog.read_path.setText("/orders/{match}")
        dialog.read_record.setText("order")

        dialog.base_url.setText("https://erp.example.com/api")  # shared as a file: no key inside
        dialog.secret.setText("a-real-secret-key")
        dialog.export_to(tmp_path / "shared.connector.yaml")
        shared = (tmp_path / "shared.connector.yaml").read_text("utf-8")
        assert "a-real-secret-key" not in shared and "erp.example.com" in shared
        assert files.parse_text(shared).triggers[0].paginator.kind == paging
        dialog.base_url.setText("sandbox://rest")
        dialog.secret.setText(API_KEY)

        with qtbot.waitSignal(dialog.accepted, timeout=30_000):
            qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Save), LEFT)
        assert dialog.saved is not None and dialog.saved.tested
        connector = registry.get("inhouse_oms")
        assert connector is not None and connector.name_zh == "自有订单系统"
        assert [a.key for a in connector.actions] == ["update_order"]
        assert accounts.get_account("oms").base_url == "sandbox://rest"
        qtbot.waitUntil(lambda: "oms" in [a.name for a in page.model.rows], timeout=15_000)
        exported = connectors.export_file("inhouse_oms", tmp_path / "again.yaml").read_text("utf-8")
        assert files.parse_text(exported).key == "inhouse_oms"

        accounts.add_account("crm", "hubspot", base_url="sandbox://hubspot")
        recipes.import_recipe(TEMPLATE, {"oms": "oms", "crm": "crm"}, name="inhouse")
        for n in range(11, 16):
            ship(f"SO-{1000 + n}", f"SF{9000 + n}")
        first = runs.run_recipe("inhouse")
        assert (first.succeeded, first.failed) == (5, 0), first
        assert [deal(5000 + n) for n in range(11, 16)] == [{"dealstage": "shipped", "tracking_number": f"SF{9000 + n}"}
                                                           for n in range(11, 16)]
        again = runs.run_recipe("inhouse")
        assert again.succeeded == again.writes == 0
    finally:
        sandbox.stop_in_process()


def test_the_form_speaks_chinese_and_shows_only_what_the_choices_need(qtbot, home: Path) -> None:
    from ordersync_app.gui import i18n
    from ordersync_app.gui.context import AppContext

    i18n.install("zh_CN")
    ctx = AppContext()
    try:
        dialog = CustomAppDialog(ctx)
        qtbot.addWidget(dialog)
        assert dialog.windowTitle() == "添加自定义应用" and dialog.fetch.text() == "获取样本"
        assert not dialog.auth_form.isRowVisible(dialog.secret)  # no sign-in: no key asked
        choose(dialog.auth, "client_credentials")
        assert dialog.auth_form.isRowVisible(dialog.token_url) and dialog.auth_form.isRowVisible(dialog.user)
        choose(dialog.paging, "link")
        assert not dialog.list_form.isRowVisible(dialog.page_param) and dialog.list_form.isRowVisible(dialog.size_param)
        assert not dialog.write_form.isRowVisible(dialog.write_path)
        choose(dialog.write, "upsert")
        assert dialog.write_form.isRowVisible(dialog.write_path)
        dialog.base_url.setText("ftp://nowhere")
        dialog.export_to(home / "x.yaml")  # an incomplete form: the problems are said, nothing is written
        assert not (home / "x.yaml").exists() and dialog.problem.text().startswith("连接器文件有问题：")
    finally:
        ctx.tasks.wait_idle()
        ctx.close()
        i18n.install("en")


def test_the_inhouse_template_asks_for_the_custom_app_first(home: Path) -> None:
    from ordersync_app.gui.pages.templates import read_templates

    def inhouse() -> tuple[str, ...]:
        (found,) = [t for t in read_templates() if t.path == TEMPLATE]
        assert found.recipe is not None and found.problem is None
        return found.apps_to_add

    assert inhouse() == ("inhouse_oms",)
    try:
        connectors.add_file(Path(__file__).parents[2] / "resources" / "examples" / "inhouse-oms.connector.yaml")
    finally:
        sandbox.stop_in_process()
    assert inhouse() == ()
