"""Reads of the council's records: the public API other apps use (parking, balances, the contact
centre), and the reads behind the records staff pages.

The public reads return frozen dataclasses, not querysets or model instances: a caller gets the
facts it asked for and cannot wander from them into the rest of the records. "Current" always
means what the latest snapshots say: a property not retired from the gazetteer, an occupancy
neither ended by a sync nor past its own end date.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .contract import parse_postcode
from .models import Occupancy, Person, Property, SyncRun
from .progress import progress_key, progress_onto

RESIDENTIAL_USES = (Property.Usage.RESIDENTIAL, Property.Usage.MIXED)


@dataclass(frozen=True)
class Address:
    """A property's postal address: its non-empty address lines and its postcode."""

    uprn: int
    lines: tuple[str, ...]
    postcode: str

    @property
    def label(self) -> str:
        """One line, for a drop-down or a heading: "Flat A, 12 Mare Street, London, E8 3RH"."""
        return ", ".join((*self.lines, self.postcode))


@dataclass(frozen=True)
class PropertyDetails:
    """A property in the gazetteer, with what parking eligibility needs to know about it."""

    address: Address
    ward: str
    usage: Property.Usage
    cpz_zone: str  # "" when the property is in no controlled parking zone
    permit_free: bool  # a car-free development: no resident permits
    retired_at: datetime | None  # when it left the gazetteer; None while it is current

    @property
    def uprn(self) -> int:
        return self.address.uprn

    @property
    def residential(self) -> bool:
        """Someone may live here: residential or mixed use."""
        return self.usage in RESIDENTIAL_USES


@dataclass(frozen=True)
class OccupancyRecord:
    """One source's word that a person lives at a property."""

    role: Occupancy.Role
    source: Occupancy.Source
    occupied_from: date
    occupied_to: date | None


@dataclass(frozen=True)
class Occupant:
    """A person currently living at a property, with every source that says so. The name keys
    are records.matching.name_key of the names: compare a name given by a resident through
    name_key, never the names as written."""

    person_ref: str
    title: str
    first_name: str
    last_name: str
    first_name_key: str
    last_name_key: str
    date_of_birth: date | None
    occupancies: tuple[OccupancyRecord, ...]


@dataclass(frozen=True)
class AppliedRun:
    """The sync run that last changed a feed's records."""

    feed: str
    run_id: int
    file_name: str
    finished_at: datetime


@dataclass(frozen=True)
class RecordsFreshness:
    """When the properties and people records were last brought up to date (None: never)."""

    properties: AppliedRun | None
    people: AppliedRun | None

    @property
    def as_of(self) -> datetime | None:
        """The records are as fresh as the staler of the two: None if either was never synced."""
        if self.properties is None or self.people is None:
            return None
        return min(self.properties.finished_at, self.people.finished_at)


# --- The public reads ------------------------------------------------------------------------


def residential_addresses_at_postcode(*, postcode: str) -> list[Address]:
    """The current residential and mixed-use addresses at a postcode, in the order a resident
    looks for theirs: by street, then house number as a number (2 before 10, 12 before 12A),
    then building name, then flat. The postcode may be in any case and spacing ("e83rh"); a
    value that is not a postcode has no addresses."""
    try:
        postcode = parse_postcode(postcode)
    except ValueError:
        return []
    rows = (
        Property.objects.current()
        .filter(postcode=postcode, usage__in=RESIDENTIAL_USES)
        .values_list(*_ADDRESS_FIELDS)
    )
    addresses = [_address(row) for row in rows]
    return sorted(addresses, key=_address_order)


def property_by_uprn(*, uprn: int) -> PropertyDetails | None:
    """The property with this UPRN, with its zone and permit-free flag; None if the gazetteer
    has never listed it. A retired property is returned with `retired_at` set, so a caller can
    say why it will not rely on it."""
    row = (
        Property.objects.filter(uprn=uprn)
        .values_list(*_ADDRESS_FIELDS, "ward", "usage", "cpz_zone", "permit_free", "retired_at")
        .first()
    )
    if row is None:
        return None
    ward, usage, cpz_zone, permit_free, retired_at = row[len(_ADDRESS_FIELDS) :]
    return PropertyDetails(
        address=_address(row[: len(_ADDRESS_FIELDS)]),
        ward=ward,
        usage=Property.Usage(usage),
        cpz_zone=cpz_zone,
        permit_free=permit_free,
        retired_at=retired_at,
    )


def current_occupants(*, uprn: int) -> list[Occupant]:
    """The people currently living at the property with this UPRN, by surname then first name,
    each once with every current occupancy that places them there. An occupancy is current
    when no sync has ended it and its own end date (occupied_to, the last day) is not past."""
    today = timezone.localdate()
    occupancies = (
        Occupancy.objects.current()
        .filter(property__uprn=uprn)
        .filter(Q(occupied_to__isnull=True) | Q(occupied_to__gte=today))
        .select_related("person")
        .order_by(
            "person__last_name_key",
            "person__first_name_key",
            "person__person_ref",
            "occupied_from",
            "source",
            "role",
        )
    )
    people: dict[int, Person] = {}
    records: dict[int, list[OccupancyRecord]] = {}
    for occupancy in occupancies:
        person = occupancy.person
        people.setdefault(person.pk, person)
        records.setdefault(person.pk, []).append(
            OccupancyRecord(
                role=Occupancy.Role(occupancy.role),
                source=Occupancy.Source(occupancy.source),
                occupied_from=occupancy.occupied_from,
                occupied_to=occupancy.occupied_to,
            )
        )
    return [
        Occupant(
            person_ref=person.person_ref,
            title=person.title,
            first_name=person.first_name,
            last_name=person.last_name,
            first_name_key=person.first_name_key,
            last_name_key=person.last_name_key,
            date_of_birth=person.date_of_birth,
            occupancies=tuple(records[pk]),
        )
        for pk, person in people.items()
    ]


