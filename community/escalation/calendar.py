"""A contact centre's business hours, for SLA clocks that only run while it is open.

Each open day is one interval of local wall-clock time, [start, end), in the calendar's
time zone; "24:00" as the end means midnight at the end of that day. Arithmetic is done
per day: the interval's two local times are converted to UTC with zoneinfo, so a day that
crosses a DST change counts the real time elapsed (a 00:00-24:00 day lasts 23 or 25 hours).
Opening and closing times that fall in a DST gap or overlap resolve as zoneinfo does with
fold=0. A day is closed when its weekday is not in ``days``, when it is one of
``holidays``, or a public holiday of ``holiday_country`` (national holidays only, from the
``holidays`` package). Overnight shifts (start after end) are not supported.

A calendar with no open day at all never breaches: ``add_business_seconds`` returns None.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from community.l10n import N_

_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)
# Slack on top of the estimated span when adding business time: enough for holidays and
# DST, and a bound that stops a calendar whose every open day is a holiday.
_SLACK_DAYS = 3 * 366
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_WEEKDAY = re.compile(r"[0-6]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday=0
    start: str = "09:00"
    end: str = "18:00"  # up to "24:00"
    holidays: tuple[str, ...] = ()  # ISO dates
    holiday_country: str = ""  # e.g. "FR": public holidays from the `holidays` package

    def __post_init__(self) -> None:
        _zone(self.timezone)
        if any(day not in range(7) for day in self.days):
            raise ValueError(f"days must be from 0 (Monday) to 6 (Sunday), not {self.days}")
        self._hours()
        _dates(self.holidays)
        if self.holiday_country and self.holiday_country not in _supported_countries():
            raise ValueError(f"unknown holiday country {self.holiday_country!r}")

    def is_open(self, at: datetime) -> bool:
        """Whether the contact centre is open at the instant ``at``."""
        at = _utc(at)
        interval = self._interval(self._local_date(at))
        return interval is not None and interval[0] <= at < interval[1]

    def business_seconds(self, start: datetime, end: datetime) -> int:
        """Whole seconds of open time between two instants; 0 if ``end`` is not after ``start``."""
        # In UTC: aware datetimes sharing a zoneinfo subtract as wall-clock times.
        start, end = _utc(start), _utc(end)
        if end <= start:
            return 0
        total = _ZERO
        for opens, closes in self._intervals(start, self._local_date(end)):
            total += max(_ZERO, min(closes, end) - max(opens, start))
        return total // timedelta(seconds=1)

    def add_business_seconds(self, start: datetime, seconds: int) -> datetime | None:
        """The UTC instant when ``seconds`` of open time have elapsed since ``start``.

        None when the calendar is never open: such a deadline never comes.
        """
        start = _utc(start)
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if seconds == 0:
            return start
        opens_at, closes_at = self._hours()
        per_week = timedelta(minutes=closes_at - opens_at) * len(set(self.days))
        if per_week <= _ZERO:
            return None
        remaining = timedelta(seconds=seconds)
        weeks = remaining // per_week + 1
        last_day = self._local_date(start) + timedelta(weeks=weeks, days=_SLACK_DAYS)
        for opens, closes in self._intervals(start, last_day):
            available = closes - max(opens, start)
            if remaining <= available:
                return max(opens, start) + remaining
            remaining -= available
        return None

    @classmethod
    def from_preferences(cls, preferences: Mapping[str, object]) -> BusinessCalendar:
        """The calendar stored in a tenant's preferences; unknown keys are ignored, and a
        missing or invalid field takes its default value."""
        calendar, _errors = validate_calendar(preferences)
        return calendar

    def to_preferences(self) -> dict[str, object]:
        """A JSON-ready dict, read back by ``from_preferences``."""
        return {
            "timezone": self.timezone,
            "days": list(self.days),
            "start": self.start,
            "end": self.end,
            "holidays": list(self.holidays),
            "holiday_country": self.holiday_country,
        }

    def _intervals(self, start: datetime, last_day: date) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals in UTC, from ``start``'s local day to ``last_day``, less those that
        close before ``start``."""
        day = self._local_date(start)
        while day <= last_day:
            interval = self._interval(day)
            if interval is not None and interval[1] > start:
                yield interval
            day += _ONE_DAY

    def _interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's open interval in UTC, or None when closed."""
        if day.weekday() not in self.days or self._is_holiday(day):
            return None
        opens_at, closes_at = self._hours()
        # Adding to an aware datetime is wall-clock arithmetic: 24:00 is the next midnight.
        midnight = datetime(day.year, day.month, day.day, tzinfo=_zone(self.timezone))
        opens = (midnight + timedelta(minutes=opens_at)).astimezone(UTC)
        closes = (midnight + timedelta(minutes=closes_at)).astimezone(UTC)
        # An opening time in a DST gap may come out after the closing time.
        return (opens, closes) if opens < closes else None

    def _is_holiday(self, day: date) -> bool:
        if day in _dates(self.holidays):
            return True
        return bool(self.holiday_country) and day in _public_holidays(
            self.holiday_country, day.year
        )

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(_zone(self.timezone)).date()

    def _hours(self) -> tuple[int, int]:
        """Opening and closing times in minutes since midnight."""
        opens_at, closes_at = _minute_of_day(self.start), _minute_of_day(self.end)
        if opens_at is None or closes_at is None:
            raise ValueError(f"{self.start!r}-{self.end!r} are not times of day as HH:MM")
        return opens_at, closes_at


