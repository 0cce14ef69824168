"""Write-time checks on what members post: pure functions over text, no database.

- personal data (emails, phone numbers, IBANs, card numbers passing Luhn) is found and masked;
- abusive words are matched after folding accents, case and leetspeak;
- links and their domains are extracted for the spam rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from community.l10n import N_, gettext

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# International (+33 6 12 34 56 78, +44 20 7946 0958) and French national (06 12 34 56 78).
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[ .-]?(?:\(0\))?[ .-]?\d(?:[ .-]?\d){6,11}|0[1-9](?:[ .-]?\d{2}){4})(?!\w)"
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
CARD = re.compile(r"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)")
LINK = re.compile(r"https?://([^\s/)\]>\"']+)", re.IGNORECASE)

LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


@dataclass(frozen=True)
class Found:
    kind: str  # email, phone, iban, card
    start: int
    end: int


def luhn_ok(digits: str) -> bool:
    total, double = 0, False
    for char in reversed(digits):
        n = int(char) * (2 if double else 1)
        total += n - 9 if n > 9 else n
        double = not double
    return total % 10 == 0


def iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _valid_iban_prefix(candidate: str) -> int:
    """Length of the longest prefix that is a valid IBAN (the regex may swallow a next word)."""
    for end in range(len(candidate), 14, -1):
        if candidate[end - 1] != " " and iban_ok(candidate[:end]):
            return end
    return 0


def find_personal_data(text: str) -> list[Found]:
    found: list[Found] = []
    for match in EMAIL.finditer(text):
        found.append(Found("email", *match.span()))
    for match in IBAN.finditer(text):
        if span := _valid_iban_prefix(match.group()):
            found.append(Found("iban", match.start(), match.start() + span))
    for match in CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            found.append(Found("card", *match.span()))
    for match in PHONE.finditer(text):
        found.append(Found("phone", *match.span()))
    return _without_overlaps(found)


def _without_overlaps(found: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for item in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


MASKS = {
    "email": N_("[email hidden]"),
    "phone": N_("[phone number hidden]"),
    "iban": N_("[IBAN hidden]"),
    "card": N_("[card number hidden]"),
}


def mask_personal_data(text: str, locale: str = "en") -> str:
    """The text with personal data replaced by a notice in the community's language (the
    masked text is stored: it is what the public reads)."""
    masked, last = [], 0
    for item in find_personal_data(text):
        masked.append(text[last : item.start])
        masked.append(gettext(locale, MASKS[item.kind]))
        last = item.end
    masked.append(text[last:])
    return "".join(masked)


def fold(text: str) -> str:
    """Lowercase, without accents, leetspeak undone, repeated letters squeezed to one
    (applied to the text and to the word list alike, so "C0NNNARD" meets "connard")."""
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"(.)\1+", r"\1", plain.translate(LEET))


def abusive_words(text: str, words: list[str]) -> list[str]:
    folded = fold(text)
    words_found = re.findall(r"[a-z]+", folded)
    tokens = set(words_found) | {w[:-1] for w in words_found if w.endswith("s")}  # plurals
    spaced = " " + " ".join(re.findall(r"[a-z]+", folded)) + " "
    hits = []
    for word in words:
        target = fold(word).strip()
        if not target:
            continue
        if (" " in target and f" {target} " in spaced) or target in tokens:
            hits.append(word)
    return hits


def link_domains(text: str) -> list[str]:
    return [m.group(1).lower().split(":")[0].removeprefix("www.") for m in LINK.finditer(text)]


def domain_blocked(domain: str, blocked: list[str]) -> bool:
    return any(
        domain == b or domain.endswith("." + b) for b in (d.lower().strip() for d in blocked) if b
    )


DEFAULT_ABUSIVE_WORDS = [
    # English
    "idiot", "moron", "stupid", "dumbass", "asshole", "bastard", "bitch", "fuck", "fucking",
    "shit", "bullshit", "crap", "scum", "jerk", "loser", "screw you", "shut up",
    # ("retard" is left out: in French it means a delay.)
    # French
    "connard", "connasse", "salaud", "salope", "enfoire", "encule", "merde",
    "putain", "abruti", "cretin", "debile", "batard", "ta gueule", "ferme ta gueule", "nul a chier",
    "escroc", "escrocs", "voleur", "voleurs",
]  # fmt: skip
