"""Reads of notifications' own data for other apps."""

from __future__ import annotations

from hackney_portal.personal_data import Section, section

from .models import EmailNotification

# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("notifications.EmailNotification",)


def personal_data_for(*, user) -> list[Section]:
    """Every email the portal sent (or is to send) the resident, with what it said."""
    return [
        section(
            "emails",
            "Emails we sent you",
            "Every email the portal sent you, or is about to, with what it said.",
            EmailNotification.objects.filter(user=user).order_by("created_at", "id"),
            {
                "To": "to",
                "Subject": "subject",
                "Message": "body_text",
                "Status": lambda email: email.get_status_display(),
                "Sent": "sent_at",
            },
        )
    ]
