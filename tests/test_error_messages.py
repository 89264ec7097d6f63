"""Every message a resident can meet is the portal's own, in GOV.UK's error-message style: it
names the answer and says what to do ("Enter your postcode", "First name must be 100 characters
or fewer"). Django's and allauth's defaults ("Ensure this value has at most 20 characters (it
has 5000).", "This password is too common.") never reach a page. Bad answers change nothing.

The walk posts bad answers (empty, far too long, not the right kind) to every form a resident
can meet, and to the staff pages a resident's answers pass through (the assisted application);
the audit of form classes catches a field whose message would be Django's."""

import importlib
import re

import pytest
from django import forms
from django.contrib.auth import password_validation
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parking.eligibility import Decision, DecisionOutcome
from parking.models import PermitApplication
from tests.factories import PASSWORD, UserFactory
from tests.helpers import last_email_link, reauthenticate, sign_in
from tests.parking.application_records import APPROVED_UPRN, load_borough
from tests.parking.moves import load_homes_to_move_to
from tests.parking.permit_helpers import approved_application, issued_permit, start_payment

# The beginnings of Django's and allauth's own messages, and words GOV.UK's style never uses.
DEFAULT_WORDING = (
    "Ensure this value",
    "characters (it has",
    "This field is required",
    "Enter a valid",
    "Enter a whole number",
    "Select a valid choice",
    "is not one of the available choices",
    "This password is",
    "Your password can",
    "The password is too similar",
    "The submitted file",
    "No file was submitted",
    "Please ",
    "Invalid",
    "Incorrect",
    "You must type",
)
TOO_LONG = "x" * 5000
DIGITS = "1" * 5000


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def error_summary(response) -> list[str]:
    """The messages in the page's error summary, as the resident reads them."""
    html = response.content.decode()
    summary = re.search(r'class="govuk-error-summary.*?</ul>', html, re.S)
    assert summary, f"no error summary on the page: {page_text(response)[:2000]}"
    items = re.findall(r"<li[^>]*>(.*?)</li>", summary.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


def assert_only_our_wording(response):
    """The page shows its errors, and none of them in Django's or allauth's words."""
    assert response.status_code == 200, response.status_code
    assert error_summary(response), "the error summary is empty"
    text = page_text(response)
    assert [phrase for phrase in DEFAULT_WORDING if phrase in text] == []
    assert re.search(r"<title>Error: ", response.content.decode()), "title lacks 'Error: '"


# --- Every form class: no field left with Django's message --------------------------------------

FORM_MODULES = (
    "accounts.forms",
    "balances.forms",
    "casework.forms",
    "insights.forms",
    "parking.forms",
    "parking.permit_views",
    "parking.evidence_views",
    "parking.simulator_views",
    "records.forms",
)


def _our_form_classes():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, forms.Form)
                and value.__module__ == name
                and value.base_fields  # allauth's are audited on their pages below
                and not name.startswith("accounts.")
            ):
                yield value


def _codes(field: forms.Field) -> list[str]:
    """The error codes Django could raise for this field with its own wording."""
    codes = ["required"] if field.required else []
    if getattr(field, "max_length", None) is not None:
        codes.append("max_length")
    if getattr(field, "min_length", None) is not None:
        codes.append("min_length")
    if isinstance(field, forms.ChoiceField):
        codes.append("invalid_choice")
    if isinstance(field, (forms.EmailField, forms.IntegerField, forms.DateField)):
        codes.append("invalid")
    if getattr(field, "min_value", None) is not None:
        codes.append("min_value")
    if getattr(field, "max_value", None) is not None:
        codes.append("max_value")
    if isinstance(field, forms.FileField):
        codes += ["invalid", "missing", "empty"]
    return codes


FORM_CLASSES = sorted(_our_form_classes(), key=lambda c: f"{c.__module__}.{c.__name__}")


def test_the_audit_finds_the_forms():
    names = {c.__name__ for c in FORM_CLASSES}
    assert {"PostcodeForm", "ApplicantForm", "LinkForm", "NotListedAddressForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__name__)
def test_every_field_has_our_message_for_every_error_django_could_raise(form_class):
    django_defaults = []
    for name, field in form_class.base_fields.items():
        for code in _codes(field):
            message = str(field.error_messages.get(code, ""))
            # max_length, min_value…: without a message of ours, the validator's own is shown.
            if not message or any(phrase in message for phrase in DEFAULT_WORDING):
                django_defaults.append((name, code, message))
    assert django_defaults == []


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1x", "Password must be 10 characters or more"),
        ("password123", "Your password is too common. Choose a password that is harder to guess"),
        ("4829175036", "Your password must include a letter or a symbol, not only numbers"),
        (
            "zoe.obrien.hackney",
            "Your password is too similar to your email address. "
            "Choose a password that is harder to guess",
        ),
    ],
)
def test_each_password_rule_says_what_to_do(password, message):
    user = UserFactory.build(email="zoe.obrien.hackney@example.com")
    with pytest.raises(forms.ValidationError) as refused:
        password_validation.validate_password(password, user)
    assert refused.value.messages == [message]


