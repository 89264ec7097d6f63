"""An application's page leads with the one reason that decided it, and its emails say the same
(issue 16: decisions that say one thing): every outcome and status, a refusal with rules the rules
left unknown, a street with no parking zone, and a parking officer's decision."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from notifications.models import EmailNotification
from parking import permits, services, wording
from parking.evidence import evidence_upload
from parking.models import PermitApplication
from tests.parking.application_records import (
    LORRY,
    NO_ZONE_UPRN,
    NOT_FOUND,
    PERMIT_FREE_UPRN,
    load_borough,
)
from tests.parking.permit_helpers import approved_application, issued_permit
from tests.parking.test_application_views import apply_and_submit, url
from tests.parking.test_waiting_applications import sent_days_ago, waiting_for_proof

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
OFFICER_REASON = "The bill is for another address."


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def page_of(client, application) -> str:
    response = client.get(url("application", application.reference))
    assert response.status_code == 200
    return response.content.decode()


def lead(html: str) -> str:
    """The first paragraph under the page's h1 (or its panel), as the resident reads it."""
    after = html[html.index("</h1>") :]
    first = re.search(r"<p[^>]*>(.*?)</p>", after, re.DOTALL).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", first)).split())


def tags(html: str) -> list[str]:
    """The rules' labels under "How we decided"."""
    return [unescape(tag) for tag in re.findall(r'class="govuk-tag lbh-tag [^"]*">([^<]*)<', html)]


def received_email(application) -> EmailNotification:
    return EmailNotification.objects.get(
        event_key=f"parking:application-received:{application.reference}"
    )


def today() -> str:
    return f"{timezone.localdate():%-d %B %Y}"


# --- Decided by the rules -----------------------------------------------------------------------


def test_an_approved_page_leads_with_meeting_every_rule(signed_in, borough):
    application = apply_and_submit(signed_in)
    assert lead(page_of(signed_in, application)) == wording.APPROVED_BY_THE_RULES


def test_a_refused_page_shows_no_price(signed_in, borough):
    # A vehicle the records know, so a price was worked out; a refusal has nothing to pay for.
    application = apply_and_submit(signed_in, uprn=PERMIT_FREE_UPRN)
    assert (application.status, application.price_pence > 0) == (Status.NOT_ELIGIBLE, True)
    html = page_of(signed_in, application)
    assert [shown for shown in ("Price</dt>", "£") if shown in html] == []


def test_a_refused_page_leads_with_the_failed_rule_and_checks_nothing_else(signed_in, borough):
    # Car-free, and a vehicle the records do not have: refused for the first, the second unknown.
    application = apply_and_submit(signed_in, uprn=PERMIT_FREE_UPRN, registration=NOT_FOUND)
    assert application.status == Status.NOT_ELIGIBLE
    html = page_of(signed_in, application)
    assert lead(html) == wording.PERMIT_FREE
    assert "A person will check" not in html
    assert "Send us" not in html
    assert tags(html) == [
        "Met",
        "Met",
        "Not met",
        "Met",
        "Met",
        "Not checked",
        "Met",
    ]


def test_a_street_without_a_parking_zone_says_no_permit_is_needed(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=NO_ZONE_UPRN)
    html = page_of(signed_in, application)
    assert '<h1 class="lbh-heading-h1">You do not need a resident parking permit</h1>' in html
    assert lead(html) == wording.NO_ZONE


def test_a_vehicle_over_the_weight_limit_leads_with_its_weight_and_the_limit(signed_in, borough):
    application = apply_and_submit(signed_in, registration=LORRY)
    assert lead(page_of(signed_in, application)).endswith(
        "kg, over the 3,500 kg a resident permit allows."
    )


def test_a_page_needing_proof_leads_with_the_first_unknown_rule(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=None)
    html = page_of(signed_in, application)
    assert lead(html) == "We could not find your address in the council's address records."
    assert "A person will check" in html  # still true: a person will


