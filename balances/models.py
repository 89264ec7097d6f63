"""Council tax accounts, their schedules and ledgers, synced through the records pipeline.
Money is integer pence."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from records.models import Person, Property, SyncedRecord

# A council tax account number: 8 digits starting with 3 (docs/feeds.md). Written once: the
# feed's parser, the URLs, linking and the contact centre's search all use it.
ACCOUNT_REF_PATTERN = r"3\d{7}"

# This app's staff permissions, declared here once and granted to roles from this app's
# AppConfig.ready (accounts.roles). Django hangs a permission on a model; the portal keeps all
# its staff permissions on accounts.User (so they read "accounts.<codename>") and accounts.roles
# creates them.
COUNCIL_TAX_ACCOUNT_VIEW = "accounts.view_council_tax_account"
COUNCIL_TAX_LINK_MANAGE = "accounts.manage_council_tax_link"
COUNCIL_TAX_LEDGER_VIEW = "accounts.view_council_tax_ledger"
PERMISSIONS = {
    COUNCIL_TAX_ACCOUNT_VIEW: "Can view residents' council tax accounts",
    COUNCIL_TAX_LEDGER_VIEW: "Can view an account's full council tax ledger and its link attempts",
    COUNCIL_TAX_LINK_MANAGE: "Can link and unlink residents' council tax accounts",
}


class CouncilTaxAccount(SyncedRecord):
    class Status(models.TextChoices):
        LIVE = "live", "Live"
        CLOSED = "closed", "Closed"

    class PaymentMethod(models.TextChoices):
        DIRECT_DEBIT = "direct_debit", "Direct Debit"
        CASH = "cash", "Cash"
        CARD = "card", "Card"

    account_ref = models.CharField(max_length=8, help_text="Number on the bill")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    lead_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    band = models.CharField(max_length=1)
    status = models.CharField(max_length=10, choices=Status.choices)
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    instalments = models.PositiveSmallIntegerField()
    discounts = models.CharField(max_length=100, blank=True, help_text="Codes separated by ;")
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Gone from the snapshot")

    class Meta:
        # A unique constraint, not unique=True, which on PostgreSQL adds a second "_like" index.
        constraints = [models.UniqueConstraint(fields=["account_ref"], name="balances_account_ref")]

    def __str__(self):
        return self.account_ref


class Instalment(SyncedRecord):
    account = models.ForeignKey(
        CouncilTaxAccount, on_delete=models.PROTECT, related_name="instalment_set"
    )
    financial_year = models.CharField(max_length=7)
    due_on = models.DateField()
    amount_pence = models.BigIntegerField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "financial_year", "due_on"], name="balances_instalment_key"
            )
        ]

    def __str__(self):
        return f"{self.account} {self.due_on}"


class Transaction(SyncedRecord):
    class Kind(models.TextChoices):
        CHARGE = "charge", "Charge"
        PAYMENT = "payment", "Payment"
        REFUND = "refund", "Refund"
        DISCOUNT = "discount", "Discount"
        ADJUSTMENT = "adjustment", "Adjustment"
        WRITE_OFF = "write_off", "Write-off"

    transaction_ref = models.CharField(max_length=50)
    account = models.ForeignKey(
        CouncilTaxAccount, on_delete=models.PROTECT, related_name="transaction_set"
    )
    posted_on = models.DateField()
    financial_year = models.CharField(max_length=7)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount_pence = models.BigIntegerField(help_text="Positive adds to what is owed")
    description = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction_ref"], name="balances_transaction_ref")
        ]

    def __str__(self):
        return self.transaction_ref


class AccountLink(models.Model):
    """A resident's council tax account, linked by them after proving they know its details.
    Unlinking deletes the link; LinkAttempt keeps the history of who tried what, and when."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="council_tax_links"
    )
    account = models.ForeignKey(CouncilTaxAccount, on_delete=models.PROTECT, related_name="links")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="balances_link_user_account")
        ]

    def __str__(self):
        return f"{self.user} → {self.account}"


class LinkAttempt(models.Model):
    """Every attempt to link an account, right or wrong, for the contact centre and for the
    lockout (counted here, in the database, so it survives restarts and can be audited)."""

    class Reason(models.TextChoices):
        LINKED = "linked", "Linked"
        INVALID_ACCOUNT_REF = "invalid_account_ref", "Not an account number"
        UNKNOWN_ACCOUNT = "unknown_account", "No such account"
        ACCOUNT_CLOSED = "account_closed", "Account closed or ended"
        WRONG_POSTCODE = "wrong_postcode", "Postcode does not match"
        WRONG_SURNAME = "wrong_surname", "Surname does not match a liable person"
        LOCKED_OUT = "locked_out", "Refused: too many failed attempts by this resident"
        # Many failures on the account by other people: paused for its protection, never
        # counted against the resident refused (services.account_link).
        ACCOUNT_PAUSED = "account_paused", "Refused: linking paused (others' failed attempts)"

    # Kept when the user is deleted: the attempt still happened.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="council_tax_link_attempts",
    )
    account_ref = models.CharField(max_length=20, help_text="As typed, spaces taken out")
    postcode = models.CharField(max_length=20, blank=True)
    succeeded = models.BooleanField()
    reason = models.CharField(max_length=30, choices=Reason.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["account_ref", "at"], name="balances_attempt_ref_at"),
            models.Index(fields=["user", "at"], name="balances_attempt_user_at"),
        ]

    def __str__(self):
        return f"{self.account_ref} {self.reason} {self.at:%Y-%m-%d %H:%M}"


class PageViewCount(models.Model):
    """How many times a kind of resident page was shown on a London day: a number, no more. It
    names no resident, no account and no session, so it is no one's personal data (what the
    analysts' channel-shift page sets against the contact centre's case views)."""

    class Page(models.TextChoices):
        BALANCE = "balance", "Council tax balance"

    day = models.DateField()
    page = models.CharField(max_length=20, choices=Page.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "page"], name="balances_page_view_day_page")
        ]

    def __str__(self):
        return f"{self.page} on {self.day}: {self.count}"
