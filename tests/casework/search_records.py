"""A small borough for the search tests, synced through the real pipeline: awkward names, a
former resident, a council tax account and three permit applications, one by an applicant the
council's records do not know."""

from datetime import date, timedelta

from django.utils import timezone

from parking.models import PermitApplication
from records.matching import name_key
from tests.factories import UserFactory
from tests.records.syncing import (
    ACCOUNTS_HEADER,
    PEOPLE_HEADER,
    PROPERTIES_HEADER,
    sync,
)

HOME = 100021000001  # 1 Mare Street, E8 1NE
OLD_HOME = 100021000002  # 2 Mare Street, E8 1NE
FLAT = 100021000003  # Flat 1, Holly Point, Mare Street, E8 1DH
BERG = 100021000004  # 10 Wick Road, E9 7HQ
# How agents type addresses (issue 17): a house number and a street, with its neighbours that
# hold the same words apart (a flat 88 on the road, a house 121 on it).
KINGSLAND = 100021000005  # 88 Kingsland Road, E8 4AA
KINGSLAND_FLAT = 100021000006  # Flat 88, Regent House, Kingsland Road, E8 4AB
CAZENOVE = 100021000007  # 21 Cazenove Road, N16 6BA
CAZENOVE_FLAT = 100021000008  # Flat 21, Silk Mill House, Cazenove Road, N16 8LL
CAZENOVE_121 = 100021000009  # 121 Cazenove Road, N16 6BB
ACCOUNT = "30104729"
REGISTRATION = "LB19PET"


def _moved_out() -> str:
    return (timezone.localdate() - timedelta(days=400)).isoformat()


def load_search_borough(extra_people: tuple[str, ...] = ()) -> dict[str, str]:
    """Sync the borough, with `extra_people` (rows of the people feed) too; returns the
    references of the applications by name."""
    properties = sync(
        "properties",
        "\n".join(
            [
                PROPERTIES_HEADER,
                f'{HOME},"1 Mare Street",E8 1NE,Hackney Central,residential,A,N',
                f'{OLD_HOME},"2 Mare Street",E8 1NE,Hackney Central,residential,A,N',
                f'{FLAT},"Flat 1, Holly Point, Mare Street",E8 1DH,Hackney Central,residential,A,N',
                f'{BERG},"10 Wick Road",E9 7HQ,Homerton,residential,B,N',
                f'{KINGSLAND},"88 Kingsland Road",E8 4AA,Haggerston,residential,A,N',
                f'{KINGSLAND_FLAT},"Flat 88, Regent House, Kingsland Road",E8 4AB,Haggerston,'
                "residential,A,N",
                f'{CAZENOVE},"21 Cazenove Road",N16 6BA,Stoke Newington,residential,C,N',
                f'{CAZENOVE_FLAT},"Flat 21, Silk Mill House, Cazenove Road",N16 8LL,'
                "Stoke Newington,residential,C,N",
                f'{CAZENOVE_121},"121 Cazenove Road",N16 6BB,Stoke Newington,residential,C,N',
            ]
        )
        + "\n",
    )
    people = sync(
        "people",
        "\n".join(
            [
                PEOPLE_HEADER,
                f"P1,{HOME},Mr,Seán,O'Brien,1976-06-14,liable,council_tax,2020-01-01,",
                # A namesake who moved out more than a year ago.
                f"P2,{OLD_HOME},Mr,Sean,OBrien,1980-03-01,liable,council_tax,2010-01-01,"
                f"{_moved_out()}",
                f"P3,{HOME},Ms,Siobhán,O'Brien,1978-01-01,joint_liable,council_tax,2020-01-01,",
                f"P4,{FLAT},Ms,Zoë,Smith-Jones,1990-05-05,liable,council_tax,2021-01-01,",
                f"P5,{FLAT},Mr,Kwame,Mensah,1985-07-07,occupant,electoral_register,2021-01-01,",
                f"P6,{BERG},Ms,Sarah,O'Brien,1999-09-09,liable,council_tax,2022-01-01,",
                f"P7,{BERG},Mr,Jan,van der Berg,1970-01-01,occupant,housing,2022-01-01,",
                f"P8,{BERG},Mr,Brian,Murphy,,occupant,housing,2022-01-01,",
                *extra_people,
            ]
        )
        + "\n",
    )
    accounts = sync(
        "council_tax_accounts",
        "\n".join([ACCOUNTS_HEADER, f"{ACCOUNT},{HOME},P1,C,live,direct_debit,10,,2020-01-01,"])
        + "\n",
    )
    for run in (properties, people, accounts):
        assert run.status == "applied", run.report
    applicant = UserFactory()
    draft = PermitApplication.objects.create(
        user=applicant, registration=REGISTRATION, uprn=HOME, first_name="Seán"
    )
    submitted = PermitApplication.objects.create(
        user=UserFactory(),
        status=PermitApplication.Status.NEEDS_EVIDENCE,
        registration="AB12CDE",
        uprn=FLAT,
        address="Flat 1, Holly Point, Mare Street, E8 1DH",
        first_name="Zoë",
        last_name="Smith-Jones",
        decision={"outcome": "needs_evidence"},
        submitted_at=timezone.now(),
    )
    # New to the borough: in no record, found only by the name on the application. Its name
    # keys as parking.services writes them with the names.
    unknown = PermitApplication.objects.create(
        user=UserFactory(),
        status=PermitApplication.Status.NEEDS_EVIDENCE,
        registration="CD34EFG",
        postcode="E8 1NE",
        address_not_listed=True,
        first_name="Anaïs",
        last_name="Kowalczyk",
        first_name_key=name_key("Anaïs"),
        last_name_key=name_key("Kowalczyk"),
        decision={"outcome": "needs_evidence"},
        submitted_at=timezone.now(),
    )
    return {
        "draft": draft.reference,
        "submitted": submitted.reference,
        "unknown": unknown.reference,
    }


BORN = date(1976, 6, 14)
