"""The case view: asked why, audited every time, showing who lives there and which records say
so, council tax, permit applications with their decisions and evidence, notes and a timeline, in
a fixed number of queries."""

import re
import time
from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from balances.models import LinkAttempt
from casework.models import AuditEntry, CaseNote
from casework.permissions import CASE_VIEW
from casework.selectors import _plain
from casework.views import _REASONS_KEY
from tests.casework.cases import (
    ARREARS,
    BOROUGH_PEOPLE,
    HOME_UPRN,
    KWAME,
    OTHER_UPRN,
    ZOE,
    application_at,
    load_case,
    permit_at,
    person_url,
    property_url,
    send_evidence,
)
from tests.factories import make_staff
from tests.helpers import sign_in
from tests.records.syncing import PEOPLE_HEADER, sync


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def case(db):
    return load_case()


def open_case(client, url: str, reason: str = "phone", other: str = ""):
    response = client.post(url, {"reason": reason, "other": other})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(url)


def page(response) -> str:
    return " ".join(response.content.decode().split())


# --- Asked why, audited every time -----------------------------------------------------------


def test_opening_a_case_asks_why_first_and_records_nothing_yet(client, agent, case):
    sign_in(client, agent)

    response = client.get(person_url())

    assert response.status_code == 200
    assert response.templates[0].name == "casework/case_reason.html"
    html = page(response)
    for reason in ("Resident on the phone", "Reviewing an application", "Correspondence", "Other"):
        assert reason in html
    assert "O&#x27;Brien" not in html  # nothing of the case shows before a reason is given
    assert AuditEntry.objects.count() == 0


def test_other_needs_a_reason_in_words(client, agent, case):
    sign_in(client, agent)

    response = client.post(person_url(), {"reason": "other", "other": " "})

    assert response.status_code == 200
    assert "Say why you are opening this case" in page(response)
    assert AuditEntry.objects.count() == 0


def test_the_other_reason_states_its_limit_and_the_browser_is_not_told_to_cut_it(
    client, agent, case
):
    sign_in(client, agent)
    html = page(client.get(person_url()))
    field = re.search(r'<input[^>]*name="other"[^>]*>', html).group(0)
    assert ("Up to 200 characters" in html, "maxlength" in field) == (True, False)


def test_a_5000_character_reason_is_refused_with_the_limit(client, agent, case):
    sign_in(client, agent)
    response = client.post(person_url(), {"reason": "other", "other": "x" * 5000})
    assert "The reason must be 200 characters or fewer" in page(response)


def test_a_5000_character_reason_opens_nothing_and_records_nothing(client, agent, case):
    sign_in(client, agent)
    client.post(person_url(), {"reason": "other", "other": "x" * 5000})
    assert (AuditEntry.objects.count(), client.session.get(_REASONS_KEY)) == (0, None)


def test_no_reason_chosen_is_asked_for(client, agent, case):
    sign_in(client, agent)
    response = client.post(person_url(), {})
    assert "Select why you are opening this case" in page(response)


@pytest.mark.embedded
def test_viewing_a_case_writes_an_audit_entry_with_the_reason(client, agent, case):
    sign_in(client, agent)

    response = open_case(client, person_url(), "other", "Letter from her MP")

    assert response.status_code == 200
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.person_ref, entry.uprn) == (
        agent,
        "case_view",
        ZOE,
        None,
    )
    assert entry.reason == "Other: Letter from her MP"
    assert entry.ip_address == "127.0.0.1"
    assert "Letter from her MP" in page(response)


def test_every_view_of_the_case_is_audited_with_the_reason_given(client, agent, case):
    sign_in(client, agent)
    open_case(client, property_url(), "correspondence")

    client.get(property_url())

    entries = AuditEntry.objects.order_by("id")
    assert [(e.action, e.uprn, e.reason) for e in entries] == [
        ("case_view", HOME_UPRN, "Correspondence"),
        ("case_view", HOME_UPRN, "Correspondence"),
    ]


def test_a_reason_lapses_after_30_minutes_without_viewing_the_case(client, agent, case):
    sign_in(client, agent)
    open_case(client, person_url())
    session = client.session
    session[_REASONS_KEY][f"person:{ZOE}"]["at"] = time.time() - 31 * 60
    session.save()

    response = client.get(person_url())

    assert response.templates[0].name == "casework/case_reason.html"


def test_a_reason_for_one_case_does_not_open_another(client, agent, case):
    sign_in(client, agent)
    open_case(client, person_url(ZOE))
    response = client.get(person_url(KWAME))
    assert response.templates[0].name == "casework/case_reason.html"


