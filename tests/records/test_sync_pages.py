"""The records administrator's pages: runs, a run's report, approve/discard, upload."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from django.utils import dateformat, timezone

from records.models import Property, SyncRun
from records.progress import progress_key
from tests.helpers import sign_in
from tests.records.syncing import PEOPLE_HEADER, properties_csv, sync

Status = SyncRun.Status
PAGES = ["records:run_list", "records:upload"]


@pytest.fixture
def admin_client(client, records_admin):
    sign_in(client, records_admin)
    return client


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def summary(page: str) -> dict[str, str]:
    """The run report's summary list, key to value, as a person reads it."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", page, re.S)
    return {_text(key): _text(value) for key, value in pairs}


def record_counts(page: str) -> dict[str, list[str]]:
    """The report's table of records: each row's heading to its counts."""
    table = re.search(r"<table[^>]*data-record-counts.*?<tbody[^>]*>(.*?)</tbody>", page, re.S)
    assert table, "the report has no table of record counts"
    rows = re.findall(r"<tr[^>]*>\s*<th[^>]*>(.*?)</th>(.*?)</tr>", table.group(1), re.S)
    return {
        _text(heading): [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
        for heading, cells in rows
    }


def report(client, run) -> str:
    return client.get(reverse("records:run_detail", args=[run.pk])).content.decode()


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
        ({"file": "x"}, "Choose which feed this file is"),
        ({"feed": "nonsense", "file": "x"}, "Choose which feed this file is"),
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


def test_the_feed_is_chosen_explicitly_not_defaulted(admin_client):
    page = admin_client.get(reverse("records:upload")).content.decode()
    select = re.search(r"<select[^>]*>(.*?)</select>", page, re.S).group(1)
    first = re.search(r"<option[^>]*>[^<]*</option>", select).group(0)
    assert first == '<option value="" selected>Choose a feed</option>'


@pytest.mark.django_db(transaction=True)
def test_upload_message_says_what_happened_when_the_run_is_applied_at_once(client):
    """In the demo the task runs eagerly: by the time the page answers, the run is applied."""
    from tests.factories import make_staff

    sign_in(client, make_staff("records_admin"))
    upload = SimpleUploadedFile("properties.csv", properties_csv(1, 2).encode(), "text/csv")
    response = client.post(
        reverse("records:upload"), {"feed": "properties", "file": upload}, follow=True
    )
    run = SyncRun.objects.get()
    assert f"properties.csv was checked and applied as run {run.pk}." in _text(
        response.content.decode()
    )


TWENTY_FIVE = list(range(1001, 1026))


def people_csv(surname: str, changed: int = 0) -> str:
    """One person per property (the first also at a second one); the first `changed` people
    have the given surname."""
    rows = [
        f"P{u},{u},,Ann,{surname if i < changed else 'Lee'},1980-01-01,liable,,2020-01-01,"
        for i, u in enumerate(TWENTY_FIVE)
    ]
    rows.append(rows[0].replace("P1001,1001,", "P1001,1002,"))
    return "\n".join([PEOPLE_HEADER, *rows]) + "\n"


def test_report_counts_people_and_occupancies_apart(admin_client):
    sync("properties", properties_csv(*TWENTY_FIVE))
    sync("people", people_csv("Lee"))
    run = sync("people", people_csv("Okafor", changed=20))
    assert record_counts(report(admin_client, run)) == {
        "People": ["0", "20", "5", "\N{EN DASH}"],
        "Occupancies": ["0", "0", "26", "0"],
    }


def test_report_counts_a_revived_record_as_changed_not_new(admin_client, settings):
    settings.SYNC_MAX_VANISHED_FRACTION = 0.5
    sync("properties", properties_csv(*TWENTY_FIVE))
    sync("properties", properties_csv(*TWENTY_FIVE[1:]))  # 1001 retired
    run = sync("properties", properties_csv(*TWENTY_FIVE))  # 1001 back
    assert record_counts(report(admin_client, run)) == {"Properties": ["0", "1", "24", "0"]}


def test_report_names_the_records_kept_because_their_row_was_rejected(admin_client, settings):
    settings.SYNC_MAX_REJECTED_FRACTION = 0.5
    sync("properties", properties_csv(*TWENTY_FIVE))
    sync("people", people_csv("Lee"))
    bad_date = people_csv("Lee").replace(
        "P1003,1003,,Ann,Lee,1980-01-01", "P1003,1003,,Ann,Lee,1980-13-01"
    )
    run = sync("people", bad_date)
    kept = re.search(r"<p[^>]*data-kept>(.*?)</p>", report(admin_client, run), re.S).group(1)
    assert _text(kept) == (
        "1 current record named by rejected rows was kept exactly as it was, neither changed "
        "nor ended: P1003 / 1003 / 2020-01-01."
    )


def test_time_taken_is_the_sync_not_the_wait_for_a_decision(admin_client, records_admin):
    sync("properties", properties_csv(*range(1, 21)))
    held = sync("properties", properties_csv(1))
    # The check finished an hour before anyone decided.
    SyncRun.objects.filter(pk=held.pk).update(
        started_at=F("started_at") - timedelta(hours=1),
        finished_at=F("started_at") - timedelta(hours=1) + timedelta(seconds=2.5),
    )
    admin_client.post(reverse("records:decide", args=[held.pk]), {"decision": "discard"})
    held.refresh_from_db()
    rows = summary(report(admin_client, held))
    decided = dateformat.format(timezone.localtime(held.decided_at), "j M Y H:i")
    assert (rows["Time taken"], rows["Decision"]) == (
        "2.5 seconds, checked set-based",
        f"Discarded by {records_admin}, {decided}",
    )


def test_progress_counts_rows_with_thousands_separators(admin_client):
    run = sync("properties", properties_csv(1))
    SyncRun.objects.filter(pk=run.pk).update(status=Status.RUNNING)
    cache.set(progress_key(run.pk), {"bytes_done": 1, "bytes_total": 2, "rows": 2536})
    page = _text(admin_client.get(reverse("records:run_list")).content.decode())
    assert "50%, 2,536 rows" in page


def test_a_sync_that_fails_where_tasks_run_at_once_is_reported_not_a_server_error(
    transactional_db, admin_client, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("the disk went away")

    monkeypatch.setattr("records.services.run_pipeline", broken)
    upload = SimpleUploadedFile("properties.csv", properties_csv(1, 2).encode(), "text/csv")
    response = admin_client.post(
        reverse("records:upload"), {"feed": "properties", "file": upload}, follow=True
    )
    run = SyncRun.objects.get()
    assert (response.status_code, run.status) == (200, Status.FAILED)
    assert run.reason == "RuntimeError: the disk went away"
    assert f"Run {run.pk} of properties.csv failed. Nothing from it was applied." in (
        response.content.decode()
    )
