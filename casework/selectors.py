"""Reads of the contact centre's own records: the audit log and case notes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEntry

AUDIT_ENTRIES_PER_PAGE = 50


def audit_entries(
    *,
    staff_email: str = "",
    resident: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit log, newest first, narrowed by who (their email address, any case), which
    resident (a person reference, or a UPRN when it is a number) and which London days
    (inclusive)."""
    entries = AuditEntry.objects.all()
    if staff_email:
        entries = entries.filter(actor_email__iexact=staff_email.strip())
    resident = resident.strip()
    if resident:
        about = Q(person_ref=resident)
        if resident.isdigit():
            about |= Q(uprn=int(resident))
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
