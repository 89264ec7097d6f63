"""parking.selectors.applications_at_properties: the contact centre's read of the applications
for a case's addresses."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parking.models import PermitApplication
from parking.selectors import applications_at_properties
from tests.factories import UserFactory
from tests.parking.test_evidence import make_application

pytestmark = pytest.mark.django_db
Status = PermitApplication.Status


def at(uprn, **kwargs):
    application = make_application(UserFactory(), **kwargs)
    PermitApplication.objects.filter(pk=application.pk).update(uprn=uprn)
    return application


def test_the_submitted_applications_at_the_addresses_newest_first():
    first, second = at(10001), at(10001, status=Status.NOT_ELIGIBLE)
    at(10001, status=Status.DRAFT)
    at(10002)

    found = applications_at_properties(uprns=[10001])

    assert [a.reference for a in found] == [second.reference, first.reference]


def test_two_queries_however_many_applications():
    for _ in range(12):
        at(10001)
    with CaptureQueriesContext(connection) as queries:
        found = applications_at_properties(uprns=[10001])
        [(a.user.email, list(a.evidence_files.all())) for a in found]
    assert len(queries) == 2
