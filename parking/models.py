"""Parking's tables. The tariff is effective-dated: a price change is a new tariff with a later
`effective_from`, so the prices quoted before it stay explainable. Money is integer pence.

Staff permissions for parking are declared in parking/permissions.py."""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from hackney_portal.references import new_reference


class TariffQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Tariffs that had started by `day`, the one in force first."""
        return self.filter(effective_from__lte=day).order_by("-effective_from")


class Tariff(models.Model):
    name = models.CharField(max_length=100, help_text="For example, “Resident permits 2026/27”")
    effective_from = models.DateField(
        help_text="The tariff in force on a day is the one with the latest date on or before it. "
        "To change prices, add a new tariff from a later date rather than editing this one."
    )
    notes = models.TextField(blank=True, help_text="Where the prices come from: a decision, a date")
    diesel_surcharge_pence = models.BigIntegerField(
        help_text="Added to the annual price of a diesel vehicle, in pence"
    )
    additional_permit_surcharge_pence = models.BigIntegerField(
        help_text="Added to the annual price of each permit after the first at a property, in pence"
    )
    three_month_percent = models.PositiveSmallIntegerField(
        help_text="A 3-month permit costs this percentage of the annual price (1 to 100)"
    )
    six_month_percent = models.PositiveSmallIntegerField(
        help_text="A 6-month permit costs this percentage of the annual price (at least the "
        "3-month percentage, at most 100)"
    )

    objects = TariffQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            # Two tariffs from the same day would leave the price on that day undecided.
            models.UniqueConstraint(fields=["effective_from"], name="parking_tariff_one_a_day"),
            models.CheckConstraint(
                condition=Q(diesel_surcharge_pence__gte=0)
                & Q(additional_permit_surcharge_pence__gte=0),
                name="parking_tariff_surcharges_not_negative",
                violation_error_message="Surcharges cannot be negative.",
            ),
            # A shorter permit never costs more than a longer one, nor more than a year's.
            models.CheckConstraint(
                condition=Q(three_month_percent__gte=1)
                & Q(six_month_percent__gte=F("three_month_percent"))
                & Q(six_month_percent__lte=100),
                name="parking_tariff_pro_rata_in_order",
                violation_error_message="The 6-month percentage must be at least the 3-month "
                "one, and both between 1 and 100.",
            ),
        ]

    def __str__(self):
        return f"{self.name} (from {self.effective_from:%-d %B %Y})"


class EmissionBand(models.Model):
    """Annual price for vehicles first registered from 1 March 2001, by CO2 emissions. A band
    covers everything above the next lower band's limit up to and including its own."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="emission_bands")
    max_co2 = models.PositiveIntegerField(
        "up to (g/km)",
        null=True,
        blank=True,
        help_text="Highest CO2 in the band, in g/km; leave empty for the top band (no limit)",
    )
    annual_pence = models.BigIntegerField(help_text="Annual price in pence")
    label = models.CharField(max_length=50, blank=True, help_text="For example, “Band 3”")

    class Meta:
        ordering = [F("max_co2").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "max_co2"], name="parking_emission_band_max"),
            # NULLs are distinct in a unique constraint: one open-ended band needs its own rule.
            models.UniqueConstraint(
                fields=["tariff"],
                condition=Q(max_co2__isnull=True),
                name="parking_emission_band_one_open_ended",
                violation_error_message="Only one band can have no upper limit.",
            ),
            models.CheckConstraint(
                condition=Q(annual_pence__gte=0),
                name="parking_emission_band_price_not_negative",
                violation_error_message="A price cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.label or f"up to {self.max_co2} g/km"


class EngineSizeBand(models.Model):
    """Annual price for vehicles first registered before 1 March 2001 (no CO2 figure), by
    engine size; also used when a newer vehicle's CO2 figure is unknown."""

    tariff = models.ForeignKey(Tariff, on_delete=models.CASCADE, related_name="engine_size_bands")
    max_cc = models.PositiveIntegerField(
        "up to (cc)",
        null=True,
        blank=True,
        help_text="Largest engine in the band, in cc; leave empty for the top band (no limit)",
    )
    annual_pence = models.BigIntegerField(help_text="Annual price in pence")
    label = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = [F("max_cc").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["tariff", "max_cc"], name="parking_engine_band_max"),
            models.UniqueConstraint(
                fields=["tariff"],
                condition=Q(max_cc__isnull=True),
                name="parking_engine_band_one_open_ended",
                violation_error_message="Only one band can have no upper limit.",
            ),
            models.CheckConstraint(
                condition=Q(annual_pence__gte=0),
                name="parking_engine_band_price_not_negative",
                violation_error_message="A price cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.label or f"up to {self.max_cc}cc"


# --- Applications ------------------------------------------------------------------------------


# The makers' names stay: the migrations name them as the fields' defaults.
def new_application_reference() -> str:
    return new_reference("PA")


class PermitApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def drafts(self):
        return self.filter(status=PermitApplication.Status.DRAFT)

    def submitted(self):
        return self.exclude(status=PermitApplication.Status.DRAFT)


def application_status_label(status, *, proof_received: bool, permit_cancelled: bool) -> str:
    """An application's status in words, the same on the resident's pages and in staff search:
    "Needs evidence" stops once proof is in, and a paid application whose permit was cancelled
    says so."""
    if proof_received:
        return "Proof received: waiting for a parking officer"
    if permit_cancelled:
        return "Permit cancelled"
    return status.label


class PermitApplication(models.Model):
    """A resident's application for a permit: a draft while they answer the questions (so they
    can stop and carry on from another device), then the decision the rules made, with the
    price quoted and everything the decision relied on."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        APPROVED = "approved", "Approved"
        NEEDS_EVIDENCE = "needs_evidence", "Needs evidence"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        ISSUED = "issued", "Paid: permit issued"
        LAPSED = "lapsed", "Lapsed: not paid in time"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CLOSED_NO_PROOF = "closed_no_proof", "Closed: no proof sent in time"

    # Waiting for something (proof, a person, a payment): what a resident may withdraw.
    PENDING = (Status.NEEDS_EVIDENCE, Status.APPROVED)

    class VehicleLookup(models.TextChoices):
        FOUND = "found", "Found in the vehicle records"
        NOT_FOUND = "not_found", "Not found in the vehicle records"
        INVALID = "invalid", "Not recognised as a UK registration by the vehicle records"
        UNAVAILABLE = "unavailable", "The vehicle records could not be checked"
        # Not in the vehicle records: a parking officer typed in what its V5C says.
        V5C = "v5c", "Checked from the V5C by a parking officer"

    reference = models.CharField(
        max_length=12, unique=True, default=new_application_reference, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="permit_applications"
    )
    # An assisted application: the contact centre agent who made it for the resident on the
    # phone (the one who submitted it, once submitted). None when the resident made it.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of staff who made it for the resident (phone), if not the resident",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The answers, as the resident gave them.
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.BigIntegerField(null=True, blank=True)
    address_not_listed = models.BooleanField(default=False)
    address = models.CharField(max_length=400, blank=True, help_text="As the resident chose it")
    # "My address is not listed": the address as the resident typed it (line1, line2, town,
    # postcode), and the zone a parking officer approving it chose (no gazetteer zone to read).
    address_lines = models.JSONField(default=dict, blank=True)
    zone = models.CharField(
        max_length=10,
        blank=True,
        help_text="Set by a parking officer for an address the gazetteer does not have",
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    # records.matching.name_key of the names as typed, written with them, so that the contact
    # centre's search finds an applicant the council's records do not know by name (indexed on
    # PostgreSQL by migration 0011, as parking.selectors.applications_for_search queries it).
    first_name_key = models.CharField(max_length=200, blank=True, editable=False)
    last_name_key = models.CharField(max_length=200, blank=True, editable=False)
    date_of_birth = models.DateField(null=True, blank=True)
    registration = models.CharField(max_length=10, blank=True)
    vehicle_lookup = models.CharField(max_length=20, choices=VehicleLookup.choices, blank=True)
    vehicle = models.JSONField(
        null=True, blank=True, help_text="The vehicle data the resident confirmed (DVLA's fields)"
    )
    vehicle_confirmed = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    starts_on = models.DateField(null=True, blank=True)

    # The price as quoted on check your answers, and again when submitted.
    price_pence = models.BigIntegerField(null=True, blank=True)
    price_lines = models.JSONField(default=list, blank=True)
    tariff_name = models.CharField(max_length=100, blank=True)

    decision = models.JSONField(
        null=True, blank=True, help_text="Every rule's outcome, reason and the records it used"
    )
    # The person in the council's records the rules matched the applicant to (the lives-there
    # rule passed), from the decision, kept in a column so that "is this person matched to
    # another portal account?" is an index look-up (selectors.person_refs_matched_elsewhere).
    matched_person_ref = models.CharField(
        max_length=50,
        blank=True,
        help_text="The person in the council's records the rules matched, if they did",
    )
    # When it was approved, by the rules or by a parking officer: it lapses unpaid a day later.
    approved_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Waiting for proof that never came: reminded once, then closed (applications_close_unproven).
    proof_reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    renews = models.ForeignKey(
        "Permit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
        help_text="The permit this application renews, when it is a renewal",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # When the resident's first proof arrived (parking.evidence.evidence_upload): what the
    # review queue orders by and the resident's pages say. More files later do not move it.
    evidence_received_at = models.DateTimeField(
        null=True, blank=True, help_text="When the first proof for it arrived"
    )
    # Past its period (docs/retention.md) while a payment the council keeps still points at it:
    # the answers that name the resident, their home and vehicle are cleared (parking.retention).
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = PermitApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two tabs or two devices carry on the same draft instead of starting two. The
            # resident's own draft and one an agent is making for them on the phone are
            # counted apart, so neither blocks or overwrites the other; agents share one per
            # resident (a second call, or a colleague, carries on the same draft).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="draft", made_by__isnull=True),
                name="parking_application_one_draft_per_user",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="draft", made_by__isnull=False),
                name="parking_application_one_assisted_draft_per_user",
            ),
            models.CheckConstraint(
                condition=Q(months__isnull=True) | Q(months__in=[3, 6, 12]),
                name="parking_application_months_3_6_or_12",
            ),
            models.CheckConstraint(
                condition=Q(price_pence__isnull=True) | Q(price_pence__gte=0),
                name="parking_application_price_not_negative",
            ),
            # A submitted application has its decision and the time it was made.
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(decision__isnull=False) & Q(submitted_at__isnull=False)),
                name="parking_application_submitted_has_decision",
            ),
            # A double click on "Renew" makes one renewal; a refused or lapsed one can be tried
            # again.
            models.UniqueConstraint(
                fields=["renews"],
                condition=Q(status__in=["approved", "needs_evidence", "issued"]),
                name="parking_application_one_renewal_per_permit",
            ),
        ]
        indexes = [
            models.Index(fields=["uprn", "status"], name="parking_app_uprn_status"),
            models.Index(fields=["registration", "status"], name="parking_app_reg_status"),
            models.Index(fields=["matched_person_ref"], name="parking_app_matched_person"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def proof_received(self) -> bool:
        """Waiting for a person, with the resident's proof in: nothing more is asked of them."""
        return self.status == self.Status.NEEDS_EVIDENCE and self.evidence_received_at is not None

    @property
    def status_label(self) -> str:
        """The status as the resident's pages name it (lists load the permit with
        select_related("permit"), or this reads it)."""
        return application_status_label(
            self.Status(self.status),
            proof_received=self.proof_received,
            permit_cancelled=self.permit_cancelled,
        )

    @property
    def permit_cancelled(self) -> bool:
        if self.status != self.Status.ISSUED:
            return False
        try:
            return self.permit.status == Permit.Status.CANCELLED
        except Permit.DoesNotExist:
            return False

    @property
    def payable(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def assisted(self) -> bool:
        """Made for the resident by a member of staff (on the phone)."""
        return self.made_by_id is not None

    @property
    def went_to_a_person_or_was_refused(self) -> bool:
        """Left for a person (proof asked for, or an officer decided) or refused: where the
        resident may tell us the records it relied on are wrong (records.sources)."""
        refused_or_waiting = (
            self.Status.NEEDS_EVIDENCE,
            self.Status.NOT_ELIGIBLE,
            self.Status.CLOSED_NO_PROOF,
        )
        return self.status in refused_or_waiting or self.officer_decision is not None

    @property
    def officer_decision(self) -> dict | None:
        """A parking officer's decision, when the rules left the application for a person:
        {"approved", "reason", "at"} for the resident's pages (permits._officer_decides)."""
        made = (self.decision or {}).get("officer")
        if not made:
            return None
        return {
            "approved": made["outcome"] == "approved",
            "reason": made["reason"],
            "at": datetime.fromisoformat(made["at"]),
        }


# --- Evidence ----------------------------------------------------------------------------------


class EvidenceFile(models.Model):
    """A file a resident sent as proof for an application that needs evidence. The file lives in
    private storage (Django's default storage, never served by a media URL) under a name the
    server made; the name the resident's device gave it is kept for display only. What it is
    was judged from its content (parking/evidence.py), not its name or the browser's word."""

    class Kind(models.TextChoices):
        # The values are eligibility.Evidence's, the names a decision lists.
        PROOF_OF_ADDRESS = "proof_of_address", "Proof of address"
        V5C = "v5c", "Vehicle registration certificate (V5C)"

    # Public URLs name a file by this, never by its database id.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        PermitApplication, on_delete=models.PROTECT, related_name="evidence_files"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    original_name = models.CharField(max_length=255, help_text="As the resident's device named it")
    storage_name = models.CharField(max_length=255, unique=True, editable=False)
    content_type = models.CharField(max_length=50, help_text="Detected from the file's content")
    size = models.PositiveBigIntegerField(help_text="In bytes")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["proof_of_address", "v5c"]),
                name="parking_evidence_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="parking_evidence_content_type_allowed",
            ),
        ]

    def __str__(self):
        return f"{self.application.reference}: {self.original_name}"


