"""The contact centre's search (casework.search): names however they are typed, and every
identifier in any spacing or case. The records come through the real sync pipeline."""

import pytest

from casework import search as casework_search
from casework.search import (
    ACCOUNTS,
    APPLICATIONS,
    PEOPLE,
    PROPERTIES,
    QueryError,
    Reading,
    address_word_corrections,
    case_url,
    edit_distance,
    given_score,
    keep_names,
    name_score,
    parse_query,
    rank_people,
    readings,
    search,
    surname_score,
    surname_swaps,
    swapped_name_words,
    trigram_similarity,
    words_together,
)
from records.selectors import NameCandidate, street_word_forms, street_word_full
from tests.casework.search_records import (
    ACCOUNT,
    BERG,
    CAZENOVE,
    CAZENOVE_121,
    CAZENOVE_FLAT,
    FLAT,
    HOME,
    KINGSLAND,
    KINGSLAND_FLAT,
    OLD_HOME,
    load_search_borough,
)


@pytest.fixture
def borough(db):
    return load_search_borough()


def refs(results, kind=PEOPLE) -> list[str]:
    """The person references (or UPRNs, account numbers, application references) of a kind."""
    group = next((g for g in results.groups if g.kind == kind), None)
    if group is None:
        return []
    return [
        getattr(item.summary, "person_ref", None)
        or getattr(item.summary, "account_ref", None)
        or getattr(item.summary, "reference", None)
        or item.summary.uprn
        for item in group.items
    ]


# --- Reading the box (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "postcode"), [("E8 1NE", "E8 1NE"), ("e81ne", "E8 1NE"), (" e8  1ne ", "E8 1NE")]
)
def test_a_postcode_in_any_case_and_spacing_is_read_as_a_postcode(typed, postcode):
    assert parse_query(typed).postcode == postcode


@pytest.mark.parametrize("typed", ["lb19 pet", "LB19PET", "Lb 19 Pet", "lb19-pet"])
def test_a_registration_in_any_case_and_spacing_is_read_as_dvla_writes_it(typed):
    assert parse_query(typed).registration == "LB19PET"


@pytest.mark.parametrize("typed", ["PA-7KQ3-4M9X", "pa 7kq3 4m9x", "PA7KQ34M9X", "pa-7kq3 4m9x"])
def test_an_application_reference_in_any_case_spacing_or_dashes_is_read_as_one(typed):
    assert parse_query(typed).application_reference == "PA-7KQ3-4M9X"


def test_eight_digits_starting_with_3_are_an_account_number_and_a_uprn():
    query = parse_query("3010 4729")
    assert (query.account_ref, query.uprn) == ("30104729", 30104729)


def test_a_name_is_not_read_as_an_identifier():
    query = parse_query("Seán O'Brien")
    assert not query.identifier
    assert query.name_words == ("sean", "obrien")


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a name, address, postcode, UPRN, account number, registration or reference"),
        ("   ", "Enter a name, address, postcode, UPRN, account number, registration or reference"),
        ("a", "Enter at least 2 letters or numbers"),
        ("x" * 101, "Search must be 100 characters or fewer"),
    ],
)
def test_a_search_that_cannot_be_made_says_what_to_type(typed, message):
    with pytest.raises(QueryError, match=message):
        parse_query(typed)


def test_the_words_are_read_as_given_names_then_surname_and_the_other_way_round():
    assert readings(["zoe", "smith", "jones"]) == [
        Reading((), "zoesmithjones", words=3),
        Reading(("zoe",), "smithjones", words=2),
        Reading(("zoe", "smith"), "jones", words=1),
        Reading(("smith", "jones"), "zoe", surname_first=True, words=1),
        Reading(("jones",), "zoesmith", surname_first=True, words=2),
    ]


def test_only_a_single_word_surname_in_the_usual_order_is_looked_for_with_typos():
    tolerant = [r.surname for r in readings(["zoe", "smith", "jones"]) if r.typo_tolerant]
    assert tolerant == ["jones"]


