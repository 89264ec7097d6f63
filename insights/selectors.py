"""The reads behind the what-ifs: every live permit, and every live council tax account carrying
a discount or premium, as the pure modules' plain facts, each in one query.

Raw SQL over the models' own tables: a permit names its home by UPRN (no foreign key to the
gazetteer), and the council tax household's band and the ledger's sums are best joined and
summed where the rows are. Table names come from the models; every value is a parameter."""

from __future__ import annotations

import functools
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection, transaction
from django.utils import timezone

from balances.ledger import financial_year_of
from balances.models import CouncilTaxAccount, Instalment, Transaction
from parking.models import Permit, PermitApplication
from parking.pricing import TariffRates, VehicleFacts
from parking.selectors import tariff_in_force
from records.models import Property
from records.selectors import feeds_last_applied_at, feeds_last_applied_runs, parking_zones

from .council_tax_whatif import AccountFacts
from .tariff_whatif import NotPriced, PermitFacts


@dataclass(frozen=True)
class RecordsAsOf:
    """When the records a what-if rests on were last brought up to date (None: never)."""

    feeds: dict[str, datetime]
    needed: tuple[str, ...]

    @property
    def as_of(self) -> datetime | None:
        """As fresh as the stalest feed it rests on."""
        if any(feed not in self.feeds for feed in self.needed):
            return None
        return min(self.feeds[feed] for feed in self.needed)

    def days_old(self, now: datetime) -> int | None:
        as_of = self.as_of
        return None if as_of is None else (now - as_of).days


PERMIT_FEEDS = ("properties", "people", "council_tax_accounts")
COUNCIL_TAX_FEEDS = (
    "properties",
    "council_tax_accounts",
    "council_tax_instalments",
    "council_tax_transactions",
)


