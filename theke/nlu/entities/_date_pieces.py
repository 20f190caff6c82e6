"""The pieces a date expression is made of: a day, a part of the day, a time of day.

``find_pieces`` returns the non-overlapping pieces of a message in text order;
``dates.py`` joins neighbouring pieces ("morgen" + "um 15 Uhr") and resolves
them. Each finder is a compiled regex and a small builder.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from theke.nlu.entities._date_words import (
    HOUR_WORDS,
    MONTH_NAMES,
    MONTH_WORDS,
    MONTHS,
    NEXT_WORDS,
    PART_WORDS,
    RELATIVE_DAY_WORDS,
    RELATIVE_DAYS,
    UNIT_WORDS,
    UNITS,
    WEEKDAY_WORDS,
    WEEKDAYS,
)
from theke.nlu.entities._spans import non_overlapping
from theke.nlu.entities._text import AE, CURRENCY_AFTER, NOT_A_QUANTITY, UE, fold
from theke.nlu.entities.numbers import NUMBER_WORDS, parse_number

__all__ = ["Piece", "Today", "add_months", "find_pieces"]


@dataclass(frozen=True, slots=True)
class Today:
    """The reference moment, naive in the shop's time zone, and the message language."""

    now: datetime
    language: str

    @property
    def day(self) -> date:
        return self.now.date()


@dataclass(frozen=True, slots=True)
class Piece:
    """One recognised piece; a group of neighbouring pieces makes one date entity."""

    start: int
    end: int
    day: date | None = None
    until: date | None = None  # exclusive end of a span of days ("Wochenende")
    weekday: int | None = None  # the day came from a weekday name
    week_start: date | None = None  # the day span is a calendar week ("nächste Woche")
    part: str | None = None  # key of PARTS
    hour: int | None = None
    minute: int = 0
    end_hour: int | None = None  # "zwischen 14 und 16 Uhr" ends at 16
    end_minute: int = 0
    by_minute: bool = False  # "15:30", "halb drei": grain minute
    meridiem: str | None = None  # "am", "pm", "night"
    leading_zero: bool = False  # "07:30" is a 24-hour clock time
    moment: datetime | None = None  # complete on its own ("in 2 Stunden")
    morning_word: bool = False  # "morgen": tomorrow, or the morning after a day word
    needs_day: bool = False  # a bare "Abend" counts only after a day word


_I = re.IGNORECASE
_NEXT = re.compile(NEXT_WORDS)
_YEARS = range(1900, 3000)  # years a customer means; also keeps date arithmetic in range
_MAX_COUNT = 999  # "in 999 Tagen" at most
_PREFIX = r"(?:\b(?:um|gegen|ab|at|around|by)\s+)?"
_SUFFIX = (
    rf"(?:\s+(?P<suffix>in der fr{UE}h|fr{UE}h|morgens|vormittags|mittags|nachmittags|abends"
    r"|nachts|in the (?:morning|afternoon|evening)|at night|tonight)\b)?"
)
_EARLY = frozenset({"frueh", "fruh", "in der frueh", "in der fruh", "morgens", "vormittags",
                    "in the morning"})  # fmt: skip
_LATE = frozenset({"mittags", "nachmittags", "abends", "in the afternoon", "in the evening",
                   "tonight"})  # fmt: skip
_QUARTERS = {"halb": -30, "viertel nach": 15, "viertel vor": -15, "dreiviertel": -15,
             "drei viertel": -15, "half past": 30, "quarter past": 15, "quarter after": 15,
             "quarter to": -15}  # fmt: skip


def _relative_day(match: re.Match[str], today: Today) -> Piece | None:
    word = " ".join(fold(match.group("w")).split())
    part = "evening" if word in {"tonight", "tonite"} else None
    offset = RELATIVE_DAYS.get(word)
    if offset is None:
        return None
    day = today.day + timedelta(days=offset)
    return Piece(match.start(), match.end(), day=day, part=part, morning_word=word == "morgen")


