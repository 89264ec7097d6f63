"""records.selectors: the reads other apps use. Marked `embedded`: they run on PostgreSQL
(make pytest) and on SQLite (make pytest-embedded)."""

import dataclasses
import itertools
from datetime import date, timedelta

import pytest
from django.utils import timezone

from records import selectors
from records.matching import name_key
from records.models import Occupancy, Person, Property, SyncRun

pytestmark = [pytest.mark.embedded, pytest.mark.django_db]

_uprns = itertools.count(100_000_000_001)
_refs = itertools.count(1)
POSTCODE = "E8 3RH"


def make_property(line_1="1 Mare Street", **fields) -> Property:
    values = {
        "uprn": next(_uprns),
        "address_line_1": line_1,
        "address_line_3": "London",
        "postcode": POSTCODE,
        "ward": "Hackney Central",
        "usage": Property.Usage.RESIDENTIAL,
        "cpz_zone": "D",
        "permit_free": False,
    }
    return Property.objects.create(**{**values, **fields})


def make_person(first_name="Ada", last_name="Lovelace", **fields) -> Person:
    return Person.objects.create(
        person_ref=f"P{next(_refs):06d}",
        first_name=first_name,
        last_name=last_name,
        first_name_key=name_key(first_name),
        last_name_key=name_key(last_name),
        **fields,
    )


def make_occupancy(person, home, **fields) -> Occupancy:
    values = {
        "role": Occupancy.Role.LIABLE,
        "source": Occupancy.Source.COUNCIL_TAX,
        "occupied_from": date(2020, 4, 1),
    }
    return Occupancy.objects.create(person=person, property=home, **{**values, **fields})


def make_run(feed="properties", *, finished_minutes_ago=60, **fields) -> SyncRun:
    values = {
        "file_name": f"{feed}.csv",
        "file_path": f"record-feeds/{feed}.csv",
        "checksum": "0" * 64,
        "started_by_label": "test",
        "status": SyncRun.Status.APPLIED,
        "finished_at": timezone.now() - timedelta(minutes=finished_minutes_ago),
    }
    return SyncRun.objects.create(feed=feed, **{**values, **fields})


# --- residential_addresses_at_postcode -----------------------------------------------------


def test_addresses_at_a_postcode_are_its_current_residential_and_mixed_use_properties():
    home = make_property("1 Mare Street")
    above_shop = make_property("3 Mare Street", usage=Property.Usage.MIXED)
    make_property("5 Mare Street", usage=Property.Usage.COMMERCIAL)
    make_property("7 Mare Street", retired_at=timezone.now())
    make_property("9 Mare Street", postcode="E8 3RJ")

    addresses = selectors.residential_addresses_at_postcode(postcode=POSTCODE)

    assert [address.uprn for address in addresses] == [home.uprn, above_shop.uprn]


@pytest.mark.parametrize("typed", ["e8 3rh", "E83RH", "  e8   3RH ", "E8 3RH"])
def test_a_postcode_typed_in_any_case_and_spacing_finds_its_addresses(typed):
    home = make_property("1 Mare Street")

    addresses = selectors.residential_addresses_at_postcode(postcode=typed)

    assert [address.uprn for address in addresses] == [home.uprn]


@pytest.mark.parametrize("typed", ["", "E8", "not a postcode", "E8 3RH 1"])
def test_a_value_that_is_not_a_postcode_has_no_addresses(typed):
    make_property("1 Mare Street")

    assert selectors.residential_addresses_at_postcode(postcode=typed) == []


