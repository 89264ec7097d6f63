"""Homes to move to, beside the small borough of application_records: one in zone A where the
council's records show the resident (as a new person record, as a council tax sync would), one
in zone B where they show her too. Loaded through the real sync pipeline."""

from datetime import timedelta

from django.utils import timezone

from parking import moves
from tests.parking.application_records import (
    APPROVED_UPRN,
    NO_ZONE_UPRN,
    NOBODY_UPRN,
    PERMIT_FREE_UPRN,
    load_borough,
)
from tests.records.syncing import PEOPLE_HEADER, PROPERTIES_HEADER, property_row, sync

SAME_ZONE_UPRN = 10005  # zone A, the records show Zoë here
ZONE_B_UPRN = 10006  # zone B, the records show Zoë here


def load_homes_to_move_to() -> None:
    load_borough()
    properties = sync(
        "properties",
        "\n".join(
            [
                PROPERTIES_HEADER,
                property_row(APPROVED_UPRN, line1="1 Mare Street"),
                property_row(NO_ZONE_UPRN, zone="", line1="2 Mare Street"),
                property_row(PERMIT_FREE_UPRN, permit_free="Y", line1="3 Mare Street"),
                property_row(NOBODY_UPRN, line1="4 Mare Street"),
                property_row(SAME_ZONE_UPRN, line1="5 Mare Street"),
                property_row(ZONE_B_UPRN, zone="B", line1="6 Mare Street"),
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
                f"P5,{SAME_ZONE_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2026-01-01,",
                f"P6,{ZONE_B_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2026-01-01,",
            ]
        )
        + "\n",
    )
    assert properties.status == "applied", properties.report
    assert people.status == "applied", people.report


NOT_LISTED = moves.NewAddress(
    uprn=None, lines=("Flat 2", "9 Example Road", "London"), postcode="E8 1AA"
)


def report_move(user, permit, *, where: str = "same_zone", uprn: int | None = None, **kwargs):
    """The resident tells us they moved a month ago: to the home `uprn`, or (uprn None, not
    out of Hackney) to an address not listed."""
    if where == "out_of_borough":
        address = None
    else:
        address = moves.NewAddress(uprn=uprn) if uprn is not None else NOT_LISTED
    return moves.permit_report_move(
        user=user,
        number=permit.number,
        where=where,
        moved_on=kwargs.pop("moved_on", timezone.localdate() - timedelta(days=30)),
        new_address=address,
        **kwargs,
    )
