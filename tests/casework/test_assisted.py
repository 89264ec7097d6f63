"""Assisted applications on the staff pages: a member of staff makes a permit application for a
resident on the phone, from the resident's case, on the resident's own portal account (found,
or made for them), through the resident's own questions and rules; each start, submission and
later look audited; the resident sees it once submitted, marked as made for them."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import CASEWORK_ROLES
from casework.models import AuditEntry
from casework.permissions import ASSISTED_APPLICATION_MAKE
from parking.models import Payment, Permit, PermitApplication
from tests.factories import make_staff
from tests.helpers import sign_in
from tests.parking.application_records import APPROVED_UPRN, CAR, LORRY, load_borough

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
Action = AuditEntry.Action
ZOE = "P1"  # lives at APPROVED_UPRN in tests/parking/application_records.py
START = reverse("casework:assisted_start", kwargs={"person_ref": ZOE})
NEW_EMAIL = "new.resident@example.com"


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def on_the_phone(client, agent, borough):
    """An agent with Zoë's case open, for a resident on the phone."""
    sign_in(client, agent)
    client.post(reverse("casework:person_case", kwargs={"person_ref": ZOE}), {"reason": "phone"})
    return client


def url(page: str, reference: str) -> str:
    return reverse(f"casework:assisted_{page}", kwargs={"reference": reference})


def text(response) -> str:
    return " ".join(response.content.decode().split())


def start(client, email: str) -> str:
    """The start page's answer; returns the assisted draft's reference."""
    response = client.post(START, {"email": email})
    assert response.status_code == 302, text(response)
    return PermitApplication.objects.get(made_by__isnull=False, status=Status.DRAFT).reference


def answer(client, ref: str, *, registration: str = CAR) -> None:
    today = timezone.localdate()
    steps = [
        ("postcode", {"postcode": "e8 1dy"}),
        ("address", {"address": APPROVED_UPRN}),
        (
            "applicant",
            {
                "first_name": "Zoë",
                "last_name": "O'Brien",
                "dob_day": 29,
                "dob_month": 2,
                "dob_year": 1980,
            },
        ),
        ("registration", {"registration": registration}),
        ("vehicle", {}),
        (
            "duration",
            {
                "months": 12,
                "start": "another_date",
                "start_day": today.day,
                "start_month": today.month,
                "start_year": today.year,
            },
        ),
    ]
    for step, data in steps:
        response = client.post(url(step, ref), data)
        assert response.status_code == 302, f"{step}: {text(response)}"


def made_for(client, email: str, **answers) -> str:
    ref = start(client, email)
    answer(client, ref, **answers)
    return ref


def submit(client, ref: str):
    return client.post(url("submit", ref), {"confirmed": "on"})


# --- Who may ---------------------------------------------------------------------------------


# Every role that works residents' cases (the analyst, who sees totals only, does not).
@pytest.mark.parametrize("role", sorted(CASEWORK_ROLES))
def test_every_casework_role_may_make_assisted_applications(db, role):
    assert make_staff(role).has_perm(ASSISTED_APPLICATION_MAKE)


def test_staff_without_the_permission_are_refused_the_start(client, borough):
    sign_in(client, make_staff(None))
    assert client.get(START).status_code == 403