def test_the_password_hint_is_ours():
    hints = password_validation.password_validators_help_texts()
    assert hints == [
        "Must not be similar to your email address",
        "Must be 10 characters or more",
        "Must not be a commonly used password",
        "Must not be only numbers",
    ]


@pytest.mark.django_db
def test_a_common_password_at_sign_up_is_refused_in_our_words_and_makes_no_account(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new.resident@example.com",
            "password1": "password123",
            "password2": "password123",
        },
    )
    assert_only_our_wording(response)
    assert error_summary(response) == [
        "Your password is too common. Choose a password that is harder to guess"
    ]
    assert not UserFactory._meta.model.objects.filter(email="new.resident@example.com").exists()


# --- allauth's pages ----------------------------------------------------------------------------

SIGNED_OUT = [
    ("account_signup", {"email": "", "password1": "", "password2": ""}),
    (
        "account_signup",
        {"email": TOO_LONG + "@example.com", "password1": PASSWORD, "password2": PASSWORD},
    ),
    ("account_signup", {"email": "not-an-email", "password1": "1234567890", "password2": "x"}),
    ("account_signup", {"email": "a@example.com", "password1": "abc", "password2": "abc"}),
    ("account_login", {"login": "", "password": ""}),
    ("account_login", {"login": TOO_LONG, "password": TOO_LONG}),
    ("account_login", {"login": "someone@example.com", "password": "not-the-password"}),
    ("account_reset_password", {"email": ""}),
    ("account_reset_password", {"email": TOO_LONG}),
    ("account_reset_password", {"email": "not-an-email"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "data"), SIGNED_OUT)
def test_signed_out_account_pages_speak_our_words(client, url_name, data):
    assert_only_our_wording(client.post(reverse(url_name), data))


@pytest.fixture
def reauthenticated(client, resident):
    sign_in(client, resident)
    reauthenticate(client)
    return client


SIGNED_IN = [
    ("account_change_password", {"oldpassword": "", "password1": "", "password2": ""}),
    (
        "account_change_password",
        {"oldpassword": "wrong", "password1": "password123", "password2": "password123"},
    ),
    ("account_change_password", {"oldpassword": PASSWORD, "password1": DIGITS, "password2": "1"}),
    ("account_email", {"action_add": "", "email": ""}),
    ("account_email", {"action_add": "", "email": TOO_LONG}),
    ("account_email", {"action_add": "", "email": "not-an-email"}),
    ("account_reauthenticate", {"password": ""}),
    ("account_reauthenticate", {"password": "not-the-password"}),
    ("mfa_activate_totp", {"code": ""}),
    ("mfa_activate_totp", {"code": TOO_LONG}),
    ("mfa_activate_totp", {"code": "000000"}),
]


@pytest.mark.parametrize(("url_name", "data"), SIGNED_IN)
def test_a_residents_account_pages_speak_our_words(reauthenticated, url_name, data):
    assert_only_our_wording(reauthenticated.post(reverse(url_name), data))


def test_adding_your_own_address_again_says_it_is_already_yours(reauthenticated, resident):
    response = reauthenticated.post(
        reverse("account_email"), {"action_add": "", "email": resident.email}
    )
    assert_only_our_wording(response)
    assert error_summary(response) == ["This email address is already on your account"]


@pytest.mark.parametrize(
    "data",
    [
        {"password1": "", "password2": ""},
        {"password1": "password123", "password2": "password123"},
        {"password1": TOO_LONG, "password2": "different"},
    ],
)
def test_setting_a_password_speaks_our_words(client, db, data):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    assert_only_our_wording(client.post(reverse("account_set_password"), data))


@pytest.mark.parametrize(
    "data",
    [
        {"password1": "", "password2": ""},
        {"password1": "password123", "password2": "password123"},
        {"password1": "a-long-new-passphrase", "password2": "another-passphrase"},
    ],
)
def test_a_new_password_from_a_reset_link_speaks_our_words(
    client, transactional_db, resident, data
):
    client.post(reverse("account_reset_password"), {"email": resident.email})
    link = last_email_link(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")
    form_page = client.get(link, follow=True)
    response = client.post(form_page.redirect_chain[-1][0], data)
    assert_only_our_wording(response)


def test_the_sign_in_code_page_speaks_our_words(client, parking_officer):
    client.post(reverse("account_login"), {"login": parking_officer.email, "password": PASSWORD})
    for code in ("", "000000", TOO_LONG):
        assert_only_our_wording(client.post(reverse("mfa_authenticate"), {"code": code}))


# --- Titles -----------------------------------------------------------------------------------


def title(response) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)[1].split())


