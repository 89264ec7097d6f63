"""What a change to the resident permit tariff would do, over every live permit.

Pure: plain facts in (insights.selectors builds them from the live permits), plain results out;
no Django. Every permit is priced by `parking.pricing.price`, the code the portal charges with,
once with the tariff in force and once with the changed one, so the two sides of every
comparison are worked out the same way (tests/insights/test_tariff_agreement.py checks the
first side against what the portal charged, penny for penny).

How it counts, where the issue left it to us:

* A household is a home (its UPRN). Its permits are taken in the order they were bought; every
  one after the first pays the further-permit surcharge, as `parking.pricing` charges it.
  Permits that cannot be priced still hold their place in that order (they are live, and the
  portal counted them when it priced the others).
* A year's cost of a permit is its price times the permits of its length a year takes (four
  3-month permits, two 6-month ones): what the household pays if it keeps renewing as now.
* A zone may be given its own tariff (parking.pricing has one tariff for the whole borough; the
  what-if prices that zone's permits with the zone's tariff through the same code).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from parking.pricing import (
    EmissionRate,
    Price,
    PriceBasis,
    TariffError,
    TariffRates,
    VehicleFacts,
    price,
)


class NotPriced(enum.StrEnum):
    """Why a live permit is left out of the figures: the first that applies."""

    NO_PERSON = "no_person"
    NO_ADDRESS = "no_address"
    RECORDS_STALE = "records_stale"
    NO_VEHICLE = "no_vehicle"


NOT_PRICED_WORDS = {
    NotPriced.NO_PERSON: "the permit names no person in the council's records",
    NotPriced.NO_ADDRESS: "the permit's address is not in the address gazetteer",
    NotPriced.RECORDS_STALE: "the council's records no longer show the holder or the home "
    "(the address has left the gazetteer, or the holder may have moved)",
    NotPriced.NO_VEHICLE: "the vehicle is unknown (no vehicle data, or neither its CO2 "
    "emissions nor its engine size)",
}


class PermitFacts(NamedTuple):
    """One live permit, as the what-if needs it. `not_priced` is set by the selector for what
    the records say; an unknown vehicle is found here, by pricing itself. (A named tuple, not a
    frozen dataclass: 50,000 are made for every what-if, and a tuple is made three times as
    fast.)"""

    number: str
    household: int | None  # the home's UPRN
    zone: str
    ward: str
    council_tax_band: str  # "" when no council tax account at the home says
    months: int
    vehicle: VehicleFacts | None
    charged_pence: int  # what the portal charged for it
    not_priced: NotPriced | None = None


@dataclass(frozen=True)
class Tariffs:
    """The borough's tariff, and any zone's own."""

    borough: TariffRates
    zones: Mapping[str, TariffRates] = field(default_factory=dict)

    def for_zone(self, zone: str) -> TariffRates:
        return self.zones.get(zone, self.borough)


# --- Changing a tariff ----------------------------------------------------------------------


NEW_BAND_LABEL = "New band"


@dataclass(frozen=True)
class NewBand:
    max_co2: int
    annual_pence: int


def changed_tariff(
    tariff: TariffRates,
    *,
    emission_prices: Sequence[int] | None = None,
    emission_limits: Sequence[int | None] | None = None,
    new_band: NewBand | None = None,
    engine_prices: Sequence[int] | None = None,
    engine_limits: Sequence[int | None] | None = None,
    diesel_surcharge_pence: int | None = None,
    further_permit_surcharge_pence: int | None = None,
    three_month_percent: int | None = None,
    six_month_percent: int | None = None,
) -> TariffRates:
    """`tariff` with the parts given changed (each list band by band, in the tariff's order; a
    shorter permit's price is its percentage of the year's).
    A new emissions band splits the band its limit falls in: below it at its own price, the rest
    at the old band's. Raises TariffError (pricing's own checks) when the result could not price
    a permit: limits that do not rise, a negative price."""
    emission = list(tariff.emission_bands)
    if emission_prices is not None:
        emission = [
            replace(b, annual_pence=p) for b, p in zip(emission, emission_prices, strict=True)
        ]
    if emission_limits is not None:
        emission = [replace(b, max_co2=m) for b, m in zip(emission, emission_limits, strict=True)]
    if new_band is not None:
        if any(b.max_co2 == new_band.max_co2 for b in emission):
            raise TariffError(f"A band already ends at {new_band.max_co2} g/km")
        emission.append(EmissionRate(new_band.max_co2, new_band.annual_pence, NEW_BAND_LABEL))
        emission.sort(key=lambda b: (b.max_co2 is None, b.max_co2 or 0))
    engine = list(tariff.engine_size_bands)
    if engine_prices is not None:
        engine = [replace(b, annual_pence=p) for b, p in zip(engine, engine_prices, strict=True)]
    if engine_limits is not None:
        engine = [replace(b, max_cc=m) for b, m in zip(engine, engine_limits, strict=True)]
    diesel = tariff.diesel_surcharge_pence
    further = tariff.additional_permit_surcharge_pence
    return replace(
        tariff,
        name=f"{tariff.name} (changed)",
        emission_bands=tuple(emission),
        engine_size_bands=tuple(engine),
        diesel_surcharge_pence=diesel if diesel_surcharge_pence is None else diesel_surcharge_pence,
        additional_permit_surcharge_pence=(
            further if further_permit_surcharge_pence is None else further_permit_surcharge_pence
        ),
        three_month_percent=(
            tariff.three_month_percent if three_month_percent is None else three_month_percent
        ),
        six_month_percent=tariff.six_month_percent
        if six_month_percent is None
        else six_month_percent,
    )


def zone_tariff(tariff: TariffRates, *, zone: str, percent: int) -> TariffRates:
    """A zone's own tariff: every band's price `percent`% of `tariff`'s, rounded half up to the
    penny (surcharges unchanged)."""
    if percent < 0:
        raise TariffError("A zone's prices cannot be a negative percentage")

    def scaled(pence: int) -> int:
        return (pence * percent + 50) // 100

    return replace(
        tariff,
        name=f"{tariff.name} (zone {zone} at {percent}%)",
        emission_bands=tuple(
            replace(b, annual_pence=scaled(b.annual_pence)) for b in tariff.emission_bands
        ),
        engine_size_bands=tuple(
            replace(b, annual_pence=scaled(b.annual_pence)) for b in tariff.engine_size_bands
        ),
    )


# --- The what-if ----------------------------------------------------------------------------


class Priced(NamedTuple):
    """One permit priced both ways: its price for its months, and a year's cost. (A named
    tuple: one is made for every live permit.)"""

    permit: PermitFacts
    before_pence: int  # for its months, with the tariff in force
    after_pence: int
    before_year_pence: int
    after_year_pence: int
    kind: str  # electric, diesel or other

    @property
    def change_year_pence(self) -> int:
        return self.after_year_pence - self.before_year_pence


@dataclass(frozen=True)
class Group:
    """The figures for one zone, ward, band or kind of vehicle."""

    label: str
    permits: int
    households: int
    more: int  # households paying more
    less: int
    same: int
    before_pence: int  # a year's cost, with the tariff in force
    after_pence: int

    @property
    def change_pence(self) -> int:
        return self.after_pence - self.before_pence


@dataclass(frozen=True)
class Bucket:
    label: str
    count: int  # households (the tariff) or accounts (council tax)


@dataclass(frozen=True)
class Coverage:
    live: int  # every live permit
    priced: int
    not_priced: tuple[tuple[NotPriced, int], ...]  # each reason that applied, most first

    @property
    def not_priced_total(self) -> int:
        return self.live - self.priced


@dataclass(frozen=True)
class TariffResult:
    everyone: Group
    buckets: tuple[Bucket, ...]
    by_zone: tuple[Group, ...]
    by_ward: tuple[Group, ...]
    by_band: tuple[Group, ...]
    by_vehicle: tuple[Group, ...]  # electric vehicles apart
    coverage: Coverage
    priced: tuple[Priced, ...]


# A household's change in a year, in pence: the buckets' lower limits (the first has none).
BUCKETS: tuple[tuple[int | None, str], ...] = (
    (None, "Down £100 or more"),
    (-9_999, "Down £50 to £99.99"),
    (-4_999, "Down 1p to £49.99"),
    (0, "No change"),
    (1, "Up 1p to £49.99"),
    (5_000, "Up £50 to £99.99"),
    (10_000, "Up £100 or more"),
)
UNKNOWN = "Not known"
ELECTRIC, DIESEL, OTHER = "Electric", "Diesel", "Petrol, hybrid and other"


def bucket_of(change_pence: int) -> int:
    """The index of the bucket a household's change in a year falls in."""
    index = 0
    for i, (lower, _label) in enumerate(BUCKETS):
        if lower is not None and change_pence >= lower:
            index = i
    return index


