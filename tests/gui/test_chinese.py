"""Complete Chinese: every page and dialog rendered in zh_CN shows no Latin-only text that is not a proper name,
a code or the user's own data (tables' cells, typed text and widgets marked ``userData`` are the user's)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QWidget,
)

from ordersync_app.gui import i18n
from ordersync_app.gui.main_window import MainWindow

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/@:#\[\]{}%]*")
CODE = re.compile(r".*[_./@\[\]{}:#%\d].*|[A-Z0-9]{2,}")  # paths, snake_case, codes (FULFILLED, API)
PROPER = {"OrderSync", "Shopify", "HubSpot", "Jushuitan", "OAuth", "CRM", "Plus", "Basic", "Grow", "Advanced",
          "AppKey", "AppSecret", "Admin", "GID", "Dev", "Dashboard", "e.g",
          "English"}  # a language is listed by its own name


def _app_names() -> set[str]:
    from ordersync_app.connectors.sdk import registry

    return {word for conn in registry.all_connectors().values() for word in conn.name_en.split()}


def latin_only(text: str) -> list[str]:
    """The words that make a text English (empty when it is Chinese, a proper name, a code or has no words)."""
    plain = re.sub(r"<[^>]+>|&\w+;", " ", text)
    if not plain.strip() or CJK.search(plain):
        return []
    proper = PROPER | _app_names()  # app names are proper names (WooCommerce, 金蝶 has its own)
    return [w for w in WORD.findall(plain) if w not in proper and not CODE.fullmatch(w)]


def _user_data(widget: QWidget) -> bool:
    while widget is not None:
        if widget.property("userData"):
            return True
        widget = widget.parentWidget()
    return False


def english_in(root: QWidget) -> list[str]:
    """Every visible text under ``root`` that is English."""
    found: list[str] = []

    def check(where: str, text: str) -> None:
        if words := latin_only(text):
            found.append(f"{where}: {text!r} ({' '.join(words)})")

    if root.windowTitle():
        check("window title", root.windowTitle())
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root) or _user_data(widget):
            continue
        name = type(widget).__name__
        if isinstance(widget, QLabel | QAbstractButton):
            check(name, widget.text())
        elif isinstance(widget, QGroupBox):
            check(name, widget.title())
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                check("tab", widget.tabText(i))
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                check("choice", widget.itemText(i))
        elif isinstance(widget, QLineEdit | QPlainTextEdit):
            check("placeholder", widget.placeholderText())
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                check("column", str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
    return found


def test_latin_only_rule() -> None:
    assert latin_only("Open the guide") == ["Open", "the", "guide"]
    assert latin_only("打开向导") == [] and latin_only("HubSpot") == [] and latin_only("shopify_order_id") == []
    assert latin_only("12/2/26 6:14") == [] and latin_only("FULFILLED") == [] and latin_only("API 地址") == []


def test_every_page_and_dialog_in_chinese(qtbot, window: MainWindow, home) -> None:
    from tests.gui.conftest import FULFILLED_TEMPLATE

    from ordersync_app.connectors.sdk import registry
    from ordersync_app.gui.builder.mapping import TransformChainDialog
    from ordersync_app.gui.onboarding import set_up_sandbox
    from ordersync_app.gui.pages.accounts import AccountDialog
    from ordersync_app.gui.passphrase import PassphraseDialog
    from ordersync_app.gui.startpoint import StartPointDialog
    from ordersync_app.recipes import catalog
    from ordersync_app.services import account_forms, keychain, recipes, runs, sandbox

    try:
        i18n.install("zh_CN")
        window.build()
        made = {a.connector: a.name for a in set_up_sandbox("zh_CN")}
        text = FULFILLED_TEMPLATE.read_text("utf-8").replace("FULFILLED: shipped", "FULFILLED: 已发货")
        bindings = {"shop": made["shopify"], "crm": made["hubspot"]}
        recipes.import_recipe(text, bindings, name="demo", start="everything")
        runs.run_recipe("demo")  # a problem to explain
        problems: dict[str, list[str]] = {}
        for name in ("home", "recipes", "accounts", "activity", "templates", "settings"):
            page = window.pages[name]
            before = page.loaded
            window.show_page(name)
            qtbot.waitUntil(lambda p=page, b=before: p.loaded > b, timeout=15_000)
            qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=15_000)
            if name == "activity":  # every tab, with a record selected
                for tab in range(3):
                    window.activity.tabs.setCurrentIndex(tab)
                    problems[f"activity tab {tab}"] = english_in(window)
                window.activity.tabs.setCurrentIndex(1)
                window.activity.table.selectRow(0)
                qtbot.waitUntil(lambda: window.activity.record_panel.isVisibleTo(window), timeout=10_000)
            problems[name] = english_in(window)
        window.open_builder("demo")
        qtbot.waitUntil(lambda: window.builder.loaded >= 1 and window.builder.state.live, timeout=15_000)
        problems["builder"] = english_in(window)
        window.builder.insert_step("lookup", 0)
        problems["builder with a lookup"] = english_in(window)
        popup = window.builder.cards(type(window.builder.steps[-1]))[0].match.source.open_popup()
        problems["field picker"] = english_in(popup)
        popup.close()
        window.show_page("home")  # unsaved changes (the lookup): the question
        assert window.last_question is not None
        problems["unsaved changes"] = english_in(window.last_question)
        window.last_question.close()
        window.show_guide()
        for step in range(5):
            window.guide.show_step(step)
            qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=10_000)
            problems[f"guide step {step + 1}"] = english_in(window)

        dialogs: list[tuple[str, QDialog]] = []
        for key in registry.all_connectors():
            dialog = AccountDialog(window.ctx, window, connector_key=key)
            for method in account_forms.sign_in_methods(dialog.connector()):
                dialog.choose_method(method.key)
                dialog.advanced_toggle.setChecked(True)
                dialogs.append((f"account {key} {method.key}", dialog))
                dialog.show()
                problems[f"account {key} {method.key}"] = english_in(dialog)
            dialog.close()
        for new in (True, False):
            asking = PassphraseDialog(window.ctx, keychain.KeychainState(locked=True, new=new, path="/x/secrets.cfg"),
                                      window)
            asking.show()
            problems[f"passphrase new={new}"] = english_in(asking)
            asking.close()
        start = StartPointDialog(window)
        start.show()
        problems["start point"] = english_in(start)
        start.close()
        wizard = window.open_import(str(FULFILLED_TEMPLATE))
        assert wizard is not None
        qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=10_000)
        problems["import wizard"] = english_in(wizard)
        wizard.close()
        chain = TransformChainDialog({"source": "name"}, {"name": "#1001"}, {}, [], window, field_label="交易阶段")
        chain.show()
        for name in catalog.TRANSFORMS:
            chain.add_transform(name)
            problems[f"transform {name}"] = english_in(chain)
        chain.close()
        problems["keep syncing"] = english_in(window.ask_keep_syncing())
        window.last_question.close()
        assert {k: v for k, v in problems.items() if v} == {}
    finally:
        sandbox.stop_in_process()
        i18n.install("en")