def test_addresses_are_ordered_by_street_then_house_number_then_building_then_flat():
    # Created out of order on purpose: the order must come from the selector.
    for line_1, line_2 in [
        ("10 Mare Street", ""),
        ("Flat 10, Acacia Court", "Amhurst Road"),
        ("First Floor Flat, 2 Mare Street", ""),
        ("12A Mare Street", ""),
        ("Flat 2, Acacia Court", "Amhurst Road"),
        ("2 Amhurst Road", ""),
        ("Basement Flat, 2 Mare Street", ""),
        ("12 Mare Street", ""),
        ("Ground Floor Flat, 2 Mare Street", ""),
        ("Flat B, 1 Mare Street", ""),
        ("Flat A, 1 Mare Street", ""),
    ]:
        make_property(line_1, address_line_2=line_2)

    addresses = selectors.residential_addresses_at_postcode(postcode=POSTCODE)

    assert [address.lines[0] for address in addresses] == [
        "2 Amhurst Road",
        "Flat 2, Acacia Court",
        "Flat 10, Acacia Court",
        "Flat A, 1 Mare Street",
        "Flat B, 1 Mare Street",
        "Basement Flat, 2 Mare Street",
        "Ground Floor Flat, 2 Mare Street",
        "First Floor Flat, 2 Mare Street",
        "10 Mare Street",
        "12 Mare Street",
        "12A Mare Street",
    ]


def test_an_address_label_joins_its_non_empty_lines_and_postcode():
    make_property("Flat A, 1 Mare Street", address_line_2="", address_line_3="London")

    (address,) = selectors.residential_addresses_at_postcode(postcode=POSTCODE)

    assert address.label == "Flat A, 1 Mare Street, London, E8 3RH"


# --- property_by_uprn ----------------------------------------------------------------------


def test_a_property_by_uprn_comes_with_its_zone_and_permit_free_flag():
    home = make_property("1 Mare Street", cpz_zone="N", permit_free=True)

    found = selectors.property_by_uprn(uprn=home.uprn)

    assert (found.uprn, found.cpz_zone, found.permit_free, found.retired_at) == (
        home.uprn,
        "N",
        True,
        None,
    )


def test_a_uprn_the_gazetteer_never_listed_has_no_property():
    make_property("1 Mare Street")

    assert selectors.property_by_uprn(uprn=1) is None


def test_a_retired_property_says_when_it_left_the_gazetteer():
    retired_at = timezone.now() - timedelta(days=3)
    home = make_property("1 Mare Street", retired_at=retired_at)

    assert selectors.property_by_uprn(uprn=home.uprn).retired_at == retired_at


def test_a_commercial_property_is_not_residential():
    shop = make_property("5 Mare Street", usage=Property.Usage.COMMERCIAL)

    assert selectors.property_by_uprn(uprn=shop.uprn).residential is False


# --- current_occupants ---------------------------------------------------------------------


def test_current_occupants_leave_out_occupancies_ended_by_a_sync_or_past_their_end_date():
    home = make_property()
    today = timezone.localdate()
    make_occupancy(make_person("Still", "Here"), home)
    make_occupancy(make_person("Leaving", "Today"), home, occupied_to=today)
    make_occupancy(make_person("Left", "Yesterday"), home, occupied_to=today - timedelta(days=1))
    make_occupancy(make_person("Gone", "From Snapshot"), home, ended_at=timezone.now())
    make_occupancy(make_person("Lives", "Elsewhere"), make_property("3 Mare Street"))

    occupants = selectors.current_occupants(uprn=home.uprn)

    assert [(o.first_name, o.last_name) for o in occupants] == [
        ("Still", "Here"),
        ("Leaving", "Today"),
    ]


def test_an_occupant_comes_with_name_keys_and_date_of_birth():
    home = make_property()
    make_occupancy(make_person("Zoë", "O'Brien", date_of_birth=date(1990, 5, 17)), home)

    (occupant,) = selectors.current_occupants(uprn=home.uprn)

    assert (occupant.first_name_key, occupant.last_name_key, occupant.date_of_birth) == (
        "zoe",
        "obrien",
        date(1990, 5, 17),
    )


def test_a_person_placed_by_two_sources_is_one_occupant_with_both_occupancies():
    home = make_property()
    person = make_person()
    make_occupancy(person, home, source=Occupancy.Source.COUNCIL_TAX)
    make_occupancy(
        person,
        home,
        source=Occupancy.Source.ELECTORAL_REGISTER,
        role=Occupancy.Role.OCCUPANT,
        occupied_from=date(2021, 1, 1),
    )

    (occupant,) = selectors.current_occupants(uprn=home.uprn)

    assert [(o.source, o.role) for o in occupant.occupancies] == [
        (Occupancy.Source.COUNCIL_TAX, Occupancy.Role.LIABLE),
        (Occupancy.Source.ELECTORAL_REGISTER, Occupancy.Role.OCCUPANT),
    ]