def price_key(vehicle: VehicleFacts) -> tuple:
    """What `parking.pricing` reads of a vehicle, as its docstring states the rules: electric,
    diesel, first registered before the CO2 cut-over (by date, else by year of manufacture),
    CO2 emissions and engine size. Two vehicles alike in these are priced alike, so the
    what-if prices each such vehicle once; tests/insights/test_price_key.py checks it against
    pricing itself for any two vehicles.

    Tighter where pricing reads less, whatever the tariff: an electric vehicle is in the 0 g/km
    band, and a vehicle registered from the cut-over with a CO2 figure is priced by it, so
    neither's engine size (nor an electric one's CO2) is part of its key. Most live vehicles
    are the second kind: over 50,000 permits, a quarter as many prices to work out."""
    electric, diesel = vehicle.electric, vehicle.diesel
    if electric:
        return (True, diesel)
    before, co2 = vehicle.before_co2_cut_over, vehicle.co2_g_per_km
    if not before and co2 is not None and co2 >= 0:
        return (False, diesel, False, co2)
    return (False, diesel, before, co2, vehicle.engine_cc)


def tariff_whatif(
    permits: Iterable[PermitFacts], *, current: Tariffs, proposed: Tariffs
) -> TariffResult:
    """Price every live permit with the tariff in force and with the proposed one. `permits`
    come household by household in the order they were bought (selectors.live_permit_facts)."""
    held: dict[int | None, int] = defaultdict(int)
    priced: list[Priced] = []
    not_priced: dict[NotPriced, int] = defaultdict(int)
    live = 0
    now_for, then_for = current.for_zone, proposed.for_zone
    prices: dict[tuple, Price] = {}

    def priced_as(tariff: TariffRates, vehicle: VehicleFacts, key: tuple) -> Price:
        # Many permits share what their price rests on: each distinct one priced once.
        key = (id(tariff), *key)
        found = prices.get(key)
        if found is None:
            found = prices[key] = price(
                tariff=tariff, vehicle=vehicle, permits_held=key[-2], months=key[-1]
            )
        return found

    for permit in permits:
        live += 1
        household = permit.household
        permits_held = held[household] if household is not None else 0
        if household is not None:
            held[household] += 1
        if permit.not_priced is not None:
            not_priced[permit.not_priced] += 1
            continue
        vehicle, months = permit.vehicle, permit.months
        if vehicle is None:
            not_priced[NotPriced.NO_VEHICLE] += 1
            continue
        facts = price_key(vehicle)
        key = (*facts, permits_held, months)
        before = priced_as(now_for(permit.zone), vehicle, key)
        if before.basis is PriceBasis.NOT_KNOWN:  # the top band as a guess: not a figure
            not_priced[NotPriced.NO_VEHICLE] += 1
            continue
        after = priced_as(then_for(permit.zone), vehicle, key).total_pence
        per_year = 12 // months  # a year's cost: four 3-month permits, two 6-month ones
        priced.append(
            Priced(
                permit,
                before.total_pence,
                after,
                before.total_pence * per_year,
                after * per_year,
                ELECTRIC if facts[0] else DIESEL if facts[1] else OTHER,
            )
        )

    per_household: dict[int | None, int] = defaultdict(int)
    for item in priced:
        per_household[item.permit.household] += item.change_year_pence
    counts = [0] * len(BUCKETS)
    for change in per_household.values():
        counts[bucket_of(change)] += 1

    everyone, by_zone, by_ward, by_band, by_vehicle = _groups(priced)
    return TariffResult(
        everyone=everyone[0] if everyone else Group(EVERYONE, 0, 0, 0, 0, 0, 0, 0),
        buckets=tuple(Bucket(label, n) for (_lower, label), n in zip(BUCKETS, counts, strict=True)),
        by_zone=by_zone,
        by_ward=by_ward,
        by_band=by_band,
        by_vehicle=by_vehicle,
        coverage=Coverage(
            live=live,
            priced=len(priced),
            not_priced=tuple(sorted(not_priced.items(), key=lambda item: (-item[1], item[0]))),
        ),
        priced=tuple(priced),
    )


