"""What a resident parking permit costs, and how that price is worked out, in plain English.

Pure: plain frozen dataclasses in, a Price out; no database. The tariff comes from
`parking.selectors.tariff_in_force`, the vehicle facts from the vehicle data client.

The rules, where the issue left them to us:

* Vehicles first registered on or after 1 March 2001 (when the DVLA began recording CO2) are
  priced by their CO2 emissions band; those registered before it by engine size. When only the
  year of manufacture is known, a year before 2001 counts as before the cut-over.
* Electric vehicles are priced in the band for 0 g/km whatever else the record says (a fully
  electric car has no exhaust; a stray CO2 figure is a data error, not a reason to charge more).
* A missing figure never stops a price: CO2 unknown → engine size; engine size unknown for an
  old vehicle → CO2 if known; neither known → the highest emissions band, marked
  `needs_check` so a person can confirm it from the V5C rather than the resident silently
  paying the most.
* The further-permit surcharge is charged once on every permit after the first at the property
  (the second and third permit each pay it once; it does not grow with each permit).
* A 3- or 6-month permit costs a stated whole-number percentage of the annual price (band and
  surcharges together), rounded half up to the penny. The tariff keeps 1 <= 3-month % <= 6-month
  % <= 100, so a shorter permit never costs more than a longer one, nor more than a year's.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

DURATIONS = (3, 6, 12)  # months
CO2_CUT_OVER = date(2001, 3, 1)  # vehicles first registered before this have no CO2 figure
ELECTRIC_FUEL_TYPES = frozenset({"ELECTRICITY", "ELECTRIC"})  # as the DVLA spells fuelType
DIESEL_FUEL_TYPES = frozenset({"DIESEL", "HEAVY OIL"})  # older V5Cs say "heavy oil"


class TariffError(ValueError):
    """A tariff that cannot price a permit: missing, or inconsistent."""


class NoTariffInForce(TariffError, LookupError):
    """No tariff is in force on the date asked about."""


@dataclass(frozen=True)
class EmissionRate:
    max_co2: int | None  # g/km, inclusive; None: no upper limit
    annual_pence: int
    label: str = ""  # the band's name as staff gave it, e.g. "Band 3"


@dataclass(frozen=True)
class EngineSizeRate:
    max_cc: int | None  # inclusive; None: no upper limit
    annual_pence: int
    label: str = ""


@dataclass(frozen=True)
class TariffRates:
    """One tariff's prices. Bands are in ascending order of their upper limit; a band covers
    everything above the previous band's limit up to and including its own."""

    name: str
    effective_from: date
    emission_bands: tuple[EmissionRate, ...]
    engine_size_bands: tuple[EngineSizeRate, ...]
    diesel_surcharge_pence: int
    additional_permit_surcharge_pence: int
    three_month_percent: int
    six_month_percent: int

    def __post_init__(self):
        if not self.emission_bands:
            raise TariffError(f"Tariff {self.name!r} has no emissions bands")
        _check_ascending(self.name, "emissions", [b.max_co2 for b in self.emission_bands])
        _check_ascending(self.name, "engine size", [b.max_cc for b in self.engine_size_bands])
        amounts = [
            *(b.annual_pence for b in self.emission_bands),
            *(b.annual_pence for b in self.engine_size_bands),
            self.diesel_surcharge_pence,
            self.additional_permit_surcharge_pence,
        ]
        if any(amount < 0 for amount in amounts):
            raise TariffError(f"Tariff {self.name!r} has a negative amount")
        if not 1 <= self.three_month_percent <= self.six_month_percent <= 100:
            raise TariffError(
                f"Tariff {self.name!r}: the 3-month and 6-month percentages must satisfy "
                "1 <= 3 months <= 6 months <= 100"
            )

    def percent_of_annual(self, months: int) -> int:
        if months not in DURATIONS:
            raise ValueError(f"A permit lasts 3, 6 or 12 months, not {months}")
        return {3: self.three_month_percent, 6: self.six_month_percent, 12: 100}[months]


def _check_ascending(name: str, what: str, limits: list[int | None]) -> None:
    bounded = limits[:-1] if limits and limits[-1] is None else limits
    if None in bounded or any(b >= a for a, b in zip(bounded[1:], bounded, strict=False)):
        raise TariffError(
            f"Tariff {name!r}: the {what} bands' upper limits must rise, with only the last "
            "band open-ended"
        )


