"""The resident's pages for "Something is wrong in our records" and the records
administrators' queue: reached only from a resident's own things, check and send, a
confirmation with a reference; the queue oldest first, every look and download audited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balances import services as balance_services
from casework.models import AuditEntry
from notifications.models import EmailNotification
from parking.models import PermitApplication
from records.models import DataQualityCase
from records.services import data_quality_case_close
from tests.balances.ledger import ARREARS, load_borough
from tests.casework.cases import application_at
from tests.factories import UserFactory
from tests.helpers import sign_in
from tests.records.data_quality import PDF, WORDS, draft, pdf, reported

START = reverse("data_quality:start")


@pytest.fixture
def borough(db):
    load_borough()


@pytest.fixture
def waiting(borough, resident):
    """Zoë's application that went to a person (proof asked for), matched to her record."""
    application = application_at(20001, user=resident)
    application.matched_person_ref = "P1"
    application.save(update_fields=["matched_person_ref"])
    return application


def from_application(application) -> str:
    return f"{START}?from=application&ref={application.reference}"


def test_the_form_says_which_application_it_is_about(client, resident, waiting):
    sign_in(client, resident)
    page = client.get(from_application(waiting)).text
    assert f"About: Permit application {waiting.reference}" in page


@pytest.mark.parametrize(
    "query",
    ["", "?from=application", "?from=application&ref=PA-NONE-NONE", "?from=nothing&ref=x"],
)
def test_a_report_about_nothing_of_the_residents_is_not_found(client, resident, waiting, query):
    sign_in(client, resident)
    assert client.get(START + query).status_code == 404


def test_an_application_decided_on_the_records_alone_and_approved_has_no_report(
    client, resident, waiting
):
    PermitApplication.objects.filter(pk=waiting.pk).update(status=PermitApplication.Status.APPROVED)
    sign_in(client, resident)
    assert client.get(from_application(waiting)).status_code == 404


def test_another_resident_cannot_report_about_someone_elses_application(
    client, other_resident, waiting
):
    sign_in(client, other_resident)
    responses = (
        client.get(from_application(waiting)).status_code,
        client.post(from_application(waiting), {"kind": "name", "words": WORDS}).status_code,
    )
    assert (responses, DataQualityCase.objects.count()) == ((404, 404), 0)


def test_another_resident_cannot_report_about_someone_elses_council_tax_account(
    client, resident, other_resident, borough
):
    balance_services.account_link(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
    )
    url = f"{START}?from=council_tax&ref={ARREARS}"
    sign_in(client, other_resident)
    stranger = client.post(url, {"kind": "name", "words": WORDS}).status_code
    client.logout()
    sign_in(client, resident)
    assert (stranger, client.get(url).status_code) == (404, 200)


# Also on the demo's defaults (SQLite, tasks at once): the path the README gives.
@pytest.mark.embedded
def test_a_resident_tells_us_checks_and_sends_and_gets_a_reference(client, resident, waiting):
    sign_in(client, resident)
    answered = client.post(
        from_application(waiting), {"kind": "address", "words": WORDS, "files": pdf()}
    )
    case = DataQualityCase.objects.get(user=resident)
    check = client.get(answered["Location"]).text
    sent = client.post(reverse("data_quality:check", kwargs={"reference": case.reference}))
    confirmation = client.get(sent["Location"]).text
    case.refresh_from_db()
    assert (
        answered["Location"],
        WORDS in check and "tenancy.pdf" in check,
        case.status,
        "We have your report" in confirmation and case.reference in confirmation,
    ) == (
        reverse("data_quality:check", kwargs={"reference": case.reference}),
        True,
        DataQualityCase.Status.OPEN,
        True,
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"words": WORDS}, "Select what is wrong in our records"),
        ({"kind": "name"}, "Tell us what is wrong"),
        ({"kind": "name", "words": "x" * 1201}, "What is wrong must be 1,200 characters or fewer"),
        (
            {"kind": "name", "words": WORDS, "files": pdf("setup.pdf", b"MZ program")},
            "The selected file “setup.pdf” must be a PDF, JPEG or PNG",
        ),
    ],
)
def test_a_wrong_answer_is_said_next_to_its_field_and_nothing_is_kept(
    client, resident, waiting, answers, message
):
    sign_in(client, resident)
    response = client.post(from_application(waiting), answers)
    # In the error summary and next to the field.
    assert (
        response.status_code,
        f">{message}</a></li>" in response.text,
        f'<span class="govuk-visually-hidden">Error:</span> {message}<' in response.text,
        DataQualityCase.objects.count(),
    ) == (200, True, True, 0)


def test_sending_twice_sends_once(client, resident, waiting):
    case = draft(resident, application=waiting)
    sign_in(client, resident)
    url = reverse("data_quality:check", kwargs={"reference": case.reference})
    first, second = client.post(url), client.post(url)
    assert (first["Location"], second["Location"]) == (
        reverse("data_quality:case", kwargs={"reference": case.reference}),
    ) * 2


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (PermitApplication.Status.NEEDS_EVIDENCE, True),
        (PermitApplication.Status.NOT_ELIGIBLE, True),
        (PermitApplication.Status.APPROVED, False),
    ],
)
def test_the_application_page_links_to_the_report_when_it_went_to_a_person_or_was_refused(
    client, resident, waiting, status, shown
):
    PermitApplication.objects.filter(pk=waiting.pk).update(status=status)
    sign_in(client, resident)
    page = client.get(reverse("parking:application", kwargs={"reference": waiting.reference}))
    assert ("tell us something is wrong in our records" in page.text) is shown