def feed_last_applied_run(*, feed: str) -> AppliedRun | None:
    """The last run that applied a snapshot of `feed` (any registered feed, e.g. "properties",
    "people" or a council tax feed): dry runs and runs held, discarded, rejected or failed
    changed nothing and do not count. None if no snapshot of the feed was ever applied."""
    row = (
        _applied_runs(feeds=[feed])
        .order_by("-finished_at", "-id")
        .values_list("id", "file_name", "finished_at")
        .first()
    )
    if row is None:
        return None
    run_id, file_name, finished_at = row
    return AppliedRun(feed=feed, run_id=run_id, file_name=file_name, finished_at=finished_at)


def feeds_last_applied_at(*, feeds: list[str] | tuple[str, ...]) -> dict[str, datetime]:
    """When each of `feeds` last had a snapshot applied, in one query (as
    feed_last_applied_run counts runs); a feed never applied is missing from the result."""
    sql, params = _last_applied_sql(tuple(feeds))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {feed: _aware(last) for feed, last in cursor.fetchall()}


@functools.cache
def _last_applied_sql(feeds: tuple[str, ...]) -> tuple[str, tuple]:
    """The query of feeds_last_applied_at, built by the ORM once for each set of feeds: every
    resident's balance page asks it, and building it took longer than running it."""
    query = _applied_runs(feeds=feeds).values_list("feed").annotate(last=Max("finished_at"))
    return query.order_by().query.sql_with_params()


def _aware(value: datetime | str) -> datetime:
    """PostgreSQL hands a raw query aware datetimes; SQLite, the text of a naive UTC one."""
    if isinstance(value, str):
        value = parse_datetime(value)
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


def _applied_runs(*, feeds) -> QuerySet[SyncRun]:
    """Runs that applied a snapshot of one of `feeds`: dry runs and runs held, discarded,
    rejected or failed changed nothing and do not count."""
    return SyncRun.objects.filter(
        feed__in=feeds, status=SyncRun.Status.APPLIED, dry_run=False, finished_at__isnull=False
    )


def records_freshness() -> RecordsFreshness:
    """How fresh the properties and people records are: each feed's last applied run."""
    return RecordsFreshness(
        properties=feed_last_applied_run(feed="properties"),
        people=feed_last_applied_run(feed="people"),
    )


# --- For the records staff pages ---------------------------------------------------------------


def sync_runs_recent(*, limit: int = 50) -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("started_by", "decided_by")[:limit]


def sync_run_progress(run: SyncRun) -> SyncRun:
    """A running run's live progress lives in the cache (its transaction is still open)."""
    if run.status == SyncRun.Status.RUNNING:
        progress_onto(run, cache.get(progress_key(run.pk)) or {})
    return run


# --- Helpers -----------------------------------------------------------------------------------

_ADDRESS_FIELDS = (
    "uprn",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "postcode",
)
# "12 Mare Street", "12A Mare Street", "12 - 14 Mare Street": a house number, then the street.
_NUMBERED = re.compile(r"(\d+)\s*([A-Za-z]?)\b[\s\-\d]*\s+(\D.*)")
_FLOORS = {
    "basement": 0,
    "lower ground": 1,
    "ground": 2,
    "first": 3,
    "second": 4,
    "third": 5,
    "fourth": 6,
    "fifth": 7,
}


def _address(row) -> Address:
    uprn, *lines, postcode = row
    return Address(uprn=uprn, lines=tuple(line for line in lines if line), postcode=postcode)


def _natural(text: str) -> tuple:
    """Text as a key that orders the numbers in it as numbers: "Flat 2" before "Flat 10"."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.strip().casefold())
        for part in re.findall(r"\d+|\D+", text)
    )


def _unit(text: str) -> tuple:
    """A flat's label as a key: floors from the bottom up, other labels naturally."""
    lowered = text.casefold()
    for floor, rank in _FLOORS.items():
        if lowered.startswith(floor):
            return (0, rank, ())
    return (1, 0, _natural(text))


def _address_order(address: Address) -> tuple:
    """Street, house number, building name, then flat (outermost first: block before flat).
    The first line is "[flat, ][block, ]building"; a named building gives its street on the
    next line."""
    first, *rest = address.lines or ("",)
    *units, building = (part.strip() for part in first.split(","))
    numbered = _NUMBERED.fullmatch(building)
    if numbered:
        number, suffix, street = numbered.groups()
        place = (0, int(number), suffix.upper(), ())
    else:
        street = rest[0] if rest else building
        place = (1, 0, "", _natural(building))
    return (
        street.casefold(),
        place,
        tuple(_unit(unit) for unit in reversed(units)),
        address.uprn,
    )
