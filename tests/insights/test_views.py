"""The analysts' pages: who may open them, the forms' messages for every bad answer (and no
result for them), the results as links, and the queries a result costs."""

import pytest
from django.urls import reverse

from insights.apps import ANALYST
from insights.forms import TariffChangeForm
from insights.selectors import tariff_now
from parking.models import Tariff
from tests.factories import UserFactory, make_staff
from tests.helpers import sign_in
from tests.insights.borough import load_council_tax, load_homes, permit_bought
from tests.test_error_messages import DEFAULT_WORDING, _codes

TARIFF_RESULT = reverse("insights:tariff_result")
COUNCIL_TAX_RESULT = reverse("insights:council_tax_result")
RESULT_HEADING = "What the tariff change would do"


def tariff_as_now() -> dict:
    """The tariff form's answers as it starts: the tariff in force."""
    form = TariffChangeForm(tariff=tariff_now(), zones=[])
    return {name: form.initial.get(name, "") for name in form.fields}


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("resident", 403),
        ("contact_centre_agent", 403),
        ("parking_officer", 403),
        ("revenues_officer", 403),
        ("records_admin", 200),
        (ANALYST, 200),
    ],
)
def test_the_tariff_result_is_for_analysts_and_records_administrators(client, db, persona, status):
    sign_in(client, UserFactory() if persona == "resident" else make_staff(persona))
    assert client.get(TARIFF_RESULT, tariff_as_now()).status_code == status


def test_someone_signed_out_is_sent_to_sign_in(client, db):
    response = client.get(COUNCIL_TAX_RESULT, {"code": "SPD", "percent": "20"})
    assert response["Location"].startswith(reverse("account_login"))


def test_the_analyst_lands_on_insights(client, analyst):
    assert sign_in(client, analyst)["Location"] == reverse("insights:home")


def test_the_tariff_form_starts_with_the_tariff_in_force(signed_in):
    tariff = tariff_now()
    page = text(signed_in.get(reverse("insights:tariff")))
    band = tariff.emission_bands[1]
    assert f'value="{band.annual_pence // 100}.{band.annual_pence % 100:02d}"' in page


def test_an_unchanged_tariff_says_nothing_changed(signed_in):
    page = text(signed_in.get(TARIFF_RESULT, tariff_as_now()))
    assert "Nothing was changed" in page


def test_a_change_is_listed_in_words_on_the_result(signed_in):
    answers = tariff_as_now() | {"diesel": "80"}
    page = text(signed_in.get(TARIFF_RESULT, answers))
    assert "Diesel surcharge: £" in page and " to £80.00 a year" in page


def test_a_change_to_shorter_permits_is_listed_in_words(signed_in):
    page = text(signed_in.get(TARIFF_RESULT, tariff_as_now() | {"three_month_percent": "25"}))
    assert "A 3-month permit: 30% to 25% of a year&#x27;s price" in page


def test_the_result_counts_the_live_permits_and_draws_its_charts(signed_in):
    load_homes()
    load_council_tax()
    permit_bought(UserFactory(), person="P1", registration="LB19PET", months=12)
    permit_bought(UserFactory(), person="P2", registration="LB19EVE", months=12)
    page = text(signed_in.get(TARIFF_RESULT, tariff_as_now() | {"diesel": "80"}))
    assert "Of 2 live permits, 2 (100%) were priced." in page
    assert page.count('role="img"') == 3


