"""Residents see only their own data, by construction: every URL outside /staff/ that names
something of a resident's (an application, a permit, a payment, an evidence file, a council tax
account) is generated from the URL configuration, built for resident A, and tried by resident B,
who must get 404 on GET and on POST, with nothing in the database changed. A 404, not a 403:
another resident must not even learn that the reference exists.

A new URL with an argument and no case in RESIDENT_URLS fails
test_every_resident_url_with_an_argument_has_a_case, so it cannot be added unseen."""

import re
from dataclasses import dataclass, field

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from balances import services as balance_services
from balances.models import AccountLink, LinkAttempt
from notifications.models import EmailNotification
from parking.models import (
    EvidenceFile,
    Payment,
    Permit,
    PermitApplication,
    PermitEvent,
    PermitMove,
    Refund,
)
from parking.services import application_draft_get_or_create
from personal_data import closing
from personal_data.exports import export_build
from personal_data.models import DataExport
from records.models import DataQualityCase, DataQualityProof
from tests.balances.ledger import ARREARS, load_borough
from tests.casework.cases import application_at, permit_at, send_evidence
from tests.factories import UserFactory
from tests.helpers import every_url_pattern, is_staff_route, sign_in
from tests.records.data_quality import draft, reported


@dataclass(frozen=True)
class Case:
    kwargs: dict[str, str]  # URL argument -> the name of the owner's object in `made`
    post: dict = field(default_factory=dict)  # a POST that would act, were it allowed
    post_only: bool = False  # GET is 405 for everyone: it tells nobody anything


DRAFT = {"reference": "draft"}
WAITING = {"reference": "waiting"}
PERMIT = {"number": "permit"}
ACCOUNT = {"account_ref": "account_ref"}

RESIDENT_URLS: dict[str, Case] = {
    # A draft application's question pages, each with an answer that would be saved.
    "parking:application": Case(DRAFT),
    "parking:postcode": Case(DRAFT, {"postcode": "E8 1DY"}),
    "parking:address": Case(DRAFT, {"uprn": "20001"}),
    "parking:address_lines": Case(
        DRAFT, {"address_line_1": "1 Mare Street", "town": "London", "postcode": "E8 1DY"}
    ),
    "parking:applicant": Case(
        DRAFT,
        {
            "first_name": "Ben",
            "last_name": "Other",
            "date_of_birth_0": "1",
            "date_of_birth_1": "1",
            "date_of_birth_2": "1980",
        },
    ),
    "parking:registration": Case(DRAFT, {"registration": "LB19DSL"}),
    "parking:vehicle": Case(DRAFT, {"confirm": "yes"}),
    "parking:duration": Case(DRAFT, {"months": "12", "start": "today"}),
    "parking:check_answers": Case(DRAFT),
    "parking:submit": Case(DRAFT, {"declaration": "on"}, post_only=True),
    # A submitted application waiting for proof, with a file sent.
    "parking:withdraw": Case(WAITING, {"confirm": "yes"}),
    "parking:evidence": Case(WAITING),
    "parking:evidence_file": Case({**WAITING, "evidence_id": "evidence_id"}),
    "parking:pay": Case({"reference": "approved"}, post_only=True),
    "parking:payment_return": Case({"reference": "payment"}),
    # An issued permit and everything a holder may do with it.
    "parking:permit": Case(PERMIT),
    "parking:permit_vehicle": Case(PERMIT, {"registration": "LB19DSL"}),
    "parking:permit_vehicle_confirm": Case({**PERMIT, "registration": "new_registration"}),
    "parking:permit_renew": Case(PERMIT, {"months": "12"}),
    "parking:permit_cancel": Case(PERMIT, {"confirm": "yes"}),
    "parking:permit_moved": Case(PERMIT, {"moved": "yes"}),
    "parking:permit_moved_postcode": Case(PERMIT, {"postcode": "E8 1DY"}),
    "parking:permit_moved_address": Case(PERMIT, {"uprn": "20001"}),
    "parking:permit_moved_not_listed": Case(PERMIT),
    "parking:permit_moved_date": Case(PERMIT),
    "parking:permit_moved_next": Case({"number": "moving"}),
    "parking:permit_move_pay": Case(PERMIT),
    # An emailed link to a download of all their data.
    "personal_data:export": Case({"token": "export_token"}),
    # The emailed link that closes their account (a POST would close it).
    "personal_data:close_confirm": Case({"token": "close_token"}),
    # A linked council tax account.
    "balances:balance": Case(ACCOUNT),
    "balances:payments": Case(ACCOUNT),
    "balances:statement": Case(ACCOUNT),
    "balances:statement_csv": Case(ACCOUNT),
    "balances:unlink": Case(ACCOUNT, {"confirm": "yes"}),
    # "Something is wrong in our records": an unsent report, and one sent.
    "data_quality:case": Case({"reference": "sent_report"}),
    "data_quality:change": Case(
        {"reference": "draft_report"}, {"kind": "name", "words": "My name is spelt Ben"}
    ),
    "data_quality:check": Case({"reference": "draft_report"}),
}

