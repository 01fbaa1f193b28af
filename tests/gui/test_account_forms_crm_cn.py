"""The account forms of the Chinese CRMs 纷享销客 and 用友 in Chinese: one field per declared setting with its
Chinese label, the help text saying where the value is found on the field, choices shown by their Chinese labels."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel

from ordersync_app.gui import i18n
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog
from ordersync_app.services import accounts


@pytest.mark.parametrize("key", ["fxiaoke", "yonyou"])
def test_the_form_speaks_chinese_and_says_where_each_value_is(qtbot, window: MainWindow, key: str) -> None:
    i18n.install("zh_CN")
    dialog = AccountDialog(window.ctx, window, connector_key=key)
    qtbot.addWidget(dialog)
    conn = accounts.connector(key)
    assert set(dialog.fields) == {s.key for s in conn.settings}
    for spec in conn.settings:
        label = dialog.form.itemAt(dialog.field_rows[spec.key], QFormLayout.ItemRole.LabelRole).widget()
        assert isinstance(label, QLabel) and label.text().startswith(spec.label_zh), spec.key
        assert dialog.fields[spec.key].toolTip() == spec.help_zh, spec.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.help_zh), spec.key


def test_choices_show_their_declared_label_and_keep_their_value(qtbot, window: MainWindow) -> None:
    i18n.install("zh_CN")
    dialog = AccountDialog(window.ctx, window, connector_key="fxiaoke")
    qtbot.addWidget(dialog)
    flows = dialog.fields["workflows"]
    assert isinstance(flows, QComboBox)
    assert flows.currentText() == "不触发（推荐）"
    flows.setCurrentIndex(flows.findData("both"))
    assert dialog.values()[0]["workflows"] == "both"
