"""The shop's business hours (``business_hours:`` in theke.yml): when its people answer.

Outside these hours the bot tells a customer who wants a person when someone
will be there (:meth:`BusinessHours.describe_next`). The hours are wall-clock
times in the shop's time zone; a range is open from the first moment the
clocks show its start until the first moment they show its end, so a range is
as long on the days the clocks change as the clocks say, and a range that
lies wholly in the hour skipped in spring is not open that day.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

__all__ = ["BusinessHours", "BusinessHoursSettings", "TimeRange"]

_DAY = 24 * 60
_SEARCH_DAYS = 366
_WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")  # fmt: skip
_GERMAN_KEYS = ("mo", "di", "mi", "do", "fr", "sa", "so")
_ENGLISH_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?")
_CLOSED = frozenset({"closed", "geschlossen"})
_EXAMPLE = "write it like 09:00-18:00, several like 09:00-12:00, 13:00-18:00, or `closed`"


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """Open from ``start`` to ``end``, in minutes after midnight; ``end`` 1440 is 24:00."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """When the shop is open: ranges per weekday (``week[0]`` is Monday), minus holidays.

    Each day's ranges are sorted and do not overlap, as :class:`BusinessHoursSettings`
    makes them. Every method takes an aware ``now`` (UTC, or any zone).
    """

    zone: ZoneInfo
    week: tuple[tuple[TimeRange, ...], ...]
    closed: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError(f"week needs 7 days of ranges (Monday first), not {len(self.week)}")

    def is_open(self, now: datetime) -> bool:
        """Whether someone is there at ``now``."""
        moment = _utc(now)
        today = moment.astimezone(self.zone).date()
        days = (today + timedelta(days) for days in (-1, 0, 1))
        return any(start <= moment < end for day in days for start, end in self._open(day))

    def next_opening(self, now: datetime) -> datetime | None:
        """The first moment from ``now`` on when the shop is open, in UTC: ``now`` while open.

        ``None`` when it does not open within a year (no ranges, or only holidays).
        """
        moment = _utc(now)
        if not any(self.week):
            return None
        today = moment.astimezone(self.zone).date()
        for days in range(-1, _SEARCH_DAYS + 1):
            for start, end in self._open(today + timedelta(days)):
                if end > moment:
                    return max(start, moment)
        return None

    def describe_next(self, now: datetime, language: str) -> str | None:
        """When someone is next there, in words: "morgen ab 9:00 Uhr", "on Monday from 09:00".

        German for ``de`` (and ``de-AT``, ...), English otherwise: today, tomorrow,
        the weekday within the next six days, the date after that; "jetzt"/"now"
        while open. ``None`` when the shop does not open within a year.
        """
        opening = self.next_opening(now)
        if opening is None:
            return None
        german = language.split("-")[0] == "de"
        if opening == _utc(now):
            return "jetzt" if german else "now"
        local = opening.astimezone(self.zone)
        days = (local.date() - _utc(now).astimezone(self.zone).date()).days
        if german:
            return f"{_day_de(local.date(), days)} ab {local.hour}:{local.minute:02d} Uhr"
        return f"{_day_en(local.date(), days)} from {local:%H:%M}"

    def _open(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The open intervals of ``day`` (a local date), in UTC; none on a holiday."""
        if day in self.closed:
            return
        for span in self.week[day.weekday()]:
            start, end = _first(self.zone, day, span.start), _first(self.zone, day, span.end)
            if start < end:
                yield start, end


def _utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"{now} has no time zone: pass an aware datetime, like datetime.now(UTC)")
    return now.astimezone(UTC)


def _first(zone: ZoneInfo, day: date, minutes: int) -> datetime:
    """The first moment the clocks in ``zone`` show ``minutes`` after midnight of ``day``, or later.

    A time the clocks skip (02:30 on the last Sunday of March in Berlin) first
    "shows" when they jump: the moment of the change, found by bisection.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minutes)
    after = wall.replace(tzinfo=zone).astimezone(UTC)  # fold=0: the first of a repeated time
    if after.astimezone(zone).replace(tzinfo=None) == wall:
        return after
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())  # before the jump
    high = int(after.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _day_de(day: date, days: int) -> str:
    if days <= 1:
        return "heute" if days <= 0 else "morgen"
    return f"am {_WEEKDAYS_DE[day.weekday()]}" if days < 7 else f"am {day.day}.{day.month}."


def _day_en(day: date, days: int) -> str:
    if days <= 1:
        return "today" if days <= 0 else "tomorrow"
    if days < 7:
        return f"on {_WEEKDAYS_EN[day.weekday()]}"
    return f"on {day.day} {_MONTHS_EN[day.month - 1]}"


def _problem(kind: str, message: str, **context: Any) -> PydanticCustomError:
    """A validation error whose message says what is wrong and how to fix it."""
    return PydanticCustomError(kind, message, context)


def _ranges(value: object) -> tuple[TimeRange, ...]:
    """One day's hours: ``"09:00-12:00, 13:00-18:00"`` (or a list); ``closed`` or nothing: none."""
    if value is None:
        return ()
    items: list[object] = list(value) if isinstance(value, list | tuple) else [value]
    texts = [item for item in items if isinstance(item, str)]
    if len(texts) != len(items):
        raise _problem("hours", "`{value}` is not opening hours: " + _EXAMPLE, value=value)
    parts = [part.strip() for text in texts for part in text.split(",") if part.strip()]
    if not parts or (len(parts) == 1 and parts[0].casefold() in _CLOSED):
        return ()
    spans = sorted(_range(part) for part in parts)
    for earlier, later in pairwise(spans):
        if later.start < earlier.end:
            joined = TimeRange(earlier.start, max(earlier.end, later.end))
            message = (
                "`{first}` and `{second}` overlap: make them one range, {joined}, or fix a time"
            )
            raise _problem(
                "hours", message, first=str(earlier), second=str(later), joined=str(joined)
            )
    return tuple(spans)


