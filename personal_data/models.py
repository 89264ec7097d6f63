"""A resident's download of everything the portal holds about them (personal_data/exports.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class DataExport(models.Model):
    """One "Download all your data" file. A small one is handed over at once; a large one is
    made by a worker and its link emailed: the link works once, for EXPORT_LINK_DAYS, and only
    for the resident signed in. Only a hash of the link's token is kept."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Being made"
        READY = "ready", "Ready: link emailed"
        DOWNLOADED = "downloaded", "Downloaded"
        EXPIRED = "expired", "Link expired"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    token_hash = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the token")
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="personal_export_status"),
            models.Index(fields=["token_hash"], name="personal_export_token"),
        ]

    def __str__(self):
        return f"Data export {self.pk} for {self.user} ({self.status})"
