"""`make demo` leaves a few applications waiting for the parking officer, made through the real
journey, and running it again adds none."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from parking import permits
from parking.models import Permit, PermitApplication

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_borough(settings, tmp_path):
    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo_records", scale=0.01)


def test_the_demo_fills_the_review_queue_once(demo_borough, capsys):
    call_command("demo_review_queue")
    waiting = PermitApplication.objects.filter(status=PermitApplication.Status.NEEDS_EVIDENCE)
    assert waiting.count() == 3
    assert sorted(a.evidence_files.count() for a in waiting) == [0, 1, 1]
    assert all(a.decision["evidence_needed"] for a in waiting)
    out = capsys.readouterr().out
    assert "3 applications made, 3 waiting. Sign in as parking.officer@example.com" in out
    (flagged,) = Permit.objects.all()
    assert (flagged.status, flagged.user.email) == ("active", "permit.holder@example.com")
    assert flagged.person_ref  # approved on the records, then paid
    # A new home not in the address records yet: the officer sees the address typed.
    assert flagged.flag_reason.endswith("to Flat 2, 9 Example Road, London, E8 1AA")
    assert f"Flagged for an officer: permit {flagged.number}" in out

    call_command("demo_review_queue")
    assert PermitApplication.objects.exclude(status="draft").count() == 4
    assert Permit.objects.count() == 1
    assert "0 applications made, 3 waiting" in capsys.readouterr().out


def test_a_rerun_never_prints_a_cancelled_permit_as_flagged(demo_borough, capsys):
    call_command("demo_review_queue")
    (first,) = Permit.objects.all()
    permits.permit_cancel(user=first.user, number=first.number)
    capsys.readouterr()

    call_command("demo_review_queue")

    flagged = Permit.objects.active().get(flagged_at__isnull=False)
    assert f"Flagged for an officer: permit {flagged.number} " in capsys.readouterr().out
    assert flagged.number != first.number


def test_demo_review_queue_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_review_queue")
