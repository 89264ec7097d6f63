"""A small borough for the insights tests, loaded through the real sync pipeline: three homes in
two zones and two wards with council tax accounts, and permits bought through the real
services (the journey's answers, the rules' decision, the local payment page)."""

from datetime import date

from django.test import Client
from django.utils import timezone

from parking import payments, services
from parking.models import Payment, Permit, PermitApplication
from tests.parking.application_records import _ensure_seeded_tariff
from tests.records.syncing import (
    ACCOUNTS_HEADER,
    INSTALMENTS_HEADER,
    PEOPLE_HEADER,
    PROPERTIES_HEADER,
    TRANSACTIONS_HEADER,
    sync,
)

POSTCODE = "E8 1DY"
# uprn -> (first line, ward, zone)
HOMES = {
    30001: ("1 Mare Street", "Hackney Central", "A"),
    30002: ("2 Mare Street", "Dalston", "B"),
    30003: ("3 Mare Street", "Dalston", "B"),
}
# person_ref, uprn, first name, last name, born
PEOPLE = [
    ("P1", 30001, "Zoë", "O'Brien", date(1980, 2, 29)),
    ("P2", 30002, "Kwame", "Mensah", date(1975, 6, 1)),
    ("P3", 30003, "Ada", "Lovelace", date(1990, 12, 10)),
]
TODAY = date(2026, 11, 21)  # in financial year 2026/27


def _applied(feed: str, header: str, rows: list[str]):
    run = sync(feed, "\n".join([header, *rows]) + "\n")
    assert run.status == "applied", (feed, run.report)
    return run


def load_homes() -> None:
    _ensure_seeded_tariff()
    _applied(
        "properties",
        PROPERTIES_HEADER,
        [
            f'{uprn},"{line1}",{POSTCODE},{ward},residential,{zone},N'
            for uprn, (line1, ward, zone) in HOMES.items()
        ],
    )
    _applied(
        "people",
        PEOPLE_HEADER,
        [
            f"{ref},{uprn},,{first},{last},{born:%Y-%m-%d},liable,,2020-01-01,"
            for ref, uprn, first, last, born in PEOPLE
        ],
    )


def load_council_tax() -> None:
    """Homes 30001 (band B) and 30002 (band D): the accounts of the council tax what-if test."""
    _applied(
        "council_tax_accounts",
        ACCOUNTS_HEADER,
        [
            "30000001,30001,P1,B,live,direct_debit,10,SPD,2020-01-01,",
            "30000002,30002,P2,D,live,card,10,SPD,2020-01-01,",
            "30000003,30003,P3,D,live,card,10,,2020-01-01,",  # no discount: not in the what-if
            "30000004,30003,P3,D,closed,card,10,SPD,2018-01-01,2019-12-31",  # closed
            "30000005,30003,P3,D,live,card,10,SPDX,2020-01-01,",  # another code, not SPD
        ],
    )
    _applied(
        "council_tax_instalments",
        INSTALMENTS_HEADER,
        ["30000001,2026/27,2026-04-01,900.00", "30000002,2026/27,2026-04-01,1350.00"],
    )
    _applied(
        "council_tax_transactions",
        TRANSACTIONS_HEADER,
        [
            # Paid in full: not in arrears.
            "T1,30000001,2026-03-09,2026/27,charge,1200.00,Council tax 2026/27",
            "T2,30000001,2026-03-09,2026/27,discount,-300.00,Single person discount (25%)",
            "T3,30000001,2026-04-01,2026/27,payment,-900.00,Direct Debit",
            # Paid this year in full, but owes 100.00 from last year: in arrears.
            "T4,30000002,2025-03-09,2025/26,charge,1700.00,Council tax 2025/26",
            "T5,30000002,2025-04-01,2025/26,payment,-1600.00,Card payment",
            "T6,30000002,2026-03-09,2026/27,charge,1800.00,Council tax 2026/27",
            "T7,30000002,2026-03-09,2026/27,discount,-450.00,Single person discount (25%)",
            "T8,30000002,2026-04-01,2026/27,payment,-1350.00,Card payment",
        ],
    )


def permit_bought(user, *, person: str, registration: str, months: int) -> Permit:
    """A permit bought as the resident would: the journey's answers, submitted, paid."""
    _ref, uprn, first, last, born = next(p for p in PEOPLE if p[0] == person)
    draft = services.application_draft_get_or_create(user=user)
    ref = draft.reference
    services.application_answer_postcode(user=user, reference=ref, postcode=POSTCODE)
    services.application_answer_address(
        user=user, reference=ref, uprn=uprn, address=f"{HOMES[uprn][0]}, {POSTCODE}"
    )
    services.application_answer_applicant(
        user=user, reference=ref, first_name=first, last_name=last, date_of_birth=born
    )
    services.application_answer_registration(user=user, reference=ref, registration=registration)
    services.application_confirm_vehicle(user=user, reference=ref)
    services.application_answer_duration(
        user=user, reference=ref, months=months, starts_on=timezone.localdate()
    )
    application = services.application_submit(user=user, reference=ref).application
    assert application.status == PermitApplication.Status.APPROVED, application.decision
    payment = payments.payment_start(
        user=user,
        reference=application.reference,
        return_url_for=lambda r: f"http://testserver/parking/payments/{r}/",
    )
    assert isinstance(payment, Payment)
    client = Client()
    client.post(payment.next_url, {"card_number": "4444 3333 2222 1111", "cardholder_name": first})
    payments.payment_refresh(payment_id=payment.pk)
    return Permit.objects.get(application=application)
