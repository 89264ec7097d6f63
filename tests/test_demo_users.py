"""`make run`'s demo sign-ins: created only in demo mode, with a usable staff MFA step."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

import accounts.mfa
from accounts.management.commands.demo_users import DEMO_PASSWORD, DEMO_TOTP_SECRET
from accounts.models import User
from accounts.roles import ROLES


def test_demo_users_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_users")
    assert not User.objects.exists()


def test_demo_users_are_created_once_with_staff_authenticator(db, settings, capsys, monkeypatch):
    settings.DEMO_MODE = True
    settings.DEBUG = True
    call_command("demo_users")
    call_command("demo_users")  # running `make run` again is safe
    assert User.objects.count() == 1 + len(ROLES)
    officer = User.objects.get(email="parking.officer@example.com")
    assert officer.check_password(DEMO_PASSWORD)
    assert officer.groups.get().name == "parking_officer"
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).count() == 1
    out = capsys.readouterr().out
    assert "resident@example.com" in out and DEMO_TOTP_SECRET in out

    # At a fixed instant the code is known (RFC 6238, worked out apart from the portal's code);
    # reading the clock twice could straddle a 30-second step and give two different codes.
    monkeypatch.setattr(accounts.mfa, "time", SimpleNamespace(time=lambda: 1_767_225_600))
    call_command("totp_code", "parking.officer@example.com")
    assert capsys.readouterr().out.strip() == "452777"  # 2026-01-01 00:00:00 UTC


@pytest.mark.embedded
def test_demo_records_load_through_the_real_pipeline_once(db, settings, tmp_path, capsys):
    from balances.models import Transaction
    from records.models import Person, Property, SyncRun

    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    call_command("demo_records", scale=0.001)
    runs = list(SyncRun.objects.order_by("pk").values_list("feed", "status"))
    assert [feed for feed, _ in runs] == [
        "properties",
        "people",
        "council_tax_accounts",
        "council_tax_instalments",
        "council_tax_transactions",
    ]
    assert {status for _, status in runs} == {"applied"}
    assert Property.objects.exists() and Person.objects.exists() and Transaction.objects.exists()
    call_command("demo_records")  # make run again: nothing more to do
    assert "already loaded" in capsys.readouterr().out
    assert SyncRun.objects.count() == 5


@pytest.mark.embedded
def test_old_demo_records_are_synced_again_from_the_same_files(db, settings, tmp_path, capsys):
    from records.models import Property, SyncRun
    from records.selectors import records_freshness

    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    call_command("demo_records", scale=0.001)
    long_ago = timezone.now() - timedelta(days=settings.RECORDS_MAX_AGE_DAYS + 1)
    SyncRun.objects.update(finished_at=long_ago)
    properties = set(Property.objects.values_list("uprn", "address_line_1", "sync_run_id"))
    call_command("demo_records")  # make run a fortnight later
    assert "syncing the same snapshots again" in capsys.readouterr().out
    assert SyncRun.objects.filter(status="applied").count() == 10
    assert records_freshness().as_of > long_ago
    # The same snapshot: nothing was rewritten.
    assert set(Property.objects.values_list("uprn", "address_line_1", "sync_run_id")) == properties


def test_demo_records_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_records")


def test_make_demo_prints_the_sign_ins_last(db, settings, capsys):
    """A newcomer reads the end of `make run`'s output: the sign-ins are printed there, once."""
    from pathlib import Path

    settings.DEMO_MODE, settings.DEBUG = True, True
    call_command("demo_users", quiet=True)
    assert capsys.readouterr().out == ""
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    recipe = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in recipe.splitlines()[1:] if "manage.py" in line]
    assert commands[-1].endswith("manage.py demo_users")
    assert [c for c in commands if "demo_users" in c and "--quiet" not in c] == [commands[-1]]
