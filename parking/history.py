"""What the permit side (parking.permits, parking.moves) and the payment side (parking.payments)
share: a permit's history, the resident's emails, and money and counts as the history words them.
It sits beneath all three and imports none of them."""

from __future__ import annotations

from .models import Permit, PermitEvent


def permit_event(permit: Permit, kind: str, description: str, *, by, **data) -> PermitEvent:
    """Add to the permit's history (what its page and the case view show)."""
    return PermitEvent.objects.create(
        permit=permit, kind=kind, description=description[:500], by=by, data=data
    )


def queue_email(kind: str, **ids) -> None:
    """The resident's email about what just happened (parking/emails.py), queued in this
    transaction: notifications sends it after the commit, once per event. (Imported when
    called: emails reads the models and wording these modules write.)"""
    from .emails import queue_email as queue

    queue(kind, **ids)


def pounds(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
