"""Emails to residents: queue one inside the transaction of the event it tells them about, send it
from a worker after that transaction commits, never twice.

Other apps call one function::

    from notifications.services import email_queue

    email_queue(
        event_key=f"permit-issued:{permit.reference}",
        to=user.email,
        template="parking/emails/permit_issued",
        context={"reference": permit.reference, "expires_on": "31 March 2027"},
        user=user,
    )

Sending (`notification_send`, run by notifications.tasks) claims the row before it calls the
provider, so a worker that dies half-way leaves a row in `sending` that the next attempt settles
by asking the provider, not by sending again. See docs/notifications.md.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from hackney_portal.handoff import enqueue_on_commit
from hackney_portal.retention import cutoff, in_batches

from . import tasks
from .clients import Email, EmailClient, get_email_client
from .exceptions import InvalidEmail, ProviderRejected, ProviderUnavailable
from .models import EmailNotification

logger = logging.getLogger(__name__)

SITE_NAME = "Hackney resident portal"
# How long a worker holds a row it claimed. Longer than a send can take (the send task's hard
# time limit, NOTIFICATIONS_SEND_TIME_LIMIT, which covers a look-up and a send with their
# timeouts), so a row whose lease has run out was left by a worker that died.
SEND_LEASE = timedelta(minutes=5)
Status = EmailNotification.Status


# --- Rendering ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def _render(name: str, context: dict, *, autoescape: bool) -> str:
    # Django's engine escapes HTML in every template it renders, .txt too; plain text and
    # subjects must read "O'Brien", not "O&#x27;Brien". No request context processors: an email
    # is rendered the same wherever it is queued from.
    return get_template(name).template.render(Context(context, autoescape=autoescape))


def email_render(*, template: str, context: dict) -> RenderedEmail:
    """The subject, plain text and HTML of `template` ("parking/emails/permit_issued" reads
    parking/emails/permit_issued_subject.txt, .txt and .html; the HTML is optional) with the
    context and the site's name (`site_name`) and address (`site_url`, no trailing slash)."""
    context = {**context, "site_name": SITE_NAME, "site_url": settings.SITE_URL.rstrip("/")}
    try:
        subject = " ".join(_render(f"{template}_subject.txt", context, autoescape=False).split())
        body_text = _render(f"{template}.txt", context, autoescape=False).strip() + "\n"
    except TemplateDoesNotExist as error:
        raise InvalidEmail(
            f"No email template {error}: {template} needs _subject.txt and .txt"
        ) from None
    if not subject:
        raise InvalidEmail(f"The email {template} has an empty subject")
    try:
        body_html = _render(f"{template}.html", {**context, "subject": subject}, autoescape=True)
    except TemplateDoesNotExist:
        body_html = ""
    return RenderedEmail(subject=subject, body_text=body_text, body_html=body_html)


# --- Queueing -------------------------------------------------------------------------------


def _json_problem(value, path: str = "context") -> str | None:
    """Where in `value` something is that JSON cannot hold, and what it is; None if nothing."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} has a key that is not text: {key!r}"
            problem = _json_problem(item, f"{path}[{key!r}]")
            if problem:
                return problem
        return None
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            problem = _json_problem(item, f"{path}[{index}]")
            if problem:
                return problem
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path} is {value!r}, which JSON cannot hold"
    if value is None or isinstance(value, str | int | float | bool):
        return None
    return f"{path} is a {type(value).__name__}, which JSON cannot hold: pass text or a number"


def email_queue(
    *, event_key: str, to: str, template: str, context: dict, user=None
) -> EmailNotification:
    """Queue the email about one event, to be sent once the caller's transaction commits.

    Call it inside the transaction that records the event: the row is written there (rendered
    now, so it records exactly what is sent), and the send task is enqueued only on commit; if
    the transaction rolls back, nothing is sent. Queuing the same `event_key` again returns the
    row already queued and sends nothing more (a unique constraint decides, so this holds for
    callers racing in separate transactions too).

    Raises InvalidEmail, changing nothing, for an address that is not one, a context JSON cannot
    hold (dates included: pass them formatted), or a template that does not exist.
    """
    if not isinstance(event_key, str) or not event_key.strip():
        raise InvalidEmail("event_key must be text naming the event, e.g. permit-issued:PM-XXXX")
    max_key = EmailNotification._meta.get_field("event_key").max_length
    if len(event_key) > max_key:
        raise InvalidEmail(f"event_key must be at most {max_key} characters: {event_key[:40]}…")
    try:
        validate_email(to)
    except ValidationError:
        raise InvalidEmail(f"Not an email address: {to!r} (for {event_key})") from None
    if not isinstance(context, dict):
        raise InvalidEmail(f"context must be a dict, not a {type(context).__name__}")
    problem = _json_problem(context)
    if problem:
        raise InvalidEmail(f"The email {event_key} cannot be stored: {problem}")
    rendered = email_render(template=template, context=context)

    notification = EmailNotification(
        event_key=event_key,
        to=to,
        user=user,
        template=template,
        context=context,
        subject=rendered.subject,
        body_text=rendered.body_text,
        body_html=rendered.body_html,
        due_at=timezone.now(),
    )
    try:
        # A savepoint: a duplicate key rolls back this insert only, not the caller's work.
        with transaction.atomic():
            notification.save(force_insert=True)
    except IntegrityError:
        existing = EmailNotification.objects.filter(event_key=event_key).first()
        if existing is None:
            raise
        if (existing.to, existing.template) != (to, template):
            logger.warning("Email %s was queued before to another address or template", event_key)
        return existing
    # The caller's work and this row commit together; a lost hand-off is the sweep's to mend
    # (notifications_requeue_stuck), never an error for the caller.
    enqueue_on_commit(tasks.notification_send_task, notification_id=notification.pk)
    return notification


# --- Sending --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendOutcome:
    status: str  # the row's status after this run; "busy" when another worker holds it
    retry_in: float | None = None  # seconds until the next attempt, when one is due


def _backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: NOTIFICATIONS_RETRY_BACKOFF, doubling, at most an
    hour (well inside the broker's visibility timeout)."""
    return min(settings.NOTIFICATIONS_RETRY_BACKOFF * 2 ** (attempts - 1), 3600.0)