@pytest.mark.parametrize("url", [person_url("P999"), property_url(99999)])
def test_a_case_of_nobody_in_the_records_is_not_found(client, agent, case, url):
    sign_in(client, agent)
    client.post(url, {"reason": "phone"})
    assert client.get(url).status_code == 404
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("url", [person_url(), property_url()])
def test_residents_cannot_open_a_case(client, resident, case, url):
    sign_in(client, resident)
    assert client.post(url, {"reason": "phone"}).status_code == 403
    assert client.get(url).status_code == 403


# --- Who lives there, and which records say so -----------------------------------------------


def test_a_property_case_shows_who_lives_there_with_each_records_source_dates_and_sync(
    client, agent, case
):
    sign_in(client, agent)

    response = open_case(client, property_url())

    case_ = response.context["case"]
    assert [(o.person.person_ref, o.role, o.source, o.current) for o in case_.occupancies] == [
        ("P3", "occupant", "electoral_register", True),
        ("P1", "liable", "council_tax", True),
        ("P2", "joint_liable", "council_tax", True),
    ]
    html = page(response)
    run = case_.occupancies[0].sync_run
    assert f"Run {run.run_id}" in html
    assert "people.csv" in html
    assert "Electoral register" in html
    assert "1 Sep 2021" in html
    assert f'href="{person_url("P2")}"' in html
    assert (
        "Each row is what one of the council\u2019s records says: council tax, the electoral"
        " register or housing. The last column shows the record sync that last brought it in."
        in html
    )


def test_a_person_case_shows_their_homes_and_their_household(client, agent, case):
    sign_in(client, agent)

    response = open_case(client, person_url(ZOE))

    case_ = response.context["case"]
    assert set(case_.uprns) == {HOME_UPRN, 20003}
    people = {(o.person.person_ref, o.address.uprn) for o in case_.current_occupancies}
    assert people == {("P1", HOME_UPRN), ("P2", HOME_UPRN), ("P3", HOME_UPRN), ("P1", 20003)}
    assert f'href="{property_url(20003)}"' in page(response)


def test_a_person_case_shows_where_they_used_to_live(client, agent, case):
    sync(
        "people",
        "\n".join(
            [
                PEOPLE_HEADER,
                f"P1,{HOME_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2019-06-01,",
                f"P1,{OTHER_UPRN},Ms,Zoë,O'Brien,1980-02-29,occupant,housing,2010-01-01,2015-12-31",
            ]
        )
        + "\n",
        approved=True,
    )
    sign_in(client, agent)

    case_ = open_case(client, person_url(ZOE)).context["case"]

    former = [(o.address.uprn, o.occupied_to) for o in case_.former_occupancies]
    assert (OTHER_UPRN, date(2015, 12, 31)) in former
    assert OTHER_UPRN not in case_.uprns  # a former home is not part of the case


# --- Council tax -----------------------------------------------------------------------------


@pytest.mark.embedded
def test_an_agent_sees_the_balance_but_not_the_ledger_or_link_attempts(client, agent, case):
    sign_in(client, agent)

    response = open_case(client, property_url())

    html = page(response)
    assert "Account 30012345" in html
    assert "Owes £1,847.48" in html
    assert "Next instalment" in html
    account = response.context["case"].accounts[0]
    assert (account.ledger, account.link_attempts) == (None, None)
    assert "Ledger of 30012345" not in html
    assert "Attempts to link" not in html


def test_a_revenues_officer_sees_the_full_ledger_and_link_attempts(client, revenues_officer, case):
    sign_in(client, revenues_officer)

    html = page(open_case(client, property_url()))

    assert "Ledger of 30012345 (7 transactions)" in html
    assert "Small balance written off" in html
    assert "Surname does not match a liable person" in html


def test_staff_without_the_council_tax_permission_see_no_council_tax(client, db):
    load_case()
    officer = make_staff(None)
    officer.user_permissions.add(Permission.objects.get(codename=CASE_VIEW.split(".")[1]))
    sign_in(client, officer)

    response = open_case(client, property_url())

    assert response.context["case"].accounts is None
    assert 'id="council-tax"' not in response.content.decode()


# --- Permit applications and evidence --------------------------------------------------------