def _weekday(match: re.Match[str], today: Today) -> Piece | None:
    weekday = WEEKDAYS.get(fold(match.group("wd")))
    if weekday is None:
        return None
    modifier = fold(match.group("mod") or "")
    ahead = (weekday - today.day.weekday()) % 7
    if modifier.startswith(("uebern", "ubern")):
        ahead = (ahead or 7) + 7
    elif modifier.startswith(("letzte", "vergangene", "last")):
        ahead = -((today.day.weekday() - weekday) % 7 or 7)
    elif not modifier.startswith(("diese", "this")):
        ahead = ahead or 7
    part = match.group("part")
    return Piece(
        match.start(),
        match.end(),
        day=today.day + timedelta(days=ahead),
        weekday=weekday,
        part=PART_WORDS.get(fold(part)) if part else None,
    )


def _numeric_date(match: re.Match[str], today: Today) -> Piece | None:
    groups = match.groupdict()
    if "a" in groups:  # "12/24": day and month in the order the language writes them
        if not (groups["pre"] or groups["y"]):
            return None
        first, second = int(groups["a"]), int(groups["b"])
        month_first = second > 12 or (today.language == "en" and first <= 12)
        day, month = (second, first) if month_first else (first, second)
    else:
        day, month = int(groups["d"]), int(groups["m"])
    return _calendar_day(match, today, day, month, groups["y"])


def _named_date(match: re.Match[str], today: Today) -> Piece | None:
    month = MONTHS.get(fold(match.group("mon")))
    if month is None:
        return None
    return _calendar_day(match, today, int(match.group("d")), month, match.group("y"))


def _calendar_day(
    match: re.Match[str], today: Today, day: int, month: int, year_text: str | None
) -> Piece | None:
    year = int(year_text) if year_text else today.day.year
    year += 2000 if year < 100 else 0
    if year not in _YEARS:
        return None
    try:
        found = date(year, month, day)
        if not year_text and found < today.day:
            found = date(year + 1, month, day)
    except ValueError:
        return None
    return Piece(match.start(), match.end(), day=found)


def _month(match: re.Match[str], today: Today) -> Piece | None:
    month = MONTHS.get(fold(match.group("mon")))
    if month is None:
        return None
    prefix, year_text = fold(match.group("pre") or ""), match.group("y")
    if month == 5 and not (prefix or year_text):
        return None  # "may" and "Mai" need "im", "in" or a year
    year = int(year_text) if year_text else today.day.year
    if not year_text and (
        month < today.day.month or (month == today.day.month and _NEXT.fullmatch(prefix))
    ):
        year += 1
    if year not in _YEARS:
        return None
    first, after = date(year, month, 1), add_months(date(year, month, 1), 1)
    if prefix in {"anfang", "early"}:
        first, after = first, first.replace(day=11)
    elif prefix in {"mitte", "mid"}:
        first, after = first.replace(day=11), first.replace(day=21)
    elif prefix in {"ende", "late"}:
        first = first.replace(day=21)
    return Piece(match.start(), match.end(), day=first, until=after)


def _relative(match: re.Match[str], today: Today) -> Piece | None:
    word = match.group("n")
    count = 1 if fold(word) in {"einer", "einem", "an", "a"} else parse_number(word)
    if not isinstance(count, int) or count > _MAX_COUNT:
        return None
    direction = match.groupdict().get("dir")
    count = -count if direction is None or fold(direction) == "vor" else count  # "vor", "ago"
    unit = UNITS.get(fold(match.group("unit")))
    if unit is None:
        return None
    if unit in {"hours", "minutes"}:
        moment = today.now.replace(second=0, microsecond=0) + timedelta(**{unit: count})
        return Piece(match.start(), match.end(), moment=moment)
    if unit == "weeks":
        return Piece(match.start(), match.end(), day=today.day + timedelta(weeks=count))
    months = count * (12 if unit == "years" else 1)
    day = add_months(today.day, months) if unit != "days" else today.day + timedelta(days=count)
    return Piece(match.start(), match.end(), day=day)


