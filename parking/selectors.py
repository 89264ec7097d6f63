"""Parking's reads. They return the plain data the pure rules take, not model instances."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from .eligibility import HeldPermit, HeldStatus
from .models import Payment, Permit, PermitApplication, PermitEvent, Tariff
from .pricing import EmissionRate, EngineSizeRate, NoTariffInForce, TariffRates


def tariff_in_force(*, on: date) -> TariffRates:
    """The tariff in force on `on`: the one with the latest effective_from on or before it.
    Raises NoTariffInForce when none had started by then, and TariffError when the one in force
    cannot price a permit (no emissions bands)."""
    tariff = (
        Tariff.objects.in_force_on(on)
        .prefetch_related("emission_bands", "engine_size_bands")
        .first()
    )
    if tariff is None:
        raise NoTariffInForce(
            f"No parking tariff is in force on {on:%-d %B %Y}: add one in the admin"
        )
    return TariffRates(
        name=tariff.name,
        effective_from=tariff.effective_from,
        # The models' default ordering puts the open-ended band last.
        emission_bands=tuple(
            EmissionRate(max_co2=b.max_co2, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.emission_bands.all()
        ),
        engine_size_bands=tuple(
            EngineSizeRate(max_cc=b.max_cc, annual_pence=b.annual_pence, label=b.label)
            for b in tariff.engine_size_bands.all()
        ),
        diesel_surcharge_pence=tariff.diesel_surcharge_pence,
        additional_permit_surcharge_pence=tariff.additional_permit_surcharge_pence,
        three_month_percent=tariff.three_month_percent,
        six_month_percent=tariff.six_month_percent,
    )


# --- Applications ------------------------------------------------------------------------------

# Which applications count against a vehicle's and a household's limits, and as what; live
# permits count too (permits_live_held).
_HELD = {
    PermitApplication.Status.APPROVED: HeldStatus.PENDING,  # approved, waiting for payment
    PermitApplication.Status.NEEDS_EVIDENCE: HeldStatus.PENDING,  # waiting for a person
}


def applications_for_user(*, user) -> QuerySet[PermitApplication]:
    """A resident's applications, newest first: the only applications they may see."""
    return PermitApplication.objects.for_user(user).order_by("-created_at", "-id")


def application_for_user(*, user, reference: str) -> PermitApplication:
    """One of the resident's applications by its reference. Raises PermitApplication.DoesNotExist
    for a reference that is not theirs, exactly as for one that does not exist."""
    return applications_for_user(user=user).get(reference=reference.strip().upper())


def applications_held_for(
    *, user, registration: str, uprn: int | None, excluding_permit: str = ""
) -> list[HeldPermit]:
    """Pending applications and live permits for this registration or at this address,
    anyone's: what the limits rule counts. `excluding_permit` leaves out the permit being
    renewed or changed, which never counts against itself."""
    where = Q(registration=registration)
    if uprn is not None:
        where |= Q(uprn=uprn)
    today = timezone.localdate()
    rows = (
        PermitApplication.objects.filter(where, status__in=list(_HELD))
        # A renewal holds the same place as the live permit it renews, counted below.
        .exclude(renews__status=Permit.Status.ACTIVE, renews__valid_to__gte=today)
        .values_list("reference", "registration", "uprn", "status", "user_id")
        .order_by("submitted_at", "id")
    )
    held = [
        HeldPermit(
            reference=reference,
            registration=reg,
            uprn=at,
            status=_HELD[PermitApplication.Status(status)],
            held_by_applicant=user_id == user.pk,
        )
        for reference, reg, at, status, user_id in rows
    ]
    permits = (
        Permit.objects.live_on(today)
        .filter(where)
        .exclude(number=excluding_permit)
        .values_list("number", "registration", "uprn", "user_id")
        .order_by("valid_from", "id")
    )
    held += [
        HeldPermit(
            reference=number,
            registration=reg,
            uprn=at,
            status=HeldStatus.LIVE,
            held_by_applicant=user_id == user.pk,
        )
        for number, reg, at, user_id in permits
    ]
    return held


def permits_held_at_property(
    *, uprn: int | None, excluding: str = "", excluding_permit: str = ""
) -> int:
    """How many permits the address already has for pricing's further-permit surcharge: the
    approved applications waiting for payment and the live permits there, other than the
    application `excluding` and the permit `excluding_permit` (one being renewed or changed)."""
    if uprn is None:
        return 0
    today = timezone.localdate()
    approved = (
        PermitApplication.objects.filter(uprn=uprn, status=PermitApplication.Status.APPROVED)
        .exclude(reference=excluding)
        # A renewal waiting for payment holds the same place as the live permit it renews.
        .exclude(renews__status=Permit.Status.ACTIVE, renews__valid_to__gte=today)
        .count()
    )
    live = (
        Permit.objects.live_on(today)
        .filter(uprn=uprn)
        .exclude(number=excluding_permit)
        .exclude(application__reference=excluding)
        .count()
    )
    return approved + live


# --- Permits and payments -----------------------------------------------------------------------


def permits_for_user(*, user) -> QuerySet[Permit]:
    """A resident's permits, newest first: the only permits they may see."""
    return Permit.objects.for_user(user).order_by("-valid_from", "-id")


def permit_for_user(*, user, number: str) -> Permit:
    """One of the resident's permits by its number; Permit.DoesNotExist for anyone else's."""
    return permits_for_user(user=user).get(number=number.strip().upper())


def payment_for_user(*, user, reference: str) -> Payment:
    """One of the resident's payments by its reference; Payment.DoesNotExist for anyone
    else's."""
    return Payment.objects.filter(user=user).get(reference=reference.strip().upper())


def permit_events(*, permit: Permit) -> QuerySet[PermitEvent]:
    return permit.events.select_related("by").order_by("at", "id")


def permits_flagged() -> QuerySet[Permit]:
    """Active permits flagged for a parking officer (the holder may have moved), oldest first."""
    return Permit.objects.active().filter(flagged_at__isnull=False).order_by("flagged_at", "id")


def permit_renewal(*, permit: Permit) -> PermitApplication | None:
    """The renewal application of the permit that is in progress or paid, if any."""
    return (
        permit.renewals.filter(
            status__in=[
                PermitApplication.Status.APPROVED,
                PermitApplication.Status.NEEDS_EVIDENCE,
                PermitApplication.Status.ISSUED,
            ]
        )
        .order_by("-created_at")
        .first()
    )
