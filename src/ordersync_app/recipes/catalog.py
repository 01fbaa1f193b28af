"""The closed catalogue of mapping transforms and filter operators, and how they are evaluated.

Recipes may only name entries of this catalogue (``trim``, ``lookup_table``, ``gt``…); their
arguments are validated by small pydantic models, and nothing in a recipe is executed as code
(STYLE 4.4: no Jinja, no expressions). The GUI reads :data:`TRANSFORMS` and :data:`FILTER_OPS`
for labels and help in both languages.

Values flow through a mapping's transforms one after another. A missing value (absent path or
``null``) passes through most transforms unchanged; ``default`` fills it, ``required`` rejects
it, ``lookup_table`` uses its default (or rejects). When a transform cannot apply to a value the
record is rejected with :class:`MappingError`, which names the field, the transform and the value.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ordersync_app.domain.errors import RecordRejected
from ordersync_app.domain.redact import clip
from ordersync_app.domain.text import visible
from ordersync_app.recipes.paths import MISSING, parse_template, resolve

if TYPE_CHECKING:
    from collections.abc import Mapping as AbcMapping

    from ordersync_app.recipes.model import Condition, FilterStep, Mapping

__all__ = [
    "FILTER_OPS",
    "TRANSFORMS",
    "MappingError",
    "OpSpec",
    "TransformSpec",
    "check_op_value",
    "evaluate",
    "finalize",
    "matches",
]

# --------------------------------------------------------------------------------------- errors


class MappingError(RecordRejected):
    """A transform or filter could not apply to a record's value; the record goes to the failed queue.

    Attributes:
        field: the target field (or filter field) being computed, when known.
        transform: the transform or operator that failed.
        value: the offending value (shown shortened in the message).
    """

    def __init__(self, what: str, *, field: str | None = None, transform: str | None = None,
                 value: Any = MISSING, hint: str | None = None) -> None:
        self.field = field
        self.transform = transform
        self.value = value
        where = ", ".join(part for part in (
            f"field '{field}'" if field else "",
            f"{transform}" if transform else "",
        ) if part)
        super().__init__(what, where=where or None, hint=hint)


class _Reject(Exception):
    """Raised by a transform or operator; :func:`evaluate`/:func:`matches` add the context."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _show(value: Any, limit: int = 60) -> str:
    """A short, masked rendering of a record value for messages."""
    if value is MISSING:
        return "(missing)"
    if value is None:
        return "null"
    text = visible(clip(value if isinstance(value, str) else _json_text(value), limit))
    return f"'{text}'" if isinstance(value, str) else text


def _kind(value: Any) -> str:
    """The user-facing name of a value's type."""
    if value is MISSING or value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float | Decimal):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, datetime | date):
        return "a date/time"
    return type(value).__name__


# ------------------------------------------------------------------------------ value helpers


def _is_missing(value: Any) -> bool:
    return value is MISSING or value is None


def _is_empty(value: Any) -> bool:
    return _is_missing(value) or (isinstance(value, str | list | tuple | dict) and len(value) == 0)


def _json_text(value: Any) -> str:
    return json.dumps(finalize(value), ensure_ascii=False, separators=(",", ":"), default=str)


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e18:
        return str(int(value))
    return repr(value)


