"""The write-time checks, as pure functions: personal data found and masked, abusive words
matched whatever their spelling, links and their domains."""

import pytest

from community.moderation.checks import (
    DEFAULT_ABUSIVE_WORDS,
    abusive_words,
    domain_blocked,
    find_personal_data,
    link_domains,
    mask_personal_data,
)

VALID_IBAN = "FR76 3000 6000 0112 3456 7890 189"
VALID_CARD = "4111 1111 1111 1111"


def kinds(text: str) -> list[str]:
    return [found.kind for found in find_personal_data(text)]


# ---- personal data ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Write to jean.dupont@example.fr please", "Write to [email hidden] please"),
        ("Mail: first.last+forum@mail.co.uk.", "Mail: [email hidden]."),
        ("Call 06 12 34 56 78 after six", "Call [phone number hidden] after six"),
        ("Call 06.12.34.56.78 or 01-23-45-67-89", "Call [phone number hidden] or [phone number hidden]"),
        ("Call 0612345678", "Call [phone number hidden]"),
        ("Call +33 6 12 34 56 78 now", "Call [phone number hidden] now"),
        ("Call +33 (0)6 12 34 56 78 now", "Call [phone number hidden] now"),
        ("Call +33612345678", "Call [phone number hidden]"),
        ("London office: +44 20 7946 0958.", "London office: [phone number hidden]."),
        ("US: +1 555 123 4567", "US: [phone number hidden]"),
        (f"My IBAN is {VALID_IBAN}, thanks", "My IBAN is [IBAN hidden], thanks"),
        ("IBAN DE89370400440532013000", "IBAN [IBAN hidden]"),
        ("GB82 WEST 1234 5698 7654 32", "[IBAN hidden]"),
        (f"Card {VALID_CARD} exp 12/27", "Card [card number hidden] exp 12/27"),
        ("Card 4111-1111-1111-1111", "Card [card number hidden]"),
        ("Mastercard 5500000000000004.", "Mastercard [card number hidden]."),
    ],
)  # fmt: skip
def test_personal_data_is_masked_exactly(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "IBAN FR76 3000 6000 0112 3456 7890 188",  # wrong check digits
        "IBAN FR77 3000 6000 0112 3456 7890 189",
        "Card 4111 1111 1111 1112",  # fails Luhn
        "Order 1234567890123 shipped",  # 13 digits, fails Luhn
        "In 2024 we paid 1500 euros for 12 months",
        "Firmware 1.2.3.4, page 06 12",
        "Meeting on 12/04/2024 at 10:30",
        "Reference 0612345678901",  # too long to be a French number
    ],
)
def test_ordinary_text_and_invalid_numbers_are_left_alone(text: str) -> None:
    assert find_personal_data(text) == []
    assert mask_personal_data(text) == text


def test_each_kind_is_named() -> None:
    text = f"a@b.co, 06 12 34 56 78, {VALID_IBAN}, {VALID_CARD}"
    assert kinds(text) == ["email", "phone", "iban", "card"]
    assert (
        mask_personal_data(text)
        == "[email hidden], [phone number hidden], [IBAN hidden], [card number hidden]"
    )


def test_overlapping_matches_are_masked_once_by_the_longest() -> None:
    # A phone number that is also the local part of an email address: one email.
    assert kinds("0612345678@example.com") == ["email"]
    assert mask_personal_data("Write 0612345678@example.com") == "Write [email hidden]"
    # An IBAN's digits are not masked a second time as a card or a phone number.
    assert kinds(VALID_IBAN) == ["iban"]
    # Neighbours separated by a space or a comma stay two separate masks.
    assert mask_personal_data(f"{VALID_IBAN} 06 12 34 56 78") == (
        "[IBAN hidden] [phone number hidden]"
    )
    assert mask_personal_data("jean@example.fr,06 12 34 56 78") == (
        "[email hidden],[phone number hidden]"
    )
    assert mask_personal_data(f"+33 6 12 34 56 78 / {VALID_CARD.replace(' ', '')}") == (
        "[phone number hidden] / [card number hidden]"
    )


