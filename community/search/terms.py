"""Words of a search as the engines outside SQLite see them: unaccented, lowercased, with the
tenant's stop words dropped and its synonyms alongside, and the marks of a snippet put back
into escaped text."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from community.search.port import SearchSettings

MAX_TERMS = 8  # words of a query that count; the rest is ignored
WORD = re.compile(r"\w+(?:-\w+)*")
LETTERS = re.compile(r"[^\W\d_]{3,30}")
# Private-use characters around matches while a snippet is plain text: stripped from what is
# indexed, so the text never holds them, they become <mark> once the text is escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
# PostgreSQL's ts_headline drops what looks like an HTML tag: angle brackets go through it as
# these, and come back before the text is escaped.
ANGLES = "\ue002\ue003"
_UNFIT = str.maketrans(dict.fromkeys([MARK_START, MARK_END, *ANGLES, "\x00"], " "))
_ANGLES_BACK = str.maketrans(dict(zip(ANGLES, "<>", strict=True)))
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})


def plain(text: str) -> str:
    """Lowercased, without accents (as PostgreSQL's unaccent does it)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def storable(text: str) -> str:
    """Text without the snippet marks (and NUL, which PostgreSQL refuses)."""
    return text.translate(_UNFIT)


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The words a document teaches "did you mean": letters only, 3 to 30 of them."""
    return {word for text in texts for word in LETTERS.findall(plain(text))}


def marked(snippet: str) -> str:
    """Escaped text, the matches between the private marks wrapped in <mark>."""
    escaped = html.escape(snippet.translate(_ANGLES_BACK))
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


@dataclass(frozen=True, slots=True)
class Term:
    """One word of the query with what may stand for it: its synonyms, its corrections."""

    word: str
    synonyms: tuple[str, ...] = ()
    corrections: tuple[str, ...] = ()
    prefix: bool = False

    def alternatives(self) -> tuple[str, ...]:
        return (self.word, *self.synonyms, *self.corrections)


def query_words(text: str, settings: SearchSettings) -> list[str]:
    """The query's words, unaccented, without the tenant's stop words, at most MAX_TERMS."""
    stop = {plain(word) for word in settings.stop_words}
    return [w for w in WORD.findall(plain(text)) if w not in stop][:MAX_TERMS]


def synonyms_of(word: str, settings: SearchSettings) -> tuple[str, ...]:
    """The other members of every synonym group the word belongs to."""
    found: list[str] = []
    for group in settings.synonyms:
        members = [plain(member).strip() for member in group]
        if word in members:
            found.extend(m for m in members if m and m != word and m not in found)
    return tuple(found)


def distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def typos_allowed(word: str) -> int:
    """Edits a misspelt word may be away from the word meant: 1 up to 5 letters, then 2."""
    return 1 if len(word) <= 5 else 2


def corrections(word: str, candidates: Iterable[tuple[str, int]], limit: int = 3) -> list[str]:
    """The known words (word, documents) close enough to a word nobody wrote, best first."""
    allowed = typos_allowed(word)
    near = [(distance(word, c), -n, c) for c, n in candidates if c != word]
    return [c for d, _n, c in sorted(near) if d <= allowed][:limit]
