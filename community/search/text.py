"""Words as the SQL engines compare them, and the snippets they show.

`fold` lowercases and strips accents ("Résiliation" → "resiliation") the way SQLite's
`unicode61 remove_diacritics 2` tokenizer does; `Terms` is what a query asks for once the
tenant's stop words are dropped and its synonyms added; `snippet` cuts the passage around
the words a query matched, HTML-escaped, each match in <mark>.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape

from community.search.port import SearchSettings

WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 32
MAX_TERMS = 12  # words of a query that count; the rest is noise for a search box
# Endings taken off a query word (English and French) so that it also finds its other forms
# as a prefix: "refunded" → refund*, "commandes" → command*, "facturée" → factur*.
SUFFIXES = (
    "ements", "ement", "ations", "ation", "ings", "ing", "ies", "ees", "ee", "es", "ed",
    "er", "ez", "s", "e",
)  # fmt: skip
STEM_MIN = 4


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The folded words of `text`, in order ("Wi-Fi" → ["wi", "fi"])."""
    return WORD.findall(fold(text))


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= STEM_MIN:
            return word[: -len(suffix)]
    return word


def distance(a: str, b: str, ceiling: int = 3) -> int:
    """Levenshtein distance of `a` and `b`, or `ceiling` when it is at least that."""
    if abs(len(a) - len(b)) >= ceiling:
        return ceiling
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) >= ceiling:
            return ceiling
        previous = current
    return min(previous[-1], ceiling)


def tolerance(word: str) -> int:
    """How many typos a word of this length may carry and still be corrected."""
    return 0 if len(word) < 4 else 1 if len(word) < 6 else 2


@dataclass
class Term:
    """One word of the query and what may stand for it in a document."""

    typed: str  # as the member wrote it
    word: str  # folded
    phrases: set[tuple[str, ...]] = field(default_factory=set)  # synonyms, corrections
    prefixes: set[str] = field(default_factory=set)
    fuzzy: bool = False  # no document has it, nor a word close to it: match its trigrams

    def matches(self, folded: str) -> bool:
        return any(phrase == (folded,) for phrase in self.phrases) or any(
            folded.startswith(prefix) for prefix in self.prefixes
        )

    @property
    def words(self) -> set[str]:
        """Every single word this term may be matched by, for highlighting."""
        return {word for phrase in self.phrases for word in phrase}


@dataclass(frozen=True)
class Prepared:
    """A tenant's settings, folded once."""

    stop_words: frozenset[str]
    groups: tuple[tuple[tuple[str, ...], ...], ...]

    @classmethod
    def of(cls, settings: SearchSettings) -> Prepared:
        groups = tuple(
            tuple(phrase for phrase in (tuple(words(s)) for s in group) if phrase)
            for group in settings.synonyms
        )
        stops = frozenset(w for stop in settings.stop_words for w in words(stop))
        return cls(stops, tuple(group for group in groups if len(group) > 1))

    def synonyms(self, phrase: tuple[str, ...]) -> set[tuple[str, ...]]:
        return {p for group in self.groups if phrase in group for p in group}


def terms(text: str, settings: Prepared) -> list[Term]:
    """The query's terms: stop words dropped, several words that form a synonym ("wi fi")
    taken as one term, each with its synonyms and the prefix of its stem."""
    typed = WORD.findall(text)
    folded = [fold(word) for word in typed]
    found: list[Term] = []
    i = 0
    while i < len(folded) and len(found) < MAX_TERMS:
        size = _synonym_span(folded, i, settings)
        phrase = tuple(folded[i : i + size])
        if size == 1 and phrase[0] in settings.stop_words:
            i += 1
            continue
        term = Term(" ".join(typed[i : i + size]), " ".join(phrase), {phrase})
        term.phrases |= settings.synonyms(phrase)
        if size == 1 and len(phrase[0]) >= STEM_MIN:
            term.prefixes.add(stem(phrase[0]))
        found.append(term)
        i += size
    return found


def _synonym_span(folded: Sequence[str], start: int, settings: Prepared) -> int:
    for size in (3, 2):
        if start + size <= len(folded) and settings.synonyms(tuple(folded[start : start + size])):
            return size
    return 1


def snippet(text: str, matched: Iterable[Term], size: int = SNIPPET_WORDS) -> str:
    """About `size` words of `text` around its first match, HTML-escaped, matches marked;
    the opening words when nothing matched."""
    chosen = list(matched)
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    hits = [i for i, (a, b) in enumerate(spans) if _hit(fold(text[a:b]), chosen)]
    if not spans:
        return escape(text[:200])
    first = 0 if len(spans) <= size else max(0, (hits[0] if hits else 0) - size // 4)
    window = spans[first : first + size]
    marked = set(hits)
    out, cursor = [], window[0][0]
    for index, (a, b) in enumerate(window, first):
        out.append(escape(text[cursor:a]))
        piece = escape(text[a:b])
        out.append(f"<mark>{piece}</mark>" if index in marked else piece)
        cursor = b
    prefix = "… " if first > 0 else ""
    suffix = " …" if first + size < len(spans) else ""
    return prefix + "".join(out) + suffix


def _hit(folded: str, chosen: Sequence[Term]) -> bool:
    return any(term.matches(folded) or folded in term.words for term in chosen)
