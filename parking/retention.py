"""Parking's part of the retention schedule (docs/retention.md): drafts never sent, proof files,
refused and lapsed applications, payments never turned into a permit, and permits with their
payments, refunds, history and moves. `retention_enforce` deletes what is past its period, a
batch at a time; what must stay because a record the council keeps points at it (a payment on a
lapsed application) is anonymised instead. A second run the same day finds nothing."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from hackney_portal.retention import cutoff, day_start, financial_year_cutoff, in_batches

from .models import (
    EvidenceFile,
    Payment,
    Permit,
    PermitApplication,
    PermitEvent,
    PermitMove,
    Refund,
    SimulatedPayment,
)

Status = PermitApplication.Status
# How an application ends without a permit; its last change (updated_at) is when it did.
CLOSED = (Status.NOT_ELIGIBLE, Status.LAPSED, Status.WITHDRAWN, Status.CLOSED_NO_PROOF)


def retention_enforce(*, today: date, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """Everything of parking's past its period on `today`; returns how many of each kind went
    (or, in a dry run, would go)."""
    counts = {}
    counts["evidence_files"] = _evidence_files(today, batch_size, dry_run)
    counts["drafts"] = _drafts(today, batch_size, dry_run)
    # Before the applications: a payment gone lets its lapsed application go too.
    counts["payments"] = _unissued_payments(today, batch_size, dry_run)
    deleted, anonymised = _closed_applications(today, batch_size, dry_run)
    counts["closed_applications_deleted"] = deleted
    counts["closed_applications_anonymised"] = anonymised
    counts["permits"] = _permits(today, batch_size, dry_run)
    return counts


# --- Files ------------------------------------------------------------------------------------


def _delete_evidence(ids: list) -> None:
    """Delete the rows, then their files once the deletion has committed (a rollback keeps both)."""
    names = list(EvidenceFile.objects.filter(pk__in=ids).values_list("storage_name", flat=True))
    EvidenceFile.objects.filter(pk__in=ids).delete()
    for name in names:
        transaction.on_commit(lambda name=name: default_storage.delete(name))


def _evidence_files(today, batch_size, dry_run) -> int:
    """Proof files RETENTION_EVIDENCE_DAYS after their application was decided, withdrawn or
    closed (its last change); never while it still waits for a person."""
    due = EvidenceFile.objects.exclude(
        application__status__in=[Status.DRAFT, Status.NEEDS_EVIDENCE]
    ).filter(application__updated_at__lt=cutoff(today=today, days=settings.RETENTION_EVIDENCE_DAYS))
    return in_batches(due, batch_size=batch_size, dry_run=dry_run, act=_delete_evidence)


# --- Applications -----------------------------------------------------------------------------


def _drafts(today, batch_size, dry_run) -> int:
    """Applications never sent, RETENTION_DRAFT_DAYS after their last change."""
    due = PermitApplication.objects.drafts().filter(
        updated_at__lt=cutoff(today=today, days=settings.RETENTION_DRAFT_DAYS)
    )
    return in_batches(due, batch_size=batch_size, dry_run=dry_run)


def _without_personal_data(decision: dict) -> dict:
    """The decision's outcome and each rule's outcome and reason stay; the records each rule
    relied on, and what a parking officer wrote or chose, go."""
    kept = dict(decision or {})
    kept["rules"] = [{**rule, "relied_on": {}} for rule in kept.get("rules", [])]
    if "officer" in kept:
        officer = {k: v for k, v in kept["officer"].items() if k in ("outcome", "at")}
        kept["officer"] = {**officer, "reason": "", "by": "", "by_id": None}
    return kept


def _anonymise(ids: list) -> None:
    now = timezone.now()
    for application in PermitApplication.objects.filter(pk__in=ids).only("pk", "decision"):
        PermitApplication.objects.filter(pk=application.pk).update(
            postcode="",
            uprn=None,
            address="",
            address_lines={},
            first_name="",
            last_name="",
            first_name_key="",
            last_name_key="",
            date_of_birth=None,
            registration="",
            vehicle=None,
            matched_person_ref="",
            decision=_without_personal_data(application.decision),
            anonymised_at=now,
        )


def _delete_applications(ids: list) -> None:
    evidence = list(EvidenceFile.objects.filter(application__in=ids).values_list("pk", flat=True))
    if evidence:
        _delete_evidence(evidence)
    PermitApplication.objects.filter(pk__in=ids).delete()


def _closed_applications(today, batch_size, dry_run) -> tuple[int, int]:
    """Refused, lapsed, withdrawn and closed applications RETENTION_CLOSED_APPLICATION_DAYS
    after they ended: deleted, or anonymised while a payment (kept for the accounts) points at
    one. An anonymised one is deleted once its payments have gone."""
    paid = Payment.objects.filter(application=OuterRef("pk"))
    due = PermitApplication.objects.filter(
        status__in=CLOSED,
        updated_at__lt=cutoff(today=today, days=settings.RETENTION_CLOSED_APPLICATION_DAYS),
    ).annotate(paid=Exists(paid))
    deleted = in_batches(
        due.filter(paid=False), batch_size=batch_size, dry_run=dry_run, act=_delete_applications
    )
    anonymised = in_batches(
        due.filter(paid=True, anonymised_at__isnull=True),
        batch_size=batch_size,
        dry_run=dry_run,
        act=_anonymise,
    )
    return deleted, anonymised


# --- Money ------------------------------------------------------------------------------------


def _money_due(today) -> tuple[date, object]:
    """The first day kept, and its start, for the payments period."""
    first_kept = financial_year_cutoff(today=today, years=settings.RETENTION_PAYMENT_YEARS)
    return first_kept, day_start(first_kept)


def _unissued_payments(today, batch_size, dry_run) -> int:
    """Payments for an application that never became a permit (declined, cancelled, or taken
    and refunded), with their refunds, RETENTION_PAYMENT_YEARS after the end of the financial
    year they were made in. Never one still in progress, or with a refund not yet settled."""
    _first_kept, start = _money_due(today)
    unsettled = Refund.objects.filter(payment=OuterRef("pk")).filter(
        ~Q(status=Refund.Status.SUCCESS) | Q(updated_at__gte=start)
    )
    due = Payment.objects.filter(
        purpose=Payment.Purpose.PERMIT,
        permit__isnull=True,
        created_at__lt=start,
        updated_at__lt=start,
    ).exclude(status__in=Payment.OPEN)
    due = due.exclude(Exists(unsettled)).exclude(
        Exists(Permit.objects.filter(application=OuterRef("application")))
    )

    def delete(ids):
        Refund.objects.filter(payment__in=ids).delete()
        provider_ids = Payment.objects.filter(pk__in=ids).values_list("provider_id", flat=True)
        # The demo's own payment page's record of it (empty with GOV.UK Pay).
        SimulatedPayment.objects.filter(payment_id__in=[p for p in provider_ids if p]).delete()
        Payment.objects.filter(pk__in=ids).delete()

    return in_batches(due, batch_size=batch_size, dry_run=dry_run, act=delete)


def _permits(today, batch_size, dry_run) -> int:
    """A permit with everything it is made of (its application, payments, refunds, history,
    moves, proof), RETENTION_PAYMENT_YEARS after the end of the financial year in which it
    ended (its last valid day, or the day it was cancelled), once nothing of it has moved since:
    no payment in progress, no refund unsettled or settled since."""
    first_kept, start = _money_due(today)
    ended = Q(status=Permit.Status.ACTIVE, valid_to__lt=first_kept) | Q(
        status=Permit.Status.CANCELLED, cancelled_at__lt=start
    )
    own_payments = Q(permit=OuterRef("pk")) | Q(application=OuterRef("application"))
    busy_payment = Payment.objects.filter(own_payments).filter(
        Q(status__in=Payment.OPEN) | Q(updated_at__gte=start)
    )
    busy_refund = Refund.objects.filter(
        Q(permit=OuterRef("pk")) | Q(payment__application=OuterRef("application"))
    ).filter(~Q(status=Refund.Status.SUCCESS) | Q(updated_at__gte=start))
    due = Permit.objects.filter(ended).exclude(Exists(busy_payment)).exclude(Exists(busy_refund))
    return in_batches(due, batch_size=batch_size, dry_run=dry_run, act=_delete_permits)


def _delete_permits(ids: list) -> None:
    applications = list(
        PermitApplication.objects.filter(permit__in=ids).values_list("pk", flat=True)
    )
    payments = list(
        Payment.objects.filter(Q(permit__in=ids) | Q(application__in=applications)).values_list(
            "pk", flat=True
        )
    )
    # A renewal names the permit it renewed; that permit going, the renewal stays, unlinked.
    PermitApplication.objects.filter(renews__in=ids).update(renews=None)
    # A permit and its payment point at each other (both PROTECT): untie them first.
    Permit.objects.filter(pk__in=ids).update(payment=None)
    PermitEvent.objects.filter(permit__in=ids).delete()
    PermitMove.objects.filter(permit__in=ids).delete()
    Refund.objects.filter(Q(permit__in=ids) | Q(payment__in=payments)).delete()
    provider_ids = Payment.objects.filter(pk__in=payments).values_list("provider_id", flat=True)
    SimulatedPayment.objects.filter(payment_id__in=[p for p in provider_ids if p]).delete()
    Payment.objects.filter(pk__in=payments).delete()
    Permit.objects.filter(pk__in=ids).delete()
    _delete_applications(applications)
