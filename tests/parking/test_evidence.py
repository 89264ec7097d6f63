"""Evidence: proof of address or a V5C, judged by content, stored privately under a name the
server makes, all or nothing, and shown back only to the resident who sent it."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.static import serve

from parking import evidence
from parking.eligibility import Decision, DecisionOutcome, Evidence
from parking.evidence import evidence_file_open, evidence_for_owner, evidence_upload
from parking.exceptions import EvidenceKindNotAsked, EvidenceNotAccepted, EvidenceRejected
from parking.models import EvidenceFile, PermitApplication

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status
POA = EvidenceFile.Kind.PROOF_OF_ADDRESS
V5C = EvidenceFile.Kind.V5C

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + b"\x00" * 40 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40
TEXT = b"Hello, this is not a scan of anything.\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Evidence goes to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    """A file as the browser sends it: the type it claims is whatever the browser says."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_application(user, *, status=Status.NEEDS_EVIDENCE, needed=(Evidence.PROOF_OF_ADDRESS,)):
    decision = Decision(
        outcome=DecisionOutcome(status) if status != Status.DRAFT else DecisionOutcome.APPROVED,
        rules=[],
        rules_version="test",
        evidence_needed=list(needed) if status == Status.NEEDS_EVIDENCE else [],
    )
    submitted = status != Status.DRAFT
    return PermitApplication.objects.create(
        user=user,
        status=status,
        postcode="E8 1DY",
        address_not_listed=True,
        first_name="Zoë",
        last_name="O'Brien",
        registration="ER19NFD",
        months=12,
        starts_on=timezone.localdate(),
        price_pence=12000,
        decision=decision.as_json() if submitted else None,
        submitted_at=timezone.now() if submitted else None,
    )


@pytest.fixture
def application(resident):
    return make_application(resident)


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


# --- Judged by content -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("council-tax-bill.pdf", PDF, "application/pdf", "pdf"),
        ("photo.jpg", JPEG, "image/jpeg", "jpg"),
        ("scan.png", PNG, "image/png", "png"),
    ],
)
def test_pdf_jpeg_and_png_are_accepted_by_their_content(
    resident, application, media, name, content, content_type, extension
):
    [sent] = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload(name, content, "application/octet-stream")],
    )
    assert sent.content_type == content_type
    assert sent.original_name == name
    assert sent.size == len(content)
    assert sent.uploaded_by == resident
    assert sent.storage_name.endswith(f".{extension}")
    assert (media / sent.storage_name).read_bytes() == content


def test_a_png_named_pdf_is_stored_and_served_as_a_png(resident, application, media):
    [sent] = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("bank-statement.pdf", PNG, "application/pdf")],
    )
    assert sent.content_type == "image/png"
    assert sent.storage_name.endswith(".png")
    assert sent.original_name == "bank-statement.pdf"
    assert evidence.download_name(sent) == "bank-statement.png"


@pytest.mark.parametrize(("content", "what"), [(EXE, "a program"), (TEXT, "text")])
def test_a_program_or_text_renamed_pdf_is_refused(resident, application, media, content, what):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_upload(
            user=resident,
            reference=application.reference,
            kind=POA,
            files=[upload("proof.pdf", content, "application/pdf")],
        )
    assert [p.message for p in refused.value.problems] == [
        "The selected file \u201cproof.pdf\u201d must be a PDF, JPEG or PNG"
    ], what
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_a_file_over_the_size_limit_is_refused(settings, resident, application, media):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(EvidenceRejected) as refused:
        evidence_upload(
            user=resident,
            reference=application.reference,
            kind=POA,
            files=[upload("big.pdf", PDF + b"0" * (1025 - len(PDF)))],
        )
    assert refused.value.problems[0].message == (
        "The selected file \u201cbig.pdf\u201d must be smaller than 1 KB"
    )
    assert stored(media) == []
    # Exactly the limit is allowed ("up to").
    evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("just.pdf", PDF + b"0" * (1024 - len(PDF)))],
    )
    assert EvidenceFile.objects.count() == 1


