"""Dates and times in German and English: "morgen um 15 Uhr", "nächsten Freitag", "tonight".

Each expression becomes an entity ``"datetime"`` with value ``{"value": ISO
8601 with offset, "grain": "day"|"hour"|"minute"}`` and ``"end"`` for spans
("heute Abend" is 18:00–22:00, "Wochenende" Saturday to Monday), resolved
against ``context.now`` in ``context.timezone``.

The common forms are parsed here (see ``_date_pieces``); only numeric dates in
other layouts ("24-12-2026") go to dateparser, one isolated span at a time.
``has_date_cue`` is the cheap check that lets a caller skip all of it.

Conventions for what customers leave open: "Freitag", "am Freitag" and
"nächsten Freitag" are the next Friday after today; a clock hour from 1 to 7
without "früh", "a.m." or a part of the day is in the afternoon ("um 3" is
15:00, "um 03:00" is not); a time without a day is its next occurrence.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from theke.nlu.entities._date_pieces import Piece, Today, find_pieces
from theke.nlu.entities._date_words import MONTH_WORDS, PARTS, WEEKDAY_WORDS
from theke.nlu.entities._text import UE
from theke.nlu.entities.context import ExtractContext
from theke.nlu.result import Entity

__all__ = ["extract_dates", "has_date_cue"]

_CUE = re.compile(
    r"\d\s?[.:/-]\s?\d|\d\s*(?:uhr|h\b|[ap]\.?m)|\b(?:um|at|gegen)\s+\d"
    rf"|\b(?:heut|today|tonight|tonite|morgen|morning|tomorrow|tmrw|{UE}bermorgen|gestern"
    r"|yesterday|vorgestern|tag|day|woche|week|monat|month|jahr|year|stund|std|hour|minut|min"
    rf"|abend|evening|nacht|night|mittag|nachmittag|vormittag|noon|midday|midnight|mitternacht"
    rf"|fr{UE}h|afternoon|halb|half|viertel|dreiviertel|quarter|ago|{WEEKDAY_WORDS}|{MONTH_WORDS})",
    re.IGNORECASE,
)
# What may stand between two pieces of one expression: "Freitag, den 24.12.", "morgen um 15".
_GAP = re.compile(r"(?:[\s,]|\b(?:um|at|gegen|den|the|on|am|so)\b)*", re.IGNORECASE)
_GREETING = re.compile(r"\b(?:guten|gute|good|sch(?:ö|oe|o)nen)\s*$", re.IGNORECASE)
_OTHER_LAYOUT = re.compile(
    r"(?<![\w.,/-])(?:\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
    r"(?![\w/-]|[.,]\d)"
)
_AFTERNOON = frozenset({"afternoon", "evening"})


def has_date_cue(text: str) -> bool:
    """Whether ``text`` has anything ``extract_dates`` could find (cheap, one regex)."""
    return _CUE.search(text) is not None


def extract_dates(text: str, context: ExtractContext) -> list[Entity]:
    """Dates, times and spans of time in ``text`` as entities ``"datetime"``."""
    if not has_date_cue(text):
        return []
    zone = ZoneInfo(context.timezone)
    today = Today(context.now.astimezone(zone).replace(tzinfo=None), context.language)
    pieces = [p for p in find_pieces(text, today) if not _is_greeting(text, p)]
    entities: list[Entity] = []
    for group in _groups(text, pieces):
        entity = _entity(text, group, today, zone)
        if entity is not None:
            entities.append(entity)
    return sorted(entities + _other_layouts(text, entities, today, context), key=lambda e: e.start)


def _is_greeting(text: str, piece: Piece) -> bool:
    """ "Guten Morgen", "good evening": a greeting, not a time."""
    if not (piece.morning_word or piece.needs_day):
        return False
    return _GREETING.search(text, 0, piece.start) is not None


def _groups(text: str, pieces: list[Piece]) -> list[Piece]:
    """Neighbouring pieces joined into one expression each ("morgen" + "um 15 Uhr")."""
    groups: list[Piece] = []
    for piece in pieces:
        last = groups[-1] if groups else None
        joined = None
        if last is not None and _GAP.fullmatch(text, last.end, piece.start):
            joined = _join(last, piece)
        if joined is not None:
            groups[-1] = joined
        else:
            groups.append(piece)
    return groups


def _join(first: Piece, then: Piece) -> Piece | None:
    """One piece for both, or ``None`` when they do not belong to one expression."""
    if first.moment is not None or then.moment is not None:
        return None
    if then.morning_word and first.day is not None and first.part is None and first.hour is None:
        then = Piece(then.start, then.end, part="morning")  # "heute Morgen", "Freitag morgen"
    if then.needs_day and first.day is None:
        return None
    if (first.part and then.part) or (first.hour is not None and then.hour is not None):
        return None
    day = _join_days(first, then)
    if day is None:
        return None
    clock = first if first.hour is not None else then
    return replace(
        day,
        start=first.start,
        end=then.end,
        part=first.part or then.part,
        hour=clock.hour,
        minute=clock.minute,
        end_hour=clock.end_hour,
        end_minute=clock.end_minute,
        by_minute=clock.by_minute,
        meridiem=clock.meridiem,
        leading_zero=clock.leading_zero,
        morning_word=False,
        needs_day=day.day is None and (first.needs_day or then.needs_day),
    )


def _join_days(first: Piece, then: Piece) -> Piece | None:
    """The piece whose day the joined piece keeps ("Freitag, den 24.12." keeps the date)."""
    if first.day is None or then.day is None:
        return then if first.day is None else first
    for other, named in ((first, then), (then, first)):
        if named.weekday is None or other.weekday is not None:
            continue
        if other.week_start is not None:  # "nächste Woche Freitag"
            day = other.week_start + timedelta(days=named.weekday)
            return replace(named, day=day, until=None)
        if other.until is None:  # "Freitag, den 24.12." keeps the date
            return other
    return None


def _entity(text: str, group: Piece, today: Today, zone: ZoneInfo) -> Entity | None:
    resolved = _resolve(group, today)
    if resolved is None:
        return None
    start, grain, end, confidence = resolved
    value: dict[str, Any] = {"value": _iso(start, zone), "grain": grain}
    if end is not None:
        value["end"] = _iso(end, zone)
    span = text[group.start : group.end]
    return Entity("datetime", group.start, group.end, span, value, confidence)


def _resolve(p: Piece, today: Today) -> tuple[datetime, str, datetime | None, float] | None:
    """Start, grain, end (for spans) and confidence of one joined expression."""
    if p.moment is not None:
        return p.moment, "minute", None, 1.0
    if p.needs_day:
        return None
    if p.hour is not None:
        start, end, confidence = _clock(p, today)
        return start, "minute" if p.by_minute else "hour", end, confidence
    if p.part is not None:
        return (*_part_span(p, today), 1.0)
    if p.day is None:
        return None
    start = datetime.combine(p.day, time())
    end = datetime.combine(p.until, time()) if p.until is not None else None
    return start, "day", end, 1.0


def _part_span(p: Piece, today: Today) -> tuple[datetime, str, datetime]:
    first, last = PARTS[p.part or "evening"]
    day = p.day or today.day
    start = datetime.combine(day, time(first))
    end = datetime.combine(day + timedelta(days=1 if last <= first else 0), time(last))
    if p.day is None and end <= today.now:  # "abends" late at night: tomorrow evening
        start, end = start + timedelta(days=1), end + timedelta(days=1)
    return start, "hour", end


def _clock(p: Piece, today: Today) -> tuple[datetime, datetime | None, float]:
    """The moment (and the end of "zwischen 14 und 16 Uhr") a clock time means."""
    hour, guessed = _hour(p, p.hour or 0)
    night = "night" in {p.part, p.meridiem}
    day = p.day or today.day
    if p.day is not None and night and hour < 6:
        day += timedelta(days=1)  # "heute Nacht um 2" is early tomorrow
    start = datetime.combine(day, time(hour, p.minute))
    end = None
    if p.end_hour is not None:
        end = datetime.combine(day, time(_end_hour(p, hour), p.end_minute))
        end += timedelta(days=1) if end <= start else timedelta()
    if p.day is None and (end or start) <= today.now:  # a time without a day: the next one
        start += timedelta(days=1)
        end = end + timedelta(days=1) if end is not None else None
    return start, end, 0.8 if guessed else 1.0


def _end_hour(p: Piece, start: int) -> int:
    """The end of "zwischen 2 und 4 Uhr": with no a.m./p.m. the first reading after the start."""
    hour = p.end_hour or 0
    if p.meridiem is not None or p.part is not None:
        return _hour(p, hour)[0]
    return next((h for h in (hour, hour + 12) if start < h < 24), hour)


def _hour(p: Piece, hour: int) -> tuple[int, bool]:
    """``hour`` on the 24-hour clock, and whether the afternoon was only guessed."""
    if p.meridiem == "pm" or (p.part in _AFTERNOON and p.meridiem is None):
        return (hour + 12 if hour < 12 else hour), False
    if p.meridiem == "am":
        return (0 if hour == 12 else hour), False
    if "night" in {p.part, p.meridiem}:
        return (hour + 12 if 6 <= hour < 12 else hour), False
    if p.part == "midday":
        return (hour + 12 if hour < 6 else hour), False
    if p.part is not None or p.leading_zero or not 1 <= hour <= 7:
        return hour, False
    return hour + 12, True


def _other_layouts(
    text: str, found: list[Entity], today: Today, context: ExtractContext
) -> list[Entity]:
    """Numeric dates in layouts parsed here by no rule ("24-12-2026"), via dateparser."""
    entities: list[Entity] = []
    for match in _OTHER_LAYOUT.finditer(text):
        if any(e.start < match.end() and match.start() < e.end for e in found):
            continue
        parsed = _dateparser(match.group(), today, context)
        if parsed is not None:
            value = {"value": parsed.isoformat(), "grain": "day"}
            entities.append(
                Entity(
                    "datetime", match.start(), match.end(), match.group(), value, 0.7, "dateparser"
                )
            )
    return entities


def _dateparser(span: str, today: Today, context: ExtractContext) -> datetime | None:
    # Slow to import: only messages with a date in an unusual layout get here.
    import dateparser

    settings: Any = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": today.now,
        "TIMEZONE": context.timezone,
        "RETURN_AS_TIMEZONE_AWARE": True,
    }
    languages = [context.language] if context.language in {"de", "en"} else None
    parsed = dateparser.parse(span, languages=languages, settings=settings)
    if parsed is None:
        return None
    zone = ZoneInfo(context.timezone)
    return datetime.combine(parsed.astimezone(zone).date(), time(), tzinfo=zone)


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.replace(tzinfo=zone).isoformat()
