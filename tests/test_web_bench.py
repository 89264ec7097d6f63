"""`make bench-web` reads wrk's report and judges issue 9's targets from it: the harness's parsing
and verdicts on wrk output as wrk 4.1 prints it (no server, no wrk, no network here)."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "web_bench", Path(__file__).resolve().parent.parent / "bench" / "web_bench.py"
)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

BASELINE = """\
Running 20s test @ http://127.0.0.1:41231
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    22.71ms    9.35ms 164.11ms   81.17%
    Req/Sec   178.72     19.94   230.00     69.44%
  Latency Distribution
     50%   20.96ms
     75%   26.15ms
     90%   33.31ms
     99%   58.61ms
  7144 requests in 20.02s, 84.03MB read
Requests/sec:    356.84
Transfer/sec:      4.20MB
Script non-2xx responses: 0
"""

BALANCE = """\
Running 20s test @ http://127.0.0.1:41231
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    31.02ms   14.20ms 210.50ms   78.00%
    Req/Sec   130.10     15.00   170.00     66.00%
  Latency Distribution
     50%   28.40ms
     75%   36.90ms
     90%   48.00ms
     99%   87.25ms
  5204 requests in 20.01s, 91.10MB read
Requests/sec:    260.07
Transfer/sec:      4.55MB
Script non-2xx responses: 0
"""

# Redirected to sign in (which wrk itself does not count), a few 500s and a timeout.
BROKEN = """\
Running 20s test @ http://127.0.0.1:41231
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   150.00ms   80.00ms    1.20s    70.00%
    Req/Sec    25.00      5.00    40.00     60.00%
  Latency Distribution
     50%  130.00ms
     75%  180.00ms
     90%  250.00ms
     99%    1.05s
  1001 requests in 20.00s, 3.10MB read
  Socket errors: connect 0, read 0, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:     50.05
Transfer/sec:    158.72KB
Script non-2xx responses: 998
Script first non-2xx: 302 /accounts/login/?next=/council-tax/12345678/
"""


def test_wrk_report_is_read():
    result = bench.parse_wrk(BALANCE)
    assert result.requests == 5204
    assert result.seconds == pytest.approx(20.01)
    assert result.requests_per_second == pytest.approx(260.07)
    assert result.latency_ms == {50: 28.4, 75: 36.9, 90: 48.0, 99: 87.25}
    assert result.errors == 0
    assert result.script_non_2xx == 0


def test_units_seconds_and_microseconds_and_every_kind_of_error():
    result = bench.parse_wrk(BROKEN)
    assert result.p99_ms == pytest.approx(1050.0)
    assert result.socket_errors == {"connect": 0, "read": 0, "write": 0, "timeout": 1}
    assert result.non_2xx_3xx == 3
    # The script's count (every status outside 2xx) wins over wrk's (4xx and 5xx only).
    assert result.errors == 998 + 1
    assert result.first_bad == "302 /accounts/login/?next=/council-tax/12345678/"
    assert bench._ms("850.00us") == pytest.approx(0.85)
    assert bench._ms("2.00m") == pytest.approx(120_000)


def test_without_the_script_wrks_own_error_count_is_used():
    text = BROKEN.replace("Script non-2xx responses: 998\n", "")
    assert bench.parse_wrk(text).errors == 3 + 1


def test_a_report_without_latency_distribution_is_refused():
    text = "\n".join(line for line in BALANCE.splitlines() if "%" not in line or "Req" in line)
    with pytest.raises(ValueError, match="--latency"):
        bench.parse_wrk(text)


def test_a_good_run_meets_every_target():
    results = bench.verdicts(bench.parse_wrk(BALANCE), bench.parse_wrk(BASELINE))
    assert [v.met for v in results] == [True, True, True, True]
    assert "73%" in results[0].figure
    assert "260.1 req/s" in results[1].figure


def test_each_missed_target_is_named():
    broken = bench.parse_wrk(BROKEN)
    results = {v.what: v for v in bench.verdicts(broken, bench.parse_wrk(BASELINE))}
    assert not results["balance throughput / baseline"].met  # 14%
    assert not results["balance throughput"].met  # 50 req/s
    assert not results["balance latency p99"].met  # 1,050 ms
    assert not results["errors (non-2xx, socket)"].met
    assert "999 balance, 0 baseline" in results["errors (non-2xx, socket)"].figure
    assert "MISSED" in str(results["balance latency p99"])


@pytest.mark.parametrize(
    ("rps", "p99", "missed"),
    [
        (177.0, "87.25ms", ["balance throughput / baseline", "balance throughput"]),  # 49.6%
        (199.9, "87.25ms", ["balance throughput"]),
        (260.07, "100.00ms", ["balance latency p99"]),  # the limit is strictly under
    ],
)
def test_limits(rps, p99, missed):
    text = BALANCE.replace("260.07", str(rps)).replace("87.25ms", p99)
    results = bench.verdicts(bench.parse_wrk(text), bench.parse_wrk(BASELINE))
    assert [v.what for v in results if not v.met] == missed


def test_errors_on_the_baseline_fail_the_run_too():
    baseline = bench.parse_wrk(BASELINE.replace("responses: 0", "responses: 2"))
    results = bench.verdicts(bench.parse_wrk(BALANCE), baseline)
    assert [v.what for v in results if not v.met] == ["errors (non-2xx, socket)"]


def test_the_baseline_is_the_mean_of_the_runs_around_the_balance_pages():
    before = bench.parse_wrk(BASELINE)
    after = bench.parse_wrk(BASELINE.replace("356.84", "156.84").replace("58.61ms", "90.00ms"))
    baseline = bench.bracketed(before, after)
    assert baseline.requests_per_second == pytest.approx(256.84)
    assert baseline.p99_ms == 90.0
    assert baseline.requests == 2 * 7144
    results = bench.verdicts(bench.parse_wrk(BALANCE), baseline)
    assert "101%" in results[0].figure
    broken = bench.bracketed(before, bench.parse_wrk(BROKEN))
    assert broken.errors == 999
    assert broken.first_bad.startswith("302 ")