def test_swapped_letters_are_one_slip():
    assert edit_distance("obrein", "obrien") == 1


def test_trigram_similarity_is_pg_trgms():
    # SELECT similarity('obrian', 'obrien') on PostgreSQL gives 0.4.
    assert trigram_similarity("obrian", "obrien") == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("record", "typed", "score"),
    [
        ("obrien", "obrien", 1.0),
        ("smith jones", "smithjones", 1.0),
        ("smith jones", "jones", 0.9),
        ("obrien", "obrein", 0.8),
        ("obrien", "obri", 0.75),
        ("mensah", "murphy", None),
    ],
)
def test_surname_scores(record, typed, score):
    assert surname_score(record, typed) == score


@pytest.mark.parametrize(
    ("record", "typed", "score"),
    [
        ("sean", (), 0.0),
        ("sean", ("sean",), 1.0),
        ("mary anne", ("maryanne",), 1.0),
        ("kwame ama", ("kwame",), 0.9),
        ("sean", ("sea",), 0.7),
        ("sean", ("s",), 0.6),
        ("sean", ("saen",), 0.6),
        ("sean", ("k",), None),
        ("sean", ("kwame",), None),
    ],
)
def test_given_name_scores(record, typed, score):
    assert given_score(record, typed) == score


def test_a_name_scores_its_best_reading():
    assert name_score("sean", "obrien", readings(["obrien", "sean"])) == 2.0


def test_current_residents_come_before_former_ones_with_the_same_name():
    former = NameCandidate("P1", "sean", "obrien", current=False)
    current = NameCandidate("P2", "sean", "obrien", current=True)
    scores = keep_names([("sean", "obrien")], readings(["sean", "obrien"]))
    ranked = rank_people([former, current], scores)
    assert ranked == ["P2", "P1"]


def test_a_better_match_comes_before_a_current_resident():
    a_slip_away = NameCandidate("P1", "sean", "obrian", current=True)
    former = NameCandidate("P2", "sean", "obrien", current=False)
    scores = keep_names([("sean", "obrian"), ("sean", "obrien")], readings(["sean", "obrien"]))
    assert scores == {("sean", "obrian"): 1.8, ("sean", "obrien"): 2.0}
    assert rank_people([a_slip_away, former], scores) == ["P2", "P1"]


def test_names_much_weaker_than_the_best_match_are_left_out():
    scores = keep_names([("sean", "obrien"), ("roisin", "obrien")], readings(["sean", "obrien"]))
    assert scores == {("sean", "obrien"): 2.0}


# --- Names, against the records --------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["Seán O'Brien", "sean obrien", "SEAN O BRIEN", "Sean O\u2019Brien", "O'Brien, Seán"]
)
def test_a_name_typed_any_way_finds_the_current_resident_first(borough, typed):
    found = refs(search(typed))
    assert found[0] == "P1"


def test_the_former_namesake_comes_after_the_current_resident(borough):
    assert refs(search("Sean O'Brien"))[:2] == ["P1", "P2"]


@pytest.mark.parametrize("typed", ["O'Brien", "OBrien", "o brien", "obrien"])
def test_a_surname_alone_finds_everyone_of_that_name_current_residents_first(borough, typed):
    found = refs(search(typed))
    assert set(found) == {"P1", "P2", "P3", "P6"}
    assert found[-1] == "P2"  # the only former resident


def test_an_initial_and_surname_finds_the_people_with_that_initial(borough):
    assert set(refs(search("S O'Brien"))) == {"P1", "P2", "P3", "P6"}
    assert refs(search("K Mensah")) == ["P5"]


@pytest.mark.parametrize("typed", ["Smith-Jones", "smith jones", "smithjones", "Zoe Smith Jones"])
def test_a_hyphenated_surname_is_found_typed_with_a_space_or_run_together(borough, typed):
    assert refs(search(typed)) == ["P4"]


def test_one_half_of_a_double_barrelled_surname_finds_it(borough):
    assert "P4" in refs(search("Zoe Jones"))


