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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import NamedTuple

from django.contrib.postgres.lookups import TrigramSimilar
from django.db import connection, transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hackney_portal.personal_data import Section, section

from .contract import feed_names as contract_feed_names
from .contract import parse_postcode

# The plain facts the rules read live in records.facts (no Django); the reads here return them.
from .facts import (
    RESIDENTIAL_USES,
    Address,
    AppliedRun,
    OccupancyRecord,
    Occupant,
    PersonDetails,
    PropertyDetails,
    RecordsFreshness,
    Role,
    Source,
    Usage,
)
from .models import DataQualityCase, DataQualityProof, Occupancy, Person, Property, SyncRun
from .progress import progress_onto, progress_read


@dataclass(frozen=True)
class OccupancyHistory:
    """One source's word that a person lives, or lived, at a property: current or not, with the
    sync run that last wrote it (None for a record no sync wrote)."""

    person: PersonDetails
    address: Address
    role: Role
    source: Source
    occupied_from: date
    occupied_to: date | None  # the last day, as the source gives it
    ended_at: datetime | None  # when a snapshot no longer had it
    current: bool
    sync_run: AppliedRun | None


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


def parking_zones() -> list[str]:
    """The controlled parking zones the gazetteer's current properties are in, sorted: what a
    parking officer chooses from for an address the gazetteer does not have."""
    return sorted(
        Property.objects.current()
        .exclude(cpz_zone="")
        .order_by()
        .values_list("cpz_zone", flat=True)
        .distinct()
    )


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
        usage=Usage(usage),
        cpz_zone=cpz_zone,
        permit_free=permit_free,
        retired_at=retired_at,
    )


