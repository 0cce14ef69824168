"""Sentiment of a post, from -1 (angry, unhappy) to 1 (pleased), computed when it is written.

Two lexicon-based analyzers, both offline and shipped inside their installed packages:

* English: VADER (Hutto & Gilbert, 2014; MIT licence; its lexicon is bundled). Tuned for short
  social-media text: it weighs capitals, "!!!", emoticons, emoji, intensifiers ("so bad")
  and most English negations ("not good"). We use its ``compound`` score.
* French: Pattern's French adjective lexicon (CLiPS, BSD licence) through textblob-fr's
  ``PatternAnalyzer``. The polarity is the average of the adjectives it knows, already in
  [-1, 1].

Every other locale is scored with VADER, as English.

Known limits, all of them those of a word list:

* Sarcasm and irony are read literally ("Oh great, another outage. Thanks for nothing." is
  positive in VADER).
* The French lexicon knows adjectives only, from product reviews: complaint nouns and verbs
  ("arnaque", "rembourser", "résilier") count for nothing, and some complaint words are
  missing ("inacceptable", "injoignable", "catastrophique", "incompétent") or even scored
  the wrong way: "inadmissible" is +0.3 in the lexicon, so "C'est inadmissible !" comes out
  positive. French negation is handled poorly ("pas bon du tout" is barely negative,
  "tout" counting as positive). We do not patch the lexicon: complaint keywords are a
  separate rule (``community.escalation.keywords``).
* A post is scored in its tenant's language only: French text scored as English (or the
  reverse) comes out near 0, and mixed-language posts count one language alone.
* A French post with no known adjective scores 0.0, the same as a neutral one.

Markdown noise (code, URLs, link targets, HTML tags) is removed before scoring, and only
the first ``MAX_CHARS`` characters of what remains are scored, so a huge post cannot stall
the request that writes it. Loading the French analyzer imports textblob and NLTK (about
1-2 s), so both analyzers are loaded on first use, once per process; ``warm_up`` does it
ahead of time, e.g. when a worker starts.
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable

MAX_CHARS = 5_000
# Coarser than VADER's own ±0.05: Pattern averages give faint scores to plain questions
# ("disponible" is +0.1), which should still read as neutral.
NEGATIVE_AT_MOST = -0.2
POSITIVE_AT_LEAST = 0.2

# Raw text looked at before Markdown is stripped: bounds the regex work on a huge post.
_MAX_RAW_CHARS = 8 * MAX_CHARS

# Possessive runs, scans that stop at the next opening character and a bounded code span:
# an unclosed "```…", "[[[[…" or "<a:<a:…" on a long line must not make a regex quadratic.
_FENCED_CODE = re.compile(r"^ {0,3}(`{3,}+|~{3,}+)[^\n]*+\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.M | re.S)
_INLINE_CODE = re.compile(r"(?<!`)(`++).{1,1000}?(?<!`)\1(?!`)")
_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\([^()\n]*\)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.M)
_AUTOLINK = re.compile(r"<(?:[a-z][a-z0-9+.-]*:|www\.)[^<>\s]*>", re.I)
_URL = re.compile(r"\b(?:https?://|ftp://|www\.)\S+", re.I)
_HTML_TAG = re.compile(r"</?[a-z][a-z0-9-]*(?:\s[^<>]*)?/?>", re.I)
_SPACES = re.compile(r"\s+")

_Scorer = Callable[[str], float]
_scorers: dict[str, _Scorer] = {}
_lock = threading.Lock()


def score(text: str, locale: str) -> float:
    """The sentiment of ``text`` written in ``locale``, from -1 (negative) to 1, 3 decimals."""
    prose = _prose(text)
    if not prose:
        return 0.0
    value = _scorer(_language(locale))(prose)
    return round(max(-1.0, min(1.0, value)), 3) + 0.0  # + 0.0 turns -0.0 into 0.0


def describe(value: float) -> str:
    """A label for a score: negative at or below -0.2, positive at or above 0.2, else neutral."""
    if value <= NEGATIVE_AT_MOST:
        return "negative"
    if value >= POSITIVE_AT_LEAST:
        return "positive"
    return "neutral"


def warm_up() -> None:
    """Load both analyzers now rather than on the first post that needs them."""
    _scorer("en")
    _scorer("fr")


def _language(locale: str) -> str:
    primary = locale.strip().replace("_", "-").split("-", 1)[0].lower()
    return "fr" if primary == "fr" else "en"


def _prose(text: str) -> str:
    """The words a person wrote: no code, URLs, link targets or tags; at most MAX_CHARS."""
    text = text[:_MAX_RAW_CHARS]
    text = _FENCED_CODE.sub("\n", text)
    text = _INLINE_CODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _LINK_DEFINITION.sub("", text)
    text = _AUTOLINK.sub(" ", text)
    text = _URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    if len(text) > MAX_CHARS:
        cut = text.rfind(" ", 0, MAX_CHARS + 1)
        text = text[: cut if cut > 0 else MAX_CHARS]
    return text


def _scorer(language: str) -> _Scorer:
    found = _scorers.get(language)
    if found is not None:
        return found
    with _lock:
        if language not in _scorers:
            _scorers[language] = _load_french() if language == "fr" else _load_english()
        return _scorers[language]


def _load_english() -> _Scorer:
    from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
        SentimentIntensityAnalyzer,
    )

    analyzer = SentimentIntensityAnalyzer()
    # Its lexicon reads a few numbers as slang ("187" -3.1, "182" -2.9, "86" -1.6, "143"
    # +3.2): in support posts they are order, model or ticket numbers, and "Where is order
    # 187?" must not escalate as an angry customer.
    for word in [word for word in analyzer.lexicon if word.isdigit()]:
        del analyzer.lexicon[word]

    def english(text: str) -> float:
        return float(analyzer.polarity_scores(text)["compound"])

    return english


def _load_french() -> _Scorer:
    with warnings.catch_warnings():  # its regexes have invalid escapes, warned on compiling
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", SyntaxWarning)
        from textblob_fr import PatternAnalyzer  # type: ignore[import-untyped]

    analyzer = PatternAnalyzer()
    analyzer.analyze("bon")  # Pattern reads its lexicon on first use: do it under the lock

    def french(text: str) -> float:
        polarity, _subjectivity = analyzer.analyze(text)
        return float(polarity)

    return french