def test_the_limit_is_written_as_people_read_it():
    assert evidence.size_label(10 * 1024 * 1024) == "10 MB"
    assert evidence.size_label(1536) == "1.5 KB"
    assert evidence.size_label(12) == "12 bytes"


def test_an_empty_file_is_refused(resident, application, media):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_upload(
            user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", b"")]
        )
    assert refused.value.problems[0].message == "The selected file \u201ca.pdf\u201d is empty"


def test_no_file_at_all_asks_for_one(resident, application):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_upload(user=resident, reference=application.reference, kind=POA, files=[])
    assert refused.value.problems[0].message == "Select a file to upload"


def test_several_files_at_once(resident, application, media):
    sent = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("page-1.jpg", JPEG), upload("page-2.jpg", JPEG), upload("letter.pdf", PDF)],
    )
    assert [item.original_name for item in sent] == ["page-1.jpg", "page-2.jpg", "letter.pdf"]
    assert len(stored(media)) == 3
    assert len({item.storage_name for item in sent}) == 3
    listed = evidence_for_owner(user=resident, reference=application.reference)
    assert [item.original_name for item in listed] == ["page-1.jpg", "page-2.jpg", "letter.pdf"]


def test_one_bad_file_among_good_ones_stores_nothing(resident, application, media):
    with pytest.raises(EvidenceRejected) as refused:
        evidence_upload(
            user=resident,
            reference=application.reference,
            kind=POA,
            files=[upload("good.pdf", PDF), upload("bad.pdf", EXE), upload("good.png", PNG)],
        )
    assert [p.name for p in refused.value.problems] == ["bad.pdf"]
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_a_storage_failure_part_way_leaves_nothing(resident, application, media, monkeypatch):
    real_save = default_storage.save
    calls = []

    def save_then_fail(name, content, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(name, content, **kwargs)

    monkeypatch.setattr(default_storage, "save", save_then_fail)
    with pytest.raises(OSError):
        evidence_upload(
            user=resident,
            reference=application.reference,
            kind=POA,
            files=[upload("one.pdf", PDF), upload("two.pdf", PDF)],
        )
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_the_storage_name_is_made_by_the_server(resident, application, media, tmp_path):
    [sent] = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("../../etc/passwd.pdf", PDF)],
    )
    assert re.fullmatch(r"evidence/[0-9a-f]{32}\.pdf", sent.storage_name)
    assert "passwd" not in sent.storage_name
    assert sent.original_name == "passwd.pdf"
    assert stored(media) == [media / sent.storage_name]
    assert not (tmp_path / "etc").exists()


def test_a_name_with_folders_or_control_characters_is_kept_for_display_only():
    assert evidence.display_name("C:\\Users\\zoe\\bill.pdf") == "bill.pdf"
    assert evidence.display_name("bill\x00\n.pdf") == "bill.pdf"
    assert evidence.display_name("") == "file"
    assert len(evidence.display_name("a" * 400 + ".pdf")) == 255


# --- Which applications take evidence, and whose ---------------------------------------------


@pytest.mark.parametrize("status", [Status.APPROVED, Status.NOT_ELIGIBLE])
def test_only_an_application_that_needs_evidence_accepts_files(resident, media, status):
    decided = make_application(resident, status=status)
    with pytest.raises(EvidenceNotAccepted):
        evidence_upload(
            user=resident, reference=decided.reference, kind=POA, files=[upload("a.pdf", PDF)]
        )
    assert stored(media) == []


def test_a_kind_the_decision_does_not_ask_for_is_refused(resident, application):
    with pytest.raises(EvidenceKindNotAsked):
        evidence_upload(
            user=resident, reference=application.reference, kind=V5C, files=[upload("a.pdf", PDF)]
        )


def test_a_decision_that_names_nothing_takes_either_kind(resident):
    held = make_application(resident, needed=())
    assert evidence.evidence_kinds(held) == [POA, V5C]


