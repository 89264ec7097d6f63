"""parking's services and selectors for an assisted application: one a member of staff makes for
a resident on the phone, on the resident's own account. Recorded as made by them, kept apart
from the resident's own draft, hidden from the resident until it is submitted, and decided by
the same rules."""

import pytest
from django.db import IntegrityError, transaction

from parking import services
from parking.models import PermitApplication
from parking.selectors import application_for_user, applications_for_user
from tests.factories import make_staff
from tests.parking.application_records import LORRY, load_borough
from tests.parking.test_application_services import answer_everything

pytestmark = pytest.mark.django_db

Status = PermitApplication.Status


@pytest.fixture
def borough(db):
    return load_borough()


def assisted_draft(resident, agent) -> PermitApplication:
    return services.application_draft_get_or_create(user=resident, made_by=agent)


def test_an_assisted_application_is_recorded_as_made_by_the_agent(borough, resident, agent):
    ref = answer_everything(resident, made_by=agent)
    submitted = services.application_submit(user=resident, reference=ref, made_by=agent)
    assert (submitted.application.user, submitted.application.made_by) == (resident, agent)


def test_an_assisted_application_is_decided_by_the_same_rules(borough, resident, agent):
    ref = answer_everything(resident, registration=LORRY, made_by=agent)
    submitted = services.application_submit(user=resident, reference=ref, made_by=agent)
    assert submitted.application.status == Status.NOT_ELIGIBLE


def test_an_assisted_application_is_submitted_once(borough, resident, agent):
    ref = answer_everything(resident, made_by=agent)
    services.application_submit(user=resident, reference=ref, made_by=agent)
    again = services.application_submit(user=resident, reference=ref, made_by=agent)
    assert again.just_now is False


def test_the_agent_who_submits_is_the_one_recorded(borough, resident, agent, parking_officer):
    ref = answer_everything(resident, made_by=agent)  # a colleague takes the call back
    submitted = services.application_submit(user=resident, reference=ref, made_by=parking_officer)
    assert submitted.application.made_by == parking_officer


def test_the_residents_own_draft_and_an_agents_are_kept_apart(resident, agent):
    own = services.application_draft_get_or_create(user=resident)
    assisted = assisted_draft(resident, agent)
    assert own.pk != assisted.pk


def test_starting_again_for_a_resident_carries_on_the_assisted_draft(resident, agent):
    first = assisted_draft(resident, agent)
    assert assisted_draft(resident, make_staff("parking_officer")).pk == first.pk


def test_the_database_refuses_a_second_assisted_draft_for_a_resident(resident, agent):
    assisted_draft(resident, agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        PermitApplication.objects.create(user=resident, made_by=agent)


def test_a_resident_does_not_see_an_agents_draft(resident, agent):
    assisted_draft(resident, agent)
    assert list(applications_for_user(user=resident)) == []


def test_a_resident_cannot_open_an_agents_draft(resident, agent):
    draft = assisted_draft(resident, agent)
    with pytest.raises(PermitApplication.DoesNotExist):
        application_for_user(user=resident, reference=draft.reference)


def test_a_resident_cannot_answer_an_agents_draft(resident, agent):
    draft = assisted_draft(resident, agent)
    with pytest.raises(PermitApplication.DoesNotExist):
        services.application_answer_postcode(
            user=resident, reference=draft.reference, postcode="E8 1DY"
        )


def test_a_resident_cannot_submit_an_agents_draft(borough, resident, agent):
    ref = answer_everything(resident, made_by=agent)
    with pytest.raises(PermitApplication.DoesNotExist):
        services.application_submit(user=resident, reference=ref)


def test_a_resident_sees_the_assisted_application_once_submitted(borough, resident, agent):
    ref = answer_everything(resident, made_by=agent)
    services.application_submit(user=resident, reference=ref, made_by=agent)
    assert application_for_user(user=resident, reference=ref).assisted is True


def test_another_resident_never_sees_an_assisted_application(
    borough, resident, other_resident, agent
):
    ref = answer_everything(resident, made_by=agent)
    services.application_submit(user=resident, reference=ref, made_by=agent)
    with pytest.raises(PermitApplication.DoesNotExist):
        application_for_user(user=other_resident, reference=ref)
