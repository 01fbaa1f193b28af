"""Cron schedules of recipes: ``trigger: {schedule: {cron: "0 2 1 * *", timezone: Asia/Shanghai}}``.

Why a module of its own: a cron line is read by people who know crontab, but APScheduler 3 — which runs
it — reads it differently in two places, so the text is checked and translated here once, for the model
(validation), the scheduler (the job's trigger), the engine's run plan (which *tick* a run belongs to) and
``recipe show``/the builder (the next run):

* **Weekday numbers.** crontab counts 0 (and 7) as Sunday, APScheduler 3's ``from_crontab`` as Monday
  (its own docstring; fixed only in 4.x, https://github.com/agronholm/apscheduler/issues/286). The
  day-of-week field is therefore expanded into weekday *names*, which both read alike.
* **Day of month *and* day of week.** crontab runs when *either* matches, APScheduler only when *both*
  do. A schedule restricting both is refused with a message instead of silently meaning something else.

The zone is an IANA name (``Asia/Shanghai``); fire times follow its daylight-saving rules. A schedule's
*tick* is its latest fire time at or before a moment: every run belongs to the tick it started in, so a
run repeated within one period (a crash, "Run now") does not redo what that period already did.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Final

from apscheduler.triggers.cron import CronTrigger

__all__ = ["FIELDS", "CronProblem", "CronSchedule", "check_timezone", "parse_cron"]

FIELDS: Final = ("minute", "hour", "day", "month", "day_of_week")
_FIELD_WORDS: Final = {"minute": "minute (0–59)", "hour": "hour (0–23)", "day": "day of the month (1–31)",
                       "month": "month (1–12 or jan–dec)", "day_of_week": "day of the week (0–7 or sun–sat; 0 and 7 "
                       "are Sunday)"}
MACROS: Final = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
                 "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}
_DAY_NAMES: Final = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: 0 = Sunday
_APS_ORDER: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler's order: 0 = Monday
_TOKEN = re.compile(r"^[A-Za-z0-9*/,\-]+$")
_EXAMPLE: Final = "e.g. 0 2 1 * * = 02:00 on the 1st of every month"
# No fire time in this long means none ever will be found by looking back (a 29 February on a Monday
# recurs within 28 years; nobody schedules a recipe that rarely).
_LOOKBACK_LIMIT: Final = timedelta(days=366 * 30)


class CronProblem(ValueError):
    """A cron text or time zone that cannot be used, with what to write instead."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _day_number(text: str, *, upper: bool) -> int:
    """A crontab weekday (0–7 or a name) as 0–6 (Sunday 0), or 7 for Sunday at the top of a range."""
    word = text.lower()
    if word in _DAY_NAMES:
        number = _DAY_NAMES.index(word)
        return 7 if upper and number == 0 else number
    if not word.isdigit() or int(word) > 7:
        raise CronProblem(f"'{text}' is not a day of the week", "use 0–7 (0 and 7 are Sunday) or sun, mon, …, sat")
    return int(word)


