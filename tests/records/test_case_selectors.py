"""records.selectors for the contact centre's case view: a person by reference, and who lives or
lived where with the sync that said so. Marked `embedded`: they run on SQLite too."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from records import selectors
from records.models import Occupancy
from tests.records.test_selectors import make_occupancy, make_person, make_property, make_run

pytestmark = [pytest.mark.embedded, pytest.mark.django_db]


def test_a_person_is_found_by_reference():
    ada = make_person("Ada", "Lovelace", title="Dr")
    found = selectors.person_by_ref(person_ref=ada.person_ref)
    assert (found.name, found.title, found.person_ref) == ("Ada Lovelace", "Dr", ada.person_ref)


def test_an_unknown_reference_is_nobody():
    assert selectors.person_by_ref(person_ref="P404") is None


@pytest.fixture
def household():
    """Ada lives at home (council tax, from the run `run`) and used to live at old; Charles
    lives with her (electoral register) and used to live elsewhere; Mary has moved out of home."""
    run = make_run("people")
    home, old, elsewhere = make_property(), make_property("9 Old Road"), make_property("5 Far")
    ada, charles, mary = make_person("Ada"), make_person("Charles", "Babbage"), make_person("Mary")
    make_occupancy(ada, home, sync_run=run)
    make_occupancy(ada, old, occupied_to=timezone.localdate() - timedelta(days=400))
    make_occupancy(
        charles,
        home,
        role=Occupancy.Role.OCCUPANT,
        source=Occupancy.Source.ELECTORAL_REGISTER,
    )
    make_occupancy(charles, elsewhere, ended_at=timezone.now())
    make_occupancy(mary, home, occupied_to=timezone.localdate() - timedelta(days=1))
    return {"run": run, "home": home, "old": old, "ada": ada, "charles": charles, "mary": mary}


def summary(history):
    return [(h.person.first_name, h.address.uprn, h.current) for h in history]


def test_a_persons_history_is_theirs_and_their_households_now(household):
    h = household

    history = selectors.occupancy_history(person_ref=h["ada"].person_ref)

    # Current first; by surname (Babbage before Lovelace), newest from-date first.
    assert summary(history) == [
        ("Charles", h["home"].uprn, True),
        ("Ada", h["home"].uprn, True),
        ("Ada", h["old"].uprn, False),
    ]


def test_a_propertys_history_is_everyone_who_lives_or_lived_there(household):
    h = household

    history = selectors.occupancy_history(uprn=h["home"].uprn)

    assert summary(history) == [
        ("Charles", h["home"].uprn, True),
        ("Ada", h["home"].uprn, True),
        ("Mary", h["home"].uprn, False),
    ]


def test_each_record_names_its_source_dates_and_the_sync_that_wrote_it(household):
    h = household

    ada_at_home = next(
        item
        for item in selectors.occupancy_history(uprn=h["home"].uprn)
        if item.person.first_name == "Ada"
    )

    assert (ada_at_home.role, ada_at_home.source) == ("liable", "council_tax")
    assert ada_at_home.occupied_from.isoformat() == "2020-04-01"
    assert ada_at_home.sync_run.run_id == h["run"].pk
    assert ada_at_home.sync_run.file_name == "people.csv"


def test_a_record_no_sync_wrote_names_no_run(household):
    history = selectors.occupancy_history(uprn=household["home"].uprn)
    charles = [item for item in history if item.person.first_name == "Charles"]
    assert [item.sync_run for item in charles] == [None]


def test_a_history_is_one_query_however_long(household):
    home = household["home"]
    for n in range(30):
        make_occupancy(make_person(f"Extra{n}"), home)
    with CaptureQueriesContext(connection) as queries:
        history = selectors.occupancy_history(uprn=home.uprn)
    assert len(history) == 33
    assert len(queries) == 1


def test_a_history_is_asked_for_a_person_or_a_property():
    with pytest.raises(TypeError):
        selectors.occupancy_history()
    with pytest.raises(TypeError):
        selectors.occupancy_history(person_ref="P1", uprn=1)
