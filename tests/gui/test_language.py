"""Languages: switching in Settings rebuilds the window in Chinese; the .ts is complete; screenshots."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtGui import QImage

from ordersync_app.gui import app, i18n
from ordersync_app.gui.main_window import MainWindow

TS = Path(__file__).parents[2] / "resources" / "i18n" / "ordersync_zh_CN.ts"


def test_switch_to_chinese_and_back(qtbot, window: MainWindow) -> None:
    window.show_page("settings")
    combo = window.settings.language
    combo.setCurrentIndex(combo.findData("zh_CN"))
    qtbot.waitUntil(lambda: window.sidebar.item(0).text() == "首页")
    assert i18n.current() == "zh_CN"
    assert i18n.saved_language() == "zh_CN"
    assert window.current_page() == "settings"
    assert window.pages["home"].heading.text() == "首页"
    assert window.builder.add_filter.text() == "+ 过滤"
    combo = window.settings.language  # the pages were rebuilt
    combo.setCurrentIndex(combo.findData("en"))
    qtbot.waitUntil(lambda: window.sidebar.item(0).text() == "Home")


def test_every_message_is_translated() -> None:
    root = ET.parse(TS).getroot()  # noqa: S314 - our own file
    messages = root.findall("./context/message")
    assert len(messages) > 200
    unfinished = [m.findtext("source") for m in messages
                  if m.find("translation").get("type") in ("unfinished", "obsolete")
                  or not (m.findtext("translation") or "").strip()]
    assert unfinished == []
    assert (TS.with_suffix(".qm")).stat().st_mtime >= TS.stat().st_mtime - 5


def test_screenshot_renders_a_page_in_chinese(qtbot, home, tmp_path: Path) -> None:
    out = tmp_path / "home-zh.png"
    args = argparse.Namespace(screenshot=str(out), page="home", lang="zh_CN", size="1024x600")
    try:
        assert app.main(args) == 0
    finally:
        i18n.install("en")
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1024, 600)
