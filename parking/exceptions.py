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
