"""The records pages in Chromium: accessible, usable on a phone, progress bar updates."""

import io

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from accounts.mfa import current_totp_code
from records.models import SyncRun
from records.progress import progress_key
from records.services import sync_run_create
from tests.browser import (
    assert_accessible,
    assert_fits_width,
    fill_sign_in,
    screenshot,
    use_desktop,
)
from tests.factories import PASSWORD
from tests.records.syncing import PEOPLE_HEADER, properties_csv, sync

pytestmark = pytest.mark.browser


def staff_sign_in(page, user):
    page.goto("/staff/records/")
    fill_sign_in(page, user.email, PASSWORD)
    page.get_by_label("Authenticator code").fill(current_totp_code(user.totp_secret))
    page.get_by_role("button", name="Sign in").click()


def test_runs_report_and_upload_are_accessible(page, records_admin, settings):
    settings.SYNC_MAX_REJECTED_FRACTION = 1.0
    sync("properties", properties_csv(1, 2) + "3,x,NOT A POSTCODE,,residential,,N\n")
    staff_sign_in(page, records_admin)
    assert page.locator("h1").inner_text() == "Record syncs"
    assert_accessible(page, context="run list (phone)")
    assert_fits_width(page)
    screenshot(page, "records-runs-phone")

    page.get_by_role("link", name="Run").first.click()
    assert "Rejected rows" in page.content()
    assert_accessible(page, context="run report (phone)")
    assert_fits_width(page)
    screenshot(page, "records-report-phone")

    use_desktop(page)
    page.reload()
    assert "checked set-based" in page.locator(".govuk-summary-list").inner_text()
    assert_accessible(page, context="run report (desktop)")
    screenshot(page, "records-report-desktop")

    page.goto("/staff/records/upload/")
    page.get_by_role("button", name="Upload and check").click()
    assert "Select a CSV file to upload" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page, context="upload errors")
    screenshot(page, "records-upload-errors-desktop")
    assert page.console_problems == []


def test_a_running_runs_progress_bar_updates_by_itself(page, records_admin):
    run = sync_run_create(
        feed="properties", upload=io.BytesIO(b"x"), file_name="p.csv", enqueue=False
    )
    SyncRun.objects.filter(pk=run.pk).update(status=SyncRun.Status.RUNNING)
    cache.set(
        progress_key(run.pk), {"bytes_done": 10, "bytes_total": 100, "rows": 5, "phase": "reading"}
    )
    staff_sign_in(page, records_admin)
    bar = page.locator(f"#progress-{run.pk}")
    assert bar.get_attribute("value") == "10"
    assert_accessible(page, context="running run")
    cache.set(
        progress_key(run.pk), {"bytes_done": 60, "bytes_total": 100, "rows": 50, "phase": "reading"}
    )
    # Polled from Python: the page's CSP (rightly) forbids the eval wait_for_function uses.
    expect(bar).to_have_js_property("value", 60, timeout=10000)
    assert "50 rows" in page.locator("[data-run-progress-text]").inner_text()
    screenshot(page, "records-progress-phone")
    assert page.console_problems == []


def test_a_people_report_counts_people_and_occupancies_on_a_phone(page, records_admin):
    uprns = range(1001, 1021)
    sync("properties", properties_csv(*uprns))
    rows = [f"P{u},{u},,Ann,Lee,1980-01-01,liable,,2020-01-01," for u in uprns]
    sync("people", "\n".join([PEOPLE_HEADER, *rows]))
    run = sync("people", "\n".join([PEOPLE_HEADER, *(r.replace("Lee", "Okafor") for r in rows)]))
    staff_sign_in(page, records_admin)
    page.goto(f"/staff/records/runs/{run.pk}/")
    table = page.locator("[data-record-counts]")
    expect(table.get_by_role("row", name="People")).to_contain_text("20")
    assert_accessible(page, context="people run report (phone)")
    assert_fits_width(page)
    screenshot(page, "records-people-report-phone")
    assert page.console_problems == []
