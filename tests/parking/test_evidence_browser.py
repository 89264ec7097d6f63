"""Sending proof in a real browser: a refused file first (error summary, axe, 320 px), then
good ones, landing on the application saying the proof was received (and Your applications
saying so), the download, sending another file, and the same without JavaScript."""

from pathlib import Path

import pytest
from django.utils import timezone

from parking import services
from parking.models import EvidenceFile
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.factories import PASSWORD
from tests.parking.application_records import BORN, NOT_FOUND, POSTCODE, load_borough

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 40
LONG_NAME = "council-tax-bill-2026-27-first-page-scanned-on-the-library-copier.pdf"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def needs_proof(user) -> str:
    """An application sent with "my address is not listed" and a vehicle the records do not
    know: it needs proof of address and the V5C."""
    ref = services.application_draft_get_or_create(user=user).reference
    services.application_answer_postcode(user=user, reference=ref, postcode=POSTCODE)
    services.application_answer_address(user=user, reference=ref, uprn=None, address="")
    services.application_answer_address_lines(
        user=user, reference=ref, line1="12 New Court", line2="", town="London", postcode=POSTCODE
    )
    services.application_answer_applicant(
        user=user, reference=ref, first_name="Zoë", last_name="O'Brien", date_of_birth=BORN
    )
    services.application_answer_registration(user=user, reference=ref, registration=NOT_FOUND)
    services.application_confirm_vehicle(user=user, reference=ref)
    services.application_answer_duration(
        user=user, reference=ref, months=6, starts_on=timezone.localdate()
    )
    application = services.application_submit(user=user, reference=ref).application
    assert application.status == "needs_evidence"
    assert application.decision["evidence_needed"] == ["proof_of_address", "v5c"]
    return ref


def looked_at(page, name: str):
    assert page.locator("h1").count() == 1, page.url
    assert_accessible(page, context=name)
    assert_fits_width(page)
    assert page.console_problems == []
    screenshot(page, f"parking-{name}")


def send(page, kind: str, files: list[dict]):
    page.get_by_label(kind).check()
    page.get_by_label("Upload files").set_input_files(files)
    page.get_by_role("button", name="Send").click()


def test_a_refused_file_then_good_ones_at_320px(page, resident):
    load_borough()
    ref = needs_proof(resident)
    use_narrowest(page)
    page.goto(f"/parking/applications/{ref}/")
    fill_sign_in(page, resident.email, PASSWORD)
    page.get_by_role("button", name="Send your proof").click()

    assert page.locator("h1").inner_text() == "Send your proof"
    assert "PDF, JPEG or PNG, up to 10 MB each" in page.locator(".govuk-hint").last.inner_text()
    looked_at(page, "evidence-upload")

    send(
        page,
        "Proof of address",
        [{"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some text\n"}],
    )
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "The selected file \u201cnotes.pdf\u201d must be a PDF, JPEG or PNG" in summary
    assert "notes.pdf" in page.locator(".govuk-error-message").inner_text()
    looked_at(page, "evidence-upload-error")
    assert not EvidenceFile.objects.exists()

    send(
        page,
        "Proof of address",
        [
            {"name": LONG_NAME, "mimeType": "application/pdf", "buffer": PDF},
            {"name": "bill-page-2.pdf", "mimeType": "application/pdf", "buffer": PNG},
        ],
    )
    # Back on the application, which now leads with the proof received and what happens next.
    assert page.locator(".govuk-error-summary").count() == 0
    assert "We have received 2 files" in page.content()
    assert page.locator("h1").inner_text() == "We have received your proof"
    assert "We need proof" not in page.content()
    assert LONG_NAME in page.locator(".govuk-summary-list").first.inner_text()
    assert "within 5 working days" in page.locator("main").inner_text()
    looked_at(page, "evidence-received")
    assert sorted(EvidenceFile.objects.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download bill-page-2.pdf").click()
    download = downloading.value
    assert download.suggested_filename == "bill-page-2.png"
    assert Path(download.path()).read_bytes() == PNG

    page.get_by_role("button", name="Send another file").click()
    assert page.locator("h1").inner_text() == "Send another file"
    assert "We received your proof on" in page.locator(".govuk-inset-text").first.inner_text()
    looked_at(page, "evidence-another")

    page.goto("/parking/applications/")
    tag = page.locator("main .govuk-summary-list .govuk-tag").inner_text()
    assert tag == "Proof received: waiting for a parking officer"
    looked_at(page, "applications-proof-received")


def test_sending_proof_works_without_javascript(page_without_js, resident):
    page = page_without_js
    load_borough()
    ref = needs_proof(resident)
    page.goto(f"/parking/applications/{ref}/evidence/")
    fill_sign_in(page, resident.email, PASSWORD)
    assert page.locator("h1").inner_text() == "Send your proof"
    page.get_by_role("button", name="Send").click()
    assert "Select what you are sending" in page.locator(".govuk-error-summary").inner_text()
    assert "Select a file to upload" in page.locator(".govuk-error-summary").inner_text()
    send(
        page,
        "Vehicle registration certificate (V5C)",
        [{"name": "v5c.png", "mimeType": "image/png", "buffer": PNG}],
    )
    assert "We have received your file" in page.content()
    assert page.locator("h1").inner_text() == "We have received your proof"
    assert EvidenceFile.objects.get().kind == "v5c"
