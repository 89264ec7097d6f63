"""The demo as a newcomer meets it: `make totp` says why it cannot print a code, and the demo's
eager tasks (no broker) run without warnings."""

import os
import subprocess

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_staff
from tests.test_settings import ROOT, manage


def test_make_totp_without_an_email_says_whose_code_it_needs():
    result = subprocess.run(
        ["make", "--no-print-directory", "totp", "EMAIL="],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert (
        "Say whose code to print, for example: make totp EMAIL=parking.officer@example.com"
        in result.stderr
    )


def test_make_migrate_without_a_database_url_runs_on_the_demo_defaults():
    # DEBUG is off unless asked for, and the demo database needs the demo's settings.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_DEBUG")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    [command] = [line for line in result.stdout.splitlines() if "manage.py migrate" in line]
    assert "DJANGO_DEBUG=true" in command.split()


@pytest.fixture
def demo_mode(settings):
    settings.DEMO_MODE = True
    settings.DEBUG = True


def test_totp_code_for_an_unknown_email_says_no_account_has_it(db, demo_mode):
    with pytest.raises(CommandError, match="No account has the email address nobody@example"):
        call_command("totp_code", "nobody@example.com")


def test_totp_code_for_someone_without_an_app_says_so(resident, demo_mode):
    with pytest.raises(CommandError, match=f"{resident.email} has no authenticator app set up"):
        call_command("totp_code", resident.email)


def test_totp_code_finds_staff_whatever_the_case_of_their_email(db, demo_mode, capsys):
    officer = make_staff("parking_officer")
    call_command("totp_code", officer.email.upper())
    assert capsys.readouterr().out.strip().isdigit()


def test_an_email_sent_in_the_demo_logs_no_warnings():
    # As `make run` would (DEBUG on, no broker), so the task runs eagerly in the web process.
    code = (
        "from accounts.tasks import send_email;"
        "send_email.delay(to=['resident@example.com'], subject='Hello', body='Hello')"
    )
    result = manage("shell", "-c", code, DJANGO_DEBUG="true", LOG_LEVEL="INFO")
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if " WARNING " in line] == []
