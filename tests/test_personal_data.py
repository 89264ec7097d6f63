"""Your data (issue 20): everything the portal holds about the signed-in resident, gathered
from the app that owns each part, on one page and as one download; never anyone else's; and
every table that names a user is covered by some app's personal_data_for (or is staff-only, by
a reason written here)."""

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from balances import services as balance_services
from casework.models import AuditEntry, CaseNote
from notifications.models import EmailNotification
from personal_data.gather import tables_covered
from tests.balances.ledger import load_borough
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
    use_narrowest,
)
from tests.casework.cases import ARREARS, ZOE, application_at, permit_at, send_evidence
from tests.factories import PASSWORD, UserFactory, make_staff
from tests.helpers import sign_in

# Tables naming a user that hold no resident's data: what staff did, by staff.
STAFF_ONLY = {
    "admin.LogEntry": "changes made in the Django admin, by staff",
    "records.SyncRun": "feed syncs, started and approved by records administrators",
    "insights.Scenario": "what-if scenarios saved by analysts (totals only, no resident's data)",
}


def test_every_table_that_names_a_user_is_covered_by_an_app_or_staff_only():
    naming = {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.related_model is not None
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
    } | {settings.AUTH_USER_MODEL}
    assert sorted(naming - tables_covered() - set(STAFF_ONLY)) == []


@pytest.fixture
def held(db, settings, tmp_path, resident):
    """Zoë's portal data: an application with proof, a permit, a linked account, an email, and
    staff who looked at her case; and someone else's, which must never show."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_borough()
    application = application_at(20001, user=resident)
    send_evidence(application, "my-council-tax-bill.pdf")
    permit = permit_at(20001, user=resident, registration="LB19DSL")
    balance_services.account_link(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
    )
    EmailNotification.objects.create(
        event_key="test-permit-issued",
        to=resident.email,
        user=resident,
        template="parking/emails/permit_issued",
        context={},
        subject="Your parking permit PP-TEST is ready",
        body_text="Your permit is ready.",
        due_at=timezone.now(),
    )
    agent = make_staff("contact_centre_agent", email="agent.smith@example.com")
    AuditEntry.objects.create(
        actor=agent,
        actor_email=agent.email,
        action=AuditEntry.Action.CASE_VIEW,
        reason="Resident phoned about her permit",
        person_ref=ZOE,
        ip_address="10.0.0.1",
    )
    AuditEntry.objects.create(
        actor=agent,
        actor_email=agent.email,
        action=AuditEntry.Action.CASE_VIEW,
        reason="Someone else's call",
        person_ref="P4",
        ip_address="10.0.0.1",
    )
    CaseNote.objects.create(author=agent, person_ref=ZOE, text="Asked for a call back on Monday")
    other = application_at(20001, user=UserFactory(email="someone.else@example.com"))
    return {"application": application, "permit": permit, "other": other}


def test_the_page_shows_every_kind_of_data_held_and_nothing_of_anyone_else(client, resident, held):
    sign_in(client, resident)
    page = client.get(reverse("personal_data:home")).text
    shown = [
        held["application"].reference,
        "my-council-tax-bill.pdf",
        held["permit"].number,
        "LB19DSL",
        ARREARS,
        "Your parking permit PP-TEST is ready",
        "Resident phoned about her permit",
        "Contact centre agent",
        "Asked for a call back on Monday",
        resident.email,
    ]
    hidden = [held["other"].reference, "Someone else&#x27;s call", "agent.smith@example.com"]
    assert ([s for s in shown if s not in page], [h for h in hidden if h in page]) == ([], [])


def test_a_resident_with_nothing_yet_is_told_so(client, db):
    newcomer = UserFactory(email="new.here@example.com")
    sign_in(client, newcomer)
    page = client.get(reverse("personal_data:home")).text
    # Every kind of the 15 but the account itself and its email address.
    assert page.count("We hold nothing of this kind about you.") == 13


@pytest.mark.parametrize("name", ["personal_data:home", "personal_data:download"])
def test_people_signed_out_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"].split("?")[0]) == (
        302,
        reverse("account_login"),
    )


@pytest.mark.browser
@pytest.mark.parametrize("width", [use_narrowest, use_desktop])
def test_your_data_in_a_browser_is_accessible_and_fits(page, resident, held, width):
    width(page)
    page.goto(reverse("accounts:home"))
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_role("link", name="See everything the portal holds about you").click()
    assert page.locator("h1").inner_text() == "Your data"
    assert_accessible(page, context="your data")
    assert_fits_width(page)
    screenshot(page, f"your-data-{width.__name__}")