def _period(match: re.Match[str], today: Today) -> Piece | None:
    modifier, unit = fold(match.group("mod")), fold(match.group("unit"))
    steps = 0 if modifier.startswith(("diese", "this")) else 1
    steps += 1 if modifier.startswith(("uebern", "ubern")) else 0
    if unit in {"woche", "week"}:
        monday = today.day - timedelta(days=today.day.weekday()) + timedelta(weeks=steps)
        start = max(monday, today.day)
        return Piece(match.start(), match.end(), day=start, until=monday + timedelta(weeks=1),
                     week_start=monday)  # fmt: skip
    months = 12 if unit in {"jahr", "year"} else 1
    first = today.day.replace(day=1, month=1 if months == 12 else today.day.month)
    first = add_months(first, steps * months)
    return Piece(
        match.start(), match.end(), day=max(first, today.day), until=add_months(first, months)
    )


def _weekend(match: re.Match[str], today: Today) -> Piece | None:
    modifier, weekday = fold(match.group("mod") or ""), today.day.weekday()
    saturday = today.day + timedelta(days=5 - weekday)
    if weekday >= 5 and _NEXT.fullmatch(modifier):
        saturday += timedelta(weeks=1)
    if modifier.startswith(("uebern", "ubern")):
        saturday += timedelta(weeks=1 if weekday >= 5 else 2)
    start = max(saturday, today.day)
    return Piece(match.start(), match.end(), day=start, until=saturday + timedelta(days=2))


def _time(match: re.Match[str], today: Today) -> Piece | None:
    groups = match.groupdict()
    if groups.get("noon"):
        hour = 12 if fold(groups["noon"]) in {"noon", "midday"} else 0
        return Piece(match.start(), match.end(), hour=hour)
    if groups.get("q"):
        return _quarter(match)
    hour_text = groups["h"]
    hour, minute = int(hour_text), int(groups.get("m") or groups.get("m2") or 0)
    meridiem = _meridiem(groups.get("mer"), groups.get("suffix"))
    if groups.get("mer") and fold(groups["mer"]) == "am" and today.language != "en":
        return None  # German "3 am Freitag" is not 3 a.m.
    if hour > 23 or (meridiem in {"am", "pm"} and hour > 12):
        return None
    return Piece(
        match.start(),
        match.end(),
        hour=hour,
        minute=minute,
        by_minute=bool(groups.get("m") or groups.get("m2")),
        meridiem=meridiem,
        leading_zero=len(hour_text) == 2 and hour_text.startswith("0"),
    )


def _time_range(match: re.Match[str], today: Today) -> Piece | None:
    start, end = int(match.group("h")), int(match.group("h2"))
    marker = match.group("mer")
    meridiem = _meridiem(None if fold(marker) in {"uhr", "h"} else marker, match.group("suffix"))
    limit = 12 if meridiem in {"am", "pm"} else 23
    if start > limit or end > limit:
        return None
    return Piece(
        match.start(),
        match.end(),
        hour=start,
        minute=int(match.group("m") or 0),
        end_hour=end,
        end_minute=int(match.group("m2") or 0),
        by_minute=bool(match.group("m") or match.group("m2")),
        meridiem=meridiem,
    )


def _quarter(match: re.Match[str]) -> Piece | None:
    hour = parse_number(match.group("hw"))
    if not isinstance(hour, int) or not 0 < hour <= 12:
        return None
    offset = _QUARTERS.get(" ".join(fold(match.group("q")).split()))
    if offset is None:
        return None
    hour, minute = (hour, offset) if offset > 0 else (hour - 1, 60 + offset)
    meridiem = _meridiem(None, match.group("suffix"))
    return Piece(match.start(), match.end(), hour=hour % 12 or 12, minute=minute, by_minute=True,
                 meridiem=meridiem)  # fmt: skip


def _meridiem(marker: str | None, suffix: str | None) -> str | None:
    if marker:
        return "am" if fold(marker).startswith("a") else "pm"
    words = " ".join(fold(suffix).split()) if suffix else ""
    if words in _EARLY:
        return "am"
    if words in _LATE:
        return "pm"
    return "night" if words else None


