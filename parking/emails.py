"""The emails parking sends a resident. Wired to the notifications app in the emails step."""


def queue_email(kind: str, **ids) -> None:
    """Queue the email `kind` about the objects named by `ids`, sent after the transaction
    commits."""
