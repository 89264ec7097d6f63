"""Permits flagged because their holder may have moved reach the parking officers who act on
them: the list (oldest flag first, audited, the same queries however long), and the decision
on one (clear the flag or cancel the permit, with a reason), made once and audited with it."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import AuditEntry
from casework.selectors import FLAGGED_PER_PAGE
from notifications.models import EmailNotification
from parking import permits
from parking.models import Permit, PermitEvent, Refund
from tests.casework.cases import HOME_UPRN, permit_at, property_url
from tests.factories import make_staff
from tests.helpers import sign_in
from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import issued_permit

FLAGGED = reverse("casework:flagged_permits")
Action = AuditEntry.Action


@pytest.fixture
def flagged(db):
    return permit_at(HOME_UPRN, flagged=True)


@pytest.fixture
def paid_and_flagged(resident):
    """A paid permit (so a cancellation has something to refund), flagged."""
    load_borough()
    permit = issued_permit(resident)
    Permit.objects.filter(pk=permit.pk).update(flagged_at=timezone.now(), flag_reason="Moved")
    return permit


def decide_url(permit) -> str:
    return reverse("casework:flag_decide", kwargs={"number": permit.number})


def page(response) -> str:
    return " ".join(response.content.decode().split())


def flagged_ago(permit, days: int) -> None:
    Permit.objects.filter(pk=permit.pk).update(flagged_at=timezone.now() - timedelta(days=days))


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# --- Who may ---------------------------------------------------------------------------------


def test_an_agent_is_refused_the_list_and_the_decision(client, agent, flagged):
    sign_in(client, agent)
    assert client.get(FLAGGED).status_code == 403
    response = client.post(decide_url(flagged), {"outcome": "clear", "reason": "Still there"})
    assert response.status_code == 403
    flagged.refresh_from_db()
    assert flagged.flagged_at is not None


def test_the_staff_pages_link_parking_officers_to_the_flagged_permits(
    client, parking_officer, agent
):
    link = f'href="{FLAGGED}">Flagged permits</a>'
    sign_in(client, parking_officer)
    assert link in client.get(reverse("casework:home")).content.decode()
    assert link in client.get(reverse("casework:review_queue")).content.decode()
    client.logout()
    sign_in(client, agent)
    assert link not in client.get(reverse("casework:home")).content.decode()


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_what_an_officer_needs_and_links_to_the_case(
    client, parking_officer, flagged
):
    sign_in(client, parking_officer)
    html = page(client.get(FLAGGED))
    for shown in (
        flagged.number,
        "LB19PET",
        "1 Mare Street, London, E8 1DY",
        f"Portal account {flagged.user.email}",
        "records no longer show the permit holder at the address",
        f'href="{property_url()}">Open the case for this address',
        f'href="{decide_url(flagged)}">Decide {flagged.number}</a>',
    ):
        assert shown in html


def test_the_list_is_oldest_flag_first_and_only_active_flagged_permits(client, parking_officer, db):
    newest = permit_at(HOME_UPRN, registration="LB19NEW", flagged=True)
    oldest = permit_at(HOME_UPRN, registration="LB19OLD", flagged=True)
    cancelled = permit_at(HOME_UPRN, registration="LB19CAN", flagged=True)
    not_flagged = permit_at(HOME_UPRN, registration="LB19NOT")
    flagged_ago(newest, 1)
    flagged_ago(oldest, 9)
    Permit.objects.filter(pk=cancelled.pk).update(status="cancelled", cancelled_at=timezone.now())
    sign_in(client, parking_officer)
    html = page(client.get(FLAGGED))
    assert [p.number in html for p in (cancelled, not_flagged)] == [False, False]
    assert html.index(oldest.number) < html.index(newest.number)


def test_the_list_is_paginated_in_the_same_queries_however_long(client, parking_officer, db):
    sign_in(client, parking_officer)
    permit_at(HOME_UPRN, registration="LB19A00", flagged=True)
    count_queries(client, FLAGGED)  # the session's first staff request notes the time
    few = count_queries(client, FLAGGED)
    for number in range(FLAGGED_PER_PAGE + 3):
        permit_at(HOME_UPRN, registration=f"LB19B{number:02d}", flagged=True)
    many = count_queries(client, FLAGGED)
    # Signed-in staff cost 5 (the session, the user, the authenticator, two permission reads);
    # the list 3: the count, the page with its holders, the audit entry.
    assert (few, many) == (8, 8)
    assert "Page 2 of 2" in page(client.get(FLAGGED + "?page=2"))


def test_each_look_at_the_list_and_at_a_permit_is_audited(client, parking_officer, flagged):
    sign_in(client, parking_officer)
    client.get(FLAGGED)
    client.get(decide_url(flagged))
    looks = list(AuditEntry.objects.order_by("id").values_list("action", "subject", "uprn"))
    assert looks == [
        (Action.FLAGGED_PERMITS_VIEW, "page 1", None),
        (Action.FLAGGED_PERMIT_VIEW, flagged.number, HOME_UPRN),
    ]
    assert AuditEntry.objects.get(action=Action.FLAGGED_PERMITS_VIEW).detail == {
        "permits": [flagged.number]
    }


# --- Deciding ----------------------------------------------------------------------------------


def test_the_decision_page_is_shown_in_the_same_queries(client, parking_officer, flagged):
    sign_in(client, parking_officer)
    count_queries(client, FLAGGED)
    # Signed-in staff cost 5 (see above); the page 6: the permit with its holder, its history
    # with its authors, the move its holder told us of (none here), the audit entry, and the
    # cancellation's refund: the permit's payments, and the refunds of its vehicle changes.
    assert count_queries(client, decide_url(flagged)) == 11


def test_clearing_the_flag_keeps_the_permit_and_is_audited(client, parking_officer, flagged):
    sign_in(client, parking_officer)
    response = client.post(
        decide_url(flagged), {"outcome": "clear", "reason": "Saw a council tax bill dated May"}
    )
    assert response["Location"] == FLAGGED
    flagged.refresh_from_db()
    assert (flagged.status, flagged.flagged_at) == ("active", None)
    assert flagged.events.get(kind=PermitEvent.Kind.FLAG_CLEARED).by == parking_officer
    entry = AuditEntry.objects.get(action=Action.PERMIT_FLAG_DECIDE)
    assert (entry.actor, entry.reason, entry.uprn, entry.person_ref, entry.detail) == (
        parking_officer,
        "Saw a council tax bill dated May",
        HOME_UPRN,
        "P1",
        {"permit": flagged.number, "outcome": "cleared"},
    )
    assert f"{flagged.number} is checked: the flag is cleared" in page(client.get(FLAGGED))


def test_cancelling_refunds_emails_and_is_audited(client, parking_officer, resident):
    load_borough()
    permit = issued_permit(resident)
    Permit.objects.filter(pk=permit.pk).update(flagged_at=timezone.now(), flag_reason="Moved")
    sign_in(client, parking_officer)
    client.post(decide_url(permit), {"outcome": "cancel", "reason": "New tenants since April"})
    permit.refresh_from_db()
    refund = Refund.objects.get(permit=permit)
    assert (permit.status, refund.amount_pence) == ("cancelled", 11 * permit.price_pence // 12)
    assert EmailNotification.objects.filter(
        event_key=f"parking:permit-cancelled:{permit.number}", to=resident.email
    ).exists()
    entry = AuditEntry.objects.get(action=Action.PERMIT_FLAG_DECIDE)
    assert entry.detail == {
        "permit": permit.number,
        "outcome": "cancelled",
        "refund_pence": refund.amount_pence,
    }


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": "Fine"}, "Select whether to clear the flag or cancel the permit"),
        ({"outcome": "clear"}, "Enter the reason for your decision"),
        ({"outcome": "cancel", "reason": "   "}, "Enter the reason for your decision"),
        ({"outcome": "cancel", "reason": "x" * 301}, "The reason must be 300 characters"),
    ],
)
def test_a_decision_needs_an_outcome_and_a_reason(client, parking_officer, flagged, data, error):
    sign_in(client, parking_officer)
    response = client.post(decide_url(flagged), data)
    assert error in page(response)
    flagged.refresh_from_db()
    assert (flagged.status, flagged.flagged_at is not None) == ("active", True)
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [Action.FLAGGED_PERMIT_VIEW]


def test_the_reason_states_its_limit_and_the_browser_is_not_told_to_cut_it(
    client, parking_officer, flagged
):
    sign_in(client, parking_officer)
    html = page(client.get(decide_url(flagged)))
    field = re.search(r'<textarea[^>]*name="reason"[^>]*>', html).group(0)
    assert ("Up to 300 characters" in html, "maxlength" in field) == (True, False)


def test_a_second_decision_is_told_the_first_and_changes_nothing(client, parking_officer, flagged):
    other = make_staff("parking_officer", email="first.officer@example.com")
    permits.permit_flag_clear(number=flagged.number, by=other, reason="Still there")
    sign_in(client, parking_officer)
    response = client.post(decide_url(flagged), {"outcome": "cancel", "reason": "Moved out"})
    html = page(response)
    assert f"{flagged.number} has already been decided, by {other.email}" in html
    assert "Nothing was changed." in html
    assert "Record the decision" not in html
    flagged.refresh_from_db()
    assert flagged.status == "active"
    assert not AuditEntry.objects.filter(action=Action.PERMIT_FLAG_DECIDE).exists()


@pytest.mark.parametrize(
    ("outcome", "said", "kind"),
    [("cancel", "cancelled", PermitEvent.Kind.CANCELLED), ("clear", "cleared", "flag_cleared")],
)
def test_a_double_click_shows_the_decision_made_not_an_error(
    client, parking_officer, paid_and_flagged, outcome, said, kind
):
    flagged = paid_and_flagged
    sign_in(client, parking_officer)
    decision = {"outcome": outcome, "reason": "Checked the council tax records"}
    client.post(decide_url(flagged), decision)

    html = page(client.post(decide_url(flagged), decision, follow=True))

    made = PermitEvent.objects.get(permit=flagged, kind=kind)
    when = f"{timezone.localtime(made.at):%-d %b %Y %H:%M}"
    assert (
        f"{flagged.number} is {said}: decided by {parking_officer.email} on {when}: "
        f"{made.description}"
    ) in html.replace("&#x27;", "'")


def test_a_double_click_decides_and_audits_once(client, parking_officer, paid_and_flagged):
    flagged = paid_and_flagged
    sign_in(client, parking_officer)
    decision = {"outcome": "cancel", "reason": "Moved out"}
    client.post(decide_url(flagged), decision)
    client.post(decide_url(flagged), decision)
    assert (
        PermitEvent.objects.filter(permit=flagged, kind=PermitEvent.Kind.CANCELLED).count(),
        AuditEntry.objects.filter(action=Action.PERMIT_FLAG_DECIDE).count(),
    ) == (1, 1)


def test_a_decision_posted_from_a_stale_page_is_told_and_changes_nothing(
    client, parking_officer, flagged, monkeypatch
):
    """Two officers on the same page: the second's form is valid, but the service finds the
    flag cleared (under the permit's lock) and the officer is told."""
    from casework import flag_views

    real = flag_views.permit_for_officer
    other = make_staff("parking_officer", email="first.officer@example.com")

    def decided_meanwhile(*, number):
        seen = real(number=number)  # read before the other officer's decision
        if not PermitEvent.objects.filter(kind=PermitEvent.Kind.FLAG_CLEARED).exists():
            permits.permit_flag_clear(number=number, by=other, reason="Still there")
        return seen

    monkeypatch.setattr(flag_views, "permit_for_officer", decided_meanwhile)
    sign_in(client, parking_officer)
    response = client.post(decide_url(flagged), {"outcome": "cancel", "reason": "Moved out"})
    assert f"{flagged.number} has already been decided, by {other.email}" in page(response)
    flagged.refresh_from_db()
    assert (flagged.status, Refund.objects.filter(reason="cancelled").count()) == ("active", 0)


def test_a_permit_never_flagged_has_nothing_to_decide(client, parking_officer, db):
    permit = permit_at(HOME_UPRN)
    sign_in(client, parking_officer)
    response = client.post(decide_url(permit), {"outcome": "cancel", "reason": "Moved out"})
    assert f"{permit.number} is not flagged for a parking officer" in page(response)
    permit.refresh_from_db()
    assert permit.status == "active"


def test_an_unknown_permit_is_not_found(client, parking_officer, db):
    sign_in(client, parking_officer)
    url = reverse("casework:flag_decide", kwargs={"number": "PP-NOPE-1234"})
    assert client.get(url).status_code == 404


def test_a_decision_whose_audit_entry_cannot_be_written_is_not_made(
    client, parking_officer, flagged, monkeypatch
):
    from casework import flag_views

    def audit_fails(**kwargs):
        raise RuntimeError("the audit log cannot be written")

    monkeypatch.setattr(flag_views, "audit_record", audit_fails)
    sign_in(client, parking_officer)
    client.raise_request_exception = False
    response = client.post(decide_url(flagged), {"outcome": "clear", "reason": "Still there"})
    assert response.status_code == 500
    flagged.refresh_from_db()
    assert (flagged.flagged_at is not None, flagged.events.count()) == (True, 2)
