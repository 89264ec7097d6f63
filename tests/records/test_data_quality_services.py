"""Data-quality cases (records/services.py, records/selectors.py): a resident's report that the
records are wrong is kept as they wrote it with the records and decisions its page knew, sent
once, looked at once and closed once by a records administrator, each emailing the resident
once; bad input is refused with a message that says what to put right, and changes nothing."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from notifications.models import EmailNotification
from records import services
from records.exceptions import DataQualityInvalid, DataQualityStateError
from records.models import DataQualityCase, DataQualityProof
from records.selectors import data_quality_cases_open, data_quality_counts, personal_data_for
from records.sources import report_source
from tests.balances.ledger import load_borough
from tests.casework.cases import application_at
from tests.factories import UserFactory
from tests.records.data_quality import PNG, WORDS, draft, pdf, reported, source_of

Status = DataQualityCase.Status


@pytest.fixture
def borough(db):
    load_borough()


def state() -> tuple:
    """Everything a data-quality write could change."""
    return (
        list(DataQualityCase.objects.order_by("pk").values()),
        list(DataQualityProof.objects.order_by("pk").values()),
        list(EmailNotification.objects.order_by("pk").values_list("event_key", flat=True)),
    )


def test_a_report_keeps_the_words_the_records_and_the_decision_its_page_knew(borough, resident):
    application = application_at(20001, user=resident)
    application.matched_person_ref = "P1"
    application.save()
    case = draft(resident, application=application)
    assert (
        case.status,
        case.words,
        case.source,
        case.feeds,
        case.person_refs,
        case.uprns,
        [d["reference"] for d in case.decisions],
        [d["outcome"] for d in case.decisions],
    ) == (
        Status.DRAFT,
        WORDS,
        f"application:{application.reference}",
        ["people", "properties"],
        ["P1"],
        [20001],
        [application.reference],
        ["Needs evidence"],
    )


def test_sending_a_report_puts_it_in_the_queue_once(borough, resident):
    case = draft(resident)
    services.data_quality_case_report(user=resident, reference=case.reference)
    with pytest.raises(DataQualityStateError, match="You have already sent"):
        services.data_quality_case_report(user=resident, reference=case.reference)
    assert [c.reference for c in data_quality_cases_open()] == [case.reference]


def test_another_resident_cannot_send_someone_elses_report(borough, resident, other_resident):
    case = draft(resident)
    before = state()
    with pytest.raises(DataQualityCase.DoesNotExist):
        services.data_quality_case_report(user=other_resident, reference=case.reference)
    assert state() == before


def test_the_queue_is_oldest_first_and_leaves_out_drafts_and_closed(
    borough, resident, other_resident, records_admin
):
    first = reported(resident)
    second = reported(other_resident)
    closed = reported(UserFactory())
    services.data_quality_case_close(
        reference=closed.reference, user=records_admin, sent_to="housing", what_was_sent="Fixed"
    )
    draft(UserFactory())
    assert [c.reference for c in data_quality_cases_open()] == [first.reference, second.reference]


@pytest.mark.parametrize(
    ("kind", "words", "field", "message"),
    [
        ("", WORDS, "kind", "Select what is wrong in our records"),
        ("favourite_colour", WORDS, "kind", "Select what is wrong in our records"),
        ("name", "   ", "words", "Tell us what is wrong"),
        ("name", "x" * 1201, "words", "What is wrong must be 1,200 characters or fewer"),
    ],
)
def test_a_report_with_a_missing_or_wrong_answer_is_refused_and_nothing_is_kept(
    borough, resident, kind, words, field, message
):
    application = application_at(20001, user=resident)
    before = state()
    with pytest.raises(DataQualityInvalid) as refused:
        services.data_quality_case_draft(
            user=resident, source=source_of(application), kind=kind, words=words
        )
    assert ((refused.value.field, refused.value.message), state()) == ((field, message), before)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [pdf("virus.pdf", b"MZ\x90\x00 not a pdf")],
            "The selected file “virus.pdf” must be a PDF, JPEG or PNG",
        ),
        ([pdf("empty.pdf", b"")], "The selected file “empty.pdf” is empty"),
        ([pdf(f"page{n}.pdf") for n in range(4)], "Select up to 3 files"),
    ],
)
def test_proof_that_cannot_be_taken_is_refused_and_no_file_or_row_is_kept(
    borough, resident, files, message
):
    application = application_at(20001, user=resident)
    before = state()
    with pytest.raises(DataQualityInvalid, match=message):
        services.data_quality_case_draft(
            user=resident, source=source_of(application), kind="name", words=WORDS, files=files
        )
    assert (
        state(),
        default_storage.listdir("data-quality")
        if default_storage.exists("data-quality")
        else ([], []),
    ) == (before, ([], []))


def test_proof_is_judged_by_its_content_and_kept_privately(borough, resident, settings):
    case = draft(resident, files=[pdf("scan.pdf", PNG)])
    proof = case.proofs.get()
    assert (
        proof.original_name,
        proof.content_type,
        proof.storage_name.startswith("data-quality/"),
        proof.storage_name.endswith(".png"),
        default_storage.exists(proof.storage_name),
    ) == ("scan.pdf", "image/png", True, True, True)


def test_changing_the_answers_with_new_proof_replaces_the_old_file(borough, resident):
    application = application_at(20001, user=resident)
    first = draft(resident, application=application, files=[pdf("old.pdf")])
    old = first.proofs.get().storage_name
    again = draft(
        resident, application=application, words="My name is spelt Zoë", files=[pdf("new.pdf")]
    )
    assert (
        again.pk == first.pk,
        again.words,
        [p.original_name for p in again.proofs.all()],
        default_storage.exists(old),
    ) == (True, "My name is spelt Zoë", ["new.pdf"], False)


def test_looking_at_a_case_emails_the_resident_once(
    borough, resident, records_admin, django_capture_on_commit_callbacks
):
    case = reported(resident)
    with django_capture_on_commit_callbacks(execute=True):
        services.data_quality_case_look(reference=case.reference, user=records_admin)
    with pytest.raises(DataQualityStateError, match="already being looked at"):
        services.data_quality_case_look(reference=case.reference, user=records_admin)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            [resident.email],
            f"We are looking at what you told us is wrong in our records ({case.reference})",
        )
    ]


def test_closing_a_case_says_what_was_sent_where_and_emails_the_resident_once(
    borough, resident, records_admin, django_capture_on_commit_callbacks
):
    case = reported(resident)
    services.data_quality_case_look(reference=case.reference, user=records_admin)
    with django_capture_on_commit_callbacks(execute=True):
        closed = services.data_quality_case_close(
            reference=case.reference,
            user=records_admin,
            sent_to="council_tax",
            what_was_sent="Asked revenues to change the start of the occupancy to 1 March 2019",
        )
    with pytest.raises(DataQualityStateError, match="already closed"):
        services.data_quality_case_close(
            reference=case.reference, user=records_admin, sent_to="housing", what_was_sent="Again"
        )
    body = mail.outbox[-1].body
    assert (
        closed.status,
        closed.get_sent_to_display(),
        [m.subject for m in mail.outbox],
        "We sent a correction to the council tax system" in body,
        "Asked revenues to change the start of the occupancy to 1 March 2019" in body,
    ) == (
        Status.CLOSED,
        "Council tax system",
        [f"What we did about the mistake you told us about ({case.reference})"],
        True,
        True,
    )


@pytest.mark.parametrize(
    ("sent_to", "what", "message"),
    [
        ("", "Sent it", "Select which system you sent the correction to"),
        ("the_moon", "Sent it", "Select which system you sent the correction to"),
        ("housing", "  ", "Say what you sent, or why nothing was needed"),
        ("housing", "x" * 2001, "What you sent must be 2,000 characters or fewer"),
    ],
)
def test_closing_without_saying_what_was_sent_where_is_refused_and_changes_nothing(
    borough, resident, records_admin, sent_to, what, message
):
    case = reported(resident)
    before = state()
    with pytest.raises(DataQualityInvalid, match=message):
        services.data_quality_case_close(
            reference=case.reference, user=records_admin, sent_to=sent_to, what_was_sent=what
        )
    assert state() == before


def test_a_draft_cannot_be_looked_at_or_closed(borough, resident, records_admin):
    case = draft(resident)
    with pytest.raises(DataQualityCase.DoesNotExist):
        services.data_quality_case_look(reference=case.reference, user=records_admin)


def test_counts_by_feed_and_kind_open_and_closed_for_insights(
    borough, resident, other_resident, records_admin
):
    reported(resident, kind="name")
    closed = reported(other_resident, kind="name")
    services.data_quality_case_close(
        reference=closed.reference, user=records_admin, sent_to="none", what_was_sent="Right"
    )
    reported(UserFactory(), kind="address")
    draft(UserFactory(), kind="name")  # not sent: not counted
    counts = [(c.feed, c.kind, c.open, c.closed) for c in data_quality_counts()]
    assert counts == [
        ("people", "address", 1, 0),
        ("people", "name", 1, 1),
        ("properties", "address", 1, 0),
    ]


def test_your_data_holds_the_residents_reports_and_no_one_elses(
    borough, resident, other_resident, records_admin
):
    mine = reported(resident, files=[pdf("lease.pdf")])
    reported(other_resident)
    services.data_quality_case_close(
        reference=mine.reference, user=records_admin, sent_to="housing", what_was_sent="Fixed"
    )
    (section,) = personal_data_for(user=resident)
    assert [
        (row["Reference"], row["Proof you sent"], row["Correction sent to"], row["What we did"])
        for row in section.rows
    ] == [(mine.reference, ["lease.pdf"], "Housing system", "Fixed")]


def test_a_report_started_again_from_another_page_leaves_the_old_proof_behind(borough, resident):
    first = draft(resident, files=[pdf("old.pdf")])
    old = first.proofs.get().storage_name
    again = services.data_quality_case_draft(
        user=resident,
        source=report_source(user=resident, kind="your_data"),
        kind="name",
        words="My name is spelt Zoë",
    )
    assert (again.pk, again.source, again.proofs.count(), default_storage.exists(old)) == (
        first.pk,
        "your_data",
        0,
        False,
    )
