"""Matching a resident's typed name and date of birth to a person in the records (rule 4 of
parking eligibility). Pure: no database."""

import unicodedata
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from records.matching import MatchKind, name_key, person_matches

BORN = date(1984, 2, 29)


def match(first, last, dob, record_first, record_last, record_dob):
    """Records store name keys: the record's names go through name_key, as the sync does."""
    return person_matches(
        first_name=first,
        last_name=last,
        date_of_birth=dob,
        record_first_name_key=name_key(record_first),
        record_last_name_key=name_key(record_last),
        record_date_of_birth=record_dob,
    )


def nfd(text):
    return unicodedata.normalize("NFD", text)


# --- Named cases -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "record"),
    [
        (("Zoë", "O'Brien"), ("Zoë", "OBRIEN")),
        (("zoe", "OBRIEN"), ("Zoë", "O'Brien")),
        (("ZOE", "o\u2019brien"), ("Zoë", "O'Brien")),
        ((nfd("ZOË"), "O'Brien"), ("Zoë", "O'Brien")),  # decomposed: Z O E + combining diaeresis
        (("Zoë", "O'Brien"), (nfd("Zoë"), nfd("O'Brien"))),
        (("Ann", "Smith Jones"), ("Ann", "Smith-Jones")),
        (("Ann", "smithjones"), ("Ann", "Smith-Jones")),
        (("Pieter", "Vanderberg"), ("Pieter", "van der Berg")),
        (("Pieter", "Van-der-Berg"), ("Pieter", "van der Berg")),
        (("Pieter", "VAN DER BERG"), ("Pieter", "Vanderberg")),
        (("Kwame", "Mensah Smith"), ("Kwame", "Mensah-Smith")),
        (("Kwame", "MENSAH-SMITH"), ("Kwame", "mensah smith")),
        (("Mary Anne", "Ng"), ("Maryanne", "Ng")),
        (("José", "Núñez"), ("Jose", "Nunez")),
        (("Łukasz", "Wójcik"), ("LUKASZ", "WOJCIK")),
    ],
)
def test_the_same_name_written_differently_matches(typed, record):
    result = match(*typed, BORN, *record, BORN)
    assert result.kind == MatchKind.NAMES_AND_DATE_OF_BIRTH, result.reason
    assert result.matched and bool(result)


@pytest.mark.parametrize(
    ("typed", "record", "reason"),
    [
        (("Ann", "Smith"), ("Ann", "Smith-Jones"), "the last names differ"),
        (("Kwame", "Mensah"), ("Kwame", "Mensah-Smith"), "the last names differ"),
        (("Ann", "Smith"), ("Anne", "Smith"), "the first names differ"),
        (("Ama", "Mensah"), ("Kwame Ama", "Mensah"), "the first names differ"),  # a later name
        (("Zara", "O'Brien"), ("Zoë", "O'Brien"), "the first names differ"),
        (("Y", "O'Brien"), ("Zoë", "O'Brien"), "the first names differ"),
        (("", "O'Brien"), ("Zoë", "O'Brien"), "a first or last name is missing"),
        (("Zoë", " - "), ("Zoë", "O'Brien"), "a first or last name is missing"),
    ],
)
def test_different_names_do_not_match(typed, record, reason):
    result = match(*typed, BORN, *record, BORN)
    assert result.kind == MatchKind.NONE
    assert not result
    assert result.reason == reason


def test_the_same_name_with_a_different_date_of_birth_is_someone_else():
    result = match("Zoë", "O'Brien", date(1984, 3, 1), "Zoë", "O'Brien", BORN)
    assert result.kind == MatchKind.NONE
    assert result.reason == "the dates of birth differ"


def test_no_date_of_birth_given_cannot_match_a_record_that_has_one():
    result = match("Zoë", "O'Brien", None, "Zoë", "O'Brien", BORN)
    assert result.kind == MatchKind.NONE
    assert "no date of birth" in result.reason


def test_names_match_without_a_date_of_birth_when_the_record_has_none():
    result = match("Zoe", "OBrien", BORN, "Zoë", "O'Brien", None)
    assert result.kind == MatchKind.NAMES_WITHOUT_DATE_OF_BIRTH
    assert result.reason == "first and last names match; the record has no date of birth to compare"


@pytest.mark.parametrize("initial", ["Z", "Z.", "z", " z. "])
def test_an_initial_matches_only_with_a_matching_date_of_birth(initial):
    assert match(initial, "O'Brien", BORN, "Zoë", "O'Brien", BORN).kind == (
        MatchKind.INITIAL_AND_DATE_OF_BIRTH
    )
    assert match(initial, "O'Brien", BORN, "Zoë", "O'Brien", None).kind == MatchKind.NONE
    assert match(initial, "O'Brien", BORN, "Zoë", "O'Brien", date(1990, 1, 1)).kind == (
        MatchKind.NONE
    )


def test_a_record_holding_only_an_initial_needs_a_matching_date_of_birth():
    assert match("Zoë", "O'Brien", BORN, "Z", "O'Brien", BORN).kind == (
        MatchKind.INITIAL_AND_DATE_OF_BIRTH
    )
    assert match("Z", "O'Brien", BORN, "Z", "O'Brien", None).kind == MatchKind.NONE