# --- The local payment simulator ---------------------------------------------------------------


class SimulatedPayment(models.Model):
    """A payment on the portal's own payment page (parking.clients.payments.LocalPaymentsClient,
    PAYMENTS_CLIENT=local): what GOV.UK Pay would hold about it. No money is ever taken; the
    table stays empty when the portal uses GOV.UK Pay."""

    class Status(models.TextChoices):
        CREATED = "created", "Created"
        STARTED = "started", "Started"
        SUCCESS = "success", "Paid"
        FAILED = "failed", "Declined"
        CANCELLED = "cancelled", "Cancelled"

    payment_id = models.CharField(max_length=26, unique=True)
    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    amount = models.BigIntegerField(help_text="In pence")
    reference = models.CharField(max_length=255)
    description = models.CharField(max_length=255)
    return_url = models.URLField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    code = models.CharField(max_length=10, blank=True, help_text="Why it did not succeed")
    message = models.CharField(max_length=200, blank=True)
    card_last_digits = models.CharField(max_length=4, blank=True)
    refunded = models.BigIntegerField(default=0, help_text="Refunded so far, in pence")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(refunded__gte=0) & Q(refunded__lte=F("amount")),
                name="parking_simulated_payment_refunds_within_amount",
            ),
        ]

    def __str__(self):
        return self.payment_id


