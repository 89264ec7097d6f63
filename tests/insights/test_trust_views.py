"""The pages on how far to trust the data and on channel shift: a feed that is not one is a
404, the figures are in words and tables, a what-if links the quality of the feeds it used,
and each page costs a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from balances.models import PageViewCount
from balances.services import page_view_count
from casework.models import AuditEntry
from parking.eligibility import DecisionOutcome, Evidence, Rule
from tests.factories import UserFactory, make_staff
from tests.helpers import sign_in
from tests.insights.borough import load_homes, permit_bought
from tests.insights.test_trust_selectors import application, run
from tests.insights.test_views import TARIFF_RESULT, tariff_as_now

QUALITY = reverse("insights:quality")
CHANNELS = reverse("insights:channels")
PEOPLE = reverse("insights:quality_feed", kwargs={"feed": "people"})


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def an_hour_ago():
    return timezone.now() - timedelta(hours=1)


@pytest.mark.parametrize("path", [QUALITY, PEOPLE, CHANNELS])
def test_a_resident_is_refused(client, db, path):
    sign_in(client, UserFactory())
    assert client.get(path).status_code == 403


def test_a_feed_that_is_not_one_is_not_found(signed_in):
    url = reverse("insights:quality_feed", kwargs={"feed": "parking-fines"})
    assert signed_in.get(url).status_code == 404


def test_a_feeds_page_says_why_its_rows_were_rejected(signed_in):
    run("people", an_hour_ago(), 100, [("bad date", 3), ("unknown uprn", 2)])
    assert "Bad date: 3 rows" in text(signed_in.get(PEOPLE))


def test_a_feeds_page_has_each_runs_figures_in_its_table(signed_in):
    run("people", an_hour_ago(), 200, [("bad date", 10)])
    table = text(signed_in.get(PEOPLE)).split("Each run, oldest first", 1)[1]
    cells = [">200<", ">10<", ">5%<"]
    assert all(cell in table.split("</table>", 1)[0] for cell in cells)


def test_the_summary_says_how_many_applicants_the_records_matched(signed_in):
    now = an_hour_ago()
    application(now, DecisionOutcome.APPROVED, matched="P1")
    for _ in range(3):
        application(now, DecisionOutcome.NEEDS_EVIDENCE, (Rule.VEHICLE, Evidence.V5C))
    assert "the rules matched 1 (25%)" in text(signed_in.get(QUALITY))


def test_the_summary_says_why_decisions_went_to_a_person(signed_in):
    application(an_hour_ago(), DecisionOutcome.NEEDS_EVIDENCE, (Rule.VEHICLE, Evidence.V5C))
    page = text(signed_in.get(QUALITY))
    assert "The vehicle could not be found or checked in the vehicle records" in page


def test_the_summary_says_a_feed_was_never_brought_in(signed_in):
    assert "Never brought in" in text(signed_in.get(QUALITY))


def test_channel_shift_counts_this_weeks_balance_pages_and_case_views(signed_in):
    agent = make_staff("contact_centre_agent")
    page_view_count(page=PageViewCount.Page.BALANCE)
    for _ in range(2):
        AuditEntry.objects.create(
            actor=agent,
            actor_email=agent.email,
            action=AuditEntry.Action.CASE_VIEW,
            ip_address="127.0.0.1",
        )
    this_week = signed_in.get(CHANNELS).context["weeks"][-1]
    assert (this_week.balance_views, this_week.case_views) == (1, 2)


def test_a_what_if_links_the_quality_of_the_feeds_it_used(signed_in):
    load_homes()
    permit_bought(UserFactory(), person="P1", registration="LB19PET", months=12)
    assert f'href="{PEOPLE}"' in text(signed_in.get(TARIFF_RESULT, tariff_as_now()))


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # The session, the user, their app and permissions (5); the feeds' last applied runs,
        # the runs, applicants matched, applications by week, decisions left to a person by rule.
        (QUALITY, 10),
        # The staff session (5); the feed's last applied run, its runs, its rejections by week.
        (PEOPLE, 8),
        # The staff session (5); applications by week, balance pages by week, case views by week.
        (CHANNELS, 8),
    ],
)
def test_each_page_costs_a_fixed_number_of_queries(
    signed_in, django_assert_num_queries, path, queries
):
    run("people", an_hour_ago(), 100, [("bad date", 3)])
    application(an_hour_ago(), DecisionOutcome.NEEDS_EVIDENCE, (Rule.VEHICLE, Evidence.V5C))
    signed_in.get(path)  # the staff session's last request noted: not again
    with django_assert_num_queries(queries):
        signed_in.get(path)