def current_occupants(*, uprn: int) -> list[Occupant]:
    """The people currently living at the property with this UPRN, by surname then first name,
    each once with every current occupancy that places them there. An occupancy is current
    when no sync has ended it and its own end date (occupied_to, the last day) is not past."""
    occupancies = (
        _living_now()
        .filter(property__uprn=uprn)
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
                role=Role(occupancy.role),
                source=Source(occupancy.source),
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


def living_at(*, uprns: Iterable[int]) -> set[tuple[int, str]]:
    """(uprn, person_ref) for each person living now at any of `uprns`, as current_occupants
    counts them: for a check over many homes at once (a query for each 2,000 homes, not for
    each home)."""
    uprns = sorted(set(uprns))
    found: set[tuple[int, str]] = set()
    for start in range(0, len(uprns), _UPRNS_A_QUERY):
        found.update(
            _living_now()
            .filter(property__uprn__in=uprns[start : start + _UPRNS_A_QUERY])
            .values_list("property__uprn", "person__person_ref")
        )
    return found


# Well under SQLite's limit on a query's parameters.
_UPRNS_A_QUERY = 2_000


def _living_now() -> QuerySet[Occupancy]:
    """Occupancies no sync has ended whose own end date (occupied_to, the last day) is not past."""
    today = timezone.localdate()
    return Occupancy.objects.current().filter(
        Q(occupied_to__isnull=True) | Q(occupied_to__gte=today)
    )


def person_by_ref(*, person_ref: str) -> PersonDetails | None:
    """The person with this reference in the people records; None if there is none."""
    row = (
        Person.objects.filter(person_ref=person_ref)
        .values_list("person_ref", "title", "first_name", "last_name", "date_of_birth")
        .first()
    )
    return None if row is None else PersonDetails(*row)


def occupancy_history(
    *, person_ref: str | None = None, uprn: int | None = None
) -> list[OccupancyHistory]:
    """Who lives or lived where, current records and ended ones, each with the sync run that
    last wrote it, in one query. For a person (`person_ref`): their own records, and everyone's
    at the properties they live at now (their household). For a property (`uprn`): everyone's
    there. Current first, then by surname, first name, and from-date, newest first."""
    if (person_ref is None) == (uprn is None):
        raise TypeError("occupancy_history takes a person_ref or a uprn")
    today = timezone.localdate()
    current = Q(ended_at__isnull=True) & (Q(occupied_to__isnull=True) | Q(occupied_to__gte=today))
    if uprn is not None:
        where = Q(property__uprn=uprn)
    else:
        homes = Occupancy.objects.filter(current, person__person_ref=person_ref).values(
            "property_id"
        )
        where = Q(person__person_ref=person_ref) | (Q(property_id__in=homes) & current)
    rows = (
        Occupancy.objects.filter(where)
        .select_related("person", "property", "sync_run")
        .order_by(
            "person__last_name_key",
            "person__first_name_key",
            "person__person_ref",
            "-occupied_from",
            "source",
        )
    )
    history = [_occupancy_history(row, today) for row in rows]
    return sorted(history, key=lambda item: not item.current)  # stable: keeps the order above


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
    sql, params = feeds_last_applied_sql(feeds=tuple(feeds))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {feed: applied_at(last) for feed, last in cursor.fetchall()}


@functools.cache
def feeds_last_applied_sql(*, feeds: tuple[str, ...]) -> tuple[str, tuple]:
    """The query of feeds_last_applied_at as (sql, params), one row (feed, last) per feed
    applied, for a page that asks it inside its own query to save a round trip (the balance
    page). Built by the ORM once for each set of feeds: building it took longer than running
    it. Read its `last` with applied_at."""
    query = _applied_runs(feeds=feeds).values_list("feed").annotate(last=Max("finished_at"))
    return query.order_by().query.sql_with_params()


def applied_at(value: datetime | str) -> datetime:
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


# --- Search (the contact centre's one box) ---------------------------------------------------
#
# Candidates come from the database; casework.search decides how well each matches and in what
# order. On PostgreSQL the surname and address reads use pg_trgm indexes (records migration
# 0005): a surname within a typo or two, an address word as a substring. SQLite (the demo) has
# no trigrams: surnames by prefix, address words by substring. A mistyped address word is
# corrected against the borough's own address words (address_words) before it is looked for,
# on either database. The index expressions below must stay exactly as the migration writes
# them, or PostgreSQL will not use the indexes.

ADDRESS_CANDIDATES_LIMIT = 500
SEARCH_CANDIDATES_LIMIT = 10_000  # distinct names: far more than share a surname
# pg_trgm's `%` matches from this similarity. Its default, 0.3, misses a swapped pair of
# letters in a six-letter surname ("obrein" is 0.27 from "obrien"); 0.2 lets a four-letter
# string match on one shared trigram, so that PostgreSQL rechecks ten times the rows.
SURNAME_SIMILARITY = 0.25


class NameCandidate(NamedTuple):
    """A person whose surname may be the one searched for, with their name keys (see
    records.matching.name_key) and whether they live anywhere now. A named tuple: a common
    surname alone makes thousands, and a frozen dataclass costs ten times as much to make."""

    person_ref: str
    first_name_key: str
    last_name_key: str
    current: bool


@dataclass(frozen=True)
class Home:
    """One source's word that a person lives (or lived) at an address."""

    uprn: int
    address: str  # one line: Address.label
    role: Role
    source: Source
    occupied_from: date
    occupied_to: date | None
    current: bool


@dataclass(frozen=True)
class PersonSummary:
    """Enough about a person to tell them from a namesake on the phone: name, year of birth,
    and where they live now or lived last."""

    person_ref: str
    title: str
    first_name: str
    last_name: str
    year_of_birth: int | None
    homes: tuple[Home, ...]  # current first, then the latest former ones

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def current(self) -> bool:
        return any(home.current for home in self.homes)


@dataclass(frozen=True)
class Resident:
    """A current occupant as a search result lists them under an address."""

    person_ref: str
    name: str
    year_of_birth: int | None
    role: Role


@dataclass(frozen=True)
class PropertySummary:
    """An address, with who lives there now."""

    address: Address
    ward: str
    usage: Usage
    cpz_zone: str
    permit_free: bool
    retired: bool
    residents: tuple[Resident, ...]

    @property
    def uprn(self) -> int:
        return self.address.uprn


@dataclass(frozen=True)
class AddressCandidate:
    """A property whose address holds every word searched for."""

    address: Address
    retired: bool


def _current_occupancy() -> Q:
    """Current as current_occupants means it: not ended by a sync nor past its own end date."""
    return Q(ended_at__isnull=True) & (
        Q(occupied_to__isnull=True) | Q(occupied_to__gte=timezone.localdate())
    )


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def names_with_surname_like(
    *,
    prefixes: list[str] | tuple[str, ...] = (),
    exactly: list[str] | tuple[str, ...] = (),
    similar_to: list[str] | tuple[str, ...] = (),
    limit: int = SEARCH_CANDIDATES_LIMIT,
) -> list[tuple[str, str]]:
    """The distinct names (first_name_key, last_name_key) of people whose surname, spaces
    taken out of its key ("van der Berg" -> "vanderberg"), starts with one of `prefixes` (is
    one, for one or two letters), is one of `exactly` or, on PostgreSQL, is trigram-similar
    to one of `similar_to` (pg_trgm's `%` from SURNAME_SIMILARITY: a typo or two). All are
    compact name keys: lower case, no spaces, accents or apostrophes. At most `limit`, in no
    particular order: the caller scores them, then asks people_named for the people behind the
    names it keeps.

    Names, not people: a borough has many people of each name, and a name is scored once.
    A short or common string is a poor trigram query (PostgreSQL rechecks every surname that
    shares one of its few trigrams): the caller asks for similarity only where a typo is likely
    to be, and for prefixes elsewhere."""
    compact = Replace("last_name_key", Value(" "), Value(""))
    where = Q()
    for prefix in dict.fromkeys(prefixes):
        if len(prefix) >= 3:
            where |= Q(last_compact__startswith=prefix)
        elif prefix:  # "Ng", "Li": the whole surname (a shorter start would match too many)
            where |= Q(last_compact=prefix)
    if surnames := [s for s in dict.fromkeys(exactly) if s]:
        # One `= ANY` the trigram index answers (pg_trgm 1.6 indexes equality), however many:
        # a surname with two neighbouring letters swapped is looked for as its n-1 swaps.
        where |= Q(last_compact__in=surnames)
    similar_to = [s for s in dict.fromkeys(similar_to) if s] if _postgres() else []
    for surname in similar_to:
        where |= TrigramSimilar(compact, Value(surname))
    if not where:
        return []
    names = (
        Person.objects.annotate(last_compact=compact)
        .filter(where)
        .values_list("first_name_key", "last_name_key")
        .distinct()
        .order_by()
    )
    if not similar_to:
        return list(names[:limit])
    with transaction.atomic():
        with connection.cursor() as cursor:
            # LOCAL: for this transaction only (the request's, if one is open), never left on
            # the connection.
            cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [SURNAME_SIMILARITY])
        return list(names[:limit])