@pytest.mark.parametrize(
    ("typed_first", "record_first", "kind"),
    [
        ("Kwame", "Kwame Ama", MatchKind.FIRST_GIVEN_NAME_AND_DATE_OF_BIRTH),
        ("Kwame Ama", "Kwame", MatchKind.FIRST_GIVEN_NAME_AND_DATE_OF_BIRTH),
        ("Kwame Ama", "Kwame Ama", MatchKind.NAMES_AND_DATE_OF_BIRTH),
        ("Kwame-Ama", "Kwame Ama", MatchKind.NAMES_AND_DATE_OF_BIRTH),
        ("Kwame A.", "Kwame Ama", MatchKind.INITIAL_AND_DATE_OF_BIRTH),
        ("K. A.", "Kwame Ama", MatchKind.INITIAL_AND_DATE_OF_BIRTH),
        ("Kwame Kofi", "Kwame Ama", MatchKind.NONE),
        ("K. K.", "Kwame Ama", MatchKind.NONE),
    ],
)
def test_several_given_names(typed_first, record_first, kind):
    assert match(typed_first, "Mensah", BORN, record_first, "Mensah", BORN).kind == kind


def test_part_of_the_given_names_needs_a_date_of_birth_on_the_record():
    """ "Kwame" for "Kwame Ama" could as well be a brother "Kwame Kofi" the record would not
    show: without a date of birth to confirm, a person checks."""
    result = match("Kwame", "Mensah", BORN, "Kwame Ama", "Mensah", None)
    assert result.kind == MatchKind.NONE
    assert "some of the given names" in result.reason


# --- Properties --------------------------------------------------------------------------------

# Letters with and without accents (composed forms; NFD is applied separately), no letters whose
# case folding changes their length (ß) and no single letters (an initial is its own case).
LETTERS = "abcdefghijklmnopqrstuvwxyzéèëêáàäâíïóöôúüçñ"
word = st.text(alphabet=LETTERS, min_size=2, max_size=8)
words = st.lists(word, min_size=1, max_size=3)
dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31))


def strip_accents(text):
    return "".join(ch for ch in nfd(text) if not unicodedata.combining(ch))


@st.composite
def spelt_two_ways(draw, words_strategy):
    """One name as the record holds it and as a resident might type it: each word's case, the
    Unicode form (NFC or NFD), accents kept or dropped, an apostrophe in the record that the
    resident drops, and the words joined by a space, a hyphen or nothing at all."""
    parts = draw(words_strategy)
    record_parts = list(parts)
    if draw(st.booleans()):  # the record's first word carries an apostrophe: O'brien
        record_parts[0] = record_parts[0][0] + "'" + record_parts[0][1:]
    record = draw(st.sampled_from([" ", "-"])).join(record_parts)
    typed_parts = []
    for part in parts:
        part = draw(st.sampled_from([str.lower, str.upper, str.title, strip_accents]))(part)
        typed_parts.append(part)
    typed = draw(st.sampled_from([" ", "-", "", "  "])).join(typed_parts)
    if draw(st.booleans()):
        typed = nfd(typed)
    if draw(st.booleans()):
        record = nfd(record)
    return typed, record


@given(spelt_two_ways(words), spelt_two_ways(words), dates)
def test_any_spelling_of_the_same_name_matches(first, last, born):
    (typed_first, record_first), (typed_last, record_last) = first, last
    result = match(typed_first, typed_last, born, record_first, record_last, born)
    assert result.kind == MatchKind.NAMES_AND_DATE_OF_BIRTH, result.reason
    without_dob = match(typed_first, typed_last, born, record_first, record_last, None)
    assert without_dob.kind == MatchKind.NAMES_WITHOUT_DATE_OF_BIRTH, without_dob.reason


@given(spelt_two_ways(words), spelt_two_ways(words), dates, dates)
def test_a_different_date_of_birth_never_matches(first, last, born, record_born):
    assume(born != record_born)
    (typed_first, record_first), (typed_last, record_last) = first, last
    result = match(typed_first, typed_last, born, record_first, record_last, record_born)
    assert result.kind == MatchKind.NONE
    assert result.reason == "the dates of birth differ"


@given(st.text(), st.text(), st.text(), st.text(), dates, dates)
def test_whatever_is_typed_a_different_date_of_birth_never_matches(
    first, last, record_first, record_last, born, record_born
):
    assume(born != record_born)
    assert not match(first, last, born, record_first, record_last, record_born)


@given(words, spelt_two_ways(words), dates, st.sampled_from(["", ".", ". "]), st.booleans())
def test_an_initial_matches_only_with_the_date_of_birth(record_given, last, born, dot, upper):
    typed_last, record_last = last
    initial = record_given[0][0] + dot
    initial = initial.upper() if upper else initial
    record_first = " ".join(record_given)
    assert match(initial, typed_last, born, record_first, record_last, born).kind == (
        MatchKind.INITIAL_AND_DATE_OF_BIRTH
    )
    assert not match(initial, typed_last, born, record_first, record_last, None)
    other = born + timedelta(days=1)
    assert not match(initial, typed_last, other, record_first, record_last, born)


@given(st.lists(word, min_size=2, max_size=3), spelt_two_ways(words), dates)
def test_the_first_given_name_alone_matches_only_with_the_date_of_birth(record_given, last, born):
    typed_last, record_last = last
    record_first = " ".join(record_given)
    assume(record_given[0] != "".join(record_given))
    assert match(record_given[0], typed_last, born, record_first, record_last, born).kind == (
        MatchKind.FIRST_GIVEN_NAME_AND_DATE_OF_BIRTH
    )
    assert not match(record_given[0], typed_last, born, record_first, record_last, None)
