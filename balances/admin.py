from django.contrib import admin

from records.admin import ReadOnlyAdmin

from .models import CouncilTaxAccount, Transaction


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
