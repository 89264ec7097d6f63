"""One row per email the portal sends to a resident: what was sent, to whom, and how far it got.

The row is written (with the email already rendered) in the same transaction as the event it
tells the resident about, and sent by a Celery task after that transaction commits
(notifications/services.py). `event_key` is unique: one event, one email, however often the
caller asks."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class EmailNotification(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by a worker that is (or was, if it died) handing it to the provider.
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # An attempt may or may not have reached the resident and the provider cannot be asked
        # (Django's email backend): a person checks before anything is sent again.
        UNKNOWN = "unknown", "Unknown: check before sending again"

    FINISHED = (Status.SENT, Status.FAILED, Status.UNKNOWN)

    event_key = models.CharField(
        max_length=200,
        help_text="What the email is about, unique: permit-issued:PM-7KQ3-2M9X. Sent to the "
        "provider as its reference.",
    )
    to = models.EmailField("to", max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The resident the email is for, when they have an account.",
    )
    template = models.CharField(max_length=200, help_text="parking/emails/permit_issued")
    context = models.JSONField(help_text="What the template was given (JSON).")
    subject = models.CharField(max_length=998)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the next attempt is due: the creation time, then after a failure the time of the
    # retry. A row still waiting long after this lost its task and is queued again.
    due_at = models.DateTimeField()
    attempted_at = models.DateTimeField(null=True, blank=True)
    # A worker that claims the row holds it until this time; after it, the worker is taken to
    # have died. Cleared when the attempt ends.
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider = models.CharField(max_length=20, blank=True, help_text="notify or django")
    provider_id = models.CharField(
        max_length=255, blank=True, help_text="The provider's id for the email once it has it"
    )
    failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The guarantee of one email per event, whoever queues it and however often.
            models.UniqueConstraint(fields=["event_key"], name="notifications_one_email_an_event"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_sent_has_a_time",
            ),
        ]
        indexes = [
            # The stuck-row sweep: unfinished rows by when they were due.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["queued", "sending"]),
                name="notifications_unfinished",
            ),
        ]

    def __str__(self):
        return self.event_key
