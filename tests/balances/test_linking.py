"""Linking a council tax account: the right details in any spelling link it, any wrong part
gets the same answer, failed attempts lock linking for an hour, and every attempt is recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from balances import services
from balances.exceptions import AccountNotLinked, LinkDetailsDoNotMatch, LinkLockedOut
from balances.models import AccountLink, LinkAttempt
from tests.balances.ledger import ARREARS, CLOSED, CREDIT, UP_TO_DATE, load_borough
from tests.factories import UserFactory, make_staff
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough():
    load_borough()


@pytest.mark.parametrize(
    ("account_ref", "postcode", "surname"),
    [
        (ARREARS, "E8 1DY", "O'Brien"),
        ("3001 2345", "e81dy", "obrien"),
        (" 30 01 23 45 ", "  E8   1dy ", "O\u2019BRIEN"),
        (ARREARS, "E81DY", "o brien"),
        (ARREARS, "e8 1DY", "van der Berg"),  # the joint liable person
        (ARREARS, "E8 1DY", "VANDERBERG"),
        (ARREARS, "E8 1DY", "Van-der-Berg"),
        (CREDIT, "E8 1DY", "mensah smith"),
        (CREDIT, "E8 1DY", "Mensah\u2013Smith"),
    ],
)
def test_the_right_details_in_any_spelling_link_the_account(
    borough, resident, account_ref, postcode, surname
):
    link = services.account_link(
        user=resident, account_ref=account_ref, postcode=postcode, surname=surname
    )
    assert link.user == resident
    assert AccountLink.objects.filter(user=resident).count() == 1
    attempt = LinkAttempt.objects.get()
    assert attempt.succeeded and attempt.reason == LinkAttempt.Reason.LINKED
    assert attempt.account_ref == "".join(account_ref.split())


def test_accents_are_ignored_either_way(borough, resident):
    services.account_link(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="VAN DER B\u00c9RG"
    )
    assert AccountLink.objects.filter(user=resident).exists()


@pytest.mark.parametrize(
    ("account_ref", "postcode", "surname", "reason"),
    [
        ("30099999", "E8 1DY", "O'Brien", LinkAttempt.Reason.UNKNOWN_ACCOUNT),
        (ARREARS, "E8 1NE", "O'Brien", LinkAttempt.Reason.WRONG_POSTCODE),
        (ARREARS, "E8 1DY", "Lovelace", LinkAttempt.Reason.WRONG_SURNAME),  # an occupant only
        (ARREARS, "E8 1DY", "Brien", LinkAttempt.Reason.WRONG_SURNAME),
        (ARREARS, "E8 1DY", "", LinkAttempt.Reason.WRONG_SURNAME),
        (CLOSED, "E8 1DY", "Mensah-Smith", LinkAttempt.Reason.ACCOUNT_CLOSED),
        (ARREARS, "E8 1DY", "Mensah-Smith", LinkAttempt.Reason.WRONG_SURNAME),
        ("40012345", "E8 1DY", "O'Brien", LinkAttempt.Reason.INVALID_ACCOUNT_REF),
    ],
)
def test_each_wrong_part_gets_the_same_answer(
    borough, resident, account_ref, postcode, surname, reason
):
    with pytest.raises(LinkDetailsDoNotMatch) as raised:
        services.account_link(
            user=resident, account_ref=account_ref, postcode=postcode, surname=surname
        )
    assert str(raised.value) == ""  # nothing about which part was wrong
    assert not AccountLink.objects.exists()
    attempt = LinkAttempt.objects.get()  # recorded for the contact centre, with the reason
    assert (attempt.user, attempt.succeeded, attempt.reason) == (resident, False, reason)


def test_an_account_ended_by_the_sync_cannot_be_linked(borough, resident):
    from balances.models import CouncilTaxAccount

    CouncilTaxAccount.objects.filter(account_ref=ARREARS).update(ended_at=timezone.now())
    with pytest.raises(LinkDetailsDoNotMatch):
        services.account_link(
            user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
        )
    assert LinkAttempt.objects.get().reason == LinkAttempt.Reason.ACCOUNT_CLOSED


def test_a_resident_may_link_several_accounts_and_linking_twice_is_harmless(borough, resident):
    for ref in (ARREARS, UP_TO_DATE, ARREARS):
        services.account_link(user=resident, account_ref=ref, postcode="E8 1DY", surname="O'Brien")
    assert AccountLink.objects.filter(user=resident).count() == 2
    assert LinkAttempt.objects.filter(succeeded=True).count() == 3


def _fail(user, ref=ARREARS, *, now=None):
    with pytest.raises(LinkDetailsDoNotMatch):
        services.account_link(
            user=user, account_ref=ref, postcode="E8 1DY", surname="Wrong", now=now
        )


def test_five_strangers_failing_on_an_account_do_not_lock_out_its_owner(borough, resident):
    """Issue 17: account numbers are printed on letters; whoever holds one must not be able to
    keep its owner out with five wrong tries."""
    start = timezone.now()
    for minute in range(5):
        _fail(UserFactory(), now=start + timedelta(minutes=minute))

    services.account_link(
        user=resident,
        account_ref="3001 2345",
        postcode="E8 1DY",
        surname="O'Brien",
        now=start + timedelta(minutes=10),
    )

    assert AccountLink.objects.filter(user=resident).count() == 1


def test_many_failures_by_others_pause_the_account_for_everyone_not_as_their_fault(
    borough, resident
):
    start = timezone.now()
    for minute in range(services.ACCOUNT_PAUSE_FAILURES):
        _fail(UserFactory(), now=start + timedelta(minutes=minute))
    # Even the right details are refused now, with when it opens again and why.
    with pytest.raises(LinkLockedOut) as raised:
        services.account_link(
            user=resident,
            account_ref="3001 2345",
            postcode="E8 1DY",
            surname="O'Brien",
            now=start + timedelta(minutes=30),
        )
    assert raised.value.until == start + timedelta(hours=1)
    assert raised.value.yours is False
    assert not AccountLink.objects.exists()
    refused = LinkAttempt.objects.filter(user=resident).get()
    assert refused.reason == LinkAttempt.Reason.ACCOUNT_PAUSED  # shown on the case view
    # Another account number is not paused for this resident.
    services.account_link(
        user=resident,
        account_ref=CREDIT,
        postcode="E8 1DY",
        surname="Mensah-Smith",
        now=start + timedelta(minutes=30),
    )
    # An hour after the first failure, the account opens again.
    services.account_link(
        user=resident,
        account_ref=ARREARS,
        postcode="E8 1DY",
        surname="O'Brien",
        now=start + timedelta(hours=1, seconds=1),
    )
    assert AccountLink.objects.filter(user=resident).count() == 2


def test_a_resident_paused_by_others_is_told_it_is_not_their_doing(client, borough, resident):
    for _ in range(services.ACCOUNT_PAUSE_FAILURES):
        _fail(UserFactory())
    client.force_login(resident)

    response = client.post(
        reverse("balances:link"),
        {"account_ref": ARREARS, "postcode": "E8 1DY", "surname": "O'Brien"},
    )

    page = " ".join(response.content.decode().split())
    assert "Linking this account is paused for its protection" in page
    assert "This is not because of anything you did" in page
    assert "tried too many times" not in page
    assert "020 8356 3000" in page


def test_five_failures_by_one_resident_across_accounts_lock_them_out(borough, resident):
    start = timezone.now()
    for minute, ref in enumerate(["30099991", "30099992", CREDIT, "30099994", "30099995"]):
        _fail(resident, ref, now=start + timedelta(minutes=minute))
    with pytest.raises(LinkLockedOut) as raised:
        services.account_link(
            user=resident,
            account_ref=ARREARS,
            postcode="E8 1DY",
            surname="O'Brien",
            now=start + timedelta(minutes=30),
        )
    assert raised.value.until == start + timedelta(hours=1)
    # Someone else may still link the account.
    services.account_link(
        user=UserFactory(),
        account_ref=ARREARS,
        postcode="E8 1DY",
        surname="O'Brien",
        now=start + timedelta(minutes=30),
    )


def test_the_lockout_lifts_when_old_failures_leave_the_hour(borough, resident):
    for _ in range(5):
        _fail(resident)
    with pytest.raises(LinkLockedOut):
        services.account_link(
            user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
        )
    # Refusals while locked out do not prolong it: move every attempt back an hour.
    LinkAttempt.objects.update(at=timezone.now() - timedelta(hours=1, minutes=1))
    services.account_link(user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien")
    assert AccountLink.objects.filter(user=resident).exists()


def test_four_failures_do_not_lock(borough, resident):
    for _ in range(4):
        _fail(resident)
    services.account_link(user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien")


def test_every_attempt_is_recorded_with_who_when_and_outcome(borough, resident):
    for _ in range(5):
        _fail(resident)
    with pytest.raises(LinkLockedOut):
        _fail(resident)
    attempts = list(LinkAttempt.objects.order_by("at", "pk"))
    assert len(attempts) == 6
    assert all(a.user == resident and a.account_ref == ARREARS for a in attempts)
    assert [a.reason for a in attempts] == [LinkAttempt.Reason.WRONG_SURNAME] * 5 + [
        LinkAttempt.Reason.LOCKED_OUT
    ]
    assert all(a.postcode == "E8 1DY" and not a.succeeded for a in attempts)


def test_unlinking_removes_only_that_link(borough, resident, other_resident):
    for user in (resident, other_resident):
        services.account_link(user=user, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien")
    services.account_unlink(user=resident, account_ref=ARREARS)
    assert not AccountLink.objects.filter(user=resident).exists()
    assert AccountLink.objects.filter(user=other_resident).exists()
    with pytest.raises(AccountNotLinked):
        services.account_unlink(user=resident, account_ref=ARREARS)


def test_the_attempts_are_listed_for_staff_in_the_admin(borough, resident, client):
    _fail(resident)
    admin_user = make_staff(None, is_superuser=True, email="admin@example.com")
    sign_in(client, admin_user)
    response = client.get("/staff/admin/balances/linkattempt/")
    assert response.status_code == 200
    assert ARREARS in response.content.decode()
    assert client.get("/staff/admin/balances/accountlink/").status_code == 200
