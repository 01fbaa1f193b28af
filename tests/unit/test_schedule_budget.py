"""Cron schedules (text, zone, weekday numbers, fire times) and the rate budget that bounds a poll interval."""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ordersync_app.connectors.sdk.spec import Connector, Cursor, Field, Get, Owns, RateLimit, Trigger
from ordersync_app.recipes.budget import POLL_SHARE, over_budget, poll_uses
from ordersync_app.recipes.load import RecipeInvalid, load_document
from ordersync_app.recipes.schedule import CronProblem, CronSchedule, check_timezone, parse_cron

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("cron", "fragment"), [
    ("0 2 1 *", "'0 2 1 *' has 4 fields; a cron schedule has 5"),
    ("0 2 1 * * *", "has 6 fields"),
    ("61 2 1 * *", "the minute (0–59) field '61' is not valid"),
    ("0 24 * * *", "the hour (0–23) field '24' is not valid"),
    ("0 2 32 * *", "the day of the month (1–31) field '32' is not valid"),
    ("0 2 1 13 *", "the month (1–12 or jan–dec) field '13' is not valid"),
    ("0 2 * * 8", "'8' is not a day of the week"),
    ("0 2 * * fri-mon", "the range 'fri-mon' runs backwards"),
    ("0 2 * * */0", "has a step that is not a positive number"),
    ("0 2 1 * mon", "restricts both the day of the month (1) and the day of the week (mon)"),
    ("0 2 ? * *", "contains a character cron does not use"),
    ("", "has 0 fields"),
])
def test_bad_cron_text_says_what_is_wrong(cron: str, fragment: str) -> None:
    with pytest.raises(CronProblem) as exc:
        parse_cron(cron)
    assert fragment in exc.value.message
    assert exc.value.hint


def test_a_schedule_that_never_fires_is_refused() -> None:
    with pytest.raises(CronProblem, match="never runs"):
        CronSchedule.of("0 0 30 2 *", "UTC")


@pytest.mark.parametrize(("zone", "hint"), [
    ("Asia/Shangai", "did you mean 'Asia/Shanghai'?"),
    ("Mars/Olympus", "use an IANA zone name"),
    ("", "use an IANA zone name"),
    (" UTC", "did you mean 'UTC'?"),
])
def test_unknown_time_zones_are_refused_with_a_suggestion(zone: str, hint: str) -> None:
    with pytest.raises(CronProblem) as exc:
        check_timezone(zone)
    assert exc.value.message == f"unknown time zone '{zone}'"
    assert exc.value.hint is not None
    assert exc.value.hint.startswith(hint)


def test_weekday_numbers_mean_what_crontab_means() -> None:
    # 0 and 7 are Sunday in crontab (APScheduler 3's from_crontab would read 0 as Monday).
    after = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # a Wednesday
    sunday = CronSchedule.of("0 9 * * 0", "UTC").next_run(after)
    assert sunday is not None
    assert sunday.strftime("%A %H:%M") == "Sunday 09:00"
    assert CronSchedule.of("0 9 * * 7", "UTC").next_run(after) == sunday
    weekdays = CronSchedule.of("30 8 * * 1-5", "UTC")
    found = []
    moment: datetime | None = after
    for _ in range(5):
        assert moment is not None
        moment = weekdays.next_run(moment)
        assert moment is not None
        found.append(moment.strftime("%a"))
    assert found == ["Thu", "Fri", "Mon", "Tue", "Wed"]
    assert CronSchedule.of("0 0 * * fri-sun", "UTC").trigger().fields[4].expressions[0] is not None
    assert CronSchedule.of("@monthly", "UTC").next_run(after) == datetime(2026, 4, 1, tzinfo=UTC)


def test_fire_times_are_in_the_schedules_zone() -> None:
    monthly = CronSchedule.of("0 2 1 * *", "Asia/Shanghai")
    trigger = monthly.trigger()
    assert trigger.timezone == SHANGHAI
    # 18:30 UTC on 31 May is already 02:30 on 1 June in Shanghai: the June run has just passed
    at = datetime(2026, 5, 31, 18, 30, tzinfo=UTC)
    assert monthly.next_run(at) == datetime(2026, 7, 1, 2, 0, tzinfo=SHANGHAI)
    assert monthly.tick(at) == datetime(2026, 6, 1, 2, 0, tzinfo=SHANGHAI)
    assert monthly.tick(datetime(2026, 5, 31, 17, 59, tzinfo=UTC)) == datetime(2026, 5, 1, 2, 0, tzinfo=SHANGHAI)
    # a tick is itself in its own period
    assert monthly.tick(datetime(2026, 6, 1, 2, 0, tzinfo=SHANGHAI)) == datetime(2026, 6, 1, 2, 0, tzinfo=SHANGHAI)
    every_minute = CronSchedule.of("* * * * *", "UTC")
    assert every_minute.tick(datetime(2026, 1, 1, 12, 0, 42, tzinfo=UTC)) == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    leap = CronSchedule.of("0 0 29 2 *", "UTC")
    assert leap.tick(datetime(2027, 6, 1, tzinfo=UTC)) == datetime(2024, 2, 29, tzinfo=UTC)