def test_current_occupants_are_read_in_one_query(django_assert_num_queries):
    home = make_property()
    for first_name in ("Ada", "Bea", "Cy", "Di"):
        make_occupancy(make_person(first_name, "Lovelace"), home)

    with django_assert_num_queries(1):
        occupants = selectors.current_occupants(uprn=home.uprn)

    assert len(occupants) == 4


def test_living_at_many_homes_counts_who_current_occupants_counts(monkeypatch):
    today = timezone.localdate()
    first, second, elsewhere = make_property(), make_property("2 Mare Street"), make_property()
    here, leaving = make_person("Still", "Here"), make_person("Leaving", "Today")
    make_occupancy(here, first)
    make_occupancy(leaving, second, occupied_to=today)
    make_occupancy(make_person("Left", "Yesterday"), first, occupied_to=today - timedelta(1))
    make_occupancy(make_person("Gone", "From Snapshot"), second, ended_at=timezone.now())
    make_occupancy(make_person("Not", "Asked About"), elsewhere)
    monkeypatch.setattr(selectors, "_UPRNS_A_QUERY", 1)  # the batches join up

    living = selectors.living_at(uprns=[first.uprn, second.uprn, first.uprn])

    assert living == {(first.uprn, here.person_ref), (second.uprn, leaving.person_ref)}
    assert living == {
        (home.uprn, occupant.person_ref)
        for home in (first, second)
        for occupant in selectors.current_occupants(uprn=home.uprn)
    }


def test_living_at_reads_many_homes_in_one_query(django_assert_num_queries):
    homes = [make_property(f"{n} Mare Street") for n in range(1, 30)]
    for home in homes:
        make_occupancy(make_person(), home)

    with django_assert_num_queries(1):
        living = selectors.living_at(uprns=[home.uprn for home in homes])

    assert len(living) == len(homes)


# --- feed_last_applied_run and records_freshness -------------------------------------------


def test_the_last_applied_run_of_a_feed_ignores_dry_runs_and_runs_that_applied_nothing():
    applied = make_run("people", finished_minutes_ago=90)
    make_run("people", finished_minutes_ago=5, dry_run=True)
    for status in (SyncRun.Status.HELD, SyncRun.Status.FAILED, SyncRun.Status.DISCARDED):
        make_run("people", finished_minutes_ago=10, status=status)
    make_run("properties", finished_minutes_ago=1)

    last = selectors.feed_last_applied_run(feed="people")

    assert (last.run_id, last.finished_at) == (applied.pk, applied.finished_at)


def test_the_last_applied_run_is_the_one_that_finished_last():
    make_run("council_tax_accounts", finished_minutes_ago=120)
    latest = make_run("council_tax_accounts", finished_minutes_ago=30)
    make_run("council_tax_accounts", finished_minutes_ago=60)

    assert selectors.feed_last_applied_run(feed="council_tax_accounts").run_id == latest.pk


def test_a_feed_never_applied_has_no_last_applied_run():
    make_run("people", dry_run=True)

    assert selectors.feed_last_applied_run(feed="people") is None


def test_records_are_as_fresh_as_the_staler_of_properties_and_people():
    make_run("properties", finished_minutes_ago=10)
    people = make_run("people", finished_minutes_ago=300)

    assert selectors.records_freshness().as_of == people.finished_at


def test_records_never_synced_have_no_freshness():
    make_run("properties")

    assert selectors.records_freshness().as_of is None


def test_what_a_public_read_returns_cannot_be_changed_by_its_caller():
    home = make_property()

    found = selectors.property_by_uprn(uprn=home.uprn)

    with pytest.raises(dataclasses.FrozenInstanceError):
        found.permit_free = True
