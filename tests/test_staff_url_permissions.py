"""Who may open every staff page, generated from the URL configuration: each URL under /staff/
must have a rule in STAFF_URLS below, and is tried as every role, a resident and someone
signed out. A new staff page without a rule fails test_every_staff_url_has_a_rule.

The Django admin (/staff/admin/) is Django's own: its pages are governed by model permissions,
not by the roles; here every one of its URLs is checked to refuse residents and people signed
out."""

import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import (
    CASEWORK_ROLES,
    CONTACT_CENTRE_AGENT,
    PARKING_OFFICER,
    RECORDS_ADMIN,
    REVENUES_OFFICER,
)
from accounts.roles import ROLES as ROLE_TABLE
from insights.apps import ANALYST
from insights.council_tax_whatif import council_tax_whatif
from insights.figures import council_tax_figures
from insights.models import Scenario
from parking.services import application_draft_get_or_create
from records.models import SyncRun
from tests.casework.cases import application_at, permit_at, send_evidence
from tests.factories import UserFactory, make_staff
from tests.helpers import every_url_pattern, is_staff_route, sign_in
from tests.records.data_quality import pdf, reported

ROLES = tuple(ROLE_TABLE)
EVERY_ROLE = frozenset(ROLES)
# The roles that work residents' cases (every role but the analyst, who sees totals only).
CASEWORKERS = frozenset(CASEWORK_ROLES)
ANONYMOUS, RESIDENT = "anonymous", "resident"
PERSONAS = (ANONYMOUS, RESIDENT, *ROLES)


@dataclass(frozen=True)
class Rule:
    allowed: frozenset[str]  # the roles that may use the URL; residents and anonymous never
    method: str = "get"
    kwargs: dict = field(default_factory=dict)  # names of the objects in `made` to fill the URL
    data: dict = field(default_factory=dict)  # what the request sends (a form's answers)


