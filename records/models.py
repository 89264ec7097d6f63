"""The council's own records, synced from back-office snapshots (see docs/feeds.md), and the runs
that synced them. Nothing here is hard-deleted: a key missing from a later snapshot is marked
retired or ended, so decisions made on it stay explainable."""

import uuid

from django.conf import settings
from django.db import models

from hackney_portal.references import new_reference

# This app's staff permissions, declared here once and granted through the roles in
# accounts/roles.py. Django hangs a permission on a model; the portal keeps all its staff
# permissions on accounts.User (so they read "accounts.<codename>") and accounts.roles creates them.
SYNC_VIEW = "accounts.view_record_sync"
SYNC_MANAGE = "accounts.manage_record_sync"
DATA_QUALITY_MANAGE = "accounts.manage_data_quality_case"
PERMISSIONS = {
    SYNC_VIEW: "Can view record syncs and their quality reports",
    SYNC_MANAGE: "Can upload record feeds and approve or discard held syncs",
    DATA_QUALITY_MANAGE: (
        "Can read residents' reports that the council's records are wrong, and record what "
        "was sent to which back-office system"
    ),
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


# --- What residents tell us is wrong in the records ---------------------------------------------


def new_data_quality_reference() -> str:
    return new_reference("DQ")


class DataQualityCaseQuerySet(models.QuerySet):
    def sent(self):
        """Reported: everything but the drafts a resident has not sent."""
        return self.exclude(status=DataQualityCase.Status.DRAFT)

    def open(self):
        return self.filter(
            status__in=(DataQualityCase.Status.OPEN, DataQualityCase.Status.LOOKED_AT)
        )


class DataQualityCase(models.Model):
    """A resident says something in the council's records is wrong ("I have lived here since
    2019"). The portal never edits a synced record itself: a records administrator sends the
    correction to the back-office system that owns it, records here what was sent where, and
    the next sync brings it in (docs/data-quality.md).

    Where it came from, the records concerned and the decisions they affected are plain values,
    kept as the reporting page knew them: records imports no app that owns applications or
    accounts, and a case outlives any change to the records it names."""

    class Kind(models.TextChoices):
        ADDRESS = "address", "Where I live, or since when"
        NAME = "name", "My name"
        DATE_OF_BIRTH = "date_of_birth", "My date of birth"
        COUNCIL_TAX_ACCOUNT = "council_tax_account", "My council tax account"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        DRAFT = "draft", "Not sent yet"
        OPEN = "open", "Waiting to be looked at"
        LOOKED_AT = "looked_at", "Being looked at"
        CLOSED = "closed", "Closed"

    class System(models.TextChoices):
        """The back-office systems a correction goes to (each sends one of the feeds)."""

        COUNCIL_TAX = "council_tax", "Council tax system"
        GAZETTEER = "gazetteer", "Address gazetteer"
        HOUSING = "housing", "Housing system"
        ELECTORAL_REGISTER = "electoral_register", "Electoral register"
        NONE = "none", "None: the records were right"

    reference = models.CharField(
        max_length=12, unique=True, default=new_data_quality_reference, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_quality_cases"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    words = models.TextField(help_text="What the resident says is wrong, in their words")
    # Where it came from: "application:PA-…", "council_tax:12345678" or "your_data".
    source = models.CharField(max_length=60)
    source_label = models.CharField(max_length=200)
    feeds = models.JSONField(default=list, help_text="The feeds concerned, e.g. people")
    person_refs = models.JSONField(default=list)
    uprns = models.JSONField(default=list)
    account_refs = models.JSONField(default=list)
    decisions = models.JSONField(
        default=list, help_text='Decisions affected, as reported: [{"reference", "outcome"}]'
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    looked_at = models.DateTimeField(null=True, blank=True)
    looked_at_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sent_to = models.CharField(max_length=30, choices=System.choices, blank=True)
    what_was_sent = models.TextField(blank=True)

    objects = DataQualityCaseQuerySet.as_manager()

    class Meta:
        ordering = ["reported_at", "id"]
        indexes = [models.Index(fields=["status", "reported_at"], name="records_dq_status")]
        constraints = [
            # A resident has at most one report they have not sent: going back to the form
            # carries on with it.
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="draft"), name="records_dq_one_draft"
            )
        ]

    def __str__(self):
        return f"{self.reference} ({self.status})"


class DataQualityProof(models.Model):
    """A file a resident sent with a report, kept privately (Django's storage, a name the
    server makes) and judged by its content (hackney_portal/files.py)."""

    case = models.ForeignKey(DataQualityCase, on_delete=models.CASCADE, related_name="proofs")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField(max_length=255)
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name
