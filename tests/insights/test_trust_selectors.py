"""The aggregate reads behind "How far to trust the data" and "Channel shift", each over a small
known data set with its answer worked out by hand below: records' runs and their rejections by
week, parking's applications by channel and decision, casework's case views and balances' daily
page counts. A week is a London week from its Monday."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from balances.models import PageViewCount
from balances.selectors import page_views_by_week
from balances.services import page_view_count
from casework.models import AuditEntry
from casework.selectors import case_views_by_week
from parking.eligibility import Decision, DecisionOutcome, Evidence, Outcome, Rule, RuleResult
from parking.models import PermitApplication
from parking.selectors import (
    ApplicantMatching,
    ApplicationsWeek,
    applicant_matching,
    applications_by_week,
    decisions_to_a_person_by_rule,
)
from records.models import SyncRun
from records.selectors import sync_quality_by_run, sync_rejections_by_week
from tests.factories import UserFactory, make_staff
from tests.records.syncing import PEOPLE_HEADER, sync

# Also on the demo's SQLite (make pytest-embedded): its queries are written for both.
pytestmark = pytest.mark.embedded
LONDON = ZoneInfo("Europe/London")
SINCE = datetime(2026, 11, 2, tzinfo=LONDON)  # a Monday
WEEK_1, WEEK_2 = date(2026, 11, 2), date(2026, 11, 9)


def at(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


# --- records: each run's rows, and rejections by reason and week ------------------------------


def run(feed, finished_at, read, rejections, *, status=SyncRun.Status.APPLIED, dry_run=False):
    """A finished run as the pipeline leaves it: its counts and its report's rejections (the
    shape of records.results.Report.as_json), most frequent first."""
    return SyncRun.objects.create(
        feed=feed,
        file_name=f"{feed}.csv",
        file_path=f"record-feeds/{feed}.csv",
        checksum="0" * 64,
        started_by_label="test",
        status=status,
        dry_run=dry_run,
        finished_at=finished_at,
        rows_read=read,
        rows_rejected=sum(count for _reason, count in rejections),
        report={
            "rejections": [
                {"reason": reason, "count": count, "examples": []} for reason, count in rejections
            ]
        },
    )


@pytest.fixture
def runs(db):
    made = {
        "a": run("people", at(2), 100, [("bad date", 3), ("unknown uprn", 2)]),
        "b": run("people", at(4), 200, [("bad date", 4)], status=SyncRun.Status.HELD),
        "c": run("people", at(10), 50, [("unknown uprn", 1)]),
    }
    # Not counted: a dry run, a failed run, another feed's run, a run before the weeks.
    run("people", at(10), 50, [("bad date", 50)], dry_run=True)
    run("people", at(11), 0, [], status=SyncRun.Status.FAILED)
    run("properties", at(10), 10, [("bad date", 9)])
    run("people", at(1, 23, 59), 10, [("bad date", 10)])
    return made


def test_each_run_of_a_feed_is_read_with_its_rows_oldest_first(runs):
    found = [
        (q.run_id, q.rows_read, q.rows_rejected)
        for q in sync_quality_by_run(since=SINCE, feed="people")
    ]
    assert found == [(runs["a"].pk, 100, 5), (runs["b"].pk, 200, 4), (runs["c"].pk, 50, 1)]


def test_every_feeds_runs_are_read_when_no_feed_is_named(runs):
    found = [q.feed for q in sync_quality_by_run(since=SINCE)]
    assert found == ["people", "people", "people", "properties"]


def test_rejections_are_summed_by_reason_and_week(runs):
    # Week 1: bad date 3 (a) + 4 (b) = 7, unknown uprn 2 (a); week 2: unknown uprn 1 (c).
    assert sync_rejections_by_week(feed="people", since=SINCE) == [
        (WEEK_1, "bad date", 7),
        (WEEK_1, "unknown uprn", 2),
        (WEEK_2, "unknown uprn", 1),
    ]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the demo's SQLite weeks by the UTC day"
)
def test_a_run_just_after_midnight_in_summer_time_is_in_the_londoners_new_week(db):
    # 23:30 UTC on Sunday 7 June is 00:30 on Monday 8 June in London.
    run("people", datetime(2026, 6, 7, 23, 30, tzinfo=UTC), 10, [("bad date", 1)])
    since = datetime(2026, 6, 1, tzinfo=LONDON)
    assert sync_rejections_by_week(feed="people", since=since) == [
        (date(2026, 6, 8), "bad date", 1)
    ]


def test_rejections_of_a_real_run_are_summed_from_its_report(db):
    bad = "P9,30001,,Ann,Other,not-a-date,liable,,2020-01-01,"
    good = "P8,30001,,Bo,Other,1980-01-01,liable,,2020-01-01,"
    done = sync("people", "\n".join([PEOPLE_HEADER, bad, bad.replace("P9", "P7"), good]) + "\n")
    reasons = [entry["reason"] for entry in done.report["rejections"]]
    found = sync_rejections_by_week(feed="people", since=SINCE)
    # Whatever the pipeline's reasons, the sums are its report's (and there are some).
    assert reasons and [(reason, rows) for _week, reason, rows in found] == [
        (entry["reason"], entry["count"]) for entry in done.report["rejections"]
    ]


# --- parking: applications by channel and by decision, matching, decisions left to a person ----


def decision(outcome, *unknown: tuple[Rule, Evidence]) -> dict:
    rules = [RuleResult(Rule.ADDRESS, Outcome.PASS, "Your address is listed.", {})] + [
        RuleResult(rule, Outcome.UNKNOWN, "A person will check.", {}, (evidence,))
        for rule, evidence in unknown
    ]
    evidence = [evidence for _rule, evidence in unknown]
    return Decision(outcome, rules, "test-rules", evidence).as_json()


def application(submitted_at, outcome, *unknown, by=None, matched="", officer=False):
    made = decision(outcome, *unknown)
    if officer:
        made["officer"] = {"outcome": "approved", "reason": "V5C seen", "at": "2026-11-07"}
    status = {
        DecisionOutcome.APPROVED: PermitApplication.Status.APPROVED,
        DecisionOutcome.NOT_ELIGIBLE: PermitApplication.Status.NOT_ELIGIBLE,
        DecisionOutcome.NEEDS_EVIDENCE: PermitApplication.Status.NEEDS_EVIDENCE,
    }[outcome]
    return PermitApplication.objects.create(
        user=UserFactory(),
        made_by=by,
        status=PermitApplication.Status.APPROVED if officer else status,
        registration="LB19PET",
        decision=made,
        matched_person_ref=matched,
        submitted_at=submitted_at,
    )


@pytest.fixture
def applications(db):
    agent = make_staff("contact_centre_agent")
    vehicle = (Rule.VEHICLE, Evidence.V5C)
    lives = (Rule.LIVES_THERE, Evidence.PROOF_OF_ADDRESS)
    approved, refused = DecisionOutcome.APPROVED, DecisionOutcome.NOT_ELIGIBLE
    waiting = DecisionOutcome.NEEDS_EVIDENCE
    # Week 1: online and approved by the rules, matched; by the contact centre and refused by
    # the rules; online, left to a person (the vehicle) and decided by an officer.
    application(at(2, 9), approved, matched="P1")
    application(at(5), refused, by=agent)
    application(at(6), waiting, vehicle, officer=True)
    # Week 2: by the contact centre, left to a person (two rules), not decided yet, sent just
    # after the week began; online and approved late on its Sunday, matched.
    application(at(9, 0, 30), waiting, lives, vehicle, by=agent)
    application(at(15, 23, 30), approved, matched="P5")
    # Not counted: sent the Sunday before the weeks; a draft.
    application(at(1, 23, 59), approved, matched="P6")
    PermitApplication.objects.create(user=UserFactory())


def test_applications_are_counted_by_week_channel_and_who_decided(applications):
    assert applications_by_week(since=SINCE) == [
        ApplicationsWeek(
            WEEK_1, online=2, contact_centre=1, automatic=2, to_a_person=1, decided_by_officer=1
        ),
        ApplicationsWeek(
            WEEK_2, online=1, contact_centre=1, automatic=1, to_a_person=1, decided_by_officer=0
        ),
    ]


def test_applicants_the_records_matched_are_counted(applications):
    assert applicant_matching(since=SINCE) == ApplicantMatching(submitted=5, matched=2)


def test_decisions_left_to_a_person_are_counted_by_rule_and_evidence(applications):
    # The vehicle: the week-1 officer's one and the week-2 one; lives there: the week-2 one.
    assert decisions_to_a_person_by_rule(since=SINCE) == [
        ("vehicle", ("v5c",), 2),
        ("lives_there", ("proof_of_address",), 1),
    ]


# --- casework: cases viewed by staff ------------------------------------------------------------


def test_case_views_are_counted_by_week(db):
    agent = make_staff("contact_centre_agent")

    def entry(when, action=AuditEntry.Action.CASE_VIEW):
        AuditEntry.objects.create(
            at=when, actor=agent, actor_email=agent.email, action=action, ip_address="127.0.0.1"
        )

    for when in (at(2), at(3), at(8, 23, 59)):
        entry(when)
    entry(at(9, 0, 1))
    entry(at(3), AuditEntry.Action.SEARCH)  # not a case view
    entry(at(1, 23, 59))  # before the weeks
    assert case_views_by_week(since=SINCE) == [(WEEK_1, 3), (WEEK_2, 1)]


def test_a_case_viewed_just_after_midnight_in_summer_time_is_in_the_londoners_new_week(db):
    agent = make_staff("contact_centre_agent")
    AuditEntry.objects.create(
        at=datetime(2026, 6, 7, 23, 30, tzinfo=UTC),  # 00:30 on Monday 8 June in London
        actor=agent,
        actor_email=agent.email,
        action=AuditEntry.Action.CASE_VIEW,
        ip_address="127.0.0.1",
    )
    since = datetime(2026, 6, 1, tzinfo=LONDON)
    assert case_views_by_week(since=since) == [(date(2026, 6, 8), 1)]


# --- balances: the balance page's daily count -----------------------------------------------------


def test_balance_page_counts_are_summed_by_week(db):
    shown = {date(2026, 11, 1): 1, date(2026, 11, 3): 3, date(2026, 11, 8): 2, date(2026, 11, 9): 4}
    for day, times in shown.items():
        for _ in range(times):
            page_view_count(page=PageViewCount.Page.BALANCE, day=day)
    # Week 1: 3 (Tuesday) + 2 (Sunday); week 2: 4. The Sunday before is not counted.
    assert page_views_by_week(page=PageViewCount.Page.BALANCE, since=WEEK_1) == [
        (WEEK_1, 5),
        (WEEK_2, 4),
    ]
