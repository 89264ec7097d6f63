"""Finding applications by the applicant's name as typed on them
(parking.selectors.applications_for_search), for the contact centre's search: an applicant the
council's records do not know is found too."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db import connection, transaction

from parking import services
from parking.models import PermitApplication
from parking.selectors import _LAST_COMPACT, _surname_like, applications_for_search
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def named(first_name: str, last_name: str) -> PermitApplication:
    """A draft with the applicant's names answered, as the journey answers them."""
    user = UserFactory()
    reference = services.application_draft_get_or_create(user=user).reference
    return services.application_answer_applicant(
        user=user,
        reference=reference,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date(1990, 1, 2),
    )


def found(**names) -> list[str]:
    return [a.reference for a in applications_for_search(**names)]


def test_the_applicants_names_are_kept_as_name_keys():
    application = named(" Anaïs ", "O'Brien-Kowalczyk")
    application.refresh_from_db()
    assert (application.first_name_key, application.last_name_key) == (
        "anais",
        "obrien kowalczyk",
    )


def test_an_application_is_found_by_the_start_of_the_compact_surname():
    application = named("Anaïs", "van der Berg")
    named("Anaïs", "Kowalczyk")
    assert found(surname_prefixes=["vanderb"]) == [application.reference]


def test_an_application_is_found_by_its_whole_surname():
    application = named("Wei", "Ng")
    named("Wei", "Ngata")
    assert found(surnames=["ng"]) == [application.reference]


def test_a_surname_prefix_of_two_letters_finds_only_that_whole_surname():
    application = named("Wei", "Ng")
    named("Wei", "Ngata")
    assert found(surname_prefixes=["ng"]) == [application.reference]


def test_the_names_come_with_their_keys_for_the_search_to_rank():
    named("Zoë", "Smith-Jones")
    (summary,) = applications_for_search(surname_prefixes=["smithjones"])
    assert (summary.applicant_name, summary.first_name_key, summary.last_name_key) == (
        "Zoë Smith-Jones",
        "zoe",
        "smith jones",
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index is PostgreSQL's")
def test_the_surname_search_is_read_through_its_trigram_index():
    """With few rows the planner prefers a scan of the table, so that is switched off to ask
    what it can use."""
    named("Anaïs", "Kowalczyk")
    query = PermitApplication.objects.annotate(last_compact=_LAST_COMPACT).filter(
        _surname_like(["kowal"], ["ng"])
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = query.explain()
    assert "parking_application_surname_trgm" in plan


def test_the_migration_fills_in_the_keys_of_applications_made_before_it():
    application = named("Seán", "O'Brien")
    PermitApplication.objects.filter(pk=application.pk).update(first_name_key="", last_name_key="")
    migration = importlib.import_module("parking.migrations.0014_application_name_search")

    migration.fill_keys(apps, None)

    application.refresh_from_db()
    assert (application.first_name_key, application.last_name_key) == ("sean", "obrien")


def test_staff_search_says_a_cancelled_permits_application_is_cancelled(resident):
    # The same words as the resident's own pages (PermitApplication.status_label).
    from parking import permits
    from tests.parking.application_records import load_borough
    from tests.parking.permit_helpers import issued_permit

    load_borough()
    permit = issued_permit(resident)
    (summary,) = applications_for_search(registration=permit.registration)
    assert summary.status_label == "Paid: permit issued"

    permits.permit_cancel(user=resident, number=permit.number)

    (summary,) = applications_for_search(registration=permit.registration)
    assert summary.status_label == "Permit cancelled"
    assert (
        summary.status_label == PermitApplication.objects.get(pk=permit.application_id).status_label
    )
