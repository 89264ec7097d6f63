"""A flagged permit whose holder told us their new address: the parking officer sees it and,
within the permit's zone, can move the permit there (a decision like the others: once, with a
reason, audited). Another zone, or out of Hackney, is not offered the move and says why."""

import pytest
from django.urls import reverse

from casework.models import AuditEntry
from notifications.models import EmailNotification
from parking.models import PermitEvent
from tests.helpers import sign_in
from tests.parking.application_records import APPROVED_UPRN, NO_ZONE_UPRN, NOBODY_UPRN
from tests.parking.moves import load_homes_to_move_to, report_move
from tests.parking.permit_helpers import issued_permit

Action = AuditEntry.Action
FLAGGED = reverse("casework:flagged_permits")


@pytest.fixture
def permit(db, resident):
    load_homes_to_move_to()
    return issued_permit(resident)


def decide_url(permit) -> str:
    return reverse("casework:flag_decide", kwargs={"number": permit.number})


def page(response) -> str:
    return " ".join(response.content.decode().split())


def test_the_officer_sees_the_new_address_and_may_move_the_permit(
    client, parking_officer, resident, permit
):
    report_move(resident, permit, uprn=NOBODY_UPRN)
    sign_in(client, parking_officer)
    html = page(client.get(decide_url(permit)))
    assert "4 Mare Street, E8 1DY (UPRN 10004, zone A)" in html
    assert "Do not show the holder there" in html
    assert "Move the permit to the new address" in html
    assert "4 Mare Street, E8 1DY" in page(client.get(FLAGGED))


def test_moving_the_permit_is_audited_and_emailed(client, parking_officer, resident, permit):
    move = report_move(resident, permit, uprn=NOBODY_UPRN)
    sign_in(client, parking_officer)

    response = client.post(decide_url(permit), {"outcome": "move", "reason": "Saw the lease"})

    assert response["Location"] == FLAGGED
    permit.refresh_from_db()
    assert (permit.uprn, permit.flagged_at) == (NOBODY_UPRN, None)
    assert permit.events.get(kind=PermitEvent.Kind.MOVED).by == parking_officer
    entry = AuditEntry.objects.get(action=Action.PERMIT_FLAG_DECIDE)
    assert (entry.reason, entry.detail) == (
        "Saw the lease",
        {
            "permit": permit.number,
            "outcome": "moved",
            "move": move.pk,
            "new_uprn": NOBODY_UPRN,
            "new_address": "4 Mare Street, E8 1DY",
        },
    )
    assert EmailNotification.objects.filter(
        event_key__startswith=f"parking:permit-moved:{permit.number}:", to=resident.email
    ).exists()
    assert f"{permit.number} is moved to the new address" in page(client.get(FLAGGED))


def test_a_double_click_on_the_move_shows_the_decision_made(
    client, parking_officer, resident, permit
):
    report_move(resident, permit, uprn=NOBODY_UPRN)
    sign_in(client, parking_officer)
    client.post(decide_url(permit), {"outcome": "move", "reason": "Saw the lease"})
    response = client.post(
        decide_url(permit), {"outcome": "move", "reason": "Saw the lease"}, follow=True
    )
    assert f"{permit.number} is moved: decided by {parking_officer.email}" in page(response)
    assert permit.events.filter(kind=PermitEvent.Kind.MOVED).count() == 1
    assert AuditEntry.objects.filter(action=Action.PERMIT_FLAG_DECIDE).count() == 1


@pytest.mark.parametrize(
    ("where", "uprn", "why"),
    [
        ("other_zone", NO_ZONE_UPRN, "The new address is in no parking zone"),
        ("out_of_borough", None, "The resident moved out of Hackney"),
    ],
)
def test_a_move_the_portal_cannot_make_is_not_offered_and_says_why(
    client, parking_officer, resident, permit, where, uprn, why
):
    report_move(resident, permit, where=where, uprn=uprn)
    sign_in(client, parking_officer)
    assert "Move the permit to the new address" not in page(client.get(decide_url(permit)))
    assert why in page(client.get(decide_url(permit)))

    response = client.post(decide_url(permit), {"outcome": "move", "reason": "Moved"})

    assert why in page(response)
    assert "Nothing was changed." in page(response)
    permit.refresh_from_db()
    assert permit.flagged_at is not None
    assert not AuditEntry.objects.filter(action=Action.PERMIT_FLAG_DECIDE).exists()


def test_with_no_tariff_in_force_the_move_is_not_offered_says_why_and_changes_nothing(
    client, parking_officer, resident, permit
):
    from parking.models import Tariff

    report_move(resident, permit, uprn=NOBODY_UPRN)
    Tariff.objects.all().delete()  # a gap left in the tariffs: the move cannot be priced
    sign_in(client, parking_officer)

    response = client.get(decide_url(permit))
    assert response.status_code == 200
    html = page(response)
    assert "Prices cannot be worked out: no parking tariff is in force today" in html
    assert "Contact the parking team" in html
    assert "Move the permit to the new address" not in html

    response = client.post(decide_url(permit), {"outcome": "move", "reason": "Saw the lease"})

    assert response.status_code == 200
    html = page(response)
    assert "no parking tariff is in force today" in html
    assert "Nothing was changed." in html
    permit.refresh_from_db()
    assert (permit.uprn, permit.flagged_at is not None) == (APPROVED_UPRN, True)
    assert permit.moves.get().open
    assert not permit.events.filter(
        kind__in=(PermitEvent.Kind.MOVED, PermitEvent.Kind.MOVE_APPROVED)
    ).exists()
    assert not AuditEntry.objects.filter(action=Action.PERMIT_FLAG_DECIDE).exists()

    # Deciding without a price still can: the flag is cleared.
    response = client.post(decide_url(permit), {"outcome": "clear", "reason": "Still lives there"})
    assert response["Location"] == FLAGGED