def people_named(
    *, names: list[tuple[str, str]] | tuple[tuple[str, str], ...]
) -> list[NameCandidate]:
    """Everyone with one of these names (first_name_key, last_name_key), and whether they live
    anywhere now; in no particular order."""
    if not names:
        return []
    wanted = set(names)
    # A scalar subquery, not EXISTS: PostgreSQL would answer EXISTS by hashing every current
    # occupancy in the borough (180 ms); this probes the person's own few.
    lives_here = Occupancy.objects.filter(_current_occupancy(), person=OuterRef("pk"))
    rows = (
        Person.objects.filter(
            last_name_key__in={last for _, last in wanted},
            first_name_key__in={first for first, _ in wanted},
        )
        .annotate(current_occupancy=Subquery(lives_here.values("pk")[:1]))
        .values_list("person_ref", "first_name_key", "last_name_key", "current_occupancy")
    )
    return [
        NameCandidate(ref, first, last, current=occupancy is not None)
        for ref, first, last, occupancy in rows
        if (first, last) in wanted  # the two IN lists also pair names that were not asked for
    ]


def people_summaries(*, person_refs: list[str] | tuple[str, ...]) -> list[PersonSummary]:
    """The people with these references, in the order given, each with their current homes
    (every source that says so) and, when they live nowhere now, the latest home they left.
    One query whatever the number of people."""
    today = timezone.localdate()
    occupancies = (
        Occupancy.objects.filter(person__person_ref__in=person_refs)
        .select_related("person", "property")
        .order_by("person_id", "-occupied_from", "source", "role")
    )
    people: dict[str, Person] = {}
    homes: dict[str, list[Home]] = {}
    for occupancy in occupancies:
        person = occupancy.person
        people.setdefault(person.person_ref, person)
        current = occupancy.ended_at is None and (
            occupancy.occupied_to is None or occupancy.occupied_to >= today
        )
        homes.setdefault(person.person_ref, []).append(
            Home(
                uprn=occupancy.property.uprn,
                address=_address(_address_row(occupancy.property)).label,
                role=Role(occupancy.role),
                source=Source(occupancy.source),
                occupied_from=occupancy.occupied_from,
                occupied_to=occupancy.occupied_to,
                current=current,
            )
        )
    summaries = []
    for ref in person_refs:
        person = people.get(ref)
        if person is None:
            continue  # a person is only in the records with an occupancy (the people feed)
        theirs = homes[ref]
        shown = [home for home in theirs if home.current] or theirs[:1]
        summaries.append(
            PersonSummary(
                person_ref=ref,
                title=person.title,
                first_name=person.first_name,
                last_name=person.last_name,
                year_of_birth=person.date_of_birth.year if person.date_of_birth else None,
                homes=tuple(shown),
            )
        )
    return summaries


