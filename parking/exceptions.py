"""Parking's errors. Every one derives from ParkingError; views turn them into messages."""


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
