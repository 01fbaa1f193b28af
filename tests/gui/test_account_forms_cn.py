"""The account forms of 纷享销客 and 用友 in Chinese: one field per declared setting, Chinese labels and help
texts under each field, choices shown by their Chinese labels but saved as their values."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QLabel

from ordersync_app.gui import i18n
from ordersync_app.gui.main_window import MainWindow
from ordersync_app.gui.pages.accounts import AccountDialog
from ordersync_app.services import accounts


@pytest.mark.parametrize("key", ["fxiaoke", "yonyou"])
def test_the_form_speaks_chinese_and_says_where_each_value_is(qtbot, window: MainWindow, key: str) -> None:
    i18n.install("zh_CN")
    dialog = AccountDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.app.setCurrentIndex(dialog.app.findData(key))
    conn = accounts.connector(key)
    assert set(dialog.fields) == {s.key for s in conn.settings}
    notes = {label.text() for label in dialog.form_host.findChildren(QLabel)}
    for spec in conn.settings:
        assert spec.help_zh and spec.help_zh in notes, spec.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in spec.label_zh + spec.help_zh), spec.key


def test_choices_show_their_label_and_keep_their_value(qtbot, window: MainWindow) -> None:
    i18n.install("zh_CN")
    dialog = AccountDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    dialog.app.setCurrentIndex(dialog.app.findData("fxiaoke"))
    flows = dialog.fields["workflows"]
    assert isinstance(flows, QComboBox)
    assert flows.currentText() == "不触发（推荐）"
    flows.setCurrentIndex(flows.findData("both"))
    assert dialog.values()[0]["workflows"] == "both"
