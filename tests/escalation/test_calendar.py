import json
import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.escalation.calendar import BusinessCalendar, validate_calendar

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
PARIS_OFFICE = BusinessCalendar(timezone="Europe/Paris")
ALWAYS_OPEN = BusinessCalendar(
    timezone="Europe/Paris", days=(0, 1, 2, 3, 4, 5, 6), start="00:00", end="24:00"
)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def test_a_question_asked_friday_evening_breaches_on_monday() -> None:
    asked = paris(2026, 6, 5, 17)  # a Friday
    due = PARIS_OFFICE.add_business_seconds(asked, 4 * HOUR)
    assert due == paris(2026, 6, 8, 12)
    assert due is not None and due.tzinfo == UTC
    assert PARIS_OFFICE.business_seconds(asked, due) == 4 * HOUR
    assert PARIS_OFFICE.business_seconds(asked, paris(2026, 6, 8, 9)) == HOUR


def test_open_only_during_business_hours_on_working_days() -> None:
    assert PARIS_OFFICE.is_open(paris(2026, 6, 5, 9))
    assert PARIS_OFFICE.is_open(paris(2026, 6, 5, 17, 59))
    assert not PARIS_OFFICE.is_open(paris(2026, 6, 5, 18))
    assert not PARIS_OFFICE.is_open(paris(2026, 6, 5, 8, 59))
    assert not PARIS_OFFICE.is_open(paris(2026, 6, 6, 12))  # Saturday
    assert PARIS_OFFICE.is_open(datetime(2026, 6, 5, 7, 30, tzinfo=UTC))  # 09:30 in Paris


def test_public_holidays_of_the_country_are_skipped() -> None:
    asked = paris(2026, 12, 24, 17)  # Thursday; Friday 25 is Christmas
    assert PARIS_OFFICE.add_business_seconds(asked, 4 * HOUR) == paris(2026, 12, 25, 12)
    french = BusinessCalendar(timezone="Europe/Paris", holiday_country="FR")
    assert not french.is_open(paris(2026, 12, 25, 12))
    assert french.add_business_seconds(asked, 4 * HOUR) == paris(2026, 12, 28, 12)
    assert french.business_seconds(asked, paris(2026, 12, 28, 12)) == 4 * HOUR


def test_custom_holidays_are_skipped() -> None:
    closed = BusinessCalendar(
        timezone="Europe/Paris", holiday_country="FR", holidays=("2026-12-28", "2026-12-31")
    )
    asked = paris(2026, 12, 24, 17)
    assert closed.add_business_seconds(asked, 4 * HOUR) == paris(2026, 12, 29, 12)
    assert closed.business_seconds(paris(2026, 12, 28), paris(2027, 1, 2)) == 2 * 9 * HOUR


@pytest.mark.parametrize(
    ("friday", "monday", "offsets"),
    [
        (paris(2026, 3, 27, 17), paris(2026, 3, 30, 12), (1, 2)),  # clocks go forward Sunday
        (paris(2026, 10, 23, 17), paris(2026, 10, 26, 12), (2, 1)),  # clocks go back Sunday
    ],
)
def test_dst_weekends(friday: datetime, monday: datetime, offsets: tuple[int, int]) -> None:
    assert friday.utcoffset() == timedelta(hours=offsets[0])
    assert monday.utcoffset() == timedelta(hours=offsets[1])
    assert PARIS_OFFICE.add_business_seconds(friday, 4 * HOUR) == monday
    assert PARIS_OFFICE.business_seconds(friday, monday) == 4 * HOUR
    week = PARIS_OFFICE.business_seconds(friday - timedelta(days=4, hours=8), monday)
    assert week == 5 * 9 * HOUR + 3 * HOUR


def test_dst_days_count_the_real_time_elapsed() -> None:
    assert ALWAYS_OPEN.business_seconds(paris(2026, 3, 29), paris(2026, 3, 30)) == 23 * HOUR
    assert ALWAYS_OPEN.business_seconds(paris(2026, 10, 25), paris(2026, 10, 26)) == 25 * HOUR
    assert ALWAYS_OPEN.add_business_seconds(paris(2026, 3, 29), 23 * HOUR) == paris(2026, 3, 30)
    night = BusinessCalendar(timezone="Europe/Paris", days=(6,), start="01:00", end="04:00")
    # 01:00 CET to 04:00 CEST: the hour from 02:00 to 03:00 does not exist that night.
    assert night.business_seconds(paris(2026, 3, 29), paris(2026, 3, 30)) == 2 * HOUR


CALENDARS = [
    PARIS_OFFICE,
    ALWAYS_OPEN,
    BusinessCalendar(
        timezone="Europe/Paris", holiday_country="FR", holidays=("2026-08-14", "2027-01-04")
    ),
    BusinessCalendar(timezone="America/New_York", days=(0, 2, 5), start="07:30", end="21:15"),
    BusinessCalendar(timezone="Asia/Kolkata", days=(6,), start="10:00", end="10:45"),
    BusinessCalendar(timezone="Australia/Lord_Howe", start="01:45", end="02:30"),  # 30-min DST
]


def random_instant(rng: random.Random) -> datetime:
    base = datetime(2025, 9, 1, tzinfo=UTC)
    return base + timedelta(seconds=rng.randrange(3 * 365 * 24 * HOUR))