def test_staff_without_the_permission_are_refused_a_draft(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    colleague = Client()
    sign_in(colleague, make_staff(None, email="no.role@example.com"))
    assert colleague.get(url("postcode", ref)).status_code == 403


def test_the_start_asks_for_the_case_to_be_opened_first(client, agent, borough):
    sign_in(client, agent)
    response = client.get(START)
    assert response["Location"] == reverse("casework:person_case", kwargs={"person_ref": ZOE})


def test_the_start_for_a_person_the_records_do_not_know_is_not_found(on_the_phone):
    person = "P999"
    on_the_phone.post(
        reverse("casework:person_case", kwargs={"person_ref": person}), {"reason": "phone"}
    )
    response = on_the_phone.get(reverse("casework:assisted_start", kwargs={"person_ref": person}))
    assert response.status_code == 404


def test_the_case_offers_to_make_an_application(on_the_phone):
    response = on_the_phone.get(reverse("casework:person_case", kwargs={"person_ref": ZOE}))
    assert "Make a permit application for this resident" in text(response)


# --- The resident's account ------------------------------------------------------------------


def test_an_existing_account_is_found_and_said_so(on_the_phone, resident):
    response = on_the_phone.post(START, {"email": resident.email.upper()}, follow=True)
    assert f"Found the resident&#x27;s account: {resident.email}." in text(response)


def test_the_draft_goes_on_the_residents_own_account(on_the_phone, resident, agent):
    ref = start(on_the_phone, resident.email)
    draft = PermitApplication.objects.get(reference=ref)
    assert (draft.user, draft.made_by) == (resident, agent)


def test_the_start_is_audited_with_the_person_and_the_reason(on_the_phone, resident, agent):
    ref = start(on_the_phone, resident.email)
    entry = AuditEntry.objects.get(action=Action.ASSISTED_START)
    assert (entry.actor, entry.person_ref, entry.reason, entry.subject, entry.ip_address) == (
        agent,
        ZOE,
        "Resident on the phone",
        ref,
        "127.0.0.1",
    )


def test_an_account_is_made_when_the_resident_has_none_and_said_so(on_the_phone):
    response = on_the_phone.post(START, {"email": NEW_EMAIL}, follow=True)
    assert f"Created an account for {NEW_EMAIL}." in text(response)


def test_the_account_made_is_a_residents_with_no_password(on_the_phone):
    start(on_the_phone, NEW_EMAIL)
    user = User.objects.get(email=NEW_EMAIL)
    assert (user.is_staff, user.has_usable_password(), user.groups.count()) == (False, False, 0)


def test_the_resident_is_emailed_a_link_to_set_a_password(
    on_the_phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(on_the_phone, NEW_EMAIL)
    sent = mail.outbox[-1]
    assert (sent.to, sent.subject) == (
        [NEW_EMAIL],
        "Hackney Council: Set a password for your Hackney resident portal account",
    )


def test_setting_the_password_confirms_the_address(
    on_the_phone, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(on_the_phone, NEW_EMAIL)
    client = Client()
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[-1].body)[0]
    form = client.get(link.split("testserver")[-1], follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-long-new-pass-1", "password2": "a-long-new-pass-1"},
    )
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified is True


# --- Bad input: a clear message, nothing changed ---------------------------------------------


def test_a_non_email_is_refused_with_a_message(on_the_phone):
    response = on_the_phone.post(START, {"email": "zoe at example"})
    assert "Enter the resident&#x27;s email address in the correct format" in text(response)


def test_a_non_email_changes_nothing(on_the_phone):
    on_the_phone.post(START, {"email": "zoe at example"})
    assert (
        PermitApplication.objects.count(),
        AuditEntry.objects.filter(action=Action.ASSISTED_START).count(),
    ) == (0, 0)


def test_a_staff_email_is_refused_with_a_message(on_the_phone, parking_officer):
    response = on_the_phone.post(START, {"email": parking_officer.email})
    assert "is a staff account. Staff accounts cannot hold a resident&#x27;s applications" in text(
        response
    )


def test_a_staff_email_changes_nothing(on_the_phone, parking_officer):
    on_the_phone.post(START, {"email": parking_officer.email})
    assert (
        PermitApplication.objects.count(),
        AuditEntry.objects.filter(action=Action.ASSISTED_START).count(),
    ) == (0, 0)


def test_a_question_keeps_its_own_checks(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    response = on_the_phone.post(url("postcode", ref), {"postcode": "not a postcode"})
    assert "Enter a real postcode, like E8 1DY" in text(response)


def test_a_wrong_answer_changes_nothing(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    on_the_phone.post(url("postcode", ref), {"postcode": "not a postcode"})
    assert PermitApplication.objects.get(reference=ref).postcode == ""


def test_the_questions_are_the_residents_on_the_staff_pages(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    response = on_the_phone.get(url("postcode", ref))
    assert f"Permit application for {resident.email}" in text(response)


def test_each_question_page_is_titled_with_its_question(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    html = on_the_phone.get(url("postcode", ref)).content.decode()
    assert "<title>What is your home postcode? \u2013 Permit application for a resident" in html


# --- Check your answers and the declaration --------------------------------------------------


def test_sending_without_the_declaration_is_refused_with_a_message(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email)
    response = on_the_phone.post(url("submit", ref), {})
    assert "Confirm that the resident said on the phone that these answers are true" in text(
        response
    )


def test_sending_without_the_declaration_changes_nothing(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email)
    on_the_phone.post(url("submit", ref), {})
    assert PermitApplication.objects.get(reference=ref).status == Status.DRAFT


def test_the_agent_gets_the_decision_and_the_reference(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email)
    response = submit(on_the_phone, ref)
    page = text(on_the_phone.get(response["Location"]))
    panel = '<h1 class="govuk-panel__title">Approved</h1> <div class="govuk-panel__body">'
    assert f"{panel}Read the reference to the resident<br><strong>{ref}</strong>" in page


def test_the_same_rules_decide(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email, registration=LORRY)
    submit(on_the_phone, ref)
    assert PermitApplication.objects.get(reference=ref).status == Status.NOT_ELIGIBLE


def test_the_agent_reads_the_resident_the_reason_that_decided_it(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email, registration=LORRY)
    page = text(on_the_phone.get(submit(on_the_phone, ref)["Location"]))
    assert 'id="deciding-reason">LB19HGV weighs 7,500 kg, over the 3,500 kg' in page


@pytest.mark.embedded
def test_the_submission_is_recorded_as_made_by_the_agent(on_the_phone, resident, agent):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    assert PermitApplication.objects.get(reference=ref).made_by == agent


def test_the_submission_is_audited_with_the_person_and_the_reason(on_the_phone, resident, agent):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    entry = AuditEntry.objects.get(action=Action.ASSISTED_SUBMIT)
    assert (entry.actor, entry.person_ref, entry.reason, entry.subject, entry.uprn) == (
        agent,
        ZOE,
        "Resident on the phone",
        f"{ref}: Approved",
        APPROVED_UPRN,
    )


def test_a_double_click_submits_and_audits_once(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    submit(on_the_phone, ref)
    assert AuditEntry.objects.filter(action=Action.ASSISTED_SUBMIT).count() == 1


def test_the_resident_is_emailed_that_it_was_received(
    on_the_phone, resident, django_capture_on_commit_callbacks
):
    ref = made_for(on_the_phone, resident.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(on_the_phone, ref)
    assert [m.to for m in mail.outbox] == [[resident.email]]


def test_a_submission_that_cannot_be_audited_is_not_made(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email)
    # No client address: the audit entry cannot say where from, so it is refused.
    on_the_phone.post(url("submit", ref), {"confirmed": "on"}, REMOTE_ADDR="")
    assert PermitApplication.objects.get(reference=ref).status == Status.DRAFT


def test_a_start_that_cannot_be_audited_makes_no_account(on_the_phone):
    on_the_phone.post(START, {"email": NEW_EMAIL}, REMOTE_ADDR="")
    assert User.objects.filter(email=NEW_EMAIL).exists() is False


def test_the_residents_email_says_the_contact_centre_made_it(
    on_the_phone, resident, django_capture_on_commit_callbacks
):
    ref = made_for(on_the_phone, resident.email)
    with django_capture_on_commit_callbacks(execute=True):
        submit(on_the_phone, ref)
    assert "The Hackney contact centre made this application for you" in mail.outbox[-1].body


def test_looking_at_the_decision_again_is_audited(on_the_phone, resident, agent):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    on_the_phone.get(url("application", ref))
    entry = AuditEntry.objects.get(action=Action.ASSISTED_VIEW)
    assert (entry.actor, entry.person_ref, entry.subject) == (agent, ZOE, ref)


# --- What the resident and other staff see ---------------------------------------------------


def test_the_resident_cannot_open_the_draft(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    client = Client()
    client.force_login(resident)
    assert client.get(reverse("parking:postcode", kwargs={"reference": ref})).status_code == 404


def test_the_residents_own_application_starts_apart_from_the_agents(on_the_phone, resident):
    ref = start(on_the_phone, resident.email)
    client = Client()
    client.force_login(resident)
    client.get(reverse("parking:apply"))
    own = PermitApplication.objects.get(user=resident, made_by__isnull=True)
    assert own.reference != ref


@pytest.mark.embedded
def test_the_resident_sees_it_once_submitted_made_for_them(on_the_phone, resident):
    submit(on_the_phone, made_for(on_the_phone, resident.email))
    client = Client()
    client.force_login(resident)
    page = text(client.get(reverse("parking:applications")))
    assert f"Made for you by the Hackney contact centre on {timezone.localdate():%-d %B %Y}" in page


def test_the_residents_decision_page_says_who_made_it_without_naming_them(
    on_the_phone, resident, agent
):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    client = Client()
    client.force_login(resident)
    page = text(client.get(reverse("parking:application", kwargs={"reference": ref})))
    assert ("Made for you by the Hackney contact centre" in page, agent.email in page) == (
        True,
        False,
    )


def test_another_resident_cannot_see_it(on_the_phone, resident, other_resident):
    ref = made_for(on_the_phone, resident.email)
    submit(on_the_phone, ref)
    client = Client()
    client.force_login(other_resident)
    assert client.get(reverse("parking:application", kwargs={"reference": ref})).status_code == 404


def test_the_case_view_says_who_made_it(on_the_phone, resident, agent):
    submit(on_the_phone, made_for(on_the_phone, resident.email))
    page = text(on_the_phone.get(reverse("casework:person_case", kwargs={"person_ref": ZOE})))
    assert f"Made by {agent.email} for the resident (phone)" in page


def test_the_review_queue_says_who_made_it(on_the_phone, resident, agent, parking_officer):
    ref = start(on_the_phone, resident.email)
    answer(on_the_phone, ref, registration="ER19NFD")  # not found: the V5C is asked for
    submit(on_the_phone, ref)
    officer = Client()
    sign_in(officer, parking_officer)
    page = text(officer.get(reverse("casework:review_queue")))
    assert f"Made by {agent.email} for the resident (phone)" in page


# --- Taking the payment on the phone ----------------------------------------------------------


def approved_for(client, email: str) -> str:
    ref = made_for(client, email)
    submit(client, ref)
    assert PermitApplication.objects.get(reference=ref).status == Status.APPROVED
    return ref


def test_the_agent_takes_the_payment_on_the_phone_and_reads_out_the_permit(
    on_the_phone, resident, agent
):
    from tests.parking.permit_helpers import on_payment_page

    ref = approved_for(on_the_phone, resident.email)
    assert "Take £" in text(on_the_phone.get(url("application", ref)))

    response = on_the_phone.post(url("pay", ref))

    payment = Payment.objects.get(application__reference=ref)
    assert (payment.user, response["Location"]) == (resident, payment.next_url)
    back = on_payment_page(payment)  # the agent types the card the resident reads out
    assert back["Location"] == (
        "http://testserver"
        + reverse(
            "casework:assisted_paid",
            kwargs={"reference": ref, "payment_reference": payment.reference},
        )
    )
    page = text(on_the_phone.get(back["Location"], follow=True))
    permit = Permit.objects.get(application__reference=ref)
    assert f"Permit {permit.number} is issued: read the number to the resident." in page
    assert f"permit <strong>{permit.number}</strong>" in page
    assert permit.user == resident  # the resident's permit, in their account
    entry = AuditEntry.objects.get(action=Action.ASSISTED_PAYMENT)
    assert (entry.actor, entry.person_ref, entry.reason) == (agent, ZOE, "Resident on the phone")


def test_once_the_permit_is_issued_the_agent_is_told_to_read_the_permit_number(
    on_the_phone, resident
):
    from tests.parking.permit_helpers import on_payment_page

    ref = approved_for(on_the_phone, resident.email)
    on_the_phone.post(url("pay", ref))
    on_the_phone.get(on_payment_page(Payment.objects.get())["Location"])  # back: paid

    page = text(on_the_phone.get(url("application", ref)))

    number = Permit.objects.get(application__reference=ref).number
    panel = (
        '<h1 class="govuk-panel__title">Paid: permit issued</h1> <div class="govuk-panel__body">'
    )
    assert f"{panel}Read the permit number to the resident<br><strong>{number}</strong>" in page


def test_a_declined_card_on_the_phone_takes_nothing_and_can_be_tried_again(on_the_phone, resident):
    from tests.parking.permit_helpers import DECLINED_CARD, on_payment_page

    ref = approved_for(on_the_phone, resident.email)
    on_the_phone.post(url("pay", ref))
    back = on_payment_page(Payment.objects.get(), card=DECLINED_CARD)

    page = text(on_the_phone.get(back["Location"], follow=True))

    assert "The payment was not taken (declined or expired). Nothing was charged" in page
    assert not Permit.objects.exists()
    assert "Take £" in page  # and again
    on_the_phone.post(url("pay", ref))
    assert Payment.objects.count() == 2


def phone_payment(client, ref: str, **card) -> Payment:
    """The agent starts the phone payment, types the card on the payment page and comes back."""
    from tests.parking.permit_helpers import on_payment_page

    client.post(url("pay", ref))
    payment = Payment.objects.get(application__reference=ref, status="created")
    client.get(on_payment_page(payment, **card)["Location"])
    payment.refresh_from_db()
    return payment


def payment_entries() -> list[tuple[str, str]]:
    """The phone payments' audit entries, oldest first: what the log says, and about what."""
    entries = AuditEntry.objects.filter(action__startswith="assisted_payment").order_by("at", "id")
    return [(entry.get_action_display(), entry.subject) for entry in entries]


def test_starting_a_phone_payment_is_audited_as_started_not_as_taken(on_the_phone, resident):
    ref = approved_for(on_the_phone, resident.email)
    on_the_phone.post(url("pay", ref))
    assert payment_entries() == [
        ("Started a phone payment for a resident's permit", f"{ref}: £170.00 by phone, started")
    ]


def test_a_phone_payment_taken_is_audited_with_the_permit_it_issued(on_the_phone, resident):
    ref = approved_for(on_the_phone, resident.email)
    payment = phone_payment(on_the_phone, ref)
    number = Permit.objects.get(application__reference=ref).number
    assert payment_entries()[1:] == [
        (
            "Took a payment by phone for a resident's permit",
            f"{ref}: £170.00 by phone, paid: permit {number} ({payment.reference})",
        )
    ]


def test_a_declined_phone_payment_is_audited_as_not_taken(on_the_phone, resident):
    from tests.parking.permit_helpers import DECLINED_CARD

    ref = approved_for(on_the_phone, resident.email)
    payment = phone_payment(on_the_phone, ref, card=DECLINED_CARD)
    assert payment_entries()[1:] == [
        (
            "A phone payment was not taken: declined, cancelled or failed",
            f"{ref}: £170.00 by phone, not taken (declined or expired) ({payment.reference})",
        )
    ]


def test_a_cancelled_phone_payment_is_audited_as_not_taken(on_the_phone, resident):
    ref = approved_for(on_the_phone, resident.email)
    payment = phone_payment(on_the_phone, ref, cancel=True)
    assert payment_entries()[1:] == [
        (
            "A phone payment was not taken: declined, cancelled or failed",
            f"{ref}: £170.00 by phone, not taken (cancelled) ({payment.reference})",
        )
    ]


def test_coming_back_to_a_phone_payment_again_records_its_outcome_once(on_the_phone, resident):
    ref = approved_for(on_the_phone, resident.email)
    payment = phone_payment(on_the_phone, ref)
    on_the_phone.get(
        reverse(
            "casework:assisted_paid",
            kwargs={"reference": ref, "payment_reference": payment.reference},
        )
    )
    assert AuditEntry.objects.filter(action=Action.ASSISTED_PAYMENT_TAKEN).count() == 1


def test_a_phone_payment_the_service_cannot_confirm_is_audited_as_not_confirmed(
    on_the_phone, resident, settings, httpserver
):
    ref = approved_for(on_the_phone, resident.email)
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v1/payments", method="POST").respond_with_json(
        {
            "payment_id": "paymoto2",
            "state": {"status": "created", "finished": False},
            "_links": {"next_url": {"href": "https://card.payments.service.gov.uk/secure/y"}},
        },
        status=201,
    )
    httpserver.expect_request("/v1/payments/paymoto2").respond_with_data("", status=503)
    on_the_phone.post(url("pay", ref))
    payment = Payment.objects.get()

    on_the_phone.get(
        reverse(
            "casework:assisted_paid",
            kwargs={"reference": ref, "payment_reference": payment.reference},
        )
    )

    assert payment_entries()[1:] == [
        (
            "A phone payment was not confirmed yet by the payment service",
            f"{ref}: £170.00 by phone, not confirmed yet ({payment.reference})",
        )
    ]


def test_the_phone_payment_is_a_telephone_payment_on_gov_uk_pay(
    on_the_phone, resident, settings, httpserver
):
    ref = approved_for(on_the_phone, resident.email)
    settings.PAYMENTS_CLIENT = "govuk_pay"
    settings.GOVUK_PAY_URL = httpserver.url_for("/").rstrip("/")
    httpserver.expect_request("/v1/payments", method="POST").respond_with_json(
        {
            "payment_id": "pay-moto-1",
            "state": {"status": "created", "finished": False},
            "_links": {"next_url": {"href": "https://card.payments.service.gov.uk/secure/x"}},
        },
        status=201,
    )

    response = on_the_phone.post(url("pay", ref))

    assert response["Location"] == "https://card.payments.service.gov.uk/secure/x"
    ((request, _response),) = httpserver.log
    assert request.get_json()["moto"] is True


def test_a_payment_for_an_application_not_approved_is_not_started(on_the_phone, resident):
    ref = made_for(on_the_phone, resident.email, registration=LORRY)
    submit(on_the_phone, ref)

    page = text(on_the_phone.post(url("pay", ref), follow=True))

    assert f"{ref} is not approved: nothing to pay." in page
    assert not Payment.objects.exists()


def test_staff_without_the_permission_cannot_take_a_payment(on_the_phone, resident):
    ref = approved_for(on_the_phone, resident.email)
    colleague = Client()
    sign_in(colleague, make_staff(None, email="no.role@example.com"))
    assert colleague.post(url("pay", ref)).status_code == 403
    assert not Payment.objects.exists()


def test_with_no_tariff_in_force_the_submission_says_so_and_changes_nothing(on_the_phone, resident):
    from parking.models import Tariff

    ref = made_for(on_the_phone, resident.email)
    Tariff.objects.all().delete()  # a gap left in the tariffs
    response = submit(on_the_phone, ref)
    assert response.status_code == 503
    assert "Sorry, we cannot work out permit prices just now" in response.content.decode()
    assert "Contact the parking team" in response.content.decode()
    assert PermitApplication.objects.get(reference=ref).is_draft
    assert not AuditEntry.objects.filter(action=Action.ASSISTED_SUBMIT).exists()
