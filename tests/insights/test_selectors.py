"""The what-ifs over the database: the live permits and the council tax accounts read as facts,
and the pricing agreement: with the tariff unchanged, every live permit is priced exactly as
the portal charged it, penny for penny."""

import pytest
from django.utils import timezone

from insights.council_tax_whatif import council_tax_whatif
from insights.selectors import accounts_with_code, live_permit_facts, tariff_now
from insights.tariff_whatif import NotPriced, Tariffs, tariff_whatif
from parking.models import Permit
from records.models import Property
from tests.factories import UserFactory
from tests.insights.borough import TODAY, load_council_tax, load_homes, permit_bought

# person, registration, months: petrol, diesel and a pre-2001 car priced by engine size at one
# home (the second and third pay the further-permit surcharge), an electric car and a 3.5 t
# diesel van at another, a plug-in hybrid and a car first registered in 2005 at the third; 3, 6
# and 12 months.
VARIED = [
    ("P1", "LB19PET", 12),
    ("P1", "LB19DSL", 6),
    ("P1", "J123HCK", 3),
    ("P2", "LB19EVE", 12),
    ("P2", "LB19VAN", 3),
    ("P3", "AB12CDE", 6),
    ("P3", "LD05QQQ", 12),
]


@pytest.fixture
def varied(db):
    load_homes()
    users = {"P1": UserFactory(), "P2": UserFactory(), "P3": UserFactory()}
    return [
        permit_bought(users[person], person=person, registration=registration, months=months)
        for person, registration, months in VARIED
    ]


def unchanged(facts):
    tariff = Tariffs(tariff_now())
    return tariff_whatif(facts, current=tariff, proposed=tariff)


@pytest.mark.embedded  # the demo's SQLite hands the raw query the vehicle as text
def test_an_unchanged_tariff_prices_every_live_permit_as_the_portal_charged_it(varied):
    result = unchanged(live_permit_facts())
    priced = {item.permit.number: item.before_pence for item in result.priced}
    assert priced == {permit.number: permit.price_pence for permit in varied}


def test_the_fixture_is_varied_enough_to_mean_something(varied):
    # Surcharged and not, every length, electric and diesel: else the agreement proves little.
    kinds = {
        (
            permit.months,
            any("permit at this address" in line["label"] for line in permit.price_lines),
        )
        for permit in varied
    }
    assert kinds >= {(12, False), (6, True), (3, True), (12, True)}


def test_the_live_permits_are_read_in_one_query(varied, django_assert_num_queries):
    # One query, in a transaction of its own with its settings (no JIT, more memory): here a
    # savepoint in the test's transaction, the settings, the query, the savepoint released.
    with django_assert_num_queries(4):
        live_permit_facts()


def test_each_permit_comes_with_its_homes_zone_ward_and_band(varied):
    load_council_tax()
    facts = {(f.household, f.zone, f.ward, f.council_tax_band) for f in live_permit_facts()}
    assert facts == {(30001, "A", "Hackney Central", "B"), (30002, "B", "Dalston", "D"),
                     (30003, "B", "Dalston", "D")}  # fmt: skip


def test_a_cancelled_permit_is_not_live(varied):
    Permit.objects.filter(pk=varied[0].pk).update(status="cancelled", cancelled_at=timezone.now())
    assert varied[0].number not in {f.number for f in live_permit_facts()}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"person_ref": ""}, NotPriced.NO_PERSON),
        ({"flagged_at": timezone.now()}, NotPriced.RECORDS_STALE),
        ({"vehicle": None}, NotPriced.NO_VEHICLE),
        ({"uprn": 99999}, NotPriced.NO_ADDRESS),
    ],
)
def test_a_permit_the_records_cannot_support_is_counted_with_its_reason(varied, change, reason):
    Permit.objects.filter(pk=varied[3].pk).update(**change)
    assert unchanged(live_permit_facts()).coverage.not_priced == ((reason, 1),)


def test_a_home_gone_from_the_gazetteer_makes_its_permits_stale(varied):
    Property.objects.filter(uprn=30003).update(retired_at=timezone.now())
    assert unchanged(live_permit_facts()).coverage.not_priced == ((NotPriced.RECORDS_STALE, 2),)


@pytest.fixture
def council_tax(db):
    load_homes()
    load_council_tax()


def test_the_accounts_carrying_the_code_and_their_ledger_sums(council_tax):
    facts = sorted(accounts_with_code(code="spd", today=TODAY), key=lambda a: a.band)
    assert [
        (a.band, a.ward, a.charge_pence, a.discount_pence, a.paid_pence, a.earlier_pence,
         a.due_to_date_pence)
        for a in facts
    ] == [
        ("B", "Hackney Central", 120_000, -30_000, -90_000, 0, 90_000),
        ("D", "Dalston", 180_000, -45_000, -135_000, 10_000, 135_000),
    ]  # fmt: skip


def test_the_accounts_are_read_in_one_query(council_tax, django_assert_num_queries):
    # As the permits: savepoint, settings, the query, release.
    with django_assert_num_queries(4):
        accounts_with_code(code="SPD", today=TODAY)


@pytest.mark.embedded
def test_the_council_tax_whatif_over_the_database(council_tax):
    # SPD 25% -> 20%: 1,200.00's discount 300.00 -> 240.00 (+60.00, paid up); 1,800.00's
    # 450.00 -> 360.00 (+90.00, owes 100.00 from 2025/26): +150.00, one in arrears.
    result = council_tax_whatif(
        accounts_with_code(code="SPD", today=TODAY), code="SPD", percent=20, today=TODAY
    )
    assert sorted((item.change_pence, item.in_arrears) for item in result.assessed) == [
        (6_000, False),
        (9_000, True),
    ]
