"""Reads of personal_data's own tables."""

from __future__ import annotations

from hackney_portal.personal_data import Section, section

from .models import DataExport

# The tables naming a user that personal_data_for covers (tests/test_personal_data.py).
PERSONAL_DATA_TABLES = ("personal_data.DataExport",)


def personal_data_for(*, user) -> list[Section]:
    """Each time the resident downloaded (or asked for) all their data."""
    return [
        section(
            "data_downloads",
            "Downloads of your data",
            "Each time you asked for the file with all your data, and whether it was downloaded.",
            DataExport.objects.filter(user=user).order_by("created_at", "id"),
            {
                "Asked for": "created_at",
                "Status": lambda export: export.get_status_display(),
                "Downloaded": "downloaded_at",
            },
        )
    ]