# --- Permits and payments ----------------------------------------------------------------------


def new_permit_number() -> str:
    return new_reference("PP")


def new_payment_reference() -> str:
    """Names a payment in the return URL the payment service sends people to."""
    return new_reference("PY")


class PermitQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def active(self):
        """Paid and not cancelled: in force now, or starting later (a renewal)."""
        return self.filter(status=Permit.Status.ACTIVE)

    def live_on(self, day):
        """In force on `day`, or starting after it: what holds a vehicle and a household place."""
        return self.active().filter(valid_to__gte=day)


class Permit(models.Model):
    """A resident parking permit: paid for, in force from valid_from to valid_to (both
    included). What a civil enforcement officer checks is its number, zone, registration and
    dates. It keeps what its approval relied on (the address, the person and occupancy in the
    council's records) so that a later sync that ends that occupancy can be noticed.

    A vehicle is never on two active permits whose dates overlap: a database constraint
    (migration 0007: an exclusion constraint on PostgreSQL, triggers on the demo's SQLite)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(max_length=12, unique=True, default=new_permit_number, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="permits"
    )
    # One application makes at most one permit, and one payment pays for at most one: completing
    # a payment twice (a refresh, a second tab, the reconciliation task) issues one permit.
    application = models.OneToOneField(
        PermitApplication, on_delete=models.PROTECT, related_name="permit"
    )
    payment = models.OneToOneField(
        "Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="issued_permit"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    registration = models.CharField(max_length=10)
    vehicle = models.JSONField(null=True, blank=True, help_text="DVLA's fields, when known")
    zone = models.CharField(max_length=10, blank=True, help_text="Controlled parking zone")
    uprn = models.BigIntegerField(null=True, blank=True)
    address = models.CharField(max_length=400)
    person_ref = models.CharField(
        max_length=50, blank=True, help_text="The person in the council's records approval matched"
    )
    relied_on = models.JSONField(
        default=dict, blank=True, help_text="The occupancies and sync runs the approval relied on"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(help_text="The last day the permit is valid")
    months = models.PositiveSmallIntegerField()
    price_pence = models.BigIntegerField(help_text="The permit's price when it was issued")
    price_lines = models.JSONField(default=list, blank=True)
    tariff_name = models.CharField(max_length=100, blank=True)
    paid_pence = models.BigIntegerField(
        help_text="Paid for it so far, less refunds: what a cancellation's refund is worked from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Moving home: the records no longer show the person at the address, or the resident told
    # us. For a parking officer to look at; nothing is cancelled automatically.
    flagged_at = models.DateTimeField(null=True, blank=True)
    flag_reason = models.CharField(max_length=200, blank=True)
    # Renewal reminders are sent once each: set by a conditional update before sending.
    reminded_6_weeks_at = models.DateTimeField(null=True, blank=True)
    reminded_2_weeks_at = models.DateTimeField(null=True, blank=True)

    objects = PermitQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="parking_permit_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(price_pence__gte=0) & Q(paid_pence__gte=0),
                name="parking_permit_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status="active", cancelled_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False),
                name="parking_permit_cancelled_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["registration", "status"], name="parking_permit_reg_status"),
            models.Index(fields=["uprn", "status"], name="parking_permit_uprn_status"),
            models.Index(fields=["status", "valid_to"], name="parking_permit_status_to"),
            models.Index(fields=["person_ref"], name="parking_permit_person"),
        ]

    def __str__(self):
        return self.number

    def live(self, today) -> bool:
        return self.status == self.Status.ACTIVE and self.valid_to >= today


class Payment(models.Model):
    """One attempt to pay: for an approved application (the permit), or for a change of vehicle
    or a move home that costs more. Its status is the payment service's, as last read."""

    class Purpose(models.TextChoices):
        PERMIT = "permit", "A new or renewed permit"
        VEHICLE_CHANGE = "vehicle_change", "A change of vehicle"
        MOVE = "move", "A move to a home where the permit costs more"

    class Status(models.TextChoices):
        # GOV.UK Pay's statuses; `new` is ours: not yet accepted by the payment service.
        NEW = "new", "Not started"
        CREATED = "created", "Created"
        STARTED = "started", "Started"
        SUBMITTED = "submitted", "Submitted"
        CAPTURABLE = "capturable", "Capturable"
        SUCCESS = "success", "Paid"
        FAILED = "failed", "Declined or expired"
        CANCELLED = "cancelled", "Cancelled"
        ERROR = "error", "Failed: payment service error"

    OPEN = ("new", "created", "started", "submitted", "capturable")

    reference = models.CharField(
        max_length=12, unique=True, default=new_payment_reference, editable=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    application = models.ForeignKey(
        PermitApplication, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount_pence = models.BigIntegerField()
    provider_id = models.CharField(
        max_length=50, unique=True, null=True, blank=True, help_text="GOV.UK Pay's payment_id"
    )
    next_url = models.URLField(max_length=2000, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    code = models.CharField(max_length=10, blank=True)
    message = models.CharField(max_length=200, blank=True)
    change = models.JSONField(
        null=True,
        blank=True,
        help_text="For a change of vehicle or a move: what changes and the new price",
    )
    # When what it paid for was done (the permit issued, the vehicle changed): once only.
    applied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="parking_payment_amount_positive"
            ),
            models.CheckConstraint(
                condition=(Q(purpose="permit") & Q(application__isnull=False))
                | (Q(purpose__in=["vehicle_change", "move"]) & Q(permit__isnull=False)),
                name="parking_payment_pays_for_something",
            ),
            # One payment in progress at a time per application or permit: a second tab sends
            # the resident to the same payment, so only one can ever take the money.
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status__in=["new", "created", "started", "submitted", "capturable"]),
                name="parking_payment_one_open_per_application",
            ),
            models.UniqueConstraint(
                fields=["permit"],
                condition=Q(status__in=["new", "created", "started", "submitted", "capturable"]),
                name="parking_payment_one_open_per_permit",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="success"),
                name="parking_payment_one_success_per_application",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="parking_payment_open")]

    def __str__(self):
        return self.reference

    @property
    def open(self) -> bool:
        return self.status in self.OPEN


