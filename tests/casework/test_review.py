"""The parking officer's review queue: the applications the rules left for a person, those
with proof first (oldest proof first), then the rest oldest first, with why and the evidence
beside them; a decision (approve or refuse, with a reason) made once, emailed, audited, and
shown to the resident and in the case view."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from casework.selectors import REVIEW_PER_PAGE
from parking import permits
from parking.exceptions import ApplicationAlreadyDecided, DecisionReasonMissing
from parking.models import PermitApplication
from tests.casework.cases import (
    HOME_UPRN,
    application_at,
    load_case,
    property_url,
    send_evidence,
)
from tests.factories import make_staff
from tests.helpers import sign_in

QUEUE = reverse("casework:review_queue")
Status = PermitApplication.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def waiting(db):
    application = application_at(HOME_UPRN)
    send_evidence(application)
    return application


def second_officer():
    return make_staff("parking_officer", email="second.officer@example.com")


def decide_url(application) -> str:
    return reverse("casework:review_decide", kwargs={"reference": application.reference})


def page(response) -> str:
    return " ".join(response.content.decode().split())


def submitted_ago(application, days: int) -> None:
    PermitApplication.objects.filter(pk=application.pk).update(
        submitted_at=timezone.now() - timedelta(days=days)
    )


# --- Who may ---------------------------------------------------------------------------------


def test_an_agent_is_refused_the_queue_and_the_decision(client, agent, waiting):
    sign_in(client, agent)
    assert client.get(QUEUE).status_code == 403
    response = client.post(decide_url(waiting), {"outcome": "approve", "reason": "Looks right"})
    assert response.status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_a_parking_officer_sees_the_queue(client, parking_officer, waiting):
    sign_in(client, parking_officer)
    html = page(client.get(QUEUE))
    assert waiting.reference in html
    # Which rule a person must check, and why.
    assert (
        "Lives at the address</strong> (unknown: a person decides): We could not match your "
        "name to the people at this address." in html
    )
    evidence = waiting.evidence_files.get()
    assert reverse("casework:review_evidence", args=[waiting.reference, evidence.public_id]) in html
    decision_page = page(client.get(decide_url(waiting)))
    assert f'href="{property_url()}">Open the case for this address</a>' in decision_page


# --- The queue ---------------------------------------------------------------------------------


def test_the_queue_is_oldest_first_and_only_what_is_waiting(client, parking_officer, db):
    newest = application_at(HOME_UPRN, registration="LB19NEW")
    oldest = application_at(HOME_UPRN, registration="LB19OLD")
    middle = application_at(HOME_UPRN, registration="LB19MID")
    decided = application_at(HOME_UPRN, registration="LB19DEC")
    for application, days in ((newest, 1), (oldest, 9), (middle, 5), (decided, 20)):
        submitted_ago(application, days)
    PermitApplication.objects.filter(pk=decided.pk).update(status=Status.APPROVED)
    sign_in(client, parking_officer)
    html = page(client.get(QUEUE))
    assert decided.reference not in html
    positions = [html.index(a.reference) for a in (oldest, middle, newest)]
    assert positions == sorted(positions)


def proof_received_ago(application, days: int) -> None:
    send_evidence(application)
    PermitApplication.objects.filter(pk=application.pk).update(
        evidence_received_at=timezone.now() - timedelta(days=days)
    )


def test_applications_with_proof_come_first_oldest_proof_first(client, parking_officer, db):
    no_proof = application_at(HOME_UPRN, registration="LB19NOP")
    recent_proof = application_at(HOME_UPRN, registration="LB19RCT")
    older_proof = application_at(HOME_UPRN, registration="LB19OLD")
    for application, days in ((no_proof, 20), (recent_proof, 10), (older_proof, 2)):
        submitted_ago(application, days)
    proof_received_ago(recent_proof, 1)
    proof_received_ago(older_proof, 2)
    sign_in(client, parking_officer)

    html = page(client.get(QUEUE))

    positions = [html.index(a.reference) for a in (older_proof, recent_proof, no_proof)]
    assert positions == sorted(positions)


def test_the_queue_says_when_proof_arrived_or_that_none_has(client, parking_officer, db):
    with_proof = application_at(HOME_UPRN, registration="LB19PRF")
    without = application_at(HOME_UPRN, registration="LB19NOP")
    send_evidence(with_proof)
    with_proof.refresh_from_db()
    sign_in(client, parking_officer)

    html = page(client.get(QUEUE))

    arrived = timezone.localtime(with_proof.evidence_received_at)
    assert f"{with_proof.reference}: LB19PRF, proof received {arrived:%-d %b %Y}</h2>" in html
    assert (
        f'Proof received</dt><dd class="govuk-summary-list__value">{arrived:%-d %b %Y %H:%M}'
        in html
    )
    waiting_since = timezone.localtime(without.submitted_at)
    assert (
        f"{without.reference}: LB19NOP, no proof yet, waiting since {waiting_since:%-d %b %Y}"
        in html
    )


def test_the_queue_is_paginated_in_the_same_queries_however_long(client, parking_officer, db):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured)

    sign_in(client, parking_officer)
    first = application_at(HOME_UPRN)
    send_evidence(first)
    queries()  # the session's first staff request notes the time (once a minute)
    few = queries()
    for _ in range(REVIEW_PER_PAGE + 4):
        send_evidence(application_at(HOME_UPRN))
    many = queries()
    assert many == few
    second = page(client.get(QUEUE + "?page=2"))
    assert "Page 2 of 2" in second
    assert first.reference not in page(client.get(QUEUE + "?page=2"))  # oldest is on page 1


def test_the_evidence_is_downloaded_from_the_queue_and_audited(client, parking_officer, waiting):
    sign_in(client, parking_officer)
    evidence = waiting.evidence_files.get()
    url = reverse("casework:review_evidence", args=[waiting.reference, evidence.public_id])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == (
        "nosniff",
        "private, no-store",
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EVIDENCE_DOWNLOAD)
    assert (entry.actor, entry.reason, entry.uprn) == (
        parking_officer,
        "Reviewing an application",
        HOME_UPRN,
    )


def test_another_application_s_evidence_is_not_found_through_this_one(
    client, parking_officer, waiting
):
    other = application_at(HOME_UPRN, registration="LB19OTH")
    evidence = send_evidence(other)
    sign_in(client, parking_officer)
    url = reverse("casework:review_evidence", args=[waiting.reference, evidence.public_id])
    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.exists()


# --- Deciding ----------------------------------------------------------------------------------


def test_approving_lets_the_resident_pay_emails_them_and_is_audited(
    client, parking_officer, waiting, django_capture_on_commit_callbacks
):
    sign_in(client, parking_officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(waiting), {"outcome": "approve", "reason": "Council tax bill in their name"}
        )
    assert response["Location"] == QUEUE
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert waiting.approved_at is not None
    officer = waiting.decision["officer"]
    assert (officer["outcome"], officer["reason"], officer["by"]) == (
        "approved",
        "Council tax bill in their name",
        parking_officer.email,
    )
    assert waiting.decision["rules"][1]["outcome"] == "unknown"  # the rules' results kept
    [sent] = mail.outbox
    assert sent.to == [waiting.user.email]
    assert "and approved it" in sent.body
    entry = AuditEntry.objects.get(action=AuditEntry.Action.APPLICATION_DECIDE)
    assert (entry.actor, entry.reason, entry.uprn, entry.detail) == (
        parking_officer,
        "Council tax bill in their name",
        HOME_UPRN,
        {"application": waiting.reference, "outcome": "approved"},
    )


def test_with_no_tariff_in_force_approving_says_so_and_changes_nothing(
    client, parking_officer, waiting, django_capture_on_commit_callbacks
):
    from parking.models import Tariff

    Tariff.objects.all().delete()  # a gap left in the tariffs: the permit cannot be priced
    sign_in(client, parking_officer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(waiting), {"outcome": "approve", "reason": "Council tax bill in their name"}
        )

    assert response.status_code == 200
    html = page(response)
    assert "Prices cannot be worked out: no parking tariff is in force" in html
    assert "Contact the parking team" in html
    assert "Nothing was changed." in html
    waiting.refresh_from_db()
    assert (waiting.status, waiting.approved_at) == (Status.NEEDS_EVIDENCE, None)
    assert "officer" not in waiting.decision
    assert not mail.outbox
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_refusing_emails_the_resident_the_reason_and_is_audited(
    client, parking_officer, waiting, django_capture_on_commit_callbacks
):
    sign_in(client, parking_officer)
    mail.outbox.clear()
    reason = "The bill sent is for a different address."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(waiting), {"outcome": "refuse", "reason": reason})
    waiting.refresh_from_db()
    assert waiting.status == Status.NOT_ELIGIBLE
    assert waiting.approved_at is None
    [sent] = mail.outbox
    assert sent.subject == f"Your parking permit application {waiting.reference} is refused"
    decided_on = f"{timezone.localdate():%-d %B %Y}"
    assert f"and refused it on {decided_on}: {reason}" in sent.body
    assert reason in sent.alternatives[0][0]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.APPLICATION_DECIDE)
    assert entry.detail == {"application": waiting.reference, "outcome": "refused"}


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "Fine"}, "Select whether to approve or refuse the application"),
        ({"outcome": "approve"}, "Enter the reason for your decision"),
        ({"outcome": "refuse", "reason": "   "}, "Enter the reason for your decision"),
        ({"outcome": "refuse", "reason": "x" * 1001}, "The reason must be 1,000 characters"),
    ],
)
def test_a_decision_needs_an_outcome_and_a_reason(client, parking_officer, waiting, data, error):
    sign_in(client, parking_officer)
    response = client.post(decide_url(waiting), data)
    assert response.status_code == 200
    assert error in page(response)
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE
    assert "officer" not in waiting.decision
    # No decision, but the officer saw the application again: that look is kept.
    (entry,) = AuditEntry.objects.all()
    assert (entry.action, entry.subject) == (AuditEntry.Action.APPLICATION_VIEW, waiting.reference)


def test_the_reason_states_its_limit_and_the_browser_is_not_told_to_cut_it(
    client, parking_officer, waiting
):
    sign_in(client, parking_officer)
    html = page(client.get(decide_url(waiting)))
    field = re.search(r'<textarea[^>]*name="reason"[^>]*>', html).group(0)
    assert ("Up to 1,000 characters" in html, "maxlength" in field) == (True, False)


def test_a_decided_application_cannot_be_decided_again(client, parking_officer, waiting):
    other_officer = second_officer()
    stale = PermitApplication.objects.get(pk=waiting.pk)  # read before the first decision
    permits.application_mark_refused(application=waiting, by=other_officer, reason="No proof")
    with pytest.raises(ApplicationAlreadyDecided):
        permits.application_mark_approved(application=stale, by=parking_officer, reason="OK")

    sign_in(client, parking_officer)
    response = client.post(decide_url(waiting), {"outcome": "approve", "reason": "Proof is fine"})
    html = page(response)
    assert "Record the decision" not in html  # the page now shows the decision made
    assert "Refused by " + other_officer.email in html
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decision["officer"]["by"]) == (
        Status.NOT_ELIGIBLE,
        other_officer.email,
    )
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_a_decision_posted_from_a_stale_page_is_told_and_changes_nothing(
    client, parking_officer, waiting, monkeypatch
):
    """Two officers on the same page: the second's form is valid, but the service finds the
    application decided (the row lock) and the officer is told."""
    from casework import review_views

    real = review_views.application_for_decision

    def decided_meanwhile(*, reference):
        seen = real(reference=reference)  # read before the other officer's decision
        permits.application_mark_approved(
            application=PermitApplication.objects.get(reference=reference),
            by=second_officer(),
            reason="Fine",
        )
        return seen

    monkeypatch.setattr(review_views, "application_for_decision", decided_meanwhile)
    sign_in(client, parking_officer)
    response = client.post(decide_url(waiting), {"outcome": "refuse", "reason": "Wrong address"})
    assert f"{waiting.reference} has already been decided: it is approved" in page(response)
    waiting.refresh_from_db()
    assert waiting.status == Status.APPROVED
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.APPLICATION_DECIDE).exists()


def test_refusing_without_a_reason_is_refused_by_the_service(waiting, parking_officer):
    with pytest.raises(DecisionReasonMissing):
        permits.application_mark_refused(application=waiting, by=parking_officer, reason=" ")
    waiting.refresh_from_db()
    assert waiting.status == Status.NEEDS_EVIDENCE


def test_an_unknown_or_draft_application_is_not_found(client, parking_officer, waiting):
    PermitApplication.objects.filter(pk=waiting.pk).update(status=Status.DRAFT)
    sign_in(client, parking_officer)
    assert client.get(decide_url(waiting)).status_code == 404
    assert client.get(reverse("casework:review_decide", args=["PANOPE1234"])).status_code == 404


# --- Shown to the resident and in the case view -------------------------------------------------


def test_the_decision_is_shown_on_your_applications_and_in_the_case_view(
    client, parking_officer, db
):
    application, _ = load_case()
    permits.application_mark_refused(
        application=application, by=parking_officer, reason="The bill is for another address."
    )
    sign_in(client, application.user)
    mine = page(client.get(reverse("parking:applications")))
    assert "Refused by a parking officer on" in mine
    assert "The bill is for another address." in mine
    assert parking_officer.email not in mine  # residents are not told who
    detail = page(client.get(reverse("parking:application", args=[application.reference])))
    assert "You cannot get a resident parking permit" in detail
    assert "A parking officer checked your application and refused it on" in detail
    assert "The bill is for another address." in detail

    client.logout()
    sign_in(client, parking_officer)
    client.post(property_url(), {"reason": "application"})
    case = page(client.get(property_url()))
    assert f"Refused by {parking_officer.email}" in case
    assert "The bill is for another address." in case


def test_the_staff_pages_link_parking_officers_to_the_queue(client, parking_officer, agent):
    sign_in(client, parking_officer)
    link = f'href="{QUEUE}">Applications to review</a>'
    assert link in client.get(reverse("casework:home")).content.decode()
    client.logout()
    sign_in(client, agent)
    assert link not in client.get(reverse("casework:home")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_at_once_make_one_decision(settings, tmp_path):
    """Officer A holds the application (mid-decision); officer B's refusal waits on the row lock
    and, once A's approval commits, finds it decided and changes nothing."""
    application = application_at(HOME_UPRN)
    officer_b = second_officer()
    outcome = {}

    def officer_b_refuses():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                outcome["pid"] = cursor.fetchone()[0]
            permits.application_mark_refused(application=application, by=officer_b, reason="No")
        except ApplicationAlreadyDecided as refused:
            outcome["refused"] = refused
        except Exception as other:
            outcome["other"] = repr(other)
        finally:
            connection.close()

    with transaction.atomic():
        PermitApplication.objects.select_for_update().get(pk=application.pk)
        other = threading.Thread(target=officer_b_refuses)
        other.start()
        waiting_on_the_lock(timeout=10, outcome=outcome)
        PermitApplication.objects.filter(pk=application.pk).update(status=Status.APPROVED)
    other.join(timeout=10)

    assert set(outcome) == {"pid", "refused"}, outcome
    application.refresh_from_db()
    assert application.status == Status.APPROVED
    assert "officer" not in application.decision