# -- the poll interval against the account's rate budget ----------------------------------------


def _connector(*limits: RateLimit, family: str = "default", poll_calls: int = 1) -> Connector:
    trigger = Trigger("order_updated", "Order updated", "订单已更新", Cursor("updated"), (Field("id", "ID"),),
                      request=Get("/orders", family=family), records="orders", poll_calls=poll_calls)
    return Connector("erp", "Small ERP", "小型 ERP", Owns.ORDERS, (), "https://example.invalid",
                     lambda _a: None, limits[0], lambda _r: "", lambda _c: "ok", triggers=(trigger,),
                     more_limits=tuple(limits[1:]))


def _recipe(every: str) -> dict[str, Any]:
    return {"format": "ordersync-recipe", "version": 1, "name": "Fast", "accounts": {"oms": "erp", "crm": "crm"},
            "trigger": {"account": "oms", "event": "order_updated", "every": every},
            "steps": [{"action": {"account": "crm", "action": "note", "fields": {"text": {"value": "x"}}}}]}


def _crm() -> Connector:
    from ordersync_app.connectors.sdk.spec import Action, WriteResult

    note = Action("note", "Note", "备注", (Field("text", "Text"),),
                  lambda _c, writes: [WriteResult(w.ref, "ok") for w in writes], lambda _c, w: [None for _ in w])
    return Connector("crm", "CRM", "CRM", Owns.CUSTOMERS, (), "https://example.invalid", lambda _a: None,
                     RateLimit(100, 10.0), lambda _r: "", lambda _c: "ok", actions=(note,))


def test_an_interval_whose_polling_alone_takes_too_much_of_the_budget_is_refused() -> None:
    erp = _connector(RateLimit(5, 1.0), RateLimit(100, 60.0))
    connectors = {"erp": erp, "crm": _crm()}
    with pytest.raises(RecipeInvalid) as exc:
        load_document(_recipe("10s"), connectors=connectors)
    [problem] = exc.value.problems
    assert problem.location == "trigger.every"
    assert problem.message == ("every 10 s would use 6 of the 100 requests per minute Small ERP allows (6 %) on "
                               "polling alone")
    assert problem.hint == "polling may take at most 5 % of a budget: every 12 s or longer fits (every: 12s)"
    assert load_document(_recipe("12s"), connectors=connectors).trigger.every_seconds == 12
    assert load_document(_recipe("1m"), connectors=connectors).trigger.every_seconds == 60


def test_the_floor_is_ten_seconds_where_the_budget_allows() -> None:
    connectors = {"erp": _connector(RateLimit(10, 1.0)), "crm": _crm()}
    assert load_document(_recipe("10s"), connectors=connectors).trigger.every_seconds == 10
    with pytest.raises(RecipeInvalid, match="between 10s and 24h"):
        load_document(_recipe("9s"), connectors=connectors)


def test_daily_budgets_family_budgets_and_calls_per_poll() -> None:
    daily = _connector(RateLimit(50, 1.0), RateLimit(15_000, 86_400.0))
    [use] = [u for u in poll_uses(daily, daily.triggers[0], 10) if u.limit.per_seconds == 86_400.0]
    assert (use.used, use.budget) == (8640, 15_000)
    assert not use.fits
    assert use.message()[0].startswith("every 10 s would use 8,640 of the 15,000 requests per day")
    assert use.message()[1].startswith("每 10 秒轮询一次，仅轮询就会用掉 小型 ERP 每天允许的 "
                                       "15,000 次请求中的 8,640 次")
    assert use.min_every_seconds == 116  # 86,400 / (5 % of 15,000)
    assert over_budget(daily, daily.triggers[0], 116) is None
    # a budget of another family (writes) does not limit polling
    other = _connector(RateLimit(50, 1.0), RateLimit(10, 60.0, family="write"))
    assert over_budget(other, other.triggers[0], 10) is None
    same = _connector(RateLimit(50, 1.0), RateLimit(10, 60.0, family="query"), family="query")
    assert over_budget(same, same.triggers[0], 10) is not None
    # two calls per idle poll cost twice as much
    twice = _connector(RateLimit(200, 60.0), poll_calls=2)
    assert over_budget(twice, twice.triggers[0], 10) is not None
    assert over_budget(twice, twice.triggers[0], 12) is None
    assert Fraction(1, 20) == POLL_SHARE


def test_real_connectors_say_what_they_allow() -> None:
    from ordersync_app.connectors.sdk import registry

    jushuitan = registry.get("jushuitan")
    shopify = registry.get("shopify")
    assert jushuitan is not None and shopify is not None
    trigger = jushuitan.triggers[0]
    use = over_budget(jushuitan, trigger, 10)
    assert use is not None
    assert use.message()[0] == ("every 10 s would use 6 of the 100 requests per minute Jushuitan allows (6 %) on "
                                "polling alone")
    assert over_budget(jushuitan, trigger, 15) is None
    assert over_budget(shopify, shopify.triggers[0], 10) is None  # 2 requests per second: 10 s is fine