def validate_calendar(values: Mapping[str, object]) -> tuple[BusinessCalendar, dict[str, str]]:
    """Check an admin form (or stored preferences) and build its calendar.

    Returns the calendar and a map of field name to error message; a field in error takes its
    default value in the calendar, so the calendar must not be saved unless there are none.
    A missing field takes its default value. ``days`` may be a list of numbers (or their
    strings) or a comma-separated string; ``holidays`` a list of ISO dates or a text with one
    per line.
    """
    calendar = BusinessCalendar()
    errors: dict[str, str] = {}

    timezone = _text(values.get("timezone"), calendar.timezone)
    if timezone not in _timezones():
        errors["timezone"] = N_("Choose a time zone from the list, such as Europe/Paris.")
        timezone = calendar.timezone

    # A form whose day boxes are all unchecked may send None: that is no day, not the default.
    days = _days(values.get("days", calendar.days) or ())
    if days is None:
        errors["days"] = N_("Opening days must be numbers from 0 (Monday) to 6 (Sunday).")
    elif not days:
        errors["days"] = N_("Choose at least one opening day.")

    start = _text(values.get("start"), calendar.start)
    end = _text(values.get("end"), calendar.end)
    opens_at, closes_at = _minute_of_day(start), _minute_of_day(end)
    if opens_at is None:
        errors["start"] = N_("Enter the opening time as HH:MM, for example 09:00.")
    if closes_at is None:
        errors["end"] = N_("Enter the closing time as HH:MM, for example 18:00, or 24:00.")
    elif opens_at is not None and opens_at >= closes_at:
        errors["end"] = N_("The closing time must be later than the opening time.")
    hours_ok = "start" not in errors and "end" not in errors

    holidays, bad_line = _holidays(values.get("holidays", ()))
    if bad_line is not None:
        number, line = bad_line
        message = N_("Line %(number)s (%(line)s) is not a date such as 2026-12-25.")
        errors["holidays"] = message % {"number": number, "line": repr(line)}

    country = _text(values.get("holiday_country"), "").upper()
    if country and country not in _supported_countries():
        message = N_(
            "The country code %(code)s is not supported: use two letters, such as FR or US."
        )
        errors["holiday_country"] = message % {"code": repr(country)}
        country = ""

    return BusinessCalendar(
        timezone=timezone,
        days=days or calendar.days,
        start=_format_minute(opens_at) if hours_ok and opens_at is not None else calendar.start,
        end=_format_minute(closes_at) if hours_ok and closes_at is not None else calendar.end,
        holidays=holidays,
        holiday_country=country,
    ), errors


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a time zone aware datetime is required")
    return at.astimezone(UTC)


@functools.lru_cache(maxsize=64)
def _minute_of_day(value: str) -> int | None:
    """Minutes since midnight of "HH:MM", up to 1440 for "24:00"; None when malformed."""
    match = _TIME.fullmatch(value.strip())
    if match is None:
        return None
    hours, minutes = int(match[1]), int(match[2])
    if minutes >= 60 or hours * 60 + minutes > 24 * 60:
        return None
    return hours * 60 + minutes


def _format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _text(value: object, default: str) -> str:
    return default if value is None else str(value).strip()


def _days(value: object) -> tuple[int, ...] | None:
    """Sorted distinct weekdays, or None when one is not a weekday number."""
    items: Iterable[object]
    if isinstance(value, str):
        items = [item for item in re.split(r"[\s,]+", value) if item]
    elif isinstance(value, Iterable):
        items = value
    else:
        return None
    days: set[int] = set()
    for item in items:
        text = str(item).strip()
        if not _WEEKDAY.fullmatch(text):
            return None
        days.add(int(text))
    return tuple(sorted(days))


def _holidays(value: object) -> tuple[tuple[str, ...], tuple[int, str] | None]:
    """Sorted distinct ISO dates, and the first line that is not one (number, text) if any."""
    if isinstance(value, str):
        lines: list[object] = list(value.splitlines())
    elif isinstance(value, Iterable):
        lines = list(value)
    else:
        return (), (1, str(value))
    found: set[str] = set()
    bad_line: tuple[int, str] | None = None
    for number, line in enumerate(lines, start=1):
        text = str(line).strip()
        if not text:
            continue
        if _ISO_DATE.fullmatch(text) and _is_date(text):
            found.add(text)
        elif bad_line is None:
            bad_line = (number, text)
    return tuple(sorted(found)), bad_line


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=1024)
def _dates(values: tuple[str, ...]) -> frozenset[date]:
    return frozenset(date.fromisoformat(value) for value in values)


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, year: int) -> frozenset[date]:
    import holidays  # 0.4 s to import: only for calendars that use it

    return frozenset(holidays.country_holidays(country, years=year).keys())


@functools.cache
def _supported_countries() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


@functools.cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
