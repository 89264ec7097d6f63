"""The demo's council tax answers really lead where the README says: resident@example.com has
an account in arrears linked, and the README's account links by hand and is in credit."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from balances import selectors, services
from balances.models import AccountLink
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    call_command("demo_records", scale=0.01)
    call_command("demo_users")


def _answers(out: str, label: str) -> dict:
    line = next(line for line in out.splitlines() if label in line)
    ref, postcode, surname = re.search(
        r"account (\d+), postcode (\S+ \S+), surname (.+)$", line
    ).groups()
    return {"account_ref": ref, "postcode": postcode, "surname": surname}


@pytest.mark.embedded
def test_the_demo_resident_has_an_account_in_arrears_and_the_readme_answers_link(demo, capsys):
    call_command("demo_balances")
    call_command("demo_balances")  # `make demo` again is safe
    out = capsys.readouterr().out
    resident = AccountLink.objects.get().user
    assert resident.email == "resident@example.com"

    linked = _answers(out, "linked already, in arrears")
    account = selectors.balance_for(
        user=resident, account_ref=linked["account_ref"], today=timezone.localdate()
    )
    assert account.arrears_pence > 0

    # The README's answers to link by hand, as the README writes them: an account in credit.
    readme = README.read_text(encoding="utf-8")
    ref, postcode, surname = re.search(
        r"\| link by hand, an account in credit \| account `(\d+)`, postcode `(.+?)`, "
        r"surname `(.+?)`",
        readme,
    ).groups()
    assert _answers(out, "to link by hand, in credit")["account_ref"] == ref
    someone = UserFactory()
    services.account_link(user=someone, account_ref=ref, postcode=postcode, surname=surname)
    services.account_link(user=someone, account_ref=ref, postcode="e81ne", surname="obrien")
    in_credit = selectors.balance_for(user=someone, account_ref=ref, today=timezone.localdate())
    assert in_credit.headline.kind == "credit"


def test_demo_balances_refuses_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError):
        call_command("demo_balances")