def test_a_surname_with_particles_is_found_however_they_are_joined(borough):
    for typed in ("van der Berg", "Vanderberg", "Jan van der berg"):
        assert refs(search(typed)) == ["P7"], typed


@pytest.mark.parametrize("typed", ["Sean OBrein", "Saen O'Brien", "Kwame Mensha", "Brian Murphey"])
def test_a_typo_in_a_name_still_finds_the_person(borough, typed):
    expected = {"Kwame Mensha": "P5", "Brian Murphey": "P8"}.get(typed, "P1")
    assert refs(search(typed))[0] == expected


def test_the_start_of_a_surname_finds_it(borough):
    assert "P5" in refs(search("Mens"))


def test_a_person_result_says_where_they_live_their_role_and_year_of_birth(borough):
    (group,) = search("Seán O'Brien", kind=PEOPLE).groups
    sean = group.items[0].summary
    assert (sean.name, sean.year_of_birth, sean.current) == ("Seán O'Brien", 1976, True)
    (home,) = sean.homes
    assert (home.uprn, home.role.label) == (HOME, "Liable for council tax")
    former = group.items[1].summary
    assert former.current is False
    assert [home.uprn for home in former.homes] == [OLD_HOME]


# --- Two neighbouring letters swapped in a surname ---------------------------------------------
# A short surname so typed shares too few trigrams with the record's for the index to offer it
# ("yuong" and "young": 0.2); its swaps are looked up whole, and rank as one slip.

SWAPPED_PEOPLE = (
    f"T1,{KINGSLAND},Mr,Amir,Young,1980-01-01,occupant,electoral_register,2020-01-01,",
    f"T2,{KINGSLAND},Ms,Amy,Yung,1981-01-01,occupant,electoral_register,2020-01-01,",
    f"T3,{KINGSLAND_FLAT},Ms,Hannah,Grant,1982-01-01,occupant,electoral_register,2020-01-01,",
    f"T4,{CAZENOVE},Mr,Ben,King,1983-01-01,occupant,electoral_register,2020-01-01,",
    f"T5,{CAZENOVE},Ms,Ann,King,1984-01-01,occupant,electoral_register,2020-01-01,",
    f"T6,{CAZENOVE_121},Mr,Ben,Knight,1985-01-01,occupant,electoral_register,2020-01-01,",
    f"T7,{CAZENOVE_FLAT},Ms,Lena,Weiß,1986-01-01,occupant,electoral_register,2020-01-01,",
    f"T8,{CAZENOVE_FLAT},Mr,Hans,Gross-Weiss,1987-01-01,occupant,electoral_register,2020-01-01,",
    f"T9,{KINGSLAND},Ms,Mary,Byrne,1988-01-01,occupant,electoral_register,2020-01-01,",
    f"T10,{KINGSLAND_FLAT},Ms,Mary,Bryne,1989-01-01,occupant,electoral_register,2020-01-01,",
)


@pytest.fixture
def swapped_borough(db):
    return load_search_borough(extra_people=SWAPPED_PEOPLE)


def test_each_word_is_swapped_as_keyed_and_as_typed():
    # "Weßi" is keyed "wessi": no swap of its key makes Weiß's "weiss", the swap as typed does.
    assert swapped_name_words("Lena Weßi") == (
        frozenset({"elna", "lean", "lnea"}),
        frozenset({"ewssi", "wsesi", "wesis", "wssei", "weiss"}),
    )


def test_a_surname_of_n_letters_has_n_minus_1_swaps_and_a_short_one_none():
    words = ("amir", "yuong")
    swaps = swapped_name_words("Amir Yuong")
    usual = Reading(("amir",), "yuong")
    assert surname_swaps(usual, words, swaps) == {"uyong", "young", "yunog", "yuogn"}
    assert surname_swaps(Reading((), "ng"), ("ng",), swapped_name_words("Ng")) == frozenset()