def _weekdays(field: str) -> str:
    """The day-of-week field in APScheduler's terms: ``*`` or a list of weekday names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise CronProblem(f"'{part}' has a step that is not a positive number", "e.g. */2")
        step = int(step_text) if slash else 1
        if base == "*":
            low, high = 0, 6
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _day_number(first, upper=False), _day_number(last, upper=True)
            if low > high:
                raise CronProblem(f"the range '{base}' runs backwards", "write the earlier day first, e.g. mon-fri")
        else:
            low = _day_number(base, upper=False)
            high = 6 if slash else low
        days.update(day % 7 for day in range(low, high + 1, step))
    names = {_DAY_NAMES[day] for day in days}
    return ",".join(name for name in _APS_ORDER if name in names)


def check_timezone(name: str) -> tzinfo:
    """The IANA time zone called ``name``.

    Raises:
        CronProblem: not a known zone (with the closest name when there is one).
    """
    from ordersync_app.connectors.sdk.registry import suggest

    try:
        if name.strip() != name or not name:
            raise ValueError(name)
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        close = suggest(name, sorted(_zones()))
        raise CronProblem(f"unknown time zone '{name}'",
                          f"did you mean '{close}'?" if close else
                          "use an IANA zone name such as Asia/Shanghai, Europe/Berlin or UTC") from None


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def parse_cron(text: str) -> tuple[str, ...]:
    """The five crontab fields of ``text`` (macros such as ``@monthly`` expanded), each checked.

    Raises:
        CronProblem: the wrong number of fields, a field out of range, or a day of the month *and* a day
            of the week both restricted.
    """
    expanded = MACROS.get(text.strip().lower(), text)
    parts = tuple(expanded.split())
    if len(parts) != len(FIELDS):
        raise CronProblem(f"'{text}' has {len(parts)} field{'s' if len(parts) != 1 else ''}; a cron schedule has 5: "
                          "minute hour day-of-month month day-of-week", _EXAMPLE)
    for name, value in zip(FIELDS, parts, strict=True):
        if not _TOKEN.match(value):
            raise CronProblem(f"the {_FIELD_WORDS[name]} field '{value}' contains a character cron does not use",
                              "use digits, names, *, -, / and , only")
        try:
            CronTrigger(**{name: _weekdays(value) if name == "day_of_week" else value}, timezone="UTC")
        except CronProblem as exc:
            raise CronProblem(f"the {_FIELD_WORDS[name]} field: {exc.message}", exc.hint) from None
        except ValueError:
            raise CronProblem(f"the {_FIELD_WORDS[name]} field '{value}' is not valid", _EXAMPLE) from None
    if parts[2] != "*" and parts[4] != "*":
        raise CronProblem(f"'{text}' restricts both the day of the month ({parts[2]}) and the day of the week "
                          f"({parts[4]}); classic cron runs when either matches, which is easy to misread",
                          "restrict only one of them (put * in the other)")
    return parts


@dataclass(frozen=True)
class CronSchedule:
    """A checked cron schedule in a time zone, and the fire times it gives."""

    cron: str
    timezone: str

    @classmethod
    def of(cls, cron: str, timezone: str) -> CronSchedule:
        """Check both parts now (so later calls cannot fail).

        Raises:
            CronProblem: either part is unusable.
        """
        parse_cron(cron)
        check_timezone(timezone)
        schedule = cls(cron, timezone)
        if schedule.next_run(datetime.now(UTC)) is None:
            raise CronProblem(f"'{cron}' never runs (no such date)", "check the day and the month, e.g. 0 2 1 * *")
        return schedule

    def trigger(self) -> CronTrigger:
        """APScheduler's trigger for this schedule (weekdays translated to names)."""
        minute, hour, day, month, weekday = parse_cron(self.cron)
        return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday),
                           timezone=check_timezone(self.timezone))

    def next_run(self, after: datetime) -> datetime | None:
        """The first fire time after ``after`` (aware, in the schedule's zone), or None when there is none."""
        fire: datetime | None = self.trigger().get_next_fire_time(None, after + timedelta(seconds=1))
        return fire

    def tick(self, at: datetime) -> datetime | None:
        """The latest fire time at or before ``at`` (the period a run at ``at`` belongs to), or None when the
        schedule has never fired in the look-back limit."""
        trigger = self.trigger()
        span = timedelta(minutes=1)
        while span <= _LOOKBACK_LIMIT * 2:
            fire: datetime | None = trigger.get_next_fire_time(None, at - span)
            if fire is not None and fire <= at:
                while True:  # walk forward to the last fire time not after ``at``
                    later: datetime | None = trigger.get_next_fire_time(None, fire + timedelta(seconds=1))
                    if later is None or later > at:
                        return fire
                    fire = later
            span *= 2
        return None

    def describe(self) -> str:
        """``0 2 1 * * (Asia/Shanghai)``."""
        return f"{self.cron} ({self.timezone})"
