"""The notifications app's errors.

`InvalidEmail` is what `email_queue` raises for bad input: a programming error in the caller (an
address that is not one, a context that cannot be stored, a template that does not exist). It
changes nothing.

`ProviderError` and its two kinds are what the email clients raise when the provider does not
take an email; the send service decides from the kind whether to try again."""


class NotificationError(Exception):
    """Base of the notifications app's errors."""


class InvalidEmail(NotificationError, ValueError):
    """email_queue was given something it cannot send or store."""


class ProviderError(NotificationError):
    """The email provider did not take the email."""


class ProviderRejected(ProviderError):
    """The provider refused this email (HTTP 4xx: a bad address, a team-only key...). Sending it
    again would be refused again."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or failed (5xx, timeout, no connection). Worth trying
    again later.

    `maybe_accepted` says whether the provider may have taken the email all the same (a timeout
    after the request was sent, a 5xx from a proxy after the provider answered): then the next
    attempt must first ask the provider whether it has it."""

    def __init__(self, message: str, *, maybe_accepted: bool) -> None:
        super().__init__(message)
        self.maybe_accepted = maybe_accepted
