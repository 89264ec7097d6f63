"""The tariff what-if on a small known data set, the answer worked out by hand below. Pure: no
database, no Django."""

from datetime import date

import pytest

from insights.tariff_whatif import (
    NewBand,
    NotPriced,
    PermitFacts,
    Tariffs,
    changed_tariff,
    tariff_whatif,
    zone_tariff,
)
from parking.pricing import EmissionRate, EngineSizeRate, TariffError, TariffRates, VehicleFacts

TARIFF = TariffRates(
    name="Test tariff",
    effective_from=date(2026, 4, 1),
    emission_bands=(
        EmissionRate(100, 10_000, "Band 1"),
        EmissionRate(150, 20_000, "Band 2"),
        EmissionRate(None, 30_000, "Band 3"),
    ),
    engine_size_bands=(EngineSizeRate(1500, 12_000), EngineSizeRate(None, 25_000)),
    diesel_surcharge_pence=5_000,
    additional_permit_surcharge_pence=4_000,
    three_month_percent=30,
    six_month_percent=55,
)
PETROL_120 = VehicleFacts("PETROL", co2_g_per_km=120, first_registered=date(2019, 3, 1))
DIESEL_140 = VehicleFacts("DIESEL", co2_g_per_km=140, engine_cc=1995)
ELECTRIC = VehicleFacts("ELECTRICITY", co2_g_per_km=0)
OLD_1400 = VehicleFacts("PETROL", engine_cc=1400, first_registered=date(1999, 5, 1))
NOTHING_KNOWN = VehicleFacts("PETROL", first_registered=date(2015, 1, 1))


def permit(number, household, zone, ward, band, months, vehicle, why=None) -> PermitFacts:
    return PermitFacts(number, household, zone, ward, band, months, vehicle, 0, why)


# Household by household, in the order bought.
PERMITS = [
    permit("P1", 1, "A", "Hackney Central", "B", 12, PETROL_120),
    permit("P2", 1, "A", "Hackney Central", "B", 12, DIESEL_140),  # the second: surcharge
    permit("P3", 2, "B", "Dalston", "D", 6, ELECTRIC),
    permit("P5", 3, "B", "Dalston", "", 12, PETROL_120, NotPriced.NO_PERSON),  # holds 1st place
    permit("P4", 3, "B", "Dalston", "", 3, OLD_1400),  # so this one is the second
    permit("P6", 4, "A", "Hackney Central", "C", 12, None),
    permit("P7", 5, "A", "Hackney Central", "C", 12, NOTHING_KNOWN),
]
# Band 2 £200 -> £240, diesel £50 -> £80, a new band up to 50 g/km at £50, engine band 1
# £120 -> £130.
CHANGED = changed_tariff(
    TARIFF,
    emission_prices=[10_000, 24_000, 30_000],
    new_band=NewBand(max_co2=50, annual_pence=5_000),
    engine_prices=[13_000, 25_000],
    diesel_surcharge_pence=8_000,
)
# By hand, a year's cost before -> after:
#   P1 band 2: 200.00 -> 240.00                                           +40.00
#   P2 band 2 + diesel + 2nd permit: 200+50+40 = 290.00 -> 240+80+40 = 360.00   +70.00
#   household 1: +110.00 (up £100 or more)
#   P3 electric, 0 g/km: band 1 100.00 at 55% = 55.00, twice a year = 110.00
#      -> the new band 50.00 at 55% = 27.50, twice = 55.00                -55.00 (household 2)
#   P4 pre-2001, 1400cc, second at its home: (120+40) at 30% = 48.00, four a year = 192.00
#      -> (130+40) at 30% = 51.00, four a year = 204.00                   +12.00 (household 3)
#   P5 no person, P6 no vehicle, P7 neither CO2 nor engine size: not priced.
#   Together: 200 + 290 + 110 + 192 = 792.00 -> 240 + 360 + 55 + 204 = 859.00, +67.00.


@pytest.fixture(scope="module")
def result():
    return tariff_whatif(PERMITS, current=Tariffs(TARIFF), proposed=Tariffs(CHANGED))


def test_the_year_before_and_after_for_every_priced_permit(result):
    years = {p.permit.number: (p.before_year_pence, p.after_year_pence) for p in result.priced}
    assert years == {
        "P1": (20_000, 24_000),
        "P2": (29_000, 36_000),
        "P3": (11_000, 5_500),
        "P4": (19_200, 20_400),
    }


def test_the_revenue_effect_is_the_sum_of_the_changes(result):
    assert (result.everyone.before_pence, result.everyone.after_pence) == (79_200, 85_900)


def test_households_paying_more_less_and_the_same(result):
    assert (result.everyone.more, result.everyone.less, result.everyone.same) == (2, 1, 0)


