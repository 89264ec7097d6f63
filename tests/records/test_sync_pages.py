"""The records administrator's pages: runs, a run's report, approve/discard, upload."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse

from records.models import Property, SyncRun
from tests.helpers import sign_in
from tests.records.syncing import properties_csv, sync

Status = SyncRun.Status
PAGES = ["records:run_list", "records:upload"]


@pytest.fixture
def admin_client(client, records_admin):
    sign_in(client, records_admin)
    return client


@pytest.mark.parametrize("name", PAGES)
def test_records_admin_can_open_the_pages(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("persona", ["agent", "parking_officer", "revenues_officer"])
@pytest.mark.parametrize("name", PAGES)
def test_other_staff_cannot(client, request, persona, name):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(reverse(name)).status_code == 403


def test_residents_cannot_see_runs_or_reports(client, resident, db):
    run = sync("properties", properties_csv(1))
    sign_in(client, resident)
    for url in [
        reverse("records:run_list"),
        reverse("records:run_detail", args=[run.pk]),
        reverse("records:run_progress", args=[run.pk]),
    ]:
        assert client.get(url).status_code == 403
    response = client.post(reverse("records:decide", args=[run.pk]), {"decision": "approve"})
    assert response.status_code == 403


def test_upload_runs_the_sync_and_shows_the_report(
    admin_client, records_admin, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("properties.csv", properties_csv(1, 2).encode(), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("records:upload"), {"feed": "properties", "file": upload})
    run = SyncRun.objects.get()
    assert run.started_by == records_admin
    assert run.status == Status.APPLIED
    assert Property.objects.count() == 2
    page = admin_client.get(reverse("records:run_detail", args=[run.pk])).content.decode()
    assert f"Run {run.pk}: properties.csv" in page
    # How long it took, and how it was checked (engineers comparing runs want both).
    assert "Less than a second, checked set-based" in page  # two rows take no time
    SyncRun.objects.filter(pk=run.pk).update(finished_at=F("started_at") + timedelta(seconds=12.34))
    page = admin_client.get(reverse("records:run_detail", args=[run.pk])).content.decode()
    assert "12.3 seconds, checked set-based" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"feed": "properties"}, "Select a CSV file to upload"),
        ({"file": "x"}, "Select which feed the file holds"),
        ({"feed": "nonsense", "file": "x"}, "Select a valid choice"),
        ({"feed": "properties", "file": "notes.txt"}, "The file must be a .csv file"),
    ],
)
def test_upload_errors_are_explained_and_nothing_is_started(admin_client, data, message):
    if data.get("file"):
        data["file"] = SimpleUploadedFile(
            data["file"] + ("" if "." in data["file"] else ".csv"), b"uprn\n"
        )
    response = admin_client.post(reverse("records:upload"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SyncRun.objects.exists()


def test_held_run_can_be_approved_from_its_page(
    admin_client, records_admin, django_capture_on_commit_callbacks
):
    sync("properties", properties_csv(*range(1, 21)))
    held = sync("properties", properties_csv(1))
    page = admin_client.get(reverse("records:run_detail", args=[held.pk])).content.decode()
    assert "Approve and apply" in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("records:decide", args=[held.pk]), {"decision": "approve"})
    held.refresh_from_db()
    assert (held.status, held.decided_by) == (Status.APPLIED, records_admin)
    assert Property.objects.current().count() == 1


def test_held_run_can_be_discarded_from_its_page(admin_client):
    sync("properties", properties_csv(*range(1, 21)))
    held = sync("properties", properties_csv(1))
    admin_client.post(reverse("records:decide", args=[held.pk]), {"decision": "discard"})
    held.refresh_from_db()
    assert held.status == Status.DISCARDED
    assert Property.objects.current().count() == 20
    # Deciding twice is refused with a message, not an error page.
    response = admin_client.post(
        reverse("records:decide", args=[held.pk]), {"decision": "approve"}, follow=True
    )
    assert "Only a held run" in response.content.decode()


def test_progress_json_for_a_run(admin_client):
    run = sync("properties", properties_csv(1))
    data = admin_client.get(reverse("records:run_progress", args=[run.pk])).json()
    assert data == {
        "status": "applied",
        "status_display": "Applied",
        "percent": 100,
        "rows": 1,
        "phase": "",
    }


def test_run_list_query_count_does_not_grow_with_runs(admin_client, django_assert_max_num_queries):
    for _ in range(15):
        sync("properties", properties_csv(1))
    with django_assert_max_num_queries(12):
        admin_client.get(reverse("records:run_list"))


@pytest.mark.parametrize(
    "model",
    ["records/syncrun", "records/property", "records/person", "records/occupancy",
     "balances/counciltaxaccount", "balances/transaction"],
)  # fmt: skip
def test_engineers_can_read_but_not_edit_records_in_the_admin(client, db, model):
    from tests.factories import make_staff

    sync("properties", properties_csv(1, 2))
    admin_user = make_staff(None, is_superuser=True, email="engineer@example.com")
    sign_in(client, admin_user)
    assert client.get(f"/staff/admin/{model}/").status_code == 200
    assert client.get(f"/staff/admin/{model}/add/").status_code == 403
