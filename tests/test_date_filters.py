"""The portal's own date filters write dates exactly as Django's |date filter does in a
template, for dates and for aware datetimes (in London time, across the clock changes)."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

pytestmark = pytest.mark.embedded

days = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31), timezones=st.just(UTC)
)
OURS_AND_DJANGOS = Template(
    "{% load portal %}"
    '{{ v|long_date }}|{{ v|date:"j F Y" }}|{{ v|short_date }}|{{ v|date:"j M Y" }}'
)


def render(value) -> list[str]:
    return OURS_AND_DJANGOS.render(Context({"v": value})).split("|")


@given(value=st.one_of(days, moments))
def test_long_and_short_dates_are_djangos_j_F_Y_and_j_M_Y(value):
    long, django_long, short, django_short = render(value)
    assert (long, short) == (django_long, django_short)


def test_a_utc_time_before_midnight_in_summer_is_the_next_day_in_london():
    assert render(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))[0] == "1 July 2026"


@pytest.mark.parametrize("empty", [None, ""])
def test_nothing_shows_as_nothing(empty):
    assert render(empty)[0] == render(empty)[2] == ""


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 12, 3, 13, 37, tzinfo=UTC), "1:37pm"),  # GMT: London is UTC
        (datetime(2026, 6, 30, 23, 5, tzinfo=UTC), "12:05am"),  # BST: the next day, after midnight
        (datetime(2026, 12, 3, 9, 0, tzinfo=UTC), "9am"),
        (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), "12pm"),
    ],
)
def test_a_clock_time_is_written_as_gov_uk_writes_it_in_london_time(moment, written):
    clock = Template("{% load portal %}{{ v|clock_time }}").render(Context({"v": moment}))
    assert clock == written
