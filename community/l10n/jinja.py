"""Templates in the tenant's language: Jinja2's i18n extension, fed per render.

One Environment serves every tenant, so nothing locale-bound is installed in it: its
callables read the render's `l10n` (a Localizer, put in every page's context by
`community.web.render.base_context`) and fall back to English without one.

In templates:
- `_("Log in")`, `_("Page %(number)s of %(count)s", number=n, count=c)`: a literal message
  (extracted by `make messages`), always %-formatted as Jinja's "newstyle" gettext does;
- `pgettext("threads", "Resolved")`: a message in a context, where a word reads differently
  in another language (a filter's "Résolus", an escalation's "Résolue");
- `ngettext("%(num)s view", "%(num)s views", n)` or `{% trans count=n %}…{% pluralize %}…
  {% endtrans %}`: the plural form the locale's rule picks (French: n > 1 is plural);
- `message | translate`: a message chosen at run time (an error, a label from a capability's
  table), marked where it is written with `N_()`; never treated as markup;
- `ago(moment)`, `format_datetime(moment)`, `format_date(moment)`, `format_time(moment)`,
  `format_number(n)`, `duration(minutes)`: CLDR formats in the tenant's locale and time zone.
Numbers given to `_()` and `ngettext()` are formatted in the locale (1 234 in French).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from community.l10n import Localizer, localized_values, translations

FALLBACK = Localizer()


def install(environment: Environment) -> None:
    environment.add_extension("jinja2.ext.i18n")
    environment.newstyle_gettext = True  # type: ignore[attr-defined]  # set by the extension
    # `_` is the extension's alias for whichever `gettext` the render sees.
    environment.globals.update(
        gettext=gettext,
        ngettext=ngettext,
        pgettext=pgettext,
        ago=ago,
        format_datetime=format_datetime,
        format_date=format_date,
        format_time=format_time,
        format_number=format_number,
        format_percent=format_percent,
        duration=duration,
    )
    environment.filters["translate"] = translate


def localizer_of(context: Context) -> Localizer:
    found = context.get("l10n")
    return found if isinstance(found, Localizer) else FALLBACK


@pass_context
def gettext(context: Context, message: str, /, **values: Any) -> str:
    locale = localizer_of(context).locale
    text: str = translations(locale).gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % localized_values(locale, values)


@pass_context
def ngettext(context: Context, singular: str, plural: str, n: int, /, **values: Any) -> str:
    locale = localizer_of(context).locale
    text: str = translations(locale).ngettext(singular, plural, n)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    values.setdefault("num", n)
    return text % localized_values(locale, values)


@pass_context
def pgettext(context: Context, message_context: str, message: str, /, **values: Any) -> str:
    locale = localizer_of(context).locale
    text = str(translations(locale).pgettext(message_context, message))
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % localized_values(locale, values)


@pass_context
def translate(context: Context, message: object, /, **values: Any) -> str:
    """A run-time message in the render's locale, as plain text (escaped like any value)."""
    if message is None or message == "":
        return ""
    return localizer_of(context).translate(str(message), **values)


@pass_context
def ago(context: Context, moment: datetime) -> str:
    return localizer_of(context).ago(moment)


@pass_context
def format_datetime(context: Context, moment: datetime, format: str = "medium") -> str:
    return localizer_of(context).format_datetime(moment, format)


@pass_context
def format_date(context: Context, moment: datetime | date, format: str = "medium") -> str:
    return localizer_of(context).format_date(moment, format)


@pass_context
def format_time(context: Context, moment: datetime, format: str = "medium") -> str:
    return localizer_of(context).format_time(moment, format)


@pass_context
def format_number(context: Context, value: float) -> str:
    return localizer_of(context).format_number(value)


@pass_context
def format_percent(context: Context, value: float) -> str:
    return localizer_of(context).format_percent(value)


@pass_context
def duration(context: Context, minutes: float) -> str:
    return localizer_of(context).duration(minutes)