# URL name -> who may use it.
STAFF_URLS: dict[str, Rule] = {
    "casework:home": Rule(EVERY_ROLE),
    "casework:audit_log": Rule(frozenset({RECORDS_ADMIN})),
    "casework:search": Rule(CASEWORKERS),
    "casework:person_case": Rule(CASEWORKERS, kwargs={"person_ref": "person_ref"}),
    "casework:person_case_notes": Rule(
        CASEWORKERS, method="post", kwargs={"person_ref": "person_ref"}
    ),
    "casework:person_case_evidence": Rule(
        CASEWORKERS, kwargs={"person_ref": "person_ref", "evidence_id": "evidence_id"}
    ),
    "casework:property_case": Rule(CASEWORKERS, kwargs={"uprn": "uprn"}),
    "casework:property_case_notes": Rule(CASEWORKERS, method="post", kwargs={"uprn": "uprn"}),
    "casework:property_case_evidence": Rule(
        CASEWORKERS, kwargs={"uprn": "uprn", "evidence_id": "evidence_id"}
    ),
    "casework:review_queue": Rule(frozenset({PARKING_OFFICER})),
    "casework:review_decide": Rule(frozenset({PARKING_OFFICER}), kwargs={"reference": "reference"}),
    "casework:review_evidence": Rule(
        frozenset({PARKING_OFFICER}),
        kwargs={"reference": "reference", "evidence_id": "review_evidence_id"},
    ),
    # Permits flagged because the holder may have moved: parking officers decide them.
    "casework:flagged_permits": Rule(frozenset({PARKING_OFFICER})),
    "casework:flag_decide": Rule(frozenset({PARKING_OFFICER}), kwargs={"number": "flagged"}),
    # Assisted applications: every role makes them (a draft's pages, untouched, lead on).
    "casework:assisted_start": Rule(CASEWORKERS, kwargs={"person_ref": "person_ref"}),
    "casework:assisted_application": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_postcode": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_address": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_address_lines": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_applicant": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_registration": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_vehicle": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_duration": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_check_answers": Rule(CASEWORKERS, kwargs={"reference": "assisted"}),
    "casework:assisted_submit": Rule(CASEWORKERS, method="post", kwargs={"reference": "assisted"}),
    "casework:assisted_pay": Rule(CASEWORKERS, method="post", kwargs={"reference": "assisted"}),
    "casework:assisted_paid": Rule(
        CASEWORKERS, kwargs={"reference": "assisted", "payment_reference": "payment_reference"}
    ),
    # A request by post for a person's data: the records team answers it.
    "personal_data_staff:person_export": Rule(
        frozenset({RECORDS_ADMIN}), kwargs={"person_ref": "person_ref"}
    ),
    # Residents' reports that the records are wrong: records administrators.
    "casework:data_quality_queue": Rule(frozenset({RECORDS_ADMIN})),
    "casework:data_quality_case": Rule(frozenset({RECORDS_ADMIN}), kwargs={"reference": "report"}),
    "casework:data_quality_proof": Rule(
        frozenset({RECORDS_ADMIN}), kwargs={"reference": "report", "proof_id": "report_proof"}
    ),
    "records:run_list": Rule(frozenset({RECORDS_ADMIN})),
    "records:upload": Rule(frozenset({RECORDS_ADMIN})),
    "records:run_detail": Rule(frozenset({RECORDS_ADMIN}), kwargs={"pk": "run"}),
    "records:run_progress": Rule(frozenset({RECORDS_ADMIN}), kwargs={"pk": "run"}),
    "records:decide": Rule(frozenset({RECORDS_ADMIN}), method="post", kwargs={"pk": "run"}),
    # The what-ifs: analysts, and records administrators (the coverage is their records').
    "insights:home": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:tariff": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:tariff_result": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:council_tax": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:council_tax_result": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    # Saved scenarios. Saving with no name shows the form again (the what-if is worked out).
    "insights:scenarios": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:scenario_save": Rule(
        frozenset({ANALYST, RECORDS_ADMIN}),
        method="post",
        data={"name": "", "kind": "council_tax", "query": "code=SPD&percent=20"},
    ),
    "insights:scenarios_compare": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:scenarios_compare_csv": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:scenario": Rule(frozenset({ANALYST, RECORDS_ADMIN}), kwargs={"pk": "scenario"}),
    "insights:scenario_csv": Rule(frozenset({ANALYST, RECORDS_ADMIN}), kwargs={"pk": "scenario"}),
    # Another analyst's scenario: the page says only its author may delete it.
    "insights:scenario_delete": Rule(
        frozenset({ANALYST, RECORDS_ADMIN}), kwargs={"pk": "scenario"}
    ),
    "insights:quality": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
    "insights:quality_feed": Rule(frozenset({ANALYST, RECORDS_ADMIN}), kwargs={"feed": "feed"}),
    "insights:channels": Rule(frozenset({ANALYST, RECORDS_ADMIN})),
}
# Sample values for the Django admin's URL arguments.
ADMIN_KWARGS = {
    "app_label": "accounts",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "url": "x",
}


def staff_url_patterns():
    """(full route, URL name, pattern) of every URL pattern under the staff prefix."""
    return [(r, name, p) for r, name, p in every_url_pattern() if is_staff_route(r)]


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


STAFF_NAMES = sorted({name for _, name, _ in staff_url_patterns() if not is_admin(name)})


def admin_url(route: str, name: str, pattern) -> str:
    """A URL for an admin pattern: reversed by name, or (the admin's unnamed redirects) made
    from the route with sample arguments."""
    arguments = pattern.pattern.regex.groupindex
    if name != "admin:":
        return reverse(name, kwargs={argument: ADMIN_KWARGS[argument] for argument in arguments})
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ADMIN_KWARGS[m.group(1)], route)


ADMIN_URLS = sorted(
    {
        admin_url(route, name, pattern)
        for route, name, pattern in staff_url_patterns()
        if is_admin(name) and name not in ("admin:login", "admin:logout", "admin:view_on_site")
    }
)


def test_every_staff_url_has_a_rule():
    unnamed = [route for route, name, _ in staff_url_patterns() if name.endswith(":")]
    assert [route for route in unnamed if not route.startswith("staff/admin/")] == []
    assert [name for name in STAFF_NAMES if name not in STAFF_URLS] == []


def test_every_rule_is_for_a_staff_url_that_exists():
    assert [name for name in STAFF_URLS if name not in STAFF_NAMES] == []


