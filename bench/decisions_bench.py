"""How good are the parking decisions: `make bench-decisions` (results in docs/performance.md).

The demo borough (`manage.py demo_feeds`, properties and people only) is loaded through the real
sync (`manage.py sync_records`) into a fresh PostgreSQL database. Applicants are then drawn from
the feed files, the way real residents type themselves, each with the truth known from the
generator's own records (who lives where, under which name, born when): the outcome a careful
person would expect. Each is decided as the journey decides (parking.services.application_decide):
records.selectors' property_by_uprn, current_occupants and records_freshness, fed to
parking.eligibility.decide with the settings' limits.

Printed: the share approved with no one touching it, sent to a person (needs evidence) and
refused; the wrong automatic outcomes (an approval or a refusal the truth does not support),
with examples; and the time of one decision (selector reads and decide) per applicant.
Exits non-zero when any automatic outcome is wrong. The same seed on the same day draws the same
applicants.

    python bench/decisions_bench.py [--scale 1.0] [--applicants 10000] [--seed 1]
    python bench/decisions_bench.py --smoke      # a smoke test: --scale 0.02 --applicants 300
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# A database already migrated to copy rather than migrate afresh (the smoke test's: a migration
# run costs seconds of CPU for each benchmark); the benchmark's own `migrate` then does nothing.
TEMPLATE = (
    f" TEMPLATE {os.environ['BENCH_TEMPLATE_DATABASE']}"
    if os.environ.get("BENCH_TEMPLATE_DATABASE")
    else ""
)
# BENCH_DATABASE names another database (the smoke test's, CI's), so runs do not collide.
DB_NAME = os.environ.get("BENCH_DATABASE", "hackney_portal_bench_decisions")

APPROVED, PERSON, REFUSED = "approved", "needs_evidence", "not_eligible"
OUTCOME_LABELS = {
    APPROVED: "approved with no one touching it",
    PERSON: "sent to a person (needs evidence)",
    REFUSED: "refused (not eligible)",
}
MAX_REVENUE_WEIGHT_KG = 3500  # the limit, restated here as the truth
RESIDENTIAL = ("residential", "mixed")

# Who applies, and how often (weights out of 100). "resident" kinds are people living at the
# address now who type their own details; the rest should not be approved automatically.
KINDS: dict[str, tuple[int, str]] = {
    "exact": (26, "a current resident typing their name exactly as the record has it"),
    "accents": (8, "accents dropped (Zoe for Zoë) or typed in another Unicode form"),
    "case": (6, "the whole name in capitals or in lower case"),
    "hyphens": (4, "a hyphenated name typed with a space or run together"),
    "apostrophes": (4, "an apostrophe dropped, typed curly, or as a space (OBrien, O Brien)"),
    "particles": (4, "a surname's particles joined (Vanderberg for van der Berg)"),
    "given_names": (2, "several given names joined or hyphenated, or only the first typed"),
    "initial": (8, "an initial for the first name, with the right date of birth"),
    "typo": (8, "a current resident with a typo in their surname"),
    "former": (7, "a former resident (occupancy ended) at their old address"),
    "neighbour": (7, "a current resident giving another address at their postcode"),
    "namesake": (6, "the name of a current resident, born on another day"),
    "no_zone": (3, "a current resident of a street with no parking zone"),
    "permit_free": (3, "a current resident of a car-free (permit-free) development"),
    "commercial": (3, "a resident of elsewhere giving a commercial (business) address"),
    "not_listed": (1, "'my address is not listed' (no address chosen)"),
}

# Letters a phone or an English keyboard has no key for, as residents write them.
_PLAIN = str.maketrans(
    {"ß": "ss", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "\u0131": "i", "đ": "d", "Đ": "D",
     "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE"}
)  # fmt: skip
_NEIGHBOURING_KEYS = {
    c: n
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i, c in enumerate(row)
    for n in [row[max(0, i - 1) : i] + row[i + 1 : i + 2]]
}


# --- The borough as the feed files say (the truth) ---------------------------------------------


@dataclass(frozen=True)
class Home:
    uprn: int
    postcode: str
    usage: str
    zone: str
    permit_free: bool


@dataclass(frozen=True)
class Lived:
    """One row of the people feed: a person living (or having lived) at a property."""

    person_ref: str
    uprn: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    occupied_from: date
    occupied_to: date | None

    def current(self, today: date) -> bool:
        return self.occupied_from <= today and (
            self.occupied_to is None or self.occupied_to >= today
        )


@dataclass
class Borough:
    homes: dict[int, Home]
    rows: list[Lived]
    today: date
    current_at: dict[int, list[Lived]] = field(default_factory=dict)
    lives_at: dict[str, set[int]] = field(default_factory=dict)  # person -> current uprns
    by_postcode: dict[str, list[int]] = field(default_factory=dict)  # residential only

    def __post_init__(self) -> None:
        for row in self.rows:
            if row.current(self.today):
                self.current_at.setdefault(row.uprn, []).append(row)
                self.lives_at.setdefault(row.person_ref, set()).add(row.uprn)
        for home in self.homes.values():
            if home.usage in RESIDENTIAL:
                self.by_postcode.setdefault(home.postcode, []).append(home.uprn)


def read_borough(folder: Path, *, today: date) -> Borough:
    """The properties and people feeds, read as plain CSV: nothing of the portal's own reading."""

    def day(text: str) -> date | None:
        return date.fromisoformat(text) if text else None

    homes = {}
    with (folder / "properties.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            uprn = int(row["uprn"])
            homes[uprn] = Home(
                uprn,
                row["postcode"],
                row["usage"],
                row["cpz_zone"],
                row["permit_free"].strip().upper() == "Y",
            )
    rows = []
    with (folder / "people.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.append(
                Lived(
                    row["person_ref"],
                    int(row["uprn"]),
                    row["first_name"],
                    row["last_name"],
                    day(row["date_of_birth"]),
                    day(row["occupied_from"]),
                    day(row["occupied_to"]),
                )
            )
    return Borough(homes, rows, today)


# --- Applicants ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    reference: str
    registration: str
    uprn: int | None
    status: str  # "live", or "approved" (waiting for payment): only what is settled holds a place
    held_by_applicant: bool


@dataclass(frozen=True)
class Case:
    """One applicant: what they typed and chose, and the truth about them."""

    number: int
    kind: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    uprn: int | None
    registration: str
    vehicle_found: bool
    revenue_weight_kg: int | None
    held: tuple[Held, ...]
    identity_ok: bool  # the applicant lives there and typed themselves in a way that must match
    record: str  # the person behind the applicant, as the records have them
    expected: str = ""  # APPROVED, PERSON or REFUSED
    why: str = ""

    def typed(self) -> str:
        born = self.date_of_birth.isoformat() if self.date_of_birth else "no date of birth"
        return f"{self.first_name!r} {self.last_name!r} born {born} at UPRN {self.uprn}"


def expected_outcome(case: Case, borough: Borough, permits_per_household: int) -> tuple[str, str]:
    """The truth, from the feeds and the issue's policy, not from the portal's rules: refused
    only on a firm fact; approved only when the applicant lives there, typed themselves in a way
    the policy accepts, and nothing needs checking; otherwise a person decides."""
    home = borough.homes.get(case.uprn) if case.uprn is not None else None
    firm = []
    if home is not None:
        if not home.zone:
            firm.append("no parking zone")
        if home.permit_free:
            firm.append("permit-free")
    if case.vehicle_found and (case.revenue_weight_kg or 0) > MAX_REVENUE_WEIGHT_KG:
        firm.append("vehicle over 3,500 kg")
    vehicle = "".join(case.registration.split()).upper()
    if any("".join(h.registration.split()).upper() == vehicle for h in case.held):
        firm.append("vehicle already has a permit")
    if case.uprn is not None:
        at_home = sum(1 for h in case.held if h.uprn == case.uprn)
        if at_home >= permits_per_household:
            firm.append(f"household already has {at_home} permits")
    if firm:
        return REFUSED, ", ".join(firm)
    doubts = []
    if case.uprn is None:
        doubts.append("address not listed")
    elif home is None:
        doubts.append("address not in the gazetteer")
    elif home.usage not in RESIDENTIAL:
        doubts.append(f"{home.usage} address")
    if not case.identity_ok:
        doubts.append("not shown to live there")
    if not case.vehicle_found:
        doubts.append("vehicle not found")
    if doubts:
        return PERSON, ", ".join(doubts)
    return APPROVED, "lives there, zoned home, vehicle fine"


def draw_applicants(
    borough: Borough,
    *,
    count: int,
    seed: int,
    permits_per_household: int,
    lookup: Callable[[str], object | None],
) -> list[Case]:
    """`count` applicants drawn at random (seeded). `lookup(registration)` is the vehicle data:
    a vehicle with `revenue_weight`, or None when not found."""
    rng = random.Random(f"decisions-{seed}")
    today = borough.today
    adults = [
        row
        for rows in borough.current_at.values()
        for row in rows
        if row.date_of_birth is None or (today - row.date_of_birth).days >= 17 * 365
    ]
    adults.sort(key=lambda row: (row.uprn, row.person_ref))
    homes = borough.homes

    def where(pred: Callable[[Lived], bool]) -> list[Lived]:
        return [row for row in adults if pred(row)]

    def name(row: Lived) -> str:
        return row.first_name + " " + row.last_name

    pools: dict[str, list[Lived]] = {
        "accents": where(lambda r: _plain(name(r)) != name(r)),
        "hyphens": where(lambda r: "-" in name(r)),
        "apostrophes": where(lambda r: "'" in name(r)),
        "particles": where(lambda r: " " in r.last_name),
        "given_names": where(lambda r: " " in r.first_name),
        "namesake": where(lambda r: r.date_of_birth is not None),
        "no_zone": where(lambda r: not homes[r.uprn].zone),
        "permit_free": where(lambda r: homes[r.uprn].permit_free),
        "neighbour": where(lambda r: len(borough.by_postcode.get(homes[r.uprn].postcode, [])) > 1),
        "former": sorted(
            (
                row
                for row in borough.rows
                if row.occupied_to is not None
                and row.occupied_to < today
                and row.uprn not in borough.lives_at.get(row.person_ref, set())
            ),
            key=lambda row: (row.uprn, row.person_ref),
        ),
    }
    commercial = sorted(uprn for uprn, home in homes.items() if home.usage not in RESIDENTIAL)
    kinds = [
        kind
        for kind in KINDS
        if (kind not in pools or pools[kind]) and (kind != "commercial" or commercial)
    ]
    weights = [KINDS[kind][0] for kind in kinds]

    cases = []
    for number in range(1, count + 1):
        kind = rng.choices(kinds, weights)[0]
        person = rng.choice(pools.get(kind) or adults)
        first, last = person.first_name, person.last_name
        born = person.date_of_birth or _made_up_birthday(rng, today)
        uprn: int | None = person.uprn
        identity_ok = True
        if kind == "accents":
            if rng.random() < 0.7:
                first, last = _plain(first), _plain(last)
            else:
                first, last = (unicodedata.normalize("NFD", part) for part in (first, last))
        elif kind == "case":
            if rng.random() < 0.5:
                first, last = first.upper(), last.upper()
            else:
                first, last = first.lower(), last.lower()
        elif kind == "hyphens":
            joiner = " " if rng.random() < 0.7 else ""
            first, last = first.replace("-", joiner), last.replace("-", joiner)
        elif kind == "apostrophes":
            mark = rng.choice(["", "", "\u2019", " "])  # none, none, curly, space
            first, last = first.replace("'", mark), last.replace("'", mark)
        elif kind == "particles":
            words = last.split()
            last = (
                "".join(words).capitalize()
                if rng.random() < 0.6
                else "".join(word[:1].upper() + word[1:] for word in words)
            )
        elif kind == "given_names":
            words = first.split()
            how = rng.choice(["joined", "hyphenated", "first only"])
            first = {"joined": "".join(words), "hyphenated": "-".join(words)}.get(how, words[0])
            # Part of the given names counts only with a date of birth to confirm it.
            identity_ok = how != "first only" or person.date_of_birth is not None
        elif kind == "initial":
            first = first[0] + ("." if rng.random() < 0.4 else "")
            identity_ok = person.date_of_birth is not None
        elif kind == "typo":
            last = _typo(rng, last)
            identity_ok = False
        elif kind == "former":
            identity_ok = False
        elif kind == "neighbour":
            others = [
                u
                for u in borough.by_postcode[homes[uprn].postcode]
                if u not in borough.lives_at.get(person.person_ref, set())
            ]
            if others:
                uprn = rng.choice(others)
                identity_ok = False
        elif kind == "namesake":
            born = person.date_of_birth + timedelta(days=rng.choice([-1, 1]) * rng.randint(1, 4000))
            identity_ok = False
        elif kind == "commercial":
            uprn = rng.choice(commercial)
            identity_ok = False
        elif kind == "not_listed":
            uprn = None
            identity_ok = False
        if identity_ok is False and kind in ("namesake", "former", "neighbour", "typo"):
            # The truth holds only if no one living there now is this very person under the
            # typed details (a twin of the same name, born the same day, say).
            same = [
                row
                for row in borough.current_at.get(uprn, [])
                if _fold(row.first_name) == _fold(first)
                and _fold(row.last_name) == _fold(last)
                and row.date_of_birth == born
            ]
            identity_ok = bool(same)

        registration, found, weight = _vehicle(rng, lookup)
        held = _held(rng, number, registration, uprn, permits_per_household)
        case = Case(
            number, kind, first, last, born, uprn, registration, found, weight, held, identity_ok,
            f"{person.person_ref} {person.first_name!r} {person.last_name!r} born "
            f"{person.date_of_birth or 'unknown'}, at UPRN {person.uprn} "
            f"{person.occupied_from} to {person.occupied_to or 'now'}",
        )  # fmt: skip
        expected, why = expected_outcome(case, borough, permits_per_household)
        cases.append(replace(case, expected=expected, why=why))
    return cases


def _vehicle(rng: random.Random, lookup) -> tuple[str, bool, int | None]:
    roll = rng.random()
    if roll < 0.04:
        registration = "ER19NFD"  # the local vehicle data's not-found registration
    elif roll < 0.06:
        registration = "LB19HGV"  # its 7,500 kg lorry
    else:  # an ordinary current-format plate: about 1 in 25 of these is heavy too
        letters = "ABCDEFGHJKLMNOPRSTUVWXY"
        age = rng.choice([*range(2, 26), *range(51, 75)])
        registration = (
            "".join(rng.choice(letters) for _ in range(2))
            + f"{age:02d}"
            + "".join(rng.choice(letters) for _ in range(3))
        )
    vehicle = lookup(registration)
    if vehicle is None:
        return registration, False, None
    return registration, True, vehicle.revenue_weight


def _held(
    rng: random.Random, number: int, registration: str, uprn: int | None, limit: int
) -> tuple[Held, ...]:
    """No permits held, mostly; a few applicants meet the limits rule."""
    roll = rng.random()
    other = "LB" + f"{rng.randint(51, 74)}" + "".join(rng.choice("ABCDEFGH") for _ in range(3))

    def permit(i: int, reg: str, at: int | None, status: str, own: bool) -> Held:
        return Held(f"PP-BNCH-{number:05d}{i}", reg, at, status, own)

    if roll < 0.03 and uprn is not None:  # others at the household, within the limit
        return tuple(permit(i, f"{other[:-1]}{i}", uprn, "live", False) for i in range(limit - 1))
    if roll < 0.05:  # the applicant's own vehicle already has a permit
        return (permit(0, registration.lower(), uprn, "live", True),)
    if roll < 0.06:  # someone else's application for this vehicle, elsewhere, is approved
        return (permit(0, registration, None, "approved", False),)
    if roll < 0.08 and uprn is not None:  # the household is full
        return tuple(
            permit(i, f"{other[:-1]}{i}", uprn, "live" if i else "approved", False)
            for i in range(limit)
        )
    return ()


def _plain(text: str) -> str:
    """Text as typed on a keyboard with no accents: Zoë -> Zoe, Łukasz -> Lukasz, Weiß -> Weiss."""
    text = unicodedata.normalize("NFKD", text.translate(_PLAIN))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def _fold(text: str) -> str:
    """Letters only, plain and lower case: the truth's own idea of "the same name"."""
    return "".join(ch for ch in _plain(text).casefold() if ch.isalnum())


def _typo(rng: random.Random, name: str) -> str:
    """One slip on one plain letter: a neighbouring key, a letter dropped, doubled or two
    swapped. The result is always a different name once case, accents and spaces are set
    aside."""
    while True:
        spots = [i for i, ch in enumerate(name) if ch.isascii() and ch.isalpha()]
        i = rng.choice(spots)
        ch = name[i]
        how = rng.choice(["key", "drop", "double", "swap"])
        if how == "key":
            key = rng.choice(_NEIGHBOURING_KEYS[ch.lower()])
            typed = name[:i] + (key.upper() if ch.isupper() else key) + name[i + 1 :]
        elif how == "drop" and len(spots) > 2:
            typed = name[:i] + name[i + 1 :]
        elif how == "double":
            typed = name[:i] + ch + name[i:]
        else:
            typed = name[:i] + name[i + 1 : i + 2] + name[i] + name[i + 2 :]
        if _fold(typed) != _fold(name):
            return typed


def _made_up_birthday(rng: random.Random, today: date) -> date:
    """The applicant's own date of birth when the record has none to compare it with."""
    return today - timedelta(days=rng.randint(20 * 365, 80 * 365))


# --- Deciding, as the journey does -------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    case: Case
    outcome: str
    reasons: tuple[tuple[str, str, str], ...]  # (rule, outcome, reason)
    ms: float


def decide_all(cases: Sequence[Case], *, decide: Callable | None = None) -> list[Decided]:
    """Each case decided by `decide` (parking.eligibility.decide unless another is given) on the
    records the journey decides on (parking.services.records_for_decision), and timed."""
    from parking import eligibility
    from parking.services import records_for_decision

    decide = decide or eligibility.decide
    decided = []
    for case in cases:
        applicant = eligibility.Applicant(case.first_name, case.last_name, case.date_of_birth)
        vehicle = eligibility.VehicleFacts(
            registration=case.registration,
            valid_registration=True,
            found=case.vehicle_found,
            revenue_weight_kg=case.revenue_weight_kg,
        )
        held = [
            eligibility.HeldPermit(
                h.reference, h.registration, h.uprn, eligibility.HeldStatus(h.status),
                h.held_by_applicant,
            )
            for h in case.held
        ]  # fmt: skip
        started = time.perf_counter()
        decision = decide(
            applicant=applicant,
            held=held,
            vehicle=vehicle,
            application_reference=f"PA-BNCH-{case.number:05d}",
            **records_for_decision(uprn=case.uprn),
        )
        ms = (time.perf_counter() - started) * 1000
        reasons = tuple((str(r.rule), str(r.outcome), r.reason) for r in decision.rules)
        decided.append(Decided(case, str(decision.outcome), reasons, ms))
    return decided


@dataclass(frozen=True)
class Judged:
    outcomes: Counter  # decided outcome -> count
    wrong_approvals: list[Decided]
    wrong_refusals: list[Decided]
    matrix: Counter  # (expected, decided) -> count
    by_kind: dict[str, Counter]

    @property
    def wrong(self) -> int:
        return len(self.wrong_approvals) + len(self.wrong_refusals)


def judge(decided: Sequence[Decided]) -> Judged:
    """An approval is wrong unless the truth is approval; a refusal is wrong unless the truth is
    a refusal. Sending a case to a person is never wrong, only slower."""
    outcomes: Counter = Counter()
    matrix: Counter = Counter()
    by_kind: dict[str, Counter] = defaultdict(Counter)
    wrong_approvals, wrong_refusals = [], []
    for item in decided:
        expected = item.case.expected
        outcomes[item.outcome] += 1
        matrix[expected, item.outcome] += 1
        by_kind[item.case.kind][item.outcome] += 1
        by_kind[item.case.kind]["n"] += 1
        if item.outcome == APPROVED and expected != APPROVED:
            wrong_approvals.append(item)
            by_kind[item.case.kind]["wrong"] += 1
        elif item.outcome == REFUSED and expected != REFUSED:
            wrong_refusals.append(item)
            by_kind[item.case.kind]["wrong"] += 1
    return Judged(outcomes, wrong_approvals, wrong_refusals, matrix, dict(by_kind))


# --- Report -------------------------------------------------------------------------------------


def report(judged: Judged, decided: Sequence[Decided], *, examples: int = 10) -> str:
    total = len(decided)
    lines = [f"\n{'outcome':40} {'applicants':>10} {'share':>7}"]
    for outcome, label in OUTCOME_LABELS.items():
        n = judged.outcomes[outcome]
        lines.append(f"{label:40} {n:10,} {n / total:7.1%}")
    lines.append("\nWrong automatic outcomes (each must be 0):")
    lines.append(f"  approvals that should not be: {len(judged.wrong_approvals):,}")
    lines.append(f"  refusals that should not be:  {len(judged.wrong_refusals):,}")
    for title, wrong in (
        ("approval", judged.wrong_approvals),
        ("refusal", judged.wrong_refusals),
    ):
        for item in wrong[:examples]:
            case = item.case
            lines.append(
                f"  WRONG {title}: applicant {case.number} ({case.kind}) typed {case.typed()}, "
                f"vehicle {case.registration}; record: {case.record}; truth: {case.expected} "
                f"({case.why})"
            )
            for rule, outcome, reason in item.reasons:
                lines.append(f"      {rule}: {outcome}: {reason}")

    corner = "expected \\ decided"
    lines.append(f"\n{corner:24}" + "".join(f"{o:>16}" for o in OUTCOME_LABELS))
    for expected in OUTCOME_LABELS:
        row = "".join(f"{judged.matrix[expected, o]:16,}" for o in OUTCOME_LABELS)
        lines.append(f"{expected:24}{row}")

    lines.append(
        f"\n{'kind of applicant':14} {'n':>6} {'approved':>9} {'person':>7} {'refused':>8}"
        f" {'wrong':>6}  who"
    )
    for kind, (_, description) in KINDS.items():
        counts = judged.by_kind.get(kind)
        if not counts:
            continue
        lines.append(
            f"{kind:14} {counts['n']:6,} {counts[APPROVED]:9,} {counts[PERSON]:7,}"
            f" {counts[REFUSED]:8,} {counts['wrong']:6,}  {description}"
        )

    times = sorted(item.ms for item in decided)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    lines.append(
        "\nDecision time per applicant (selector reads + decide): "
        f"p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms"
    )
    return "\n".join(lines)


# --- The run ------------------------------------------------------------------------------------


def _manage(args: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--applicants", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run that checks the benchmark still runs (--scale 0.02 --applicants 300); "
        "a wrong automatic outcome still fails it",
    )
    args = parser.parse_args()
    if args.smoke:
        args.scale, args.applicants = 0.02, 300

    import psycopg2

    db_url = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(DATABASE_URL=db_url, DJANGO_DEBUG="true", LOG_LEVEL="WARNING")
    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cur.execute(f"CREATE DATABASE {DB_NAME}{TEMPLATE}")
    try:
        os.environ.clear()
        os.environ.update(env, DJANGO_SETTINGS_MODULE="hackney_portal.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.conf import settings
        from django.utils import timezone

        from parking.clients.vehicles import LocalVehicleClient
        from parking.exceptions import VehicleNotFound

        today = timezone.localdate()
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            print(f"Writing the demo borough at scale {args.scale} (seed {args.seed})…")
            _manage(
                ["demo_feeds", "--out", tmp, "--scale", str(args.scale), "--seed", str(args.seed),
                 "--feeds", "properties,people", "--today", today.isoformat()],
                env,
            )  # fmt: skip
            print(f"  {time.perf_counter() - started:.0f} s. Loading it through the real sync…")
            started = time.perf_counter()
            _manage(["migrate", "-v", "0"], env)
            for feed in ("properties", "people"):
                out = _manage(["sync_records", feed, str(Path(tmp) / f"{feed}.csv")], env)
                if "Status: Applied" not in out:
                    sys.exit(f"The {feed} feed was not applied:\n{out}")
            print(f"  {time.perf_counter() - started:.0f} s.")
            borough = read_borough(Path(tmp), today=today)

        client = LocalVehicleClient()

        def lookup(registration: str):
            try:
                return client.lookup(registration)
            except VehicleNotFound:
                return None

        cases = draw_applicants(
            borough,
            count=args.applicants,
            seed=args.seed,
            permits_per_household=settings.PERMITS_PER_HOUSEHOLD,
            lookup=lookup,
        )
        print(
            f"Deciding {len(cases):,} applicants drawn from {len(borough.homes):,} properties and "
            f"{len(borough.rows):,} people rows (seed {args.seed}, {today})…"
        )
        started = time.perf_counter()
        decided = decide_all(cases)
        print(f"  {time.perf_counter() - started:.0f} s.")
        judged = judge(decided)
        print(report(judged, decided))
    finally:
        from django.db import connections

        connections.close_all()
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        admin.close()
    if judged.wrong:
        sys.exit(f"\n{judged.wrong:,} wrong automatic outcome(s).")
    print("\nNo wrong automatic outcome.")


if __name__ == "__main__":
    main()
