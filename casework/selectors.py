"""The contact centre's reads: the audit log, and a case put together from the public reads of
records, balances and parking with the case's notes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from balances.models import COUNCIL_TAX_ACCOUNT_VIEW, COUNCIL_TAX_LEDGER_VIEW
from balances.selectors import AccountSummary, accounts_for_case
from hackney_portal.personal_data import Section, section
from parking.eligibility import Decision, Outcome, Rule
from parking.models import EvidenceFile, Permit, PermitApplication
from parking.selectors import (
    MatchedAccount,
    accounts_matched_to_person,
    application_for_review,
    application_reference_for_search,
    applications_at_properties,
    applications_waiting_for_review,
    permit_number_for_search,
    permits_at_properties,
    permits_flagged,
)
from records.selectors import (
    OccupancyHistory,
    PersonDetails,
    PropertyDetails,
    occupancy_history,
    person_by_ref,
    property_by_uprn,
)

from .models import AuditEntry, CaseNote

AUDIT_ENTRIES_PER_PAGE = 50


def audit_entries(
    *,
    staff_email: str = "",
    resident: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, newest first, narrowed by who (their email address, any case), which
    resident (a person reference, a UPRN when it is a number, or an application or permit
    number in any case or spacing: every look at, decision on or search for it) and which
    London days (inclusive)."""
    entries = AuditEntry.objects.all()
    if staff_email:
        entries = entries.filter(actor_email__iexact=staff_email.strip())
    resident = resident.strip()
    if resident:
        about = Q(person_ref=resident)
        if resident.isdigit():
            about |= Q(uprn=int(resident))
        reference = application_reference_for_search(resident) or permit_number_for_search(resident)
        if reference:
            # Entries about one application or permit name it first in their subject.
            about |= Q(subject__startswith=reference)
        entries = entries.filter(about)
    if date_from:
        entries = entries.filter(at__gte=_start_of(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of(date_to + timedelta(days=1)))
    return entries.order_by("-at", "-id")


def audit_entries_page(*, page: str | int | None, **filters) -> Page:
    """One page of audit_entries (a number out of range gives the last page)."""
    return Paginator(audit_entries(**filters), AUDIT_ENTRIES_PER_PAGE).get_page(page)


def _start_of(day: date) -> datetime:
    """Midnight at the start of a London day, as an aware time."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- The case view ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSeen:
    """One eligibility rule's result in a decision, for staff."""

    title: str
    outcome: str
    tag: str  # the lbh-tag modifier for the outcome
    reason: str
    relied_on: tuple[tuple[str, str], ...]  # (what, value): the records and runs it used
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ApplicationSeen:
    application: PermitApplication
    rules: tuple[RuleSeen, ...]
    rules_version: str
    evidence_needed: tuple[str, ...]
    evidence_files: tuple[EvidenceFile, ...]
    officer: OfficerDecision | None = None
    # The decision page only: other portal accounts matched to the person the rules matched
    # this applicant to (issue 16, "someone else's name"), read live.
    other_accounts: tuple[MatchedAccount, ...] = ()


@dataclass(frozen=True)
class OfficerDecision:
    """A parking officer's decision on an application the rules left for a person."""

    approved: bool
    reason: str
    by: str  # the officer's email address at the time
    at: datetime


def officer_decision(application: PermitApplication) -> OfficerDecision | None:
    """The officer's decision kept beside the rules' in the application's decision, if any."""
    made = (application.decision or {}).get("officer")
    if not made:
        return None
    return OfficerDecision(
        approved=made["outcome"] == "approved",
        reason=made["reason"],
        by=made["by"],
        at=datetime.fromisoformat(made["at"]),
    )


@dataclass(frozen=True)
class Event:
    """One thing that happened, for the case's timeline."""

    when: datetime
    day_only: bool  # the records give a date, not a time
    kind: str  # "lived", "council tax", "parking", "note"
    text: str


@dataclass(frozen=True)
class Case:
    """Everything the case view shows about a person or a property. `accounts` is None when the
    member of staff may not see council tax accounts."""

    kind: str  # "person" or "property"
    key: str  # the person reference or the UPRN
    person: PersonDetails | None
    property: PropertyDetails | None
    occupancies: tuple[OccupancyHistory, ...]
    uprns: tuple[int, ...]  # the properties the case covers
    accounts: tuple[AccountSummary, ...] | None
    applications: tuple[ApplicationSeen, ...]
    permits: tuple[Permit, ...]  # with their events and refunds
    notes: tuple[CaseNote, ...]
    timeline: tuple[Event, ...]
    today: date

    @property
    def current_occupancies(self) -> tuple[OccupancyHistory, ...]:
        return tuple(item for item in self.occupancies if item.current)

    @property
    def former_occupancies(self) -> tuple[OccupancyHistory, ...]:
        return tuple(item for item in self.occupancies if not item.current)


RULE_TITLES = {
    Rule.ADDRESS: "Address in the gazetteer",
    Rule.ZONE: "Parking zone",
    Rule.PERMIT_FREE: "Car-free development",
    Rule.LIVES_THERE: "Lives at the address",
    Rule.LIMITS: "Permits already held",
    Rule.VEHICLE: "Vehicle",
    Rule.FRESHNESS: "Records up to date",
}
OUTCOME_TAGS = {
    Outcome.PASS: ("Met", "lbh-tag--green"),
    Outcome.FAIL: ("Not met", "lbh-tag--red"),
    Outcome.UNKNOWN: ("Unknown: a person decides", "lbh-tag--yellow"),
}
EVIDENCE_LABELS = dict(EvidenceFile.Kind.choices)
# What a rule relied on, named for staff (parking.eligibility's keys; others are spelled out).
RELIED_ON_LABELS = {
    "uprn": "UPRN",
    "cpz_zone": "Zone",
    "person_ref": "Person",
    "matched_to_another_account": "Matched to another portal account",
    "people_checked": "People checked",
    "properties_sync_run": "Properties sync run",
    "people_sync_run": "People sync run",
}


def case_for_person(*, person_ref: str, user, today: date) -> Case | None:
    """A person's case: them, where they live and lived, their household, the council tax
    accounts at their homes or that they lead, the permit applications for their homes, notes
    on them or their homes. None when the people records have no such person. A fixed number
    of queries whatever the size of the case."""
    person = person_by_ref(person_ref=person_ref)
    if person is None:
        return None
    occupancies = occupancy_history(person_ref=person_ref)
    uprns = _homes(occupancies, person_ref)
    notes = Q(person_ref=person_ref) | Q(uprn__in=uprns)
    return _case(
        "person", person_ref, person, None, occupancies, uprns, person_ref, notes, user, today
    )


def case_for_property(*, uprn: int, user, today: date) -> Case | None:
    """A property's case: the property, who lives and lived there and which records say so, its
    council tax accounts, permit applications and notes. None when the gazetteer has never
    listed it. A fixed number of queries whatever the size of the case."""
    found = property_by_uprn(uprn=uprn)
    if found is None:
        return None
    occupancies = occupancy_history(uprn=uprn)
    return _case(
        "property", str(uprn), None, found, occupancies, (uprn,), "", Q(uprn=uprn), user, today
    )


def _case(kind, key, person, found, occupancies, uprns, lead_ref, notes_where, user, today):
    accounts = None
    if user.has_perm(COUNCIL_TAX_ACCOUNT_VIEW):
        full = user.has_perm(COUNCIL_TAX_LEDGER_VIEW)
        accounts = tuple(
            accounts_for_case(
                uprns=uprns,
                person_ref=lead_ref,
                today=today,
                with_ledger=full,
                with_link_attempts=full,
            )
        )
    applications = tuple(_application_seen(a) for a in applications_at_properties(uprns=uprns))
    permits = tuple(permits_at_properties(uprns=uprns, person_ref=lead_ref))
    notes = tuple(CaseNote.objects.filter(notes_where).select_related("author"))
    return Case(
        kind=kind,
        key=key,
        person=person,
        property=found,
        occupancies=tuple(occupancies),
        uprns=uprns,
        accounts=accounts,
        applications=applications,
        permits=permits,
        notes=notes,
        timeline=_timeline(occupancies, accounts or (), applications, permits, notes),
        today=today,
    )


def _application_seen(application: PermitApplication) -> ApplicationSeen:
    decision = Decision.from_json(application.decision)
    return ApplicationSeen(
        application=application,
        rules=tuple(
            RuleSeen(
                title=RULE_TITLES[result.rule],
                outcome=OUTCOME_TAGS[result.outcome][0],
                tag=OUTCOME_TAGS[result.outcome][1],
                reason=result.reason,
                relied_on=tuple(
                    (RELIED_ON_LABELS.get(what, what.replace("_", " ").capitalize()), _plain(value))
                    for what, value in result.relied_on.items()
                ),
                evidence=tuple(EVIDENCE_LABELS[item] for item in result.evidence),
            )
            for result in decision.rules
        ),
        rules_version=decision.rules_version,
        evidence_needed=tuple(EVIDENCE_LABELS[item] for item in decision.evidence_needed),
        evidence_files=tuple(application.evidence_files.all()),
        officer=officer_decision(application),
    )


REVIEW_PER_PAGE = 20


def review_queue_page(*, page: str | int | None) -> Page:
    """A page of the parking officer's review queue (those with proof first, the oldest proof
    first; then those waiting for proof, oldest first): each application as the case
    view shows it (its rules, the unknown ones' reasons, its evidence). Three queries whatever
    the queue's length: the count, the page, its evidence files."""
    paginator = Paginator(applications_waiting_for_review(), REVIEW_PER_PAGE)
    found = paginator.get_page(page)
    found.object_list = [_application_seen(application) for application in found.object_list]
    return found


FLAGGED_PER_PAGE = 25


def flagged_permits_page(*, page: str | int | None) -> Page:
    """A page of the active permits flagged for a parking officer, oldest flag first, with
    their holders' portal accounts. Two queries whatever the list's length: the count, the
    page."""
    return Paginator(permits_flagged(), FLAGGED_PER_PAGE).get_page(page)


def application_for_decision(*, reference: str) -> ApplicationSeen | None:
    """One application for the parking officer's decision page, with the other portal accounts
    matched to the person its lives-there rule matched, whether the rule passed or was held for
    a person because of them: a person is matched automatically to one account only, and the
    officer decides which is genuine. Read live (parking.selectors.accounts_matched_to_person),
    so an account matched since is shown too, and no email address is kept in a decision."""
    try:
        application = application_for_review(reference=reference)
    except PermitApplication.DoesNotExist:
        return None
    seen = _application_seen(application)
    rules = {rule["rule"]: rule for rule in application.decision.get("rules", [])}
    person_ref = rules.get(Rule.LIVES_THERE, {}).get("relied_on", {}).get("person_ref", "")
    if not person_ref:
        return seen
    others = accounts_matched_to_person(person_ref=person_ref, excluding_user=application.user)
    return replace(seen, other_accounts=tuple(others))


def _plain(value) -> str:
    """A relied-on value as text: lists joined, records as "key value" pairs."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k.replace('_', ' ')} {_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(_plain(item) for item in value)
    return str(value)


def _timeline(occupancies, accounts, applications, permits, notes) -> tuple[Event, ...]:
    """What happened, newest first, from what the case already holds (no more queries)."""
    events: list[Event] = []

    def on(day: date, kind: str, text: str) -> None:
        events.append(Event(_start_of(day), True, kind, text))

    for item in occupancies:
        who, where = item.person.name, item.address.label
        source = item.source.label.lower()
        on(item.occupied_from, "lived", f"{who}: {item.role.label.lower()} at {where} ({source})")
        if item.occupied_to:
            on(item.occupied_to, "lived", f"{who}: last day at {where} ({source})")
        if item.ended_at:
            events.append(
                Event(
                    item.ended_at,
                    False,
                    "lived",
                    f"{who} at {where}: no longer in the {source} records",
                )
            )
    for account in accounts:
        on(account.opened_on, "council tax", f"Council tax account {account.account_ref} opened")
        if account.closed_on:
            on(
                account.closed_on,
                "council tax",
                f"Council tax account {account.account_ref} closed",
            )
        for link in account.links:
            events.append(
                Event(
                    link.linked_at,
                    False,
                    "council tax",
                    f"{link.email} linked council tax account {account.account_ref}",
                )
            )
    for seen in applications:
        application = seen.application
        events.append(
            Event(
                application.submitted_at,
                False,
                "parking",
                f"Permit application {application.reference} for {application.registration}: "
                f"{application.get_status_display().lower()}",
            )
        )
        for item in seen.evidence_files:
            events.append(
                Event(
                    item.uploaded_at,
                    False,
                    "parking",
                    f"{EVIDENCE_LABELS[item.kind]} sent for {application.reference}",
                )
            )
    for permit in permits:
        for event in permit.events.all():
            text = f"Permit {permit.number}: {event.description}"
            if event.by:
                text += f" (by {event.by.email})"
            events.append(Event(event.at, False, "parking", text))
    for note in notes:
        events.append(Event(note.created_at, False, "note", f"Note by {note.author.email}"))
    return tuple(sorted(events, key=lambda event: event.when, reverse=True))


def case_exists(*, person_ref: str | None = None, uprn: int | None = None) -> bool:
    """Whether the records know this person or property (one query)."""
    if person_ref is not None:
        return person_by_ref(person_ref=person_ref) is not None
    return property_by_uprn(uprn=uprn) is not None


def case_uprns(*, person_ref: str) -> tuple[int, ...]:
    """The properties a person's case covers: the homes they live at now (one query)."""
    return _homes(occupancy_history(person_ref=person_ref), person_ref)


def _homes(occupancies, person_ref: str) -> tuple[int, ...]:
    """The properties a person's current records place them at, each once."""
    return tuple(
        dict.fromkeys(
            item.address.uprn
            for item in occupancies
            if item.current and item.person.person_ref == person_ref
        )
    )


def assisted_start_entry(*, reference: str) -> AuditEntry | None:
    """The latest start (or carrying on) of an assisted application: whose case it was made
    from and why, for the audit entries of its submission and of later looks at it."""
    return (
        AuditEntry.objects.filter(action=AuditEntry.Action.ASSISTED_START, subject=reference)
        .order_by("-at", "-id")
        .first()
    )


def audit_entry_exists(*, action: str, subject: str, since: datetime) -> bool:
    """Whether the log holds this entry from `since` on (an outcome recorded once, however many
    times the page that learns it is loaded). `since` keeps the read to the recent end of the
    log, through its index on the time."""
    return AuditEntry.objects.filter(at__gte=since, action=action, subject=subject).exists()


def assisted_application_seen(*, application: PermitApplication) -> ApplicationSeen:
    """A submitted assisted application as the staff pages show it."""
    return _application_seen(application)


# --- A resident's own data, for "Your data" (personal_data app) ------------------------------

# Staff act in casework's tables (AuditEntry.actor, CaseNote.author); a resident's part of them
# is found by the records and references that are theirs, below (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("casework.AuditEntry", "casework.CaseNote")


def personal_data_for(*, user) -> list[Section]:
    """Every time a member of staff looked at or acted on the resident's case, one of their
    applications or permits: when, which team and the reason given (never who); and the notes
    staff wrote on their case. A resident's case is the council records their applications and
    permits were matched to."""
    person_refs = {
        ref
        for ref in (
            *PermitApplication.objects.filter(user=user).values_list(
                "matched_person_ref", flat=True
            ),
            *Permit.objects.filter(user=user).values_list("person_ref", flat=True),
        )
        if ref
    }
    references = [
        *PermitApplication.objects.filter(user=user).values_list("reference", flat=True),
        *Permit.objects.filter(user=user).values_list("number", flat=True),
    ]
    about_them = Q(person_ref__in=person_refs)
    for reference in references:
        # Subjects are the reference alone or "reference: what happened".
        about_them |= Q(subject=reference) | Q(subject__startswith=f"{reference}:")
    looks = (
        AuditEntry.objects.filter(about_them)
        .select_related("actor")
        .prefetch_related("actor__groups")
        .order_by("at", "id")
    )
    notes = (
        CaseNote.objects.filter(person_ref__in=person_refs)
        .select_related("author")
        .prefetch_related("author__groups")
        .order_by("created_at", "id")
    )
    return [
        section(
            "staff_access",
            "When council staff looked at your case",
            "Every time a member of the council's staff looked at or acted on your case, an "
            "application or a permit of yours: when, which team, and the reason they gave.",
            looks,
            {
                "When": "at",
                "Team": lambda entry: _team(entry.actor),
                "What": lambda entry: entry.get_action_display(),
                "About": lambda entry: entry.subject or "Your case",
                "Reason given": "reason",
            },
        ),
        section(
            "case_notes",
            "Notes on your case",
            "Notes the council's staff wrote on your case.",
            notes,
            {
                "When": "created_at",
                "Team": lambda note: _team(note.author),
                "Note": "text",
            },
        ),
    ]


def _team(user) -> str:
    names = sorted(group.name.replace("_", " ").capitalize() for group in user.groups.all())
    return ", ".join(names) or "Council staff"


# --- For the analysts (insights): totals only, never who looked at what ------------------------


def case_views_by_week(*, since: datetime) -> list[tuple[date, int]]:
    """(London week's Monday, cases viewed by staff) since `since`, counted from the audit log
    in one grouped query: the contact centre's work the balance page may take over."""
    rows = (
        AuditEntry.objects.filter(action=AuditEntry.Action.CASE_VIEW, at__gte=since)
        .annotate(week=TruncWeek("at"))
        .values_list("week")
        .annotate(views=Count("id"))
        .order_by("week")
    )
    return [(timezone.localtime(week).date(), views) for week, views in rows]
