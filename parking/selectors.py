"""Parking's reads. They return the plain data the pure rules take, not model instances."""

from datetime import date

from .models import Tariff
from .pricing import EmissionRate, EngineSizeRate, NoTariffInForce, TariffRates


def tariff_in_force(*, on: date) -> TariffRates:
    """The tariff in force on `on`: the one with the latest effective_from on or before it.
    Raises NoTariffInForce when none had started by then, and TariffError when the one in force
    cannot price a permit (no emissions bands)."""
    tariff = (
        Tariff.objects.in_force_on(on)
        .prefetch_related("emission_bands", "engine_size_bands")
        .first()
    )
    if tariff is None:
        raise NoTariffInForce(
            f"No parking tariff is in force on {on:%-d %B %Y}: add one in the admin"
        )
    return TariffRates(
        name=tariff.name,
        effective_from=tariff.effective_from,
        # The models' default ordering puts the open-ended band last.
        emission_bands=tuple(
            EmissionRate(max_co2=b.max_co2, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.emission_bands.all()
        ),
        engine_size_bands=tuple(
            EngineSizeRate(max_cc=b.max_cc, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.engine_size_bands.all()
        ),
        diesel_surcharge_pence=tariff.diesel_surcharge_pence,
        additional_permit_surcharge_pence=tariff.additional_permit_surcharge_pence,
        three_month_percent=tariff.three_month_percent,
        six_month_percent=tariff.six_month_percent,
    )
