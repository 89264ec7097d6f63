from django.contrib import admin

from records.admin import ReadOnlyAdmin

from .models import AccountLink, CouncilTaxAccount, LinkAttempt, Transaction


@admin.register(CouncilTaxAccount)
class CouncilTaxAccountAdmin(ReadOnlyAdmin):
    list_display = ("account_ref", "property", "band", "status", "payment_method")
    list_filter = ("band", "status", "payment_method")
    list_select_related = ("property",)
    search_fields = ("=account_ref",)


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ("transaction_ref", "account", "posted_on", "kind", "amount_pence")
    list_filter = ("kind", "financial_year")
    list_select_related = ("account",)
    search_fields = ("=transaction_ref", "=account__account_ref")


@admin.register(LinkAttempt)
class LinkAttemptAdmin(ReadOnlyAdmin):
    """Every attempt to link an account, for the contact centre: who, when, what, outcome."""

    list_display = ("at", "user", "account_ref", "postcode", "succeeded", "reason")
    list_filter = ("succeeded", "reason")
    list_select_related = ("user",)
    search_fields = ("=account_ref", "user__email")
    date_hierarchy = "at"


@admin.register(AccountLink)
class AccountLinkAdmin(ReadOnlyAdmin):
    list_display = ("account", "user", "linked_at")
    list_select_related = ("account", "user")
    search_fields = ("=account__account_ref", "user__email")
