"""The price of a resident permit (parking.pricing, pure) and the tariff it comes from
(parking.models, parking.selectors, the admin)."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from hackney_portal.templatetags.portal import pounds
from parking.models import EmissionBand, Tariff
from parking.pricing import (
    EmissionRate,
    EngineSizeRate,
    NoTariffInForce,
    PriceBasis,
    TariffError,
    TariffRates,
    VehicleFacts,
    price,
)
from parking.selectors import tariff_in_force
from tests.factories import make_staff
from tests.helpers import sign_in

TARIFF = TariffRates(
    name="Test tariff",
    effective_from=date(2026, 4, 1),
    emission_bands=(
        EmissionRate(0, 20_00, "Band 1"),
        EmissionRate(100, 100_00, "Band 2"),
        EmissionRate(110, 120_00, "Band 3"),
        EmissionRate(150, 200_00, "Band 4"),
        EmissionRate(255, 400_00, "Band 5"),
        EmissionRate(None, 500_00, "Band 6"),
    ),
    engine_size_bands=(
        EngineSizeRate(1000, 150_00),
        EngineSizeRate(1549, 250_00),
        EngineSizeRate(None, 450_00),
    ),
    diesel_surcharge_pence=100_00,
    additional_permit_surcharge_pence=50_00,
    three_month_percent=30,
    six_month_percent=55,
)
NEW = date(2015, 6, 1)  # first registered well after the CO2 cut-over
OLD = date(1998, 9, 1)


def petrol(co2=None, **facts) -> VehicleFacts:
    return VehicleFacts(fuel_type="PETROL", co2_g_per_km=co2, **{"first_registered": NEW, **facts})


def annual(vehicle, *, permits_held=0, tariff=TARIFF):
    return price(tariff=tariff, vehicle=vehicle, permits_held=permits_held, months=12)


# --- Bands ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("co2", "pence", "label"),
    [
        (0, 20_00, "Emissions band 0 g/km (Band 1)"),
        (1, 100_00, "Emissions band 1 to 100 g/km (Band 2)"),
        (100, 100_00, "Emissions band 1 to 100 g/km (Band 2)"),
        (101, 120_00, "Emissions band 101 to 110 g/km (Band 3)"),
        (110, 120_00, "Emissions band 101 to 110 g/km (Band 3)"),
        (111, 200_00, "Emissions band 111 to 150 g/km (Band 4)"),
        (150, 200_00, "Emissions band 111 to 150 g/km (Band 4)"),
        (151, 400_00, "Emissions band 151 to 255 g/km (Band 5)"),
        (255, 400_00, "Emissions band 151 to 255 g/km (Band 5)"),
        (256, 500_00, "Emissions band over 255 g/km (Band 6)"),
        (9_999, 500_00, "Emissions band over 255 g/km (Band 6)"),
    ],
)
def test_each_band_covers_up_to_and_including_its_limit(co2, pence, label):
    result = annual(petrol(co2))
    assert result.total_pence == pence
    assert [(line.label, line.pence) for line in result.lines] == [(label, pence)]
    assert result.basis is PriceBasis.CO2


def test_a_vehicle_above_a_top_band_with_a_limit_pays_the_top_band():
    capped = TariffRates(
        **{**TARIFF.__dict__, "emission_bands": TARIFF.emission_bands[:-1]},
    )
    assert annual(petrol(300), tariff=capped).total_pence == 400_00


def test_a_band_without_a_label_is_described_by_its_range_alone():
    plain = TariffRates(
        **{**TARIFF.__dict__, "emission_bands": (EmissionRate(100, 90_00), EmissionRate(None, 1))}
    )
    assert annual(petrol(50), tariff=plain).lines[0].label == "Emissions band up to 100 g/km"


def test_electric_vehicles_pay_the_cheapest_band_whatever_co2_the_record_shows():
    for co2 in (None, 0, 120):
        electric = VehicleFacts(fuel_type="ELECTRICITY", co2_g_per_km=co2, first_registered=NEW)
        result = annual(electric)
        assert result.total_pence == 20_00
        assert result.lines[0].label == "Emissions band 0 g/km (Band 1)"
    cheapest = min(annual(petrol(co2)).total_pence for co2 in range(1, 400))
    assert result.total_pence < cheapest


def test_a_hybrid_is_priced_by_its_co2():
    hybrid = VehicleFacts(fuel_type="HYBRID ELECTRIC", co2_g_per_km=105, first_registered=NEW)
    assert annual(hybrid).total_pence == 120_00


# --- Surcharges -----------------------------------------------------------------------------


def test_a_diesel_pays_the_diesel_surcharge_and_the_line_says_so():
    diesel = VehicleFacts(fuel_type="Diesel ", co2_g_per_km=105, first_registered=NEW)
    result = annual(diesel)
    assert [(line.label, line.pence) for line in result.lines] == [
        ("Emissions band 101 to 110 g/km (Band 3)", 120_00),
        ("Diesel surcharge", 100_00),
    ]
    assert result.total_pence == 220_00


def test_a_petrol_vehicle_has_no_diesel_surcharge():
    assert all("Diesel" not in line.label for line in annual(petrol(105)).lines)


def test_the_first_permit_at_an_address_has_no_surcharge():
    assert annual(petrol(105), permits_held=0).total_pence == 120_00


@pytest.mark.parametrize(
    ("permits_held", "label"),
    [(1, "Second permit at this address"), (2, "Third permit at this address")],
)
def test_each_further_permit_at_an_address_pays_the_surcharge_once(permits_held, label):
    result = annual(petrol(105), permits_held=permits_held)
    assert result.lines[-1].label == label
    assert result.lines[-1].pence == 50_00
    assert result.total_pence == 170_00


def test_a_zero_surcharge_is_left_out_of_the_explanation():
    free = TariffRates(
        **{**TARIFF.__dict__, "diesel_surcharge_pence": 0, "additional_permit_surcharge_pence": 0}
    )
    diesel = VehicleFacts(fuel_type="DIESEL", co2_g_per_km=105, first_registered=NEW)
    assert len(annual(diesel, permits_held=1, tariff=free).lines) == 1


# --- Before the CO2 cut-over, and missing figures --------------------------------------------


@pytest.mark.parametrize(
    ("engine_cc", "pence", "label"),
    [
        (998, 150_00, "Engine size up to 1,000cc"),
        (1000, 150_00, "Engine size up to 1,000cc"),
        (1001, 250_00, "Engine size 1,001 to 1,549cc"),
        (1549, 250_00, "Engine size 1,001 to 1,549cc"),
        (1550, 450_00, "Engine size over 1,549cc"),
    ],
)
def test_a_vehicle_first_registered_before_march_2001_is_priced_by_engine_size(
    engine_cc, pence, label
):
    result = annual(petrol(first_registered=OLD, engine_cc=engine_cc))
    assert result.total_pence == pence
    assert result.lines[0].label == f"{label}, first registered before 1 March 2001"
    assert result.basis is PriceBasis.ENGINE_SIZE


def test_the_cut_over_is_1_march_2001():
    february = petrol(co2=105, engine_cc=1200, first_registered=date(2001, 2, 1))
    march = petrol(co2=105, engine_cc=1200, first_registered=date(2001, 3, 1))
    assert annual(february).basis is PriceBasis.ENGINE_SIZE
    assert annual(march).basis is PriceBasis.CO2


def test_without_a_registration_date_the_year_of_manufacture_decides():
    made_2000 = petrol(co2=105, engine_cc=1200, first_registered=None, year_of_manufacture=2000)
    made_2001 = petrol(co2=105, engine_cc=1200, first_registered=None, year_of_manufacture=2001)
    assert annual(made_2000).basis is PriceBasis.ENGINE_SIZE
    assert annual(made_2001).basis is PriceBasis.CO2


def test_an_old_vehicle_without_an_engine_size_is_priced_by_co2_when_known():
    assert annual(petrol(co2=105, first_registered=OLD)).total_pence == 120_00


def test_a_newer_vehicle_with_unknown_co2_is_priced_by_engine_size():
    result = annual(petrol(co2=None, engine_cc=1400))
    assert result.total_pence == 250_00
    assert result.lines[0].label == "Engine size 1,001 to 1,549cc, CO2 emissions not known"
    assert not result.needs_check


@pytest.mark.parametrize("facts", [{}, {"first_registered": OLD}, {"engine_cc": 0, "co2": -5}])
def test_with_neither_co2_nor_engine_size_the_top_band_is_charged_and_flagged(facts):
    result = annual(petrol(**facts))
    assert result.total_pence == 500_00
    assert result.lines[0].label == (
        "Emissions not known, so the highest band: over 255 g/km (Band 6)"
    )
    assert result.needs_check


# --- Shorter permits ------------------------------------------------------------------------


def test_a_year_has_no_pro_rata_line():
    result = annual(petrol(105))
    assert result.months == 12
    assert result.annual_pence == result.total_pence == 120_00
    assert len(result.lines) == 1


@pytest.mark.parametrize(("months", "percent", "total"), [(3, 30, 36_00), (6, 55, 66_00)])
def test_a_shorter_permit_costs_its_percentage_of_the_annual_price(months, percent, total):
    result = price(tariff=TARIFF, vehicle=petrol(105), permits_held=0, months=months)
    assert result.total_pence == total
    assert result.annual_pence == 120_00
    assert result.lines[-1].label == (
        f"{months} months instead of 12: you pay {percent}% of the annual price"
    )
    assert result.lines[-1].pence == total - 120_00


def test_pro_rata_covers_the_surcharges_too_and_rounds_half_up_to_the_penny():
    diesel = VehicleFacts(fuel_type="DIESEL", co2_g_per_km=105, first_registered=NEW)
    result = price(tariff=TARIFF, vehicle=diesel, permits_held=1, months=6)
    assert result.annual_pence == 270_00
    assert result.total_pence == 148_50  # 55% of £270.00
    odd = TariffRates(**{**TARIFF.__dict__, "emission_bands": (EmissionRate(None, 12_345),)})
    # 55% of 12,345p is 6,789.75p: 6,790p
    assert price(tariff=odd, vehicle=petrol(1), permits_held=0, months=6).total_pence == 6_790


def test_the_explanation_lines_add_up_to_the_total():
    diesel = VehicleFacts(fuel_type="DIESEL", co2_g_per_km=200, first_registered=NEW)
    result = price(tariff=TARIFF, vehicle=diesel, permits_held=2, months=3)
    assert len(result.lines) == 4
    assert sum(line.pence for line in result.lines) == result.total_pence


@pytest.mark.parametrize("months", [0, 1, 4, 24])
def test_only_3_6_or_12_months_can_be_priced(months):
    with pytest.raises(ValueError, match="3, 6 or 12 months"):
        price(tariff=TARIFF, vehicle=petrol(105), permits_held=0, months=months)


def test_a_negative_count_of_permits_held_is_a_mistake():
    with pytest.raises(ValueError, match="permits_held"):
        price(tariff=TARIFF, vehicle=petrol(105), permits_held=-1, months=12)


# --- A tariff that cannot price is refused when it is built --------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"emission_bands": ()},
        {"emission_bands": (EmissionRate(110, 1), EmissionRate(100, 1))},
        {"emission_bands": (EmissionRate(None, 1), EmissionRate(100, 1))},
        {"emission_bands": (EmissionRate(100, -1),)},
        {"engine_size_bands": (EngineSizeRate(1000, 1), EngineSizeRate(1000, 1))},
        {"diesel_surcharge_pence": -1},
        {"three_month_percent": 0},
        {"three_month_percent": 60, "six_month_percent": 55},
        {"six_month_percent": 101},
    ],
)
def test_an_inconsistent_tariff_is_refused(change):
    with pytest.raises(TariffError):
        TariffRates(**{**TARIFF.__dict__, **change})


# --- Properties -----------------------------------------------------------------------------


@st.composite
def tariffs(draw):
    def bands(rate, limit):
        limits = sorted(draw(st.sets(st.integers(0, limit), min_size=1, max_size=8)))
        limits = [*limits, None] if draw(st.booleans()) else limits
        return tuple(rate(m, draw(st.integers(0, 200_000))) for m in limits)

    three = draw(st.integers(1, 100))
    return TariffRates(
        name="Drawn",
        effective_from=date(2026, 4, 1),
        emission_bands=bands(EmissionRate, 400),
        engine_size_bands=bands(EngineSizeRate, 6000) if draw(st.booleans()) else (),
        diesel_surcharge_pence=draw(st.integers(0, 100_000)),
        additional_permit_surcharge_pence=draw(st.integers(0, 100_000)),
        three_month_percent=three,
        six_month_percent=draw(st.integers(three, 100)),
    )


vehicles = st.builds(
    VehicleFacts,
    fuel_type=st.sampled_from(["PETROL", "DIESEL", "ELECTRICITY", "HYBRID ELECTRIC", "", "GAS"]),
    co2_g_per_km=st.none() | st.integers(-10, 1_000),
    engine_cc=st.none() | st.integers(-1, 9_000),
    first_registered=st.none() | st.dates(date(1950, 1, 1), date(2030, 12, 31)),
    year_of_manufacture=st.none() | st.integers(1950, 2030),
)
permits_held = st.integers(0, 5)


@given(tariff=tariffs(), vehicle=vehicles, held=permits_held)
def test_prices_are_never_negative_and_the_lines_add_up(tariff, vehicle, held):
    for months in (3, 6, 12):
        result = price(tariff=tariff, vehicle=vehicle, permits_held=held, months=months)
        assert result.total_pence >= 0
        assert sum(line.pence for line in result.lines) == result.total_pence
        assert all(line.label for line in result.lines)


@given(tariff=tariffs(), vehicle=vehicles, held=permits_held)
def test_a_shorter_permit_never_costs_more_than_a_longer_one(tariff, vehicle, held):
    three, six, twelve = (
        price(tariff=tariff, vehicle=vehicle, permits_held=held, months=months)
        for months in (3, 6, 12)
    )
    assert three.total_pence <= six.total_pence <= twelve.total_pence == twelve.annual_pence
    assert three.annual_pence == six.annual_pence == twelve.annual_pence


@given(tariff=tariffs(), vehicle=vehicles, held=permits_held)
def test_an_electric_vehicle_never_pays_more_than_the_same_vehicle_on_petrol(tariff, vehicle, held):
    # Electric pays the lowest band; that is cheapest only if the tariff's bands rise, as
    # the seeded one's do.
    rising = tuple(sorted(b.annual_pence for b in tariff.emission_bands))
    tariff = TariffRates(
        **{
            **tariff.__dict__,
            "emission_bands": tuple(
                EmissionRate(b.max_co2, pence)
                for b, pence in zip(tariff.emission_bands, rising, strict=True)
            ),
        }
    )
    electric = VehicleFacts(**{**vehicle.__dict__, "fuel_type": "ELECTRICITY"})
    on_petrol = VehicleFacts(**{**vehicle.__dict__, "fuel_type": "PETROL", "engine_cc": None})
    assert (
        annual(electric, permits_held=held, tariff=tariff).total_pence
        <= annual(on_petrol, permits_held=held, tariff=tariff).total_pence
    )


# --- Pounds in templates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "shown"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (12_00, "£12.00"),
        (123_456, "£1,234.56"),
        (-19_25, "\u2212£19.25"),
        (None, ""),
    ],
)
def test_pence_are_shown_as_pounds(pence, shown):
    assert pounds(pence) == shown


# --- The tariff in the database -------------------------------------------------------------

SEEDED = "Resident permits 2026/27 (illustrative)"


def make_tariff(effective_from, **fields) -> Tariff:
    values = {
        "name": f"From {effective_from}",
        "diesel_surcharge_pence": 0,
        "additional_permit_surcharge_pence": 0,
        "three_month_percent": 30,
        "six_month_percent": 55,
    }
    tariff = Tariff.objects.create(effective_from=effective_from, **{**values, **fields})
    tariff.emission_bands.create(max_co2=None, annual_pence=100_00)
    return tariff


@pytest.mark.embedded
@pytest.mark.django_db
def test_the_seeded_tariff_is_in_force_today_and_prices_a_worked_example():
    tariff = tariff_in_force(on=timezone.localdate())
    assert tariff.name == SEEDED
    assert tariff.emission_bands[0].max_co2 == 0
    assert tariff.emission_bands[0].annual_pence == min(
        b.annual_pence for b in tariff.emission_bands
    )
    assert tariff.emission_bands[-1].max_co2 is None
    # A 2015 diesel at 119 g/km, the second permit at the address, for 6 months:
    diesel = VehicleFacts(fuel_type="DIESEL", co2_g_per_km=119, first_registered=NEW)
    result = price(tariff=tariff, vehicle=diesel, permits_held=1, months=6)
    assert [(line.label, line.pence) for line in result.lines] == [
        ("Emissions band 111 to 120 g/km (Band 4)", 170_00),
        ("Diesel surcharge", 150_00),
        ("Second permit at this address", 100_00),
        ("6 months instead of 12: you pay 55% of the annual price", -189_00),
    ]
    assert result.total_pence == 231_00


@pytest.mark.embedded
@pytest.mark.django_db
def test_the_tariff_in_force_is_the_latest_that_has_started():
    today = timezone.localdate()
    recent = make_tariff(today - timedelta(days=10))
    future = make_tariff(today + timedelta(days=30))
    assert tariff_in_force(on=today).name == recent.name
    assert tariff_in_force(on=today - timedelta(days=10)).name == recent.name
    assert tariff_in_force(on=today - timedelta(days=11)).name == SEEDED
    assert tariff_in_force(on=future.effective_from).name == future.name


@pytest.mark.embedded
@pytest.mark.django_db
def test_no_tariff_in_force_is_a_clear_error():
    with pytest.raises(NoTariffInForce, match="No parking tariff is in force on 1 January 2000"):
        tariff_in_force(on=date(2000, 1, 1))


@pytest.mark.django_db
def test_a_tariff_without_emissions_bands_cannot_price():
    Tariff.objects.create(
        name="Empty",
        effective_from=timezone.localdate(),
        diesel_surcharge_pence=0,
        additional_permit_surcharge_pence=0,
        three_month_percent=30,
        six_month_percent=55,
    )
    with pytest.raises(TariffError, match="no emissions bands"):
        tariff_in_force(on=timezone.localdate())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"diesel_surcharge_pence": -1},
        {"additional_permit_surcharge_pence": -1},
        {"three_month_percent": 0},
        {"three_month_percent": 60, "six_month_percent": 55},
        {"six_month_percent": 101},
    ],
)
def test_the_database_refuses_an_inconsistent_tariff(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_tariff(date(2030, 1, 1), **fields)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "band",
    [
        {"max_co2": 100, "annual_pence": -1},
        {"max_co2": None, "annual_pence": 1},  # a second open-ended band
        {"max_co2": 0, "annual_pence": 1},  # the same limit twice
    ],
)
def test_the_database_refuses_an_inconsistent_band(band):
    tariff = make_tariff(date(2030, 1, 1))
    tariff.emission_bands.create(max_co2=0, annual_pence=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        EmissionBand.objects.create(tariff=tariff, **band)


@pytest.mark.django_db
def test_a_superuser_can_open_the_tariff_in_the_admin(client):
    admin_user = make_staff(None, is_superuser=True, email="admin@example.com")
    sign_in(client, admin_user)
    tariff = Tariff.objects.get(name=SEEDED)
    page = client.get(reverse("admin:parking_tariff_change", args=[tariff.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Band 14" in content
    assert "Engine size bands (vehicles first registered before 1 March 2001)" in content
    assert client.get(reverse("admin:parking_tariff_changelist")).status_code == 200
