"""The Add-account form of the Chinese ERP/OMS connectors, in Chinese: sign-in methods and choice labels come from
the connectors' own declarations (``shown_when``, ``choice_labels``: no central table), each method asks only for its
fields, help texts show in the fields; and the rendered dialog for docs/screenshots.

``ORDERSYNC_SCREENSHOTS=docs/screenshots`` writes ``accounts-<connector>-zh_CN.png`` there (the docs' images)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QLineEdit

from ordersync_app.gui import i18n
from ordersync_app.gui.app import use_cjk_font
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.accounts import AccountDialog


@pytest.fixture
def open_form(qtbot, home: Path) -> Iterator[Callable[[str], AccountDialog]]:
    i18n.install("zh_CN")
    use_cjk_font(QApplication.instance())  # type: ignore[arg-type]
    ctx = AppContext()

    def make(connector: str) -> AccountDialog:
        form = AccountDialog(ctx, connector_key=connector)
        qtbot.addWidget(form)
        form.show()
        QCoreApplication.processEvents()
        return form
    yield make
    ctx.tasks.wait_idle()
    ctx.close()
    i18n.install("en")


def visible(form: AccountDialog) -> set[str]:
    return {key for key, row in form.field_rows.items() if form.form.isRowVisible(row)}


def shot(form: AccountDialog, connector: str, tmp_path: Path) -> Path:
    form.name.setText({"kingdee": "金蝶ERP", "wangdiantong": "旺店通", "wangdiantong_qjb": "旺店通旗舰版"}[connector])
    form.resize(760, max(form.sizeHint().height(), 640))
    QCoreApplication.processEvents()
    target = Path(os.environ.get("ORDERSYNC_SCREENSHOTS") or tmp_path) / f"accounts-{connector}-zh_CN.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert form.grab().save(str(target))
    return target


def test_kingdee_form_asks_only_for_the_chosen_sign_in(open_form: Callable[[str], AccountDialog],
                                                       tmp_path: Path) -> None:
    form = open_form("kingdee")
    assert [m.label.zh for m in form.methods][:3] == [
        "第三方系统登录授权（应用ID + 应用密钥）", "用户名和密码", "签名请求（公有云租户，SDK 2.0）"]
    assert {"server_url", "acct_id", "username", "app_id", "app_secret"} <= visible(form)
    assert "password" not in visible(form)
    server = form.fields["server_url"]
    assert isinstance(server, QLineEdit) and "到 /k3cloud 为止" in server.placeholderText()
    label = form.form.itemAt(form.field_rows["app_secret"], QFormLayout.ItemRole.LabelRole).widget()
    assert label.text() == "应用密钥 *"  # required by this method, though optional for the others
    assert shot(form, "kingdee", tmp_path).stat().st_size > 10_000
    form.choose_method("password")
    QCoreApplication.processEvents()
    assert "password" in visible(form) and not {"app_id", "app_secret"} & visible(form)
    form.fields["password"].setText("s3cret")  # type: ignore[union-attr]
    settings, secrets = form.values()
    assert settings["sign_in"] == "password" and "app_id" not in settings and secrets == {"password": "s3cret"}


@pytest.mark.parametrize("connector", ["wangdiantong", "wangdiantong_qjb"])
def test_wangdiantong_forms_in_chinese(open_form: Callable[[str], AccountDialog], connector: str,
                                       tmp_path: Path) -> None:
    form = open_form(connector)
    assert "sid" in visible(form)
    appkey = form.fields["appkey" if connector == "wangdiantong" else "key"]
    assert isinstance(appkey, QLineEdit) and "自助对接 → 应用管理" in appkey.placeholderText()
    if connector == "wangdiantong":
        host = form.fields["api_host"]
        assert isinstance(host, QComboBox) and host.currentText() == "正式环境（api.wangdian.cn）"
        assert form.values()[0]["api_host"] == "api.wangdian.cn"
        form.advanced_toggle.setChecked(True)  # the environment is an advanced setting
        QCoreApplication.processEvents()
    assert shot(form, connector, tmp_path).stat().st_size > 10_000
