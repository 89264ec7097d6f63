"""A starting tariff, so the portal can quote a price from its first day.

The figures are ILLUSTRATIVE, not Hackney's published prices. They follow the shape of Hackney's
scheme as reported publicly: CO2 bands aligned with the DVLA's pre-2017 vehicle tax bands, a
zero-emission band cheapest, a diesel surcharge rising by £50 a year from 2023, and a surcharge
on further permits in a household starting at £25 in 2024 and rising by £50 a year from 2025.
Staff replace them in the admin by adding a tariff from a later date."""

from datetime import date

from django.db import migrations

NAME = "Resident permits 2026/27 (illustrative)"
EFFECTIVE_FROM = date(2026, 4, 1)

EMISSION_BANDS = [
    # (label, up to g/km or None for no limit, annual price in pence)
    ("Band 1", 0, 25_00),
    ("Band 2", 100, 110_00),
    ("Band 3", 110, 145_00),
    ("Band 4", 120, 170_00),
    ("Band 5", 130, 195_00),
    ("Band 6", 140, 220_00),
    ("Band 7", 150, 250_00),
    ("Band 8", 165, 290_00),
    ("Band 9", 175, 330_00),
    ("Band 10", 185, 370_00),
    ("Band 11", 200, 420_00),
    ("Band 12", 225, 480_00),
    ("Band 13", 255, 560_00),
    ("Band 14", None, 650_00),
]

# Vehicles first registered before 1 March 2001 have no CO2 figure. Older engines pollute more
# than their size suggests, so each size sits in a band priced like a higher CO2 band.
ENGINE_SIZE_BANDS = [
    ("", 1000, 290_00),
    ("", 1549, 370_00),
    ("", 2000, 480_00),
    ("", 3000, 560_00),
    ("", None, 650_00),
]


def seed(apps, schema_editor):
    Tariff = apps.get_model("parking", "Tariff")
    tariff = Tariff.objects.create(
        name=NAME,
        effective_from=EFFECTIVE_FROM,
        notes="Illustrative figures seeded with the portal; not a council decision. Replace them "
        "by adding a tariff with a later effective date.",
        diesel_surcharge_pence=150_00,
        additional_permit_surcharge_pence=100_00,
        # Short permits cost a little more a month than a year's, as in many London boroughs.
        three_month_percent=30,
        six_month_percent=55,
    )
    tariff.emission_bands.bulk_create(
        [
            apps.get_model("parking", "EmissionBand")(
                tariff=tariff, label=label, max_co2=max_co2, annual_pence=pence
            )
            for label, max_co2, pence in EMISSION_BANDS
        ]
    )
    tariff.engine_size_bands.bulk_create(
        [
            apps.get_model("parking", "EngineSizeBand")(
                tariff=tariff, label=label, max_cc=max_cc, annual_pence=pence
            )
            for label, max_cc, pence in ENGINE_SIZE_BANDS
        ]
    )


def unseed(apps, schema_editor):
    Tariff = apps.get_model("parking", "Tariff")
    Tariff.objects.filter(name=NAME, effective_from=EFFECTIVE_FROM).delete()


class Migration(migrations.Migration):
    dependencies = [("parking", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
