"""Download all your data (issue 20): a zip of JSON, a CSV per table and the proof files sent;
a small one at once, a large one made by a real worker and its link emailed, working once, for
EXPORT_LINK_DAYS, only for its resident; a sweep hands lost exports over again and removes
files past their use."""

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from notifications.models import EmailNotification
from personal_data import exports
from personal_data.models import DataExport
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    use_desktop,
    use_narrowest,
)
from tests.casework.cases import PDF, application_at, send_evidence
from tests.conftest import wait_for
from tests.factories import PASSWORD, UserFactory
from tests.helpers import sign_in

DOWNLOAD = reverse("personal_data:download")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def zip_names_and_data(content: bytes) -> tuple[list[str], dict, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = sorted(archive.namelist())
        data = json.loads(archive.read("your-data.json"))
        proof = next(archive.read(n) for n in names if n.startswith("evidence/"))
    return names, data, proof


def test_a_small_download_comes_at_once_with_everything_and_nothing_of_anyone_else(
    client, db, media
):
    application = application_at(20001)
    send_evidence(application, "council-tax-bill.pdf")
    other = application_at(20001)
    sign_in(client, application.user)
    response = client.post(DOWNLOAD)
    names, data, proof = zip_names_and_data(b"".join(response.streaming_content))
    references = [row["Reference"] for row in data["sections"]["permit_applications"]["rows"]]
    assert (
        response["Content-Type"],
        response["Cache-Control"],
        names,
        references,
        other.reference in json.dumps(data),
        proof,
        list(DataExport.objects.values_list("status", flat=True)),
    ) == (
        "application/zip",
        "private, no-store",
        [
            "README.txt",
            f"evidence/{application.reference}/council-tax-bill.pdf",
            "tables/account.csv",
            "tables/email_addresses.csv",
            "tables/emails.csv",
            "tables/evidence_files.csv",
            "tables/permit_applications.csv",
            "your-data.json",
        ],
        [application.reference],
        False,
        PDF,
        ["downloaded"],
    )


def test_a_large_download_is_made_by_a_worker_and_its_link_works_once(
    client, celery_worker, settings, media
):
    settings.EXPORT_INLINE_MAX_BYTES = 0
    application = application_at(20001)
    send_evidence(application)
    sign_in(client, application.user)
    page = client.post(DOWNLOAD, follow=True).text
    export = wait_for(
        lambda: DataExport.objects.filter(status="ready").first(),
        message="the worker never made the file",
    )
    email = EmailNotification.objects.get(event_key=f"data-export-ready:{export.pk}")
    link = re.search(r"https?://[^/\s]+(/your-data/download/[^\s]+/)", email.body_text)[1]
    first = client.get(link)
    names = zip_names_and_data(b"".join(first.streaming_content))[0]
    again = client.get(link)
    assert (
        "We are making your file" in page,
        email.to,
        "your-data.json" in names,
        again.status_code,
        "This link has been used" in again.text,
    ) == (True, application.user.email, True, 410, True)


def test_another_resident_with_the_link_gets_not_found(client, db, media):
    export = DataExport.objects.create(user=UserFactory())
    exports.export_build(export_id=export.pk)
    ready = EmailNotification.objects.get(event_key=f"data-export-ready:{export.pk}")
    link = re.search(r"(/your-data/download/[^\s]+/)", ready.body_text)[1]
    sign_in(client, UserFactory(email="stranger@example.com"))
    response = client.get(link)
    export.refresh_from_db()
    assert (response.status_code, export.status) == (404, "ready")


def test_a_link_past_its_last_day_has_expired(client, db, media, settings):
    user = UserFactory()
    export = DataExport.objects.create(user=user)
    exports.export_build(export_id=export.pk)
    ready = EmailNotification.objects.get(event_key__startswith="data-export-ready:")
    link = re.search(r"(/your-data/download/[^\s]+/)", ready.body_text)[1]
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    sign_in(client, user)
    response = client.get(link)
    assert (response.status_code, "This link has expired" in response.text) == (410, True)


def test_asking_twice_while_it_is_made_makes_one_file(db, media, settings):
    user = UserFactory()
    with pytest.MonkeyPatch.context() as patch:
        # The hand-over is lost (the broker is down), so the first stays queued.
        patch.setattr(exports, "_hand_over", lambda export: None)
        first = exports.export_request(user=user)
        second = exports.export_request(user=user)
    assert (first.pk == second.pk, DataExport.objects.count()) == (True, 1)


def test_the_sweep_hands_a_lost_export_over_again_and_removes_used_files(
    db, media, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(exports, "_hand_over", lambda export: None)
        lost = exports.export_request(user=user)
    used = DataExport.objects.create(user=UserFactory())
    exports.export_build(export_id=used.pk)
    used.refresh_from_db()
    stored = used.storage_name
    DataExport.objects.filter(pk=used.pk).update(
        status="downloaded", downloaded_at=timezone.now() - timedelta(hours=2)
    )
    later = timezone.now() + timedelta(minutes=6)
    with django_capture_on_commit_callbacks(execute=True):
        counts = exports.exports_sweep(now=later)  # tasks run in-process here: the lost is made
    lost.refresh_from_db()
    assert (counts, lost.status, default_storage.exists(stored)) == (
        {"handed_over_again": 1, "files_removed": 1},
        "ready",
        False,
    )


def test_a_second_build_of_a_made_export_changes_nothing(db, media):
    export = DataExport.objects.create(user=UserFactory())
    exports.export_build(export_id=export.pk)
    again = exports.export_build(export_id=export.pk)
    assert (again, EmailNotification.objects.count()) == (None, 1)


@pytest.mark.browser
@pytest.mark.parametrize("width", ["narrowest", "desktop"])
def test_asking_for_a_large_download_in_a_browser(page, settings, media, width):
    settings.EXPORT_INLINE_MAX_BYTES = 0
    application = application_at(20001)
    send_evidence(application)
    {"narrowest": use_narrowest, "desktop": use_desktop}[width](page)
    page.goto(DOWNLOAD)
    fill_sign_in(page, application.user.email, PASSWORD)
    assert_accessible(page, context="download: before")
    page.get_by_role("button", name="Make your file").click()
    # Tasks run in-process here, so the file is made before the page comes back.
    assert "We emailed a link to your file" in page.locator(".govuk-inset-text").inner_text()
    assert_accessible(page, context="download: link emailed")
    assert_fits_width(page)
    ready = EmailNotification.objects.get(event_key__startswith="data-export-ready:")
    link = re.search(r"(/your-data/download/[^\s]+/)", ready.body_text)
    DataExport.objects.update(status="downloaded", downloaded_at=timezone.now())
    page.goto(link[1])
    assert page.locator("h1").inner_text() == "This link has been used"
    assert_accessible(page, context="download: link used")
    assert_fits_width(page)


@pytest.mark.browser
def test_a_large_download_is_asked_for_without_javascript(page_without_js, settings, media):
    settings.EXPORT_INLINE_MAX_BYTES = 0
    application = application_at(20001)
    send_evidence(application)
    page_without_js.goto(DOWNLOAD)
    fill_sign_in(page_without_js, application.user.email, PASSWORD)
    page_without_js.get_by_role("button", name="Make your file").click()
    assert DataExport.objects.get().status == "ready"
