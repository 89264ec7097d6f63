"""Parking's errors. Every one derives from ParkingError; views turn them into messages."""

from collections.abc import Sequence
from dataclasses import dataclass


class ParkingError(Exception):
    """Base for every error the parking app raises on purpose."""


class VehicleLookupError(ParkingError):
    """Vehicle data could not say what vehicle a registration belongs to."""

    def __init__(self, registration: str, detail: str = "") -> None:
        self.registration = registration
        self.detail = detail
        super().__init__(f"{registration}: {detail}" if detail else registration)


class InvalidRegistration(VehicleLookupError):
    """Not a UK registration: refused by our own check, or by the vehicle service (HTTP 400)."""


class VehicleNotFound(VehicleLookupError):
    """A well-formed registration the vehicle service has no record of (HTTP 404)."""


class VehicleServiceUnavailable(VehicleLookupError):
    """The vehicle service could not answer: rate limited or failing after retries, too slow,
    unreachable, or answering in a way we do not understand. Says nothing about the vehicle,
    so it must never count against an applicant."""


# --- Applications ---


class ApplicationError(ParkingError):
    """An application cannot do what was asked of it."""


class ApplicationNotDraft(ApplicationError):
    """The application was submitted already: its answers can no longer change."""


class ApplicationIncomplete(ApplicationError):
    """Submitted before every question was answered; `missing` names the first unanswered."""

    def __init__(self, missing: str) -> None:
        self.missing = missing
        super().__init__(f"The application has no answer for {missing}")


class TooManyApplications(ApplicationError):
    """The resident has sent PERMIT_APPLICATIONS_PER_DAY applications in the last 24 hours;
    `until` is when they may send another."""

    def __init__(self, until) -> None:
        self.until = until
        super().__init__(f"Too many applications: the next may be sent from {until:%Y-%m-%d %H:%M}")


class OwnApplicationPending(ApplicationError):
    """The resident already has an application for this vehicle waiting for proof, a person or
    a payment (`pending`, their references): they carry on with it, or withdraw it first."""

    def __init__(self, pending: list[str]) -> None:
        self.pending = pending
        super().__init__(f"Already applied for this vehicle: {', '.join(pending)}")


class ApplicationNotWithdrawable(ApplicationError):
    """Only an application still waiting (for proof, a person or a payment) can be withdrawn,
    and not while a payment for it is in progress; `reason` says why, to the resident."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# --- Evidence ---


class EvidenceError(ParkingError):
    """Base for the evidence errors."""


class EvidenceNotAccepted(EvidenceError):
    """The application is not waiting for evidence (approved, refused, or already decided)."""


class EvidenceKindNotAsked(EvidenceError):
    """The application's decision does not ask for this kind of evidence."""


@dataclass(frozen=True)
class FileProblem:
    message: str
    name: str = ""  # the file's name as the resident's device gave it; empty for the upload


class EvidenceRejected(EvidenceError):
    """One or more files cannot be accepted; nothing of the upload was stored."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))


# --- Payments ---


class PaymentServiceError(ParkingError):
    """The payment service did not do what was asked."""

    def __init__(self, code: str = "", description: str = "") -> None:
        self.code = code
        self.description = description
        super().__init__(f"{code}: {description}" if code else description)


class PaymentServiceUnavailable(PaymentServiceError):
    """The payment service could not answer (down, too slow, a wrong key, an answer we cannot
    read). Nothing is known about the payment: ask again later."""

    def __init__(self, description: str = "") -> None:
        super().__init__("", description)


class PaymentRefused(PaymentServiceError):
    """The payment service answered no (GOV.UK Pay's error `code` says why)."""


class RefundMismatch(PaymentRefused):
    """The refund named an available amount the payment service disagrees with: another refund
    was made meanwhile. Read the payment again before refunding."""


# --- Permits ---


class PermitError(ParkingError):
    """A permit cannot do what was asked of it."""


class PaymentNotPossible(PermitError):
    """The application cannot be paid for: not approved, lapsed, or paid already."""


class ApplicationAlreadyDecided(PaymentNotPossible):
    """An officer's decision on an application that is no longer waiting for one (decided
    already, by another officer in another tab, or never waiting)."""


class ApplicationOverLimits(PermitError):
    """A parking officer cannot approve this application: since it was sent, the vehicle or the
    household has been given a permit or an approval (pending applications hold nothing, so
    this is checked again when a person approves). `reason` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class AddressNeeded(PermitError):
    """Approving an application whose address the gazetteer does not have needs the officer to
    say where it is: a gazetteer property, or why none fits and the zone that applies."""


class VehicleFactsNeeded(PermitError):
    """Approving an application whose vehicle the records did not give needs its V5C's facts:
    without them there is no price."""


class DecisionReasonMissing(PermitError):
    """An officer's decision must say why."""


class PermitNotLive(PermitError):
    """The permit is cancelled or has ended: it can no longer change."""


class PermitNotFlagged(PermitError):
    """The permit is not flagged for a parking officer: never flagged, or decided already."""


class RenewalNotOpen(PermitError):
    """Renewal opens 6 weeks before a permit ends; this one is not within them."""


class VehicleChangeRefused(PermitError):
    """The new vehicle cannot go on this permit; `reason` says why, to the resident."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class MoveRefused(PermitError):
    """What the resident told us about their move cannot be recorded, or a parking officer
    cannot move the permit to the new address; `reason` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
