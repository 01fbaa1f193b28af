"""The Add-account form of the Chinese ERP/OMS connectors, in Chinese: choice labels in the user's language, only the
chosen sign-in method's fields, help text under every field; and the rendered dialog for docs/screenshots.

``ORDERSYNC_SCREENSHOTS=docs/screenshots`` writes ``accounts-<connector>-zh_CN.png`` there (the docs' images)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLabel

from ordersync_app.gui import i18n
from ordersync_app.gui.app import use_cjk_font
from ordersync_app.gui.context import AppContext
from ordersync_app.gui.pages.accounts import AccountDialog


@pytest.fixture
def dialog(qtbot, home: Path) -> Iterator[AccountDialog]:
    i18n.install("zh_CN")
    use_cjk_font(QApplication.instance())  # type: ignore[arg-type]
    ctx = AppContext()
    form = AccountDialog(ctx)
    qtbot.addWidget(form)
    form.show()
    yield form
    ctx.tasks.wait_idle()
    ctx.close()
    i18n.install("en")


def pick(form: AccountDialog, connector: str) -> None:
    form.app.setCurrentIndex(form.app.findData(connector))
    QCoreApplication.processEvents()


def visible(form: AccountDialog) -> set[str]:
    return {key for key, widget in form.fields.items() if widget.isVisibleTo(form)}


def shot(form: AccountDialog, connector: str, tmp_path: Path) -> Path:
    form.name.setText({"kingdee": "金蝶ERP", "wangdiantong": "旺店通", "wangdiantong_qjb": "旺店通旗舰版"}[connector])
    form.adjustSize()
    form.resize(720, form.sizeHint().height())
    QCoreApplication.processEvents()
    target = Path(os.environ.get("ORDERSYNC_SCREENSHOTS") or tmp_path) / f"accounts-{connector}-zh_CN.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    assert form.grab().save(str(target))
    return target


def test_kingdee_form_asks_only_for_the_chosen_sign_in(dialog: AccountDialog, tmp_path: Path) -> None:
    pick(dialog, "kingdee")
    mode = dialog.fields["sign_in"]
    assert isinstance(mode, QComboBox) and mode.currentText() == "第三方系统登录授权（应用ID + 应用密钥）"
    assert {"app_id", "app_secret"} <= visible(dialog) and "password" not in visible(dialog)
    notes = [label.text() for label in dialog.form_host.findChildren(QLabel) if label.objectName() == "muted"]
    assert any("系统管理 → 第三方系统登录授权" in note for note in notes)
    assert shot(dialog, "kingdee", tmp_path).stat().st_size > 10_000
    mode.setCurrentIndex(mode.findData("password"))
    QCoreApplication.processEvents()
    assert "password" in visible(dialog) and not {"app_id", "app_secret"} & visible(dialog)
    dialog.fields["password"].setText("s3cret")  # type: ignore[union-attr]
    dialog.fields["app_id"].setText("left over from the other method")  # type: ignore[union-attr]
    settings, secrets = dialog.values()
    assert settings["sign_in"] == "password" and "app_id" not in settings and secrets == {"password": "s3cret"}


@pytest.mark.parametrize("connector", ["wangdiantong", "wangdiantong_qjb"])
def test_wangdiantong_forms_in_chinese(dialog: AccountDialog, connector: str, tmp_path: Path) -> None:
    pick(dialog, connector)
    assert "sid" in visible(dialog)
    notes = [label.text() for label in dialog.form_host.findChildren(QLabel) if label.objectName() == "muted"]
    assert any("自助对接 → 应用管理" in note for note in notes)
    if connector == "wangdiantong":
        host = dialog.fields["api_host"]
        assert isinstance(host, QComboBox) and host.currentText() == "正式环境（api.wangdian.cn）"
        assert dialog.values()[0]["api_host"] == "api.wangdian.cn"
    assert shot(dialog, connector, tmp_path).stat().st_size > 10_000
