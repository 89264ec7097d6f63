"""Name keys for matching and search: the same person's name written differently by different
systems (or typed by a resident) gets the same key.

    name_key("O'Brien") == name_key("OBRIEN") == "obrien"
    name_key("Smith-Jones") == name_key("smith  jones") == "smith jones"
    name_key("Zoë") == name_key("ZOE") == "zoe"

person_matches says whether a name and date of birth typed by a resident match a person in the
records, and how: parking eligibility relies on it to decide who lives where.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache

# Letters Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ı": "i", "æ": "ae", "Æ": "ae",
     "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "ð": "d", "Ð": "d"}
)  # fmt: skip
_APOSTROPHES = re.compile(r"['’‘`´ʼ]")
_SEPARATORS = re.compile(r"[-‐‑‒–—.,_/]")


# Names repeat a great deal across a borough's records: a sync of a million rows computes the
# key of each distinct name once.
@lru_cache(maxsize=100_000)
def name_key(value: str | None) -> str:
    if not value:
        return ""
    text = unicodedata.normalize("NFKD", value.translate(_UNDECOMPOSED))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = _APOSTROPHES.sub("", text)
    text = _SEPARATORS.sub(" ", text)
    return " ".join(text.split())


# --- Matching a resident to a person in the records ------------------------------------------


class MatchKind(StrEnum):
    """How a resident's name and date of birth matched a person in the records, strongest first."""

    NAMES_AND_DATE_OF_BIRTH = "names_and_date_of_birth"
    NAMES_WITHOUT_DATE_OF_BIRTH = "names_without_date_of_birth"  # the record has no date of birth
    FIRST_GIVEN_NAME_AND_DATE_OF_BIRTH = "first_given_name_and_date_of_birth"
    INITIAL_AND_DATE_OF_BIRTH = "initial_and_date_of_birth"
    NONE = "none"


@dataclass(frozen=True)
class Match:
    kind: MatchKind
    reason: str  # plain English, about the comparison only: it names no one's details

    @property
    def matched(self) -> bool:
        return self.kind != MatchKind.NONE

    def __bool__(self) -> bool:
        return self.matched


MATCH_STRENGTH = tuple(MatchKind)  # strongest first: pick the best of several candidates


def compact_key(value: str | None) -> str:
    """The name key without its spaces: "van der Berg", "Van-der-Berg" and "Vanderberg" agree.
    Used to compare; name_key keeps the spaces because search and display need the words."""
    return name_key(value).replace(" ", "")


def person_matches(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: date | None,
    record_first_name_key: str,
    record_last_name_key: str,
    record_date_of_birth: date | None,
) -> Match:
    """Whether a resident's name and date of birth (as typed) match one person's record (whose
    names are given as their name_key, as records stores them).

    * Last names must agree in full, spaces aside: "Mensah" does not match "Mensah-Smith".
    * When the record has a date of birth it must equal the resident's: the same name with a
      different (or no) date of birth is someone else.
    * The record's first name may hold several given names ("Kwame Ama"). All of them in full
      ("Kwame Ama", "KwameAma") is a match on names. Only the leading ones ("Kwame"), or a
      longer list whose leading names are the record's ("Kwame Ama" for a record of "Kwame"),
      count only with a matching date of birth: without one, a brother "Kwame Kofi" or a
      former resident is too easily taken for the resident. A later given name alone ("Ama")
      does not match: the cautious answer is a person looking at proof of address.
    * An initial ("Z", "Z.") for a first name (on either side) counts only with a matching
      date of birth.

    No match is ever a refusal: the caller asks for proof of address instead.
    """
    typed_last, record_last = compact_key(last_name), compact_key(record_last_name_key)
    typed_given = name_key(first_name).split()
    record_given = name_key(record_first_name_key).split()
    if not typed_last or not typed_given or not record_last or not record_given:
        return _no_match("a first or last name is missing")
    if typed_last != record_last:
        return _no_match("the last names differ")
    if record_date_of_birth is not None:
        if date_of_birth is None:
            return _no_match("no date of birth was given to compare with the record's")
        if date_of_birth != record_date_of_birth:
            return _no_match("the dates of birth differ")

    agreement = _given_names_agree(typed_given, record_given)
    if agreement is None:
        return _no_match("the first names differ")
    if record_date_of_birth is None:
        if agreement == "full":
            return Match(
                MatchKind.NAMES_WITHOUT_DATE_OF_BIRTH,
                "first and last names match; the record has no date of birth to compare",
            )
        what = "an initial" if agreement == "initial" else "some of the given names"
        return _no_match(f"only {what} matched and the record has no date of birth to confirm it")
    if agreement == "full":
        return Match(
            MatchKind.NAMES_AND_DATE_OF_BIRTH, "first name, last name and date of birth match"
        )
    if agreement == "initial":
        return Match(
            MatchKind.INITIAL_AND_DATE_OF_BIRTH,
            "an initial matches the first name, and last name and date of birth match",
        )
    return Match(
        MatchKind.FIRST_GIVEN_NAME_AND_DATE_OF_BIRTH,
        "the first given name, last name and date of birth match",
    )


def _no_match(reason: str) -> Match:
    return Match(MatchKind.NONE, reason)


def _given_names_agree(typed: list[str], record: list[str]) -> str | None:
    """ "full", "initial", "partial" or None (they differ), for two lists of given-name words."""
    if _is_initial(typed[0]) or _is_initial(record[0]):
        if not _pairs_agree(typed, record):
            return None
        return "initial"
    if "".join(typed) == "".join(record):
        return "full"
    if not _pairs_agree(typed, record):
        return None
    if any(_is_initial(a) != _is_initial(b) for a, b in zip(typed, record, strict=False)):
        return "initial"  # "Kwame A" for "Kwame Ama"
    return "partial"


def _pairs_agree(typed: list[str], record: list[str]) -> bool:
    """Word by word as far as the shorter list goes: the same word, or an initial of it."""
    return all(
        a == b or (_is_initial(a) and b.startswith(a)) or (_is_initial(b) and a.startswith(b))
        for a, b in zip(typed, record, strict=False)
    )


def _is_initial(word: str) -> bool:
    return len(word) == 1