@contextmanager
def _long_read():
    """A cursor for one of the what-ifs' long reads, in a transaction of its own. On
    PostgreSQL without JIT (compiling these queries took a quarter of a second, more than it
    saved) and with room to hash and sort in memory (4 MB spilled to disk): for this
    transaction only, in the same round trip as nothing else."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
            )
        yield cursor


def records_as_of(*, feeds: tuple[str, ...]) -> RecordsAsOf:
    return RecordsAsOf(feeds=feeds_last_applied_at(feeds=feeds), needed=feeds)


def tariff_now(*, today: date | None = None) -> TariffRates:
    """The tariff in force today (parking's own read): what the what-if changes."""
    return tariff_in_force(on=today or timezone.localdate())


def zones() -> list[str]:
    """The borough's parking zones, for the zone's own tariff."""
    return parking_zones()


def _live_permits_sql() -> str:
    permit, application = Permit._meta.db_table, PermitApplication._meta.db_table
    home, account = Property._meta.db_table, CouncilTaxAccount._meta.db_table
    # A renewal waiting to start and the permit it renews are one place and one year's cost:
    # the renewal stands for both (it is what the household pays next). A home's band is its
    # live accounts' (they agree; should two not, the higher), looked up by the index for each
    # permit's home: grouping every account first took longer. No ORDER BY: sorting the wide
    # rows spilled to disk; Python sorts them in a few milliseconds.
    return f"""
        SELECT p.number, p.uprn, p.zone, h.ward, h.id IS NULL, h.retired_at IS NOT NULL,
               p.person_ref, p.flagged_at IS NOT NULL, p.months, p.price_pence,
               (SELECT MAX(a.band) FROM {account} a
                 WHERE a.property_id = h.id AND a.status = 'live' AND a.ended_at IS NULL),
               p.created_at, p.id, CAST(p.vehicle AS text)
          FROM {permit} p
          LEFT JOIN {home} h ON h.uprn = p.uprn
         WHERE p.status = 'active' AND p.valid_to >= %s
           AND NOT EXISTS (
               SELECT 1 FROM {permit} r JOIN {application} ra ON ra.id = r.application_id
                WHERE ra.renews_id = p.id AND r.status = 'active' AND r.valid_to >= %s)
    """


def live_permit_facts(*, today: date | None = None) -> list[PermitFacts]:
    """Every live permit (paid, not cancelled, not ended by `today`) with its home's ward and
    council tax band, household by household in the order they were bought: one query."""
    today = today or timezone.localdate()
    with _long_read() as cursor:
        cursor.execute(_live_permits_sql(), [today, today])
        rows = cursor.fetchall()
    # Household by household (no home last), each in the order bought.
    rows.sort(key=lambda row: (row[1] is None, row[1] or 0, row[11], row[12]))
    facts = []
    for (
        number,
        uprn,
        zone,
        ward,
        no_home,
        retired,
        person_ref,
        flagged,
        months,
        charged,
        band,
        _created,
        _id,
        vehicle,
    ) in rows:
        if not person_ref:
            why = NotPriced.NO_PERSON
        elif uprn is None or no_home:
            why = NotPriced.NO_ADDRESS
        elif retired or flagged:
            why = NotPriced.RECORDS_STALE
        else:
            why = None
        facts.append(
            PermitFacts(
                number,
                uprn,
                zone,
                ward or "",
                band or "",
                months,
                vehicle_facts(vehicle),
                charged,
                why,
            )
        )
    return facts


_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_JSON = json.JSONDecoder()


def vehicle_facts(snapshot: dict | str | None) -> VehicleFacts | None:
    """What pricing needs from a permit's vehicle (DVLA's fields, as parking keeps them), read
    as parking's vehicle client reads them (Vehicle.from_dvla: text, whole numbers not below
    zero, "YYYY-MM"); None when there is none or it cannot be read. Written for speed: it runs
    for every live permit of every what-if."""
    if isinstance(snapshot, str):
        # The query hands over the JSON's text: raw_decode skips json.loads' whitespace checks,
        # a sixth of the time of reading 50,000 vehicles (the text has none around it).
        snapshot = _JSON.raw_decode(snapshot)[0]
    if not snapshot:
        return None
    get = snapshot.get
    fuel, month = get("fuelType"), get("monthOfFirstRegistration")
    co2, cc, year = get("co2Emissions"), get("engineCapacity"), get("yearOfManufacture")
    for number in (co2, cc, year):
        # type() is not int: True is an int to isinstance, and not a number of grams.
        if number is not None and (type(number) is not int or number < 0):
            return None
    if fuel is not None and type(fuel) is not str:
        return None
    if month is not None:
        if type(month) is not str:
            return None
        month = _month(month.strip())
        if month is False:
            return None
    return VehicleFacts(
        fuel_type=(fuel or "").strip(),
        co2_g_per_km=co2,
        engine_cc=cc,
        first_registered=month,
        year_of_manufacture=year,
    )


@functools.lru_cache(maxsize=4096)
def _month(text: str) -> date | bool | None:
    """ "2019-03" as 1 March 2019; "" as unknown; False when it is not a month. A few hundred
    months cover every vehicle on the road: cached."""
    if not text:
        return None
    match = _MONTH.fullmatch(text)
    if not match:
        return False
    try:
        return date(int(match[1]), int(match[2]), 1)
    except ValueError:
        return False


# --- Council tax ------------------------------------------------------------------------------


def _accounts_sql() -> str:
    account, home = CouncilTaxAccount._meta.db_table, Property._meta.db_table
    ledger, schedule = Transaction._meta.db_table, Instalment._meta.db_table
    # The ledger summed per account where the rows are, for the accounts the what-if reads
    # alone (the same filter twice: the sums skip the other accounts' rows by the index):
    # this year's charge and discount, what earlier years leave, this year's payments, and
    # the instalments due by today.
    chosen = (
        f"SELECT id FROM {account} WHERE status = 'live' AND ended_at IS NULL AND discounts LIKE %s"
    )
    return f"""
        SELECT a.band, h.ward, a.discounts,
               COALESCE(t.charge, 0), COALESCE(t.discount, 0), COALESCE(t.earlier, 0),
               COALESCE(t.paid, 0), COALESCE(d.due, 0)
          FROM {account} a
          JOIN {home} h ON h.id = a.property_id
          LEFT JOIN (
               SELECT account_id,
                      SUM(CASE WHEN financial_year = %s AND kind = 'charge'
                               THEN amount_pence ELSE 0 END) AS charge,
                      SUM(CASE WHEN financial_year = %s AND kind = 'discount'
                               THEN amount_pence ELSE 0 END) AS discount,
                      SUM(CASE WHEN financial_year < %s THEN amount_pence ELSE 0 END) AS earlier,
                      SUM(CASE WHEN financial_year = %s AND kind IN ('payment', 'refund')
                               THEN amount_pence ELSE 0 END) AS paid
                 FROM {ledger}
                WHERE withdrawn_at IS NULL AND account_id IN ({chosen})
                GROUP BY account_id) t ON t.account_id = a.id
          LEFT JOIN (
               SELECT account_id, SUM(amount_pence) AS due
                 FROM {schedule}
                WHERE withdrawn_at IS NULL AND financial_year = %s AND due_on <= %s
                  AND account_id IN ({chosen})
                GROUP BY account_id) d ON d.account_id = a.id
         WHERE a.status = 'live' AND a.ended_at IS NULL AND a.discounts LIKE %s
    """


def accounts_with_code(*, code: str, today: date | None = None) -> list[AccountFacts]:
    """Every live council tax account carrying discount or premium `code`, with its band, its
    home's ward and its ledger's sums for the what-if: one query."""
    today = today or timezone.localdate()
    year = financial_year_of(today)
    code = code.strip().upper()
    like = f"%{code}%"
    with _long_read() as cursor:
        # LIKE narrows to the accounts whose codes mention it; the exact code is checked below
        # ("SPD" in "SPDX" is not SPD).
        cursor.execute(_accounts_sql(), [year, year, year, year, like, year, today, like, like])
        rows = cursor.fetchall()
    facts = []
    for band, ward, discounts, charge, discount, earlier, paid, due in rows:
        codes = tuple(c.strip().upper() for c in discounts.split(";") if c.strip())
        if code in codes:
            facts.append(
                AccountFacts(
                    band=band,
                    ward=ward or "",
                    codes=codes,
                    charge_pence=int(charge),
                    discount_pence=int(discount),
                    paid_pence=int(paid),
                    earlier_pence=int(earlier),
                    due_to_date_pence=int(due),
                )
            )
    return facts


def feeds_last_runs(*, feeds: tuple[str, ...]) -> dict:
    """Each feed's last applied run, with the rows its file read and left out (records' own)."""
    return feeds_last_applied_runs(feeds=feeds)
