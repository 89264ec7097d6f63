"""Vehicle data: which vehicle a registration belongs to.

Other code calls one function, `lookup_vehicle(registration)`. It returns a `Vehicle`, or raises
one of parking.exceptions' `VehicleLookupError` family:

* `InvalidRegistration`: not a UK registration (our own check, before any request), or the
  vehicle service refused it (HTTP 400).
* `VehicleNotFound`: a well-formed registration the vehicle service has no record of (404).
* `VehicleServiceUnavailable`: the service could not answer (429 or 5xx after the retries, a
  timeout, no connection, a response we do not understand). It says nothing about the vehicle,
  so it must never count against the applicant: tell them, keep their answers.

The `VEHICLE_DATA_CLIENT` setting chooses the implementation (see `.env.example`):

* `"dvla"`: `DvlaVehicleClient`, the DVLA Vehicle Enquiry Service over HTTP
  (`POST {DVLA_VES_URL}/vehicle-enquiry/v1/vehicles`, `x-api-key` header, JSON body
  `{"registrationNumber": "AB12CDE"}`). 429 and 5xx are retried with exponential backoff within
  an overall time limit; answers are cached in Django's cache (found and not-found for different
  times; failures never).
* `"local"` (the default: the demo, and tests of other code): `LocalVehicleClient`, no network.
  Any valid registration gets a made-up vehicle derived from a hash of it, always the same one.
  Its age follows the plate where the plate says it (AB19CDE: 2019; J123HCK: 1991; ABC123D:
  1966), and so does what DVLA would know: no CO2 figure for vehicles first registered before
  March 2001, no engine size for electric ones, electric and hybrid only on newer vehicles. About
  1 in 25 is heavier than 3,500 kg and about 1 in 25 is a van of exactly 3,500 kg.

  These registrations are fixed, for the README and the demo journeys:

  ========  =====================================================================
  LB19PET   petrol hatchback, 1,199 cc, 118 g/km, 2019: an ordinary approvable car
  LB19EVE   electric, 0 g/km, no engine size, 2019
  LB19DSL   diesel, 1,995 cc, 142 g/km, 2019
  LB19VAN   diesel van at exactly 3,500 kg revenue weight (the limit, still allowed)
  LB19HGV   diesel lorry, 7,500 kg: over the 3,500 kg limit
  J123HCK   petrol, 1,598 cc, first registered August 1991: no CO2 figure (pre-2001)
  ER19NFD   not found (VehicleNotFound)
  ER19MNT   service unavailable (VehicleServiceUnavailable)
  ER19BAD   refused by the service as invalid (InvalidRegistration), though well formed
  ========  =====================================================================

  The three ER19 registrations behave as DVLA's own test environment's registrations of the
  same names do (404, 503, 400), so a demo path can be tried against either.

Registrations are normalised (`normalise_registration`) and checked for shape
(`is_uk_registration`) before any implementation is asked.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from parking.exceptions import InvalidRegistration, VehicleNotFound, VehicleServiceUnavailable

logger = logging.getLogger(__name__)

# --- Registrations ------------------------------------------------------------------------------

# The shapes of UK registrations (Great Britain and Northern Ireland), after normalising. This
# checks the shape only, not that DVLA ever issued the mark: letters DVLA never uses in a given
# position (I, Q, Z in places) are accepted, and DVLA has the last word (400 or 404).
# Not accepted: diplomatic (123 D 456), trade and military marks, foreign plates.
REGISTRATION_FORMATS: dict[str, re.Pattern[str]] = {
    # Since September 2001: memory tag, age identifier, three letters (AB12CDE).
    "current": re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{3}"),
    # August 1983 to August 2001: year letter, 1-3 digits, three letters (A123BCD).
    "prefix": re.compile(r"[A-Z][0-9]{1,3}[A-Z]{3}"),
    # 1963 to 1983: three letters, 1-3 digits, year letter (ABC123D).
    "suffix": re.compile(r"[A-Z]{3}[0-9]{1,3}[A-Z]"),
    # Dateless marks, before 1963 and cherished ever since: 1-3 letters and 1-4 digits either way
    # round (A1, AB1234, 1ABC, 1234AB). Northern Ireland's marks (ABZ1234, IA123) have this shape.
    "dateless": re.compile(r"[A-Z]{1,3}[0-9]{1,4}|[0-9]{1,4}[A-Z]{1,3}"),
}


def normalise_registration(text: str) -> str:
    """The registration as DVLA writes it: capitals, no spaces or dashes ("ab12 cde" → "AB12CDE").

    Only case, whitespace and dash punctuation change; anything else stays, so that a stray
    character makes the registration invalid rather than silently a different one. Idempotent.
    """
    upper = text.upper()
    return "".join(c for c in upper if not (c.isspace() or unicodedata.category(c) == "Pd"))


def registration_format(text: str) -> str | None:
    """Which of REGISTRATION_FORMATS a registration has ("current", "prefix", "suffix",
    "dateless"), or None when it is not a UK registration."""
    registration = normalise_registration(text)
    for name, pattern in REGISTRATION_FORMATS.items():
        if pattern.fullmatch(registration):
            return name
    return None


def is_uk_registration(text: str) -> bool:
    """Whether the text, in any case and spacing, has the shape of a UK registration."""
    return registration_format(text) is not None


def _checked(registration: str) -> str:
    normalised = normalise_registration(registration)
    if registration_format(normalised) is None:
        raise InvalidRegistration(normalised, "not the shape of a UK registration")
    return normalised


# --- The vehicle --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vehicle:
    """What vehicle data says about a vehicle. Text fields are as DVLA writes them (capitals:
    "FORD", "SILVER", "PETROL", "Taxed"); any field but the registration may be unknown (None).

    `month_of_first_registration` is a `date` on the first of that month (DVLA says "2019-03").
    Vehicles first registered before March 2001 have no CO2 figure, and electric ones no engine
    size: both are None then, not 0.
    """

    registration: str
    make: str | None
    colour: str | None
    fuel_type: str | None
    co2_emissions: int | None  # g/km
    engine_capacity: int | None  # cc
    year_of_manufacture: int | None
    month_of_first_registration: date | None
    revenue_weight: int | None  # kg
    tax_status: str | None

    @property
    def is_electric(self) -> bool:
        return self.fuel_type == "ELECTRICITY"

    @property
    def is_diesel(self) -> bool:
        """Burns diesel at all: DIESEL, and the ELECTRIC DIESEL and GAS DIESEL hybrids."""
        return self.fuel_type is not None and "DIESEL" in self.fuel_type.split()

    def as_dvla(self) -> dict[str, Any]:
        """The vehicle as a DVLA response would give it: JSON-safe, and read back by from_dvla
        (for the cache, or to keep with an application)."""
        month = self.month_of_first_registration
        fields = {
            "registrationNumber": self.registration,
            "make": self.make,
            "colour": self.colour,
            "fuelType": self.fuel_type,
            "co2Emissions": self.co2_emissions,
            "engineCapacity": self.engine_capacity,
            "yearOfManufacture": self.year_of_manufacture,
            "monthOfFirstRegistration": month.strftime("%Y-%m") if month else None,
            "revenueWeight": self.revenue_weight,
            "taxStatus": self.tax_status,
        }
        return {name: value for name, value in fields.items() if value is not None}

    @classmethod
    def from_dvla(cls, data: Any) -> Vehicle:
        """Read a DVLA Vehicle Enquiry Service response body. Fields we do not use are ignored;
        a missing registration or a field of the wrong type raises ValueError."""
        if not isinstance(data, Mapping):
            raise ValueError("the response is not a JSON object")
        registration = _text(data, "registrationNumber")
        if not registration:
            raise ValueError("registrationNumber is missing")
        return cls(
            registration=normalise_registration(registration),
            make=_text(data, "make"),
            colour=_text(data, "colour"),
            fuel_type=_text(data, "fuelType"),
            co2_emissions=_whole_number(data, "co2Emissions"),
            engine_capacity=_whole_number(data, "engineCapacity"),
            year_of_manufacture=_whole_number(data, "yearOfManufacture"),
            month_of_first_registration=_month(data, "monthOfFirstRegistration"),
            revenue_weight=_whole_number(data, "revenueWeight"),
            tax_status=_text(data, "taxStatus"),
        )


def _text(data: Mapping, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text: {value!r}")
    return value.strip() or None


def _whole_number(data: Mapping, name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    # bool is an int in Python; true is not a number of grams.
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} is not a whole number: {value!r}")
    return value


def _month(data: Mapping, name: str) -> date | None:
    value = _text(data, name)
    if value is None:
        return None
    match = re.fullmatch(r"([0-9]{4})-([0-9]{2})", value)
    if not match:
        raise ValueError(f"{name} is not YYYY-MM: {value!r}")
    return date(int(match[1]), int(match[2]), 1)  # an impossible month raises ValueError too


class VehicleClient(Protocol):
    def lookup(self, registration: str) -> Vehicle:
        """The vehicle with this registration (any case and spacing), or a VehicleLookupError."""
        ...


# --- The DVLA Vehicle Enquiry Service -----------------------------------------------------------


class DvlaVehicleClient:
    """The DVLA Vehicle Enquiry Service over HTTP, with retries, a time limit and a cache."""

    PATH = "/vehicle-enquiry/v1/vehicles"
    CACHE_KEY = "parking:vehicle:v1:{registration}"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float = 2.0,
        read_timeout: float = 3.0,
        attempts: int = 3,
        backoff: float = 0.5,
        time_limit: float = 5.0,
        found_cache_seconds: int = 24 * 60 * 60,
        not_found_cache_seconds: int = 15 * 60,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.url = base_url.rstrip("/") + self.PATH
        self.api_key = api_key
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.attempts = attempts
        self.backoff = backoff
        self.time_limit = time_limit
        self.found_cache_seconds = found_cache_seconds
        self.not_found_cache_seconds = not_found_cache_seconds

    @classmethod
    def from_settings(cls) -> DvlaVehicleClient:
        return cls(
            base_url=settings.DVLA_VES_URL,
            api_key=settings.DVLA_VES_API_KEY,
            connect_timeout=settings.DVLA_VES_CONNECT_TIMEOUT,
            read_timeout=settings.DVLA_VES_READ_TIMEOUT,
            attempts=settings.DVLA_VES_ATTEMPTS,
            backoff=settings.DVLA_VES_BACKOFF,
            time_limit=settings.DVLA_VES_TIME_LIMIT,
            found_cache_seconds=settings.VEHICLE_CACHE_SECONDS,
            not_found_cache_seconds=settings.VEHICLE_NOT_FOUND_CACHE_SECONDS,
        )

    def lookup(self, registration: str) -> Vehicle:
        registration = _checked(registration)
        key = self.CACHE_KEY.format(registration=registration)
        cached = _cache_get(key)
        if isinstance(cached, Mapping):
            if cached.get("not_found"):
                raise VehicleNotFound(registration, "not found (cached)")
            try:
                return Vehicle.from_dvla(cached.get("vehicle"))
            except ValueError:
                pass  # an entry we cannot read (an older shape): ask again
        try:
            # A session per lookup: its retries reuse the connection, which closes after.
            with requests.Session() as session:
                vehicle = self._ask(session, registration)
        except VehicleNotFound:
            _cache_set(key, {"not_found": True}, self.not_found_cache_seconds)
            raise
        _cache_set(key, {"vehicle": vehicle.as_dvla()}, self.found_cache_seconds)
        return vehicle

    def _ask(self, session: requests.Session, registration: str) -> Vehicle:
        """One enquiry: up to `attempts` requests, all within `time_limit` seconds."""
        deadline = time.monotonic() + self.time_limit
        attempt = 0
        while True:
            attempt += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise VehicleServiceUnavailable(registration, f"no answer in {self.time_limit}s")
            try:
                response = session.post(
                    self.url,
                    json={"registrationNumber": registration},
                    headers={"x-api-key": self.api_key, "Accept": "application/json"},
                    timeout=(
                        min(self.connect_timeout, remaining),
                        min(self.read_timeout, remaining),
                    ),
                    allow_redirects=False,
                )
            except requests.ReadTimeout as error:
                # The service took the request and is slow: asking again would keep the
                # resident waiting longer still, and add to its load.
                raise VehicleServiceUnavailable(registration, "timed out") from error
            except requests.ConnectionError as error:
                # Refused, reset, or no connection in time: the enquiry only reads, so asking
                # again is safe, and a new connection often gets through.
                if self._give_up(attempt, deadline, None):
                    raise VehicleServiceUnavailable(registration, "could not connect") from error
                self._wait(attempt, None)
                continue
            except requests.RequestException as error:
                raise VehicleServiceUnavailable(registration, type(error).__name__) from error

            status = response.status_code
            if status == 200:
                try:
                    return Vehicle.from_dvla(response.json())
                except ValueError as error:  # requests' JSON errors are ValueErrors too
                    logger.error("DVLA vehicle enquiry: unreadable 200 response: %s", error)
                    raise VehicleServiceUnavailable(registration, "unreadable response") from error
            if status == 400:
                raise InvalidRegistration(registration, "refused by DVLA (HTTP 400)")
            if status == 404:
                raise VehicleNotFound(registration, "no DVLA record (HTTP 404)")
            if status == 429 or 500 <= status < 600:
                retry_after = _retry_after(response) if status == 429 else None
                logger.warning("DVLA vehicle enquiry: HTTP %s on attempt %s", status, attempt)
                if self._give_up(attempt, deadline, retry_after):
                    raise VehicleServiceUnavailable(
                        registration, f"HTTP {status} after {attempt} attempt(s)"
                    )
                self._wait(attempt, retry_after)
                continue
            # 401/403 (a wrong or expired key), redirects, anything else: retrying will not help.
            logger.error("DVLA vehicle enquiry: unexpected HTTP %s", status)
            raise VehicleServiceUnavailable(registration, f"unexpected HTTP {status}")

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        delay = self.backoff * 2 ** (attempt - 1)
        return max(delay, retry_after) if retry_after is not None else delay

    def _give_up(self, attempt: int, deadline: float, retry_after: float | None) -> bool:
        """No attempts left, or waiting would end after the time limit: better to answer now."""
        if attempt >= self.attempts:
            return True
        return time.monotonic() + self._delay(attempt, retry_after) >= deadline

    def _wait(self, attempt: int, retry_after: float | None) -> None:
        time.sleep(self._delay(attempt, retry_after))


def _retry_after(response: requests.Response) -> float | None:
    """Retry-After in seconds, when the service gives it as a number (not as an HTTP date)."""
    value = response.headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _cache_get(key: str) -> Any:
    # The cache saves requests; it being down must not stop a lookup.
    try:
        return cache.get(key)
    except Exception:
        logger.warning("Vehicle cache unavailable for reading", exc_info=True)
        return None


def _cache_set(key: str, value: Any, seconds: int) -> None:
    if seconds <= 0:
        return
    try:
        cache.set(key, value, seconds)
    except Exception:
        logger.warning("Vehicle cache unavailable for writing", exc_info=True)


# --- The local implementation -------------------------------------------------------------------


def _demo(
    registration: str,
    make: str,
    colour: str,
    fuel_type: str,
    co2: int | None,
    engine: int | None,
    first_registered: date,
    weight: int,
) -> Vehicle:
    return Vehicle(
        registration=registration,
        make=make,
        colour=colour,
        fuel_type=fuel_type,
        co2_emissions=co2,
        engine_capacity=engine,
        year_of_manufacture=first_registered.year,
        month_of_first_registration=first_registered,
        revenue_weight=weight,
        tax_status="Taxed",
    )


# The fixed registrations of the module docstring.
DEMO_VEHICLES: dict[str, Vehicle] = {
    v.registration: v
    for v in [
        _demo("LB19PET", "FORD", "BLUE", "PETROL", 118, 1199, date(2019, 3, 1), 1560),
        _demo("LB19EVE", "NISSAN", "WHITE", "ELECTRICITY", 0, None, date(2019, 5, 1), 1995),
        _demo("LB19DSL", "VOLKSWAGEN", "GREY", "DIESEL", 142, 1995, date(2019, 4, 1), 2020),
        _demo("LB19VAN", "FORD", "WHITE", "DIESEL", 218, 1995, date(2019, 6, 1), 3500),
        _demo("LB19HGV", "IVECO", "WHITE", "DIESEL", 265, 2998, date(2019, 7, 1), 7500),
        _demo("J123HCK", "VAUXHALL", "RED", "PETROL", None, 1598, date(1991, 8, 1), 1480),
    ]
}
DEMO_NOT_FOUND = "ER19NFD"
DEMO_UNAVAILABLE = "ER19MNT"
DEMO_REFUSED = "ER19BAD"

# Age identifiers up to this year are read from current-format plates; later ones (not yet
# issued when this was written) get an age from the hash, so that a result never depends on
# today's date.
_NEWEST_PLATE_YEAR = 2025
# Prefix marks' year letters, August 1983 to March 2001 (I, O, Q, U and Z never used).
_PREFIX_LETTERS = {
    **{letter: (1983 + i, 8) for i, letter in enumerate("ABCDEFGHJKLMNPRS")},
    "T": (1999, 3),
    "V": (1999, 9),
    "W": (2000, 3),
    "X": (2000, 9),
    "Y": (2001, 3),
}
# Suffix marks' year letters, 1963 to 1982 (E ran January to July 1967, F from August).
_SUFFIX_LETTERS = {
    **{letter: (1963 + i, 1) for i, letter in enumerate("ABCDE")},
    **{letter: (1967 + i, 8) for i, letter in enumerate("FGHJKLMNPRSTVWXY")},
}
_MAKES = ["FORD", "VAUXHALL", "VOLKSWAGEN", "TOYOTA", "BMW", "AUDI", "MERCEDES-BENZ", "HONDA"]
_MAKES += ["NISSAN", "KIA", "HYUNDAI", "PEUGEOT", "RENAULT", "SKODA", "MINI", "FIAT"]
_ELECTRIC_MAKES = ["TESLA", "NISSAN", "KIA", "HYUNDAI", "MG", "RENAULT", "VOLKSWAGEN", "BMW"]
_VAN_MAKES = ["FORD", "MERCEDES-BENZ", "VOLKSWAGEN", "IVECO", "VAUXHALL", "RENAULT"]
_COLOURS = ["BLACK", "WHITE", "SILVER", "GREY", "BLUE", "RED", "GREEN", "YELLOW", "ORANGE"]
_ENGINES = {
    "PETROL": [998, 1199, 1368, 1498, 1598, 1798, 1984, 1998, 2494, 2996],
    "DIESEL": [1461, 1499, 1598, 1968, 1995, 2143, 2179, 2993],
    "HYBRID ELECTRIC": [1490, 1598, 1798, 1987, 2487],
}
_HEAVY_WEIGHTS = [3850, 4250, 5000, 7500]


class _Digest:
    """Numbers drawn in turn from a registration's SHA-256: the same registration, the same
    draws. (Not for security: a hash spreads similar registrations over different vehicles.)"""

    def __init__(self, registration: str) -> None:
        self._bytes = hashlib.sha256(registration.encode()).digest()
        self._next = 0

    def below(self, n: int) -> int:
        chunk = self._bytes[self._next : self._next + 2]
        self._next += 2
        return int.from_bytes(chunk, "big") % n

    def choice(self, items: list) -> Any:
        return items[self.below(len(items))]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _first_registered(registration: str, digest: _Digest) -> date:
    """When the plate says the vehicle was first registered, give or take the months a plate's
    period spans; a dateless (cherished) mark says nothing, so the hash picks 1960 to 2024."""
    kind = registration_format(registration)
    offset = digest.below(6)
    start = None
    if kind == "current":
        age = int(registration[2:4])
        if 2 <= age <= _NEWEST_PLATE_YEAR - 2000:
            start = date(2000 + age, 3, 1)
        elif 51 <= age <= _NEWEST_PLATE_YEAR - 1950:
            start = date(1950 + age, 9, 1)
        else:  # an age identifier never (or not yet) issued: still a vehicle of 2002 or later
            start = date(2002 + digest.below(_NEWEST_PLATE_YEAR - 2001), 3, 1)
    elif kind == "prefix" and registration[0] in _PREFIX_LETTERS:
        start = date(*_PREFIX_LETTERS[registration[0]], 1)
    elif kind == "suffix" and registration[-1] in _SUFFIX_LETTERS:
        start = date(*_SUFFIX_LETTERS[registration[-1]], 1)
    if start is None:
        start = date(1960 + digest.below(65), 1 + digest.below(12), 1)
        offset = 0
    return _add_months(start, offset)


def _made_up_vehicle(registration: str) -> Vehicle:
    digest = _Digest(registration)
    first_registered = _first_registered(registration, digest)
    year = first_registered.year
    if year >= 2011:
        fuels = ["PETROL"] * 9 + ["DIESEL"] * 5 + ["HYBRID ELECTRIC"] * 3 + ["ELECTRICITY"] * 3
    elif year >= 2005:
        fuels = ["PETROL"] * 12 + ["DIESEL"] * 7 + ["HYBRID ELECTRIC"]
    else:
        fuels = ["PETROL"] * 7 + ["DIESEL"] * 3
    fuel = digest.choice(fuels)

    size = digest.below(100)
    if size < 4:
        weight, make = digest.choice(_HEAVY_WEIGHTS), digest.choice(_VAN_MAKES)
    elif size < 8:
        weight, make = 3500, digest.choice(_VAN_MAKES)
    else:
        weight = 1100 + 10 * digest.below(130)  # 1,100 to 2,390 kg
        make = digest.choice(_ELECTRIC_MAKES if fuel == "ELECTRICITY" else _MAKES)

    engine = None if fuel == "ELECTRICITY" else digest.choice(_ENGINES[fuel])
    if first_registered < date(2001, 3, 1):
        co2 = None  # DVLA holds no CO2 figure for vehicles registered before March 2001
    elif engine is None:
        co2 = 0
    elif fuel == "HYBRID ELECTRIC":
        co2 = 20 + digest.below(100)  # plug-in hybrids low, self-charging ones near 100
    else:
        co2 = 95 + (engine - 998) // 20 + digest.below(40)
        if weight >= 3500:
            co2 += 60

    tax = digest.below(100)
    return Vehicle(
        registration=registration,
        make=make,
        colour=digest.choice(_COLOURS),
        fuel_type=fuel,
        co2_emissions=co2,
        engine_capacity=engine,
        year_of_manufacture=year,
        month_of_first_registration=first_registered,
        revenue_weight=weight,
        tax_status="Taxed" if tax < 85 else "Untaxed" if tax < 95 else "SORN",
    )


class LocalVehicleClient:
    """Made-up vehicle data with no network: see the module docstring."""

    def lookup(self, registration: str) -> Vehicle:
        registration = _checked(registration)
        if registration == DEMO_NOT_FOUND:
            raise VehicleNotFound(registration, "the local vehicle data's not-found registration")
        if registration == DEMO_UNAVAILABLE:
            raise VehicleServiceUnavailable(
                registration, "the local vehicle data's unavailable registration"
            )
        if registration == DEMO_REFUSED:
            raise InvalidRegistration(registration, "the local vehicle data's refused registration")
        return DEMO_VEHICLES.get(registration) or _made_up_vehicle(registration)


# --- Entry points -------------------------------------------------------------------------------


def get_vehicle_client() -> VehicleClient:
    """The implementation VEHICLE_DATA_CLIENT names, built from the settings as they are now."""
    name = settings.VEHICLE_DATA_CLIENT
    if name == "dvla":
        return DvlaVehicleClient.from_settings()
    if name == "local":
        return LocalVehicleClient()
    raise ImproperlyConfigured(f"VEHICLE_DATA_CLIENT must be local or dvla, not {name!r}.")


def lookup_vehicle(registration: str) -> Vehicle:
    """The vehicle with this registration (any case and spacing), from the configured vehicle
    data. Raises InvalidRegistration, VehicleNotFound or VehicleServiceUnavailable."""
    return get_vehicle_client().lookup(registration)
