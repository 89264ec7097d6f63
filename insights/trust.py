"""How far to trust the data, and channel shift: the figures behind the quality and channels
pages, put together from the owning apps' aggregate selectors (records' runs, parking's
applications and decisions, balances' page counts, casework's audit log). Each selector is one
grouped query; here the weeks are lined up and the shares put into words.

A week is a London week, Monday first; the pages look back over WEEKS of them, this one
included (so this week's figures are so far)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from balances.models import PageViewCount
from balances.selectors import page_views_by_week
from casework.selectors import case_views_by_week
from parking.selectors import (
    ApplicantMatching,
    applicant_matching,
    applications_by_week,
    decisions_to_a_person_by_rule,
)
from records.models import SyncRun
from records.selectors import (
    RunQuality,
    feed_names,
    feeds_last_applied_at,
    sync_quality_by_run,
    sync_rejections_by_week,
)

WEEKS = 12
RUNS_ON_SUMMARY = 5  # the summary's rejection rate is over each feed's last few runs

# Why the rules left an application to a person, by the rule that could not decide. The rule's
# own reason is written to the resident (and may name their vehicle): these say it for a total.
RULE_WORDS = {
    "address": "the address is not in the council's address records as a home",
    "zone": "the parking zone could not be told from the address",
    "permit_free": "whether the home is permit-free could not be told",
    "lives_there": "the records could not place the applicant at the address",
    "limits": "the household's or the vehicle's permits could not be counted",
    "vehicle": "the vehicle could not be found or checked in the vehicle records",
    "freshness": "the council's records were too old to decide on",
}
EVIDENCE_WORDS = {"proof_of_address": "proof of address", "v5c": "the vehicle's V5C"}


def share(part: int, whole: int) -> str:
    """A share as people say it: "12%", "less than 1%" (as the what-ifs say theirs)."""
    if not whole or not part:
        return "0%"
    percent = round(100 * part / whole)
    if percent == 0:
        return "less than 1%"
    if percent == 100 and part != whole:
        return "more than 99%"
    return f"{percent}%"


def feed_slug(feed: str) -> str:
    return feed.replace("_", "-")


def feed_label(feed: str) -> str:
    return feed.replace("_", " ").capitalize()


def feed_of_slug(slug: str) -> str | None:
    """The feed a page's address names, or None for one that is not registered."""
    return next((feed for feed in feed_names() if feed_slug(feed) == slug), None)


def first_week(today: date) -> date:
    """The Monday WEEKS - 1 weeks before this week's: the first week the pages show."""
    return today - timedelta(days=today.weekday(), weeks=WEEKS - 1)


def weeks_from(monday: date) -> list[date]:
    return [monday + timedelta(weeks=n) for n in range(WEEKS)]


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- How far to trust the data -----------------------------------------------------------------


@dataclass(frozen=True)
class Freshness:
    last_applied: datetime | None  # None: never brought in
    days_old: int | None
    stale: bool  # older than the portal trusts for its own decisions (or never brought in)


def _freshness(last: datetime | None, now: datetime) -> Freshness:
    days = None if last is None else (now - last).days
    return Freshness(last, days, days is None or days > settings.RECORDS_MAX_AGE_DAYS)


@dataclass(frozen=True)
class Run:
    """One run as the pages show it: its rejected rows in words."""

    quality: RunQuality
    rejected_share: str

    @property
    def finished_at(self) -> datetime:
        return self.quality.finished_at

    @property
    def status_label(self) -> str:
        return SyncRun.Status(self.quality.status).label


def _run(quality: RunQuality) -> Run:
    return Run(quality, share(quality.rows_rejected, quality.rows_read))


@dataclass(frozen=True)
class FeedSummary:
    feed: str
    slug: str
    label: str
    freshness: Freshness
    runs: tuple[Run, ...]  # the last few, oldest first
    rows_read: int
    rows_rejected: int

    @property
    def rejected_share(self) -> str:
        return share(self.rows_rejected, self.rows_read)


@dataclass(frozen=True)
class PersonReason:
    rule: str
    why: str
    asked_for: str  # what the applicant was asked to send, in words ("" for nothing)
    applications: int
    share: str  # of every application submitted


@dataclass(frozen=True)
class QualitySummary:
    since: date
    feeds: tuple[FeedSummary, ...]
    matching: ApplicantMatching
    matched_share: str
    to_a_person: int
    to_a_person_share: str
    person_reasons: tuple[PersonReason, ...]


