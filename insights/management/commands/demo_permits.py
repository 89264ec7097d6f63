"""Buy live permits for the demo (demo mode only), so the analysts' tariff what-if has something
to say: people the council's records place at homes in parking zones apply through the real
journey (the services the pages call, the same rules), every one approved by the rules, and pay
as the local payment page records a card payment. One home in three buys a second permit (the
further-permit surcharge); 12, 6 and 3 months; petrol, diesel, hybrid and electric vehicles
from the local vehicle data. Run by `make demo`; running it again buys none.

The holders are invented demo residents (`insights.holder<n>@example.com`, the demo password)
at other homes than the README's paths and the review queue use (the highest UPRNs: those take
the lowest), so that nothing here gets in a newcomer's way. Their emails are not printed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from accounts.management.commands.demo_users import demo_user, staff_email
from insights.apps import ANALYST
from parking import payments, services
from parking.clients.vehicles import lookup_vehicle
from parking.models import Permit, PermitApplication
from records.models import Property
from records.selectors import current_occupants, property_by_uprn

HOLDER_EMAIL = "insights.holder{n}@example.com"
MONTHS = (12, 12, 6, 3)
HEAVIEST_KG = 3500  # the rules refuse a heavier vehicle: never offered here


class Command(BaseCommand):
    help = "Buy live permits for the demo's analysts (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=40, help="permits to buy (40)")

    def handle(self, *args, count, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_permits only runs in demo mode: it creates sign-ins.")
        bought = Permit.objects.filter(user__email__startswith="insights.holder").count()
        if bought:
            self.stdout.write(f"Insights: {bought} demo permits bought already.")
            return
        homes = (
            Property.objects.current()
            .filter(usage=Property.Usage.RESIDENTIAL, permit_free=False)
            .exclude(cpz_zone="")
            .order_by("-uprn")
        )
        made, holder = 0, 0
        # Residents' emails (confirmations, receipts) would fill `make run`'s console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            for home in homes.iterator():
                if made >= count:
                    break
                person = next(
                    (p for p in current_occupants(uprn=home.uprn) if p.date_of_birth), None
                )
                if person is None:
                    continue
                holder += 1
                user = demo_user(HOLDER_EMAIL.format(n=holder))
                for second in range(1 if holder % 3 else 2):
                    if made >= count:
                        break
                    application = self._apply(user, home, person, holder, second)
                    payments.demo_card_payment(user=user, application=application)
                    made += 1
        self.stdout.write(
            f"Insights: {made} live permits bought at {holder} homes. Sign in as "
            f"{staff_email(ANALYST)} to try the what-ifs at /staff/insights/."
        )

    def _registration(self, holder: int, second: int) -> str:
        """A registration the local vehicle data gives a vehicle the rules allow."""
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        for attempt in range(50):
            n = holder * 2 + second + attempt * 1000
            registration = f"IN{10 + n % 60:02d}{letters[n // 60 % 23]}{letters[n // 1380 % 23]}A"
            weight = lookup_vehicle(registration).revenue_weight
            if weight is not None and weight <= HEAVIEST_KG:
                return registration
        raise CommandError("No demo vehicle light enough for a permit.")

    def _apply(self, user, home, person, holder: int, second: int) -> PermitApplication:
        """The journey's steps, as the pages call them, answered as the records know the
        person: the rules approve it."""
        ref = services.application_draft_get_or_create(user=user).reference
        answers = {"user": user, "reference": ref}
        services.application_answer_postcode(**answers, postcode=home.postcode)
        label = property_by_uprn(uprn=home.uprn).address.label
        services.application_answer_address(**answers, uprn=home.uprn, address=label)
        services.application_answer_applicant(
            **answers,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
        )
        services.application_answer_registration(
            **answers, registration=self._registration(holder, second)
        )
        services.application_confirm_vehicle(**answers)
        services.application_answer_duration(
            **answers, months=MONTHS[(holder + second) % 4], starts_on=timezone.localdate()
        )
        application = services.application_submit(**answers).application
        if application.status != PermitApplication.Status.APPROVED:
            raise CommandError(f"{ref} was {application.status}, not approved")
        return application