# How people shorten the street types (and a few building words) of an address, and what each
# stands for: an agent types "12 mare st" for 12 Mare Street, "21 cazenove rd" for Cazenove
# Road. Each form matches the others both ways. "St" is also Saint (St John's Church Road).
_STREET_WORDS = (
    ("street", "st", "str"),
    ("saint", "st"),
    ("road", "rd"),
    ("avenue", "ave", "av"),
    ("lane", "ln"),
    ("court", "ct"),
    ("gardens", "gdns", "gdn"),
    ("place", "pl"),
    ("square", "sq"),
    ("crescent", "cres", "cr"),
    ("terrace", "terr", "ter", "tce"),
    ("grove", "gr", "gro"),
    ("close", "cl"),
    ("drive", "dr"),
    ("park", "pk"),
    ("mews", "mws"),
    ("walk", "wlk"),
    ("hill", "hl"),
    ("estate", "est"),
    ("house", "hse", "ho"),
    ("buildings", "bldgs", "blds"),
    ("parade", "pde"),
    ("passage", "pass"),
)
_FORMS: dict[str, tuple[str, ...]] = {}
_FULL: dict[str, str] = {}
for _family in _STREET_WORDS:
    for _form in _family:
        _FORMS[_form] = tuple(dict.fromkeys((*_FORMS.get(_form, (_form,)), *_family)))
        _FULL.setdefault(_form, _family[0])  # "st" is first a street
_STREET_FULL_FORMS = frozenset(family[0] for family in _STREET_WORDS)


def street_word_forms(word: str) -> tuple[str, ...]:
    """The forms an address word may take (lower case): the word itself first, then what it
    abbreviates or is abbreviated to ("st" -> street, saint; "road" -> rd)."""
    return _FORMS.get(word, (word,))


def street_word_full(word: str) -> str:
    """An address word in full ("rd" -> "road", "st" -> "street"), for comparing what was typed
    with an address's label; any other word as it is."""
    return _FULL.get(word, word)


# lower(line 1 || ' ' || line 2 || ' ' || postcode): the words staff type for an address.
_ADDRESS_SEARCH_SQL = "lower(address_line_1 || ' ' || address_line_2 || ' ' || postcode)"


