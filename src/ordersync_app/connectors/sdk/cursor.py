"""Cursor values: one place that parses, compares, formats and shifts them for every connector.

The engine stores a cursor as canonical text: instants as UTC ISO 8601 (``2026-09-02T21:05:00Z``,
with microseconds only when there are some), integers as decimal text, opaque values as given.
:class:`CursorCodec` turns a declared :class:`~.spec.Cursor` into the conversions a read needs:
the vendor's text → canonical, canonical → the vendor's request parameter (honouring an
exclusive parameter and the vendor's granularity), and a sort key.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from ordersync_app.connectors.sdk.spec import Cursor, CursorKind

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


class CursorError(ValueError):
    """A vendor value cannot be read as this cursor (a connector or vendor fault, named)."""


@cache
def zone(name: str) -> tzinfo:
    """The zone called ``name`` (``UTC`` without a lookup)."""
    return UTC if name in ("UTC", "Z", "") else ZoneInfo(name)


def canonical_instant(moment: datetime) -> str:
    """The engine's text for an instant: UTC, ``Z``, microseconds only when non-zero."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if moment.microsecond else "%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str, *, default_zone: tzinfo = UTC) -> datetime:
    """An ISO 8601 text as an aware datetime (``Z`` accepted; naive text is in ``default_zone``)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace(" ", "T", 1))
    return moment if moment.tzinfo else moment.replace(tzinfo=default_zone)


class CursorCodec:
    """Conversions of one declared cursor (built once per trigger)."""

    def __init__(self, cursor: Cursor) -> None:
        self.cursor = cursor
        self.kind = CursorKind(cursor.kind)
        self.zone = zone(cursor.zone)

    # -- vendor → engine --------------------------------------------------------------------
    def canonical(self, raw: Any) -> str:
        """The canonical text of a value read from the vendor.

        Raises:
            CursorError: the value is missing or not of the declared kind.
        """
        if raw is None or raw == "":
            raise CursorError(f"the cursor field '{self.cursor.field}' is empty")
        if self.kind is CursorKind.INTEGER:
            try:
                return str(int(str(raw).strip()))
            except ValueError:
                raise CursorError(f"'{raw}' in '{self.cursor.field}' is not an integer") from None
        if self.kind is CursorKind.OPAQUE:
            return str(raw)
        return canonical_instant(self.instant(raw))

    def instant(self, raw: Any) -> datetime:
        """A vendor instant (text in the declared format, or epoch numbers) as an aware datetime."""
        fmt = self.cursor.format
        try:
            numeric = isinstance(raw, int | float) and not isinstance(raw, bool)
            if numeric or (fmt in ("epoch_s", "epoch_ms") and _NUMBER.fullmatch(str(raw).strip())):
                number = float(raw)
                if not math.isfinite(number):
                    raise ValueError(raw)
                if fmt == "epoch_ms" or (fmt != "epoch_s" and number > 1e11):  # a bare number > 1e11 is ms
                    number /= 1000
                return _EPOCH + timedelta(seconds=number)
            text = str(raw).strip()
            if "%" in fmt and "T" not in text:
                if "." in text and "%f" not in fmt:  # "2026-09-02 10:00:00.123" against a whole-second pattern
                    text = text.split(".", 1)[0]
                moment = datetime.strptime(text, fmt)  # noqa: DTZ007 - the zone is the declared one, set below
                return moment if moment.tzinfo else moment.replace(tzinfo=self.zone)
            return parse_instant(text, default_zone=self.zone)
        except (ValueError, OverflowError, TypeError):
            raise CursorError(f"'{raw}' in '{self.cursor.field}' is not a time in the format {fmt}") from None

    # -- engine → vendor --------------------------------------------------------------------
    def order(self, value: str) -> Any:
        """A sort key of a canonical value: instants compare as instants, integers as numbers."""
        if self.kind is CursorKind.INSTANT:
            return parse_instant(value)
        if self.kind is CursorKind.INTEGER:
            return int(value)
        return value

    def shift(self, value: str, seconds: float) -> str:
        """The canonical value ``seconds`` earlier (instants) or ``seconds`` units lower (integers)."""
        if self.kind is CursorKind.INSTANT:
            return canonical_instant(parse_instant(value) - timedelta(seconds=seconds))
        if self.kind is CursorKind.INTEGER:
            return str(int(value) - int(seconds))
        return value

    def to_param(self, value: str, *, start: bool = True) -> Any:
        """The vendor's request parameter for a canonical value.

        For a start bound: an exclusive parameter gets the value one ``granularity`` earlier, so
        the read stays a closed start (the SDK drops what is earlier itself); coarse vendors get
        the value rounded down. An end bound is sent as is (rounded up to the granularity).
        """
        if self.kind is CursorKind.OPAQUE:
            return value
        if self.kind is CursorKind.INTEGER:
            number = int(value)
            return number - 1 if start and not self.cursor.inclusive else number
        moment = parse_instant(value)
        step = self.cursor.granularity
        if start and not self.cursor.inclusive:
            moment -= timedelta(seconds=step or 0.001)
        if step:
            micro = round(step * 1_000_000)
            total = (moment - _EPOCH) // timedelta(microseconds=1)
            floor = total - total % micro
            if not start and floor != total:
                floor += micro
            moment = _EPOCH + timedelta(microseconds=floor)
        return self.render(moment)

    def render(self, moment: datetime) -> Any:
        """An instant in the vendor's declared format."""
        fmt = self.cursor.format
        if fmt == "epoch_ms":
            return (moment - _EPOCH) // timedelta(milliseconds=1)
        if fmt == "epoch_s":
            return (moment - _EPOCH) // timedelta(seconds=1)
        if fmt == "iso":
            return canonical_instant(moment)
        local = moment.astimezone(self.zone)
        if fmt == "iso_naive":
            return local.replace(tzinfo=None).isoformat(timespec="seconds")
        return local.strftime(fmt)
