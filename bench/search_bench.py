"""The contact centre's search on a Hackney-sized borough: `make bench-search`
(docs/performance.md).

1. A fresh PostgreSQL database of its own, dropped at the end (and on failure or Ctrl-C),
   unless --keep.
2. The demo borough (`manage.py demo_feeds`, scale 1.0 by default: 110,000 properties, about
   250,000 people rows, 114,000 council tax accounts) synced through the real pipeline
   (`manage.py sync_records`; the two ledger feeds are left out: search never reads them),
   then VACUUM ANALYZE, as autovacuum does soon after a load (PostgreSQL 13 and later vacuum
   after many inserts too): until then every read of a freshly loaded row checks whether its
   transaction committed, and the search's reads take five to ten times as long; 300 permit
   applications made for registrations and references to find.
3. A fixed set of realistic queries drawn from the borough with a fixed seed: full names as
   written and as typed (no accents, lower case), a surname with two letters swapped, a typo in
   a first name, an initial and surname, "Surname, First", a surname alone, the borough's
   commonest surname words alone ("Smith"), a house number and street, a building, a street
   with a letter missing, postcodes with and without the space, UPRNs, account numbers,
   registrations in lower case with a space, application references. Each is searched
   through the page's view (casework.search_views, results rendered) as a signed-in agent,
   once to warm up and then --repeat times.

Prints p50, p95 and max over every timed search, the same by kind of query, and the slowest
queries; exits non-zero when any kind's p95 is 100 ms or more (issue 17; issue 11 judged all
the searches together, where a slow kind hid among many fast ones).

    python bench/search_bench.py [--scale 1.0] [--repeat 3] [--keep] [--reuse]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from importlib import import_module
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
FEEDS = ["properties", "people", "council_tax_accounts"]
TARGET_P95_MS = 100.0
PER_KIND = 8  # queries of each kind


class Failed(Exception):
    pass


def manage(args: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise Failed(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def plain(text: str) -> str:
    """As typed on an English keyboard: accents dropped, lower case."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def swap(word: str, rng: random.Random) -> str:
    """Two neighbouring letters swapped, away from the first letter."""
    letters = [i for i in range(1, len(word) - 1) if word[i].isalpha() and word[i + 1].isalpha()]
    if not letters:
        return word
    i = rng.choice(letters)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def drop_letter(word: str, rng: random.Random) -> str:
    i = rng.randrange(2, len(word) - 1) if len(word) > 4 else len(word) - 1
    return word[:i] + word[i + 1 :]