def properties_with_address_words(
    *,
    words: list[str] | tuple[str, ...],
    corrections: Mapping[str, Iterable[str]] | None = None,
    limit: int = ADDRESS_CANDIDATES_LIMIT,
) -> list[AddressCandidate]:
    """Properties (current or retired, any use) whose first two address lines and postcode
    hold every one of `words` (lower case): each as typed or in another of its forms ("st" or
    "street": street_word_forms), or as one of its `corrections` (the words it may be a slip
    for: "raod" -> ["road"]) in any of their forms. On PostgreSQL a word shorter than three
    characters ("12", "e8") must be a whole word. At most `limit`, in no particular order (the
    caller ranks them): more than that many is too broad a search to read anyway."""
    words = [w for w in words if w]
    if not words:
        return []
    corrections = corrections or {}
    # RawSQL of a constant (the index's expression; Concat would add COALESCEs the index does
    # not have); what was typed only ever goes in as a parameter.
    search = RawSQL(_ADDRESS_SEARCH_SQL, [])  # noqa: S611  # nosec B611
    queryset = Property.objects.annotate(search_text=search)
    for word in words:
        # The word as typed, any form of it ("st" or "street", "rd" or "road"), or a word it
        # may be a slip for. Each is a LIKE the trigram index answers: a few milliseconds where
        # pg_trgm's word similarity made PostgreSQL recheck every address sharing a trigram
        # ("hackey": every Hackney address, 70-140 ms).
        forms = dict.fromkeys(
            form
            for typed in (word, *corrections.get(word, ()))
            for form in street_word_forms(typed)
        )
        matches = Q()
        for form in forms:
            if _postgres() and len(form) < 3:
                matches |= Q(search_text__regex=rf"\m{re.escape(form)}\M")
            else:
                matches |= Q(search_text__contains=form)
        queryset = queryset.filter(matches)
    rows = queryset.order_by().values_list(*_ADDRESS_FIELDS, "retired_at")[:limit]
    return [
        AddressCandidate(address=_address(row[: len(_ADDRESS_FIELDS)]), retired=row[-1] is not None)
        for row in rows
    ]


_ADDRESS_WORD = re.compile(r"[^\W\d_]{3,}")
_address_words_read: tuple[tuple, frozenset[str]] = ((), frozenset())


def address_words() -> frozenset[str]:
    """Every word of three letters or more (letters only, lower case) in the first two address
    lines of any property, current or retired, and every street type in full ("road",
    "avenue"): the words a mistyped address word may be a slip for.

    Read once per process for as long as the properties stay as they are (about 0.4 s for
    110,000 properties; a few hundred distinct words in the demo borough): each call asks only
    for the newest property and the newest properties sync (one cheap query), and reads the
    words again when either has changed. Addresses change only through the properties sync."""
    global _address_words_read
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT max(id) FROM {Property._meta.db_table}), "  # noqa: S608
            f"(SELECT max(id) FROM {SyncRun._meta.db_table} WHERE feed = %s)",
            ["properties"],
        )
        seen = (connection.alias, connection.settings_dict["NAME"], *cursor.fetchone())
    if _address_words_read[0] != seen:
        found = set(_STREET_FULL_FORMS)
        lines = Property.objects.values_list("address_line_1", "address_line_2")
        for line_1, line_2 in lines.iterator(chunk_size=5000):
            found.update(_ADDRESS_WORD.findall(f"{line_1} {line_2}".lower()))
        _address_words_read = (seen, frozenset(found))
    return _address_words_read[1]


def properties_at_postcode(*, postcode: str) -> list[Address]:
    """Every address at a postcode (typed in any case and spacing), current or retired and of
    any use, in address order; none for a value that is not a postcode."""
    try:
        postcode = parse_postcode(postcode)
    except ValueError:
        return []
    rows = Property.objects.filter(postcode=postcode).values_list(*_ADDRESS_FIELDS)
    return sorted((_address(row) for row in rows), key=_address_order)


