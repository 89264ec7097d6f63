"""Every demo path the README gives a newcomer, in the README's order, through the real pages on
a fresh demo database (`make demo`'s commands): the permit application's paths, paying, changing
the vehicle, renewing, an assisted application and the search the README describes. It fails
when any path is refused, or when the README's table and this test stop agreeing."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.management.commands.demo_users import DEMO_PASSWORD, DEMO_TOTP_SECRET
from accounts.mfa import current_totp_code
from accounts.models import User
from parking.models import Permit, PermitApplication
from records.selectors import residential_addresses_at_postcode
from tests.helpers import sign_in

# On the demo defaults too (`make test`'s SQLite smoke set): the database a newcomer has.
pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

README = Path(__file__).resolve().parents[1] / "README.md"
Status = PermitApplication.Status

SEAN = ("Seán", "O'Brien", date(1976, 6, 14))
HOME = ("E8 1NE", "Basement Flat, 1 Mare Street")
# The README's table, row by row: (path, postcode, address (None: not listed), name, vehicle,
# the outcome it must have). "Any name" is tried as someone else's.
PATHS = [
    ("approved", *HOME, SEAN, "LB19PET", Status.APPROVED),
    ("needs evidence (proof of address)", HOME[0], None, SEAN, "LB19EVE", Status.NEEDS_EVIDENCE),
    (
        "needs evidence (another name)",
        *HOME,
        ("Aoife", "Brennan", date(1980, 1, 1)),
        "J123HCK",
        Status.NEEDS_EVIDENCE,
    ),
    ("needs evidence (V5C)", *HOME, SEAN, "ER19NFD", Status.NEEDS_EVIDENCE),
    ("needs evidence (vehicle service down)", *HOME, SEAN, "ER19MNT", Status.NEEDS_EVIDENCE),
    (
        "not eligible: permit-free",
        "E8 2ZU",
        "Flat 1, Matchbox House, Dalston Lane",
        ("Any", "Name", date(1990, 5, 5)),
        "LB19DSL",
        Status.NOT_ELIGIBLE,
    ),
    (
        "not eligible: no parking zone",
        "E8 1HZ",
        "2 Richmond Road",
        ("Any", "Name", date(1990, 5, 5)),
        "LB19DSL",
        Status.NOT_ELIGIBLE,
    ),
    ("not eligible: too heavy", *HOME, SEAN, "LB19HGV", Status.NOT_ELIGIBLE),
]


@pytest.fixture
def demo(settings, tmp_path):
    """`make demo` on a fresh database (a small borough: the README's homes are in it)."""
    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    settings.PERMIT_APPLICATIONS_PER_DAY = 50  # the demo's default (settings.py)
    call_command("demo_records", scale=0.01)
    call_command("demo_users", quiet=True)
    call_command("demo_balances")
    call_command("demo_review_queue")
    call_command("demo_permits")


def readme_table() -> list[tuple[str, str]]:
    text = README.read_text()
    start = text.index("| path | answers |")
    rows = []
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        path, answers = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((path, answers))
    return rows


def test_the_readme_table_is_the_paths_this_test_drives():
    table = readme_table()
    assert [path for path, _ in table] == [row[0] for row in PATHS]
    for (path, answers), (_, postcode, _, _, vehicle, _) in zip(table, PATHS, strict=True):
        assert f"`{vehicle}`" in answers, path
        if postcode != HOME[0]:
            assert f"`{postcode}`" in answers, path


def apply(client, postcode, address, name, vehicle) -> PermitApplication:
    """One application through the resident's pages, as README's answers say."""
    response = client.get(reverse("parking:apply"))
    ref = response["Location"].split("/")[3]

    def post(page, data):
        response = client.post(reverse(f"parking:{page}", args=[ref]), data)
        assert response.status_code == 302, (page, response.content.decode()[:3000])

    post("postcode", {"postcode": postcode})
    if address is None:
        post("address", {"address": "not_listed"})
        post("address_lines", {"line1": "12 New Court", "town": "London", "postcode": postcode})
    else:
        [home] = [
            a for a in residential_addresses_at_postcode(postcode=postcode) if address in a.label
        ]
        post("address", {"address": home.uprn})
    first, last, born = name
    post(
        "applicant",
        {"first_name": first, "last_name": last}
        | {"dob_day": born.day, "dob_month": born.month, "dob_year": born.year},
    )
    post("registration", {"registration": vehicle})
    post("vehicle", {})
    post("duration", {"months": 12, "start": "today"})
    assert client.get(reverse("parking:check_answers", args=[ref])).status_code == 200
    response = client.post(reverse("parking:submit", args=[ref]))
    assert response["Location"] == reverse("parking:application", args=[ref])
    return PermitApplication.objects.get(reference=ref)


def pay(client, application) -> Permit:
    """ "Pay" and the local payment page with the README's card."""
    response = client.post(reverse("parking:pay", args=[application.reference]))
    payment_page = response["Location"]
    response = client.post(
        payment_page, {"card_number": "4444 3333 2222 1111", "cardholder_name": "Seán O'Brien"}
    )
    client.get(response["Location"])
    return Permit.objects.get(application=application)


def test_every_readme_demo_path_in_order(demo):
    resident = Client()
    resident.force_login(User.objects.get(email="resident@example.com"))
    decided = {}
    for path, postcode, address, name, vehicle, outcome in PATHS:
        application = apply(resident, postcode, address, name, vehicle)
        assert application.status == outcome, (path, application.decision)
        decided[path] = application

    # Paying, and the permit: pay, then change the vehicle (dearer, then cheaper).
    permit = pay(resident, decided["approved"])
    assert permit.registration == "LB19PET"
    for registration, says in (("LB19DSL", "pay"), ("LB19EVE", "refund")):
        response = resident.post(
            reverse("parking:permit_vehicle", args=[permit.number]), {"registration": registration}
        )
        page = resident.get(response["Location"])
        assert page.status_code == 200, registration
        assert says in page.content.decode().lower(), registration

    # Renewing the permit `make demo` gave the resident.
    due = Permit.objects.get(user__email="resident@example.com", registration="KX20REN")
    assert "Renew" in resident.get(reverse("parking:permit", args=[due.number])).content.decode()
    response = resident.post(reverse("parking:permit_renew", args=[due.number]), {"months": 12})
    renewal = PermitApplication.objects.get(renews=due)
    assert response["Location"] == reverse("parking:application", args=[renewal.reference])
    assert renewal.status == Status.APPROVED, renewal.decision


def test_the_readme_assisted_example_and_search(demo):
    agent = Client()
    staff = User.objects.get(email="contact.centre.agent@example.com")
    sign_in(agent, staff, password=DEMO_PASSWORD, code=current_totp_code(DEMO_TOTP_SECRET))

    # "open Seán O'Brien's case (below) as the agent": found by the start of his surname.
    found = agent.get(reverse("casework:search"), {"q": "obri"}).content.decode()
    assert "O&#x27;Brien" in found or "O'Brien" in found
    person = re.search(r"/staff/cases/person/(P\d+)/", found)[1]
    agent.post(reverse("casework:person_case", args=[person]), {"reason": "phone"})
    response = agent.post(
        reverse("casework:assisted_start", args=[person]), {"email": "resident@example.com"}
    )
    ref = PermitApplication.objects.get(made_by=staff, status=Status.DRAFT).reference
    assert response.status_code == 302
    [home] = [a for a in residential_addresses_at_postcode(postcode=HOME[0]) if HOME[1] in a.label]
    for page, data in [
        ("postcode", {"postcode": HOME[0]}),
        ("address", {"address": home.uprn}),
        (
            "applicant",
            {"first_name": "Seán", "last_name": "O'Brien", "dob_day": 14, "dob_month": 6}
            | {"dob_year": 1976},
        ),
        ("registration", {"registration": "LB19VAN"}),
        ("vehicle", {}),
        (
            "duration",
            {"months": 12, "start": "today"},
        ),
    ]:
        response = agent.post(reverse(f"casework:assisted_{page}", args=[ref]), data)
        assert response.status_code == 302, (page, response.content.decode()[:2000])
    agent.post(reverse("casework:assisted_submit", args=[ref]), {"confirmed": "on"})
    assert PermitApplication.objects.get(reference=ref).status == Status.APPROVED