def _part(match: re.Match[str], today: Today) -> Piece | None:
    part = PART_WORDS.get(fold(match.group().split()[-1]))
    return None if part is None else Piece(match.start(), match.end(), part=part)


def _bare_part(match: re.Match[str], today: Today) -> Piece | None:
    part = PART_WORDS.get(fold(match.group()))
    return None if part is None else Piece(match.start(), match.end(), part=part, needs_day=True)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (31.1. + 1 = 28.2.)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


_N = rf"(?:\d{{1,3}}|einer|einem|an|a|{NUMBER_WORDS})"
_Builder = Callable[[re.Match[str], Today], Piece | None]
# Finders that cannot match without a digit, a month name or "ago" are not tried on a text
# without one (a gate costs a few microseconds, a finder up to twenty).
_DIGIT = re.compile(r"\d")
_AGO = re.compile(r"\bago\b", _I)
_MONTH = re.compile(
    r"\b(?:j(?:ä|ae|a)n|feb|m(?:ä|ae|a)r|mrz|apr|ma[iy]\b|jun|jul|aug|sep|o[ck]t|nov|de[cz])", _I
)
_GATES = (_DIGIT, _AGO, _MONTH)
_FINDERS: tuple[tuple[re.Pattern[str], _Builder, re.Pattern[str] | None], ...] = tuple(
    (re.compile(pattern, _I), builder, gate)
    for pattern, builder, gate in (
        (rf"\b(?P<w>{RELATIVE_DAY_WORDS})\b", _relative_day, None),
        (rf"\b(?:(?P<mod>am|an|on|this|diese[nmrs]?|{NEXT_WORDS}|{UE}bern{AE}chste[nmrs]?"
         rf"|letzte[nmrs]?|vergangene[nmrs]?|last)\s+)?(?P<wd>{WEEKDAY_WORDS})"
         r"(?P<part>(?:morgen|vormittag|mittag|nachmittag|abend|nacht)s?)?s?\b", _weekday, None),
        (r"(?<![\d.,])(?:\bam\s+)?(?P<d>[0-3]?\d)\.\s?(?P<m>[01]?\d)\."
         r"(?:\s?(?P<y>\d{4}|\d{2})(?![\d.,]\d))?(?!\d)", _numeric_date, _DIGIT),
        (r"\b(?:am|bis|ab|vom|zum|den)\s+(?P<d>[0-3]?\d)\.(?P<m>[01]?\d)(?![\d.,])(?P<y>)",
         _numeric_date, _DIGIT),
        (r"(?<![\w/.,])(?P<pre>(?:on|am|the|bis|until|by|ab|vom|from|den)\s+)?"
         r"(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)(?:/(?P<y>\d{4}|\d{2}))?(?![\d/])", _numeric_date,
         _DIGIT),
        (r"\b(?P<y>\d{4})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b", _numeric_date, _DIGIT),
        (rf"\b(?P<d>[0-3]?\d)(?:\.|st|nd|rd|th)?\s*(?:of\s+)?(?P<mon>{MONTH_WORDS})\b\.?"
         r"(?:\s*,?\s*(?P<y>\d{4})\b)?", _named_date, _MONTH),
        (rf"\b(?P<mon>{MONTH_WORDS})\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?\b"
         r"(?!\s*(?:uhr\b|h\b|[:.,]\d))(?:\s*,?\s*(?P<y>\d{4})\b)?", _named_date, _MONTH),
        (rf"\b(?:(?P<pre>im|in|ab|bis|seit|anfang|mitte|ende|early|mid|late|{NEXT_WORDS}"
         rf"|this|diese[nmrs]?)\s+)?(?P<mon>{MONTH_NAMES})\b(?:\s+(?P<y>\d{{4}})\b)?", _month,
         _MONTH),
        (rf"\b(?P<dir>in|vor|innerhalb von|within|binnen)\s+(?P<n>{_N})\s+(?P<unit>{UNIT_WORDS})\b",
         _relative, None),
        (rf"\b(?P<n>{_N})\s+(?P<unit>{UNIT_WORDS})\s+ago\b", _relative, _AGO),
        (rf"\b(?P<mod>{NEXT_WORDS}|diese[nmrs]?|this|{UE}bern{AE}chste[nmrs]?)\s+"
         r"(?P<unit>woche|week|monat|month|jahr|year)\b", _period, None),
        (rf"\b(?:(?P<mod>am|this|on the|at the|over the|diese[sm]?|{NEXT_WORDS}"
         rf"|{UE}bern{AE}chste[sm]?)\s+)?(?:wochenende|weekend)\b", _weekend, None),
        (rf"{_PREFIX}(?<![\d.,:])(?P<h>[0-2]?\d)(?:[:.](?P<m>[0-5]\d))?\s*(?:uhr|h)\b"
         rf"(?:\s*(?P<m2>[0-5]\d)\b(?!\s*(?:uhr|€|euro)))?{_SUFFIX}", _time, _DIGIT),
        (rf"{_PREFIX}(?<![\d.,:])(?P<h>[0-2]?\d):(?P<m>[0-5]\d)(?![\d:])"
         rf"(?:\s*(?P<mer>[ap]\.m\.|[ap]m\b))?{_SUFFIX}", _time, _DIGIT),
        (rf"{_PREFIX}(?<![\d.,:])(?P<h>[01]?\d)\s*(?P<mer>[ap]\.m\.|[ap]m\b){_SUFFIX}", _time,
         _DIGIT),
        (r"\b(?:zwischen|von|between|from)\s+(?P<h>[0-2]?\d)(?:[:.](?P<m>[0-5]\d))?\s*(?:uhr\s*)?"
         r"(?:und|bis|-|–|and|to)\s*(?P<h2>[0-2]?\d)(?:[:.](?P<m2>[0-5]\d))?\s*"
         rf"(?P<mer>uhr\b|h\b|[ap]\.m\.|[ap]m\b){_SUFFIX}", _time_range, _DIGIT),
        (rf"\b(?:um|gegen|at)\s+(?P<h>[0-2]?\d)(?![\d.,:/]){NOT_A_QUANTITY}"
         rf"(?!\s*{CURRENCY_AFTER}){_SUFFIX}", _time, _DIGIT),
        (rf"{_PREFIX}\b(?P<q>halb|viertel nach|viertel vor|dreiviertel|drei viertel|half past"
         rf"|quarter past|quarter after|quarter to)\s+(?P<hw>[01]?\d|{HOUR_WORDS})\b{_SUFFIX}",
         _time, None),
        (rf"{_PREFIX}\b(?P<noon>noon|midday|midnight|mitternacht)\b", _time, None),
        (rf"\b(?:morgens|vormittags|mittags|nachmittags|abends|nachts"
         rf"|am (?:morgen|vormittag|mittag|nachmittag|abend)|in der (?:nacht|fr{UE}h)"
         r"|(?:this|in the) (?:morning|afternoon|evening)|at night)\b", _part, None),
        (rf"\b(?:fr{UE}h|vormittag|mittag|nachmittag|abend|nacht|morning|afternoon|evening"
         r"|night)\b", _bare_part, None),
    )
)  # fmt: skip


def find_pieces(text: str, today: Today) -> list[Piece]:
    """The recognised pieces of ``text``, longest first where they overlap, in text order."""
    gates = {None} | {gate for gate in _GATES if gate.search(text)}
    found: list[tuple[int, int, Piece]] = []
    for rank, (pattern, builder, gate) in enumerate(_FINDERS):
        if gate not in gates:
            continue
        for match in pattern.finditer(text):
            piece = builder(match, today)
            if piece is not None:
                found.append((piece.start - piece.end, rank, piece))
    ordered = [piece for *_, piece in sorted(found, key=lambda i: (i[0], i[1], i[2].start))]
    return non_overlapping(ordered, lambda piece: (piece.start, piece.end))
