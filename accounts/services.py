from django.db import transaction

from .tasks import send_email


def email_send(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Send an email from a worker once the current transaction commits: an email about
    something that was rolled back is never sent."""
    transaction.on_commit(lambda: send_email.delay(to=to, subject=subject, body=body, html=html))
