"""`manage.py sync_records` as an engineer runs it."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from records.models import Property, SyncRun
from tests.records.syncing import properties_csv


@pytest.fixture
def feed_file(tmp_path):
    def write(content: str, name: str = "properties-2026-11-21.csv"):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return path

    return write


@pytest.mark.embedded
def test_command_syncs_a_file_and_prints_the_report(db, feed_file, capsys, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # inline, as in the demo
    call_command("sync_records", "properties", str(feed_file(properties_csv(1, 2, 3))))
    out = capsys.readouterr().out
    assert "Status: Applied" in out
    assert "inserted 3" in out
    assert Property.objects.count() == 3


def test_command_exits_non_zero_when_the_file_is_rejected(db, feed_file, capsys, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with pytest.raises(SystemExit) as exit_info:
        call_command("sync_records", "properties", str(feed_file("uprn\n1\n")))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "Status: Rejected" in out
    assert "Required column missing: address_line_1, postcode, usage, permit_free." in out


def test_command_exits_non_zero_when_the_run_is_held(db, feed_file, capsys, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("sync_records", "properties", str(feed_file(properties_csv(*range(1, 21)))))
    with pytest.raises(SystemExit):
        call_command("sync_records", "properties", str(feed_file(properties_csv(1))))
    assert "Status: Held for review" in capsys.readouterr().out
    assert SyncRun.objects.filter(status=SyncRun.Status.HELD).count() == 1


def test_dry_run_applies_nothing(db, feed_file, capsys, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    call_command("sync_records", "properties", str(feed_file(properties_csv(1))), "--dry-run")
    assert "Dry run: nothing was applied." in capsys.readouterr().out
    assert not Property.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["parking", "x.csv"], "Unknown feed 'parking'"),
        (["properties", "/no/such/file.csv"], "No such file"),
    ],
)
def test_command_refuses_bad_arguments_clearly(db, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("sync_records", *args)
