"""The what-if prices each distinct vehicle once, by what pricing reads of it
(insights.tariff_whatif.price_key). Should parking.pricing ever read more of a vehicle, two
vehicles alike in the key would be priced differently: these properties fail then. Pure."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from insights.tariff_whatif import price_key
from parking.pricing import VehicleFacts, price
from tests.insights.test_tariff_whatif import TARIFF

FUELS = ["PETROL", "petrol", "DIESEL", "Diesel ", "HEAVY OIL", "ELECTRICITY", "electric",
         "HYBRID ELECTRIC", "ELECTRIC DIESEL", "GAS", ""]  # fmt: skip
# Without engine-size bands, an old car is priced by CO2 or, neither known, in the top band.
NO_ENGINE_BANDS = replace(TARIFF, name="No engine bands", engine_size_bands=())
vehicles = st.builds(
    VehicleFacts,
    fuel_type=st.sampled_from(FUELS),
    co2_g_per_km=st.none() | st.integers(-5, 400),
    engine_cc=st.none() | st.integers(-5, 5000),
    first_registered=st.none()
    | st.dates(date(1960, 1, 1), date(2026, 12, 1)).map(lambda d: d.replace(day=1)),
    year_of_manufacture=st.none() | st.integers(1960, 2026),
)


def alike(vehicle: VehicleFacts, other: VehicleFacts) -> VehicleFacts:
    """`other`'s fuel spelling and dates with `vehicle`'s emissions and engine size."""
    return VehicleFacts(
        fuel_type=other.fuel_type,
        co2_g_per_km=vehicle.co2_g_per_km,
        engine_cc=vehicle.engine_cc,
        first_registered=other.first_registered,
        year_of_manufacture=other.year_of_manufacture,
    )


@given(
    vehicle=vehicles,
    other=vehicles,
    held=st.integers(0, 4),
    months=st.sampled_from([3, 6, 12]),
    tariff=st.sampled_from([TARIFF, NO_ENGINE_BANDS]),
)
def test_two_vehicles_alike_in_the_key_get_the_same_price(vehicle, other, held, months, tariff):
    twin = alike(vehicle, other)
    assume(price_key(twin) == price_key(vehicle))
    assert price(tariff=tariff, vehicle=twin, permits_held=held, months=months) == price(
        tariff=tariff, vehicle=vehicle, permits_held=held, months=months
    )


def test_the_cut_over_is_in_the_key():
    before = VehicleFacts("PETROL", co2_g_per_km=150, engine_cc=1000,
                          first_registered=date(2001, 3, 1) - timedelta(days=28))  # fmt: skip
    after = VehicleFacts("PETROL", co2_g_per_km=150, engine_cc=1000,
                         first_registered=date(2001, 3, 1))  # fmt: skip
    assert price_key(before) != price_key(after)
