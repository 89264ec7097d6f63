"""The plain facts of the council's records that the pure rules read (parking.eligibility):
addresses, properties, who lives where, and how fresh the records are. No Django here, so the
rules and their tests need none; records.selectors reads the database and returns these.

The enums carry the same values and labels as the models' choices (records.models; a test holds
them together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class _Choice(StrEnum):
    """A value as the records store it, with its label for people (like Django's choices)."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Usage(_Choice):
    RESIDENTIAL = "residential", "Residential"
    COMMERCIAL = "commercial", "Commercial"
    MIXED = "mixed", "Mixed"


class Role(_Choice):
    LIABLE = "liable", "Liable for council tax"
    JOINT_LIABLE = "joint_liable", "Jointly liable"
    OCCUPANT = "occupant", "Occupant"


class Source(_Choice):
    COUNCIL_TAX = "council_tax", "Council tax"
    ELECTORAL_REGISTER = "electoral_register", "Electoral register"
    HOUSING = "housing", "Housing"


RESIDENTIAL_USES = (Usage.RESIDENTIAL, Usage.MIXED)


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
    usage: Usage
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

    role: Role
    source: Source
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


@dataclass(frozen=True)
class PersonDetails:
    """Someone in the council's people records."""

    person_ref: str
    title: str
    first_name: str
    last_name: str
    date_of_birth: date | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"
