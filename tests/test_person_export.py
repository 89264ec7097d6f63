"""A request for a person's data that came by post (issue 20): a records administrator makes,
from the person's case, the download the resident would make, for every portal account the
records matched to the person; the reason is required and audited."""

import io
import zipfile

import pytest
from django.urls import reverse

from casework.models import AuditEntry
from tests.balances.ledger import load_borough
from tests.browser import assert_accessible, assert_fits_width, use_desktop, use_narrowest
from tests.casework.cases import ZOE, application_at, permit_at, send_evidence
from tests.casework.test_casework_browser import staff_sign_in
from tests.helpers import sign_in

EXPORT = reverse("personal_data_staff:person_export", kwargs={"person_ref": ZOE})


@pytest.fixture
def matched(db, settings, tmp_path):
    """Zoë's permit (the records matched its holder to P1) and another application of hers,
    with proof; and
    another resident's application, matched to nobody."""
    settings.MEDIA_ROOT = tmp_path / "media"
    permit = permit_at(20001)
    send_evidence(application_at(20001, user=permit.user, registration="LB19EVE"))
    other = application_at(20001)
    return permit, other


def test_the_file_holds_the_matched_accounts_data_and_the_look_is_audited(
    client, records_admin, matched
):
    permit, other = matched
    sign_in(client, records_admin)
    response = client.post(EXPORT, {"reason": "Letter ref SAR-2026-114"})
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
        data = archive.read("account-1/your-data.json").decode()
    entry = AuditEntry.objects.get(action="personal_data_export")
    assert (
        response["Cache-Control"],
        "account-2/your-data.json" in names,
        any(n.startswith("account-1/evidence/") for n in names),
        permit.number in data,
        other.reference in data,
        (entry.reason, entry.person_ref, entry.actor_id),
    ) == (
        "private, no-store",
        False,
        True,
        True,
        False,
        ("Letter ref SAR-2026-114", ZOE, records_admin.pk),
    )


def test_no_reason_no_file_and_nothing_audited(client, records_admin, matched):
    sign_in(client, records_admin)
    response = client.post(EXPORT, {"reason": "  "})
    assert (
        response.status_code,
        "Enter why you are making this export" in response.text,
        AuditEntry.objects.filter(action="personal_data_export").count(),
    ) == (200, True, 0)


def test_a_person_no_portal_account_is_matched_to_says_so(client, records_admin, db):
    sign_in(client, records_admin)
    url = reverse("personal_data_staff:person_export", kwargs={"person_ref": "P999"})
    response = client.post(url, {"reason": "Letter"})
    assert (
        "No portal account is matched to this person" in response.text,
        AuditEntry.objects.filter(action="personal_data_export").count(),
    ) == (True, 0)


def test_the_case_view_links_records_administrators_to_it(client, records_admin, matched):
    load_borough()
    sign_in(client, records_admin)
    case = reverse("casework:person_case", kwargs={"person_ref": ZOE})
    client.post(case, {"reason": "phone"})
    assert EXPORT in client.get(case).text


@pytest.mark.browser
@pytest.mark.parametrize("width", ["narrowest", "desktop"])
def test_the_export_page_in_a_browser(page, records_admin, matched, width):
    {"narrowest": use_narrowest, "desktop": use_desktop}[width](page)
    staff_sign_in(page, records_admin, EXPORT)
    assert page.locator("h1").inner_text() == "Export this person's portal data"
    assert_accessible(page, context="person export")
    assert_fits_width(page)
    page.get_by_role("button", name="Make the file").click()
    assert (
        "Enter why you are making this export" in page.locator(".govuk-error-summary").inner_text()
    )
    assert_accessible(page, context="person export: no reason")
