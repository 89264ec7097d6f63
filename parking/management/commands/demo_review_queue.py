"""Make a few applications that wait for a parking officer (demo mode only), so the review queue
has work in it: each made through the real journey (the same services the pages call, the same
rules), then proof sent through the real upload. And one permit flagged for an officer: applied
for by a person the records know, paid on the local payment page, then reported moved by its
holder. Run by `make demo`; running it again adds none.

The applicants are invented demo residents who can sign in (the demo password) to see the
officer's decision and pay."""

from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.management.commands.demo_users import DEMO_PASSWORD, staff_email
from accounts.models import User
from parking import permits, services
from parking.evidence import evidence_upload
from parking.models import Permit, PermitApplication, SimulatedPayment
from records.models import Property
from records.selectors import current_occupants, property_by_uprn

# A small, valid PDF: the upload checks what a file is, not only its name.
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"

# (email, first name, last name, date of birth, registration, address listed?, proof sent)
APPLICANTS = (
    ("ayo.bello@example.com", "Ayo", "Bello", date(1988, 4, 12), "LB19PET", True, True),
    ("mei.tanaka@example.com", "Mei", "Tanaka", date(1975, 9, 3), "ER19NFD", False, True),
    ("rosa.quinn@example.com", "Rosa", "Quinn", date(1993, 1, 27), "LB19EVE", True, False),
)


# The demo resident whose permit is flagged (the demo password signs them in).
FLAGGED_HOLDER = "permit.holder@example.com"


class Command(BaseCommand):
    help = "Make a few applications waiting for a parking officer (demo mode only)."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_review_queue only runs in demo mode: it creates sign-ins.")
        homes = (
            Property.objects.current()
            .filter(usage=Property.Usage.RESIDENTIAL, permit_free=False)
            .exclude(cpz_zone="")
            .order_by("uprn")
        )
        if not homes.exists():
            raise CommandError("No demo homes: run `make demo` (demo_records) first.")
        made = 0
        for index, (email, first, last, born, registration, listed, proof) in enumerate(APPLICANTS):
            user = self._resident(email)
            if PermitApplication.objects.for_user(user).submitted().exists():
                continue
            home = homes[index]
            self._apply(user, home, first, last, born, registration, listed, proof)
            made += 1
        self.stdout.write(
            f"Review queue: {made} application{'s' if made != 1 else ''} made, "
            f"{PermitApplication.objects.filter(status='needs_evidence').count()} waiting. "
            f"Sign in as {staff_email('parking_officer')} to decide them."
        )
        flagged = Permit.objects.filter(flagged_at__isnull=False).first() or self._flagged(homes)
        self.stdout.write(
            f"Flagged for an officer: permit {flagged.number} (its holder says they moved), "
            "at /staff/permits/flagged/."
        )

    def _flagged(self, homes) -> Permit:
        """A permit whose holder reported a move: applied for with the name and date of birth of
        someone the records place at a home (so the rules approve it), paid for as the local
        payment page would record a card payment, then the move reported."""
        for home in homes:
            person = next((p for p in current_occupants(uprn=home.uprn) if p.date_of_birth), None)
            if person is not None:
                break
        else:
            raise CommandError("No one in the demo records to hold a permit.")
        user = self._resident(FLAGGED_HOLDER)
        self._apply(
            user,
            home,
            person.first_name,
            person.last_name,
            person.date_of_birth,
            "LB19DSL",
            True,
            False,
            expect=PermitApplication.Status.APPROVED,
        )
        application = PermitApplication.objects.for_user(user).submitted().get()
        payment = permits.payment_start(
            user=user,
            reference=application.reference,
            return_url_for=lambda ref: f"{settings.SITE_URL}/parking/payments/{ref}/",
        )
        SimulatedPayment.objects.filter(payment_id=payment.provider_id).update(
            status=SimulatedPayment.Status.SUCCESS, card_last_digits="1111"
        )
        permits.payment_refresh(payment_id=payment.pk)
        permit = Permit.objects.get(application=application)
        # A new home not in the address records yet: a parking officer checks it.
        move = permits.permit_report_move(
            user=user,
            number=permit.number,
            where="same_zone",
            moved_on=timezone.localdate(),
            new_address=permits.NewAddress(
                uprn=None, lines=("Flat 2", "9 Example Road", "London"), postcode="E8 1AA"
            ),
        )
        return move.permit

    def _resident(self, email: str) -> User:
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _apply(
        self,
        user,
        home,
        first,
        last,
        born,
        registration,
        listed,
        proof,
        expect=PermitApplication.Status.NEEDS_EVIDENCE,
    ) -> None:
        """The journey's steps, as the pages call them. The queue's names are not in the
        records, so the rules cannot tell that these people live there: a person must check
        their proof."""
        ref = services.application_draft_get_or_create(user=user).reference
        answers = {"user": user, "reference": ref}
        services.application_answer_postcode(**answers, postcode=home.postcode)
        if listed:
            label = property_by_uprn(uprn=home.uprn).address.label
            services.application_answer_address(**answers, uprn=home.uprn, address=label)
        else:
            services.application_answer_address(**answers, uprn=None, address="")
        services.application_answer_applicant(
            **answers, first_name=first, last_name=last, date_of_birth=born
        )
        services.application_answer_registration(**answers, registration=registration)
        services.application_confirm_vehicle(**answers)
        services.application_answer_duration(**answers, months=12, starts_on=timezone.localdate())
        application = services.application_submit(**answers).application
        if application.status != expect:
            raise CommandError(f"{ref} was {application.status}, not {expect}")
        if proof:
            evidence_upload(
                user=user,
                reference=ref,
                kind="proof_of_address",
                files=[
                    SimpleUploadedFile(
                        f"{last.lower()}-council-tax-bill.pdf", PDF, content_type="application/pdf"
                    )
                ],
            )