EVERYONE = "Every priced permit"


class _Tally:
    __slots__ = ("after", "before", "households", "permits")

    def __init__(self) -> None:
        self.permits = self.before = self.after = 0
        self.households: dict[int | None, int] = defaultdict(int)


def _groups(priced: Sequence[Priced]) -> list[tuple[Group, ...]]:
    """The figures for everyone, each zone, ward, council tax band and kind of vehicle, in one
    pass (it runs over every live permit). A household counts as paying more, less or the same
    by the change of its permits in the group."""
    tallies: list[dict[str, _Tally]] = [defaultdict(_Tally) for _ in range(5)]
    for item in priced:
        permit = item.permit
        before, after = item.before_year_pence, item.after_year_pence
        change, household = after - before, permit.household
        labels = (
            EVERYONE,
            permit.zone or UNKNOWN,
            permit.ward or UNKNOWN,
            permit.council_tax_band or UNKNOWN,
            item.kind,
        )
        for tally_by_label, label in zip(tallies, labels, strict=True):
            tally = tally_by_label[label]
            tally.permits += 1
            tally.before += before
            tally.after += after
            tally.households[household] += change
    orders = [(), (), (), (), (ELECTRIC, DIESEL, OTHER)]
    return [
        tuple(_group(label, tally_by_label[label]) for label in _ordered(tally_by_label, order))
        for tally_by_label, order in zip(tallies, orders, strict=True)
    ]


def _ordered(tally_by_label: dict, order: Sequence[str]) -> list[str]:
    """In `order`, or by label with Not known last."""
    if order:
        return [label for label in order if label in tally_by_label]
    return sorted(tally_by_label, key=lambda label: (label == UNKNOWN, natural_order(label)))


def _group(label: str, tally: _Tally) -> Group:
    changes = tally.households.values()
    return Group(
        label=label,
        permits=tally.permits,
        households=len(tally.households),
        more=sum(1 for c in changes if c > 0),
        less=sum(1 for c in changes if c < 0),
        same=sum(1 for c in changes if c == 0),
        before_pence=tally.before,
        after_pence=tally.after,
    )


def natural_order(label: str) -> tuple:
    """Zone "B2" after "B", ward names alphabetically."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _split(label))


def _split(label: str) -> list[str]:
    parts, current = [], ""
    for char in label:
        if current and char.isdigit() != current[-1].isdigit():
            parts.append(current)
            current = ""
        current += char
    return [*parts, current] if current else parts
