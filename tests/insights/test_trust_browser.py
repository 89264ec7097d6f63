"""An analyst, signed in with an authenticator app, opens how far to trust the data (the
summary and a feed's page) and channel shift in Chromium at 1280 and 320 px: zero axe
violations, nothing scrolling sideways, and without JavaScript the same charts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from balances.models import PageViewCount
from balances.services import page_view_count
from casework.models import AuditEntry
from insights.apps import ANALYST
from parking.eligibility import DecisionOutcome, Evidence, Rule
from tests.browser import use_desktop, use_narrowest
from tests.casework.test_casework_browser import staff_sign_in
from tests.factories import make_staff
from tests.insights.test_insights_browser import looked_at
from tests.insights.test_trust_selectors import application, run

pytestmark = pytest.mark.browser


@pytest.fixture
def figures(db):
    now = timezone.now()
    run("people", now - timedelta(days=8), 1200, [("date of birth is not a date", 12)])
    run("people", now - timedelta(hours=2), 1210, [("unknown uprn", 3), ("duplicate key", 1)])
    run("properties", now - timedelta(days=1), 800, [])
    agent = make_staff("contact_centre_agent")
    application(now - timedelta(days=7), DecisionOutcome.APPROVED, matched="P1")
    application(now, DecisionOutcome.NEEDS_EVIDENCE, (Rule.VEHICLE, Evidence.V5C), by=agent)
    application(now, DecisionOutcome.NEEDS_EVIDENCE, (Rule.LIVES_THERE, Evidence.PROOF_OF_ADDRESS))
    for _ in range(3):
        page_view_count(page=PageViewCount.Page.BALANCE)
    AuditEntry.objects.create(
        actor=agent, actor_email=agent.email, action=AuditEntry.Action.CASE_VIEW, ip_address="::1"
    )


def walk(page, width: str):
    page.get_by_role("link", name="How far to trust the data").click()
    assert page.locator("h1").inner_text() == "How far to trust the data"
    looked_at(page, f"quality-{width}")
    page.get_by_role("link", name="People", exact=True).click()
    assert page.locator("h1").inner_text() == "How far to trust the people feed"
    looked_at(page, f"quality-people-{width}")
    page.goto("/staff/insights/")
    page.get_by_role("link", name="Channel shift").click()
    assert page.locator("svg[role=img]").count() == 3
    looked_at(page, f"channels-{width}")


def test_an_analyst_reads_the_trust_and_channel_pages_on_a_desktop(page, figures):
    use_desktop(page)
    staff_sign_in(page, make_staff(ANALYST), "/staff/insights/")
    walk(page, "1280px")


def test_an_analyst_reads_the_trust_and_channel_pages_on_the_narrowest_phone(page, figures):
    use_narrowest(page)
    staff_sign_in(page, make_staff(ANALYST), "/staff/insights/")
    walk(page, "320px")


@pytest.mark.parametrize(
    ("path", "charts"),
    [
        ("/staff/insights/quality/", 1),
        ("/staff/insights/quality/people/", 1),
        ("/staff/insights/channels/", 3),
    ],
)
def test_the_pages_need_no_javascript(page_without_js, figures, path, charts):
    use_narrowest(page_without_js)
    staff_sign_in(page_without_js, make_staff(ANALYST), path)
    assert page_without_js.locator("svg[role=img] title").count() == charts
