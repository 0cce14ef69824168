"""The tenant's search words as a community admin edits them: synonym groups, one per line
("wifi, wi-fi"), and stop words; checked, saved through the search service and audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from community.errors import ValidationFailed
from community.identity.permissions import Permission
from community.inputs import CONTROL_MESSAGE, has_control_characters, has_words, normalise_line
from community.l10n import N_
from community.moderation import audit
from community.scope import Scope
from community.search import service as search
from community.search.port import SearchSettings

MAX_TEXT = 20_000  # characters of each field
MAX_GROUPS = 200
MAX_GROUP_WORDS = 20
MAX_WORD = 50  # characters of a synonym (a few words: "mot de passe")
MAX_STOP_WORDS = 300
MAX_STOP_WORD = 30

EDITORS = N_("Only admins can change the search settings.")
TEXT_TOO_LONG = N_("Keep this under 20,000 characters.")
TOO_MANY_GROUPS = N_("At most 200 groups of synonyms.")
LONE_WORD = N_("Line %(line)s: a group needs at least two words, separated by commas.")
TOO_MANY_WORDS = N_("Line %(line)s: at most 20 words in a group.")
WORD_TOO_LONG = N_("Line %(line)s: “%(word)s” is longer than 50 characters.")
NOT_A_WORD = N_("Line %(line)s: each synonym needs a letter or a digit.")
TOO_MANY_STOPS = N_("At most 300 stop words.")
STOP_TOO_LONG = N_("“%(word)s” is longer than 30 characters.")
STOP_NOT_A_WORD = N_("Each stop word needs a letter or a digit.")
STOP_SPLIT = re.compile(r"[,\n]")
T = TypeVar("T")


@dataclass(frozen=True)
class SearchWordsForm:
    synonyms: str  # one group per line, comma-separated
    stop_words: str  # comma- or line-separated

    @classmethod
    def of(cls, settings: SearchSettings) -> SearchWordsForm:
        return cls(
            synonyms="\n".join(", ".join(group) for group in settings.synonyms),
            stop_words=", ".join(settings.stop_words),
        )


async def search_words(scope: Scope) -> SearchWordsForm:
    scope.require(Permission.CONFIGURE_COMMUNITY, EDITORS)
    return SearchWordsForm.of(await search.settings(scope))


async def save_search_words(scope: Scope, form: SearchWordsForm) -> SearchSettings:
    """The form's words, checked (ValidationFailed by field), stored and audited."""
    scope.require(Permission.CONFIGURE_COMMUNITY, EDITORS)
    wanted = parse(form)
    before = await search.settings(scope)
    saved = await search.configure(scope, wanted)
    audit.record(
        scope, "search.settings", ("tenant", scope.tenant_id),
        before=_as_dict(before), after=_as_dict(saved),
    )  # fmt: skip
    return saved


def _as_dict(settings: SearchSettings) -> dict[str, list[str]]:
    return {
        "synonyms": [", ".join(group) for group in settings.synonyms],
        "stop_words": list(settings.stop_words),
    }


def parse(form: SearchWordsForm) -> SearchSettings:
    errors: dict[str, str] = {}
    groups = _field(form.synonyms, "synonyms", errors, _groups)
    stops = _field(form.stop_words, "stop_words", errors, _stop_words)
    if errors:
        raise ValidationFailed(errors)
    return SearchSettings(tuple(groups), tuple(stops))


def _field(
    text: str, name: str, errors: dict[str, str], parse_: Callable[[str], list[T]]
) -> list[T]:
    if len(text) > MAX_TEXT:
        errors[name] = TEXT_TOO_LONG
    elif has_control_characters(text):
        errors[name] = CONTROL_MESSAGE
    else:
        try:
            return parse_(text)
        except _Refused as refused:
            errors[name] = refused.message
    return []


class _Refused(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


def _groups(text: str) -> list[tuple[str, ...]]:
    groups = []
    for number, line in enumerate(text.splitlines(), start=1):
        terms = [normalise_line(term) for term in line.split(",")]
        terms = list(dict.fromkeys(term for term in terms if term))
        if not terms:
            continue  # blank lines are fine
        _check_group(number, terms)
        groups.append(tuple(terms))
    if len(groups) > MAX_GROUPS:
        raise _Refused(TOO_MANY_GROUPS)
    return groups


def _check_group(line: int, terms: list[str]) -> None:
    if len(terms) < 2:
        raise _Refused(LONE_WORD % {"line": line})
    if len(terms) > MAX_GROUP_WORDS:
        raise _Refused(TOO_MANY_WORDS % {"line": line})
    for term in terms:
        if len(term) > MAX_WORD:
            raise _Refused(WORD_TOO_LONG % {"line": line, "word": term[:20] + "…"})
        if not has_words(term):
            raise _Refused(NOT_A_WORD % {"line": line})


def _stop_words(text: str) -> list[str]:
    words = [normalise_line(word) for word in STOP_SPLIT.split(text)]
    words = list(dict.fromkeys(word for word in words if word))
    if len(words) > MAX_STOP_WORDS:
        raise _Refused(TOO_MANY_STOPS)
    for word in words:
        if len(word) > MAX_STOP_WORD:
            raise _Refused(STOP_TOO_LONG % {"word": word[:20] + "…"})
        if not has_words(word):
            raise _Refused(STOP_NOT_A_WORD)
    return words