def test_adding_business_time_inverts_counting_it() -> None:
    rng = random.Random(20260325)
    for _ in range(300):
        calendar = rng.choice(CALENDARS)
        start = random_instant(rng)
        seconds = rng.randrange(1, 200 * HOUR)
        due = calendar.add_business_seconds(start, seconds)
        assert due is not None
        assert calendar.business_seconds(start, due) == seconds
        # And it is the earliest such instant.
        assert calendar.business_seconds(start, due - timedelta(seconds=1)) == seconds - 1


def test_counting_business_time_inverts_adding_it() -> None:
    rng = random.Random(7)
    for _ in range(300):
        calendar = rng.choice(CALENDARS)
        start = random_instant(rng)
        end = start + timedelta(seconds=rng.randrange(60 * 24 * HOUR))
        seconds = calendar.business_seconds(start, end)
        due = calendar.add_business_seconds(start, seconds)
        assert due is not None and due <= end
        assert calendar.business_seconds(due, end) == 0
        if calendar.is_open(end):
            assert due == end


def test_long_spans_are_fast() -> None:
    calendar = BusinessCalendar(timezone="Europe/Paris", holiday_country="FR")
    started = time.perf_counter()
    seconds = calendar.business_seconds(paris(2024, 1, 1), paris(2029, 1, 1))
    assert calendar.add_business_seconds(paris(2024, 1, 1), seconds) == paris(2028, 12, 29, 18)
    assert time.perf_counter() - started < 1


def test_edge_cases() -> None:
    start = paris(2026, 6, 3, 10)
    assert PARIS_OFFICE.business_seconds(start, start) == 0
    assert PARIS_OFFICE.business_seconds(start, start - timedelta(hours=1)) == 0
    assert PARIS_OFFICE.add_business_seconds(start, 0) == start
    with pytest.raises(ValueError):
        PARIS_OFFICE.add_business_seconds(start, -1)
    with pytest.raises(ValueError):
        PARIS_OFFICE.is_open(datetime(2026, 6, 3, 10))  # naive
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Mars/Olympus_Mons")
    with pytest.raises(ValueError):
        BusinessCalendar(start="9h")


@pytest.mark.parametrize(
    "never_open",
    [
        BusinessCalendar(days=()),
        BusinessCalendar(start="18:00", end="09:00"),
        BusinessCalendar(start="09:00", end="09:00"),
    ],
)
def test_a_calendar_that_is_never_open_never_breaches(never_open: BusinessCalendar) -> None:
    start = paris(2026, 6, 3, 10)
    assert never_open.add_business_seconds(start, 60) is None
    assert never_open.business_seconds(start, start + timedelta(days=30)) == 0
    assert not never_open.is_open(start)


def test_a_valid_form_is_normalised() -> None:
    calendar, errors = validate_calendar(
        {
            "timezone": " Europe/Paris ",
            "days": ["4", "0", "2", "0"],
            "start": "8:30",
            "end": "24:00",
            "holidays": "2026-12-31\r\n\n2026-08-14\n",
            "holiday_country": "fr",
            "csrf_token": "ignored",
        }
    )
    assert errors == {}
    assert calendar == BusinessCalendar(
        timezone="Europe/Paris",
        days=(0, 2, 4),
        start="08:30",
        end="24:00",
        holidays=("2026-08-14", "2026-12-31"),
        holiday_country="FR",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Europe/Pariss", "time zone"),
        ("timezone", "", "time zone"),
        ("days", [], "at least one"),
        ("days", None, "at least one"),
        ("days", ["1", "7"], "0 (Monday) to 6 (Sunday)"),
        ("days", "mon,tue", "0 (Monday) to 6 (Sunday)"),
        ("start", "9h", "opening time"),
        ("start", "25:00", "opening time"),
        ("end", "18:60", "closing time"),
        ("end", "08:00", "later than the opening time"),
        ("end", "09:00", "later than the opening time"),
        ("holidays", "2026-12-25\n2026-02-30\n", "Line 2 ('2026-02-30')"),
        ("holidays", "2026-12-25\n\n25/12/2026", "Line 3 ('25/12/2026')"),
        ("holiday_country", "XX", "country code 'XX' is not supported"),
        ("holiday_country", "France", "country code"),
    ],
)
def test_each_bad_field_is_reported(field: str, value: object, message: str) -> None:
    values = {"timezone": "Europe/Paris", "days": [0, 1], "start": "09:00", "end": "17:00"}
    calendar, errors = validate_calendar({**values, field: value})
    assert list(errors) == [field]
    assert message in errors[field]
    assert errors[field][0].isupper() and errors[field].endswith(".")
    # The field in error takes its default value; valid holiday lines are kept.
    if field == "holidays":
        assert calendar.holidays == ("2026-12-25",)
    else:
        assert getattr(calendar, field) == getattr(BusinessCalendar(), field)


def test_preferences_round_trip_through_json() -> None:
    calendar = BusinessCalendar(
        timezone="America/Montreal",
        days=(1, 2, 3),
        start="07:15",
        end="24:00",
        holidays=("2026-07-01",),
        holiday_country="CA",
    )
    stored = json.loads(json.dumps(calendar.to_preferences()))
    assert stored["days"] == [1, 2, 3] and stored["holidays"] == ["2026-07-01"]
    assert BusinessCalendar.from_preferences({**stored, "unknown": 1}) == calendar
    assert BusinessCalendar.from_preferences({}) == BusinessCalendar()


def test_invalid_stored_preferences_fall_back_to_defaults_field_by_field() -> None:
    calendar = BusinessCalendar.from_preferences(
        {"timezone": "Nowhere/Else", "days": [5, 6], "start": "late", "holidays": ["2026-01-02"]}
    )
    assert calendar == BusinessCalendar(days=(5, 6), holidays=("2026-01-02",))
