"""Make a few applications that wait for a parking officer (demo mode only), so the review queue
has work in it: each made through the real journey (the same services the pages call, the same
rules), then proof sent through the real upload. And one permit flagged for an officer: applied
for by a person the records know, paid on the local payment page, then reported moved by its
holder. And a permit of the README's demo resident (resident@example.com) that is due for
renewal, so renewing can be tried. Run by `make demo`; running it again adds none.

The staff examples are other people, at other homes, with other vehicles than the README's
demo paths use, so that a newcomer can try every path in any order. The applicants are invented
demo residents who can sign in (the demo password) to see the officer's decision and pay."""

from datetime import date, timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.management.commands.demo_users import demo_user, staff_email
from accounts.models import User
from parking import moves, payments, services
from parking.evidence import evidence_upload
from parking.models import Permit, PermitApplication
from records.models import Occupancy, Property
from records.selectors import current_occupants, property_by_uprn

# A small, valid PDF: the upload checks what a file is, not only its name.
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"

# (email, first name, last name, date of birth, registration, address listed?, proof sent)
APPLICANTS = (
    ("ayo.bello@example.com", "Ayo", "Bello", date(1988, 4, 12), "RQ21AYO", True, True),
    ("mei.tanaka@example.com", "Mei", "Tanaka", date(1975, 9, 3), "ER19MNT", False, True),
    ("rosa.quinn@example.com", "Rosa", "Quinn", date(1993, 1, 27), "RQ21ROS", True, False),
)


# The demo resident whose permit is flagged (the demo password signs them in), and its vehicle.
FLAGGED_HOLDER = "permit.holder@example.com"
FLAGGED_VEHICLE = "FH21MOV"

# The README's demo resident: who resident@example.com applies as (records.demo_feeds plants
# him at the first household), and the vehicle of his permit that is due for renewal.
DEMO_RESIDENT_EMAIL = "resident@example.com"
DEMO_RESIDENT = ("Seán", "O'Brien", date(1976, 6, 14))
RENEWAL_VEHICLE = "KX20REN"
RENEWAL_DUE_IN_DAYS = 30  # within the 6 weeks before its end when renewal opens


class Command(BaseCommand):
    help = "Make a few applications waiting for a parking officer (demo mode only)."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_review_queue only runs in demo mode: it creates sign-ins.")
        demo_home = self._demo_resident_home()
        homes = (
            Property.objects.current()
            .filter(usage=Property.Usage.RESIDENTIAL, permit_free=False)
            .exclude(cpz_zone="")
            .exclude(uprn=demo_home)  # the README's paths are tried there
            .order_by("uprn")
        )
        if not homes.exists():
            raise CommandError("No demo homes: run `make demo` (demo_records) first.")
        made = 0
        for index, (email, first, last, born, registration, listed, proof) in enumerate(APPLICANTS):
            user = demo_user(email)
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
        # Only a live permit waits for an officer: a cancelled one is never "flagged".
        flagged = Permit.objects.active().filter(flagged_at__isnull=False).first() or self._flagged(
            homes
        )
        self.stdout.write(
            f"Flagged for an officer: permit {flagged.number} (its holder says they moved), "
            "at /staff/permits/flagged/."
        )
        renewable = self._renewal_due(demo_home)
        if renewable is not None:
            self.stdout.write(
                f"Due for renewal: {DEMO_RESIDENT_EMAIL}'s permit {renewable.number} for "
                f"{renewable.registration} ends on {renewable.valid_to:%-d %B %Y}."
            )

    def _demo_resident_home(self) -> int | None:
        """The UPRN where the README's demo resident lives now, if the records have him."""
        first, last, born = DEMO_RESIDENT
        return (
            Occupancy.objects.current()
            .filter(
                person__first_name=first,
                person__last_name=last,
                person__date_of_birth=born,
                occupied_to__isnull=True,
            )
            .values_list("property__uprn", flat=True)
            .first()
        )

    def _renewal_due(self, home_uprn: int | None) -> Permit | None:
        """A permit of the demo resident's, bought through the real journey and the local
        payment page, then its dates moved so that it ends in RENEWAL_DUE_IN_DAYS days."""
        user = User.objects.filter(email=DEMO_RESIDENT_EMAIL).first()
        if user is None or home_uprn is None:
            return None
        existing = Permit.objects.filter(user=user, registration=RENEWAL_VEHICLE).first()
        if existing is not None:
            return existing
        first, last, born = DEMO_RESIDENT
        home = Property.objects.get(uprn=home_uprn)
        application = self._apply(
            user,
            home,
            first,
            last,
            born,
            RENEWAL_VEHICLE,
            True,
            False,
            expect=PermitApplication.Status.APPROVED,
        )
        permit = payments.demo_card_payment(user=user, application=application)
        ends = timezone.localdate() + timedelta(days=RENEWAL_DUE_IN_DAYS)
        starts = ends - timedelta(days=364)
        Permit.objects.filter(pk=permit.pk).update(valid_from=starts, valid_to=ends)
        permit.refresh_from_db()
        return permit

    def _flagged(self, homes) -> Permit:
        """A permit whose holder reported a move: applied for with the name and date of birth of
        someone the records place at a home (so the rules approve it), paid for as the local
        payment page would record a card payment, then the move reported. Never at the README's
        demo resident's home (`homes` leaves it out): resident@example.com applies as him, and a
        person in the records is matched automatically to one portal account only."""
        for home in homes:
            person = next((p for p in current_occupants(uprn=home.uprn) if p.date_of_birth), None)
            if person is not None:
                break
        else:
            raise CommandError("No one in the demo records to hold a permit.")
        user = demo_user(FLAGGED_HOLDER)
        application = self._apply(
            user,
            home,
            person.first_name,
            person.last_name,
            person.date_of_birth,
            FLAGGED_VEHICLE,
            True,
            False,
            expect=PermitApplication.Status.APPROVED,
        )
        permit = payments.demo_card_payment(user=user, application=application)
        # A new home not in the address records yet: a parking officer checks it.
        move = moves.permit_report_move(
            user=user,
            number=permit.number,
            where="same_zone",
            moved_on=timezone.localdate(),
            new_address=moves.NewAddress(
                uprn=None, lines=("Flat 2", "9 Example Road", "London"), postcode="E8 1AA"
            ),
        )
        return move.permit

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
    ) -> PermitApplication:
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
            services.application_answer_address_lines(
                **answers,
                line1="Flat 3, 9 Gransden Yard",
                line2="",
                town="London",
                postcode=home.postcode,
            )
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
        return application