def _text(value: Any, *, allow_json: bool = False) -> str:
    """A value as text (numbers without a trailing ``.0``, booleans as true/false)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, Decimal):
        return _float_text(float(value)) if value == value.to_integral_value() else str(value)
    if isinstance(value, datetime | date):
        return str(finalize(value))
    if allow_json and isinstance(value, list | tuple | dict):
        return _json_text(value)
    raise _Reject(f"expects text, got {_kind(value)} {_show(value)}")


def key_text(value: Any) -> str:
    """The text a value is matched as in a lookup table (``1`` → ``"1"``, ``true`` → ``"true"``)."""
    if _is_missing(value):
        return ""
    try:
        return _text(value, allow_json=True)
    except _Reject:
        return str(value)


_NUMBER_TEXT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
# Bounds that keep every numeric transform cheap by construction: a value from an order (a tag, a
# SKU) such as ``1e999999`` would otherwise become a million-digit integer (tens of seconds of CPU).
# Money, counts and measures are far inside them.
MAX_NUMBER_TEXT: Final = 120  # characters of a number written as text
MAX_MAGNITUDE: Final = 100  # |value| < 10**100 and, unless zero, >= 10**-100
MAX_TEXT: Final = 100_000  # characters of one mapped text value (vendors cap fields far lower)


def _bounded(number: Decimal, shown: Any) -> Decimal:
    if number.is_nan() or number.is_infinite():
        raise _Reject(f"expects a finite number, got {_show(shown)}")
    if number and not -MAX_MAGNITUDE <= number.adjusted() < MAX_MAGNITUDE:
        raise _Reject(f"{_show(shown)} is out of range for a number (at most 100 digits before or after the point)")
    return number


def _number(value: Any) -> Decimal:
    """A value as an exact decimal number, within :data:`MAX_MAGNITUDE`."""
    if isinstance(value, bool):
        raise _Reject(f"expects a number, got {_kind(value)} {_show(value)}")
    if isinstance(value, Decimal):
        return _bounded(value, value)
    if isinstance(value, int):
        if value.bit_length() > 333:  # 2**333 > 10**100: refused before any conversion to decimal
            raise _Reject("the number is out of range (more than 100 digits)")
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _Reject(f"expects a finite number, got {value}")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise _Reject(f"expects a number, got {len(text):,} characters of text {_show(value)}")
        if _NUMBER_TEXT.fullmatch(text):
            return _bounded(Decimal(text), value)
        raise _Reject(f"expects a number, got text {_show(value)}",
                      hint="numbers are written like 1234.5 (no thousands separators or currency)")
    raise _Reject(f"expects a number, got {_kind(value)} {_show(value)}")


def _looks_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float | Decimal):
        return True
    return isinstance(value, str) and len(value) <= MAX_NUMBER_TEXT and bool(_NUMBER_TEXT.fullmatch(value.strip()))


def _number_out(value: Decimal) -> int | float:
    """A decimal as JSON number: an int when whole, else a float."""
    if value == value.to_integral_value() and abs(value) < 10**18:
        return int(value)
    return float(value)


# ---------------------------------------------------------------------------- date/time helpers

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_COMMON_DATETIME = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_EPOCH_TEXT = re.compile(r"\d{10}|\d{13}")
_TZ_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+){0,2}")


@cache
def _zone(name: str) -> tzinfo:
    """The time zone called ``name`` (IANA database; ``UTC`` always works)."""
    if name.upper() == "UTC":
        return UTC
    return zoneinfo.ZoneInfo(name)


def _offset(text: str) -> tzinfo:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return _fixed(sign * (int(digits[:2]) * 60 + int(digits[2:])))


@cache
def _fixed(minutes: int) -> tzinfo:
    from datetime import timezone

    return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))


def _parse_datetime(value: Any, zone: tzinfo) -> datetime:
    """Read ISO 8601, ``YYYY/MM/DD hh:mm[:ss]``, RFC 2822 or epoch seconds/milliseconds.

    A value without a zone is read in ``zone``. Epoch numbers of 10¹¹ and more are milliseconds.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        raise _Reject(f"expects a date/time, got {_kind(value)} {_show(value)}")
    text = value.strip()
    if len(text) > 100:
        raise _Reject(f"cannot read {len(text):,} characters of text as a date/time")
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(float(text))
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        match = _COMMON_DATETIME.fullmatch(text)
        if match:
            year, month, day, hour, minute, second, fraction, offset = match.groups()
            try:
                parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                                  int(second or 0), int((fraction or "0").ljust(6, "0")),
                                  tzinfo=_offset(offset) if offset else None)
            except ValueError as exc:
                raise _Reject(f"{_show(value)} is not a valid date/time ({exc})") from None
        else:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                parsed = None
    if parsed is None:
        raise _Reject(f"cannot read {_show(value)} as a date/time",
                      hint="use ISO 8601 such as 2026-09-01T08:00:00Z or 2026-09-01 16:00:00")
    parsed = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    _in_zone(parsed, UTC, value)  # 0001-01-01T00:00:00+14:00 is in year 0 in UTC: no such date
    return parsed


def _in_zone(moment: datetime, zone: tzinfo, shown: Any) -> datetime:
    """``moment`` in ``zone``, or a rejection when that falls outside years 1–9999."""
    try:
        return moment.astimezone(zone)
    except (OverflowError, ValueError):
        raise _Reject(f"{_show(shown)} is out of range for a date/time (years 1–9999)") from None


def _from_epoch(number: float) -> datetime:
    if number != number:
        raise _Reject("NaN is not a date/time")
    seconds = number / 1000 if abs(number) >= 1e11 else number
    try:
        return _EPOCH + timedelta(seconds=seconds)
    except (OverflowError, ValueError):
        raise _Reject(f"{number} is out of range for a date/time") from None


# strftime subset, rendered here (not by time.strftime) so output never depends on the OS locale.
_MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DIRECTIVES: Final[dict[str, Callable[[datetime], str]]] = {
    "Y": lambda d: f"{d.year:04d}",
    "m": lambda d: f"{d.month:02d}",
    "d": lambda d: f"{d.day:02d}",
    "H": lambda d: f"{d.hour:02d}",
    "M": lambda d: f"{d.minute:02d}",
    "S": lambda d: f"{d.second:02d}",
    "z": lambda d: d.strftime("%z"),
    "Z": lambda d: d.tzname() or "",
    "j": lambda d: f"{d.timetuple().tm_yday:03d}",
    "b": lambda d: _MONTHS[d.month - 1],
    "a": lambda d: _WEEKDAYS[d.weekday()],
    "%": lambda _d: "%",
}


