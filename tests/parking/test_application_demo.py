"""The demo answers for each path of the application really lead where the README says."""

import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from parking import services
from parking.models import PermitApplication
from records.selectors import residential_addresses_at_postcode

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_borough(settings, tmp_path):
    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    call_command("demo_records", scale=0.01)


def test_the_printed_approved_answers_are_approved(demo_borough, resident, settings, capsys):
    """After everything `make demo` makes: the demo review queue's permit holder has an account
    matched to someone in the records, who must not be the person the README applies as."""
    settings.MEDIA_ROOT = settings.BASE_DIR / "media"
    call_command("demo_review_queue")
    call_command("demo_applicants")
    out = capsys.readouterr().out
    postcode, label = re.search(r"postcode (\S+ \S+), address (.+)", out).groups()
    first, last, born = re.search(r"name (.+) (\S+), born (.+)", out).groups()
    assert "Not eligible, permit-free" in out and "Not eligible, no parking zone" in out

    address = next(
        a for a in residential_addresses_at_postcode(postcode=postcode) if a.label == label
    )
    ref = services.application_draft_get_or_create(user=resident).reference
    answers = {"user": resident, "reference": ref}
    services.application_answer_postcode(**answers, postcode=postcode)
    services.application_answer_address(**answers, uprn=address.uprn, address=label)
    services.application_answer_applicant(
        **answers,
        first_name=first,
        last_name=last,
        date_of_birth=datetime.strptime(born, "%d %B %Y").date(),
    )
    services.application_answer_registration(**answers, registration="LB19PET")
    services.application_confirm_vehicle(**answers)
    services.application_answer_duration(**answers, months=12, starts_on=timezone.localdate())
    application = services.application_submit(**answers).application
    assert application.status == PermitApplication.Status.APPROVED, application.decision


def test_demo_applicants_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_applicants")


def test_the_readme_demo_resident_is_the_one_approved(demo_borough, capsys):
    """The README names this resident for resident@example.com to apply as: the demo borough
    always has him living at a zoned home, whatever day it is loaded."""
    call_command("demo_applicants")
    out = capsys.readouterr().out
    assert "postcode E8 1NE, address Basement Flat, 1 Mare Street" in out
    assert "name Seán O'Brien, born 14 June 1976" in out