def test_a_swapped_surname_looked_for_scores_as_one_slip():
    options = readings(["lena", "wessi"])
    assert name_score("lena", "weiss", options, {"wessi": frozenset({"weiss"})}) == 1.8
    assert name_score("lena", "weiss", options) < 1.5  # a trigram similarity, without the swap


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Amir Yuong", ["T1"]),
        ("Hannah Grnat", ["T3"]),
        ("Ben Knig", ["T4", "T6"]),  # King, a slip away, before Knight, which starts so
        ("Lena Weßi", ["T7"]),
        ("Hans Gross-Wesis", ["T8"]),
    ],
)
def test_a_surname_with_two_letters_swapped_finds_the_person_first(swapped_borough, typed, found):
    assert refs(search(typed)) == found


def test_a_swapped_surname_alone_finds_everyone_of_that_name_first(swapped_borough):
    assert refs(search("Knig")) == ["T5", "T4", "T6"]  # the Kings, then Knight


def test_a_swapped_surname_that_is_nobodys_finds_nothing(swapped_borough):
    assert search("Amir Tsark").groups == []


@pytest.mark.parametrize(
    ("typed", "found"),
    [("Byrne", ["T9"]), ("Bryne", ["T10"]), ("Ben King", ["T4"]), ("King", ["T5", "T4"])],
)
def test_a_surname_found_as_typed_brings_no_one_a_swap_away(swapped_borough, typed, found):
    assert refs(search(typed)) == found


@pytest.mark.embedded
def test_a_swapped_surname_is_found_on_either_database(borough):
    assert refs(search("Sean OBrein"))[0] == "P1"


@pytest.mark.embedded
def test_an_applicant_is_found_by_a_surname_with_two_letters_swapped(borough):
    assert refs(search("Anaïs Kowalcyzk"), APPLICATIONS) == [borough["unknown"]]


def test_an_applicant_found_as_typed_brings_no_application_a_swap_away(borough):
    from parking.models import PermitApplication

    PermitApplication.objects.filter(reference=borough["submitted"]).update(
        first_name_key="anais", last_name_key="kowalcyzk"
    )
    assert refs(search("Anaïs Kowalczyk"), APPLICATIONS) == [borough["unknown"]]
    assert refs(search("Anaïs Kowalczky"), APPLICATIONS) == [borough["unknown"]]


# --- Addresses and identifiers ---------------------------------------------------------------


def test_a_house_number_and_street_finds_that_address_first(borough):
    found = refs(search("1 Mare Street"), PROPERTIES)
    assert found[0] == HOME
    assert FLAT in found  # Flat 1, Holly Point, Mare Street holds every word too


@pytest.mark.parametrize(
    ("typed", "first"),
    [("1 mare st", HOME), ("1 Mare St.", HOME), ("10 wick rd", BERG), ("10 Wick Rd", BERG)],
)
def test_a_street_type_typed_short_finds_the_address(borough, typed, first):
    """How agents type addresses (issue 17): St, Rd and the like stand for Street, Road."""
    found = refs(search(typed), PROPERTIES)
    assert found[0] == first


def test_street_types_and_their_short_forms_match_both_ways():
    assert "street" in street_word_forms("st") and "saint" in street_word_forms("st")
    assert "st" in street_word_forms("street")
    for short, full in [
        ("rd", "road"),
        ("ave", "avenue"),
        ("ln", "lane"),
        ("ct", "court"),
        ("gdns", "gardens"),
        ("pl", "place"),
        ("sq", "square"),
        ("cres", "crescent"),
        ("terr", "terrace"),
        ("gr", "grove"),
    ]:
        assert full in street_word_forms(short) and short in street_word_forms(full)
        assert street_word_full(short) == full
    assert street_word_forms("mare") == ("mare",)


