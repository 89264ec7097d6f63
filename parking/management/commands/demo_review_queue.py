"""Make a few applications that wait for a parking officer (demo mode only), so the review queue
has work in it: each made through the real journey (the same services the pages call, the same
rules), then proof sent through the real upload. Run by `make demo`; running it again adds none.

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
from parking import services
from parking.evidence import evidence_upload
from parking.models import PermitApplication
from records.models import Property
from records.selectors import property_by_uprn

# A small, valid PDF: the upload checks what a file is, not only its name.
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"

# (email, first name, last name, date of birth, registration, address listed?, proof sent)
APPLICANTS = (
    ("ayo.bello@example.com", "Ayo", "Bello", date(1988, 4, 12), "LB19PET", True, True),
    ("mei.tanaka@example.com", "Mei", "Tanaka", date(1975, 9, 3), "ER19NFD", False, True),
    ("rosa.quinn@example.com", "Rosa", "Quinn", date(1993, 1, 27), "LB19EVE", True, False),
)


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

    def _resident(self, email: str) -> User:
        user, created = User.objects.get_or_create(email=email)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _apply(self, user, home, first, last, born, registration, listed, proof) -> None:
        """The journey's steps, as the pages call them. The names are not in the records, so
        the rules cannot tell that these people live there: a person must check their proof."""
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
        if application.status != PermitApplication.Status.NEEDS_EVIDENCE:
            raise CommandError(f"{ref} was {application.status}, not waiting for a person")
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
