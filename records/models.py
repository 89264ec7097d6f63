"""The council's own records, synced from back-office snapshots (see docs/feeds.md), and the runs
that synced them. Nothing here is hard-deleted: a key missing from a later snapshot is marked
retired or ended, so decisions made on it stay explainable."""

from django.conf import settings
from django.db import models

# This app's staff permissions, declared here once and granted through the roles in
# accounts/roles.py. Django hangs a permission on a model; the portal keeps all its staff
# permissions on accounts.User (so they read "accounts.<codename>") and accounts.roles creates them.
SYNC_VIEW = "accounts.view_record_sync"
SYNC_MANAGE = "accounts.manage_record_sync"
PERMISSIONS = {
    SYNC_VIEW: "Can view record syncs and their quality reports",
    SYNC_MANAGE: "Can upload record feeds and approve or discard held syncs",
}


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        HELD = "held", "Held for review"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"

    FINISHED = (Status.APPLIED, Status.DISCARDED, Status.REJECTED, Status.FAILED)

    feed = models.CharField(max_length=40, db_index=True)
    file_name = models.CharField(max_length=255)
    file_path = models.CharField(max_length=500, help_text="Where the file is kept (storage)")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file")
    dry_run = models.BooleanField(default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by_label = models.CharField(max_length=100, help_text="e.g. a user, 'inbox'")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(
        max_length=20, blank=True, help_text="While running: reading, checking or applying"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    bytes_done = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)
    rows_read = models.IntegerField(default=0)
    rows_rejected = models.IntegerField(default=0)
    inserted = models.IntegerField(default=0)
    updated = models.IntegerField(default=0)
    unchanged = models.IntegerField(default=0)
    vanished = models.IntegerField(default=0)
    current_keys = models.IntegerField(default=0, help_text="Keys held before this run")
    warnings = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=dict, blank=True, help_text="Rejections by reason")
    reason = models.TextField(blank=True, help_text="Why the run was rejected, held or failed")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["feed", "status"])]

    def __str__(self):
        return f"{self.feed} run {self.pk} ({self.status})"

    @property
    def seconds_taken(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def progress_percent(self) -> int:
        if self.status in (self.Status.APPLIED, self.Status.HELD):
            return 100
        if not self.bytes_total:
            return 0
        return min(100, int(100 * self.bytes_done / self.bytes_total))


class SyncedRecord(models.Model):
    """A row that arrives through the sync pipeline and remembers the run that last wrote it."""

    # No database constraint or index: every synced row names its run, and checking or
    # indexing a million of them would cost more than the sync itself (docs/performance.md).
    sync_run = models.ForeignKey(
        SyncRun,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    class Meta:
        abstract = True


class PropertyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)


class Property(SyncedRecord):
    """An address in the council's gazetteer (the `properties` feed)."""

    class Usage(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        COMMERCIAL = "commercial", "Commercial"
        MIXED = "mixed", "Mixed"

    uprn = models.BigIntegerField(unique=True, help_text="Unique Property Reference Number")
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    address_line_3 = models.CharField(max_length=200, blank=True)
    address_line_4 = models.CharField(max_length=200, blank=True)
    postcode = models.CharField(max_length=8)
    ward = models.CharField(max_length=100, blank=True)
    usage = models.CharField(max_length=20, choices=Usage.choices)
    cpz_zone = models.CharField(max_length=10, blank=True, help_text="Controlled parking zone")
    permit_free = models.BooleanField(help_text="Car-free development: no resident permits")
    retired_at = models.DateTimeField(null=True, blank=True, help_text="Gone from the gazetteer")

    objects = PropertyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "properties"
        # Plain indexes declared here rather than db_index=True, which on PostgreSQL also adds a
        # second "_like" index per text column: a cost on every synced row (docs/performance.md).
        indexes = [models.Index(fields=["postcode"], name="records_property_postcode")]

    def __str__(self):
        return f"{self.address_line_1}, {self.postcode}"


class Person(SyncedRecord):
    """Someone the council's systems know by a reference (the `people` feed)."""

    person_ref = models.CharField(max_length=50)
    title = models.CharField(max_length=30, blank=True)
    first_name = models.CharField(max_length=200)
    last_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    # records.matching.name_key of the names, for matching and search.
    first_name_key = models.CharField(max_length=200)
    last_name_key = models.CharField(max_length=200)

    class Meta:
        verbose_name_plural = "people"
        constraints = [models.UniqueConstraint(fields=["person_ref"], name="records_person_ref")]
        indexes = [
            models.Index(fields=["last_name_key", "first_name_key"], name="records_person_names"),
            models.Index(fields=["first_name_key"], name="records_person_first_name"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class OccupancyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class Occupancy(SyncedRecord):
    """Who lives (or lived) where, according to which source."""

    class Role(models.TextChoices):
        LIABLE = "liable", "Liable for council tax"
        JOINT_LIABLE = "joint_liable", "Jointly liable"
        OCCUPANT = "occupant", "Occupant"

    class Source(models.TextChoices):
        COUNCIL_TAX = "council_tax", "Council tax"
        ELECTORAL_REGISTER = "electoral_register", "Electoral register"
        HOUSING = "housing", "Housing"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="occupancies")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="occupancies")
    role = models.CharField(max_length=20, choices=Role.choices)
    source = models.CharField(max_length=20, choices=Source.choices)
    occupied_from = models.DateField()
    occupied_to = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="Gone from the latest snapshot"
    )

    objects = OccupancyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "occupancies"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "property", "occupied_from"], name="records_occupancy_key"
            )
        ]

    def __str__(self):
        return f"{self.person} at {self.property}"