def test_another_residents_application_and_files_are_not_found(
    resident, other_resident, application, media
):
    [sent] = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    with pytest.raises(PermitApplication.DoesNotExist):
        evidence_upload(
            user=other_resident,
            reference=application.reference,
            kind=POA,
            files=[upload("b.pdf", PDF)],
        )
    with pytest.raises(PermitApplication.DoesNotExist):
        evidence_for_owner(user=other_resident, reference=application.reference)
    with pytest.raises(EvidenceFile.DoesNotExist):
        evidence_file_open(
            user=other_resident, reference=application.reference, evidence_id=sent.public_id
        )
    # Their own application's reference with someone else's file is no way in either.
    theirs = make_application(other_resident)
    with pytest.raises(EvidenceFile.DoesNotExist):
        evidence_file_open(
            user=other_resident, reference=theirs.reference, evidence_id=sent.public_id
        )
    with pytest.raises(EvidenceFile.DoesNotExist):
        evidence_file_open(user=resident, reference=application.reference, evidence_id="nope")
    assert EvidenceFile.objects.count() == 1


# --- The pages ---------------------------------------------------------------------------------


def page_url(application):
    return reverse("parking:evidence", kwargs={"reference": application.reference})


def file_url(application, item):
    return reverse(
        "parking:evidence_file",
        kwargs={"reference": application.reference, "evidence_id": item.public_id},
    )


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


def test_the_decision_page_links_to_the_upload_page(signed_in, application):
    html = signed_in.get(
        reverse("parking:application", kwargs={"reference": application.reference})
    ).content.decode()
    assert f'href="{page_url(application)}"' in html
    assert "Send your proof" in html


def test_the_upload_page_follows_the_file_upload_pattern(signed_in, application):
    html = signed_in.get(page_url(application)).content.decode()
    assert "Upload your proof of address" in html
    assert "PDF, JPEG or PNG, up to 10 MB each" in html
    assert 'type="file" multiple' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="kind"' not in html  # one kind asked for: no question about it
    assert "You have not sent any files for this application yet." in html


def test_sending_several_files_through_the_page(signed_in, application, media):
    response = signed_in.post(
        page_url(application),
        {"files": [upload("bill.pdf", PDF), upload("photo.jpg", JPEG)]},
        follow=True,
    )
    assert response.redirect_chain == [(application_url(application), 302)]
    html = response.content.decode()
    assert "We have received 2 files" in html
    assert "bill.pdf" in html and "photo.jpg" in html
    assert [item.kind for item in EvidenceFile.objects.all()] == [POA, POA]
    assert len(stored(media)) == 2


def test_no_file_selected(signed_in, application):
    response = signed_in.post(page_url(application), {})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary' in html
    assert html.count("Select a file to upload") == 2  # in the summary and at the field
    assert 'href="#id_files"' in html


def test_a_refused_file_is_named_and_nothing_is_stored(signed_in, application, media):
    response = signed_in.post(
        page_url(application), {"files": [upload("ok.pdf", PDF), upload("notes.pdf", TEXT)]}
    )
    html = response.content.decode()
    assert "The selected file \u201cnotes.pdf\u201d must be a PDF, JPEG or PNG" in html
    assert "ok.pdf" not in html.split("There is a problem")[1].split("</ul>")[0]
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_a_file_too_big_is_named(settings, signed_in, application, media):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024
    response = signed_in.post(
        page_url(application), {"files": [upload("huge.png", PNG + b"\x00" * 11 * 1024)]}
    )
    html = response.content.decode()
    assert "The selected file \u201chuge.png\u201d must be smaller than 10 KB" in html
    assert "up to 10 KB each" in html
    assert stored(media) == []


def test_both_kinds_asked_for_asks_which_is_sent(signed_in, resident, media):
    both = make_application(resident, needed=(Evidence.PROOF_OF_ADDRESS, Evidence.V5C))
    html = signed_in.post(page_url(both), {"files": [upload("x.pdf", TEXT)]}).content.decode()
    assert "Select what you are sending" in html
    assert "\u201cx.pdf\u201d must be a PDF, JPEG or PNG" in html  # said at once, not later
    assert 'href="#id_kind"' in html
    signed_in.post(page_url(both), {"kind": "v5c", "files": [upload("v5c.jpg", JPEG)]})
    assert EvidenceFile.objects.get().kind == V5C