def test_the_staff_urls_include_the_admin_and_every_app_under_staff():
    namespaces = {name.split(":")[0] for _, name, _ in staff_url_patterns()}
    assert {"admin", "records", "casework", "insights"} <= namespaces


@pytest.fixture
def made(db, settings, tmp_path):
    """The objects the staff URLs name."""
    settings.MEDIA_ROOT = tmp_path / "media"
    run = SyncRun.objects.create(
        feed="people",
        file_name="people.csv",
        file_path="record-feeds/people.csv",
        checksum="0" * 64,
        started_by_label="test",
        status=SyncRun.Status.APPLIED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    # A case's pages ask why before anything else, so the person and property need not exist.
    # The review pages show an application, so one is waiting, with a file.
    application = application_at(10001)
    # The flagged permits' pages show a permit waiting for an officer.
    flagged = permit_at(10001, flagged=True)
    # The assisted journey's pages show a draft an agent is making for a resident.
    assisted = application_draft_get_or_create(
        user=UserFactory(), made_by=make_staff(None, email="started.it@example.com")
    )
    # A resident's report that the records are wrong, with proof.
    report = reported(application.user, application=application, files=[pdf()])
    # A saved scenario (its figures are what the pages read: a small, real set of them).
    scenario = Scenario.objects.create(
        name="Single person discount at 20%",
        kind=Scenario.Kind.COUNCIL_TAX,
        query="code=SPD&percent=20",
        figures=council_tax_figures(
            council_tax_whatif([], code="SPD", percent=20, today=timezone.localdate()),
            records={"as_of": None, "quality": [], "feeds": []},
        ),
        revenue_change_pence=0,
        saved_at=timezone.now(),
        saved_by=make_staff(None, email="saved.it@example.com"),
    )
    return {
        "scenario": scenario.pk,
        "report": report.reference,
        "report_proof": report.proofs.get().public_id,
        "flagged": flagged.number,
        "assisted": assisted.reference,
        "payment_reference": "PY-NONE",
        "run": run.pk,
        "feed": "council-tax-accounts",
        "person_ref": "P0000001",
        "uprn": 10001,
        "evidence_id": uuid.uuid4(),
        "reference": application.reference,
        "review_evidence_id": send_evidence(application).public_id,
    }


def signed_in(client, persona: str):
    if persona == RESIDENT:
        sign_in(client, UserFactory())
    elif persona != ANONYMOUS:
        sign_in(client, make_staff(persona))
    return client


def refused(response) -> bool:
    """Refused: forbidden, or sent to sign in."""
    if response.status_code == 403:
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return location.startswith((reverse("account_login"), reverse("admin:login")))


def allowed(response) -> bool:
    return response.status_code < 400 and not refused(response)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_staff_url_lets_in_exactly_the_roles_its_rule_names(client, made, persona):
    signed_in(client, persona)
    wrong = []
    for name in STAFF_NAMES:
        rule = STAFF_URLS[name]
        url = reverse(name, kwargs={key: made[value] for key, value in rule.kwargs.items()})
        response = getattr(client, rule.method)(url, rule.data)
        expected = "allowed" if persona in rule.allowed else "refused"
        ok = allowed(response) if expected == "allowed" else refused(response)
        if not ok:
            wrong.append(f"{name} ({url}): expected {expected}, got {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("persona", [ANONYMOUS, RESIDENT])
def test_every_admin_url_refuses_residents_and_people_signed_out(client, db, persona):
    signed_in(client, persona)
    # (Not the admin's sign-in and sign-out pages themselves, nor its redirect to the site.)
    wrong = []
    for url in ADMIN_URLS:
        response = client.get(url)
        if not refused(response):
            wrong.append(f"{url}: {response.status_code}")
    assert len(ADMIN_URLS) > 100
    assert wrong == []


@pytest.mark.parametrize("role", [CONTACT_CENTRE_AGENT, PARKING_OFFICER, REVENUES_OFFICER])
def test_staff_without_model_permissions_see_no_admin_model_page(client, db, role):
    sign_in(client, make_staff(role))
    assert client.get(reverse("admin:records_syncrun_changelist")).status_code == 403