def _format_parts(fmt: str) -> list[str]:
    """Split a format into literal text and ``%x`` directives; raise ValueError on unknown ones."""
    parts: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%":
            code = fmt[i + 1 : i + 2]
            if code not in _DIRECTIVES:
                shown = f"%{code}" if code else "a lone %"
                raise ValueError(f"{shown} is not supported; use %Y %m %d %H %M %S %z %Z %j %b %a "
                                 "(or %% for a percent sign)")
            parts.append("%" + code)
            i += 2
        else:
            j = fmt.find("%", i)
            j = len(fmt) if j == -1 else j
            parts.append(fmt[i:j])
            i = j
    return parts


def _format_datetime(moment: datetime, fmt: str) -> str:
    return "".join(_DIRECTIVES[p[1]](moment) if p.startswith("%") and len(p) == 2 else p
                   for p in _format_parts(fmt))


# ------------------------------------------------------------------------------ argument models


def _custom(kind: str, message: str, hint: str | None = None) -> PydanticCustomError:
    """A validation error whose message we wrote (load.py renders ``hint`` after a dash)."""
    return PydanticCustomError(kind, message, {"hint": hint} if hint else None)


def _check_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _custom("number", "expected a number")
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise _custom("number", "expected a finite number")
    return value


def _check_tz(value: str) -> str:
    if value.upper() == "UTC":
        return value
    problem: str | None = None
    if not _TZ_NAME.fullmatch(value):
        problem = "is not a time zone name"
    else:
        try:
            _zone(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            problem = "is not a known time zone"
    if problem:
        from ordersync_app.connectors.sdk.registry import suggest

        close = suggest(value, sorted(_timezone_names()))
        hint = f"did you mean '{close}'?" if close else "use an IANA name such as Asia/Shanghai or UTC"
        raise _custom("time_zone", f"'{value}' {problem}", hint)
    return value


@cache
def _timezone_names() -> frozenset[str]:
    try:
        return frozenset(zoneinfo.available_timezones())
    except OSError:
        return frozenset({"UTC"})


def _check_format(value: str) -> str:
    try:
        _format_parts(value)
    except ValueError as exc:
        raise _custom("datetime_format", str(exc)) from None
    return value


Number = Annotated[Any, BeforeValidator(_check_number), WithJsonSchema({"type": "number"})]
TimeZoneName = Annotated[str, AfterValidator(_check_tz), WithJsonSchema(
    {"type": "string", "description": "IANA time zone, e.g. Asia/Shanghai, America/New_York or UTC"})]
DatetimeFormat = Annotated[str, AfterValidator(_check_format), WithJsonSchema(
    {"type": "string", "description": "strftime subset: %Y %m %d %H %M %S %z %Z %j %b %a %% and literal text"})]


class Args(BaseModel):
    """Base of transform argument models; ``shorthand`` names the argument a bare value fills.

    ``{truncate: 50}`` means ``{truncate: {length: 50}}`` because ``TruncateArgs.shorthand`` is
    ``length``; a transform without arguments may be written as its bare name.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    shorthand: ClassVar[str | None] = None

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, data: Any) -> Any:
        if data is None:
            return {}
        if cls.shorthand and not isinstance(data, dict):
            return {cls.shorthand: data}
        return data


class NoArgs(Args):
    """Arguments of a transform that takes none."""


class TextArgs(Args):
    """``prefix``/``suffix``: the text to add."""

    shorthand: ClassVar[str | None] = "text"
    text: str


class ReplaceArgs(Args):
    """``replace``: every ``old`` becomes ``new``."""

    old: str = Field(min_length=1)
    new: str = ""


class TruncateArgs(Args):
    """``truncate``: keep at most ``length`` characters."""

    shorthand: ClassVar[str | None] = "length"
    length: int = Field(ge=1, le=1_000_000, strict=True)


class SplitArgs(Args):
    """``split``: cut text at ``sep`` and keep part number ``index`` (0 = first, -1 = last)."""

    sep: str = Field(min_length=1)
    index: int = Field(default=0, strict=True)


class JoinArgs(Args):
    """``join``: glue the items of a list with ``sep``."""

    shorthand: ClassVar[str | None] = "sep"
    sep: str = ", "


class RoundArgs(Args):
    """``round``: round half up to ``digits`` decimals."""

    shorthand: ClassVar[str | None] = "digits"
    digits: int = Field(default=0, ge=0, le=10, strict=True)


class MultiplyArgs(Args):
    """``multiply``: multiply by ``by``."""

    shorthand: ClassVar[str | None] = "by"
    by: Number


class AddArgs(Args):
    """``add``: add ``amount`` (negative to subtract)."""

    shorthand: ClassVar[str | None] = "amount"
    amount: Number


class ToDatetimeArgs(Args):
    """``to_datetime``: values without a zone are read in ``tz`` (default UTC)."""

    shorthand: ClassVar[str | None] = "tz"
    tz: TimeZoneName | None = None


class FormatDatetimeArgs(Args):
    """``format_datetime``: render in zone ``tz`` with ``format``."""

    format: DatetimeFormat
    tz: TimeZoneName


class ToDateArgs(Args):
    """``to_date``: the calendar date (YYYY-MM-DD) in zone ``tz``."""

    shorthand: ClassVar[str | None] = "tz"
    tz: TimeZoneName


class DefaultArgs(Args):
    """``default``: the value used when the input is missing or empty."""

    shorthand: ClassVar[str | None] = "value"
    value: Any


class LookupTableArgs(Args):
    """``lookup_table``: replace a value by its entry in ``table`` (or ``default``, when given)."""

    table: dict[str, Any] = Field(min_length=1, max_length=10_000)
    default: Any = None

    @field_validator("table", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        # YAML reads `1: shipped` with an int key; tables match on the value's text form.
        if isinstance(value, dict):
            return {key_text(k): v for k, v in value.items()}
        return value


# -------------------------------------------------------------------------------- transforms

Apply = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class TransformSpec:
    """One transform of the catalogue, with what the GUI shows for it."""

    name: str
    group: str  # text | number | datetime | other
    label_en: str
    label_zh: str
    description_en: str
    description_zh: str
    args: type[Args]
    apply: Apply
    passes_missing: bool = True  # a missing input is returned unchanged without calling apply

    @property
    def takes_args(self) -> bool:
        """Whether the transform has any argument."""
        return bool(self.args.model_fields)

    @property
    def needs_args(self) -> bool:
        """Whether some argument is required (so the bare name alone is not enough)."""
        return any(f.is_required() for f in self.args.model_fields.values())


TRANSFORMS: dict[str, TransformSpec] = {}


def _transform(name: str, group: str, label_en: str, label_zh: str, description_en: str,
               description_zh: str, args: type[Args] = NoArgs, *,
               passes_missing: bool = True) -> Callable[[Apply], Apply]:
    def register(apply: Apply) -> Apply:
        TRANSFORMS[name] = TransformSpec(name, group, label_en, label_zh, description_en, description_zh,
                                         args, apply, passes_missing)
        return apply
    return register


@_transform("trim", "text", "Trim spaces", "去除首尾空格", "Remove spaces at both ends.", "去掉文本开头和结尾的空格。")
def _trim(value: Any, _args: NoArgs) -> str:
    return _text(value).strip()


@_transform("upper", "text", "UPPER CASE", "转为大写", "Convert text to upper case.", "把文本转为大写。")
def _upper(value: Any, _args: NoArgs) -> str:
    return _text(value).upper()


@_transform("lower", "text", "lower case", "转为小写", "Convert text to lower case.", "把文本转为小写。")
def _lower(value: Any, _args: NoArgs) -> str:
    return _text(value).lower()


@_transform("title", "text", "Title Case", "首字母大写", "Capitalise the first letter of each word.",
            "把每个单词的首字母大写。")
def _title(value: Any, _args: NoArgs) -> str:
    return _text(value).title()


@_transform("prefix", "text", "Add prefix", "添加前缀", "Put text in front of the value.", "在值的前面加上文本。",
            TextArgs)
def _prefix(value: Any, args: TextArgs) -> str:
    return args.text + _text(value)


@_transform("suffix", "text", "Add suffix", "添加后缀", "Put text after the value.", "在值的后面加上文本。", TextArgs)
def _suffix(value: Any, args: TextArgs) -> str:
    return _text(value) + args.text


@_transform("replace", "text", "Replace text", "替换文本", "Replace every occurrence of some text.",
            "把出现的某段文本全部替换为另一段。", ReplaceArgs)
def _replace(value: Any, args: ReplaceArgs) -> str:
    return _text(value).replace(args.old, args.new)


@_transform("truncate", "text", "Shorten", "截断", "Keep at most this many characters.", "最多保留指定数量的字符。",
            TruncateArgs)
def _truncate(value: Any, args: TruncateArgs) -> str:
    return _text(value)[: args.length]


@_transform("split", "text", "Split and pick", "拆分取段",
            "Cut the text at a separator and keep one part (0 = first, -1 = last); missing when there "
            "is no such part.", "按分隔符拆分文本并取其中一段（0 为第一段，-1 为最后一段）；没有该段时视为缺失。",
            SplitArgs)
def _split(value: Any, args: SplitArgs) -> Any:
    parts = _text(value).split(args.sep)
    try:
        return parts[args.index]
    except IndexError:
        return MISSING


@_transform("join", "text", "Join list", "合并列表", "Glue the items of a list into one text (empty items are "
            "skipped).", "把列表中的各项用分隔符连接成一段文本（跳过空项）。", JoinArgs)
def _join(value: Any, args: JoinArgs) -> str:
    if not isinstance(value, list | tuple):
        return _text(value)
    return args.sep.join(_text(item, allow_json=True) for item in value if not _is_empty(item))


@_transform("to_text", "text", "As text", "转为文本", "Turn numbers, true/false and lists into text.",
            "把数字、真假值和列表转为文本。")
def _to_text(value: Any, _args: NoArgs) -> str:
    return _text(value, allow_json=True)


@_transform("to_number", "number", "As number", "转为数字", "Read text such as \"38.50\" as a number.",
            "把 \"38.50\" 这样的文本读作数字。")
def _to_number(value: Any, _args: NoArgs) -> int | float:
    return _number_out(_number(value))


@_transform("to_integer", "number", "As whole number", "转为整数",
            "Read a whole number; a value with decimals is refused (round it first).",
            "读作整数；带小数的值会被拒绝（请先四舍五入）。")
def _to_integer(value: Any, _args: NoArgs) -> int:
    number = _number(value)
    if number != number.to_integral_value():
        raise _Reject(f"{_show(value)} is not a whole number", hint="add `round` before `to_integer`")
    return int(number)


@_transform("round", "number", "Round", "四舍五入", "Round half up to a number of decimals.",
            "按指定小数位四舍五入。", RoundArgs)
def _round(value: Any, args: RoundArgs) -> int | float:
    quantum = Decimal(1).scaleb(-args.digits)
    try:
        return _number_out(_number(value).quantize(quantum, rounding=ROUND_HALF_UP))
    except InvalidOperation:
        raise _Reject(f"{_show(value)} is too large to round") from None


@_transform("multiply", "number", "Multiply", "乘以", "Multiply by a number (exact decimal arithmetic).",
            "乘以一个数（精确的十进制运算）。", MultiplyArgs)
def _multiply(value: Any, args: MultiplyArgs) -> int | float:
    return _number_out(_number(value) * _number(args.by))


@_transform("add", "number", "Add", "加上", "Add a number (negative to subtract).", "加上一个数（负数即为减去）。",
            AddArgs)
def _add(value: Any, args: AddArgs) -> int | float:
    return _number_out(_number(value) + _number(args.amount))


@_transform("to_datetime", "datetime", "As date/time", "转为日期时间",
            "Read a date/time (ISO 8601, 2026/09/01 08:00, RFC 2822 or epoch); values without a zone are "
            "read in the given zone (default UTC).",
            "读取日期时间（ISO 8601、2026/09/01 08:00、RFC 2822 或时间戳）；不带时区的值按指定时区理解（默认 UTC）。",
            ToDatetimeArgs)
def _to_datetime(value: Any, args: ToDatetimeArgs) -> datetime:
    return _parse_datetime(value, _zone(args.tz or "UTC"))


@_transform("format_datetime", "datetime", "Format date/time", "格式化日期时间",
            "Write a date/time in a time zone with a pattern such as %Y-%m-%d %H:%M.",
            "在指定时区按 %Y-%m-%d %H:%M 这样的格式输出日期时间。", FormatDatetimeArgs)
def _format(value: Any, args: FormatDatetimeArgs) -> str:
    moment = _in_zone(_parse_datetime(value, UTC), _zone(args.tz), value)
    return _format_datetime(moment, args.format)


@_transform("to_date", "datetime", "Date only", "只取日期", "The calendar date (YYYY-MM-DD) in a time zone.",
            "取指定时区下的日历日期（YYYY-MM-DD）。", ToDateArgs)
def _to_date(value: Any, args: ToDateArgs) -> str:
    if isinstance(value, str) and _DATE_ONLY.fullmatch(value.strip()):
        return _parse_datetime(value, UTC).date().isoformat()
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return _in_zone(_parse_datetime(value, UTC), _zone(args.tz), value).date().isoformat()


@_transform("to_iso", "datetime", "ISO 8601 in a time zone", "转为指定时区的 ISO 8601",
            "The date/time as ISO 8601 in one zone (2026-09-01T16:00:00+08:00), whatever zone the source wrote "
            "it in: orders of several shops line up.",
            "把日期时间统一写成某个时区的 ISO 8601（2026-09-01T16:00:00+08:00），无论来源用哪个时区："
            "多个店铺的订单可以对齐。",
            ToDateArgs)
def _to_iso(value: Any, args: ToDateArgs) -> str:
    return _in_zone(_parse_datetime(value, UTC), _zone(args.tz), value).isoformat()


@_transform("to_epoch_ms", "datetime", "As epoch milliseconds", "转为毫秒时间戳",
            "Milliseconds since 1970-01-01 UTC (values without a zone are read as UTC).",
            "自 1970-01-01 UTC 起的毫秒数（不带时区的值按 UTC 理解）。")
def _to_epoch_ms(value: Any, _args: NoArgs) -> int:
    return (_parse_datetime(value, UTC) - _EPOCH) // timedelta(milliseconds=1)


@_transform("default", "other", "Default value", "默认值", "Use this value when the input is missing or empty.",
            "输入缺失或为空时使用此值。", DefaultArgs, passes_missing=False)
def _default(value: Any, args: DefaultArgs) -> Any:
    return args.value if _is_empty(value) else value


@_transform("lookup_table", "other", "Translate with a table", "按对照表转换",
            "Replace the value by its entry in a table; unknown values use the default, or fail the "
            "record when there is none.", "按对照表替换值；表中没有的值使用默认值，没有默认值时该记录失败。",
            LookupTableArgs, passes_missing=False)
def _lookup_table(value: Any, args: LookupTableArgs) -> Any:
    key = key_text(value)
    if key in args.table:
        return args.table[key]
    if "default" in args.model_fields_set:
        return args.default
    known = ", ".join(list(args.table)[:10]) + (", …" if len(args.table) > 10 else "")
    raise _Reject(f"no entry for {_show(value)} in the table (known: {known})",
                  hint="add it to the table or give the lookup_table a default")


@_transform("required", "other", "Required", "必填", "Fail the record when the value is missing or empty.",
            "值缺失或为空时，该记录失败。", passes_missing=False)
def _required(value: Any, _args: NoArgs) -> Any:
    if _is_empty(value):
        raise _Reject(f"a value is required but it is {'empty' if not _is_missing(value) else 'missing'}")
    return value


# ------------------------------------------------------------------------------- evaluation


def finalize(value: Any) -> Any:
    """Make a transform result JSON-ready: date/times as ISO 8601 (``Z`` for UTC), decimals as numbers."""
    if value is MISSING:
        return None
    if isinstance(value, datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return _number_out(value)
    if isinstance(value, list | tuple):
        return [finalize(v) for v in value]
    if isinstance(value, dict):
        return {k: finalize(v) for k, v in value.items()}
    return value


def _render_template(template: str, record: AbcMapping[str, Any], lookups: AbcMapping[str, Any]) -> str:
    out: list[str] = []
    for literal, path in parse_template(template):
        out.append(literal)
        if path is not None:
            found = resolve(path, record, lookups)
            out.append("" if _is_missing(found) else _text(found, allow_json=True))
    return "".join(out)


def evaluate(mapping: Mapping, record: AbcMapping[str, Any], lookups: AbcMapping[str, Any], *,
             field: str | None = None) -> Any:
    """Compute one mapping for one record.

    Args:
        mapping: the recipe's mapping (source, value or template, plus transforms).
        record: the trigger record's payload.
        lookups: results of earlier lookup steps by their ``as`` name (read with ``steps.<as>.…``).
        field: the target field being computed, named in error messages.

    Returns:
        A JSON-ready value; a missing value is returned as None.

    Raises:
        MappingError: a transform could not apply (it names the field, transform and value).
    """
    kind = mapping.kind
    value: Any
    if kind == "list":
        value = [evaluate(m, record, lookups, field=field) for m in mapping.list_ or []]
    elif kind == "object":
        value = {key: evaluate(m, record, lookups, field=f"{field}.{key}" if field else key)
                 for key, m in (mapping.object_ or {}).items()}
    elif kind == "source":
        value = resolve(mapping.source or "", record, lookups)
    elif kind == "template":
        try:
            value = _render_template(mapping.template or "", record, lookups)
        except _Reject as exc:
            raise MappingError(exc.message, field=field, transform="template", hint=exc.hint) from None
    else:
        value = mapping.value
    for call in mapping.transforms:
        spec = TRANSFORMS[call.transform_name]
        if spec.passes_missing and _is_missing(value):
            continue
        try:
            value = spec.apply(value, call.args)
        except _Reject as exc:
            raise MappingError(f"{spec.name}: {exc.message}", field=field, transform=spec.name,
                               value=value, hint=exc.hint) from None
        except (ArithmeticError, ValueError, MemoryError, RecursionError) as exc:
            # Whatever a hostile value does to a transform, it fails this record, never the run.
            raise MappingError(f"{spec.name}: cannot apply to {_show(value)} ({type(exc).__name__})",
                               field=field, transform=spec.name, value=value) from None
    result = finalize(value)
    problem = _unsendable(result)
    if problem:
        raise MappingError(problem, field=field, value=result)
    return result


def _unsendable(value: Any) -> str | None:
    """Why a computed value cannot be sent (too long, invalid characters), or None."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            return f"the value is too long ({len(value):,} characters; at most {MAX_TEXT:,})"
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "the value contains invalid characters (a lone UTF-16 surrogate)"
    elif isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f"the value {value} is not a finite number"
    elif isinstance(value, list):
        return next((p for p in map(_unsendable, value) if p), None)
    elif isinstance(value, dict):
        return next((p for p in map(_unsendable, [*value.keys(), *value.values()]) if p), None)
    return None


# ---------------------------------------------------------------------------------- filters

OpTest = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class OpSpec:
    """One filter operator; ``value`` says what the condition's ``value`` must be.

    ``none``: no value; ``any``: one constant; ``list``: a list of constants; ``text``: text;
    ``ordered``: a number or an ISO 8601 date/time (compared as instants).
    """

    name: str
    label_en: str
    label_zh: str
    description_en: str
    description_zh: str
    value: str
    test: OpTest


FILTER_OPS: dict[str, OpSpec] = {}


def _op(name: str, label_en: str, label_zh: str, description_en: str, description_zh: str,
        value: str) -> Callable[[OpTest], OpTest]:
    def register(test: OpTest) -> OpTest:
        FILTER_OPS[name] = OpSpec(name, label_en, label_zh, description_en, description_zh, value, test)
        return test
    return register


def _same(actual: Any, expected: Any) -> bool:
    """Equality as users mean it: ``"5001"`` equals ``5001``; true/false only equals true/false."""
    if _is_missing(actual):
        return expected is None
    if isinstance(actual, bool) or isinstance(expected, bool):
        return type(actual) is type(expected) and actual == expected
    if _looks_numeric(actual) and _looks_numeric(expected) and not (
            isinstance(actual, str) and isinstance(expected, str)):
        return _number(actual) == _number(expected)
    return bool(actual == expected)


def _ordered(value: Any) -> Decimal | datetime:
    """A comparison operand: a number, else a date/time (read as UTC when it has no zone)."""
    if _looks_numeric(value):
        return _number(value)
    return _parse_datetime(value, UTC)


def _compare(actual: Any, expected: Any) -> int:
    want = _ordered(expected)
    if isinstance(want, Decimal):
        have: Decimal | datetime = _number(actual)
    else:
        if _looks_numeric(actual) and not isinstance(actual, str):
            raise _Reject(f"expects a date/time, got {_kind(actual)} {_show(actual)}")
        have = _parse_datetime(actual, UTC)
    return (have > want) - (have < want)  # type: ignore[operator]


@_op("equals", "equals", "等于", "The field equals the value.", "字段等于该值。", "any")
def _equals(actual: Any, expected: Any) -> bool:
    return _same(actual, expected)


@_op("not_equals", "does not equal", "不等于", "The field is missing or differs from the value.",
     "字段缺失或不等于该值。", "any")
def _not_equals(actual: Any, expected: Any) -> bool:
    return not _same(actual, expected)


@_op("in", "is one of", "属于", "The field equals one of the listed values.", "字段等于列表中的某个值。", "list")
def _in(actual: Any, expected: Any) -> bool:
    return any(_same(actual, item) for item in expected)


@_op("not_in", "is none of", "不属于", "The field is missing or equals none of the listed values.",
     "字段缺失或不等于列表中的任何值。", "list")
def _not_in(actual: Any, expected: Any) -> bool:
    return not _in(actual, expected)


@_op("contains", "contains", "包含", "Text contains the value, or a list has it as an item.",
     "文本包含该值，或列表中有该项。", "any")
def _contains(actual: Any, expected: Any) -> bool:
    if _is_missing(actual):
        return False
    if isinstance(actual, list | tuple):
        return any(_same(item, expected) for item in actual)
    if isinstance(actual, dict):
        return key_text(expected) in actual
    return key_text(expected) in _text(actual)


@_op("not_contains", "does not contain", "不包含", "The field is missing or does not contain the value.",
     "字段缺失或不包含该值。", "any")
def _not_contains(actual: Any, expected: Any) -> bool:
    return not _contains(actual, expected)


@_op("starts_with", "starts with", "开头是", "Text starts with the value.", "文本以该值开头。", "text")
def _starts_with(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _text(actual).startswith(_text(expected))


@_op("ends_with", "ends with", "结尾是", "Text ends with the value.", "文本以该值结尾。", "text")
def _ends_with(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _text(actual).endswith(_text(expected))


@_op("gt", "greater than / after", "大于/晚于", "A number is greater, or a date/time is later.",
     "数字更大，或日期时间更晚。", "ordered")
def _gt(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _compare(actual, expected) > 0


@_op("gte", "at least / not before", "大于等于/不早于", "A number is greater or equal, or a date/time is not "
     "earlier.", "数字大于或等于，或日期时间不早于。", "ordered")
def _gte(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _compare(actual, expected) >= 0


@_op("lt", "less than / before", "小于/早于", "A number is smaller, or a date/time is earlier.",
     "数字更小，或日期时间更早。", "ordered")
def _lt(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _compare(actual, expected) < 0


@_op("lte", "at most / not after", "小于等于/不晚于", "A number is smaller or equal, or a date/time is not later.",
     "数字小于或等于，或日期时间不晚于。", "ordered")
def _lte(actual: Any, expected: Any) -> bool:
    return not _is_missing(actual) and _compare(actual, expected) <= 0


@_op("exists", "exists", "存在", "The field is present and not null.", "字段存在且不为 null。", "none")
def _exists(actual: Any, _expected: Any) -> bool:
    return not _is_missing(actual)


@_op("not_exists", "does not exist", "不存在", "The field is absent or null.", "字段不存在或为 null。", "none")
def _not_exists(actual: Any, _expected: Any) -> bool:
    return _is_missing(actual)


@_op("is_empty", "is empty", "为空", "The field is absent, null, empty text or an empty list.",
     "字段不存在、为 null、空文本或空列表。", "none")
def _is_empty_op(actual: Any, _expected: Any) -> bool:
    return _is_empty(actual)


@_op("not_empty", "is not empty", "不为空", "The field has a non-empty value.", "字段有非空的值。", "none")
def _not_empty(actual: Any, _expected: Any) -> bool:
    return not _is_empty(actual)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def check_op_value(op: str, value: Any, *, has_value: bool) -> str | None:
    """Why ``value`` does not suit operator ``op`` (None when it does); used when loading recipes."""
    spec = FILTER_OPS[op]
    if spec.value == "none":
        return f"'{op}' takes no value; remove `value`" if has_value else None
    if not has_value:
        return f"'{op}' needs a `value`"
    if spec.value == "list":
        if not isinstance(value, list) or not value:
            return f"'{op}' needs a list of values, e.g. [FULFILLED, PARTIALLY_FULFILLED]"
        if not all(_scalar(item) for item in value):
            return f"the values of '{op}' must be text, numbers or true/false"
        return None
    if not _scalar(value):
        return f"the value of '{op}' must be text, a number or true/false"
    if spec.value == "text" and (value is None or isinstance(value, bool)):
        return f"the value of '{op}' must be text"
    if spec.value == "ordered":
        try:
            _ordered(value)
        except _Reject:
            return (f"'{op}' compares numbers or date/times; {_show(value)} is neither "
                    "(write a date/time as ISO 8601, e.g. 2026-09-01T00:00:00Z)")
    return None


def _computed(value: Any, record: AbcMapping[str, Any], lookups: AbcMapping[str, Any]) -> Any:
    """A computed comparison value (``{of: steps.avg.avg, times: 3}``) for this record; MISSING when its
    base is missing (a customer's first order has no average to compare with)."""
    base = resolve(value.of, record, lookups)
    if _is_missing(base) or base is None or base == "" or isinstance(base, bool):
        return MISSING
    try:
        number = Decimal(str(base).strip())
    except InvalidOperation:
        raise MappingError(f"{value.of} is not a number: {_show(base)}", field=value.of, value=base) from None
    return float(number * Decimal(str(value.times)) + Decimal(str(value.plus)))


def _condition_holds(index: int, condition: Condition, record: AbcMapping[str, Any],
                     lookups: AbcMapping[str, Any]) -> bool:
    spec = FILTER_OPS[condition.op]
    actual = resolve(condition.field, record, lookups)
    expected = condition.value
    if hasattr(expected, "of") and hasattr(expected, "times"):  # a model.Computed (model imports this module)
        expected = _computed(expected, record, lookups)
        if expected is MISSING:
            return False
    try:
        return spec.test(actual, expected)
    except _Reject as exc:
        raise MappingError(f"filter condition {index + 1} ({condition.field} {condition.op}): {exc.message}",
                           field=condition.field, transform=condition.op, value=actual, hint=exc.hint) from None
    except (ArithmeticError, ValueError, MemoryError, RecursionError) as exc:
        raise MappingError(f"filter condition {index + 1} ({condition.field} {condition.op}): cannot compare "
                           f"{_show(actual)} ({type(exc).__name__})", field=condition.field,
                           transform=condition.op, value=actual) from None


def matches(step: FilterStep, record: AbcMapping[str, Any], lookups: AbcMapping[str, Any]) -> bool:
    """Whether a record passes a filter step (``all`` or ``any`` of its conditions).

    Raises:
        MappingError: a condition compares a value that is neither a number nor a date/time.
    """
    results = (_condition_holds(i, c, record, lookups) for i, c in enumerate(step.conditions))
    return all(results) if step.match == "all" else any(results)