def test_applications_show_each_rules_outcome_reason_and_the_records_used(client, agent, case):
    application, _evidence = case
    sign_in(client, agent)

    html = page(open_case(client, property_url()))

    # Its proof is in (load_case sends a file): staff read what the resident reads.
    assert f"{application.reference}: Proof received: waiting for a parking officer" in html
    assert "Lives at the address" in html
    assert "Unknown: a person decides" in html
    assert "We could not match your name to the people at this address." in html
    assert "People sync run: 7" in html
    assert "UPRN: 20001" in html
    assert "council-tax-bill.pdf" in html


def test_a_case_shows_its_permits_with_holder_money_refunds_and_history(client, agent, case):
    permit = permit_at(HOME_UPRN, flagged=True)
    sign_in(client, agent)

    html = page(open_case(client, property_url()))

    assert f"{permit.number}: active" in html
    assert "Flagged for a parking officer on" in html
    assert "no longer show the permit holder at the address" in html
    assert f"Portal account {permit.user.email}" in html
    assert "Matched to person P1 in the council's records" in html
    assert "Priced at £170.00; paid £170.00 after refunds" in html
    assert "£12.50: Cheaper vehicle, refunded" in html
    by = f'<td class="govuk-table__cell">{permit.user.email}</td>'
    assert f"Vehicle changed from LB19EVE to LB19PET.</td>{by}" in html.replace("> <", "><")
    timeline = response_timeline(client, property_url())
    assert f"Permit {permit.number}: Permit issued." in timeline


def test_a_person_case_shows_a_permit_matched_to_them_at_another_address(client, agent, case):
    permit = permit_at(OTHER_UPRN, registration="LB19EVE", person_ref=ZOE)
    sign_in(client, agent)

    assert f"{permit.number}: active" in page(open_case(client, person_url()))
    assert f"{permit.number}" not in page(open_case(client, property_url()))


def response_timeline(client, url) -> list[str]:
    return [event.text for event in client.get(url).context["case"].timeline]


def test_evidence_is_downloaded_from_the_case_and_the_download_audited(client, agent, case):
    application, evidence = case
    sign_in(client, agent)
    open_case(client, person_url(), "application")
    url = reverse(
        "casework:person_case_evidence",
        kwargs={"person_ref": ZOE, "evidence_id": evidence.public_id},
    )

    response = client.get(url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'attachment; filename="council-tax-bill.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    entry = AuditEntry.objects.filter(action="evidence_download").get()
    assert (entry.person_ref, entry.reason) == (ZOE, "Reviewing an application")
    assert entry.subject == f"{application.reference}: council-tax-bill.pdf"


def test_evidence_for_an_application_elsewhere_is_not_found_from_this_case(client, agent, case):
    elsewhere = send_evidence(application_at(OTHER_UPRN))
    sign_in(client, agent)
    open_case(client, property_url())
    url = reverse(
        "casework:property_case_evidence",
        kwargs={"uprn": HOME_UPRN, "evidence_id": elsewhere.public_id},
    )

    assert client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="evidence_download").exists()


def test_evidence_asks_for_the_reason_first(client, agent, case):
    _application, evidence = case
    sign_in(client, agent)
    url = reverse(
        "casework:property_case_evidence",
        kwargs={"uprn": HOME_UPRN, "evidence_id": evidence.public_id},
    )

    response = client.get(url)

    assert response["Location"] == property_url()
    assert AuditEntry.objects.count() == 0


# --- Notes -----------------------------------------------------------------------------------


def test_an_agent_adds_a_note_kept_with_its_author_and_time(client, agent, case):
    sign_in(client, agent)
    open_case(client, person_url())
    notes_url = reverse("casework:person_case_notes", kwargs={"person_ref": ZOE})

    response = client.post(notes_url, {"text": "Called about her permit.\nWill send proof."})

    assert response["Location"] == person_url() + "#notes"
    note = CaseNote.objects.get()
    assert (note.author, note.person_ref, note.uprn) == (agent, ZOE, None)
    assert note.text == "Called about her permit.\nWill send proof."
    html = page(client.get(person_url()))
    assert "Called about her permit.<br>Will send proof." in html
    assert "contact_centre_agent@example.com" in html
    entry = AuditEntry.objects.get(action="note_add")
    assert entry.person_ref == ZOE


def test_an_empty_note_is_refused_with_a_message_and_nothing_is_kept(client, agent, case):
    sign_in(client, agent)
    open_case(client, property_url())
    notes_url = reverse("casework:property_case_notes", kwargs={"uprn": HOME_UPRN})

    response = client.post(notes_url, {"text": "   "})

    assert response.status_code == 200
    assert "Enter the note" in page(response)
    assert CaseNote.objects.count() == 0


