"""`make bench-sync` judges each sync against its floor measured in the same run (issue 7)."""

import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location(
    "sync_bench", Path(__file__).resolve().parent.parent / "bench" / "sync_bench.py"
)
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)

# The ratios tried when the targets were decided: (b) 1.6 x (b0), (c) 3.5 x, (d) 2.8 x (d0).
TYPICAL = {"a": 1.0, "b0": 10.0, "d0": 5.0, "b": 16.0, "c": 17.5, "d": 14.0}


def test_a_run_like_the_one_the_targets_were_set_from_passes():
    assert bench.regressions(TYPICAL, peak_mb=150, written_by_d=0) == []


@pytest.mark.parametrize(
    ("change", "peak_mb", "written", "missed"),
    [
        ({"b": 25.1}, 150, 0, "(b) took 2.51 x (b0); the limit is 2.5 x"),
        ({"c": 22.6}, 150, 0, "(c) took 4.52 x (d0); the limit is 4.5 x"),
        ({"d": 17.6}, 150, 0, "(d) took 3.52 x (d0); the limit is 3.5 x"),
        ({}, 300, 0, "peak memory 300 MB; the limit is under 300 MB"),
        ({}, 150, 1, "(d) wrote 1 row; an unchanged snapshot must write none"),
    ],
)
def test_each_regression_is_named(change, peak_mb, written, missed):
    assert bench.regressions({**TYPICAL, **change}, peak_mb=peak_mb, written_by_d=written) == [
        missed
    ]
