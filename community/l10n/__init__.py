"""Interface text in the tenant's language: gettext catalogs read with Babel, and CLDR formats.

English is the source language: a message id is the English text, and each locale's catalog
(`translations/<locale>/LC_MESSAGES/messages.po`) gives its translation. Templates translate
with `_()`, `ngettext()`, `pgettext()` and `| translate` (see `community.l10n.jinja`).

Python code only *marks* the messages it hands to a page, and the page translates them when
it shows them: `N_("No such category.")`; `NC_("badge", "Certified")` for a word that reads
differently elsewhere; the message of a `NotFound`/`Forbidden`/`NotAuthenticated` and of
`scope.require`/`scope.one`, which the extraction (babel.cfg) finds without a marker; and a
message with values, `N_("Line %(number)s is not a date.") % {"number": 3}`, which stays an
ordinary English string (API answers, logs, stored history) that `translate` recognises.

The catalogs are read from the `.po` files when first used (compiled in memory): nothing has
to be built before the app runs, and a stale `.mo` cannot hide a translation. `make messages`
brings the catalogs up to date with the sources; `make compile-messages` checks them.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import dates, numbers, units
from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog
from babel.support import NullTranslations, Translations

# The interface languages a tenant may have. A new one: its catalog (README, "Translations")
# and its code here.
LOCALES = ("en", "fr")
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"
SOURCE_LOCALE = "en"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
RELATIVE_UNTIL = timedelta(days=30)  # older moments show as a date, not "… ago"


def N_(message: str) -> str:
    """Marks an English message for extraction; it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Marks a message with a context, for words that read differently in another language
    ("Certified" as a badge, "Certifiée" as an answer); translate it with `context_gettext`."""
    return message


def catalog_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def available_locales() -> list[str]:
    """The locales that have a catalog."""
    return sorted(p.parent.parent.name for p in TRANSLATIONS_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


@cache
def catalog(locale: str) -> Catalog | None:
    path = catalog_path(locale)
    if not path.is_file():
        return None
    with path.open("rb") as source:
        return pofile.read_po(source, locale=locale, domain=DOMAIN)


@cache
def translations(locale: str) -> NullTranslations:
    """The locale's catalog, compiled in memory from its .po file (fuzzy entries left out, so
    they show in English until a translator confirms them)."""
    found = catalog(locale)
    if found is None:
        return NullTranslations()
    compiled = BytesIO()
    mofile.write_mo(compiled, found)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def _filled_messages(locale: str) -> list[tuple[re.Pattern[str], str]]:
    """The code's messages with placeholders, as patterns that read their values back out of
    the English sentence (`N_("Line %(number)s is not a date.") % {"number": 3}`)."""
    found = catalog(locale)
    patterns = []
    for message in found or ():
        msgid = message.id
        if not isinstance(msgid, str) or "%(" not in msgid or not message.string:
            continue
        if not any(path.endswith(".py") for path, _ in message.locations):
            continue
        parts = PLACEHOLDER.split(msgid)  # literal, name, literal, name, …, literal
        names = parts[1::2]
        if len(set(names)) != len(names):
            continue
        body = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        patterns.append((re.compile(body, re.DOTALL), msgid))
    # The most literal text first: "Post #%(n)s: %(keywords)s" before "Post #%(n)s".
    return sorted(patterns, key=lambda found: -len(PLACEHOLDER.sub("", found[1])))


@lru_cache(maxsize=4096)
def translate(locale: str, message: str) -> str:
    """A message chosen at run time (an error, a label), in the locale. A message the code
    filled in with values is recognised by its English sentence and filled in again in the
    locale's words (its values translated too when they are messages: "Attempt 2: No target
    is configured"); anything else unknown stays as it is."""
    text = translations(locale).gettext(message)
    if text != message or locale == SOURCE_LOCALE:
        return text
    for pattern, msgid in _filled_messages(locale):
        if matched := pattern.fullmatch(message):
            values = {name: translate(locale, value) for name, value in matched.groupdict().items()}
            return translations(locale).gettext(msgid) % values
    return text


def gettext(locale: str, message: str, **values: Any) -> str:
    """The message in the locale, `%(name)s` placeholders filled in (numbers formatted)."""
    text = translations(locale).gettext(message)
    return text % localized_values(locale, values) if values else text


def context_gettext(locale: str, context: str, message: str) -> str:
    """The message marked `NC_(context, message)`, in the locale."""
    return str(translations(locale).pgettext(context, message))


def ngettext(locale: str, singular: str, plural: str, n: int, **values: Any) -> str:
    """The plural form for `n` in the locale; `%(num)s` is `n` unless given."""
    text = translations(locale).ngettext(singular, plural, n)
    return text % localized_values(locale, {"num": n, **values})


def localized_values(locale: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers written the locale's way (1 234,5 in French); everything else as it is."""
    return {
        key: numbers.format_decimal(value, locale=locale)
        if isinstance(value, int | float) and not isinstance(value, bool)
        else value
        for key, value in values.items()
    }


def zone(name: str | None) -> tzinfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


@dataclass(frozen=True)
class Localizer:
    """Messages, dates and numbers for one locale and time zone (a tenant's)."""

    locale: str = SOURCE_LOCALE
    timezone: str = "UTC"

    @property
    def tzinfo(self) -> tzinfo:
        return zone(self.timezone)

    def gettext(self, message: str, **values: Any) -> str:
        return gettext(self.locale, message, **values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        return ngettext(self.locale, singular, plural, n, **values)

    def translate(self, message: str, **values: Any) -> str:
        """A run-time message (see `translate`); `values` fill its placeholders."""
        if values:
            return self.gettext(message, **values)
        return translate(self.locale, message)

    def ago(self, moment: datetime, now: datetime | None = None) -> str:
        """Such as "3 minutes ago" or "il y a 3 minutes"; a date once a month old."""
        elapsed = (now or datetime.now(UTC)) - moment
        if elapsed < timedelta(minutes=1):
            return self.gettext("just now")
        if elapsed >= RELATIVE_UNTIL:
            return self.format_date(moment)
        return dates.format_timedelta(-elapsed, add_direction=True, locale=self.locale)

    def duration(self, minutes: float) -> str:
        """A wait such as "20 min", "2,5 h" or "3 j": minutes up to two hours, then hours,
        then days, to a tenth."""
        value, unit = minutes, "duration-minute"
        if minutes >= 72 * 60:
            value, unit = minutes / (24 * 60), "duration-day"
        elif minutes >= 120:
            value, unit = minutes / 60, "duration-hour"
        return units.format_unit(round(value, 1), unit, length="short", locale=self.locale)

    def format_datetime(self, moment: datetime, format: str = "medium") -> str:
        return dates.format_datetime(moment, format, tzinfo=self.tzinfo, locale=self.locale)

    def format_date(self, moment: datetime | date, format: str = "medium") -> str:
        if isinstance(moment, datetime):
            moment = moment.astimezone(self.tzinfo).date()
        return dates.format_date(moment, format, locale=self.locale)

    def format_time(self, moment: datetime, format: str = "medium") -> str:
        return dates.format_time(moment, format, tzinfo=self.tzinfo, locale=self.locale)

    def format_number(self, value: float) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def format_percent(self, value: float) -> str:
        """0.425 as "42.5%" (or "42,5 %")."""
        return numbers.format_percent(value, "#,##0.#%", locale=self.locale)


@cache
def localizer(locale: str, timezone: str = "UTC") -> Localizer:
    return Localizer(locale, timezone)
