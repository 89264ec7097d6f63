"""The search page (/staff/search/): who may use it, what it shows, and its queries (pinned)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.casework.search_records import ACCOUNT, HOME, load_search_borough
from tests.helpers import sign_in

URL = reverse("casework:search")


@pytest.fixture
def borough(db):
    return load_search_borough()


@pytest.fixture
def agent_client(client, agent):
    sign_in(client, agent)
    return client


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def test_signed_out_visitors_are_asked_to_sign_in(client, db):
    response = client.get(URL, {"q": "O'Brien"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "persona", ["agent", "parking_officer", "revenues_officer", "records_admin"]
)
def test_every_role_can_search(client, request, persona, borough):
    sign_in(client, request.getfixturevalue(persona))
    assert client.get(URL, {"q": "O'Brien"}).status_code == 200


def test_residents_cannot_search(client, resident):
    sign_in(client, resident)
    assert client.get(URL, {"q": "O'Brien"}).status_code == 403


def test_the_empty_page_is_the_search_box(agent_client):
    response = agent_client.get(URL)
    page = response.content.decode()
    assert '<label class="govuk-label govuk-label--l lbh-label" for="q">' in page
    assert "There is a problem" not in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter a name, address, postcode, UPRN, account number, registration or reference"),
        ("x", "Enter at least 2 letters or numbers"),
    ],
)
def test_a_search_that_cannot_be_made_says_what_to_type_next_to_the_box(
    agent_client, typed, message
):
    page = text(agent_client.get(URL, {"q": typed}))
    assert f"There is a problem {message}" in page
    assert f"Error: {message}" in page


def test_results_are_grouped_by_kind_with_what_tells_residents_apart(agent_client, borough):
    page = text(agent_client.get(URL, {"q": "Sean O'Brien"}))
    assert "People 2 results" in page
    assert "Mr Seán O'Brien Born 1976 · Lives in Hackney now · reference P1" in page
    assert "1 Mare Street, E8 1NE: liable for council tax (council tax records), since" in page
    assert "Mr Sean OBrien Born 1980 · Former resident" in page
    assert "(moved out)" in page


def test_an_identifier_match_is_shown_first_and_marked_exact(agent_client, borough):
    page = text(agent_client.get(URL, {"q": ACCOUNT}))
    assert "Council tax accounts (exact match) 1 result" in page
    assert f"Council tax account {ACCOUNT} Live · Seán O'Brien (reference P1)" in page


def test_nothing_found_says_what_to_try(agent_client, borough):
    page = text(agent_client.get(URL, {"q": "Nobody Atall"}))
    assert "No results for “Nobody Atall”" in page


def test_results_link_to_the_case_view(agent_client, borough):
    page = agent_client.get(URL, {"q": str(HOME)}).content.decode()
    assert f'href="/staff/cases/property/{HOME}/">1 Mare Street, E8 1NE</a>' in page


def test_every_search_made_is_audited_and_a_refused_one_is_not(agent_client, agent, borough):
    from casework.models import AuditEntry

    agent_client.get(URL, {"q": "O'Brien"})
    agent_client.get(URL, {"q": "x"})  # one letter: refused, nothing looked at
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject) == (agent, "search", "O'Brien")
    assert entry.detail == {"kind": "", "found": 4}
    assert entry.ip_address == "127.0.0.1"


def test_an_applicant_the_records_do_not_know_is_found_by_name_and_the_search_audited(
    agent_client, agent, borough
):
    from casework.models import AuditEntry

    page = text(agent_client.get(URL, {"q": "anais kowalczyk"}))

    assert f"Permit applications 1 result Permit application {borough['unknown']}" in page
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.subject, entry.detail) == (
        agent,
        "search",
        "anais kowalczyk",
        {"kind": "", "found": 1},
    )


def test_a_kind_with_more_results_links_to_all_of_them_page_by_page(
    agent_client, borough, monkeypatch
):
    monkeypatch.setattr("casework.search.PREVIEW", 1)
    monkeypatch.setattr("casework.search.PER_PAGE", 1)
    page = agent_client.get(URL, {"q": "O'Brien"}).content.decode()
    assert 'href="?q=O%27Brien&amp;kind=people">See all 4 people</a>' in page
    second = agent_client.get(URL, {"q": "O'Brien", "kind": "people", "page": "2"})
    html = second.content.decode()
    assert "4 results, page 2 of 4" in text(second)
    assert 'href="?q=O%27Brien&amp;kind=people&amp;page=1" rel="prev"' in html
    assert 'href="?q=O%27Brien&amp;kind=people&amp;page=3" rel="next"' in html


@pytest.mark.parametrize(
    ("typed", "queries"),
    [
        # The session, the user, the authenticator check, the permissions (2); the names like
        # the surname (in a savepoint with SET LOCAL of the trigram threshold: 4), the people
        # with the names kept, their homes; the applications with the surname as typed on them
        # (1); the addresses holding the words (none here). And the audit entry (1).
        ("O'Brien", 14),
        ("Sean O'Brien", 14),
        # The same 5; the account; the property with that number as a UPRN (there is none).
        (ACCOUNT, 8),
        # The same 5; the names starting with "street" (1: a street type typed last is an
        # address, not looked for with typos, so no SET LOCAL; no one is named so, so no people
        # query); the applications named so (1); the addresses holding the words, then the
        # page's properties and their residents.
        ("1 Mare Street", 11),
        # An applicant in no record: the same 5; the names like it (4: none in the records, so
        # no people query), then the names with two neighbouring letters swapped (1: a surname
        # so typed is too far from its record's for the trigram index; none here either); the
        # applications named so or with two letters swapped (1, the page with them);
        # the addresses holding the words (1; not again with typos: the application matched);
        # the audit entry.
        ("Anaïs Kowalczyk", 13),
    ],
)
def test_the_results_page_makes_a_fixed_number_of_queries(
    agent_client, borough, django_assert_num_queries, typed, queries
):
    agent_client.get(URL, {"q": typed})  # the session and permissions as a later visit finds them
    with django_assert_num_queries(queries):
        response = agent_client.get(URL, {"q": typed})
    assert response.status_code == 200


@pytest.mark.parametrize("typed", ["{number}", "{spaced}", "{registration}"])
def test_a_permit_is_found_by_its_number_in_any_spacing_and_by_its_vehicle(
    client, agent, resident, typed
):
    from tests.parking.application_records import load_borough as load_parking_borough
    from tests.parking.permit_helpers import issued_permit

    load_parking_borough()
    permit = issued_permit(resident)
    spaced = permit.number.replace("-", " ").lower()
    sign_in(client, agent)
    query = typed.format(number=permit.number, spaced=spaced, registration=permit.registration)
    html = client.get(URL, {"q": query}).content.decode()
    assert f'href="/staff/cases/property/{permit.uprn}/">Permit {permit.number}</a>' in html
