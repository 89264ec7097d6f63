"""Email templates for these tests (in tests/notifications/templates, as an app's would be under
templates/), and a way to queue one."""

from pathlib import Path

import pytest

from notifications.services import email_queue

TEMPLATES = Path(__file__).resolve().parent / "templates"
CONTEXT = {
    "name": "Zoë O'Brien",
    "reference": "PM-7KQ3-2M9X",
    "registration": "LB19PET",
    "expires_on": "31 March 2027",
}


@pytest.fixture(autouse=True)
def email_templates(settings):
    engine = {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], TEMPLATES]}
    settings.TEMPLATES = [engine]
    settings.SITE_URL = "https://portal.hackney.example/"


def queue(event_key: str = "permit-issued:PM-7KQ3-2M9X", **overrides):
    arguments = {
        "event_key": event_key,
        "to": "zoe.obrien@example.com",
        "template": "tests/emails/permit_issued",
        "context": CONTEXT,
        **overrides,
    }
    return email_queue(**arguments)