def test_an_allauth_page_with_errors_starts_its_title_with_error(client, db):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    assert title(response).startswith("Error: Sign in \u2013 ")


def test_an_allauth_page_without_errors_has_no_error_in_its_title(client, db):
    assert title(client.get(reverse("account_login"))).startswith("Sign in \u2013 ")


# --- The permit application, the resident's and the assisted ------------------------------------


@pytest.fixture
def borough(db):
    return load_borough()


@pytest.fixture
def draft(client, resident, borough):
    client.force_login(resident)
    response = client.get(reverse("parking:apply"))
    assert response.status_code == 302
    return PermitApplication.objects.get(user=resident, status=PermitApplication.Status.DRAFT)


BORN_PARTS = {"dob_day": "29", "dob_month": "2", "dob_year": "1980"}


def _today_parts():
    today = timezone.localdate()
    return {"start_day": today.day, "start_month": today.month, "start_year": today.year}


QUESTIONS = [
    ("postcode", {"postcode": ""}),
    ("postcode", {"postcode": TOO_LONG}),
    ("postcode", {"postcode": "not a postcode"}),
    ("address", {"address": ""}),
    ("address", {"address": "not-an-address"}),
    ("address_lines", {"line1": "", "line2": "", "town": "", "postcode": ""}),
    (
        "address_lines",
        {"line1": TOO_LONG, "line2": TOO_LONG, "town": TOO_LONG, "postcode": TOO_LONG},
    ),
    (
        "applicant",
        {"first_name": "", "last_name": "", "dob_day": "", "dob_month": "", "dob_year": ""},
    ),
    (
        "applicant",
        {"first_name": TOO_LONG, "last_name": TOO_LONG, "dob_day": DIGITS}
        | {"dob_month": DIGITS, "dob_year": DIGITS},
    ),
    ("applicant", {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": "x", "dob_month": "2"}),
    ("registration", {"registration": ""}),
    ("registration", {"registration": TOO_LONG}),
    ("registration", {"registration": "AB12CDEFG"}),
    ("registration", {"registration": "!!!"}),
    ("duration", {"months": "", "start_day": "", "start_month": "", "start_year": ""}),
    ("duration", {"months": "7", **_today_parts()}),
    ("duration", {"months": TOO_LONG, "start_day": DIGITS, "start_month": "1", "start_year": "1"}),
]


EARLIER_ANSWERS = [
    ("postcode", {"postcode": "E8 1DY"}),
    ("address", {"address": APPROVED_UPRN}),
    ("applicant", {"first_name": "Zoë", "last_name": "O'Brien"} | BORN_PARTS),
    ("registration", {"registration": "LB19PET"}),
    ("vehicle", {}),
]


def answer_before(client, url_name, reference, step):
    """The questions before `step` answered well, so that its page is the one shown."""
    for earlier, data in EARLIER_ANSWERS:
        if earlier == step:
            return
        if earlier == "address" and step == "address_lines":
            data = {"address": "not_listed"}
        response = client.post(reverse(url_name(earlier), args=[reference]), data)
        assert response.status_code == 302, (earlier, page_text(response)[:2000])


@pytest.mark.parametrize(("step", "data"), QUESTIONS)
def test_every_application_question_speaks_our_words_and_keeps_the_answer_unchanged(
    client, draft, step, data
):
    answer_before(client, lambda page: f"parking:{page}", draft.reference, step)
    before = PermitApplication.objects.filter(pk=draft.pk).values().get()
    response = client.post(reverse(f"parking:{step}", args=[draft.reference]), data)
    assert_only_our_wording(response)
    assert PermitApplication.objects.filter(pk=draft.pk).values().get() == before


@pytest.fixture
def assisted_draft(client, agent, resident, borough):
    sign_in(client, agent)
    client.post(reverse("casework:person_case", kwargs={"person_ref": "P1"}), {"reason": "phone"})
    response = client.post(
        reverse("casework:assisted_start", kwargs={"person_ref": "P1"}), {"email": resident.email}
    )
    assert response.status_code == 302
    return PermitApplication.objects.get(made_by=agent, status=PermitApplication.Status.DRAFT)


@pytest.mark.parametrize(("step", "data"), QUESTIONS)
def test_every_assisted_question_speaks_our_words(client, assisted_draft, step, data):
    answer_before(client, lambda page: f"casework:assisted_{page}", assisted_draft.reference, step)
    response = client.post(
        reverse(f"casework:assisted_{step}", args=[assisted_draft.reference]), data
    )
    assert_only_our_wording(response)


@pytest.mark.parametrize("email", ["", TOO_LONG, "not-an-email"])
def test_the_assisted_start_speaks_our_words(client, agent, borough, email):
    sign_in(client, agent)
    client.post(reverse("casework:person_case", kwargs={"person_ref": "P1"}), {"reason": "phone"})
    response = client.post(
        reverse("casework:assisted_start", kwargs={"person_ref": "P1"}), {"email": email}
    )
    assert_only_our_wording(response)


@pytest.mark.parametrize("step", ["postcode", "address_lines", "applicant", "registration"])
def test_no_question_gives_the_browser_a_maxlength(client, draft, step):
    # A browser cuts a longer paste short without a word; the form says the limit instead.
    answer_before(client, lambda page: f"parking:{page}", draft.reference, step)
    html = client.get(reverse(f"parking:{step}", args=[draft.reference])).content.decode()
    assert "govuk-input" in html
    assert "maxlength" not in html


@pytest.mark.parametrize("url_name", ["account_signup", "account_login", "account_reset_password"])
def test_no_signed_out_account_page_gives_the_browser_a_maxlength(client, db, url_name):
    html = client.get(reverse(url_name)).content.decode()
    assert "govuk-input" in html
    assert "maxlength" not in html


def test_the_link_form_gives_the_browser_no_maxlength(client, resident):
    client.force_login(resident)
    html = client.get(reverse("balances:link")).content.decode()
    assert "govuk-input" in html
    assert "maxlength" not in html


# --- Specific messages --------------------------------------------------------------------------


def test_a_name_too_long_says_how_long_it_may_be_and_is_not_kept(client, draft):
    answer_before(client, lambda page: f"parking:{page}", draft.reference, "applicant")
    response = client.post(
        reverse("parking:applicant", args=[draft.reference]),
        {"first_name": TOO_LONG, "last_name": "O'Brien"}
        | {"dob_day": "29", "dob_month": "2", "dob_year": "1980"},
    )
    assert error_summary(response) == ["First name must be 100 characters or fewer"]
    draft.refresh_from_db()
    assert (draft.first_name, draft.last_name) == ("", "")


def test_a_name_of_100_characters_is_accepted(client, draft):
    answer_before(client, lambda page: f"parking:{page}", draft.reference, "applicant")
    response = client.post(
        reverse("parking:applicant", args=[draft.reference]),
        {"first_name": "Z" * 100, "last_name": "O'Brien"}
        | {"dob_day": "29", "dob_month": "2", "dob_year": "1980"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.first_name == "Z" * 100


@pytest.mark.parametrize(
    ("registration", "message"),
    [
        (TOO_LONG, "Vehicle registration number must be 7 characters or fewer"),
        ("AB12 CDEF", "Vehicle registration number must be 7 characters or fewer"),
        ("AB12 C!E", "Enter a real UK registration, like AB12 CDE"),
    ],
)
def test_a_registration_too_long_says_how_long_it_may_be(client, draft, registration, message):
    answer_before(client, lambda page: f"parking:{page}", draft.reference, "registration")
    response = client.post(
        reverse("parking:registration", args=[draft.reference]), {"registration": registration}
    )
    assert error_summary(response) == [message]


def test_a_postcode_far_too_long_is_not_a_real_postcode(client, draft):
    response = client.post(
        reverse("parking:postcode", args=[draft.reference]), {"postcode": TOO_LONG}
    )
    assert error_summary(response) == ["Enter a real postcode, like E8 1DY"]


@pytest.mark.parametrize("part", ["dob_day", "dob_month"])
def test_a_date_part_longer_than_it_can_be_is_not_a_real_date(client, draft, part):
    answer_before(client, lambda page: f"parking:{page}", draft.reference, "applicant")
    data = {"first_name": "Zoë", "last_name": "O'Brien", "dob_day": "29", "dob_month": "2"}
    data |= {"dob_year": "1980", part: "0002"}
    response = client.post(reverse("parking:applicant", args=[draft.reference]), data)
    assert error_summary(response) == ["Your date of birth must be a real date"]


# --- A permit's pages ---------------------------------------------------------------------------


@pytest.fixture
def permit(client, resident, db):
    load_homes_to_move_to()
    permit = issued_permit(resident)
    client.force_login(resident)
    return permit


PERMIT_PAGES = [
    ("permit_vehicle", {}, {"registration": ""}),
    ("permit_vehicle", {}, {"registration": TOO_LONG}),
    ("permit_vehicle", {}, {"registration": "!!!"}),
    ("permit_renew", {}, {"months": ""}),
    ("permit_renew", {}, {"months": "7"}),
    ("permit_moved", {}, {"where": ""}),
    ("permit_moved", {}, {"where": "the-moon"}),
    ("permit_moved_postcode", {"where": "same_zone"}, {"postcode": TOO_LONG}),
    ("permit_moved_postcode", {"where": "same_zone"}, {"postcode": ""}),
    (
        "permit_moved_not_listed",
        {"where": "same_zone", "postcode": "E8 1DY", "address": "not_listed"},
        {"line1": TOO_LONG, "line2": TOO_LONG, "town": TOO_LONG, "postcode": TOO_LONG},
    ),
    (
        "permit_moved_date",
        {"where": "same_zone", "postcode": "E8 1DY", "address": "not_listed"},
        {"moved_day": DIGITS, "moved_month": DIGITS, "moved_year": DIGITS},
    ),
]


@pytest.mark.parametrize(("url_name", "before", "data"), PERMIT_PAGES)
def test_a_permits_pages_speak_our_words(client, permit, url_name, before, data):
    # The earlier answers of the move, page by page as the resident gives them.
    if "where" in before:
        client.post(
            reverse("parking:permit_moved", args=[permit.number]), {"where": before["where"]}
        )
    if "postcode" in before:
        client.post(
            reverse("parking:permit_moved_postcode", args=[permit.number]),
            {"postcode": before["postcode"]},
        )
    if "address" in before:
        client.post(
            reverse("parking:permit_moved_address", args=[permit.number]),
            {"address": before["address"]},
        )
        if url_name == "permit_moved_date":
            client.post(
                reverse("parking:permit_moved_not_listed", args=[permit.number]),
                {"line1": "1 New Court", "town": "London", "postcode": "E8 1DY"},
            )
    response = client.post(reverse(f"parking:{url_name}", args=[permit.number]), data)
    assert_only_our_wording(response)


# --- Evidence, payment, balances ----------------------------------------------------------------


def test_sending_proof_with_an_unknown_kind_speaks_our_words(
    client, resident, db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    # A decision naming no kind: both kinds of proof are asked for, so the page asks which.
    decision = Decision(
        outcome=DecisionOutcome.NEEDS_EVIDENCE, rules=[], rules_version="test", evidence_needed=[]
    )
    application = PermitApplication.objects.create(
        decision=decision.as_json(),
        user=resident,
        status=PermitApplication.Status.NEEDS_EVIDENCE,
        postcode="E8 1DY",
        first_name="Zoë",
        last_name="O'Brien",
        registration="ER19NFD",
        months=12,
        starts_on=timezone.localdate(),
        price_pence=12000,
        submitted_at=timezone.now(),
    )
    client.force_login(resident)
    pdf = SimpleUploadedFile("v5c.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
    response = client.post(
        reverse("parking:evidence", args=[application.reference]),
        {"kind": "a-letter-from-mum", "files": pdf},
    )
    assert_only_our_wording(response)
    assert error_summary(response) == ["Select what you are sending"]


@pytest.mark.parametrize(
    "data",
    [
        {"card_number": "", "cardholder_name": ""},
        {"card_number": TOO_LONG, "cardholder_name": TOO_LONG},
    ],
)
def test_the_local_payment_page_speaks_our_words(client, resident, borough, data):
    payment = start_payment(resident, approved_application(resident))
    assert_only_our_wording(client.post(payment.next_url, data))


@pytest.mark.parametrize(
    "data",
    [
        {"account_ref": "", "postcode": "", "surname": ""},
        {"account_ref": TOO_LONG, "postcode": TOO_LONG, "surname": TOO_LONG},
        {"account_ref": "abc", "postcode": "not a postcode", "surname": "O'Brien"},
    ],
)
def test_linking_a_council_tax_account_speaks_our_words(client, resident, data):
    client.force_login(resident)
    assert_only_our_wording(client.post(reverse("balances:link"), data))


def test_a_surname_too_long_says_how_long_it_may_be(client, resident):
    client.force_login(resident)
    response = client.post(
        reverse("balances:link"),
        {"account_ref": "30000001", "postcode": "E8 1DY", "surname": TOO_LONG},
    )
    assert error_summary(response) == ["Surname must be 100 characters or fewer"]
