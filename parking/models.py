"""Parking's tables. The tariff is effective-dated: a price change is a new tariff with a later
`effective_from`, so the prices quoted before it stay explainable. Money is integer pence.

Staff permissions for parking are declared in parking/permissions.py."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


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

# No look-alikes (0/O, 1/I/L, 5/S, 2/Z, 8/B): a reference is read aloud over the phone and
# typed from a letter.
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"


def new_application_reference() -> str:
    """`PA-XXXX-XXXX` from the secrets module: about 38 bits, unguessable, not a database id."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"PA-{chars[:4]}-{chars[4:]}"


class PermitApplicationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def drafts(self):
        return self.filter(status=PermitApplication.Status.DRAFT)

    def submitted(self):
        return self.exclude(status=PermitApplication.Status.DRAFT)


class PermitApplication(models.Model):
    """A resident's application for a permit: a draft while they answer the questions (so they
    can stop and carry on from another device), then the decision the rules made, with the
    price quoted and everything the decision relied on."""

    class Status(models.TextChoices):
        DRAFT = "draft", "In progress"
        APPROVED = "approved", "Approved"
        NEEDS_EVIDENCE = "needs_evidence", "Needs evidence"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        # Paying, lapsing and withdrawing come with the next parking issue.

    class VehicleLookup(models.TextChoices):
        FOUND = "found", "Found in the vehicle records"
        NOT_FOUND = "not_found", "Not found in the vehicle records"
        INVALID = "invalid", "Not recognised as a UK registration by the vehicle records"
        UNAVAILABLE = "unavailable", "The vehicle records could not be checked"

    reference = models.CharField(
        max_length=12, unique=True, default=new_application_reference, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="permit_applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The answers, as the resident gave them.
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.BigIntegerField(null=True, blank=True)
    address_not_listed = models.BooleanField(default=False)
    address = models.CharField(max_length=400, blank=True, help_text="As the resident chose it")
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
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
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = PermitApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Two tabs or two devices carry on the same draft instead of starting two.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="draft"),
                name="parking_application_one_draft_per_user",
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
        ]
        indexes = [
            models.Index(fields=["uprn", "status"], name="parking_app_uprn_status"),
            models.Index(fields=["registration", "status"], name="parking_app_reg_status"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


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
