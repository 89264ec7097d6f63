"""Does the set-based reader's CASE conversion pay for itself? `make bench-conversions`.

The set-based reader (records/set_based.py) converts a column whose parser has no SQL form in
one of two ways: written into the SQL as a CASE when it has few distinct values (up to
`_CASE_LIMIT`), or joined to a lookup table of value -> converted value. Both give the same
rows; this measures what the CASE saves, on a million raw rows with two such columns (a
role-like column and an optional source-like column, as the people feed has), alternating the
two forms so the machine's noise falls on both. Prints each form's best time and the ratio.
"""

import argparse
import os
import statistics
import time
from contextlib import closing

import psycopg2

ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# BENCH_DATABASE names another database (the smoke test's, CI's), so runs do not collide.
DB = os.environ.get("BENCH_DATABASE", "hackney_portal_bench_conversions")
ROLES = ["liable", "joint_liable", "occupant"]
SOURCES = ["council_tax", "electoral_register", "housing"]


def _case(column: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN '{v}' THEN '{v}'" for v in values)
    return f"(CASE {column} {whens} END)"


FORMS = {
    "CASE": (
        f"SELECT n, {_case('c1', ROLES)} AS role, "
        f"(CASE WHEN c2 = '' THEN '' ELSE {_case('c2', SOURCES)} END) AS source FROM raw"
    ),
    "lookup table": (
        "SELECT n, r.converted AS role, (CASE WHEN c2 = '' THEN '' ELSE s.converted END) "
        "AS source FROM raw LEFT JOIN roles AS r ON r.value = c1 "
        "LEFT JOIN sources AS s ON s.value = c2"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--smoke", action="store_true", help="a tiny run that checks the benchmark still runs"
    )
    args = parser.parse_args()
    if args.smoke:
        args.rows, args.repeats = 1_000, 1

    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {DB}")
        cur.execute(f"CREATE DATABASE {DB}")
    try:
        with closing(psycopg2.connect(f"postgres://postgres@127.0.0.1:5432/{DB}")) as conn:
            cur = conn.cursor()
            cur.execute(
                "CREATE TABLE raw AS SELECT g AS n, (%s::text[])[1 + g %% 3] AS c1, "
                "(%s::text[])[1 + g %% 4] AS c2 FROM generate_series(1, %s) AS g",
                [ROLES, [*SOURCES, ""], args.rows],
            )
            for table, values in (("roles", ROLES), ("sources", SOURCES)):
                cur.execute(f"CREATE TABLE {table} (value text PRIMARY KEY, converted text)")
                cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", [(v, v) for v in values])
            cur.execute("ANALYZE")
            conn.commit()
            times: dict[str, list[float]] = {form: [] for form in FORMS}
            for _ in range(args.repeats):
                for form, select in FORMS.items():
                    start = time.perf_counter()
                    cur.execute(f"CREATE TEMPORARY TABLE staged AS {select}")
                    times[form].append(time.perf_counter() - start)
                    cur.execute("DROP TABLE staged")
        for form, seconds in times.items():
            print(
                f"{form:>13}: best {min(seconds):.3f} s, median {statistics.median(seconds):.3f} s "
                f"({args.rows:,} rows, 2 columns)"
            )
        ratio = min(times["lookup table"]) / min(times["CASE"])
        print(f"lookup table / CASE (best of {args.repeats}): {ratio:.2f}")
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
