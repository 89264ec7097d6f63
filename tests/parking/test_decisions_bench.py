"""`make bench-decisions` (bench/decisions_bench.py) judges decisions against the truth, and its
judging can fail: run on a tiny demo borough loaded through the real sync."""

import dataclasses
import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest
from django.utils import timezone

from parking import eligibility
from parking.clients.vehicles import LocalVehicleClient
from parking.exceptions import VehicleNotFound
from records.demo_feeds import write_feeds
from tests.records.syncing import sync

SPEC = importlib.util.spec_from_file_location(
    "decisions_bench", Path(__file__).resolve().parents[2] / "bench" / "decisions_bench.py"
)
bench = importlib.util.module_from_spec(SPEC)
sys.modules[SPEC.name] = bench  # dataclasses look their module up while the class is made
SPEC.loader.exec_module(bench)

APPLICANTS = 200
# The generator's borough depends on its day: a fixed one keeps these applicants the same.
FEEDS_DAY = date(2026, 11, 29)


def _lookup(registration):
    try:
        return LocalVehicleClient().lookup(registration)
    except VehicleNotFound:
        return None


@pytest.fixture
def cases(db, tmp_path):
    """A 60-property demo borough, synced as the benchmark syncs it, and its applicants."""
    files = write_feeds(
        tmp_path, scale=0.0001, seed=1, feeds=("properties", "people"), today=FEEDS_DAY
    )
    for feed in ("properties", "people"):
        run = sync(feed, files[feed].read_bytes())
        assert run.status == "applied", run.report
    borough = bench.read_borough(tmp_path, today=timezone.localdate())
    return bench.draw_applicants(
        borough, count=APPLICANTS, seed=1, permits_per_household=3, lookup=_lookup
    )


def _always(outcome):
    def decide(**facts):
        return dataclasses.replace(eligibility.decide(**facts), outcome=outcome)

    return decide


def test_the_rules_make_no_wrong_automatic_outcome_on_the_tiny_borough(cases):
    judged = bench.judge(bench.decide_all(cases))

    assert judged.wrong_approvals == []
    assert judged.wrong_refusals == []
    assert all(judged.outcomes[outcome] > 0 for outcome in bench.OUTCOME_LABELS)


def test_approving_everyone_is_reported_as_wrong_approvals(cases):
    decided = bench.decide_all(cases, decide=_always(eligibility.DecisionOutcome.APPROVED))
    judged = bench.judge(decided)

    should_not = [case for case in cases if case.expected != bench.APPROVED]
    assert len(judged.wrong_approvals) == len(should_not) > 0
    assert {"typo", "former", "neighbour", "namesake"} <= {
        item.case.kind for item in judged.wrong_approvals
    }
    assert judged.wrong_refusals == []
    assert "WRONG approval: applicant" in bench.report(judged, decided)


def test_refusing_everyone_is_reported_as_wrong_refusals(cases):
    judged = bench.judge(
        bench.decide_all(cases, decide=_always(eligibility.DecisionOutcome.NOT_ELIGIBLE))
    )

    should_not = [case for case in cases if case.expected != bench.REFUSED]
    assert len(judged.wrong_refusals) == len(should_not) > 0
    assert "exact" in {item.case.kind for item in judged.wrong_refusals}


def test_a_typo_is_always_a_different_name():
    rng = bench.random.Random(3)
    for name in ["O'Brien", "van der Berg", "Nguyễn", "Li", "Smith-Jones", "Weiß"]:
        for _ in range(50):
            typed = bench._typo(rng, name)
            assert bench._fold(typed) != bench._fold(name), (name, typed)