def test_words_of_one_or_two_letters_alone_search_names_not_addresses(db, monkeypatch):
    load_search_borough(
        extra_people=(f"P9,{HOME},Ms,Ha,Li,1990-01-01,occupant,electoral_register,2021-01-01,",)
    )
    addresses_read = []
    reader = casework_search.properties_with_address_words
    monkeypatch.setattr(
        casework_search,
        "properties_with_address_words",
        lambda **kwargs: addresses_read.append(kwargs["words"]) or reader(**kwargs),
    )
    assert (refs(search("Ha Li")), addresses_read) == (["P9"], [])
    # A house number with them is an address search still.
    refs(search("12 a"), PROPERTIES)
    assert addresses_read == [("12", "a")]


def test_part_of_an_address_finds_it(borough):
    assert refs(search("holly point"), PROPERTIES) == [FLAT]


def test_a_letter_missing_from_a_street_name_still_finds_it(borough):
    assert refs(search("10 Wick Rod"), PROPERTIES) == [BERG]
    assert refs(search("1 Mare Stret"), PROPERTIES)[0] == HOME


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        # Two letters swapped in the street type, with the house number (issue 17).
        ("88 kingsland raod", [KINGSLAND, KINGSLAND_FLAT]),
        # Two letters swapped in the street's name.
        ("88 kingslnad road", [KINGSLAND, KINGSLAND_FLAT]),
        ("88 Kingslnad Rd", [KINGSLAND, KINGSLAND_FLAT]),
        # A letter left out of the name, the street type short; 121 is not 21.
        ("21 cazenov rd", [CAZENOVE, CAZENOVE_FLAT]),
        ("21 cazenve rd", [CAZENOVE, CAZENOVE_FLAT]),
        ("21 Cazenove Raod", [CAZENOVE, CAZENOVE_FLAT]),
        # A slip in each of two short words.
        ("10 Wcik Raod", [BERG]),
    ],
)
def test_a_street_with_a_typo_is_found_with_its_house_number_that_house_first(
    borough, typed, found
):
    assert refs(search(typed), PROPERTIES) == found


@pytest.mark.embedded
def test_a_typo_in_an_address_is_forgiven_on_either_database(borough):
    # Corrected against the borough's own address words, so SQLite (the demo) forgives it too.
    assert refs(search("88 kingsland raod"), PROPERTIES)[0] == KINGSLAND


def test_a_typo_finds_nothing_it_is_not_near(borough):
    assert search("88 Kingsland Rood Lane").groups == []
    assert CAZENOVE_121 not in refs(search("21 cazenov rd"), PROPERTIES)


def test_an_address_word_is_corrected_to_the_nearest_words_of_the_borough():
    vocabulary = {"kingsland", "kingsmead", "road", "cazenove", "wick", "mare", "street"}
    assert address_word_corrections("raod", vocabulary) == ("road",)
    assert address_word_corrections("kingslnad", vocabulary) == ("kingsland",)  # not kingsmead
    assert address_word_corrections("cazenv", vocabulary) == ("cazenove",)  # two slips: 7+
    assert address_word_corrections("wcik", vocabulary) == ("wick",)
    assert address_word_corrections("mare", vocabulary) == ()  # a word the borough has
    assert address_word_corrections("rd", vocabulary) == ()  # a street type
    assert address_word_corrections("88", vocabulary) == ()
    assert address_word_corrections("mrae", {"mare", "more"}) == ("mare",)
    assert address_word_corrections("xyzzy", vocabulary) == ()


def test_typed_words_together_and_in_order_in_an_address():
    label = ["88", "kingsland", "road", "e8", "4aa"]
    assert words_together(label, [{"88"}, {"kingsland"}, {"road"}])
    assert words_together(label, [{"88"}, {"kingsl"}])  # the start of a word
    assert not words_together(label, [{"8"}, {"kingsland"}])  # a number is the whole number
    flat = ["flat", "88", "regent", "house", "kingsland", "road", "e8", "4ab"]
    assert not words_together(flat, [{"88"}, {"kingsland"}, {"road"}])
    assert not words_together(label, [])


