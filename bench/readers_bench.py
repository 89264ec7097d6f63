"""The two readers on the demo borough: `make bench-readers` (results in docs/performance.md).

All five demo feeds (`manage.py demo_feeds`) are synced into two fresh PostgreSQL databases,
one with the set-based reader and one row by row (SYNC_SET_BASED=false), each sync in its own
process as `manage.py sync_records` runs it. Prints each feed's time with both readers and
checks that the two databases hold exactly the same records.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# A database already migrated to copy rather than migrate afresh (the smoke test's: a migration
# run costs seconds of CPU for each benchmark); the benchmark's own `migrate` then does nothing.
TEMPLATE = (
    f" TEMPLATE {os.environ['BENCH_TEMPLATE_DATABASE']}"
    if os.environ.get("BENCH_TEMPLATE_DATABASE")
    else ""
)
FEEDS = [
    "properties",
    "people",
    "council_tax_accounts",
    "council_tax_instalments",
    "council_tax_transactions",
]
TABLES = [
    "records_property",
    "records_person",
    "records_occupancy",
    "balances_counciltaxaccount",
    "balances_instalment",
    "balances_transaction",
]
READERS = {"set-based": "true", "row by row": "false"}


def run(args: list[str], env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def fingerprint(db_url: str) -> dict[str, str]:
    """Each table's rows without their ids and runs, as one hash."""
    with psycopg2.connect(db_url) as conn, conn.cursor() as cur:
        found = {}
        for table in TABLES:
            cur.execute(
                f"SELECT count(*), md5(string_agg(j, '|' ORDER BY j)) FROM "
                f"(SELECT (to_jsonb(t) - 'id' - 'sync_run_id')::text AS j FROM {table} t) x"
            )
            count, digest = cur.fetchone()
            found[table] = f"{count:,} rows, md5 {digest}"
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the benchmark still runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.scale = 0.005
    # BENCH_DATABASE names other databases (the smoke test's, CI's), so runs do not collide.
    prefix = os.environ.get("BENCH_DATABASE", "hackney_portal_bench")

    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
    base.update(DJANGO_DEBUG="true", LOG_LEVEL="WARNING")
    seconds: dict[str, dict[str, float]] = {feed: {} for feed in FEEDS}
    prints = {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Writing the demo feeds at scale {args.scale}…")
        run(["demo_feeds", "--out", tmp, "--scale", str(args.scale), "--seed", str(args.seed)],
            base)  # fmt: skip
        for reader, flag in READERS.items():
            db = f"{prefix}_{flag}"
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE IF EXISTS {db}")
                cur.execute(f"CREATE DATABASE {db}{TEMPLATE}")
            db_url = f"postgres://postgres@127.0.0.1:5432/{db}"
            env = {**base, "DATABASE_URL": db_url, "SYNC_SET_BASED": flag}
            run(["migrate", "-v", "0"], env)
            for feed in FEEDS:
                started = time.perf_counter()
                out = run(["sync_records", feed, str(Path(tmp) / f"{feed}.csv")], env)
                seconds[feed][reader] = time.perf_counter() - started
                if "Status: Applied" not in out:
                    sys.exit(f"{feed} was not applied with the {reader} reader:\n{out}")
            prints[reader] = fingerprint(db_url)
            with admin.cursor() as cur:
                cur.execute(f"DROP DATABASE {db}")

    print(f"\n{'feed':28} {'set-based':>10} {'row by row':>11} {'speed-up':>9}")
    for feed in FEEDS:
        fast, slow = seconds[feed]["set-based"], seconds[feed]["row by row"]
        print(f"{feed:28} {fast:9.2f}s {slow:10.2f}s {slow / fast:8.1f}x")
    print()
    for table in TABLES:
        same = prints["set-based"][table] == prints["row by row"][table]
        print(f"{table:28} {'same' if same else 'DIFFERENT'}: {prints['set-based'][table]}")
    if prints["set-based"] != prints["row by row"]:
        sys.exit("The two readers wrote different records.")


if __name__ == "__main__":
    main()
