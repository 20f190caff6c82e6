"""Date and time vocabulary for the date extractor: regex fragments and word tables.

German and English words, with the umlaut spellings customers type
("übermorgen", "uebermorgen", "ubermorgen"). Tables are keyed by the folded
word (``_text.fold``: lower case, umlauts spelled out).
"""

from __future__ import annotations

from types import MappingProxyType

from theke.nlu.entities._text import AE, UE

__all__ = [
    "HOUR_WORDS",
    "MONTHS",
    "MONTH_NAMES",
    "MONTH_WORDS",
    "NEXT_WORDS",
    "PARTS",
    "PART_WORDS",
    "RELATIVE_DAYS",
    "RELATIVE_DAY_WORDS",
    "UNITS",
    "UNIT_WORDS",
    "WEEKDAYS",
    "WEEKDAY_WORDS",
]

_WEEKDAY_NAMES = (
    ("montag", "monday"),
    ("dienstag", "tuesday"),
    ("mittwoch", "wednesday"),
    ("donnerstag", "thursday"),
    ("freitag", "friday"),
    ("samstag", "sonnabend", "saturday"),
    ("sonntag", "sunday"),
)
WEEKDAYS = MappingProxyType(
    {name: index for index, names in enumerate(_WEEKDAY_NAMES) for name in names}
)
WEEKDAY_WORDS = "|".join(WEEKDAYS)

_MONTH_NAMES = (
    ("januar", "jaenner", "janner", "jänner", "january", "jan"),
    ("februar", "feber", "february", "feb"),
    ("maerz", "marz", "märz", "march", "mrz", "mar", "maer", "mär"),
    ("april", "apr"),
    ("mai", "may"),
    ("juni", "june", "jun"),
    ("juli", "july", "jul"),
    ("august", "aug"),
    ("september", "sept", "sep"),
    ("oktober", "october", "okt", "oct"),
    ("november", "nov"),
    ("dezember", "december", "dez", "dec"),
)
MONTHS = MappingProxyType(
    {name: index + 1 for index, names in enumerate(_MONTH_NAMES) for name in names}
)
MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
"""Every month name and abbreviation (use with a day number next to it)."""
_STANDALONE = [n for n in MONTHS if len(n) >= 4 and n not in {"maer", "sept"}] + ["mai", "may"]
MONTH_NAMES = "|".join(sorted(_STANDALONE, key=len, reverse=True))
"""Month names that may stand without a day ("im Dezember"; "Mai" only after "im")."""

# Part of the day: (first hour, hour it ends); night runs into the next day.
PARTS = MappingProxyType(
    {
        "morning": (6, 12),
        "forenoon": (9, 12),
        "midday": (12, 14),
        "afternoon": (14, 18),
        "evening": (18, 22),
        "night": (22, 6),
    }
)
_PART_NAMES = MappingProxyType(
    {
        "morgen": "morning", "morgens": "morning", "frueh": "morning", "fruh": "morning",
        "morning": "morning", "vormittag": "forenoon", "vormittags": "forenoon",
        "mittag": "midday", "mittags": "midday", "noon": "midday", "nachmittag": "afternoon",
        "nachmittags": "afternoon", "afternoon": "afternoon", "abend": "evening",
        "abends": "evening", "evening": "evening", "nacht": "night", "nachts": "night",
        "night": "night",
    }
)  # fmt: skip
PART_WORDS = _PART_NAMES
"""Folded part-of-day words and the part each names."""

RELATIVE_DAYS = MappingProxyType(
    {
        "heute": 0, "heut": 0, "today": 0, "tonight": 0, "tonite": 0, "morgen": 1,
        "tomorrow": 1, "tmrw": 1, "uebermorgen": 2, "ubermorgen": 2,
        "day after tomorrow": 2, "the day after tomorrow": 2, "gestern": -1,
        "yesterday": -1, "vorgestern": -2,
    }
)  # fmt: skip
RELATIVE_DAY_WORDS = (
    rf"heute?|today|tonight|tonite|{UE}bermorgen|(?:the )?day after tomorrow|morgen|tomorrow"
    r"|tmrw|vorgestern|gestern|yesterday"
)

# Units of "in 3 Tagen" / "2 weeks ago", keyed by folded word.
UNITS = MappingProxyType(
    {
        "tag": "days", "tage": "days", "tagen": "days", "day": "days", "days": "days",
        "woche": "weeks", "wochen": "weeks", "week": "weeks", "weeks": "weeks",
        "monat": "months", "monate": "months", "monaten": "months", "month": "months",
        "months": "months", "jahr": "years", "jahre": "years", "jahren": "years",
        "year": "years", "years": "years", "stunde": "hours", "stunden": "hours",
        "std": "hours", "hour": "hours", "hours": "hours", "minute": "minutes",
        "minuten": "minutes", "min": "minutes", "mins": "minutes", "minutes": "minutes",
    }
)  # fmt: skip
UNIT_WORDS = "|".join(sorted(UNITS, key=len, reverse=True))

HOUR_WORDS = (
    rf"eins|ein|zwei|zwo|drei|vier|f{UE}nf|sechs|sieben|acht|neun|zehn|elf|zw(?:ö|oe|o)lf"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
)
NEXT_WORDS = rf"n{AE}chste[nmrs]?|kommende[nmrs]?|next|coming"