def test_the_balance_page_and_your_data_link_to_the_report(client, resident, borough):
    balance_services.account_link(
        user=resident, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
    )
    sign_in(client, resident)
    balance = client.get(reverse("balances:balance", kwargs={"account_ref": ARREARS})).text
    your_data = client.get(reverse("personal_data:home")).text
    assert (
        f"?from=council_tax&amp;ref={ARREARS}" in balance,
        "?from=your_data" in your_data,
        client.get(f"{START}?from=your_data").status_code,
    ) == (True, True, 200)


# --- The records administrators' queue --------------------------------------------------------


def test_the_queue_shows_the_words_records_and_decisions_oldest_first_and_is_audited(
    client, records_admin, resident, other_resident, waiting
):
    first = reported(resident, application=waiting)
    second = reported(other_resident, kind="name", words="My surname is spelt Mensah-Smith")
    sign_in(client, records_admin)
    page = client.get(reverse("casework:data_quality_queue")).text
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_QUALITY_QUEUE_VIEW)
    assert (
        page.index(first.reference) < page.index(second.reference),
        WORDS in page,
        "1 Mare Street, E8 1DY (UPRN 20001)" in page,
        "Zoë O&#x27;Brien (P1, born 1980)" in page,
        f"{waiting.reference}: Needs evidence" in page,
        entry.detail["cases"],
    ) == (True, True, True, True, True, [first.reference, second.reference])


# Also on the demo's defaults (SQLite, tasks at once): the path the README gives.
@pytest.mark.embedded
def test_looking_at_and_closing_a_case_from_its_page(client, records_admin, resident, waiting):
    case = reported(resident, application=waiting)
    url = reverse("casework:data_quality_case", kwargs={"reference": case.reference})
    sign_in(client, records_admin)
    client.post(url, {"action": "look"})
    client.post(
        url, {"action": "close", "sent_to": "electoral_register", "what_was_sent": "Sent the date"}
    )
    case.refresh_from_db()
    actions = set(
        AuditEntry.objects.filter(subject=case.reference).values_list("action", flat=True)
    )
    assert (
        case.status,
        case.sent_to,
        sorted(EmailNotification.objects.values_list("template", flat=True)),
        {"data_quality_look", "data_quality_close"} <= actions,
    ) == (
        DataQualityCase.Status.CLOSED,
        "electoral_register",
        ["records/emails/data_quality_closed", "records/emails/data_quality_looked_at"],
        True,
    )


def test_closing_without_a_system_says_so_and_changes_nothing(
    client, records_admin, resident, waiting
):
    case = reported(resident, application=waiting)
    sign_in(client, records_admin)
    response = client.post(
        reverse("casework:data_quality_case", kwargs={"reference": case.reference}),
        {"action": "close", "what_was_sent": "Sent it"},
    )
    case.refresh_from_db()
    message = "Select which system you sent the correction to"
    assert (
        f">{message}</a></li>" in response.text,
        f'<span class="govuk-visually-hidden">Error:</span> {message}</span>' in response.text,
        case.status,
        EmailNotification.objects.count(),
    ) == (True, True, DataQualityCase.Status.OPEN, 0)


def test_a_draft_is_not_in_the_queue_nor_found_by_staff(client, records_admin, resident, waiting):
    case = draft(resident, application=waiting)
    sign_in(client, records_admin)
    url = reverse("casework:data_quality_case", kwargs={"reference": case.reference})
    assert client.get(url).status_code == 404


def test_proof_downloads_are_audited_and_never_cached(client, records_admin, resident, waiting):
    case = reported(resident, application=waiting, files=[pdf("lease.pdf")])
    proof = case.proofs.get()
    sign_in(client, records_admin)
    response = client.get(
        reverse(
            "casework:data_quality_proof",
            kwargs={"reference": case.reference, "proof_id": proof.public_id},
        )
    )
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DATA_QUALITY_PROOF)
    assert (
        b"".join(response.streaming_content),
        response["Cache-Control"],
        response["X-Content-Type-Options"],
        entry.subject,
    ) == (PDF, "private, no-store", "nosniff", f"{case.reference}: lease.pdf")


def test_the_queue_reads_the_same_number_of_times_however_long_it_is(
    client, records_admin, resident, waiting
):
    url = reverse("casework:data_quality_queue")
    reported(resident, application=waiting, files=[pdf()])
    sign_in(client, records_admin)
    client.get(url)  # the session's first page reads what later ones have cached
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(3):
        other = UserFactory(email=f"neighbour{n}@example.com")
        reported(other, application=application_at(20001, user=other), files=[pdf()])
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four) == len(one)


def test_the_resident_sees_what_was_done_once_it_is_closed(
    client, resident, records_admin, waiting
):
    case = reported(resident, application=waiting)
    data_quality_case_close(
        reference=case.reference,
        user=records_admin,
        sent_to="housing",
        what_was_sent="Asked housing to correct the tenancy start to 1 March 2019",
    )
    sign_in(client, resident)
    page = client.get(reverse("data_quality:case", kwargs={"reference": case.reference})).text
    assert (
        "What we did about your report" in page,
        "We sent a correction to the housing system" in page,
        "Asked housing to correct the tenancy start to 1 March 2019" in page,
        records_admin.email in page,
    ) == (True, True, True, False)