def test_the_distribution_of_the_change_per_household(result):
    assert [(b.label, b.count) for b in result.buckets] == [
        ("Down £100 or more", 0),
        ("Down £50 to £99.99", 1),
        ("Down 1p to £49.99", 0),
        ("No change", 0),
        ("Up 1p to £49.99", 1),
        ("Up £50 to £99.99", 0),
        ("Up £100 or more", 1),
    ]


def test_by_zone(result):
    assert [(g.label, g.permits, g.households, g.more, g.less, g.before_pence, g.after_pence)
            for g in result.by_zone] == [
        ("A", 2, 1, 1, 0, 49_000, 60_000),
        ("B", 2, 2, 1, 1, 30_200, 25_900),
    ]  # fmt: skip


def test_by_ward(result):
    assert [(g.label, g.households, g.before_pence, g.after_pence) for g in result.by_ward] == [
        ("Dalston", 2, 30_200, 25_900),
        ("Hackney Central", 1, 49_000, 60_000),
    ]


def test_by_council_tax_band_with_the_unknown_last(result):
    assert [(g.label, g.change_pence) for g in result.by_band] == [
        ("B", 11_000),
        ("D", -5_500),
        ("Not known", 1_200),
    ]


def test_electric_vehicles_apart(result):
    assert [(g.label, g.permits, g.households, g.change_pence) for g in result.by_vehicle] == [
        ("Electric", 1, 1, -5_500),
        ("Diesel", 1, 1, 7_000),
        ("Petrol, hybrid and other", 2, 2, 5_200),
    ]


def test_coverage_counts_what_could_not_be_priced_and_why(result):
    coverage = result.coverage
    assert (coverage.live, coverage.priced, coverage.not_priced) == (
        7,
        4,
        ((NotPriced.NO_VEHICLE, 2), (NotPriced.NO_PERSON, 1)),
    )


def test_a_zones_own_tariff_prices_that_zone_alone():
    proposed = Tariffs(CHANGED, zones={"B": zone_tariff(CHANGED, zone="B", percent=150)})
    result = tariff_whatif(PERMITS, current=Tariffs(TARIFF), proposed=proposed)
    # P3: the new band at 150% = 75.00, at 55% = 41.25, twice = 82.50. P4: engine band 1 at
    # 150% = 195.00, + 40.00 surcharge (not scaled) = 235.00 at 30% = 70.50, four = 282.00.
    after = {p.permit.number: p.after_year_pence for p in result.priced}
    assert after == {"P1": 24_000, "P2": 36_000, "P3": 8_250, "P4": 28_200}


def test_an_unchanged_tariff_changes_nobody():
    result = tariff_whatif(PERMITS, current=Tariffs(TARIFF), proposed=Tariffs(TARIFF))
    assert (result.everyone.same, result.everyone.change_pence) == (3, 0)


def test_a_new_band_where_one_already_ends_is_refused():
    with pytest.raises(TariffError, match="already ends at 100 g/km"):
        changed_tariff(TARIFF, new_band=NewBand(max_co2=100, annual_pence=1))


def test_band_limits_that_do_not_rise_are_refused_by_pricing_itself():
    with pytest.raises(TariffError, match="must rise"):
        changed_tariff(TARIFF, emission_limits=[160, 150, None])


def test_shorter_permits_priced_as_a_new_share_of_a_year():
    # 3-month 30% -> 25%, 6-month 55% -> 60%; nothing else changes. By hand:
    #   P1, P2 (12 months): unchanged.
    #   P3 electric, 6 months: 100.00 at 55% = 55.00 twice = 110.00 -> at 60% = 60.00 twice
    #      = 120.00                                                           +10.00
    #   P4 pre-2001, 3 months, second: (120+40) at 30% = 48.00, four = 192.00 -> at 25%
    #      = 40.00, four = 160.00                                             -32.00
    shorter = changed_tariff(TARIFF, three_month_percent=25, six_month_percent=60)
    result = tariff_whatif(PERMITS, current=Tariffs(TARIFF), proposed=Tariffs(shorter))
    years = {p.permit.number: (p.before_year_pence, p.after_year_pence) for p in result.priced}
    assert years == {
        "P1": (20_000, 20_000),
        "P2": (29_000, 29_000),
        "P3": (11_000, 12_000),
        "P4": (19_200, 16_000),
    }
    assert (result.everyone.more, result.everyone.less, result.everyone.same) == (1, 1, 1)


def test_a_six_month_share_below_the_three_month_one_is_refused_by_pricing_itself():
    with pytest.raises(TariffError, match="3-month and 6-month percentages"):
        changed_tariff(TARIFF, three_month_percent=60, six_month_percent=50)