def waiting_on_the_lock(*, timeout: float, outcome) -> None:
    """Until the other officer's connection is blocked by this one (PostgreSQL says so)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            if "pid" in outcome:
                cursor.execute(
                    "SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [outcome["pid"]]
                )
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.01)
    raise AssertionError(f"the second officer never waited on the lock: {outcome}")


def test_each_look_at_the_queue_and_at_an_application_is_audited(client, parking_officer, waiting):
    sign_in(client, parking_officer)
    client.get(QUEUE)
    client.get(decide_url(waiting))
    looks = list(AuditEntry.objects.order_by("id").values_list("action", "reason", "subject"))
    assert looks == [
        (AuditEntry.Action.REVIEW_QUEUE_VIEW, "Reviewing an application", "page 1"),
        (AuditEntry.Action.APPLICATION_VIEW, "Reviewing an application", waiting.reference),
    ]
    assert AuditEntry.objects.get(action=AuditEntry.Action.REVIEW_QUEUE_VIEW).detail == {
        "applications": [waiting.reference]
    }


def test_a_decision_whose_audit_entry_cannot_be_written_is_not_made(
    client, parking_officer, waiting, monkeypatch
):
    from casework import review_views

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(review_views, "audit_record", audit_fails)
    sign_in(client, parking_officer)
    client.raise_request_exception = False
    response = client.post(decide_url(waiting), {"outcome": "approve", "reason": "Proof is fine"})
    assert response.status_code == 500
    waiting.refresh_from_db()
    assert (waiting.status, "officer" in waiting.decision) == (Status.NEEDS_EVIDENCE, False)