def property_summaries(*, uprns: list[int] | tuple[int, ...]) -> list[PropertySummary]:
    """The properties with these UPRNs, in the order given (unknown ones left out), each with
    its current residents by surname. Two queries whatever the number of properties."""
    found = {
        row[0]: row
        for row in Property.objects.filter(uprn__in=uprns).values_list(
            *_ADDRESS_FIELDS, "ward", "usage", "cpz_zone", "permit_free", "retired_at"
        )
    }
    residents: dict[int, dict[str, Resident]] = {}
    occupancies = (
        Occupancy.objects.filter(_current_occupancy(), property__uprn__in=list(found))
        .order_by("person__last_name_key", "person__first_name_key", "person__person_ref", "role")
        .values_list(
            "property__uprn",
            "person__person_ref",
            "person__first_name",
            "person__last_name",
            "person__date_of_birth",
            "role",
        )
    )
    for uprn, ref, first, last, born, role in occupancies:
        residents.setdefault(uprn, {}).setdefault(
            ref,
            Resident(
                person_ref=ref,
                name=f"{first} {last}",
                year_of_birth=born.year if born else None,
                role=Role(role),
            ),
        )
    summaries = []
    for uprn in uprns:
        row = found.get(uprn)
        if row is None:
            continue
        ward, usage, cpz_zone, permit_free, retired_at = row[len(_ADDRESS_FIELDS) :]
        summaries.append(
            PropertySummary(
                address=_address(row[: len(_ADDRESS_FIELDS)]),
                ward=ward,
                usage=Usage(usage),
                cpz_zone=cpz_zone,
                permit_free=permit_free,
                retired=retired_at is not None,
                residents=tuple(residents.get(uprn, {}).values()),
            )
        )
    return summaries


def address_order_key(address: Address) -> tuple:
    """The order residential_addresses_at_postcode lists addresses in, for callers sorting
    addresses of their own: street, house number as a number, building, then flat."""
    return _address_order(address)


# --- For the records staff pages ---------------------------------------------------------------


def sync_runs_recent(*, limit: int = 50) -> QuerySet[SyncRun]:
    return SyncRun.objects.select_related("started_by", "decided_by")[:limit]


def sync_run_progress(run: SyncRun) -> SyncRun:
    """A running run's live progress lives in the cache (its transaction is still open)."""
    if run.status == SyncRun.Status.RUNNING:
        progress_onto(run, progress_read(run.pk) or {})
    return run


# --- How far to trust the records (the analysts' quality pages) ------------------------------
#
# Aggregates only: a run's counts as the pipeline left them, and its report's rejections summed
# by reason and week where the rows are. The week is the London week, Monday first.


def feed_names() -> list[str]:
    """Every registered feed (records' own and balances'), in the order they are loaded."""
    return contract_feed_names()


@dataclass(frozen=True)
class RunQuality:
    run_id: int
    feed: str
    finished_at: datetime
    status: str
    rows_read: int
    rows_rejected: int


# Runs that read a file through: applied, held (the guard stopped them), discarded after a hold,
# or rejected by the guard. Dry runs repeat a file a person was checking; failed runs crashed
# and counted nothing.
_QUALITY_STATUSES = (
    SyncRun.Status.APPLIED,
    SyncRun.Status.HELD,
    SyncRun.Status.DISCARDED,
    SyncRun.Status.REJECTED,
)


def sync_quality_by_run(*, since: datetime, feed: str | None = None) -> list[RunQuality]:
    """Each run of `feed` (every feed when None) finished since `since`, oldest first, with the
    rows it read and rejected: one query, a row per run (a feed runs about once a day)."""
    runs = SyncRun.objects.filter(
        status__in=_QUALITY_STATUSES, dry_run=False, finished_at__gte=since
    )
    if feed is not None:
        runs = runs.filter(feed=feed)
    rows = runs.order_by("finished_at", "id").values_list(
        "id", "feed", "finished_at", "status", "rows_read", "rows_rejected"
    )
    return [RunQuality(*row) for row in rows]