class Refund(models.Model):
    """Money given back on a payment: when a permit is cancelled, or a cheaper vehicle put on
    it. Recorded first (pending), then asked of the payment service by a task."""

    class Status(models.TextChoices):
        PENDING = "pending", "Not yet sent to the payment service"
        SUBMITTED = "submitted", "Sent"
        SUCCESS = "success", "Refunded"
        ERROR = "error", "Failed: a person will look at it"

    class Reason(models.TextChoices):
        CANCELLED = "cancelled", "Permit cancelled"
        VEHICLE_CHANGE = "vehicle_change", "Cheaper vehicle"
        MOVE = "move", "Moved to a home where the permit costs less"
        NOT_ISSUED = "not_issued", "Paid, but the permit or change could not be made"

    permit = models.ForeignKey(
        Permit, null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_pence = models.BigIntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_id = models.CharField(max_length=50, blank=True, help_text="GOV.UK Pay's refund_id")
    # What the payment service said could be refunded before the first attempt: every retry
    # sends it again, so a refund that went through but was not recorded (a worker killed
    # mid-call) is refused as a mismatch rather than paid twice.
    available_before = models.BigIntegerField(null=True, blank=True)
    # The whole months of the permit it gives back money for, when not the months left on the
    # day it was made (a move is repriced from the day the resident moved).
    months_covered = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gt=0), name="parking_refund_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.amount_pence}p on {self.payment}"


