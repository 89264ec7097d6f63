"""Synthetic record feeds for a borough that looks like Hackney: the five CSV snapshots of the
feeds contract (properties, people, council tax accounts, instalments and transactions).

Nothing here is real personal data. Names are drawn from the invented lists below and combined
at random; street, ward and postcode-district names are public geography.

The output depends only on (scale, seed, today). Each feed is generated in layers, each layer
with its own random stream, and every feed re-runs the layers it depends on rather than reading
the other files. So writing only `properties` and `people` gives byte-identical files to writing
all five, and memory stays flat however many rows are written:

    properties  ->  households (people)  ->  accounts  ->  instalments / transactions
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple

FEEDS = (
    "properties",
    "people",
    "council_tax_accounts",
    "council_tax_instalments",
    "council_tax_transactions",
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "properties": (
        "uprn",
        "address_line_1",
        "address_line_2",
        "address_line_3",
        "address_line_4",
        "postcode",
        "ward",
        "usage",
        "cpz_zone",
        "permit_free",
    ),
    "people": (
        "person_ref",
        "uprn",
        "title",
        "first_name",
        "last_name",
        "date_of_birth",
        "role",
        "source",
        "occupied_from",
        "occupied_to",
    ),
    "council_tax_accounts": (
        "account_ref",
        "uprn",
        "lead_person_ref",
        "band",
        "status",
        "payment_method",
        "instalments",
        "discounts",
        "opened_on",
        "closed_on",
    ),
    "council_tax_instalments": ("account_ref", "financial_year", "due_on", "amount"),
    "council_tax_transactions": (
        "transaction_ref",
        "account_ref",
        "posted_on",
        "financial_year",
        "kind",
        "amount",
        "description",
    ),
}

# Rows per property at scale 1.0, measured from the generator (transactions and instalments
# vary a little with `today`: fewer of the current year's payments are due in April than in March).
PROPERTIES_AT_SCALE_1 = 110_000
_PER_PROPERTY = {
    "people": 2.27,
    "council_tax_accounts": 1.04,
    "council_tax_instalments": 18.2,
    "council_tax_transactions": 26.7,
}
# Enough for every kind of case (permit-free block, shop, mover, arrears...) at tiny scales.
MIN_PROPERTIES = 60
PROGRESS_EVERY = 10_000

Progress = Callable[[str, int, int], None]
Row = Sequence[object]


def counts_for_scale(scale: float) -> dict[str, int]:
    """Approximate rows per feed (properties is exact)."""
    properties = max(MIN_PROPERTIES, round(PROPERTIES_AT_SCALE_1 * scale))
    counts = {"properties": properties}
    for feed, per_property in _PER_PROPERTY.items():
        counts[feed] = round(properties * per_property)
    return counts


def write_feeds(
    out_dir: Path,
    *,
    scale: float = 0.01,
    seed: int = 1,
    feeds: Sequence[str] | None = None,
    progress: Progress | None = None,
    today: date | None = None,
) -> dict[str, Path]:
    """Write the feeds (all five, or those named in `feeds`) as `<feed>.csv` into out_dir.

    `progress(feed, rows_done, rows_total)` is called every PROGRESS_EVERY rows with the
    estimated total, and once at the end of each feed with the exact one. Only that last call
    has rows_done == rows_total, so it also says the feed is finished."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError("scale must be a number greater than 0")
    wanted = FEEDS if feeds is None else tuple(feeds)
    unknown = [feed for feed in wanted if feed not in FEEDS]
    if unknown:
        raise ValueError(f"unknown feed(s): {', '.join(unknown)}; known: {', '.join(FEEDS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cal = _Calendar(today or date.today())
    estimates = counts_for_scale(scale)
    world = _World(estimates["properties"], seed, cal)
    written: dict[str, Path] = {}
    for feed in FEEDS:  # contract order, whatever order they were asked in
        if feed in wanted:
            path = out_dir / f"{feed}.csv"
            batches = getattr(world, feed)()
            _write_csv(path, feed, batches, estimates[feed], progress)
            written[feed] = path
    return written


def _write_csv(
    path: Path, feed: str, batches: Iterable[list[Row]], estimate: int, progress: Progress | None
) -> int:
    # Written beside the target and renamed at the end, so a half-written file never sits
    # under the real name (an importer watching the folder would take it for a snapshot).
    partial = path.with_name(path.name + ".partial")
    done = 0
    next_report = PROGRESS_EVERY
    with partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS[feed])
        for batch in batches:
            writer.writerows(batch)
            done += len(batch)
            if progress is not None and done >= next_report:
                progress(feed, done, max(estimate, done + 1))
                next_report = (done // PROGRESS_EVERY + 1) * PROGRESS_EVERY
    partial.replace(path)
    if progress is not None:
        progress(feed, done, done)
    return done


# --- Formatting -----------------------------------------------------------------------------

_ISO_CACHE: dict[int, str] = {}


def _iso(ordinal: int) -> str:
    # A few tens of thousands of distinct dates over millions of rows: cache their text.
    text = _ISO_CACHE.get(ordinal)
    if text is None:
        text = _ISO_CACHE[ordinal] = date.fromordinal(ordinal).isoformat()
    return text


def _money(pence: int) -> str:
    """Integer pence as pounds with exactly two decimals; never through a float."""
    sign = "-" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}{pence // 100}.{pence % 100:02d}"


def _rng(seed: int, layer: str) -> random.Random:
    """Each layer's own stream, so a layer draws the same numbers whichever feeds are written."""
    return random.Random(f"{seed}-{layer}")  # noqa: S311  (invented data, not security)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    roll = rng.random() * sum(weight for _, weight in weighted)
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


# --- Calendar -------------------------------------------------------------------------------

_COUNCIL_TAX_BEGAN = date(1993, 4, 1).toordinal()
_EARLIEST_MOVE_IN = date(1975, 1, 1).toordinal()
_BAND_NINTHS = {"A": 6, "B": 7, "C": 8, "D": 9, "E": 11, "F": 13, "G": 15, "H": 18}


class _Calendar:
    """Today, the previous and current financial years (April to March), and the window in
    which recent moves fall so that closed accounts still have a ledger."""

    def __init__(self, today: date) -> None:
        self.today = today.toordinal()
        self.cur_year = today.year if today >= date(today.year, 4, 1) else today.year - 1
        self.prev_year = self.cur_year - 1
        self.years = (self.prev_year, self.cur_year)
        self.prev_start = date(self.prev_year, 4, 1).toordinal()
        self.cur_start = date(self.cur_year, 4, 1).toordinal()
        # Moves in this window leave the old account closed inside the two-year ledger.
        self.recent_from = self.prev_start + 60
        self.recent_to = self.today - 14

    @staticmethod
    def label(year: int) -> str:
        return f"{year}/{(year + 1) % 100:02d}"

    @staticmethod
    def band_d_pence(year: int) -> int:
        # An invented Band D charge rising 4.99% a year.
        pence = 1_700_00
        for _ in range(2022, year):
            pence = pence * 10_499 // 10_000
        return pence


# --- Geography ------------------------------------------------------------------------------


class _District(NamedTuple):
    sectors: str
    wards: tuple[str, ...]
    localities: tuple[str, ...]
    zones: tuple[str, ...]  # "" = no controlled parking zone
    streets: tuple[str, ...]


_DISTRICTS: dict[str, _District] = {
    "E8": _District(
        "1234",
        ("Dalston", "Hackney Central", "London Fields", "Hackney Downs", "Shacklewell"),
        ("Hackney", "Dalston"),
        ("A", "B", "L", "B", ""),
        (
            "Mare Street",
            "Dalston Lane",
            "Kingsland High Street",
            "Graham Road",
            "Richmond Road",
            "Queensbridge Road",
            "Amhurst Road",
            "Sandringham Road",
            "Navarino Road",
            "Lansdowne Drive",
            "Middleton Road",
            "Albion Drive",
            "Forest Road",
            "Wilton Way",
            "Greenwood Road",
            "Malvern Road",
            "Martello Street",
            "Ashwin Street",
            "Ridley Road",
            "Parkholme Road",
            "Holly Street",
            "Pownall Road",
            "Broadway Market",
            "Mapledene Road",
            "Dunston Road",
        ),
    ),
    "E5": _District(
        "089",
        ("Hackney Downs", "Lea Bridge", "King's Park", "Springfield", "Cazenove"),
        ("Clapton",),
        ("C", "Q", "C", ""),
        (
            "Lower Clapton Road",
            "Upper Clapton Road",
            "Chatsworth Road",
            "Rushmore Road",
            "Powerscroft Road",
            "Glenarm Road",
            "Millfields Road",
            "Kenninghall Road",
            "Clapton Common",
            "Brooke Road",
            "Rendlesham Road",
            "Northwold Road",
            "Mount Pleasant Lane",
            "Downs Road",
            "Narford Road",
            "Median Road",
            "Blurton Road",
            "Elderfield Road",
            "Chelmer Road",
        ),
    ),
    "E9": _District(
        "567",
        ("Homerton", "Hackney Wick", "Victoria", "King's Park"),
        ("Homerton", "Hackney Wick", "South Hackney"),
        ("G", "G2", "E", "G"),
        (
            "Homerton High Street",
            "Morning Lane",
            "Well Street",
            "Victoria Park Road",
            "Cassland Road",
            "Wick Road",
            "Kenworthy Road",
            "Brookfield Road",
            "Meynell Road",
            "Lauriston Road",
            "Gore Road",
            "Handley Road",
            "Berger Road",
            "Retreat Place",
            "Frampton Park Road",
            "Sidworth Street",
            "Hedgers Grove",
            "Ballance Road",
        ),
    ),
    "N1": _District(
        "345",
        ("De Beauvoir", "Hoxton East & Shoreditch", "Hoxton West", "Haggerston"),
        ("De Beauvoir Town", "Hoxton"),
        ("D", "N", "K", "N"),
        (
            "Ball's Pond Road",
            "Englefield Road",
            "Southgate Road",
            "De Beauvoir Road",
            "Northchurch Road",
            "Downham Road",
            "Hoxton Street",
            "Pitfield Street",
            "Whitmore Road",
            "Mortimer Road",
            "Culford Road",
            "Buckingham Road",
            "Balmes Road",
            "Hertford Road",
            "Nuttall Street",
        ),
    ),
    "N16": _District(
        "056789",
        ("Stoke Newington", "Clissold", "Cazenove", "Stamford Hill West", "Shacklewell"),
        ("Stoke Newington", "Stamford Hill"),
        ("H", "J", "P", "H", "J", ""),
        (
            "Stoke Newington High Street",
            "Stoke Newington Church Street",
            "Albion Road",
            "Stoke Newington Road",
            "Cazenove Road",
            "Manor Road",
            "Bethune Road",
            "Kyverdale Road",
            "Osbaldeston Road",
            "Lordship Road",
            "Winston Road",
            "Nevill Road",
            "Boleyn Road",
            "Princess May Road",
            "Dynevor Road",
            "Kynaston Road",
            "Stamford Hill",
            "Darenth Road",
            "Filey Avenue",
            "Queen Elizabeth's Walk",
        ),
    ),
    "N4": _District(
        "12",
        ("Woodberry Down", "Brownswood"),
        ("Finsbury Park", "Manor House"),
        ("", "R", ""),
        (
            "Woodberry Grove",
            "Seven Sisters Road",
            "Green Lanes",
            "Queens Drive",
            "Blackstock Road",
            "Wilberforce Road",
            "Mountgrove Road",
            "Gloucester Drive",
            "Portland Rise",
            "Riversdale Road",
        ),
    ),
}


class _Street(NamedTuple):
    name: str
    district: str
    sector: str
    ward: str
    locality: str
    zone: str


def _streets() -> tuple[_Street, ...]:
    streets = []
    for district, info in _DISTRICTS.items():
        for i, name in enumerate(info.streets):
            streets.append(
                _Street(
                    name,
                    district,
                    info.sectors[i % len(info.sectors)],
                    info.wards[i % len(info.wards)],
                    info.localities[i % len(info.localities)],
                    info.zones[i % len(info.zones)],
                )
            )
    return tuple(streets)


_STREETS = _streets()
_NO_ZONE_STREET = next(i for i, street in enumerate(_STREETS) if not street.zone)
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters a postcode's inward part may use


def _postcode(street_index: int, stretch: int) -> str:
    """A standard-form postcode shared by a stretch of a street (about a dozen numbers)."""
    street = _STREETS[street_index]
    mixed = (street_index * 131 + stretch * 17 + 57) * 7919 % 400
    inward = f"{street.sector}{_INWARD_LETTERS[mixed // 20]}{_INWARD_LETTERS[mixed % 20]}"
    return f"{street.district} {inward}"


_ESTATE_BLOCKS = (
    "Bannister", "Hawthorn", "Nightingale", "Kingsmead", "Pembury", "Frampton", "Gascoyne",
    "Holly", "Lincoln", "Wenlock", "Arden", "Fellows", "Rowe", "Granville", "Lea View",
    "Sutton", "Rhodes", "Trelawney", "Bayford", "Chalgrove",
)  # fmt: skip
_ESTATE_SUFFIXES = ("House", "Court", "Point", "Lodge", "Mansions", "Tower")
_NEW_BUILDS = (
    "Foundry", "Printworks", "Tannery", "Wharf", "Canalside", "Timber Yard", "Silk Mill",
    "Matchbox", "Tram Depot", "Gasholder", "Hosiery", "Cabinet Works",
)  # fmt: skip
_NEW_BUILD_SUFFIXES = ("Apartments", "House", "Building", "Lofts")
_FLOORS = ("Basement Flat", "Ground Floor Flat", "First Floor Flat", "Second Floor Flat")

# Council tax bands by kind of home, weighted toward B to D overall.
_BANDS = {
    "estate": (("A", 25), ("B", 45), ("C", 25), ("D", 5)),
    "converted": (("B", 25), ("C", 40), ("D", 25), ("E", 10)),
    "new_build": (("B", 20), ("C", 35), ("D", 30), ("E", 15)),
    "house": (("C", 12), ("D", 30), ("E", 26), ("F", 18), ("G", 11), ("H", 3)),
    "mixed": (("C", 40), ("D", 40), ("E", 20)),
}


class _Property(NamedTuple):
    uprn: int
    line_1: str
    line_2: str
    line_3: str
    line_4: str
    postcode: str
    ward: str
    usage: str
    cpz_zone: str
    permit_free: str
    # Not in the feed; later layers use them.
    band: str
    social: bool

    def row(self) -> Row:
        return self[:10]


# The first buildings, so that even the smallest scale has every kind of case.
_OPENING_BUILDINGS = (
    ("converted", 0),
    ("new_build", 1),
    ("house", _NO_ZONE_STREET),
    ("shop", 2),
    ("mixed", 3),
    ("estate", 4),
    ("house", 5),
    ("shop_with_flats", 6),
)
_BUILDINGS = (
    ("house", 38),
    ("converted", 25),
    ("estate", 6),
    ("new_build", 0.8),
    ("shop", 12),
    ("shop_with_flats", 5),
    ("workshop", 2),
    ("mixed", 5),
)


def _properties(count: int, seed: int) -> Iterator[_Property]:
    rng = _rng(seed, "properties")
    rand, randint = rng.random, rng.randint
    last_number = [0] * len(_STREETS)
    blocks = 0
    block_names: set[tuple[int, str]] = set()
    index = 0
    opening = iter(_OPENING_BUILDINGS)

    def new_uprn(new_build: bool) -> int:
        # Disjoint ranges per index keep UPRNs unique; new builds get the newer 11-digit kind.
        base = 10_008_000_000 if new_build else 100_021_000_000
        return base + index * 4 + rng.randrange(4)

    while index < count:
        kind, street_index = next(opening, (None, None))
        if kind is None or street_index is None:
            kind = _pick(rng, _BUILDINGS)
            street_index = rng.randrange(len(_STREETS))
        street = _STREETS[street_index]
        ward = street.ward if rand() > 0.005 else ""  # ward is optional: a few without
        homes: list[tuple[str, str, str, str, str, str, bool, str]] = []
        if kind in ("estate", "new_build"):
            blocks += 1
            new_build = kind == "new_build"
            names, suffixes = (
                (_NEW_BUILDS, _NEW_BUILD_SUFFIXES)
                if new_build
                else (_ESTATE_BLOCKS, _ESTATE_SUFFIXES)
            )
            name = f"{rng.choice(names)} {rng.choice(suffixes)}"
            if (street_index, name) in block_names:  # one of each name per street
                name = f"Block {blocks}, {name}"
            block_names.add((street_index, name))
            if new_build:
                size = randint(4, 9) if index < 40 else randint(12, 60)
            else:
                size = randint(6, 10) if index < 40 else randint(10, 60)
            postcode = _postcode(street_index, 1000 + blocks)
            for flat in range(1, size + 1):
                band = _pick(rng, _BANDS[kind])
                homes.append(
                    (f"Flat {flat}, {name}", street.name, street.locality, "London",
                     postcode, "residential", new_build, band)
                )  # fmt: skip
        else:
            last_number[street_index] += 1 if rand() < 0.6 else 2
            number = last_number[street_index]
            # Past 400 on one street (large scales), go round again as 12A, 12B...
            laps, house = divmod(number - 1, 400)
            suffix = "" if laps == 0 else "ABCDEFGHJKLMNPQRSTUVWXYZ"[(laps - 1) % 24]
            address = f"{house + 1}{suffix} {street.name}"
            postcode = _postcode(street_index, number // 12)
            rest = (street.locality, "London", "", postcode)
            if kind == "house":
                homes.append((address, *rest, "residential", False, _pick(rng, _BANDS["house"])))
            elif kind == "converted":
                flats = randint(2, 4)
                lettered = rand() < 0.5
                for flat in range(flats):
                    label = f"Flat {'ABCD'[flat]}" if lettered else _FLOORS[flat]
                    band = _pick(rng, _BANDS["converted"])
                    homes.append((f"{label}, {address}", *rest, "residential", False, band))
            elif kind == "shop":
                homes.append((address, *rest, "commercial", False, ""))
            elif kind == "workshop":
                homes.append((f"Unit {randint(1, 12)}, {address}", *rest, "commercial", False, ""))
            elif kind == "mixed":
                homes.append((address, *rest, "mixed", False, _pick(rng, _BANDS["mixed"])))
            else:  # shop_with_flats: the shop, and flats above with their own entrance
                homes.append((f"Ground Floor, {address}", *rest, "commercial", False, ""))
                for flat in range(randint(1, 2)):
                    band = _pick(rng, _BANDS["converted"])
                    homes.append(
                        (f"Flat {'AB'[flat]}, {address}", *rest, "residential", False, band)
                    )
        for line_1, line_2, line_3, line_4, postcode, usage, new_build, band in homes:
            if index >= count:
                return
            yield _Property(
                new_uprn(new_build),
                line_1,
                line_2,
                line_3,
                line_4,
                postcode,
                ward,
                usage,
                street.zone,
                "Y" if new_build else "N",
                band,
                kind == "estate",
            )
            index += 1


# --- Names ----------------------------------------------------------------------------------


class _NameGroup(NamedTuple):
    weight: float
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


# Invented combinations from common given names and surnames of the communities that live in
# the borough. Some entries hold several given names, particles, hyphens, apostrophes, accents.
_NAMES: dict[str, _NameGroup] = {
    "british": _NameGroup(
        27,
        ("Oliver", "Harry", "George", "Jack", "Thomas", "James", "William", "Charlie", "Daniel",
         "Samuel", "Joseph", "Alfie", "Rhys", "Dafydd", "John Paul", "Matthew", "Callum",
         "Ben", "Michael", "Stephen", "Peter", "David", "Robert", "Arthur", "Frederick"),
        ("Olivia", "Amelia", "Isla", "Emily", "Grace", "Sophie", "Charlotte", "Zoë", "Chloë",
         "Siân", "Ffion", "Mary Anne", "Sarah Jane", "Lucy", "Hannah", "Jessica", "Ruby",
         "Ellie", "Margaret", "Susan", "Elizabeth", "Rose", "Alice", "Phoebe", "Eleanor"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
         "Hall", "Wood", "Jackson", "Clarke", "Hughes", "Edwards", "Turner", "Hill", "Cooper",
         "Ward", "Morris", "King", "Baker", "Harris", "Lewis", "Scott", "Young", "Allen",
         "Mitchell", "Carter", "Bennett", "Shaw", "Lloyd", "Fletcher", "Smith-Jones",
         "Fox-Wright", "Hartley-Brown", "ap Rhys"),
    ),
    "irish": _NameGroup(
        6,
        ("Seán", "Ciarán", "Pádraig", "Conor", "Declan", "Eoin", "Liam", "Niall", "Cormac"),
        ("Siobhán", "Aoife", "Niamh", "Róisín", "Bríd", "Orla", "Mary Anne", "Caoimhe"),
        ("O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "Murphy", "Kelly", "Byrne", "Walsh",
         "Ryan", "McCarthy", "Doyle", "Gallagher", "Ní Bhriain", "Mac Giolla"),
    ),
    "african_caribbean": _NameGroup(
        15,
        ("Kwame", "Kofi", "Chidi", "Tunde", "Oluwaseun", "Marcus", "Delroy", "Winston",
         "Tyrone", "Emeka", "Kwabena", "Jermaine", "Femi", "Nnamdi"),
        ("Ama", "Abena", "Ngozi", "Folasade", "Adaeze", "Janelle", "Shanice", "Chiamaka",
         "Yetunde", "Akosua", "Marcia", "Precious", "Blessing", "Efua"),
        ("Campbell", "Francis", "Thomas", "Mensah", "Boateng", "Okafor", "Adeyemi", "Okonkwo",
         "Asante", "Owusu", "Adebayo", "Nwosu", "Bankole", "Mensah-Smith", "Oduya", "Grant",
         "Reid", "Sinclair"),
    ),
    "turkish_kurdish": _NameGroup(
        8,
        ("Mehmet", "Emre", "Hüseyin", "Murat", "Cem", "Deniz", "Mustafa", "Ahmet", "Serkan"),
        ("Ayşe", "Fatma", "Zeynep", "Elif", "Gülsen", "Deniz", "Emine", "Şule", "Hatice"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Doğan", "Arslan",  # noqa: RUF001
         "Koç", "Kılıç", "Aslan"),  # noqa: RUF001  (Turkish dotless i)
    ),
    "south_asian": _NameGroup(
        9,
        ("Mohammed Ali", "Abdul Karim", "Rajesh", "Imran", "Ravi", "Shahid", "Arjun",
         "Faisal", "Rohan", "Tariq", "Anil"),
        ("Fatima", "Nasrin", "Priya", "Anjali", "Farhana", "Shahana", "Aisha", "Sunita",
         "Rukhsana", "Meera", "Nusrat"),
        ("Begum", "Uddin", "Rahman", "Ahmed", "Hussain", "Khan", "Patel", "Shah", "Miah",
         "Islam", "Chowdhury", "D'Souza", "D'Silva", "Fernandes", "Sharma"),
    ),
    "somali": _NameGroup(
        3,
        ("Abdi", "Faisal", "Mohamed", "Yusuf", "Hassan", "Abdirahman"),
        ("Hodan", "Amina", "Sahra", "Faduma", "Ifrah", "Hibo"),
        ("Warsame", "Abdi", "Mohamed", "Farah", "Hassan", "Jama", "Osman"),
    ),
    "stamford_hill": _NameGroup(
        7,
        ("Chaim", "Yosef", "Moshe", "Shmuel", "Yehuda", "Dovid", "Avraham", "Mendel"),
        ("Rivka", "Chana", "Esther", "Miriam", "Sarah Leah", "Malka", "Devorah", "Chaya"),
        ("Cohen", "Friedman", "Goldberg", "Schwartz", "Weiss", "Klein", "Rosenberg",
         "Grossman", "Lieberman", "Stern", "Gross"),
    ),
    "central_eastern_european": _NameGroup(
        8,
        ("Łukasz", "Paweł", "Jakub", "Tomasz", "Andrei", "Mihai", "Krzysztof", "Jiří",
         "Bogdan", "Piotr"),
        ("Agnieszka", "Małgorzata", "Katarzyna", "Ioana", "Zuzana", "Joanna", "Alžběta",
         "Elena", "Magdalena"),
        ("Nowak", "Wójcik", "Kowalczyk", "Mazur", "Krawczyk", "Kaczmarek", "Popescu",
         "Ionescu", "Dvořák", "Horváth", "Novák", "Wiśniewski"),
    ),
    "east_asian": _NameGroup(
        3,
        ("Minh", "Huy", "Wei", "Hao", "Quang", "Jun"),
        ("Thảo", "Linh", "Mai", "Jing", "Hương", "Mei"),
        ("Nguyễn", "Trần", "Lê", "Phạm", "Wong", "Chen", "Li", "Zhang", "Hoàng"),
    ),
    "western_european": _NameGroup(
        10,
        ("José", "João", "Luca", "Matteo", "Théo", "Jürgen", "Sven", "Lars", "Jean-Paul",
         "Pablo", "Sebastián", "Henrik", "Pieter"),
        ("María José", "Inês", "Ana", "Giulia", "Chloé", "Renée", "Anneke", "Marie-Claire",
         "Lucía", "Sofía", "Ingrid", "Françoise", "Zoë"),
        ("Müller", "Schmidt", "van der Berg", "van Dijk", "de Jong", "García", "Rodríguez",
         "da Silva", "de Souza", "Rossi", "Bianchi", "Dubois", "Lefèvre", "Moreau",
         "Fernández", "Santos", "Pereira", "de la Cruz", "Jørgensen", "Weiß"),
    ),
}  # fmt: skip
_FEMALE_GIVEN = frozenset(name for group in _NAMES.values() for name in group.female)
_GROUP_WEIGHTS = tuple((name, group.weight) for name, group in _NAMES.items())
_MALE_TITLES = (("Mr", 93), ("Dr", 4), ("Mx", 3))
_FEMALE_TITLES = (("Ms", 38), ("Mrs", 32), ("Miss", 22), ("Dr", 4), ("Mx", 4))

# Who lives in a home, and how often.
_HOUSEHOLDS = (
    ("single", 35),
    ("couple", 23),
    ("family", 16),
    ("single_parent", 7),
    ("sharers", 9),
    ("multigeneration", 3),
    ("grown_up_child", 6),
)

# The first households, so that even the smallest scale has the awkward names and a mover:
# (household type, name group, lead surname, partner's given name, partner's surname).
# The lead of the first household, whom the README names for trying a parking application
# (given name, surname, date of birth): fixed, so the README can list them. The rest of the
# borough, this person's home included, is drawn as usual.
DEMO_RESIDENT = ("Seán", "O'Brien", date(1976, 6, 14))
# The first household's council tax account (the first account number _accounts makes): always
# in credit, so the README can name an account in credit to link by hand.
DEMO_ACCOUNT_IN_CREDIT = "30104729"

_OPENING_HOUSEHOLDS = (
    ("couple", "irish", "O'Brien", "Zoë", "Smith-Jones"),
    ("single", "east_asian", "Nguyễn", "", ""),
    ("family", "western_european", "van der Berg", "José", "Müller"),
    ("couple", "central_eastern_european", "Nowak", "Łukasz", "D'Souza"),
)


class _Liability(NamedTuple):
    """Someone liable for council tax at a property from `start` (to `end` when they left)."""

    uprn: int
    band: str
    lead_ref: str
    start: int
    end: int | None
    single: bool  # the only adult: may claim the single person discount


_Bundle = tuple[_Property, list[Row], list[_Liability]]


class _People:
    """Makes people with consistent details: one `person` tuple may be written on several rows
    (a person who moved), so the details always agree."""

    def __init__(self, rng: random.Random, cal: _Calendar) -> None:
        self.rng = rng
        self.cal = cal
        self.count = 0

    def person(
        self,
        group: str,
        *,
        age: int,
        surname: str = "",
        given: str = "",
        female: bool | None = None,
    ) -> tuple[str, str, str, str, str, int, bool]:
        """(person_ref, title, first_name, last_name, date_of_birth, birth ordinal, female)."""
        rng = self.rng
        self.count += 1
        names = _NAMES[group]
        if female is None:
            female = given in _FEMALE_GIVEN if given else rng.random() < 0.52
        if not given:
            given = rng.choice(names.female if female else names.male)
            if rng.random() < 0.06 and " " not in given:  # a middle name
                given = f"{given} {rng.choice(names.female if female else names.male)}"
        born = self.cal.today - age * 365 - rng.randrange(365)
        adult = age >= 18
        title = ""
        if adult and rng.random() < 0.8:
            title = _pick(rng, _FEMALE_TITLES if female else _MALE_TITLES)
        dob = _iso(born) if rng.random() < 0.88 else ""
        return (
            f"P{self.count:07d}",
            title,
            given,
            surname or rng.choice(names.surnames),
            dob,
            born,
            female,
        )


def _households(properties: Iterable[_Property], seed: int, cal: _Calendar) -> Iterator[_Bundle]:
    """For each property: its people rows (current household, people who left, and the old
    homes of people who moved here) and the council tax liabilities those imply."""
    rng = _rng(seed, "people")
    rand, randint, randrange = rng.random, rng.randint, rng.randrange
    people = _People(rng, cal)
    today = cal.today
    # Homes whose household moved in recently with nobody recorded before them: where a person
    # who moves later can have come from. (uprn, band, when the current household moved in)
    vacated: list[tuple[int, str, int]] = []
    households = 0

    def recent() -> int:
        return randint(cal.recent_from, cal.recent_to)

    def years_since(ordinal: int) -> int:
        return (today - ordinal) // 365

    def source_for(role: str, adult: bool, social: bool) -> str:
        if role != "occupant":
            roll = rand()
            if social and roll < 0.15:
                return "housing"
            return "" if roll > 0.99 else "council_tax"  # blank means council_tax
        if not adult:
            return "housing" if social else "council_tax"
        return "housing" if social and rand() < 0.3 else "electoral_register"

    for prop in properties:
        rows: list[Row] = []
        liabilities: list[_Liability] = []
        if prop.usage == "commercial":  # business rates, not council tax: nobody recorded
            yield prop, rows, liabilities
            continue
        uprn, social = prop.uprn, prop.social

        # Default arguments pin this property's values (what a closure in a loop should do).
        def add(
            person: tuple,
            role: str,
            start: int,
            end: int | None,
            at: int = uprn,
            rows: list[Row] = rows,
            social: bool = social,
        ) -> None:
            adult = today - person[5] >= 18 * 365
            rows.append(
                (person[0], at, person[1], person[2], person[3], person[4], role,
                 source_for(role, adult, social), _iso(start), _iso(end) if end else "")
            )  # fmt: skip

        opening = _OPENING_HOUSEHOLDS[households] if households < len(_OPENING_HOUSEHOLDS) else None
        vacant = opening is None and rand() < 0.03
        if vacant:
            if rand() < 0.4:  # the last household left recently
                _former_occupants(people, rng, prop, recent(), add, liabilities)
            yield prop, rows, liabilities
            continue

        # The first households are scripted: a recent one that someone can later have moved
        # out of, then a mover, then one with people recorded before them.
        mover_from = None
        if vacated and (households == 1 or (opening is None and rand() < 0.05)):
            pick = randrange(len(vacated))
            mover_from = vacated[pick]
            vacated[pick] = vacated[-1]
            vacated.pop()
        if mover_from is not None or households in (0, 2):
            start = recent()
        else:
            start = today - 14 - int(rng.expovariate(1 / 2900))
            if start < _EARLIEST_MOVE_IN:
                start = randint(_EARLIEST_MOVE_IN, _EARLIEST_MOVE_IN + 7300)
        households += 1

        if opening:
            kind, group, surname, partner_given, partner_surname = opening
        else:
            kind = _pick(rng, _HOUSEHOLDS)
            group = _pick(rng, _GROUP_WEIGHTS)
            surname = partner_given = partner_surname = ""
        min_age = 18 + years_since(start) + 1
        lead_age = min_age + int((max(min_age + 1, 88) - min_age) * rand() ** 1.8)
        if kind == "grown_up_child":
            lead_age = max(lead_age, 42)
        elif kind in ("family", "single_parent"):
            lead_age = min(max(lead_age, 24), max(min_age, 55))
        elif kind == "multigeneration":  # room for a living grandparent
            lead_age = min(lead_age, max(min_age, 60))
        lead = people.person(group, age=lead_age, surname=surname)
        if households == 1:  # the first household's lead: the README's demo applicant
            lead = (lead[0], lead[1], DEMO_RESIDENT[0], lead[3], DEMO_RESIDENT[2].isoformat(),
                    DEMO_RESIDENT[2].toordinal(), lead[6])  # fmt: skip
        adults = [(lead, "liable", start)]
        children: list[tuple] = []

        if kind in ("couple", "family", "multigeneration", "grown_up_child"):
            partner_group = group if opening or rand() < 0.85 else _pick(rng, _GROUP_WEIGHTS)
            if not partner_surname:
                partner_surname = lead[3] if rand() < 0.6 else ""
            joined = start if rand() < 0.75 else randint(start, today - 14)
            age = max(lead_age + randint(-6, 6), 18 + years_since(joined) + 1)
            female = None if partner_given else (not lead[6] if rand() < 0.9 else lead[6])
            partner = people.person(
                partner_group, age=age, surname=partner_surname, given=partner_given, female=female
            )
            adults.append((partner, "joint_liable" if rand() < 0.8 else "occupant", joined))
            if kind == "multigeneration":
                grandparent = people.person(
                    group, age=randint(max(lead_age + 20, 62), max(lead_age + 20, 96))
                )
                adults.append((grandparent, "occupant", start))
        if kind == "sharers":
            for _ in range(randint(1, 3)):
                # Sharers come and go: most of them arrived in the last few years.
                joined = randint(max(start, today - 5 * 365), today - 14)
                youngest = 18 + years_since(joined) + 1
                sharer = people.person(
                    _pick(rng, _GROUP_WEIGHTS), age=randint(youngest, max(youngest, 45))
                )
                adults.append((sharer, "joint_liable" if rand() < 0.6 else "occupant", joined))
        if kind in ("family", "single_parent", "multigeneration", "grown_up_child"):
            surnames = [lead[3]]
            if len(adults) > 1 and adults[1][0][3] != lead[3]:
                other = adults[1][0][3]
                surnames.append(other)
                if not any(mark in lead[3] + other for mark in "- '"):  # double-barrelled
                    surnames.append(f"{lead[3]}-{other}")
            oldest = max(0, lead_age - 19)
            if kind == "grown_up_child":
                ages = [randint(18, min(30, oldest))]
            else:
                ages = [randrange(min(18, oldest + 1)) for _ in range(randint(1, 3))]
            for age in ages:
                child_surname = surnames[0] if rand() < 0.7 else rng.choice(surnames)
                child = people.person(group, age=age, surname=child_surname)
                children.append(child)

        for person, role, joined in adults:
            add(person, role, joined, None)
        for child in children:
            add(child, "occupant", max(start, child[5]), None)

        single = len(adults) == 1
        liabilities.append(_Liability(uprn, prop.band, lead[0], start, None, single))

        if mover_from is not None:  # the lead (and maybe their partner) lived elsewhere before
            old_uprn, old_band, old_household_start = mover_from
            left = min(old_household_start, start) - randint(1, 30)
            arrived = left - randint(365, 3650)
            if arrived < lead[5] + 18 * 366:  # liable only as an adult
                arrived = min(lead[5] + 18 * 366, left - 30)
            add(lead, "liable", arrived, left, at=old_uprn)
            moved_with = adults[1] if len(adults) > 1 and adults[1][1] != "occupant" else None
            if moved_with and rand() < 0.5:
                add(moved_with[0], "joint_liable", arrived, left, at=old_uprn)
            else:
                moved_with = None
            liabilities.append(
                _Liability(old_uprn, old_band, lead[0], arrived, left, moved_with is None)
            )

        if start >= cal.recent_from:  # a recent move-in: someone may have lived here before
            if households == 3 or (households > 3 and rand() < 0.3):
                _former_occupants(people, rng, prop, start - randint(1, 45), add, liabilities)
            else:
                vacated.append((uprn, prop.band, start))
        yield prop, rows, liabilities


def _former_occupants(
    people: _People,
    rng: random.Random,
    prop: _Property,
    left: int,
    add: Callable[..., None],
    liabilities: list[_Liability],
) -> None:
    """People who lived here until `left` and have gone (out of the borough, as far as these
    records know): ended occupancies and a council tax account to close."""
    arrived = max(_EARLIEST_MOVE_IN, left - rng.randint(200, 5000))
    group = _pick(rng, _GROUP_WEIGHTS)
    age = 18 + (people.cal.today - arrived) // 365 + 1 + rng.randrange(40)
    lead = people.person(group, age=age)
    add(lead, "liable", arrived, left)
    single = rng.random() < 0.55
    if not single:
        partner_age = max(age + rng.randint(-5, 5), 18 + (people.cal.today - arrived) // 365 + 1)
        partner = people.person(group, age=partner_age, surname=lead[3])
        add(partner, "joint_liable", arrived, left)
    liabilities.append(_Liability(prop.uprn, prop.band, lead[0], arrived, left, single))


# --- Council tax ----------------------------------------------------------------------------


class _Account(NamedTuple):
    ref: str
    uprn: int
    lead_ref: str
    band: str
    status: str
    method: str
    instalments: int
    spd: bool
    opened: int
    closed: int | None
    due_day: int  # not in the feed: the day of the month instalments fall due

    def row(self) -> Row:
        return (
            self.ref,
            self.uprn,
            self.lead_ref,
            self.band,
            self.status,
            self.method,
            self.instalments,
            "SPD" if self.spd else "",
            _iso(self.opened),
            _iso(self.closed) if self.closed else "",
        )


def _accounts(bundles: Iterable[_Bundle], seed: int) -> Iterator[list[_Account]]:
    rng = _rng(seed, "council_tax_accounts")
    rand = rng.random
    count = 0
    for _prop, _rows, liabilities in bundles:
        accounts = []
        for liability in liabilities:
            # A multiplier coprime with 10^7 spreads account numbers over 30000000-39999999
            # without repeats (for up to ten million accounts).
            ref = str(30_000_000 + (count * 7919 + 104_729) % 10_000_000)
            count += 1
            roll = rand()
            method = "direct_debit" if roll < 0.62 else "card" if roll < 0.86 else "cash"
            accounts.append(
                _Account(
                    ref,
                    liability.uprn,
                    liability.lead_ref,
                    liability.band,
                    "closed" if liability.end else "live",
                    method,
                    10 if rand() < 0.78 else 12,
                    liability.single and rand() < 0.55,
                    max(liability.start, _COUNCIL_TAX_BEGAN),
                    liability.end,
                    15 if method == "direct_debit" and rand() < 0.4 else 1,
                )
            )
        yield accounts


class _YearPlan(NamedTuple):
    year: int
    label: str
    start: int  # first day liable in the year
    charge: int  # pence
    discount: int  # pence, positive
    dues: list[tuple[int, int]]  # (due date ordinal, pence)
    part_year: bool


def _plans(account: _Account, cal: _Calendar) -> list[_YearPlan]:
    """The account's charge and instalment schedule for the previous and current years."""
    plans = []
    for year in cal.years:
        year_start = date(year, 4, 1).toordinal()
        year_end = date(year + 1, 3, 31).toordinal()
        start = max(year_start, account.opened)
        end = min(year_end, account.closed or year_end)
        if start > end or start > cal.today:
            continue
        days_in_year = year_end - year_start + 1
        annual = cal.band_d_pence(year) * _BAND_NINTHS[account.band] // 9
        charge = annual * (end - start + 1) // days_in_year
        discount = charge // 4 if account.spd else 0
        net = charge - discount
        # Monthly from April to January (10 instalments) or March (12); someone moving in
        # mid-year starts with the first due date at least 14 days after, and someone leaving
        # stops at the last one before they left.
        earliest = start if start == year_start else start + 14
        dues = []
        for month_index in range(account.instalments):  # 0 is April
            month = (month_index + 3) % 12 + 1
            due = date(year + (month_index + 3) // 12, month, account.due_day).toordinal()
            if earliest <= due <= end:
                dues.append(due)
        if not dues or net // len(dues) == 0:
            dues = [min(end + 14, year_end) if account.closed else min(start + 14, year_end)]
        each = net // len(dues)
        amounts = [net - each * (len(dues) - 1)] + [each] * (len(dues) - 1)
        plans.append(
            _YearPlan(
                year,
                cal.label(year),
                start,
                charge,
                discount,
                list(zip(dues, amounts, strict=True)),
                start != year_start or end != year_end,
            )
        )
    return plans


_UP_TO_DATE, _ARREARS, _CREDIT, _LATE = "up to date", "arrears", "credit", "late"
_BEHAVIOURS = ((_UP_TO_DATE, 70), (_ARREARS, 16), (_CREDIT, 9), (_LATE, 5))


class _Ledger:
    """Transactions for one account at a time, from its plans and a payment behaviour."""

    def __init__(self, rng: random.Random, cal: _Calendar) -> None:
        self.rng = rng
        self.cal = cal
        self.count = 0
        # The first accounts with a previous-year schedule take these in turn, so that even
        # the smallest scale has accounts in arrears, in credit and up to date.
        self.pending = [_ARREARS, _CREDIT, _UP_TO_DATE]

    def rows(self, account: _Account, plans: list[_YearPlan]) -> list[Row]:
        rng, today = self.rng, self.cal.today
        rand, randint = rng.random, rng.randint
        if account.ref == DEMO_ACCOUNT_IN_CREDIT:
            behaviour = _CREDIT
        elif self.pending and plans and plans[0].year == self.cal.prev_year:
            behaviour = self.pending.pop(0)
        else:
            behaviour = _pick(rng, _BEHAVIOURS)
        method = account.method
        paid = (
            "Direct Debit payment received - thank you"
            if method == "direct_debit"
            else "Payment received - thank you"
        )
        # (posted ordinal, financial year, kind, pence, description)
        entries: list[tuple[int, str, str, int, str]] = []

        def pay(posted: int, label: str, pence: int) -> None:
            if posted <= today:
                entries.append((posted, label, "payment", -pence, paid))

        for plan in plans:
            label, previous = plan.label, plan.year < self.cal.cur_year
            description = f"Council tax charge {label}"
            if plan.part_year:
                description += " (part year)"
            entries.append((plan.start, label, "charge", plan.charge, description))
            if plan.discount:
                entries.append(
                    (plan.start, label, "discount", -plan.discount, "Single person discount (25%)")
                )
            if behaviour == _CREDIT and not previous:  # pays the whole year up front
                pay(plan.start, label, plan.charge - plan.discount)
                continue
            dues = [due for due in plan.dues if due[0] <= today]
            paying = len(dues)
            if behaviour == _ARREARS and dues and (previous or rand() < 0.4):
                paying = rng.randrange(len(dues))  # stopped paying: at least one missed
            for due_on, pence in dues[:paying]:
                if behaviour == _LATE and rand() < 0.5:
                    pay(due_on + randint(3, 40), label, pence)
                elif method == "direct_debit":
                    pay(due_on, label, pence)
                else:
                    # Cash and card payers often pay in parts, a week or so apart.
                    parts = randint(2, 5) if method == "cash" else randint(1, 4)
                    if pence < parts:
                        parts = 1
                    share = pence // parts
                    posted = due_on - 7 * (parts - 1) - rng.randrange(4)
                    for part in range(parts):
                        amount = pence - share * (parts - 1) if part == 0 else share
                        pay(max(plan.start, posted + 7 * part), label, amount)
            missed = sum(pence for _, pence in dues[paying:])
            if behaviour == _ARREARS and previous and missed:
                chased = dues[paying][0] + 45
                if rand() < 0.35 and chased <= today:
                    entries.append(
                        (chased, label, "adjustment", 85_50, "Adjustment - court summons costs")
                    )
                # Part of an old debt written off (never all of it: it stays in arrears).
                if rand() < 0.12 and missed > 1:
                    when = randint(self.cal.cur_start, today)
                    entries.append((when, label, "write_off", -(missed // 2), "Amount written off"))
        if behaviour == _CREDIT and plans:
            plan = plans[0]
            extra = randint(20, 400) * 100 + randint(0, 99)
            when = randint(plan.start, min(today, plan.start + 300))
            if rand() < 0.3:
                entries.append(
                    (when, plan.label, "adjustment", -extra, "Adjustment - band reduced, backdated")
                )
            else:
                pay(when, plan.label, extra)
            if rand() < 0.3 and when + 30 <= today:  # part of it paid back
                entries.append(
                    (randint(when + 1, today), plan.label, "refund", extra // 2,
                     "Refund of overpayment")
                )  # fmt: skip
        elif plans and rand() < 0.02:  # a correction, settled straight away
            plan = plans[-1]
            if plan.start + 7 <= today - 7:
                when = randint(plan.start + 7, today - 7)
                amount = randint(5, 150) * 100
                entries.append(
                    (
                        when,
                        plan.label,
                        "adjustment",
                        amount,
                        "Adjustment - liability date corrected",
                    )
                )
                pay(when + 7, plan.label, amount)

        entries.sort(key=itemgetter(0))  # by date; same-day entries keep their order
        rows: list[Row] = []
        ref = account.ref
        for posted, label, kind, pence, description in entries:
            self.count += 1
            rows.append(
                (f"T{self.count:09d}", ref, _iso(posted), label, kind, _money(pence), description)
            )
        return rows


# --- The feeds ------------------------------------------------------------------------------


class _World:
    """Each method yields batches of CSV rows for one feed, re-running the layers it needs."""

    def __init__(self, properties: int, seed: int, cal: _Calendar) -> None:
        self.count = properties
        self.seed = seed
        self.cal = cal

    def _bundles(self) -> Iterator[_Bundle]:
        return _households(_properties(self.count, self.seed), self.seed, self.cal)

    def _accounts(self) -> Iterator[list[_Account]]:
        return _accounts(self._bundles(), self.seed)

    def properties(self) -> Iterator[list[Row]]:
        batch: list[Row] = []
        for prop in _properties(self.count, self.seed):
            batch.append(prop.row())
            if len(batch) == 1000:
                yield batch
                batch = []
        yield batch

    def people(self) -> Iterator[list[Row]]:
        for _prop, rows, _liabilities in self._bundles():
            yield rows

    def council_tax_accounts(self) -> Iterator[list[Row]]:
        for accounts in self._accounts():
            yield [account.row() for account in accounts]

    def council_tax_instalments(self) -> Iterator[list[Row]]:
        for accounts in self._accounts():
            rows: list[Row] = []
            for account in accounts:
                for plan in _plans(account, self.cal):
                    for due_on, pence in plan.dues:
                        rows.append((account.ref, plan.label, _iso(due_on), _money(pence)))
            yield rows

    def council_tax_transactions(self) -> Iterator[list[Row]]:
        ledger = _Ledger(_rng(self.seed, "council_tax_transactions"), self.cal)
        for accounts in self._accounts():
            rows: list[Row] = []
            for account in accounts:
                rows.extend(ledger.rows(account, _plans(account, self.cal)))
            yield rows
