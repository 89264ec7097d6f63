"""The what-if prices each distinct vehicle once, by what pricing reads of it
(insights.tariff_whatif.price_key). Two properties, both ways round: vehicles made alike in the
key (everything the key leaves out drawn afresh) get the same price; and of two neighbouring
vehicles (some parts kept, some drawn afresh), two priced differently never share a key. Should
parking.pricing ever read more of a vehicle, or the key leave out what it reads, one fails
(each checked by leaving the CO2 figure or an old car's engine size out of the key). Built
without hypothesis's assume(): filtering for equal keys tripped its health check now and then.
Pure."""

from dataclasses import replace
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from insights.tariff_whatif import price_key
from parking.pricing import CO2_CUT_OVER, VehicleFacts, price
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


def twins(vehicle: VehicleFacts):
    """Vehicles alike in the key by construction (no filtering): a fuel spelled any way that is
    electric and diesel as the vehicle's is, dates on the same side of the CO2 cut-over, the
    vehicle's CO2 and engine size, except what the key leaves out (an electric vehicle's CO2
    and engine size; the engine size of one priced by its CO2): any."""
    fuels = [f for f in FUELS if (VehicleFacts(f).electric, VehicleFacts(f).diesel)
             == (vehicle.electric, vehicle.diesel)]  # fmt: skip
    cut_over = CO2_CUT_OVER
    months = st.dates(date(1960, 1, 1), date(2026, 12, 1)).map(lambda d: d.replace(day=1))
    if vehicle.before_co2_cut_over:
        dates = st.tuples(
            months.filter(lambda d: d < cut_over), st.none() | st.integers(1960, 2026)
        ) | st.tuples(st.none(), st.integers(1960, cut_over.year - 1))
    else:
        dates = st.tuples(
            months.filter(lambda d: d >= cut_over), st.none() | st.integers(1960, 2026)
        ) | st.tuples(st.none(), st.none() | st.integers(cut_over.year, 2026))
    priced_by_co2 = not vehicle.before_co2_cut_over and (vehicle.co2_g_per_km or -1) >= 0
    co2 = st.none() | st.integers(-5, 400) if vehicle.electric else st.just(vehicle.co2_g_per_km)
    cc = (st.none() | st.integers(-5, 5000) if vehicle.electric or priced_by_co2
          else st.just(vehicle.engine_cc))  # fmt: skip
    return st.builds(
        lambda fuel, when, co2, cc: VehicleFacts(fuel, co2, cc, when[0], when[1]),
        st.sampled_from(fuels),
        dates,
        co2,
        cc,
    )


@given(
    vehicle=vehicles,
    data=st.data(),
    held=st.integers(0, 4),
    months=st.sampled_from([3, 6, 12]),
    tariff=st.sampled_from([TARIFF, NO_ENGINE_BANDS]),
)
def test_two_vehicles_alike_in_the_key_get_the_same_price(vehicle, data, held, months, tariff):
    twin = data.draw(twins(vehicle))
    assert price_key(twin) == price_key(vehicle)
    assert price(tariff=tariff, vehicle=twin, permits_held=held, months=months) == price(
        tariff=tariff, vehicle=vehicle, permits_held=held, months=months
    )


def neighbours(vehicle: VehicleFacts):
    """Vehicles like `vehicle` in some of what pricing reads and not in the rest, each part
    kept or drawn afresh: near enough that a key leaving out a part pricing reads would be
    shared by two vehicles priced differently."""
    fresh = {
        "fuel_type": st.sampled_from(FUELS),
        "co2_g_per_km": st.none() | st.integers(-5, 400),
        "engine_cc": st.none() | st.integers(-5, 5000),
        "first_registered": st.none()
        | st.dates(date(1960, 1, 1), date(2026, 12, 1)).map(lambda d: d.replace(day=1)),
        "year_of_manufacture": st.none() | st.integers(1960, 2026),
    }
    return st.fixed_dictionaries(
        {name: st.just(getattr(vehicle, name)) | drawn for name, drawn in fresh.items()}
    ).map(lambda parts: VehicleFacts(**parts))


# More examples than hypothesis's 100: a pair that shares a key with a part of it left out is
# rare among neighbours (with the CO2 figure left out of the key, found in half the runs of 100).
@settings(max_examples=1000)
@given(
    vehicle=vehicles,
    data=st.data(),
    held=st.integers(0, 4),
    months=st.sampled_from([3, 6, 12]),
    tariff=st.sampled_from([TARIFF, NO_ENGINE_BANDS]),
)
def test_two_vehicles_priced_differently_never_share_a_key(vehicle, data, held, months, tariff):
    """The other way round: a key that left out something pricing reads would put two vehicles
    priced differently under one price."""
    other = data.draw(neighbours(vehicle))
    priced = [
        price(tariff=tariff, vehicle=v, permits_held=held, months=months) for v in (vehicle, other)
    ]
    if priced[0] != priced[1]:
        assert price_key(vehicle) != price_key(other)


def test_the_cut_over_is_in_the_key():
    before = VehicleFacts("PETROL", co2_g_per_km=150, engine_cc=1000,
                          first_registered=date(2001, 3, 1) - timedelta(days=28))  # fmt: skip
    after = VehicleFacts("PETROL", co2_g_per_km=150, engine_cc=1000,
                         first_registered=date(2001, 3, 1))  # fmt: skip
    assert price_key(before) != price_key(after)
