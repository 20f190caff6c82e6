"""``business_hours:`` in theke.yml: when the shop is open, when it opens next, and in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.bot.conftest import THEKE_YML, WriteBot
from theke.bot import load_bot
from theke.bot.hours import BusinessHours, BusinessHoursSettings, TimeRange
from theke.errors import BotFolderError

BERLIN = ZoneInfo("Europe/Berlin")

HOURS_YML = """\
business_hours:
  timezone: Europe/Berlin
  mo: "09:00-18:00"
  di: "09:00-18:00"
  mi: "09:00-12:00, 13:00-18:00"
  do: "09:00-18:00"
  fr: "09:00-16:00"
  sa: "10:00-14:00"
  closed: [2026-12-24, 2026-12-25, 2026-12-26, 2027-01-01]
"""


def _hours(**days: object) -> BusinessHours:
    return BusinessHoursSettings.model_validate(days).to_hours()


EXAMPLE = _hours(
    mo="09:00-18:00",
    di="09:00-18:00",
    mi="09:00-12:00, 13:00-18:00",
    do="09:00-18:00",
    fr="09:00-16:00",
    sa="10:00-14:00",
    closed=["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"],
)


def berlin(text: str) -> datetime:
    """A Berlin wall-clock time, ``"2026-06-01 09:00"``, as the UTC instant."""
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_section_is_read_from_theke_yml(write_bot: WriteBot) -> None:
    config = load_bot(write_bot(theke=THEKE_YML + HOURS_YML)).config
    assert config.hours == EXAMPLE
    assert config.hours.week[2] == (TimeRange(540, 720), TimeRange(780, 1080))
    assert config.hours.week[6] == ()
    assert date(2027, 1, 1) in config.hours.closed


def test_without_the_section_there_are_no_hours(write_bot: WriteBot) -> None:
    assert load_bot(write_bot()).config.hours is None


@pytest.mark.parametrize(
    ("local", "is_open"),
    [
        ("2026-06-01 08:59", False),  # Monday
        ("2026-06-01 09:00", True),
        ("2026-06-01 17:59", True),
        ("2026-06-01 18:00", False),
        ("2026-06-03 11:59", True),  # Wednesday: the lunch break
        ("2026-06-03 12:30", False),
        ("2026-06-03 13:00", True),
        ("2026-06-05 15:59", True),  # Friday closes early
        ("2026-06-05 16:00", False),
        ("2026-06-06 10:00", True),  # Saturday
        ("2026-06-06 14:00", False),
        ("2026-06-07 12:00", False),  # Sunday: not listed
        ("2026-12-23 10:00", True),
        ("2026-12-24 10:00", False),  # a Thursday, but a holiday
        ("2026-12-28 10:00", True),
        ("2027-01-01 10:00", False),
    ],
)
def test_the_example_at_many_instants(local: str, is_open: bool) -> None:
    assert EXAMPLE.is_open(berlin(local)) is is_open


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        ("2026-06-01 08:00", "2026-06-01 09:00"),
        ("2026-06-03 12:30", "2026-06-03 13:00"),
        ("2026-06-05 17:00", "2026-06-06 10:00"),  # Friday evening: Saturday
        ("2026-06-06 15:00", "2026-06-08 09:00"),  # over the weekend
        ("2026-12-23 19:00", "2026-12-28 09:00"),  # over Christmas
        ("2026-12-31 19:00", "2027-01-02 10:00"),  # over New Year's Day, into the next year
    ],
)
def test_next_opening(now: str, opening: str) -> None:
    assert EXAMPLE.next_opening(berlin(now)) == berlin(opening)


def test_while_open_the_next_opening_is_now() -> None:
    now = berlin("2026-06-01 10:17:30")
    assert EXAMPLE.next_opening(now) == now


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        # Clocks go forward on Sunday 29 March 2026 at 01:00 UTC: 09:00 on Monday is 07:00 UTC.
        ("2026-03-27 17:00", "2026-03-28 09:00"),  # Saturday 10:00 CET
        ("2026-03-28 14:00", "2026-03-30 07:00"),
        # Clocks go back on Sunday 25 October 2026 at 01:00 UTC: 09:00 on Monday is 08:00 UTC.
        ("2026-10-23 15:00", "2026-10-24 08:00"),  # Saturday 10:00 CEST
        ("2026-10-24 13:00", "2026-10-26 08:00"),
    ],
)
def test_next_opening_across_the_clock_changes(now: str, opening: str) -> None:
    assert EXAMPLE.next_opening(utc(now)) == utc(opening)


def test_is_open_across_the_clock_changes() -> None:
    assert not EXAMPLE.is_open(utc("2026-03-30 06:59"))
    assert EXAMPLE.is_open(utc("2026-03-30 07:00"))
    assert not EXAMPLE.is_open(utc("2026-10-26 07:59"))
    assert EXAMPLE.is_open(utc("2026-10-26 08:00"))


def test_a_range_in_the_skipped_hour_opens_when_the_clocks_jump() -> None:
    night = _hours(so="02:30-04:00")
    assert night.next_opening(utc("2026-03-29 00:00")) == utc("2026-03-29 01:00")  # 03:00 CEST
    assert night.is_open(utc("2026-03-29 01:00"))
    assert not night.is_open(utc("2026-03-29 00:59:59"))
    assert not night.is_open(utc("2026-03-29 02:00"))  # 04:00 CEST


def test_a_range_wholly_in_the_skipped_hour_is_not_open_that_day() -> None:
    skipped = _hours(so="02:00-02:30")
    assert skipped.next_opening(utc("2026-03-28 12:00")) == utc("2026-04-05 00:00")  # 02:00 CEST


def test_a_range_over_the_repeated_hour_lasts_as_long_as_the_clocks_say() -> None:
    repeated = _hours(so="02:00-03:00")  # 02:00 CEST is 00:00 UTC, 03:00 CET is 02:00 UTC
    assert repeated.next_opening(utc("2026-10-24 12:00")) == utc("2026-10-25 00:00")
    assert repeated.is_open(utc("2026-10-25 01:30"))
    assert not repeated.is_open(utc("2026-10-25 02:00"))


@pytest.mark.parametrize(
    ("now", "german", "english"),
    [
        ("2026-06-01 08:00", "heute ab 9:00 Uhr", "today from 09:00"),
        ("2026-06-03 12:30", "heute ab 13:00 Uhr", "today from 13:00"),
        ("2026-06-01 19:00", "morgen ab 9:00 Uhr", "tomorrow from 09:00"),
        ("2026-06-05 17:00", "morgen ab 10:00 Uhr", "tomorrow from 10:00"),
        ("2026-06-06 15:00", "am Montag ab 9:00 Uhr", "on Monday from 09:00"),
        ("2026-12-23 19:00", "am Montag ab 9:00 Uhr", "on Monday from 09:00"),
        ("2026-06-01 10:00", "jetzt", "now"),
    ],
)
def test_describe_next(now: str, german: str, english: str) -> None:
    assert EXAMPLE.describe_next(berlin(now), "de") == german
    assert EXAMPLE.describe_next(berlin(now), "en") == english


def test_an_opening_a_week_or_more_away_is_a_date() -> None:
    holidays = [date(2026, 12, 21) + timedelta(days) for days in range(12)]
    hours = _hours(mo="9-18", sa="10:00-14:00", closed=[day.isoformat() for day in holidays])
    now = berlin("2026-12-20 12:00")  # Sunday; closed until Saturday, 2 January
    assert hours.describe_next(now, "de") == "am 2.1. ab 10:00 Uhr"
    assert hours.describe_next(now, "en") == "on 2 January from 10:00"


def test_german_is_for_every_german_and_english_for_every_other_language() -> None:
    now = berlin("2026-06-01 19:00")
    assert EXAMPLE.describe_next(now, "de-AT") == "morgen ab 9:00 Uhr"
    assert EXAMPLE.describe_next(now, "fr") == "tomorrow from 09:00"


def test_a_shop_that_never_opens() -> None:
    never = _hours(timezone="Europe/Vienna")
    now = utc("2026-06-01 12:00")
    assert not never.is_open(now)
    assert never.next_opening(now) is None
    assert never.describe_next(now, "de") is None


def test_a_shop_closed_for_more_than_a_year_has_no_next_opening() -> None:
    closed = [(date(2026, 6, 1) + timedelta(days)).isoformat() for days in range(400)]
    assert _hours(mo="9-18", closed=closed).next_opening(utc("2026-06-01 12:00")) is None


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        EXAMPLE.is_open(datetime(2026, 6, 1, 12))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("written", "ranges"),
    [
        ("9-18", (TimeRange(540, 1080),)),
        ("9:00 - 18:00", (TimeRange(540, 1080),)),
        ("09:00–18:30", (TimeRange(540, 1110),)),
        ("0-24", (TimeRange(0, 1440),)),
        ("18:00-24:00", (TimeRange(1080, 1440),)),
        ("13:00-18:00, 09:00-12:00", (TimeRange(540, 720), TimeRange(780, 1080))),
        ("09:00-12:00, 12:00-18:00", (TimeRange(540, 720), TimeRange(720, 1080))),
        (["9-12", "13-18"], (TimeRange(540, 720), TimeRange(780, 1080))),
        ("closed", ()),
        ("geschlossen", ()),
        (None, ()),
    ],
)
def test_the_ways_to_write_a_day(written: object, ranges: tuple[TimeRange, ...]) -> None:
    assert _hours(mo=written).week[0] == ranges


def test_english_day_keys_and_the_timezone() -> None:
    hours = _hours(timezone="America/New_York", mon="9-17", sat="10-14", di="9-17")
    assert hours.zone == ZoneInfo("America/New_York")
    assert [bool(day) for day in hours.week] == [True, True, False, False, False, True, False]
    assert hours.is_open(utc("2026-06-01 13:00"))  # 09:00 in New York


def test_one_holiday_needs_no_list() -> None:
    assert _hours(closed="2026-12-24").closed == frozenset({date(2026, 12, 24)})


def test_range_to_text() -> None:
    assert str(TimeRange(540, 1440)) == "09:00-24:00"


def _error(write_bot: WriteBot, hours_yml: str) -> tuple[BotFolderError, str]:
    """The error for ``theke.yml`` with ``hours_yml`` appended, and the line it points at."""
    text = THEKE_YML + hours_yml
    with pytest.raises(BotFolderError) as caught:
        load_bot(write_bot(theke=text))
    error = caught.value
    assert error.path.endswith("theke.yml")
    assert error.line is not None
    return error, text.splitlines()[error.line - 1].strip()


@pytest.mark.parametrize(
    ("old", "new", "line", "says"),
    [
        ('mo: "09:00-18:00"', 'mo: "09:00-1800"', "mo:", "write it like 09:00-18:00"),
        ('mo: "09:00-18:00"', "mo: 9", "mo:", "`9` is not opening hours"),
        ('fr: "09:00-16:00"', 'fr: "16:00-09:00"', "fr:", "write the opening time first"),
        ('fr: "09:00-16:00"', 'fr: "09:00-09:00"', "fr:", "does not end after it starts"),
        ('sa: "10:00-14:00"', 'sa: "10:00-25:00"', "sa:", "hours go from 0 to 23"),
        ('sa: "10:00-14:00"', 'sa: "10:60-14:00"', "sa:", "minutes from 00 to 59"),
        (
            '"09:00-12:00, 13:00-18:00"',
            '"09:00-13:00, 12:00-18:00"',
            "mi:",
            "`09:00-13:00` and `12:00-18:00` overlap: make them one range, 09:00-18:00",
        ),
        ('do: "09:00-18:00"', 'thu: "09:00-18:00"\n  do: "09:00-18:00"', "thu:", "keep one"),
        ('sa: "10:00-14:00"', 'sa: "10:00-14:00"\n  sat: "10-14"', "sat:", "`sat` and `sa`"),
        ("timezone: Europe/Berlin", "timezone: Europe/Berln", "timezone:", "write Europe/Berlin"),
        ("timezone: Europe/Berlin", "timezone: Berlin", "timezone:", "write Europe/Berlin"),
        ("timezone: Europe/Berlin", "timezone: Mond/Krater", "timezone:", "not a time zone"),
        ("2026-12-25,", "25.12.2026,", "closed:", "write the year, month and day, like 2026-12-25"),
        ("2026-12-25,", "2026-02-30,", "closed:", "`2026-02-30` is not a date"),
    ],
)
def test_each_mistake_names_its_line_and_the_fix(
    write_bot: WriteBot, old: str, new: str, line: str, says: str
) -> None:
    assert old in HOURS_YML
    error, shown = _error(write_bot, HOURS_YML.replace(old, new, 1))
    assert shown.startswith(line)
    assert says in str(error)


def test_an_unknown_day_gets_a_suggestion(write_bot: WriteBot) -> None:
    error, shown = _error(write_bot, HOURS_YML.replace("  mo:", "  mox:", 1))
    assert shown.startswith("mox:")
    assert "unknown key `mox`" in error.problem
    assert error.fix == "did you mean `mo`?"


def test_a_mistake_outside_a_bot_folder_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="does not end after it starts"):
        BusinessHoursSettings.model_validate({"mo": "18-9"})
    with pytest.raises(ValidationError, match="`mon` and `mo` both give the hours of Monday"):
        BusinessHoursSettings.model_validate({"mo": "9-18", "mon": "closed"})


def test_a_week_needs_seven_days() -> None:
    with pytest.raises(ValueError, match="7 days"):
        BusinessHours(BERLIN, ((),) * 6)


# Properties: for random schedules, zones with odd clock changes, and instants over three years.

_ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]


@st.composite
def _day(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    marks = sorted(draw(st.sets(st.integers(0, 96).map(lambda quarter: quarter * 15), max_size=6)))
    return tuple(TimeRange(start, end) for start, end in zip(marks[::2], marks[1::2], strict=False))


_schedules = st.builds(
    BusinessHours,
    zone=st.sampled_from(_ZONES).map(ZoneInfo),
    week=st.tuples(*[_day()] * 7),
    closed=st.frozensets(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=20),
)
_instants = st.datetimes(
    datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(st.one_of(st.just(EXAMPLE), _schedules), _instants)
def test_the_next_opening_is_open_and_nothing_before_it_is(
    hours: BusinessHours, now: datetime
) -> None:
    opening = hours.next_opening(now)
    if opening is None:
        assert not any(hours.week)
        return
    assert opening >= now
    assert hours.is_open(opening)
    assert hours.is_open(now) is (opening == now)
    gap = opening - now
    for moment in [now + gap * k / 7 for k in range(1, 7)] + [opening - timedelta(seconds=1)]:
        if now < moment < opening:
            assert not hours.is_open(moment)


@given(st.one_of(st.just(EXAMPLE), _schedules), _instants)
def test_is_open_follows_the_ranges_on_the_wall_clock(hours: BusinessHours, now: datetime) -> None:
    local = now.astimezone(hours.zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return  # a repeated hour's second pass: a range ends when the clocks first show its end
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    ranges = () if local.date() in hours.closed else hours.week[local.weekday()]
    expected = any(span.start * 60 <= seconds < span.end * 60 for span in ranges)
    assert hours.is_open(now) is expected