def feeds_last_applied_runs(*, feeds: list[str] | tuple[str, ...]) -> dict[str, RunQuality]:
    """The last run of each of `feeds` that applied a snapshot, with the rows it read and
    rejected: what the records stand on now (one query; a feed never applied is missing)."""
    latest = (
        SyncRun.objects.filter(feed=OuterRef("feed"), status=SyncRun.Status.APPLIED, dry_run=False)
        .order_by("-finished_at", "-id")
        .values("id")[:1]
    )
    rows = SyncRun.objects.filter(feed__in=feeds, id=Subquery(latest)).values_list(
        "id", "feed", "finished_at", "status", "rows_read", "rows_rejected"
    )
    return {row[1]: RunQuality(*row) for row in rows}


def sync_rejections_by_week(*, feed: str, since: datetime) -> list[tuple[date, str, int]]:
    """(London week's Monday, reason, rows rejected) for the runs sync_quality_by_run counts,
    summed in the database over each run report's rejections: one query."""
    table = SyncRun._meta.db_table
    statuses = [str(status) for status in _QUALITY_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    if _postgres():
        sql = f"""
            SELECT CAST(date_trunc('week', r.finished_at AT TIME ZONE 'Europe/London') AS date),
                   e.value ->> 'reason', SUM(CAST(e.value ->> 'count' AS integer))
              FROM {table} r, jsonb_array_elements(r.report -> 'rejections') e
             WHERE r.feed = %s AND r.dry_run = false AND r.finished_at >= %s
               AND r.status IN ({marks}) AND jsonb_typeof(r.report -> 'rejections') = 'array'
             GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"""  # noqa: S608 (the model's table)
    else:
        # SQLite (the demo): times are UTC text; the week by the UTC day is near enough there.
        sql = f"""
            SELECT date(r.finished_at, 'weekday 0', '-6 days'),
                   json_extract(e.value, '$.reason'), SUM(json_extract(e.value, '$.count'))
              FROM {table} r, json_each(r.report, '$.rejections') e
             WHERE r.feed = %s AND r.dry_run = 0 AND r.finished_at >= %s
               AND r.status IN ({marks})
             GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2"""  # noqa: S608 (the model's table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [feed, since, *statuses])
        rows = cursor.fetchall()
    return [
        (week if isinstance(week, date) else date.fromisoformat(week), reason, int(count))
        for week, reason, count in rows
    ]


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


def _address_row(prop: Property) -> tuple:
    return tuple(getattr(prop, field) for field in _ADDRESS_FIELDS)


def _address(row) -> Address:
    uprn, *lines, postcode = row
    return Address(uprn=uprn, lines=tuple(line for line in lines if line), postcode=postcode)


def _occupancy_history(row: Occupancy, today: date) -> OccupancyHistory:
    person, home, run = row.person, row.property, row.sync_run
    lines = (home.address_line_1, home.address_line_2, home.address_line_3, home.address_line_4)
    return OccupancyHistory(
        person=PersonDetails(
            person.person_ref,
            person.title,
            person.first_name,
            person.last_name,
            person.date_of_birth,
        ),
        address=Address(
            uprn=home.uprn, lines=tuple(line for line in lines if line), postcode=home.postcode
        ),
        role=Role(row.role),
        source=Source(row.source),
        occupied_from=row.occupied_from,
        occupied_to=row.occupied_to,
        ended_at=row.ended_at,
        current=row.ended_at is None and (row.occupied_to is None or row.occupied_to >= today),
        sync_run=None
        if run is None
        else AppliedRun(
            feed=run.feed, run_id=run.pk, file_name=run.file_name, finished_at=run.finished_at
        ),
    )


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


# --- Data-quality cases: what residents tell us is wrong (docs/data-quality.md) -----------------


def data_quality_case_for_user(*, user, reference: str) -> DataQualityCase:
    """One of the resident's own reports, sent or not. Raises DataQualityCase.DoesNotExist for
    a reference that is not theirs, exactly as for one that does not exist."""
    return (
        DataQualityCase.objects.filter(user=user)
        .prefetch_related("proofs")
        .get(reference=reference.strip().upper())
    )


def data_quality_draft_for_user(*, user) -> DataQualityCase | None:
    """The resident's report not sent yet, if any."""
    return DataQualityCase.objects.filter(user=user, status=DataQualityCase.Status.DRAFT).first()


def data_quality_cases_open() -> QuerySet[DataQualityCase]:
    """The records administrators' queue: sent and not closed, oldest first."""
    return (
        DataQualityCase.objects.open()
        .select_related("user")
        .prefetch_related("proofs")
        .order_by("reported_at", "id")
    )


def data_quality_case_for_staff(*, reference: str) -> DataQualityCase | None:
    """A sent case by its reference, for a records administrator (the caller checks the
    permission); None for none, or a draft its resident has not sent."""
    return (
        DataQualityCase.objects.sent()
        .select_related("user")
        .prefetch_related("proofs")
        .filter(reference=reference.strip().upper())
        .first()
    )


def data_quality_proof_for_staff(*, reference: str, proof_id) -> DataQualityProof:
    """A file sent with a sent case, for a records administrator (the caller checks the
    permission and audits the download). Raises DataQualityProof.DoesNotExist for a file of any
    other case, exactly as for none."""
    return (
        DataQualityProof.objects.select_related("case")
        .exclude(case__status=DataQualityCase.Status.DRAFT)
        .get(public_id=proof_id, case__reference=reference.strip().upper())
    )


@dataclass(frozen=True)
class DataQualityCount:
    """How many cases name a feed, of one kind: open (sent, not closed) and closed."""

    feed: str  # "" when the case names no feed (something else, from "Your data")
    kind: str
    kind_label: str
    open: int
    closed: int


def data_quality_counts() -> list[DataQualityCount]:
    """Open and closed data-quality cases by feed and kind, for the insights pages: a case is
    counted once under each feed it names. Drafts (not sent) are not counted. One query; the
    cases are few (each is a resident's report), so the grouping by feed is done here."""
    tally: dict[tuple[str, str], list[int]] = {}
    rows = DataQualityCase.objects.sent().values_list("feeds", "kind", "status")
    for feeds, kind, status in rows:
        closed = status == DataQualityCase.Status.CLOSED
        for feed in feeds or [""]:
            counts = tally.setdefault((feed, kind), [0, 0])
            counts[closed] += 1
    labels = dict(DataQualityCase.Kind.choices)
    return [
        DataQualityCount(feed, kind, labels.get(kind, kind), open_, closed)
        for (feed, kind), (open_, closed) in sorted(tally.items())
    ]


# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("records.DataQualityCase", "records.DataQualityProof")


def personal_data_for(*, user) -> list[Section]:
    """Every report the resident made that our records are wrong, with what was done about it
    (never which member of staff did it)."""
    cases = (
        DataQualityCase.objects.filter(user=user)
        .prefetch_related("proofs")
        .order_by("created_at", "id")
    )
    return [
        section(
            "data_quality_cases",
            "What you told us is wrong in our records",
            "Each time you told us something in the council's records is wrong: what you said, "
            "where from, the proof you sent, and what we did about it.",
            cases,
            {
                "Reference": "reference",
                "Status": lambda c: c.get_status_display(),
                "What is wrong": lambda c: c.get_kind_display(),
                "In your words": "words",
                "Told us from": "source_label",
                "Proof you sent": lambda c: [p.original_name for p in c.proofs.all()],
                "Sent": "reported_at",
                "Looked at": "looked_at",
                "Closed": "closed_at",
                "Correction sent to": lambda c: c.get_sent_to_display() if c.sent_to else None,
                "What we did": "what_was_sent",
            },
        )
    ]