def test_a_note_needs_the_case_opened_with_a_reason(client, agent, case):
    sign_in(client, agent)
    notes_url = reverse("casework:property_case_notes", kwargs={"uprn": HOME_UPRN})

    response = client.post(notes_url, {"text": "Sneaky"})

    assert response["Location"] == property_url()
    assert CaseNote.objects.count() == 0


def test_a_note_on_the_case_of_nobody_in_the_records_is_not_found(client, agent, case):
    sign_in(client, agent)
    client.post(person_url("P999"), {"reason": "phone"})
    notes_url = reverse("casework:person_case_notes", kwargs={"person_ref": "P999"})

    assert client.post(notes_url, {"text": "Hello"}).status_code == 404
    assert CaseNote.objects.count() == 0


def test_a_person_case_shows_notes_on_their_home_too(client, agent, case):
    CaseNote.objects.create(author=agent, uprn=HOME_UPRN, text="Door entry broken")
    sign_in(client, agent)
    assert "Door entry broken" in page(open_case(client, person_url()))


# --- The timeline ----------------------------------------------------------------------------


def test_the_timeline_tells_what_happened_newest_first(client, agent, case):
    application, _evidence = case
    CaseNote.objects.create(author=agent, uprn=HOME_UPRN, text="Called")
    sign_in(client, agent)

    timeline = open_case(client, property_url()).context["case"].timeline

    texts = [event.text for event in timeline]
    assert texts[0] == "Note by contact_centre_agent@example.com"
    assert "Proof of address sent for " + application.reference in texts
    assert any(text.startswith(f"Permit application {application.reference}") for text in texts)
    assert "Council tax account 30012345 opened" in texts
    assert "Zoë O'Brien: liable for council tax at 1 Mare Street, E8 1DY (council tax)" in texts
    assert timeline[-1].when.date() == date(2019, 6, 1)  # she moved in as the account opened
    assert [e.when for e in timeline] == sorted((e.when for e in timeline), reverse=True)


# --- A fixed number of queries ---------------------------------------------------------------


def test_the_case_makes_the_same_queries_however_big_it_is(client, revenues_officer, case):
    permit_at(HOME_UPRN, registration="LB19EVE")  # a small case has one of everything
    sign_in(client, revenues_officer)
    open_case(client, person_url())
    with CaptureQueriesContext(connection) as small:
        assert client.get(person_url()).status_code == 200

    # A big case: many people at the home, applications with files, notes, attempts.
    rows = [*BOROUGH_PEOPLE] + [
        f"P{n},{HOME_UPRN},,Person,Number {n},1990-01-01,occupant,electoral_register,2022-01-01,"
        for n in range(10, 60)
    ]
    sync("people", "\n".join([PEOPLE_HEADER, *rows]) + "\n", approved=True)
    for n in range(15):
        send_evidence(application_at(HOME_UPRN, registration=f"AB{n:02d}CDE"))
        permit_at(HOME_UPRN, registration=f"CD{n:02d}EFG")
    CaseNote.objects.bulk_create(
        CaseNote(author=revenues_officer, person_ref=ZOE, text=f"Note {n}") for n in range(40)
    )
    LinkAttempt.objects.bulk_create(
        LinkAttempt(account_ref=ARREARS, succeeded=False, reason="wrong_postcode")
        for _ in range(30)
    )
    with CaptureQueriesContext(connection) as big:
        response = client.get(person_url())

    assert len(response.context["case"].current_occupancies) > 50
    assert len(big) == len(small), [q["sql"][:120] for q in big.captured_queries]
    # 5 to sign the request in (session, user, authenticator, permissions), 14 to read the case
    # (person, occupancies, 4 for the accounts, ledger, attempts, 2 for the applications and
    # their files, 3 for the permits, their history and refunds, notes), 1 audit entry, 3 to
    # keep the reason fresh in the session.
    assert len(big) == 23


def test_the_audit_log_links_to_the_cases(client, records_admin, case):
    sign_in(client, records_admin)
    open_case(client, person_url())
    open_case(client, property_url())

    html = client.get(reverse("casework:audit_log")).content.decode()

    assert f'href="{person_url()}"' in html
    assert f'href="{property_url()}"' in html


def test_what_a_rule_relied_on_reads_as_text():
    assert _plain([{"source": "council_tax", "from": "2019-06-01", "to": None}]) == (
        "source council_tax, from 2019-06-01, to none"
    )
    assert _plain(["PA-1", "PA-2"]) == "PA-1; PA-2"
    assert (_plain(True), _plain(None), _plain(7)) == ("yes", "none", "7")
