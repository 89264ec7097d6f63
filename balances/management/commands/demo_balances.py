"""Link a council tax account in arrears to the demo resident, and print accounts to try
linking by hand (demo mode only: it prints residents' names and addresses from the records).

The demo ledgers are invented relative to the day they were loaded, so which account is in
arrears is looked up, not written down once. The first household (Seán O'Brien at Basement
Flat, 1 Mare Street, E8 1NE) is fixed: his account is always there to link by hand, and always
in credit (records.demo_feeds.DEMO_ACCOUNT_IN_CREDIT)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from accounts.models import User
from balances import services
from balances.models import AccountLink, CouncilTaxAccount, Transaction
from balances.selectors import financial_year_of

RESIDENT_EMAIL = "resident@example.com"
# The first household of the demo borough (records.demo_feeds.DEMO_RESIDENT).
BY_HAND = {"postcode": "E8 1NE", "surname": "O'Brien"}


class Command(BaseCommand):
    help = "Link an account in arrears to resident@example.com; print the account to link by hand."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_balances only runs in demo mode: it prints residents.")
        resident = User.objects.filter(email=RESIDENT_EMAIL).first()
        if resident is None:
            raise CommandError(f"No {RESIDENT_EMAIL}: run demo_users first.")
        year = financial_year_of(timezone.localdate())
        live = CouncilTaxAccount.objects.filter(
            status=CouncilTaxAccount.Status.LIVE, ended_at__isnull=True
        ).select_related("property", "lead_person")

        by_hand = live.filter(
            property__postcode=BY_HAND["postcode"],
            lead_person__last_name=BY_HAND["surname"],
            property__address_line_1="Basement Flat, 1 Mare Street",
        ).first()
        if by_hand is None:
            raise CommandError("The demo borough is not loaded: run demo_records first.")

        def total(**where):
            return Subquery(
                Transaction.objects.filter(
                    account=OuterRef("pk"), withdrawn_at__isnull=True, **where
                )
                .values("account")
                .annotate(total=Sum("amount_pence"))
                .values("total")
            )

        others = live.exclude(pk=by_hand.pk)
        in_arrears = (
            others.annotate(arrears=total(financial_year__lt=year))
            .filter(arrears__gt=0)
            .order_by("account_ref")
            .first()
        )
        if in_arrears is None:
            raise CommandError("No demo account in arrears: reload the demo records.")
        if not AccountLink.objects.filter(user=resident, account=in_arrears).exists():
            services.account_link(
                user=resident,
                account_ref=in_arrears.account_ref,
                postcode=in_arrears.property.postcode,
                surname=in_arrears.lead_person.last_name,
            )

        write = self.stdout.write
        write(f"\nCouncil tax at /council-tax/ signed in as {RESIDENT_EMAIL}:")
        write(f"  linked already, in arrears: {self._answers(in_arrears)}")
        write(f"  to link by hand, in credit: {self._answers(by_hand)}")

    @staticmethod
    def _answers(account: CouncilTaxAccount) -> str:
        return (
            f"account {account.account_ref}, postcode {account.property.postcode}, "
            f"surname {account.lead_person.last_name}"
        )
