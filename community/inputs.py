"""Input rules every capability shares, declared once: how large an id or a page number may
be, which characters no text may carry, and how titles and display names are normalised and
compared (the Unicode confusable skeleton of UTS #39, computed from Unicode's confusables.txt).

Plain functions with no web framework in sight: the web layer applies them at its gates
(route parameters, form fields, JSON bodies) and the services apply them again to the free
text they store, so a task or the CLI gets the same answers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib.resources import files

from community.errors import require
from community.l10n import N_

# Ids are INTEGER columns (int4 on PostgreSQL): anything larger can name no row, and would
# make the database driver fail rather than find nothing. Page numbers share the bound.
MAX_ID = 2**31 - 1
MAX_PAGE = MAX_ID

# C0 and C1 controls, DEL and lone surrogates; tabs and line breaks are kept (multi-line
# bodies have them; one-line fields turn them into spaces when normalised).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
CONTROL_MESSAGE = N_("Remove the control characters (such as NUL) from this text.")

# Unicode's Default_Ignorable_Code_Point: characters that show nothing (zero-width spaces
# and joiners, bidi embeddings, overrides and isolates, the BOM, Hangul fillers, variation
# selectors…). Titles and names lose them, so what is stored is what a reader sees.
INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)


def has_control_characters(text: str) -> bool:
    return CONTROL.search(text) is not None


def control_errors(fields: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A problem for each (field, text) whose text carries a control character."""
    return {name: CONTROL_MESSAGE for name, text in fields if has_control_characters(text)}


def refuse_control_characters(**fields: str) -> None:
    """Raise ValidationFailed, field by field, when any text carries a control character."""
    require(control_errors(fields.items()))


def parse_int(text: str, low: int, high: int) -> int | None:
    """A whole number typed in a form, from `low` to `high`, or None. ASCII digits only
    ("²" is a digit to str.isdigit, not to int) and never more than a bounded count of them
    (int() refuses thousands of digits with an error of its own)."""
    text = text.strip()
    sign, digits = (-1, text[1:]) if text.startswith("-") else (1, text)
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(max(-low, high))):
        return None
    number = sign * int(digits)
    return number if low <= number <= high else None


def parse_id(text: str) -> int | None:
    """The id a form field or filter names, or None when it names none (empty, not a number,
    beyond the columns' range)."""
    return parse_int(text, 1, MAX_ID)


def normalise_line(text: str) -> str:
    """One line as a reader sees it: NFKC (full-width and styled letters become plain ones),
    invisible characters removed, every run of spaces, tabs or line breaks one space."""
    folded = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return " ".join(folded.split())


def has_words(text: str) -> bool:
    """At least one letter or digit: a title of punctuation or invisible characters is none."""
    return any(unicodedata.category(char)[0] in "LN" for char in text)


@cache
def _prototypes() -> dict[str, str]:
    """Unicode's confusables.txt (UTS #39 data, vendored in community/data): each character
    that looks like another, mapped to its prototype."""
    table: dict[str, str] = {}
    data = files("community.data").joinpath("confusables.txt").read_text(encoding="utf-8-sig")
    for line in data.splitlines():
        source, _, rest = line.partition(";")
        if not rest or source.startswith("#"):
            continue
        target = rest.split(";", 1)[0]
        table[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return table


def _skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    prototypes = _prototypes()
    mapped = "".join(prototypes.get(char, char) for char in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def name_keys(display_name: str) -> tuple[str, str]:
    """What two display names are compared by: their UTS #39 skeletons, case-folded.

    Two keys, because case and look-alikes pull in different directions: "JULIEN" is
    "julien" once case-folded, while "JuIien" (a capital i) is "Julien" only before case
    is folded. Names whose keys meet are confusable. Spaces do not count."""
    line = "".join(normalise_line(display_name).split())
    folded_first = _skeleton(line.casefold())
    looked_first = _skeleton(_skeleton(line).casefold())
    return folded_first, looked_first


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
BAD_DATE = N_("Give a date as YYYY-MM-DD.")


def parse_day(text: str, name: str, errors: dict[str, str]) -> date | None:
    """A YYYY-MM-DD query parameter as a date; None when empty, and the field's error noted
    in `errors` when it is not a real day (2026-02-30)."""
    if not text:
        return None
    try:
        if ISO_DAY.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    errors[name] = BAD_DATE
    return None
