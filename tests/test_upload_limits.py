"""Request bodies are limited before they are read (hackney_portal/uploads.py): an oversized
evidence or feed upload, or a file sent to a page that takes none, gets the GOV.UK "too big"
page (413) and changes nothing; a raw request shows the server answers without waiting for the
body; and in Chromium a resident who sends too much sees the page, not a reset connection."""

import socket
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parking.models import EvidenceFile
from records.models import SyncRun
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_narrowest,
)
from tests.casework.cases import PDF, application_at
from tests.factories import PASSWORD
from tests.helpers import sign_in

MB = 1024 * 1024
TOO_BIG = "What you sent is too big"


@pytest.fixture
def small_limits(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REQUEST_MAX_BYTES = 1 * MB
    settings.EVIDENCE_MAX_BYTES = MB // 10  # with 10 files: 2 MB a request in all
    settings.FEED_UPLOAD_MAX_BYTES = 1 * MB
    return settings


def pdf_of(size: int, name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF + b"\n" * (size - len(PDF)), "application/pdf")


def test_an_evidence_upload_over_the_limit_gets_the_too_big_page_and_saves_nothing(
    client, small_limits
):
    application = application_at(20001)
    sign_in(client, application.user)
    url = reverse("parking:evidence", kwargs={"reference": application.reference})
    response = client.post(url, {"kind": "proof_of_address", "files": [pdf_of(3 * MB)]})
    assert (response.status_code, TOO_BIG in response.text, EvidenceFile.objects.count()) == (
        413,
        True,
        0,
    )


def test_an_evidence_upload_within_the_request_limit_reaches_the_page(client, small_limits):
    # 1.5 MB in all passes the request's limit; the file's own limit (0.1 MB) then refuses it
    # with the page's own message, as before.
    application = application_at(20001)
    sign_in(client, application.user)
    url = reverse("parking:evidence", kwargs={"reference": application.reference})
    response = client.post(url, {"kind": "proof_of_address", "files": [pdf_of(MB + MB // 2)]})
    assert (response.status_code, TOO_BIG in response.text, EvidenceFile.objects.count()) == (
        200,
        False,
        0,
    )


def test_a_feed_upload_over_the_limit_gets_the_too_big_page_and_starts_no_run(
    client, small_limits, records_admin
):
    sign_in(client, records_admin)
    feed = SimpleUploadedFile("people.csv", b"person_ref\n" + b"P1\n" * MB, "text/csv")
    response = client.post(reverse("records:upload"), {"feed": "people", "file": feed})
    assert (response.status_code, TOO_BIG in response.text, SyncRun.objects.count()) == (
        413,
        True,
        0,
    )


def test_a_page_that_takes_no_files_refuses_a_big_body(client, small_limits, resident):
    sign_in(client, resident)
    response = client.post(reverse("parking:apply"), {"file": pdf_of(2 * MB)})
    assert (response.status_code, TOO_BIG in response.text) == (413, True)


def test_the_server_answers_before_the_body_arrives(live_server, db):
    # 300 MB declared, 64 KB sent: a server that read the body first would wait for ever.
    url = urlsplit(live_server.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as conn:
        conn.sendall(
            b"POST /parking/apply/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/octet-stream\r\n"
            + f"Content-Length: {300 * MB}\r\n\r\n".encode()
            + b"x" * 65536
        )
        status_line = conn.makefile("rb").readline()
    assert status_line.split()[1] == b"413"


@pytest.mark.browser
def test_a_resident_who_sends_too_much_sees_the_page_at_320px(page, small_limits, tmp_path):
    application = application_at(20001)
    big = tmp_path / "phone-photo.pdf"
    big.write_bytes(PDF + b"\n" * (3 * MB))
    use_narrowest(page)
    page.goto(f"/parking/applications/{application.reference}/evidence/")
    fill_sign_in(page, application.user.email, PASSWORD)
    page.get_by_label("Upload your proof of address").set_input_files(str(big))
    page.get_by_role("button", name="Send").click()
    assert page.locator("h1").inner_text() == TOO_BIG
    assert_accessible(page, context="too big")
    assert_fits_width(page)
    screenshot(page, "too-big")
