"""Every benchmark under bench/ still runs (issue 17: `make bench-search` broke unseen when the
staff pages began to read the session). Each runs at its `--smoke` size, all at once (they
spend most of their time starting processes and waiting on PostgreSQL), each in databases of
its own named after this test run's (BENCH_DATABASE), and bench/web_bench.py against a Redis
server of its own, so that neither another engineer's run nor a real `make bench-*` collides
with them. At this size the times mean nothing and are not judged; what each benchmark checks
for correctness still is: an unchanged sync writes nothing, the two readers write the same
records, no parking decision is wrong, every page answers 200 signed in (served by gunicorn,
loaded by wrk), every kind of search runs through the page's view, both what-ifs answer through
their pages' views and an unchanged tariff prices every permit as stored."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Each benchmark and the last line it prints when its smoke run went through.
LAST_LINES = {
    "sync": "Smoke run: it ran, and (d) wrote nothing; the times are not judged.",
    "readers": "balances_transaction",  # the last table compared; "same" checked below
    "conversions": "lookup table / CASE (best of 1):",
    "decisions": "No wrong automatic outcome.",
    "web": "Smoke run: every page answered without an error; the load is not judged.",
    "search": "Smoke run: every kind of query was searched; the times are not judged.",
    "insights": "Smoke run: every page answered; the times are not judged.",
}
TIMEOUT = 600  # seconds for all of them: a hung benchmark fails the test, never the suite


def test_every_benchmark_has_a_smoke_run_here():
    benchmarks = {path.stem.removesuffix("_bench") for path in (ROOT / "bench").glob("*_bench.py")}
    assert benchmarks == set(LAST_LINES)


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of the test's own on a free port, stopped at the end: web_bench flushes
    the two indexes it uses, which on the shared server may be someone else's."""
    server = shutil.which("redis-server")
    assert server, "redis-server is not installed: apt-get install -y redis-server"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def migrated_template():
    """One database migrated once, which every benchmark copies (BENCH_TEMPLATE_DATABASE):
    eight migration runs would cost most of the test's time. Dropped at the end."""
    import psycopg2

    name = settings.DATABASES["default"]["NAME"].removeprefix("test_") + "_smoke_template"
    admin = psycopg2.connect(ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {name}")
        cur.execute(f"CREATE DATABASE {name}")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DJANGO_DEBUG": "true",
        "LOG_LEVEL": "WARNING",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_every_benchmark_runs_at_its_smoke_size(own_redis, migrated_template, tmp_path):
    assert shutil.which("wrk"), "bench-web needs wrk: apt-get install -y wrk"
    base = settings.DATABASES["default"]["NAME"].removeprefix("test_")
    started = time.monotonic()
    runs = {}
    for name in LAST_LINES:
        env = {
            **os.environ,
            "BENCH_DATABASE": f"{base}_smoke_{name}",
            "BENCH_TEMPLATE_DATABASE": migrated_template,
        }
        extra = ["--redis", own_redis] if name == "web" else []
        log = (tmp_path / f"{name}.log").open("w")
        runs[name] = (
            subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / f"{name}_bench.py"), "--smoke", *extra],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            ),
            log,
        )
    deadline = time.monotonic() + TIMEOUT
    outcomes = {}
    for name, (process, log) in runs.items():
        try:
            code = process.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.terminate()  # the benchmarks clean up their databases and servers on it
            process.wait(timeout=60)
            code = "timed out"
        log.close()
        output = (tmp_path / f"{name}.log").read_text()
        last = output.strip().splitlines()[-1] if output.strip() else ""
        if code != 0 or not last.startswith(LAST_LINES[name]):
            print(f"--- {name} ---\n{output}")  # shown with the failure
        outcomes[name] = (code, last[: len(LAST_LINES[name])])
    print(f"Every benchmark's smoke run took {time.monotonic() - started:.0f} s together.")
    assert outcomes == {name: (0, line) for name, line in LAST_LINES.items()}
    readers = (tmp_path / "readers.log").read_text()
    assert "DIFFERENT" not in readers and readers.count(" same: ") == 6