def make_queries(seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs drawn from the loaded borough: the same seed, the same queries."""
    from django.db.models import Q

    from balances.models import CouncilTaxAccount
    from parking.models import PermitApplication
    from records.models import Occupancy, Person, Property

    rng = random.Random(seed)
    lives = list(
        Occupancy.objects.filter(ended_at__isnull=True, occupied_to__isnull=True)
        .order_by("id")
        .values_list("person__first_name", "person__last_name")[:50_000]
    )
    people = rng.sample(lives, PER_KIND * 7)
    queries: list[tuple[str, str]] = []
    chunks = [people[i * PER_KIND : (i + 1) * PER_KIND] for i in range(7)]
    queries += [("full name", f"{f} {last}") for f, last in chunks[0]]
    queries += [("name as typed", plain(f"{f} {last}")) for f, last in chunks[1]]
    queries += [("surname typo", f"{f} {swap(last, rng)}") for f, last in chunks[2]]
    queries += [
        ("first name typo", f"{drop_letter(f.split()[0], rng)} {last}") for f, last in chunks[3]
    ]
    queries += [("initial", f"{f[0]} {last}") for f, last in chunks[4]]
    queries += [("surname, first", f"{last}, {f}") for f, last in chunks[5]]
    queries += [("surname", last) for _, last in chunks[6]]
    # The worst case for a name search: the words the most people's surnames hold ("Smith"
    # is in "Smith", "Mensah-Smith", "Smith Jones"...), each alone, every one ranked.
    words = Counter(
        word
        for (last,) in Person.objects.values_list("last_name").iterator(chunk_size=20_000)
        for word in re.findall(r"[^\W\d_]{3,}", last)  # not the O of O'Brien
    )
    queries += [("common surname", word) for word, _ in words.most_common(PER_KIND)]

    homes = list(
        Property.objects.filter(retired_at__isnull=True)
        .order_by("id")
        .values_list("uprn", "address_line_1", "address_line_2", "postcode")
    )
    picked = rng.sample(homes, PER_KIND * 5)
    numbered = [h for h in homes if h[1].split()[0].isdigit()]
    for _, line1, _, _ in rng.sample(numbered, PER_KIND):
        queries.append(("house and street", line1))
    for _, line1, line2, _ in picked[:PER_KIND]:
        building = line1.split(",")[-1].strip()
        queries.append(("building or street", building if "," in line1 else line2 or line1))
    for _, line1, line2, _ in picked[PER_KIND : 2 * PER_KIND]:
        street = (line2 or line1).split()
        word = max(street, key=len)
        queries.append(
            (
                "street with a typo",
                " ".join(drop_letter(w, rng) if w == word else w for w in street),
            )
        )
    for _, _, _, postcode in picked[2 * PER_KIND : 3 * PER_KIND]:
        queries.append(("postcode", rng.choice([postcode, postcode.replace(" ", "").lower()])))
    for uprn, *_ in picked[3 * PER_KIND : 4 * PER_KIND]:
        queries.append(("UPRN", str(uprn)))
    accounts = list(CouncilTaxAccount.objects.order_by("id").values_list("account_ref", flat=True))
    queries += [("account number", ref) for ref in rng.sample(accounts, PER_KIND)]
    applications = list(
        PermitApplication.objects.filter(~Q(registration="")).values_list(
            "reference", "registration"
        )
    )
    for reference, registration in rng.sample(applications, PER_KIND):
        queries.append(("registration", f"{registration[:4]} {registration[4:]}".lower()))
        queries.append(("application reference", reference.lower()))
    return queries


def make_applications(count: int, seed: int) -> None:
    """Permit applications (drafts: they need no decision) at random homes, for registrations
    and references to find, with applicants' names drawn from the borough's people (with their
    name keys, as parking.services writes them), so that name searches find applications too."""
    from django.contrib.auth import get_user_model

    from parking.models import PermitApplication
    from records.matching import name_key
    from records.models import Person, Property

    rng = random.Random(seed)
    uprns = list(Property.objects.order_by("id").values_list("uprn", flat=True))
    names = list(Person.objects.order_by("id").values_list("first_name", "last_name")[:50_000])
    letters = "ABCDEFGHJKLMNOPRSTUVWXYZ"
    users = get_user_model().objects.bulk_create(
        get_user_model()(email=f"bench{i}@example.com") for i in range(count)
    )
    applications = []
    for user in users:
        first, last = rng.choice(names)
        applications.append(
            PermitApplication(
                user=user,
                uprn=rng.choice(uprns),
                registration="".join(rng.choices(letters, k=2))
                + f"{rng.randrange(10, 75)}"
                + "".join(rng.choices(letters, k=3)),
                first_name=first,
                last_name=last,
                first_name_key=name_key(first),
                last_name_key=name_key(last),
            )
        )
    PermitApplication.objects.bulk_create(applications)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_queries(args) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.db import connection, reset_queries
    from django.test import RequestFactory

    from accounts.middleware import note_staff_member
    from accounts.models import User
    from casework.search_views import search_page
    from parking.models import PermitApplication

    if not PermitApplication.objects.exists():
        make_applications(300, args.seed)
    agent, _ = User.objects.get_or_create(email="bench.agent@example.com")
    agent.groups.add(Group.objects.get(name="contact_centre_agent"))
    agent = User.objects.get(pk=agent.pk)  # permissions read afresh
    queries = make_queries(args.seed)
    factory = RequestFactory()

    session = import_module(settings.SESSION_ENGINE).SessionStore()

    def timed(text: str) -> tuple[float, int, int]:
        request = factory.get("/staff/search/", {"q": text})
        request.user = agent
        # The page (its header) reads whether this is staff from the session, as noted at
        # sign-in: a session like a signed-in agent's, never saved.
        request.session = session
        note_staff_member(request, agent)
        reset_queries()
        started = time.perf_counter()
        response = search_page(request)
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            raise Failed(f"{text!r} answered {response.status_code}")
        return seconds * 1000, len(connection.queries), response.content.count(b"casework-result")

    for _, text in queries:
        timed(text)  # warm up: caches, plans, the first template render
    times: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str, str, int]] = []
    empty = []
    for kind, text in queries:
        for _ in range(args.repeat):
            ms, _queries, shown = timed(text)
            times.append(ms)
            by_kind[kind].append(ms)
        slowest.append((max(by_kind[kind][-args.repeat :]), kind, text, shown))
        if not shown:
            empty.append((kind, text))

    p50, p95, worst = percentile(times, 0.5), percentile(times, 0.95), max(times)
    print(f"\n{len(queries)} queries, each {args.repeat} times ({len(times)} searches), "
          "through the page's view with its results rendered:")  # fmt: skip
    print(f"  p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   max {worst:6.1f} ms")
    missed = kinds_missed(by_kind)
    print("\n  by kind of query                p50      p95      max")
    for kind, values in by_kind.items():
        flag = "  MISSED" if kind in missed else ""
        print(f"  {kind:28} {percentile(values, 0.5):6.1f}   {percentile(values, 0.95):6.1f}"
              f"   {max(values):6.1f}{flag}")  # fmt: skip
    print("\n  slowest queries (max of their runs):")
    for ms, kind, text, shown in sorted(slowest, reverse=True)[:8]:
        print(f"  {ms:6.1f} ms  {kind:22} {text!r} ({shown} shown)")
    if empty:
        print(f"\n  {len(empty)} queries found nothing: {empty}")
    print(f"\nLoad average {os.getloadavg()[0]:.1f} at the end.")
    if args.smoke:
        print("Smoke run: every kind of query was searched; the times are not judged.")
        return 0
    if missed:
        print(f"p95 of {len(missed)} kind(s) of query at or over {TARGET_P95_MS:.0f} ms: "
              f"{', '.join(missed)}: MISSED")  # fmt: skip
        return 1
    print(f"p95 of every kind of query under {TARGET_P95_MS:.0f} ms: met")
    return 0


def kinds_missed(by_kind: dict[str, list[float]]) -> list[str]:
    """The kinds of query whose p95 is at or over the target (issue 17: every kind, not only
    all of them together, where a slow kind hides among many fast ones)."""
    return [kind for kind, values in by_kind.items() if percentile(values, 0.95) >= TARGET_P95_MS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="demo borough size (1.0)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each query (3)")
    # BENCH_DATABASE names another database (the smoke test's, CI's), so runs do not collide.
    parser.add_argument(
        "--database", default=os.environ.get("BENCH_DATABASE", "hackney_portal_bench_search")
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny run that checks the benchmark still runs (--scale 0.01 --repeat 1): "
        "times are printed, not judged",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is")
    parser.add_argument("--run-queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if args.smoke:
        args.scale, args.repeat = 0.01, 1
    if args.run_queries:
        sys.exit(run_queries(args))
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        code = bench(args)
    except Failed as failure:
        print(f"\nFAILED: {failure}", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        print("\nInterrupted; cleaned up.", file=sys.stderr)
        code = 130
    sys.exit(code)


def bench(args) -> int:
    import psycopg2

    print(f"Load average {os.getloadavg()[0]:.1f} at the start ({os.cpu_count()} cores).")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_", "CELERY_"))
    }
    tmp = Path(tempfile.mkdtemp(prefix="bench-search-"))
    env.update(
        DJANGO_SETTINGS_MODULE="hackney_portal.settings",
        DJANGO_DEBUG="true",  # connection.queries counts each search's queries
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        MEDIA_ROOT=str(tmp / "media"),
        SYNC_INBOX_DIR=str(tmp / "inbox"),
        LOG_LEVEL="WARNING",
    )
    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    try:
        if not args.reuse:
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
                cur.execute(f"CREATE DATABASE {args.database}{TEMPLATE}")
        manage(["migrate", "-v", "0"], env)
        if not args.reuse:
            feeds = tmp / "feeds"
            print(f"Writing the demo borough at scale {args.scale} and syncing "
                  f"{', '.join(FEEDS)}…")  # fmt: skip
            manage(["demo_feeds", "--out", str(feeds), "--scale", str(args.scale),
                    "--feeds", ",".join(FEEDS)], env)  # fmt: skip
            for feed in FEEDS:
                t0 = time.monotonic()
                out = manage(["sync_records", feed, str(feeds / f"{feed}.csv")], env)
                if "Status: Applied" not in out:
                    raise Failed(f"the {feed} feed was not applied:\n{out}")
                print(f"  {feed:22} synced in {time.monotonic() - t0:5.1f} s")
            conn = psycopg2.connect(env["DATABASE_URL"])
            conn.autocommit = True  # VACUUM cannot run in a transaction
            with conn.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
            conn.close()
        result = subprocess.run(
            [sys.executable, __file__, "--run-queries", "--seed", str(args.seed),
             "--repeat", str(args.repeat), *(["--smoke"] if args.smoke else [])],
            cwd=ROOT, env=env, check=False,
        )  # fmt: skip
        return result.returncode
    finally:
        if not (args.keep or args.reuse):
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {args.database} WITH (FORCE)")
        admin.close()
        subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