# URLs with an argument that is not a reference to a resident's data, and why.
NOT_RESIDENT_DATA = {
    # allauth's one-time keys, sent by email: the key is the secret, no sign-in involved.
    "account_confirm_email": "an emailed one-time key",
    "account_reset_password_from_key": "an emailed one-time key",
    # The stand-in for GOV.UK Pay's card page (demo only; 404 in production): like Pay's own,
    # reachable by its unguessable payment id, and it decides nothing (parking/simulator_views).
    "parking:pay_simulator": "the payment provider's page",
}


def resident_url_patterns():
    """(URL name, argument names) of every pattern outside /staff/ that takes an argument."""
    for route, name, pattern in every_url_pattern():
        arguments = set(pattern.pattern.regex.groupindex)
        if arguments and not is_staff_route(route):
            yield name, arguments


PATTERNS = dict(resident_url_patterns())
CHECKED = sorted(name for name in PATTERNS if name not in NOT_RESIDENT_DATA)


def test_every_resident_url_with_an_argument_has_a_case():
    assert [name for name in CHECKED if name not in RESIDENT_URLS] == []


def test_every_case_is_for_a_url_that_exists_with_those_arguments():
    wrong = {
        name: sorted(case.kwargs)
        for name, case in RESIDENT_URLS.items()
        if PATTERNS.get(name) != set(case.kwargs)
    }
    assert wrong == {}


@pytest.fixture
def made(db, settings, tmp_path):
    """Resident A's things, one of each kind a URL names."""
    settings.MEDIA_ROOT = tmp_path / "media"
    load_borough()
    owner = UserFactory(email="owner@example.com")
    waiting = application_at(20001, user=owner)
    approved = application_at(20001, user=owner, registration="LB19EVE")
    PermitApplication.objects.filter(pk=approved.pk).update(
        status=PermitApplication.Status.APPROVED
    )
    permit = permit_at(20001, user=owner)
    payment = Payment.objects.filter(user=owner).first()
    # A second permit whose holder has told us they moved out, for the page that follows.
    moving = permit_at(20001, user=owner, registration="LB19HYB")
    PermitMove.objects.create(
        permit=moving,
        kind=PermitMove.Kind.OUT_OF_BOROUGH,
        moved_on=timezone.localdate(),
        reported_by=owner,
    )
    balance_services.account_link(
        user=owner, account_ref=ARREARS, postcode="E8 1DY", surname="O'Brien"
    )
    made_export = DataExport.objects.create(user=owner)
    export_build(export_id=made_export.pk)
    token = re.search(
        r"/your-data/download/([^/\s]+)/",
        EmailNotification.objects.get(event_key=f"data-export-ready:{made_export.pk}").body_text,
    )[1]
    sent_report = reported(owner, application=waiting)
    draft_report = draft(owner, application=waiting)
    return owner, {
        "export_token": token,
        "close_token": signing.TimestampSigner(salt=closing.SALT).sign(str(owner.pk)),
        "sent_report": sent_report.reference,
        "draft_report": draft_report.reference,
        "draft": application_draft_get_or_create(user=owner).reference,
        "waiting": waiting.reference,
        "evidence_id": send_evidence(waiting).public_id,
        "approved": approved.reference,
        "payment": payment.reference,
        "permit": permit.number,
        "moving": moving.number,
        "new_registration": "LB19DSL",
        "account_ref": ARREARS,
    }


def url_for(name: str, made: dict) -> str:
    case = RESIDENT_URLS[name]
    return reverse(name, kwargs={key: made[value] for key, value in case.kwargs.items()})


# Everything a resident's action could change, row by row.
WATCHED = (
    PermitApplication,
    Permit,
    PermitEvent,
    PermitMove,
    Payment,
    Refund,
    EvidenceFile,
    AccountLink,
    LinkAttempt,
    EmailNotification,
    DataExport,
    User,
    DataQualityCase,
    DataQualityProof,
)


def snapshot() -> dict:
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in WATCHED}


@pytest.mark.parametrize("name", CHECKED)
def test_another_resident_gets_404_and_changes_nothing(client, made, name):
    owner, objects = made
    url = url_for(name, objects)
    # The owner reaches it (else the refusal below would prove nothing).
    sign_in(client, owner)
    assert client.get(url).status_code != 404
    client.logout()

    sign_in(client, UserFactory(email="stranger@example.com"))
    before = snapshot()
    responses = (
        client.get(url).status_code,
        client.post(url, RESIDENT_URLS[name].post).status_code,
    )
    expected = (405 if RESIDENT_URLS[name].post_only else 404, 404)
    assert (responses, snapshot() == before) == (expected, True)
