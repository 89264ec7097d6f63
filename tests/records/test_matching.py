import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.matching import name_key


@pytest.mark.parametrize(
    ("a", "b", "key"),
    [
        ("O'Brien", "OBRIEN", "obrien"),
        ("O’Brien", "obrien", "obrien"),
        ("Smith-Jones", "smith  jones", "smith jones"),
        ("Zoë", "ZOE", "zoe"),
        ("José", "jose", "jose"),
        ("Müller", "muller", "muller"),
        ("Łukasz", "lukasz", "lukasz"),
        ("Nguyễn", "nguyen", "nguyen"),
        ("van der Berg", "Van Der  Berg", "van der berg"),
        ("  Mary   Anne ", "mary anne", "mary anne"),
        ("D'Souza-Øberg", "dsouza oberg", "dsouza oberg"),
    ],
)
def test_spellings_of_one_name_share_a_key(a, b, key):
    assert (name_key(a), name_key(b)) == (key, key)


def test_different_names_keep_different_keys():
    assert name_key("Ann") != name_key("Anne")
    assert name_key("Smith Jones") != name_key("Smithjones")


def test_empty_names():
    assert name_key("") == name_key(None) == name_key(" - ' ") == ""


@given(st.text())
def test_key_is_stable_and_tidy(value):
    key = name_key(value)
    assert name_key(key) == key  # normalising twice changes nothing
    assert key == key.strip()
    assert "  " not in key
    assert key == key.casefold()