@dataclass(frozen=True)
class VehicleFacts:
    """What the price needs to know about a vehicle, as vehicle data gives it."""

    fuel_type: str  # the DVLA's fuelType, e.g. "PETROL", "DIESEL", "ELECTRICITY"
    co2_g_per_km: int | None = None
    engine_cc: int | None = None
    first_registered: date | None = None  # from monthOfFirstRegistration: the month's first day
    year_of_manufacture: int | None = None

    @property
    def electric(self) -> bool:
        return self.fuel_type.strip().upper() in ELECTRIC_FUEL_TYPES

    @property
    def diesel(self) -> bool:
        return self.fuel_type.strip().upper() in DIESEL_FUEL_TYPES

    @property
    def before_co2_cut_over(self) -> bool:
        """First registered before 1 March 2001; when only the year of manufacture is known,
        made before 2001. Unknown dates count as after (such vehicles usually have a CO2 figure)."""
        if self.first_registered is not None:
            return self.first_registered < CO2_CUT_OVER
        if self.year_of_manufacture is not None:
            return self.year_of_manufacture < CO2_CUT_OVER.year
        return False


class PriceBasis(enum.StrEnum):
    CO2 = "co2"
    ENGINE_SIZE = "engine_size"
    NOT_KNOWN = "not_known"  # neither CO2 nor engine size: the highest emissions band


@dataclass(frozen=True)
class PriceLine:
    label: str  # plain English, money-free: the template shows the pence as pounds
    pence: int  # negative for the reduction of a shorter permit


@dataclass(frozen=True)
class Price:
    total_pence: int
    lines: tuple[PriceLine, ...]  # "how your price is worked out"; they add up to the total
    annual_pence: int  # what 12 months would cost
    months: int
    basis: PriceBasis
    tariff_name: str

    @property
    def needs_check(self) -> bool:
        """The vehicle's emissions and engine size were both unknown: a person should confirm
        the band from the V5C."""
        return self.basis is PriceBasis.NOT_KNOWN


def price(*, tariff: TariffRates, vehicle: VehicleFacts, permits_held: int, months: int) -> Price:
    """The price of one resident permit for `vehicle` lasting `months` (3, 6 or 12), when the
    property already has `permits_held` live permits (this one not counted)."""
    percent = tariff.percent_of_annual(months)
    if permits_held < 0:
        raise ValueError("permits_held cannot be negative")

    band_line, basis = _band_line(tariff, vehicle)
    lines = [band_line]
    if vehicle.diesel and tariff.diesel_surcharge_pence:
        lines.append(PriceLine("Diesel surcharge", tariff.diesel_surcharge_pence))
    if permits_held and tariff.additional_permit_surcharge_pence:
        lines.append(
            PriceLine(
                f"{_ordinal(permits_held + 1).capitalize()} permit at this address",
                tariff.additional_permit_surcharge_pence,
            )
        )
    annual = sum(line.pence for line in lines)
    total = _percent_of(annual, percent)
    if months != 12:
        lines.append(
            PriceLine(
                f"{months} months instead of 12: you pay {percent}% of the annual price",
                total - annual,
            )
        )
    return Price(
        total_pence=total,
        lines=tuple(lines),
        annual_pence=annual,
        months=months,
        basis=basis,
        tariff_name=tariff.name,
    )


def _percent_of(pence: int, percent: int) -> int:
    """`percent`% of `pence`, rounded half up to the penny, in integers (never a float)."""
    return (pence * percent + 50) // 100


def _band_line(tariff: TariffRates, vehicle: VehicleFacts) -> tuple[PriceLine, PriceBasis]:
    co2 = vehicle.co2_g_per_km
    co2 = co2 if co2 is not None and co2 >= 0 else None  # a negative figure is a data error
    cc = vehicle.engine_cc if vehicle.engine_cc and vehicle.engine_cc > 0 else None
    engine_bands = tariff.engine_size_bands
    if vehicle.electric:
        return _co2_line(tariff, 0), PriceBasis.CO2
    if vehicle.before_co2_cut_over and cc is not None and engine_bands:
        why = "first registered before 1 March 2001"
        return _engine_line(tariff, cc, why), PriceBasis.ENGINE_SIZE
    if co2 is not None:
        return _co2_line(tariff, co2), PriceBasis.CO2
    if cc is not None and engine_bands:
        return _engine_line(tariff, cc, "CO2 emissions not known"), PriceBasis.ENGINE_SIZE
    top, pence = _co2_band(tariff, None)
    line = PriceLine(f"Emissions not known, so the highest band: {top}", pence)
    return line, PriceBasis.NOT_KNOWN


def _band_index(limits: list[int | None], value: int | None) -> int:
    """The first band whose upper limit is at or above value; above every limit, or value
    unknown: the top band."""
    if value is not None:
        for index, limit in enumerate(limits):
            if limit is None or value <= limit:
                return index
    return len(limits) - 1