def _range(text: str) -> TimeRange:
    found = _RANGE.fullmatch(text)
    if found is None:
        raise _problem("hours", "`{text}` is not a time range: " + _EXAMPLE, text=text)
    hour, minute, end_hour, end_minute = (int(group or 0) for group in found.groups())
    start, end = hour * 60 + minute, end_hour * 60 + end_minute
    if hour > 23 or minute > 59 or end_minute > 59 or end > _DAY:
        fix = "hours go from 0 to 23, minutes from 00 to 59, and 24:00 may end a day"
        raise _problem("hours", "`{text}` has a time that does not exist: " + fix, text=text)
    if end <= start:
        fix = (
            "write the opening time first, like 09:00-18:00; hours past midnight are two ranges: "
            "20:00-24:00 on one day, 00:00-02:00 on the next"
        )
        raise _problem("hours", "`{text}` does not end after it starts: " + fix, text=text)
    return TimeRange(start, end)


def _zone(value: str) -> str:
    """An IANA time zone; a near miss ("Europe/Berln", "Berlin") gets the right name suggested."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        known = sorted(available_timezones())
        ending = [name for name in known if name.casefold().endswith("/" + value.casefold())]
        close = ending or difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        fix = f"write {close[0]}" if close else "write one like Europe/Berlin or Europe/Vienna"
        raise _problem("timezone", "`{value}` is not a time zone: " + fix, value=value) from None
    return value


def _date(value: object) -> object:
    """A holiday as an ISO date, ``2026-12-24``; ``24.12.2026`` gets its ISO form suggested."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    iso = f"{german[3]}-{int(german[2]):02d}-{int(german[1]):02d}" if german else "2026-12-24"
    fix = f"write the year, month and day, like {iso}"
    raise _problem("date", "`{value}` is not a date: " + fix, value=value)


def _one_or_many(value: object) -> object:
    """Let the owner write ``closed: 2026-12-24`` for a list of one."""
    return [value] if isinstance(value, str) else value


_Day = Annotated[tuple[TimeRange, ...] | None, PlainValidator(_ranges)]
_Holiday = Annotated[date, BeforeValidator(_date)]


class BusinessHoursSettings(BaseModel):
    """``business_hours:`` in theke.yml: the time zone, each day's ranges, the holidays.

    Days are written in German (``mo`` ... ``so``) or English (``mon`` ...
    ``sun``); a day not written is closed. ``do`` is a Python keyword, so its
    field is ``do_``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: Annotated[str, AfterValidator(_zone)] = "Europe/Berlin"
    mo: _Day = None
    di: _Day = None
    mi: _Day = None
    do_: _Day = Field(default=None, alias="do")
    fr: _Day = None
    sa: _Day = None
    so: _Day = None
    mon: _Day = None
    tue: _Day = None
    wed: _Day = None
    thu: _Day = None
    fri: _Day = None
    sat: _Day = None
    sun: _Day = None
    closed: Annotated[tuple[_Holiday, ...], BeforeValidator(_one_or_many)] = ()

    @field_validator(*_ENGLISH_KEYS)
    @classmethod
    def _each_day_once(
        cls, value: tuple[TimeRange, ...] | None, info: ValidationInfo
    ) -> tuple[TimeRange, ...] | None:
        weekday = _ENGLISH_KEYS.index(info.field_name or "")
        german = _GERMAN_KEYS[weekday]
        if value is not None and info.data.get(_field(german)) is not None:
            message = "`{english}` and `{german}` both give the hours of {day}: keep one of them"
            day = _WEEKDAYS_EN[weekday]
            raise _problem("day", message, english=info.field_name, german=german, day=day)
        return value

    def to_hours(self) -> BusinessHours:
        """The frozen :class:`BusinessHours` of this section."""
        week = tuple(self._ranges_of(weekday) for weekday in range(7))
        return BusinessHours(ZoneInfo(self.timezone), week, frozenset(self.closed))

    def _ranges_of(self, weekday: int) -> tuple[TimeRange, ...]:
        german: tuple[TimeRange, ...] | None = getattr(self, _field(_GERMAN_KEYS[weekday]))
        english: tuple[TimeRange, ...] | None = getattr(self, _ENGLISH_KEYS[weekday])
        return german if german is not None else english or ()


def _field(key: str) -> str:
    """The field name of a day key: ``do`` is ``do_``."""
    return "do_" if key == "do" else key
