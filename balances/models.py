"""Council tax accounts, their schedules and ledgers, synced through the records pipeline.
Money is integer pence."""

from django.db import models

from records.models import Person, Property, SyncedRecord

# This app's staff permissions, declared here once and granted through the roles in
# accounts/roles.py. Django hangs a permission on a model; the portal keeps all its staff
# permissions on accounts.User (so they read "accounts.<codename>") and accounts.roles creates them.
COUNCIL_TAX_ACCOUNT_VIEW = "accounts.view_council_tax_account"
COUNCIL_TAX_LINK_MANAGE = "accounts.manage_council_tax_link"
PERMISSIONS = {
    COUNCIL_TAX_ACCOUNT_VIEW: "Can view residents' council tax accounts",
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