def quality_summary(*, now: datetime) -> QualitySummary:
    """Every feed's freshness and last runs, and the applications the records could match or
    had to leave to a person, over the pages' weeks: five queries, whatever the numbers."""
    since = first_week(timezone.localdate(now))
    last = feeds_last_applied_at(feeds=feed_names())
    runs: dict[str, list[RunQuality]] = {}
    for run in sync_quality_by_run(since=_start(since)):
        runs.setdefault(run.feed, []).append(run)
    feeds = []
    for feed in feed_names():
        recent = runs.get(feed, [])[-RUNS_ON_SUMMARY:]
        feeds.append(
            FeedSummary(
                feed=feed,
                slug=feed_slug(feed),
                label=feed_label(feed),
                freshness=_freshness(last.get(feed), now),
                runs=tuple(_run(run) for run in recent),
                rows_read=sum(run.rows_read for run in recent),
                rows_rejected=sum(run.rows_rejected for run in recent),
            )
        )
    matching = applicant_matching(since=_start(since))
    weeks = applications_by_week(since=_start(since))
    to_a_person = sum(week.to_a_person for week in weeks)
    reasons = tuple(
        PersonReason(
            rule=rule,
            why=RULE_WORDS.get(rule, rule.replace("_", " ")),
            asked_for=" and ".join(EVIDENCE_WORDS.get(item, item) for item in evidence),
            applications=count,
            share=share(count, matching.submitted),
        )
        for rule, evidence, count in decisions_to_a_person_by_rule(since=_start(since))
    )
    return QualitySummary(
        since=since,
        feeds=tuple(feeds),
        matching=matching,
        matched_share=share(matching.matched, matching.submitted),
        to_a_person=to_a_person,
        to_a_person_share=share(to_a_person, matching.submitted),
        person_reasons=reasons,
    )


@dataclass(frozen=True)
class ReasonWeek:
    week: date
    counts: tuple[int, ...]  # in the order of FeedQuality.reasons


@dataclass(frozen=True)
class FeedQuality:
    feed: str
    label: str
    since: date
    freshness: Freshness
    runs: tuple[Run, ...]  # oldest first
    reasons: tuple[tuple[str, int], ...]  # (reason, rows) over the weeks, most first
    weeks: tuple[ReasonWeek, ...]  # rows rejected by reason, week by week

    @property
    def rows_read(self) -> int:
        return sum(run.quality.rows_read for run in self.runs)

    @property
    def rows_rejected(self) -> int:
        return sum(run.quality.rows_rejected for run in self.runs)

    @property
    def rejected_share(self) -> str:
        return share(self.rows_rejected, self.rows_read)


def feed_quality(*, feed: str, now: datetime) -> FeedQuality:
    """One feed's runs over the pages' weeks and its rejections by reason, week by week: three
    queries, whatever the number of runs or rows."""
    since = first_week(timezone.localdate(now))
    last = feeds_last_applied_at(feeds=[feed]).get(feed)
    runs = tuple(_run(run) for run in sync_quality_by_run(since=_start(since), feed=feed))
    by_week: dict[date, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for week, reason, rows in sync_rejections_by_week(feed=feed, since=_start(since)):
        by_week.setdefault(week, {})[reason] = rows
        totals[reason] = totals.get(reason, 0) + rows
    reasons = tuple(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
    return FeedQuality(
        feed=feed,
        label=feed_label(feed),
        since=since,
        freshness=_freshness(last, now),
        runs=runs,
        reasons=reasons,
        weeks=tuple(
            ReasonWeek(week, tuple(by_week.get(week, {}).get(reason, 0) for reason, _ in reasons))
            for week in weeks_from(since)
        ),
    )


# --- Channel shift -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelWeek:
    week: date
    online: int
    contact_centre: int
    automatic: int
    to_a_person: int
    decided_by_officer: int
    balance_views: int
    case_views: int

    @property
    def applications(self) -> int:
        return self.online + self.contact_centre

    @property
    def online_share(self) -> str:
        return share(self.online, self.applications)

    @property
    def automatic_share(self) -> str:
        return share(self.automatic, self.applications)


def channels(*, now: datetime) -> tuple[ChannelWeek, ...]:
    """Week by week over the pages' weeks (none missing, a quiet week is zeros): applications
    online and by the contact centre, decided by the rules or left to a person, balance pages
    shown and cases viewed by staff. Three queries."""
    since = first_week(timezone.localdate(now))
    applications = {week.week: week for week in applications_by_week(since=_start(since))}
    balance = dict(page_views_by_week(page=PageViewCount.Page.BALANCE, since=since))
    cases = dict(case_views_by_week(since=_start(since)))
    rows = []
    for week in weeks_from(since):
        made = applications.get(week)
        rows.append(
            ChannelWeek(
                week=week,
                online=made.online if made else 0,
                contact_centre=made.contact_centre if made else 0,
                automatic=made.automatic if made else 0,
                to_a_person=made.to_a_person if made else 0,
                decided_by_officer=made.decided_by_officer if made else 0,
                balance_views=balance.get(week, 0),
                case_views=cases.get(week, 0),
            )
        )
    return tuple(rows)