def test_text_without_personal_data_comes_back_unchanged() -> None:
    text = "Restart the **router**, then wait 5 minutes.\n\n- step 1\n- step 2"
    assert mask_personal_data(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "IBAN BE68 5390 0754 7034 BIC GKCCBEBB",
        "IBAN ES91 2100 0418 4502 0005 1332 BIC CAIXESBBXXX",
    ],
)
def test_a_valid_iban_followed_by_its_bic_is_still_masked(text: str) -> None:
    """Bank details are usually written "IBAN … BIC …": the IBAN must not escape masking
    because the BIC's first letters were taken as part of it."""
    assert "[IBAN hidden]" in mask_personal_data(text)
    assert "5390" not in mask_personal_data(text) and "0418" not in mask_personal_data(text)


# ---- abusive words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("C0NNARD!!!", "connard"),  # leetspeak, case, punctuation
        ("Espèce de CRÉTIN", "cretin"),  # accents
        ("Bande d'enfoirés", "enfoire"),
        ("You 1d10t", "idiot"),
        ("what a piece of $h1t", "shit"),
        ("idiooots", "idiot"),  # repeated letters, plural
        ("Idiiiiot", "idiot"),
        ("Escrocs", "escroc"),  # plural
        ("Salauds!", "salaud"),
        ("Ta gueule.", "ta gueule"),  # phrases
        ("Oh, ferme-ta-gueule", "ferme ta gueule"),
        ("Tu es NUL À CHIER", "nul a chier"),
        ("Please just shut   up", "shut up"),
    ],
)
def test_abusive_words_are_found_however_they_are_spelt(text: str, word: str) -> None:
    assert word in abusive_words(text, DEFAULT_ABUSIVE_WORDS)


@pytest.mark.parametrize("text", ["C0NNNNARD", "Connnnard !", "asssshole"])
def test_letters_doubled_in_the_word_and_repeated_are_still_found(text: str) -> None:
    """Stretching a word's double letter ("connnnard") is as common as any other."""
    assert abusive_words(text, DEFAULT_ABUSIVE_WORDS) != []


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, I'm in retard: my train was late.",  # French for a delay
        "Je suis en retard, désolé.",
        "La conférence commence à 10 h.",
        "Nous avons fait un constat amiable.",
        "Scunthorpe United won again",
        "Shiitake mushrooms and a cocktail",
        "The assessment of the classic bass",
        "Un bon conseil : redémarrez la box.",
        "Ta facture est prête.",
        "Ma gueule de bois",  # "gueule" alone is not the phrase
        "",
    ],
)
def test_ordinary_words_are_not_taken_for_abuse(text: str) -> None:
    assert abusive_words(text, DEFAULT_ABUSIVE_WORDS) == []


def test_a_tenants_own_word_list_is_used_as_given() -> None:
    words = ["Arnaque", "mauvais service"]
    assert abusive_words("C'est une ARNAQUES", words) == ["Arnaque"]
    assert abusive_words("Quel MAUVAIS   service !", words) == ["mauvais service"]
    assert abusive_words("You idiot", words) == []
    assert abusive_words("anything", ["", "  "]) == []


# ---- links --------------------------------------------------------------------------------


def test_link_domains_are_lowercased_without_www_or_port() -> None:
    text = (
        "See https://www.Example.com/help and http://shop.spam.io:8080/deal "
        "or [this](https://docs.vendor.org/a), not example.net"
    )
    assert link_domains(text) == ["example.com", "shop.spam.io", "docs.vendor.org"]
    assert link_domains("no links here, just www.example.com") == []


def test_blocked_domains_cover_their_subdomains_only() -> None:
    blocked = ["spam.io", " Cheap-Watches.COM "]
    assert domain_blocked("spam.io", blocked)
    assert domain_blocked("shop.spam.io", blocked)
    assert domain_blocked("a.b.spam.io", blocked)
    assert domain_blocked("cheap-watches.com", blocked)
    assert not domain_blocked("notspam.io", blocked)
    assert not domain_blocked("spam.io.example.org", blocked)
    assert not domain_blocked("example.com", blocked)
    assert not domain_blocked("spam.io", ["", "  "])
