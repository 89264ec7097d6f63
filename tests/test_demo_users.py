"""`make run`'s demo sign-ins: created only in demo mode, with a usable staff MFA step."""

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.management.commands.demo_users import DEMO_PASSWORD, DEMO_TOTP_SECRET
from accounts.mfa import current_totp_code
from accounts.models import User
from accounts.roles import ROLES


def test_demo_users_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_users")
    assert not User.objects.exists()


def test_demo_users_are_created_once_with_staff_authenticator(db, settings, capsys):
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

    call_command("totp_code", "parking.officer@example.com")
    assert capsys.readouterr().out.strip() == current_totp_code(DEMO_TOTP_SECRET)