def test_the_owner_downloads_a_file_as_what_it_really_is(signed_in, resident, application):
    [sent] = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("statement.pdf", PNG)],
    )
    html = signed_in.get(page_url(application)).content.decode()
    assert f'href="{file_url(application, sent)}"' in html
    response = signed_in.get(file_url(application, sent))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="statement.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    response.close()


def test_another_resident_gets_404_for_the_page_the_upload_and_the_files(
    client, resident, other_resident, application, media
):
    [sent] = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    client.force_login(other_resident)
    assert client.get(page_url(application)).status_code == 404
    assert client.post(page_url(application), {"files": [upload("b.pdf", PDF)]}).status_code == (
        404
    )
    assert client.get(file_url(application, sent)).status_code == 404
    assert EvidenceFile.objects.count() == 1
    assert len(stored(media)) == 1


def test_anonymous_visitors_are_asked_to_sign_in(client, resident, application, media):
    [sent] = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    for path in (page_url(application), file_url(application, sent)):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(page_url(application), {"files": [upload("b.pdf", PDF)]})
    assert response.status_code == 302
    assert EvidenceFile.objects.count() == 1


@pytest.mark.parametrize("status", [Status.APPROVED, Status.NOT_ELIGIBLE])
def test_a_decided_application_shows_its_files_but_takes_no_more(
    signed_in, resident, media, status
):
    decided = make_application(resident, status=status)
    html = signed_in.get(page_url(decided)).content.decode()
    assert "This application is not waiting for proof" in html
    assert 'type="file"' not in html
    response = signed_in.post(page_url(decided), {"files": [upload("a.pdf", PDF)]}, follow=True)
    assert "nothing was sent" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored(media) == []


def test_a_draft_has_no_evidence_page(signed_in, resident):
    draft = make_application(resident, status=Status.DRAFT)
    assert signed_in.get(page_url(draft)).status_code == 404


def test_the_upload_page_query_count_is_pinned(
    signed_in, resident, application, django_assert_num_queries
):
    evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload(f"page-{n}.pdf", PDF) for n in range(5)],
    )
    # Session, user, the application, evidence_for_owner's application and files: the same
    # for one file or fifty.
    with django_assert_num_queries(5):
        assert signed_in.get(page_url(application)).status_code == 200


def test_no_url_serves_the_media_folder(settings, signed_in, resident, application):
    [sent] = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    for path in (f"/{sent.storage_name}", f"/media/{sent.storage_name}"):
        assert signed_in.get(path).status_code == 404

    def views(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from views(entry.url_patterns)
            elif isinstance(entry, URLPattern):
                yield entry.callback

    assert serve not in set(views(get_resolver().url_patterns))


# --- For the contact centre ------------------------------------------------------------------


def test_staff_open_a_file_of_an_application_at_the_case_addresses(resident, media):
    application = make_application(resident)
    PermitApplication.objects.filter(pk=application.pk).update(uprn=10001)
    (item,) = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("bill.pdf", PDF)]
    )

    found, content = evidence.evidence_file_open_for_staff(
        evidence_id=item.public_id, uprns=[10001]
    )

    assert found == item
    assert content.read() == PDF
    content.close()
    with pytest.raises(EvidenceFile.DoesNotExist):
        evidence.evidence_file_open_for_staff(evidence_id=item.public_id, uprns=[10002])
    with pytest.raises(EvidenceFile.DoesNotExist):
        evidence.evidence_file_open_for_staff(evidence_id="not-a-uuid", uprns=[10001])


def test_proof_sent_as_an_officer_decides_is_told_nothing_was_sent(
    signed_in, application, media, monkeypatch
):
    from parking import evidence as evidence_module
    from parking.models import PermitApplication

    real = evidence_module.evidence_upload

    def decided_meanwhile(**kwargs):
        # An officer decides between the page's check and the upload's lock.
        PermitApplication.objects.filter(pk=application.pk).update(status=Status.APPROVED)
        return real(**kwargs)

    monkeypatch.setattr(evidence_module, "evidence_upload", decided_meanwhile)
    response = signed_in.post(
        page_url(application), {"files": [upload("bill.pdf", PDF)]}, follow=True
    )

    assert (
        "This application is not waiting for proof: nothing was sent" in response.content.decode()
    )
    assert not EvidenceFile.objects.exists() and stored(media) == []


