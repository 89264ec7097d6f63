"""The contact centre's own records: the access audit log and the notes on a case.

Both are append-only. The application offers no way to change or delete a row, and the database
refuses to (triggers made by migration 0001 on PostgreSQL and SQLite): a mistaken note is
corrected by another note, and nobody can tidy away a look at a resident's data."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone


class AuditEntry(models.Model):
    """One look at, or act on, a resident's data by a member of staff."""

    class Action(models.TextChoices):
        SEARCH = "search", "Searched"
        CASE_VIEW = "case_view", "Viewed a case"
        EVIDENCE_DOWNLOAD = "evidence_download", "Downloaded evidence"
        NOTE_ADD = "note_add", "Added a note"
        APPLICATION_DECIDE = "application_decide", "Decided an application"
        REVIEW_QUEUE_VIEW = "review_queue_view", "Viewed the review queue"
        APPLICATION_VIEW = "application_view", "Viewed an application to decide it"
        ASSISTED_START = "assisted_start", "Started a permit application for a resident"
        ASSISTED_SUBMIT = "assisted_submit", "Submitted a permit application for a resident"
        ASSISTED_VIEW = "assisted_view", "Viewed a permit application made for a resident"
        # A phone payment's start, then its outcome once the payment service says (when the
        # agent comes back from its page): a declined card never reads as a payment taken.
        # Entries written before the outcomes were recorded are starts too.
        ASSISTED_PAYMENT = "assisted_payment", "Started a phone payment for a resident's permit"
        ASSISTED_PAYMENT_TAKEN = (
            "assisted_payment_taken",
            "Took a payment by phone for a resident's permit",
        )
        ASSISTED_PAYMENT_NOT_TAKEN = (
            "assisted_payment_not_taken",
            "A phone payment was not taken: declined, cancelled or failed",
        )
        ASSISTED_PAYMENT_UNCONFIRMED = (
            "assisted_payment_unconfirmed",
            "A phone payment was not confirmed yet by the payment service",
        )
        FLAGGED_PERMITS_VIEW = "flagged_permits_view", "Viewed the flagged permits"
        FLAGGED_PERMIT_VIEW = "flagged_permit_view", "Viewed a flagged permit to decide it"
        PERMIT_FLAG_DECIDE = "permit_flag_decide", "Decided a flagged permit"
        PERSONAL_DATA_EXPORT = (
            "personal_data_export",
            "Exported a person's portal data for a request made by post",
        )
        # Residents' reports that the records are wrong (records' data-quality cases).
        DATA_QUALITY_QUEUE_VIEW = (
            "data_quality_queue_view",
            "Viewed the residents' reports that the records are wrong",
        )
        DATA_QUALITY_VIEW = "data_quality_view", "Viewed a resident's report that a record is wrong"
        DATA_QUALITY_PROOF = "data_quality_proof", "Downloaded proof sent with a report"
        DATA_QUALITY_LOOK = "data_quality_look", "Marked a report as looked at"
        DATA_QUALITY_CLOSE = "data_quality_close", "Closed a report, saying what was sent where"

    at = models.DateTimeField(default=timezone.now, help_text="Stored in UTC")
    # PROTECT: a member of staff who has looked at residents' data can be deactivated, never
    # deleted, so every entry keeps naming who it was.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_email = models.EmailField(max_length=320, help_text="The actor's address at the time")
    action = models.CharField(max_length=30, choices=Action.choices)
    reason = models.CharField(max_length=500, blank=True)
    # Which person or property: plain values, not foreign keys, so an entry outlives any change
    # to the records it names.
    person_ref = models.CharField(max_length=50, blank=True)
    uprn = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(
        max_length=200, blank=True, help_text="What else it was about: a reference, a file, a query"
    )
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["at"], name="casework_audit_at"),
            models.Index(fields=["actor", "at"], name="casework_audit_actor_at"),
            models.Index(fields=["person_ref", "at"], name="casework_audit_person_at"),
            models.Index(fields=["uprn", "at"], name="casework_audit_uprn_at"),
            # The audit log's filter by member of staff is case-blind (actor_email__iexact, which
            # PostgreSQL runs as UPPER(actor_email) = UPPER(%s)): indexed on that expression.
            models.Index(Upper("actor_email"), "at", name="casework_audit_email_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action}"


class CaseNote(models.Model):
    """A note on a person's or a property's case, by a member of staff."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    person_ref = models.CharField(max_length=50, blank=True)
    uprn = models.BigIntegerField(null=True, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person_ref", "created_at"], name="casework_note_person"),
            models.Index(fields=["uprn", "created_at"], name="casework_note_uprn"),
        ]
        constraints = [
            # A note is on exactly one case: a person's or a property's.
            models.CheckConstraint(
                condition=(models.Q(person_ref="") & models.Q(uprn__isnull=False))
                | (~models.Q(person_ref="") & models.Q(uprn__isnull=True)),
                name="casework_note_on_one_case",
            ),
        ]

    def __str__(self):
        return f"Note {self.pk} by {self.author_id}"
