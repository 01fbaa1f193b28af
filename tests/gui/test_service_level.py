"""Service levels in the GUI: the Home card shows each recipe's figures beside its targets in English and
Chinese; the builder's trigger card disables the intervals the account's rate budget does not allow, says what
polling costs, and shows a schedule's next run as it is typed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from tests.gui.conftest import wait_loaded
from tests.gui.test_chinese import english_in
from tests.unit.test_sla import NOW, TARGETS, Outcomes

from ordersync_app.gui import i18n
from ordersync_app.gui.builder.cards import SCHEDULE, BuilderState, TriggerCard
from ordersync_app.gui.main_window import MainWindow


def _show_home(qtbot, window: MainWindow) -> None:
    """Home, read after everything written so far (a refresh started earlier may still be running)."""
    qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=15_000)
    window.show_page("home")
    qtbot.waitUntil(lambda: window.ctx.tasks.busy == 0, timeout=15_000)
    page = window.pages["home"]
    before = page.loaded
    page.refresh()
    wait_loaded(qtbot, page, before)


def _levels(window: MainWindow) -> list[list[str]]:
    return [[label.text() for label in row] for row in window.pages["home"].level_rows]


def test_home_shows_the_figures_beside_their_targets_in_both_languages(qtbot, window: MainWindow,
                                                                      home: Path) -> None:
    del home
    orders = Outcomes("orders", TARGETS)
    for i in range(200):
        orders.add("succeeded", stored=NOW - timedelta(hours=1 + i % 100), latency=5 + i % 40)
    orders.add("retrying", stored=NOW - timedelta(minutes=5), n=2)  # waiting: counts against the rate
    Outcomes("quiet", {"success": 99.0})  # targets, no records yet
    Outcomes("plain", None).add("failed", stored=NOW - timedelta(hours=1))  # no targets: not listed
    _show_home(qtbot, window)
    page = window.pages["home"]
    assert page.levels.isVisible()
    assert _levels(window) == [
        ["Orders", "success 99.01 % (target ≥ 99.5 %)", "95 % written within 42.0 s (target ≤ 30 s)",
         "✗ below target"],
        ["Quiet", "success — (target ≥ 99 %)", "", "no records yet"],
    ]
    assert page.level_rows[0][1].styleSheet().startswith("color:")
    assert page.level_rows[0][1].toolTip() == ("Measured over the last 7 day(s); the time runs from a record's change "
                                               "in the source to its write in the target.")

    i18n.install("zh_CN")
    window.build()
    _show_home(qtbot, window)
    page = window.pages["home"]
    assert _levels(window) == [
        ["Orders", "成功率 99.01 %（目标 ≥ 99.5 %）", "95 % 在 42.0 秒内写入（目标 ≤ 30 秒）", "✗ 未达标"],
        ["Quiet", "成功率 —（目标 ≥ 99 %）", "", "暂无记录"],
    ]
    assert page.level_rows[0][1].toolTip() == "按最近 7 天统计；时间从记录在来源中变更算起，到写入目标为止。"
    assert english_in(page) == []


def test_no_targets_no_card(qtbot, window: MainWindow, home: Path) -> None:
    del home
    Outcomes("plain", None).add("failed", stored=NOW - timedelta(hours=1))
    _show_home(qtbot, window)
    page = window.pages["home"]
    assert not page.levels.isVisible()
    assert page.level_rows == []


def _card(qtbot, app: str, event: str) -> TriggerCard:
    card = TriggerCard(BuilderState())
    qtbot.addWidget(card)
    card.app.setCurrentIndex(card.app.findData(app))
    card.operation.setCurrentIndex(card.operation.findData(event))
    card.show()
    return card


def _enabled(card: TriggerCard) -> dict[str, bool]:
    model = card.every.model()
    assert isinstance(model, QStandardItemModel)
    return {str(card.every.itemData(i)): model.item(i).isEnabled() for i in range(card.every.count())}


def test_the_interval_field_follows_the_rate_budget(qtbot, home: Path) -> None:
    del home
    i18n.install("en")
    card = _card(qtbot, "jushuitan", "order_shipped")
    assert _enabled(card) == {"10s": False, "30s": True, "1m": True, "5m": True, "15m": True, "1h": True,
                              SCHEDULE: True}
    index = card.every.findData("10s")
    assert card.every.itemData(index, Qt.ItemDataRole.ToolTipRole).startswith(
        "every 10 s would use 6 of the 100 requests per minute Jushuitan allows (6 %) on polling alone\n"
        "polling may take at most 5 % of a budget: every 12 s or longer fits")
    assert card.budget.text() == "Polling every 5 min uses 0.2 of the 100 requests per minute Jushuitan allows (0.2 %)."
    card.every.setCurrentIndex(card.every.findData("30s"))
    assert card.budget.text() == "Polling every 30 s uses 2 of the 100 requests per minute Jushuitan allows (2 %)."
    assert card.to_trigger(lambda _a: "oms")["every"] == "30s"

    shop = _card(qtbot, "shopify", "order_fulfilled")  # 2 requests a second: every interval fits
    assert all(_enabled(shop).values())
    # a stored file polling faster than the budget allows says so in red under the field
    card.load_trigger({"account": "oms", "event": "order_shipped", "every": "10s"}, "jushuitan", "")
    assert card.budget.text().startswith("⚠ every 10 s would use 6 of the 100 requests per minute")
    assert "color" in card.budget.styleSheet()

    i18n.install("zh_CN")
    try:
        chinese = _card(qtbot, "jushuitan", "order_shipped")
        chinese.every.setCurrentIndex(chinese.every.findData("30s"))
        assert chinese.budget.text() == "每 30 秒轮询一次，用掉 聚水潭 每分钟允许的 100 次请求中的 2 次（2 %）。"
    finally:
        i18n.install("en")


def test_a_schedule_shows_its_next_run_as_it_is_typed(qtbot, home: Path) -> None:
    del home
    i18n.install("en")
    card = _card(qtbot, "shopify", "order_created")
    assert not card.schedule_box.isVisible()
    card.every.setCurrentIndex(card.every.findData(SCHEDULE))
    assert card.schedule_box.isVisible()
    assert not card.budget.isVisible()
    assert card.start.currentData() == "everything"  # a scheduled run reads in full
    card.zone.setCurrentText("Asia/Shanghai")
    card.cron.setText("0 2 1 * *")
    assert card.next_run.text().startswith("Next run: ")
    assert " 02:00 (Asia/Shanghai)" in card.next_run.text()
    assert card.to_trigger(lambda _a: "shop") == {
        "account": "shop", "event": "order_created", "schedule": {"cron": "0 2 1 * *", "timezone": "Asia/Shanghai"},
        "start": "everything"}
    card.cron.setText("0 2 1 *")
    assert card.next_run.text() == ("⚠ The schedule is not valid; write five fields, e.g. 0 2 1 * * (02:00 on the "
                                    "1st of every month).")
    card.cron.setText("0 2 1 * *")
    card.zone.setCurrentText("Asia/Shangai")
    assert card.next_run.text() == ("⚠ There is no time zone called “Asia/Shangai”; use a name such as "
                                    "Asia/Shanghai.")

    stored = _card(qtbot, "shopify", "order_created")
    stored.load_trigger({"account": "shop", "event": "order_created", "start": "everything",
                         "schedule": {"cron": "30 8 * * 1", "timezone": "Europe/Berlin"}}, "shopify", "")
    assert stored.scheduled()
    assert (stored.cron.text(), stored.zone.currentText()) == ("30 8 * * 1", "Europe/Berlin")
    assert stored.next_run.text().startswith("Next run: ")