def _claim(notification_id: int, client: EmailClient) -> tuple[EmailNotification | None, bool]:
    """Take the row for one attempt, committed before the provider is called. Returns the row
    (None when there is nothing to do) and whether an earlier attempt may have reached the
    provider, so that it must be asked first."""
    with transaction.atomic():
        notification = (
            EmailNotification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.status in EmailNotification.FINISHED:
            return notification, False
        now = timezone.now()
        leased = notification.lease_until and notification.lease_until > now
        if notification.status == Status.SENDING and leased:
            return None, False  # a live worker is sending it
        earlier_attempt_unsettled = notification.status == Status.SENDING
        if earlier_attempt_unsettled and (
            not client.can_look_up or notification.provider != client.name
        ):
            # Django's email backend cannot be asked whether it sent the email, and sending
            # again could give the resident two. Better that a person checks (the admin lists
            # these) than that we guess: mark it unknown, do not resend.
            notification.status = Status.UNKNOWN
            notification.lease_until = None
            notification.failure_reason = (
                f"An attempt through {notification.provider or 'a provider'} stopped before it "
                f"was known whether the email went, and {client.name} cannot be asked whether "
                "it has it: check with the resident before sending it again."
            )
            notification.save(update_fields=["status", "lease_until", "failure_reason"])
            logger.error("Email %s: outcome unknown, not sent again", notification.event_key)
            return notification, False
        notification.status = Status.SENDING
        notification.attempts += 1
        notification.attempted_at = now
        notification.lease_until = now + SEND_LEASE
        notification.provider = client.name
        notification.save(
            update_fields=["status", "attempts", "attempted_at", "lease_until", "provider"]
        )
        return notification, earlier_attempt_unsettled


def _settle(notification: EmailNotification, **fields) -> bool:
    """End this attempt. The attempt count is the fence: if the lease ran out and another worker
    took the row over, this worker's word no longer counts."""
    updated = EmailNotification.objects.filter(
        pk=notification.pk, status=Status.SENDING, attempts=notification.attempts
    ).update(lease_until=None, **fields)
    if not updated:
        logger.warning("Email %s: taken over by another worker", notification.event_key)
    return bool(updated)


def notification_send(*, notification_id: int, client: EmailClient | None = None) -> SendOutcome:
    """One attempt to send a queued email (run by the send task, outside any transaction).

    Claims the row (queued → sending, attempt counted, lease taken, committed), then hands it
    to the provider and records the outcome: sent with the provider's id; failed with the
    reason when the provider refuses it (no retry); after a failure worth retrying, due again
    after a backoff, up to NOTIFICATIONS_MAX_ATTEMPTS attempts, then failed. A row found in
    `sending` with its lease run out was left by a worker that died: the provider is asked by
    reference first (Notify), or it is marked unknown (Django's email backend).
    """
    client = client or get_email_client()
    notification, ask_first = _claim(notification_id, client)
    if notification is None:
        return SendOutcome(status="busy")
    if notification.status != Status.SENDING:
        return SendOutcome(status=notification.status)

    email = Email(
        to=notification.to,
        subject=notification.subject,
        body_text=notification.body_text,
        body_html=notification.body_html,
        reference=notification.event_key,
    )
    try:
        provider_id = client.find(email.reference) if ask_first else None
        if provider_id:
            logger.info("Email %s: the provider already had it", notification.event_key)
        else:
            provider_id = client.send(email)
    except ProviderRejected as error:
        logger.warning("Email %s refused: %s", notification.event_key, error)
        _settle(notification, status=Status.FAILED, failure_reason=str(error))
        return SendOutcome(status=Status.FAILED)
    except ProviderUnavailable as error:
        return _after_unavailable(notification, error)

    now = timezone.now()
    _settle(notification, status=Status.SENT, sent_at=now, provider_id=provider_id)
    logger.info("Email %s sent (%s %s)", notification.event_key, client.name, provider_id)
    return SendOutcome(status=Status.SENT)


def _after_unavailable(notification: EmailNotification, error: ProviderUnavailable) -> SendOutcome:
    attempts = notification.attempts
    if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
        reason = f"Gave up after {attempts} attempts: {error}"
        if error.maybe_accepted:
            reason += f" (the provider may have it: look for reference {notification.event_key})"
        logger.error("Email %s: %s", notification.event_key, reason)
        _settle(notification, status=Status.FAILED, failure_reason=reason)
        return SendOutcome(status=Status.FAILED)
    retry_in = _backoff(attempts)
    # If the provider may have taken it, the row stays `sending` (lease released) so that the
    # next attempt asks before it sends; otherwise it is simply queued again.
    status = Status.SENDING if error.maybe_accepted else Status.QUEUED
    logger.warning(
        "Email %s: attempt %s failed (%s); next in %ss", notification.event_key, attempts, error,
        int(retry_in),
    )  # fmt: skip
    settled = _settle(
        notification,
        status=status,
        failure_reason=str(error),
        due_at=timezone.now() + timedelta(seconds=retry_in),
    )
    return SendOutcome(status=status, retry_in=retry_in if settled else None)


# --- Recovering ---------------------------------------------------------------------------


def notifications_requeue_stuck(*, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Enqueue again the emails whose send task was lost: rows still `queued` (or `sending`
    with no lease, waiting for a retry) NOTIFICATIONS_REQUEUE_AFTER seconds after they were due
    (the commit happened but the broker lost the task, or the worker that had it was lost), and
    rows in `sending` whose lease has run out (a worker died mid-send; the next attempt asks
    the provider before sending). A task for a row that is already being sent does nothing, so
    requeuing one that was only slow is harmless. Returns the ids requeued."""
    now = now or timezone.now()
    late = now - timedelta(seconds=settings.NOTIFICATIONS_REQUEUE_AFTER)
    stuck = (
        Q(status=Status.QUEUED, due_at__lte=late)
        | Q(status=Status.SENDING, lease_until__isnull=True, due_at__lte=late)
        | Q(status=Status.SENDING, lease_until__lte=now)
    )
    with transaction.atomic():
        ids = list(
            EmailNotification.objects.select_for_update(skip_locked=True)
            .filter(stuck)
            .order_by("due_at")
            .values_list("pk", flat=True)[:limit]
        )
        # Due again from now: a long backlog is not requeued on every sweep.
        EmailNotification.objects.filter(pk__in=ids).update(due_at=now)
        for notification_id in ids:
            enqueue_on_commit(tasks.notification_send_task, notification_id=notification_id)
    if ids:
        logger.warning("Requeued %s email(s) whose send task was lost", len(ids))
    return ids


def account_closing(*, user) -> dict:
    """Closing the resident's portal account: the emails already sent to them keep what they
    said (the council's record of telling them) but no longer their address; those not yet sent
    are not sent."""
    finished = EmailNotification.objects.filter(
        user=user, status__in=EmailNotification.FINISHED
    ).update(to="")
    unsent = EmailNotification.objects.filter(
        user=user, status=EmailNotification.Status.QUEUED
    ).update(status=EmailNotification.Status.FAILED, to="", failure_reason="Account closed")
    return {"emails_addresses_removed": finished, "emails_not_sent": unsent}


# --- Retention (docs/retention.md) -------------------------------------------------------------


def retention_enforce(*, today, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """notifications' part of the retention schedule: emails to residents, deleted
    RETENTION_NOTIFICATION_DAYS after they were queued, whatever became of them (one still
    unsent that long after is long past use). An event's key goes with its email: a resident is
    not emailed again about an event that old, as nothing raises one."""
    due = EmailNotification.objects.filter(
        created_at__lt=cutoff(today=today, days=settings.RETENTION_NOTIFICATION_DAYS)
    )
    return {"emails": in_batches(due, batch_size=batch_size, dry_run=dry_run)}
