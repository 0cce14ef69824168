"""Complaint keywords: words and phrases that send a thread to the contact centre.

Matching ignores case and accents ("REMBOURSÉ" is "rembourse", "œ" is "oe", "’" is "'"),
and keywords match whole words or phrases: "cancel" does not match "cancellation". A
keyword ending in "*" matches every word that starts with it: "rembours*" matches
"remboursement" and "remboursez". Inside a phrase any run of spaces or line breaks matches,
and a hyphen also matches a space or nothing ("rip-off" matches "rip off" and "ripoff").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from community.l10n import N_

MAX_KEYWORD_LENGTH = 60
MAX_KEYWORDS = 200

DEFAULT_COMPLAINT_KEYWORDS: tuple[str, ...] = (
    # French
    "résilier",
    "résiliation",
    "résilié",  # also "je résilie": accents are ignored
    "rembours*",
    "arnaque*",
    "escroquerie",
    "escroc*",
    "plainte*",
    "inadmissible",
    "inacceptable",
    "scandal*",
    "honteux",
    "avocat",
    "litige",
    "mise en demeure",
    "service client injoignable",
    "ufc-que choisir",
    "signal-conso",
    "médiateur",
    # English
    "refund*",
    "cancel my",
    "cancellation",
    "scam*",
    "complaint*",
    "lawyer*",
    "attorney",
    "chargeback*",
    "legal action",
    "small claims",
    "ombudsman",
    "worst service",
    "unacceptable",
    "rip-off",
    "ripped off",
    "disgrac*",
)

_WORD_START = r"(?<!\w)"
_FOLDS = str.maketrans({"œ": "oe", "æ": "ae", "’": "'", "‘": "'", "ʼ": "'", "‐": "-", "‑": "-"})


def find_complaints(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords found in ``text``, in the order of ``keywords``, each once."""
    keywords = tuple(keywords)
    scan, patterns = _compiled(keywords)
    if scan is None:
        return []
    folded = fold(text)
    found: set[int] = set()
    for hit in scan.finditer(folded):
        # The scan stops at one keyword per position; others may start there too ("refund"
        # and "refund*"): they are tried at these few positions only.
        for index, pattern in patterns.items():
            if index not in found and pattern.match(folded, hit.start()):
                found.add(index)
    return [keywords[index] for index in sorted(found)]


def parse_keywords(text: str) -> tuple[list[str], str | None]:
    """Keywords from an admin form, one per line: trimmed, lowercased and without duplicates.

    Returns the keywords of the valid lines and the error of the first invalid line, if any.
    """
    keywords: list[str] = []
    seen: set[str] = set()
    error: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        keyword = " ".join(line.split()).lower()
        if not keyword:
            continue
        problem = _problem(keyword)
        if problem is not None:
            filled = {"number": number, "keyword": repr(keyword), "most": MAX_KEYWORD_LENGTH}
            error = error or problem % filled
            continue
        if fold(keyword) not in seen:
            seen.add(fold(keyword))
            keywords.append(keyword)
    if error is None and len(keywords) > MAX_KEYWORDS:
        error = N_("Enter at most %(most)s keywords; there are %(count)s.") % {
            "most": MAX_KEYWORDS,
            "count": len(keywords),
        }
    return keywords, error


def fold(text: str) -> str:
    """Lowercase, without accents, with typographic apostrophes and hyphens made plain."""
    text = text.casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).translate(_FOLDS)


def _problem(keyword: str) -> str | None:
    """What is wrong with a keyword, as a message to fill in with its line `number`, the
    `keyword` and the `most` characters allowed; None when it is fine."""
    if len(keyword) > MAX_KEYWORD_LENGTH:
        return N_("Line %(number)s is longer than %(most)s characters.")
    if not any(char.isalpha() for char in keyword):
        return N_("Line %(number)s (%(keyword)s) has no letters.")
    if "*" in keyword[:-1]:
        return N_(
            "Line %(number)s (%(keyword)s) has a * before its end: a * may only end a keyword."
        )
    return None


@functools.lru_cache(maxsize=256)
def _compiled(
    keywords: tuple[str, ...],
) -> tuple[re.Pattern[str] | None, dict[int, re.Pattern[str]]]:
    """One regex that scans for the whole list, and each distinct keyword's own by index."""
    sources: dict[str, int] = {}
    for index, keyword in enumerate(keywords):
        source = _source(keyword)
        if source is not None:
            sources.setdefault(source, index)
    patterns = {index: re.compile(source) for source, index in sources.items()}
    at_word = [source.removeprefix(_WORD_START) for source in sources if _starts_word(source)]
    elsewhere = [source for source in sources if not _starts_word(source)]
    # Lookaheads consume nothing, so a keyword inside another one's match is still found.
    # The word-start test comes first, once: most positions fail it without trying any keyword.
    scans = [f"{_WORD_START}(?=(?:{'|'.join(at_word)}))"] if at_word else []
    scans += [f"(?=(?:{'|'.join(elsewhere)}))"] if elsewhere else []
    return (re.compile("|".join(scans)) if scans else None), patterns


def _source(keyword: str) -> str | None:
    """The regex of one keyword, or None for a blank one."""
    folded = fold(keyword).strip()
    prefix = folded.endswith("*")
    words = folded.rstrip("*").split()
    if not words:
        return None
    parts = [r"(?:-|\s++)?".join(re.escape(part) for part in word.split("-")) for word in words]
    body = r"\s++".join(parts)
    start = _WORD_START if re.match(r"\w", body) else ""
    return start + body + (r"\w*" if prefix else r"(?!\w)")


def _starts_word(source: str) -> bool:
    return source.startswith(_WORD_START)


# ---- thank-you and closing messages -----------------------------------------------------------
# An asker's "Money's in. Thanks Priya." or "60 € remboursés … Merci pour l'info." reports an
# outcome: it must not escalate because it says "refund". A thank-you is a short message
# without a question whose first or last sentence thanks someone; a request dressed as
# thanks ("merci de me rembourser", "thanks in advance") and a demand ("je veux", "I want")
# are not one, nor a thanks followed by "but" in the same sentence.

THANKS_MAX_WORDS = 80
_THANKS = re.compile(r"(?<!\w)(?:merci|thanks|thank you|thank u|thx|cheers|many thanks)(?!\w)")
_NOT_THANKS = re.compile(
    r"(?<!\w)(?:"
    r"merci (?:d'avance|par avance|(?:de |d')(?!avoir\b|etre\b)(?:me\b|m'|nous\b|bien\b|[a-z]+(?:er|ir|re)\b))"
    r"|(?:thanks?|thank you) in advance|thanks for nothing|merci pour rien|no thanks|non merci"
    r"|je veux|je voudrais|je souhaite|je demande|j'exige|i want|i demand|i need|i expect"
    r")"
)
_CONTRAST = re.compile(r"(?<!\w)(?:mais|but|however|cependant|pourtant|still)(?!\w)")
_SENTENCES = re.compile(r"[^.!…\n]+")


def is_thanks(text: str) -> bool:
    """Whether the post is a thank-you or closing message (French or English)."""
    folded = fold(text)
    if "?" in folded or len(folded.split()) > THANKS_MAX_WORDS or _NOT_THANKS.search(folded):
        return False
    sentences = [s for s in _SENTENCES.findall(folded) if s.strip()]
    if not sentences:
        return False
    first, last = sentences[0], sentences[-1]
    closing = bool(_THANKS.search(last)) and not _CONTRAST.search(last)
    opening = bool(_THANKS.search(first)) and not _CONTRAST.search(folded)
    return closing or opening
