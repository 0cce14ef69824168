"""The input rules every capability shares (community.inputs)."""

import pytest

from community.inputs import (
    MAX_ID,
    has_control_characters,
    has_words,
    name_keys,
    normalise_line,
    parse_id,
    parse_int,
)


@pytest.mark.parametrize(
    ("typed", "number"),
    [("42", 42), (" 7 ", 7), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (str(2**63), None),
     ("0", None), ("-1", None), ("", None), ("²", None), ("٣", None), ("9" * 5000, None),
     ("4x", None)],
)  # fmt: skip
def test_an_id_is_ascii_digits_within_the_columns_range(typed: str, number: int | None) -> None:
    assert parse_id(typed) == number


def test_whole_numbers_keep_their_sign_and_bounds() -> None:
    assert parse_int("-20", -100, 100) == -20
    assert parse_int("-200", -100, 100) is None
    assert parse_int("--2", -100, 100) is None


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "\x7f", "\x85", "\ud800"])
def test_control_characters_are_found(text: str) -> None:
    assert has_control_characters(text)


def test_tabs_and_line_breaks_are_not_control_characters_to_refuse() -> None:
    assert not has_control_characters("one\ttwo\r\nthree")


def test_a_line_is_normalised_as_a_reader_sees_it() -> None:
    assert (
        normalise_line("  Ｒｅｓｅｔ  my\u200b router\u202e\t now\ufeff ") == "Reset my router now"
    )
    assert normalise_line("\u2066\u200f\u3164\u2069") == ""
    assert normalise_line("ﬁx") == "fix"


def test_words_are_letters_or_digits() -> None:
    assert has_words("Wi-Fi 6")
    assert has_words("Привет")
    assert not has_words("?!… — ***")


@pytest.mark.parametrize(
    "look_alike",
    [
        "julien",
        "JULIEN",
        "Ju\u0399ien",
        "JuIien",
        "Јulien",
        "Ｊｕｌｉｅｎ",
        "Jul\u200bien",
        "Ju lien",
    ],
)
def test_confusable_names_share_a_key(look_alike: str) -> None:
    assert set(name_keys("Julien")) & set(name_keys(look_alike)), look_alike


def test_different_names_do_not() -> None:
    assert not set(name_keys("Julien")) & set(name_keys("Julia"))
    assert not set(name_keys("Ann")) & set(name_keys("Anna"))