# --- Proof received: the resident is told, and nothing more is asked of them (issue 16) -------


def application_url(application):
    return reverse("parking:application", kwargs={"reference": application.reference})


def test_the_first_proof_records_when_it_arrived_and_later_files_do_not_move_it(
    resident, application, media
):
    [first] = evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("b.pdf", PDF)]
    )

    application.refresh_from_db()
    assert application.evidence_received_at == first.uploaded_at


def test_a_refused_upload_records_no_proof(resident, application, media):
    with pytest.raises(EvidenceRejected):
        evidence_upload(
            user=resident, reference=application.reference, kind=POA, files=[upload("x", TEXT)]
        )

    application.refresh_from_db()
    assert application.evidence_received_at is None


def test_after_proof_the_application_page_leads_with_received_and_what_happens_next(
    signed_in, resident, application, media
):
    [sent] = evidence_upload(
        user=resident,
        reference=application.reference,
        kind=POA,
        files=[upload("council-tax-bill.pdf", PDF)],
    )

    html = " ".join(signed_in.get(application_url(application)).content.decode().split())

    assert '<h1 class="lbh-heading-h1">We have received your proof</h1>' in html
    assert "We need proof before we can decide" not in html
    assert "Proof received: waiting for a parking officer" in html
    assert "council-tax-bill.pdf" in html
    assert f'href="{file_url(application, sent)}"' in html
    when = timezone.localtime(sent.uploaded_at)
    assert f"Your proof arrived on {when:%-d %B %Y}" in html
    assert (
        "A parking officer will check your proof and decide your application within 5 working "
        "days of it arriving" in html
    )
    assert f'href="{page_url(application)}" role="button"' in html
    assert ">Send another file</a>" in html


def test_the_promised_review_time_is_the_setting(settings, signed_in, resident, application, media):
    settings.PERMIT_EVIDENCE_REVIEW_DAYS = 1
    evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )

    html = " ".join(signed_in.get(application_url(application)).content.decode().split())

    assert "decide your application within 1 working day of it arriving" in html


def test_another_file_can_be_sent_after_proof_is_received(signed_in, resident, application, media):
    evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    html = " ".join(signed_in.get(page_url(application)).content.decode().split())
    assert '<h1 class="lbh-heading-h1">Send another file</h1>' in html
    assert "We received your proof on" in html

    response = signed_in.post(page_url(application), {"files": [upload("page-2.pdf", PDF)]})

    assert response.status_code == 302
    assert EvidenceFile.objects.filter(application=application).count() == 2


def test_sending_proof_lands_on_the_application_saying_it_was_received(
    signed_in, application, media
):
    response = signed_in.post(
        page_url(application), {"files": [upload("bill.pdf", PDF)]}, follow=True
    )

    assert response.redirect_chain == [(application_url(application), 302)]
    html = response.content.decode()
    assert "We have received your file." in html
    assert '<h1 class="lbh-heading-h1">We have received your proof</h1>' in html


def test_another_resident_gets_404_for_an_application_with_proof(
    client, resident, other_resident, application, media
):
    evidence_upload(
        user=resident, reference=application.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    client.force_login(other_resident)

    assert client.get(application_url(application)).status_code == 404
    assert client.get(page_url(application)).status_code == 404


def test_the_migration_fills_in_when_proof_arrived_from_the_oldest_file(resident, media):
    migration = importlib.import_module("parking.migrations.0013_application_evidence_received")
    with_files = make_application(resident)
    without = make_application(resident)
    evidence_upload(
        user=resident, reference=with_files.reference, kind=POA, files=[upload("a.pdf", PDF)]
    )
    evidence_upload(
        user=resident, reference=with_files.reference, kind=POA, files=[upload("b.pdf", PDF)]
    )
    oldest = with_files.evidence_files.order_by("uploaded_at").first().uploaded_at
    PermitApplication.objects.update(evidence_received_at=None)  # as before the migration

    migration.backfill(apps, None)

    assert PermitApplication.objects.get(pk=with_files.pk).evidence_received_at == oldest
    assert PermitApplication.objects.get(pk=without.pk).evidence_received_at is None
