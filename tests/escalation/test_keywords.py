import pytest

from community.escalation.keywords import (
    DEFAULT_COMPLAINT_KEYWORDS,
    MAX_KEYWORDS,
    find_complaints,
    fold,
    parse_keywords,
)


@pytest.mark.parametrize(
    "text",
    [
        "résilier", "résiliation", "remboursement", "rembourser", "arnaque", "escroquerie",
        "plainte", "inadmissible", "scandaleux", "avocat", "litige", "service client injoignable",
        "refund", "cancel my", "cancellation", "scam", "complaint", "lawyer", "chargeback",
        "worst service", "unacceptable", "rip-off",
        # and some of their inflections
        "je résilie", "remboursé", "remboursez-moi", "arnaqué", "plaintes", "refunded", "scammed",
    ],
)  # fmt: skip
def test_the_defaults_catch_the_usual_complaints(text: str) -> None:
    assert find_complaints(f"Bon. {text.upper()} !", DEFAULT_COMPLAINT_KEYWORDS)


def test_the_defaults_are_a_sensible_size_and_parse_cleanly() -> None:
    assert 25 <= len(DEFAULT_COMPLAINT_KEYWORDS) <= 40
    parsed, error = parse_keywords("\n".join(DEFAULT_COMPLAINT_KEYWORDS))
    assert error is None and parsed == list(DEFAULT_COMPLAINT_KEYWORDS)


@pytest.mark.parametrize(
    "text",
    ["La résilience du réseau", "Une question sur mon forfait", "Comment me désabonner ?"],
)
def test_ordinary_posts_are_not_complaints(text: str) -> None:
    assert find_complaints(text, DEFAULT_COMPLAINT_KEYWORDS) == []


def test_case_and_accents_are_folded_both_ways() -> None:
    assert find_complaints("Je veux être REMBOURSÉ", ["rembourse"]) == ["rembourse"]
    assert find_complaints("je veux etre rembourse", ["Remboursé"]) == ["Remboursé"]
    assert find_complaints("Une MANŒUVRE déloyale", ["manoeuvre"]) == ["manoeuvre"]
    assert find_complaints("C’est l’arnaque", ["l'arnaque"]) == ["l'arnaque"]
    assert fold("Ça ŒUVRE l’été ﬁn") == "ca oeuvre l'ete fin"


def test_whole_words_only() -> None:
    assert find_complaints("Request for cancellation", ["cancel"]) == []
    assert find_complaints("I want to cancel.", ["cancel"]) == ["cancel"]
    assert find_complaints("scampi and prawns", ["scam"]) == []
    assert find_complaints("a plaintext file", ["plainte"]) == []
    assert find_complaints("pre-refund", ["refund"]) == ["refund"]


def test_a_trailing_star_matches_words_that_start_with_it() -> None:
    keywords = ["rembours*"]
    for word in ["remboursement", "rembourser", "remboursé", "REMBOURSEZ", "rembours"]:
        assert find_complaints(f"Un {word} svp", keywords) == keywords
    assert find_complaints("nonremboursable", keywords) == []


def test_phrases_match_across_spaces_and_line_breaks() -> None:
    keywords = ["service client injoignable", "cancel my"]
    text = "Le service\n  client\tinjoignable depuis une semaine.\nPlease CANCEL\r\nMY contract."
    assert find_complaints(text, keywords) == keywords
    assert find_complaints("service client joignable", keywords) == []


@pytest.mark.parametrize("text", ["a rip-off", "a rip off", "a ripoff", "a rip‑off", "RIP-OFF!"])
def test_hyphens_match_a_space_or_nothing(text: str) -> None:
    assert find_complaints(text, ["rip-off"]) == ["rip-off"]


def test_keywords_come_back_in_list_order_once_each() -> None:
    keywords = ["scam*", "refund", "refund*", "Refund", "lawyer", "injoignable"]
    text = "Refund! REFUND! refunds, scam, lawyer, service client injoignable"
    assert find_complaints(text, keywords) == [
        "scam*",
        "refund",
        "refund*",
        "lawyer",
        "injoignable",
    ]


def test_a_keyword_inside_a_phrase_is_found_too() -> None:
    keywords = ["service client injoignable", "client", "injoignable"]
    assert find_complaints("Service client injoignable.", keywords) == keywords


def test_empty_inputs() -> None:
    assert find_complaints("refund", []) == []
    assert find_complaints("refund", ["", "   ", "*"]) == []
    assert find_complaints("", DEFAULT_COMPLAINT_KEYWORDS) == []


def test_parse_trims_lowercases_and_deduplicates() -> None:
    text = "  Refund \n\nrefund\nRésilier\nresilier\n Service   Client  Injoignable\nrembours*\n"
    assert parse_keywords(text) == (
        ["refund", "résilier", "service client injoignable", "rembours*"],
        None,
    )
    assert parse_keywords("") == ([], None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("refund\n" + "x" * 61, "Line 2 is longer than 60 characters."),
        ("refund\n\n!!!\n", "Line 3 ('!!!') has no letters."),
        ("1234", "Line 1 ('1234') has no letters."),
        ("*fund", "Line 1 ('*fund') has a * before its end"),
    ],
)
def test_parse_errors_name_the_line(text: str, message: str) -> None:
    keywords, error = parse_keywords(text)
    assert error is not None and error.startswith(message)
    assert keywords == (["refund"] if text.startswith("refund") else [])


def test_parse_accepts_sixty_characters_but_not_too_many_keywords() -> None:
    assert parse_keywords("x" * 60) == (["x" * 60], None)
    many = "\n".join(f"word{number}" for number in range(MAX_KEYWORDS + 1))
    keywords, error = parse_keywords(many)
    assert len(keywords) == MAX_KEYWORDS + 1
    assert error is not None and str(MAX_KEYWORDS) in error