class PermitEvent(models.Model):
    """The permit's history: who did what, when. `by` is None when the portal did it (a
    scheduled task, the payment service's answer)."""

    class Kind(models.TextChoices):
        ISSUED = "issued", "Permit issued"
        VEHICLE_CHANGED = "vehicle_changed", "Vehicle changed"
        CANCELLED = "cancelled", "Permit cancelled"
        REFUND = "refund", "Refund"
        RENEWED = "renewed", "Renewed"
        REMINDER = "reminder", "Renewal reminder sent"
        MOVE_FLAGGED = "move_flagged", "Records show a move"
        MOVE_REPORTED = "move_reported", "Resident reported a move"
        FLAG_CLEARED = "flag_cleared", "Flag cleared by a parking officer"
        MOVED = "moved", "Moved to a new address"
        MOVE_APPROVED = "move_approved", "Move approved: the resident pays the difference"
        MOVE_LAPSED = "move_lapsed", "Move lapsed: the difference was not paid"

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=500)
    data = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.permit}: {self.get_kind_display()}"


class PermitMove(models.Model):
    """What a resident told us about moving home: the kind of move they said, the new address
    (from the gazetteer by its UPRN, or typed when it is not listed), the zone the gazetteer
    gives it and the day they moved. Unresolved (resolved_at empty) while a parking officer has
    still to act on it; the permit is not renewed meanwhile. At most one unresolved a permit."""

    class Kind(models.TextChoices):
        SAME_ZONE = "same_zone", "Moved to another home in the same parking zone"
        OTHER_ZONE = "other_zone", "Moved to a home in another Hackney parking zone"
        OUT_OF_BOROUGH = "out_of_borough", "Moved out of Hackney"

    class Outcome(models.TextChoices):
        WAITING = "waiting", "Waiting for a parking officer"
        MOVED = "moved", "The permit was moved to the new address"
        CLEARED = "cleared", "A parking officer checked it and cleared the flag"
        CANCELLED = "cancelled", "The permit was cancelled"
        REPLACED = "replaced", "The resident told us again"
        LAPSED = "lapsed", "The difference was not paid in time: the permit stayed"

    permit = models.ForeignKey(Permit, on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    uprn = models.BigIntegerField(null=True, blank=True, help_text="None: not listed, or out")
    address = models.CharField(max_length=400, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    zone = models.CharField(
        max_length=10, blank=True, help_text="The new address's zone in the gazetteer"
    )
    moved_on = models.DateField()
    lives_there = models.JSONField(
        default=dict, blank=True, help_text="The lives-there rule's result at the new address"
    )
    # A move that costs more, approved (by the records or a parking officer) and waiting for the
    # resident to pay the difference: who approved it and what the records relied on. The
    # permit moves only when it is paid (moves._apply_move); unpaid after
    # PERMIT_PAYMENT_WINDOW_HOURS it lapses (moves.moves_lapse).
    approved = models.JSONField(
        default=dict, blank=True, help_text="Approved, waiting for the difference to be paid"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.WAITING)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["permit"],
                condition=Q(resolved_at__isnull=True),
                name="parking_permit_move_one_open",
            ),
            models.CheckConstraint(
                condition=Q(outcome="waiting", resolved_at__isnull=True)
                | (~Q(outcome="waiting") & Q(resolved_at__isnull=False)),
                name="parking_permit_move_resolved_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.permit}: {self.get_kind_display()}"

    @property
    def open(self) -> bool:
        return self.resolved_at is None

    @property
    def pay_by(self):
        """When a move waiting for the resident to pay the difference lapses if it is still
        unpaid (moves.moves_lapse): PERMIT_PAYMENT_WINDOW_HOURS after its approval, as for an
        approved application. None for a move not waiting for a payment."""
        if not (self.open and self.approved.get("at")):
            return None
        approved_at = datetime.fromisoformat(self.approved["at"])
        return approved_at + timedelta(hours=settings.PERMIT_PAYMENT_WINDOW_HOURS)
