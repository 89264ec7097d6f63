"""A case to look at: the small council tax borough of tests/balances/ledger.py (loaded through
the real sync pipeline), with permit applications, evidence and link attempts at the home of
Zoë O'Brien (P1, UPRN 20001), and a way to make it big."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from balances.models import LinkAttempt
from parking.eligibility import Decision, DecisionOutcome, Evidence, Outcome, Rule, RuleResult
from parking.evidence import evidence_upload
from parking.models import Payment, Permit, PermitApplication, PermitEvent, Refund
from parking.pricing import permit_last_day
from tests.balances.ledger import ARREARS, HOME_UPRN, OTHER_UPRN, load_borough
from tests.factories import UserFactory

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
ZOE = "P1"
KWAME = "P4"

# The people snapshot of tests/balances/ledger.py, for a later snapshot that keeps them.
BOROUGH_PEOPLE = [
    f"P1,{HOME_UPRN},Ms,Zoë,O'Brien,1980-02-29,liable,,2019-06-01,",
    f"P2,{HOME_UPRN},Mr,Tomás José,van der Berg,1982-11-03,joint_liable,,2019-06-01,",
    f"P3,{HOME_UPRN},,Ada,Lovelace,2009-07-15,occupant,electoral_register,2021-09-01,",
    f"P4,{OTHER_UPRN},Mx,Kwame,Mensah-Smith,1990-05-20,liable,,2016-01-04,",
    "P1,20003,Ms,Zoë,O'Brien,1980-02-29,liable,,2020-01-01,",
]

__all__ = ["ARREARS", "HOME_UPRN", "KWAME", "OTHER_UPRN", "ZOE"]


def person_url(person_ref: str = ZOE) -> str:
    return reverse("casework:person_case", kwargs={"person_ref": person_ref})


def property_url(uprn: int = HOME_UPRN) -> str:
    return reverse("casework:property_case", kwargs={"uprn": uprn})


def application_at(uprn: int, *, user=None, registration: str = "LB19PET") -> PermitApplication:
    """A submitted application that needs proof of address, decided on the records."""
    decision = Decision(
        outcome=DecisionOutcome.NEEDS_EVIDENCE,
        rules=[
            RuleResult(Rule.ADDRESS, Outcome.PASS, "Your address is listed.", {"uprn": uprn}),
            RuleResult(
                Rule.LIVES_THERE,
                Outcome.UNKNOWN,
                "We could not match your name to the people at this address.",
                {"people_sync_run": 7},
                (Evidence.PROOF_OF_ADDRESS,),
            ),
        ],
        rules_version="test-rules",
        evidence_needed=[Evidence.PROOF_OF_ADDRESS],
    )
    return PermitApplication.objects.create(
        user=user or UserFactory(),
        status=PermitApplication.Status.NEEDS_EVIDENCE,
        postcode="E8 1DY",
        uprn=uprn,
        address="1 Mare Street, E8 1DY",
        first_name="Zoë",
        last_name="O'Brien",
        registration=registration,
        vehicle_lookup=PermitApplication.VehicleLookup.FOUND,
        months=12,
        starts_on=timezone.localdate(),
        price_pence=12000,
        decision=decision.as_json(),
        submitted_at=timezone.now(),
    )


def send_evidence(application: PermitApplication, name: str = "council-tax-bill.pdf"):
    return evidence_upload(
        user=application.user,
        reference=application.reference,
        kind="proof_of_address",
        files=[SimpleUploadedFile(name, PDF, content_type="application/pdf")],
    )[0]


def load_case():
    """The borough, one application with a file at Zoë's home, one attempt to link."""
    load_borough()
    application = application_at(HOME_UPRN)
    evidence = send_evidence(application)
    LinkAttempt.objects.create(
        user=application.user,
        account_ref=ARREARS,
        postcode="E8 1DY",
        succeeded=False,
        reason=LinkAttempt.Reason.WRONG_SURNAME,
    )
    return application, evidence


def permit_at(
    uprn: int,
    *,
    registration: str = "LB19PET",
    person_ref: str = ZOE,
    flagged: bool = False,
    user=None,
) -> Permit:
    """An issued permit for `uprn`, with its history and a refund (made directly: the case view
    only reads them)."""
    application = application_at(uprn, registration=registration, user=user)
    PermitApplication.objects.filter(pk=application.pk).update(status="issued")
    today = timezone.localdate()
    permit = Permit.objects.create(
        user=application.user,
        application=application,
        registration=registration,
        zone="A",
        uprn=uprn,
        address="1 Mare Street, London, E8 1DY",
        person_ref=person_ref,
        valid_from=today,
        valid_to=permit_last_day(today, 12),
        months=12,
        price_pence=17_000,
        paid_pence=17_000,
        flagged_at=timezone.now() if flagged else None,
        flag_reason="The council's records no longer show the permit holder at the address"
        if flagged
        else "",
    )
    PermitEvent.objects.create(permit=permit, kind="issued", description="Permit issued.")
    PermitEvent.objects.create(
        permit=permit,
        kind="vehicle_changed",
        description=f"Vehicle changed from LB19EVE to {registration}.",
        by=application.user,
    )
    Refund.objects.create(
        permit=permit,
        payment=_payment(application),
        amount_pence=1_250,
        reason=Refund.Reason.VEHICLE_CHANGE,
        status=Refund.Status.SUCCESS,
    )
    return permit


def _payment(application: PermitApplication) -> Payment:
    return Payment.objects.create(
        user=application.user,
        purpose=Payment.Purpose.PERMIT,
        application=application,
        amount_pence=17_000,
        status=Payment.Status.SUCCESS,
        provider_id=f"pay-{application.reference}",
    )