@pytest.mark.parametrize("typed", ["E8 1NE", "e81ne", "E81NE"])
def test_a_postcode_finds_every_address_there(borough, typed):
    results = search(typed)
    assert refs(results, PROPERTIES) == [HOME, OLD_HOME]
    assert results.groups[0].exact


def test_an_address_result_lists_who_lives_there_now(borough):
    (group,) = search(str(HOME)).groups
    home = group.items[0].summary
    assert [(r.name, r.year_of_birth) for r in home.residents] == [
        ("Seán O'Brien", 1976),
        ("Siobhán O'Brien", 1978),
    ]


@pytest.mark.embedded
def test_a_uprn_finds_its_property(borough):
    assert refs(search(str(FLAT)), PROPERTIES) == [FLAT]


@pytest.mark.embedded
@pytest.mark.parametrize("typed", [ACCOUNT, "3010 4729"])
def test_an_account_number_finds_the_account_with_its_lead_and_address(borough, typed):
    results = search(typed)
    assert results.groups[0].kind == ACCOUNTS
    account = results.groups[0].items[0].summary
    assert (account.account_ref, account.lead_name, account.live) == (ACCOUNT, "Seán O'Brien", True)
    assert account.address.startswith("1 Mare Street")


@pytest.mark.embedded
@pytest.mark.parametrize("typed", ["LB19PET", "lb19 pet", "Lb19 Pet"])
def test_a_registration_in_any_spacing_or_case_finds_its_applications(borough, typed):
    assert refs(search(typed), APPLICATIONS) == [borough["draft"]]


@pytest.mark.embedded
def test_an_application_reference_in_any_case_finds_it(borough):
    reference = borough["submitted"]
    results = search(reference.lower().replace("-", " "))
    assert refs(results, APPLICATIONS) == [reference]
    application = results.groups[0].items[0].summary
    assert (application.status_label, application.registration) == ("Needs evidence", "AB12CDE")


@pytest.mark.embedded
@pytest.mark.parametrize(
    "typed", ["Anaïs Kowalczyk", "anais kowalczyk", "Kowalczyk, Anais", "A Kowalczyk", "kowalc"]
)
def test_an_applicant_the_records_do_not_know_is_found_by_the_name_on_the_application(
    borough, typed
):
    assert refs(search(typed), APPLICATIONS) == [borough["unknown"]]


def test_applications_found_by_name_come_after_the_people_of_that_name(borough):
    from parking.models import PermitApplication

    PermitApplication.objects.filter(reference=borough["submitted"]).update(
        first_name_key="zoe", last_name_key="smith jones"
    )
    results = search("Zoë Smith-Jones")
    assert [(group.kind, refs(results, group.kind)) for group in results.groups] == [
        (PEOPLE, ["P4"]),
        (APPLICATIONS, [borough["submitted"]]),
    ]


@pytest.mark.embedded
def test_exact_names_and_name_prefixes_are_found_on_either_database(borough):
    assert refs(search("Seán O'Brien"))[0] == "P1"
    assert refs(search("o'bri")) != []
    assert refs(search("Smith-Jones")) == ["P4"]


@pytest.mark.embedded
def test_nothing_found_is_an_empty_result_not_an_error(borough):
    assert search("Nobody Atall").groups == []


def test_a_kind_is_paged_20_at_a_time_and_the_overview_shows_5(borough, monkeypatch):
    overview = search("Mare Street")
    (group,) = [g for g in overview.groups if g.kind == PROPERTIES]
    assert group.total == 3 and len(group.items) == 3
    monkeypatch.setattr("casework.search.PER_PAGE", 2)
    second = search("Mare Street", kind=PROPERTIES, page=2)
    assert [g.page.number for g in second.groups] == [2]
    assert len(second.groups[0].items) == 1


def test_results_link_to_the_case_of_a_person_or_else_of_a_property():
    assert case_url(person="P0000001", uprn=100021000003) == "/staff/cases/person/P0000001/"
    assert case_url(uprn=100021000003) == "/staff/cases/property/100021000003/"
    assert case_url() is None
