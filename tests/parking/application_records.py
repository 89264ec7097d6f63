"""A small borough for the application tests, loaded through the real sync pipeline: four
homes at E8 1DY, each for one path of the journey, and the resident who lives at the first."""

import importlib
from dataclasses import dataclass
from datetime import date

from django.apps import apps

from parking.models import Tariff
from tests.records.syncing import PEOPLE_HEADER, PROPERTIES_HEADER, property_row, sync

POSTCODE = "E8 1DY"
APPROVED_UPRN = 10001  # zone A, Zoë O'Brien lives here
NO_ZONE_UPRN = 10002  # no controlled parking zone
PERMIT_FREE_UPRN = 10003  # a car-free development
NOBODY_UPRN = 10004  # zone A, no one by the resident's name lives here
FIRST_NAME = "Zoë"
LAST_NAME = "O'Brien"
BORN = date(1980, 2, 29)

# The local vehicle client's fixed registrations (parking/clients/vehicles.py).
CAR = "LB19PET"
NOT_FOUND = "ER19NFD"
SERVICE_DOWN = "ER19MNT"
LORRY = "LB19HGV"


@dataclass(frozen=True)
class Borough:
    properties_run_id: int
    people_run_id: int


def load_borough() -> Borough:
    _ensure_seeded_tariff()
    properties = sync(
        "properties",
        "\n".join(
            [
                PROPERTIES_HEADER,
                property_row(APPROVED_UPRN, line1="1 Mare Street"),
                property_row(NO_ZONE_UPRN, zone="", line1="2 Mare Street"),
                property_row(PERMIT_FREE_UPRN, permit_free="Y", line1="3 Mare Street"),
                property_row(NOBODY_UPRN, line1="4 Mare Street"),
            ]
        )
        + "\n",
    )
    people = sync(
        "people",
        "\n".join(
            [
                PEOPLE_HEADER,
                f"P1,{APPROVED_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
                f"P2,{NO_ZONE_UPRN},Ms,Zoë,O'Brien,1980-02-29,occupant,,2020-01-01,",
                f"P3,{PERMIT_FREE_UPRN},Ms,Zoë,O'Brien,1980-02-29,occupant,,2020-01-01,",
                f"P4,{NOBODY_UPRN},Mr,Kwame,Mensah,1975-06-01,liable,,2020-01-01,",
            ]
        )
        + "\n",
    )
    assert properties.status == "applied", properties.report
    assert people.status == "applied", people.report
    return Borough(properties_run_id=properties.pk, people_run_id=people.pk)


def _ensure_seeded_tariff() -> None:
    """Transactional tests (the browser's) empty every table afterwards, the tariff seeded by
    a migration included; a later one seeds it again, as the migration did."""
    if not Tariff.objects.exists():
        importlib.import_module("parking.migrations.0002_seed_tariff").seed(apps, None)