def test_the_result_costs_a_fixed_number_of_queries(signed_in, django_assert_num_queries):
    load_homes()
    for person, registration in [("P1", "LB19PET"), ("P2", "LB19DSL"), ("P3", "LB19EVE")]:
        permit_bought(UserFactory(), person=person, registration=registration, months=12)
    answers = tariff_as_now()
    signed_in.get(TARIFF_RESULT, answers)  # the staff session's last request noted: not again
    # The session, the user, their app and permissions (5); the tariff and its two kinds of
    # band (3), the zones (1), every live permit (1, with its transaction's savepoint, settings
    # and release: 4), the records' dates (1), each feed's last file (1).
    with django_assert_num_queries(15):
        signed_in.get(TARIFF_RESULT, answers)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"band_1_price": "lots"}, "must be an amount in pounds, like 120.00"),
        ({"band_1_price": ""}, "Enter the price of"),
        ({"band_1_price": "1000000"}, "must be £100,000 or less"),
        ({"band_1_max": "0"}, "must be more than"),
        ({"band_0_max": "12.5"}, "must be a whole number"),
        ({"new_band_max": "50"}, "Enter the new band&#x27;s price too, or neither"),
        ({"new_band_price": "50"}, "Enter the new band&#x27;s upper limit too, or neither"),
        ({"diesel": ""}, "Enter the diesel surcharge in pounds"),
        ({"further": "-5"}, "must be an amount in pounds"),
        ({"zone_percent": "120"}, "Choose the zone to price differently"),
        ({"zone": "Q"}, "Choose a zone from the list"),
        ({"engine_0_max": "100000"}, "must be between 1 and 99,999cc"),
        ({"three_month_percent": "0"}, "must be between 1 and 100%"),
        ({"six_month_percent": ""}, "Enter the 6-month price as a percentage of a year&#x27;s"),
        (
            {"three_month_percent": "60", "six_month_percent": "50"},
            "The 6-month percentage must be at least the 3-month one (60%)",
        ),
    ],
)
def test_every_bad_tariff_answer_gets_a_message_and_no_result(signed_in, change, message):
    page = text(signed_in.get(TARIFF_RESULT, tariff_as_now() | change))
    assert (message in page, RESULT_HEADING in page, "There is a problem" in page) == (
        True,
        False,
        True,
    )


def test_a_new_band_where_one_ends_already_is_refused(signed_in):
    limit = tariff_as_now()["band_0_max"]
    page = text(signed_in.get(TARIFF_RESULT, tariff_as_now() | {"new_band_max": limit,
                                                              "new_band_price": "10"}))  # fmt: skip
    assert f"A band already ends at {limit} g/km" in page


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"percent": "20"}, "Choose the discount or premium to change"),
        ({"code": "XYZ", "percent": "20"}, "Choose a discount or premium from the list"),
        ({"code": "SPD"}, "Enter the new percentage"),
        ({"code": "SPD", "percent": "twenty"}, "must be a whole number"),
        ({"code": "SPD", "percent": "120"}, "A discount must be between 0 and 100%"),
        ({"code": "LTE", "percent": "400"}, "must be between 0 and 300%"),
    ],
)
def test_every_bad_council_tax_answer_gets_a_message_and_no_result(signed_in, answers, message):
    page = text(signed_in.get(COUNCIL_TAX_RESULT, answers))
    assert (message in page, "would do</h1>" in page) == (True, False)


def test_the_council_tax_result_says_how_many_are_in_arrears(signed_in):
    load_homes()
    load_council_tax()
    page = text(signed_in.get(COUNCIL_TAX_RESULT, {"code": "SPD", "percent": "20"}))
    assert "1 (50%)" in page.split("already in arrears", 1)[1][:200]


def test_the_council_tax_result_costs_a_fixed_number_of_queries(
    signed_in, django_assert_num_queries
):
    load_homes()
    load_council_tax()
    answers = {"code": "SPD", "percent": "20"}
    signed_in.get(COUNCIL_TAX_RESULT, answers)  # the staff session's last request noted
    # The session, the user, their app and permissions (5); every account carrying the code
    # with its ledger's sums (1, with its transaction's savepoint, settings and release: 4),
    # the records' dates (1), each feed's last file (1).
    with django_assert_num_queries(11):
        signed_in.get(COUNCIL_TAX_RESULT, answers)


def test_with_no_tariff_in_force_the_tariff_page_says_so(signed_in):
    Tariff.objects.all().delete()
    assert "No permit tariff is in force" in text(signed_in.get(reverse("insights:tariff")))


def test_every_field_of_the_tariff_form_has_our_message_for_every_error(db):
    # The form is built from the tariff in force, so the audit of form classes cannot see it.
    form = TariffChangeForm(tariff=tariff_now(), zones=["A"])
    defaults = [
        (name, code)
        for name, field in form.fields.items()
        for code in _codes(field)
        if not field.error_messages.get(code)
        or any(phrase in str(field.error_messages[code]) for phrase in DEFAULT_WORDING)
    ]
    assert defaults == []


@pytest.mark.parametrize(("role", "linked"), [(ANALYST, True), ("records_admin", True),
                                              ("contact_centre_agent", False)])  # fmt: skip
def test_the_staff_home_links_to_insights_for_those_who_may_use_it(client, db, role, linked):
    sign_in(client, make_staff(role))
    page = text(client.get(reverse("casework:home")))
    assert (reverse("insights:home") in page) == linked