def _co2_line(tariff: TariffRates, co2: int) -> PriceLine:
    band, pence = _co2_band(tariff, co2)
    return PriceLine(f"Emissions band {band}", pence)


def _co2_band(tariff: TariffRates, co2: int | None) -> tuple[str, int]:
    """The band for co2 (unknown: the top band) in words, e.g. "101 to 110 g/km (Band 3)", and
    its annual price."""
    bands = tariff.emission_bands
    index = _band_index([b.max_co2 for b in bands], co2)
    band = bands[index]
    previous = bands[index - 1].max_co2 if index else None
    span = _span(previous, band.max_co2, unit=" g/km")
    return span + (f" ({band.label})" if band.label else ""), band.annual_pence


def _engine_line(tariff: TariffRates, cc: int, why: str) -> PriceLine:
    bands = tariff.engine_size_bands
    index = _band_index([b.max_cc for b in bands], cc)
    band = bands[index]
    previous = bands[index - 1].max_cc if index else None
    span = _span(previous, band.max_cc, unit="cc")
    named = f" ({band.label})" if band.label else ""
    return PriceLine(f"Engine size {span}{named}, {why}", band.annual_pence)


def _span(previous: int | None, limit: int | None, *, unit: str) -> str:
    """A band's range in words: "0 g/km", "up to 100 g/km", "101 to 110 g/km", "over 255 g/km"."""
    if limit is None:
        return f"over {previous:,}{unit}" if previous is not None else "for any vehicle"
    if previous is None:
        return f"{limit:,}{unit}" if limit == 0 else f"up to {limit:,}{unit}"
    if previous + 1 == limit:
        return f"{limit:,}{unit}"
    return f"{previous + 1:,} to {limit:,}{unit}"


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _ordinal(n: int) -> str:
    if n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# --- Permit periods, refunds and changes ----------------------------------------------------------
#
# A permit of N months runs from its first day to the day before the same date N months later
# (a day that does not exist in a shorter month is its last day: 31 January + 1 month is
# 28 or 29 February). A month of the permit counts as used once it has started, so a refund
# or a change of price covers only the whole months not yet started. Amounts are rounded down
# for the council when refunding and when charging: never more back than was paid, never more
# charged than the difference.


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = _days_in_month(year, month)
    return date(year, month, min(day.day, last))


def _days_in_month(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def permit_last_day(valid_from: date, months: int) -> date:
    """The last day of a permit of `months` starting on `valid_from`."""
    return date.fromordinal(add_months(valid_from, months).toordinal() - 1)


def unused_whole_months(*, valid_from: date, months: int, today: date) -> int:
    """The permit's months not yet started on `today` (all of them before it starts)."""
    started = sum(1 for k in range(months) if add_months(valid_from, k) <= today)
    return months - started


def refund_for_unused_months_paid(*, paid: Sequence[tuple[int, int]], unused_months: int) -> int:
    """What cancelling gives back: of each sum paid for the permit (positive) or given back
    (negative), with the whole months not yet started when it was paid or given back
    (`(amount_pence, months_covered)`), the share for the months still not started now. A
    vehicle change is paid, or refunded, for the months left at that time, at the new vehicle's
    price: a share of the net total at the permit's length would refund those months wrongly
    either way. Each share is rounded in the council's favour (a payment's down, a refund's
    up), so no more is ever given back than was taken. Never negative."""
    if unused_months < 0:
        raise ValueError("unused months cannot be negative")
    total = 0
    for amount, covered in paid:
        if covered <= 0:
            raise ValueError("a sum paid is for at least one month")
        # Months are only ever used up: a sum's months still unused are at most its own.
        total += amount * min(unused_months, covered) // covered  # floor: a refund's rounds up
    return max(total, 0)


def repricing_difference(
    *, old_price_pence: int, new_price_pence: int, months: int, unused_months: int
) -> int:
    """What repricing a permit costs (positive: the resident pays) or gives back (negative),
    over the unused whole months only: the months started stay at the old price. A change of
    vehicle and a move home to a household where the further-permit surcharge differs are both
    repriced so. Rounded towards zero, so neither side pays a penny more than the difference."""
    if not 0 <= unused_months <= months or months <= 0:
        raise ValueError("unused months must be between 0 and the permit's months")
    difference = new_price_pence - old_price_pence
    share = abs(difference) * unused_months // months
    return share if difference >= 0 else -share


# The name the change of vehicle has always used.
vehicle_change_difference = repricing_difference