def test_a_page_with_proof_received_still_leads_with_why_proof_was_asked(
    signed_in, resident, borough, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    waiting = waiting_for_proof(resident)
    evidence_upload(
        user=resident,
        reference=waiting.reference,
        kind="proof_of_address",
        files=[SimpleUploadedFile("bill.pdf", b"%PDF-1.7\n%%EOF\n")],
    )
    html = page_of(signed_in, waiting)
    assert "We have received your proof</h1>" in html
    assert lead(html) == (
        "We could not confirm that you live at your address from the council's records of who "
        "lives there now."
    )


# --- Statuses after the decision ----------------------------------------------------------------


def test_a_withdrawn_page_leads_with_the_withdrawal_and_checks_nothing(
    signed_in, resident, borough
):
    waiting = waiting_for_proof(resident)
    services.application_withdraw(user=resident, reference=waiting.reference)
    html = page_of(signed_in, waiting)
    assert lead(html) == f"You withdrew it on {today()}, so it will not be decided."
    assert "A person will check" not in html


def test_a_closed_page_leads_with_why_it_was_closed(signed_in, resident, borough):
    waiting = sent_days_ago(waiting_for_proof(resident), 21)
    services.applications_close_unproven()  # the reminder
    services.applications_close_unproven(now=timezone.now() + timedelta(days=8))
    waiting.refresh_from_db()
    assert waiting.status == Status.CLOSED_NO_PROOF
    html = page_of(signed_in, waiting)
    assert lead(html) == (
        f"We asked for proof, but none was sent within {settings.PERMIT_PROOF_WAIT_DAYS} days, "
        f"so we closed your application on {waiting.closed_at:%-d %B %Y}."
    )
    assert "A person will check" not in html


def test_a_lapsed_page_leads_with_why_it_lapsed(signed_in, resident, borough):
    application = approved_application(resident)
    PermitApplication.objects.filter(pk=application.pk).update(status=Status.LAPSED)
    assert lead(page_of(signed_in, application)) == (
        "Your application was approved, but it was not paid for within "
        f"{settings.PERMIT_PAYMENT_WINDOW_HOURS} hours, so it has lapsed."
    )


def test_an_issued_page_leads_with_the_permit(signed_in, resident, borough):
    permit = issued_permit(resident)
    html = page_of(signed_in, permit.application)
    assert lead(html) == (
        f"You paid for your approved application, so your permit {permit.number} is issued."
    )


# --- Decided by a parking officer ---------------------------------------------------------------


def test_an_officer_s_refusal_leads_with_their_reason_and_no_one_else_will_check(
    signed_in, resident, parking_officer, borough
):
    waiting = waiting_for_proof(resident)
    permits.application_mark_refused(application=waiting, by=parking_officer, reason=OFFICER_REASON)
    html = page_of(signed_in, waiting)
    assert lead(html) == (
        f"A parking officer checked your application and refused it on {today()}: {OFFICER_REASON}"
    )
    assert "A person will check" not in html
    assert "Checked by a parking officer" in tags(html)


def test_an_officer_s_approval_leads_with_their_reason_and_no_one_else_will_check(
    signed_in, resident, parking_officer, borough
):
    waiting = waiting_for_proof(resident)
    permits.application_mark_approved(application=waiting, by=parking_officer, reason="Bill seen")
    html = page_of(signed_in, waiting)
    assert lead(html) == (
        f"A parking officer checked your application and approved it on {today()}: Bill seen."
    )
    assert "A person will check" not in html
    assert "Checked by a parking officer" in tags(html)


# --- The emails say what the page says ----------------------------------------------------------


def test_a_refusal_email_leads_with_the_page_s_reason_and_labels(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=PERMIT_FREE_UPRN, registration=NOT_FOUND)
    html = page_of(signed_in, application)
    sent = received_email(application)
    assert lead(html) in sent.body_text
    assert "- Your vehicle: Not checked." in sent.body_text
    assert "A person will check" not in sent.body_text


def test_a_street_without_a_zone_is_emailed_as_no_permit_needed(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=NO_ZONE_UPRN)
    sent = received_email(application)
    assert lead(page_of(signed_in, application)) in sent.body_text
    assert "You do not need a resident parking permit</h1>" in sent.body_html
    assert sent.subject.endswith(": you do not need a permit on your street")


def test_needing_proof_is_emailed_with_the_page_s_reason_and_labels(signed_in, borough):
    application = apply_and_submit(signed_in, uprn=None)
    sent = received_email(application)
    assert lead(page_of(signed_in, application)) in sent.body_text
    assert "- Your address: A person will check. We could not find your address" in sent.body_text


def test_an_officer_s_refusal_email_leads_with_the_page_s_reason(
    signed_in, resident, parking_officer, borough
):
    waiting = waiting_for_proof(resident)
    permits.application_mark_refused(application=waiting, by=parking_officer, reason=OFFICER_REASON)
    sent = EmailNotification.objects.get(
        event_key=f"parking:application-refused:{waiting.reference}"
    )
    assert lead(page_of(signed_in, waiting)) in sent.body_text
    assert "- Living at the address: Checked by a parking officer." in sent.body_text
    assert "A person will check" not in sent.body_text


def test_an_officer_s_approval_email_leads_with_the_page_s_reason(
    signed_in, resident, parking_officer, borough
):
    waiting = waiting_for_proof(resident)
    permits.application_mark_approved(application=waiting, by=parking_officer, reason="Bill seen")
    sent = EmailNotification.objects.get(
        event_key=f"parking:application-decided:{waiting.reference}:approved"
    )
    assert lead(page_of(signed_in, waiting)) in sent.body_text
    assert "A person will check" not in sent.body_text
