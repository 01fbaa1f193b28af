"""The builder shows the connectors' Chinese field and parameter labels when the app is in Chinese."""

from __future__ import annotations

from PySide6.QtCore import Qt

from ordersync_app.connectors.sdk.spec import Field, Param
from ordersync_app.gui import i18n
from ordersync_app.gui.builder.cards import ActionCard
from ordersync_app.gui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def _labels(card: ActionCard) -> list[str]:
    return [card.field_text(key).replace("<br><span style='color:#6b7280;font-size:9pt'>", " | ")
            .replace("</span>", "") for key in card.fields]


def test_label_zh_is_keyword_only_and_optional() -> None:
    assert Field("amount", "Amount", "number").label_zh == ""
    assert Param("match", "Match", True, label_zh="匹配值").label_zh == "匹配值"


def test_action_fields_and_match_in_chinese(qtbot, window: MainWindow) -> None:
    window.show_page("recipes")
    qtbot.mouseClick(window.recipes.new, LEFT)
    b = window.builder
    qtbot.waitUntil(lambda: b.loaded == 1 and b.trigger is not None, timeout=10_000)
    action = b.cards(ActionCard)[0]
    action.app.setCurrentIndex(action.app.findData("hubspot"))
    action.operation.setCurrentIndex(action.operation.findData("upsert_deal"))
    english = _labels(action)
    assert "Deal stage * | dealstage" in english and "Amount | amount" in english  # label first, key second
    assert action.match_label.text() == "Order ID held by the deal *"

    i18n.install("zh_CN")
    action.operation.setCurrentIndex(action.operation.findData("update_deal"))
    action.operation.setCurrentIndex(action.operation.findData("upsert_deal"))
    chinese = _labels(action)
    for text in ("交易阶段 * | dealstage", "销售管道 * | pipeline", "金额 | amount", "成交日期 | closedate",
                 "交易名称 * | dealname", "交易描述 | description"):
        assert text in chinese, chinese
    assert action.match_label.text() == "交易上记录的订单 ID *"
