"""Times as GOV.UK writes them on the resident's pages (issue 17): "8:25am on 4 December 2026",
never Django's "8:25a.m.", which left "a.m.." at the end of a sentence."""

import re

import pytest
from django.urls import reverse

from tests.parking.application_records import load_borough
from tests.parking.permit_helpers import approved_application, issued_permit

pytestmark = pytest.mark.django_db


@pytest.fixture
def borough(db):
    return load_borough()


def test_the_pay_by_time_is_written_as_gov_uk_writes_it(client, resident, borough):
    application = approved_application(resident)
    client.force_login(resident)
    html = client.get(reverse("parking:application", args=[application.reference])).content
    page = " ".join(html.decode().split())
    assert re.search(r"Pay by \d{1,2}(:\d\d)?(am|pm) on \d{1,2} [A-Z][a-z]+ \d{4}\. If", page)
    assert "a.m." not in page and "p.m." not in page


def test_a_permit_s_history_writes_times_as_gov_uk_does(client, resident, borough):
    permit = issued_permit(resident)
    client.force_login(resident)
    page = client.get(reverse("parking:permit", args=[permit.number])).content.decode()
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d{1,2}(:\d\d)?(am|pm)<", page)
    assert "a.m." not in page and "p.m." not in page
