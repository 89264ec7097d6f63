from django.contrib import admin

from .models import EmissionBand, EngineSizeBand, Permit, PermitEvent, PermitMove, Refund, Tariff


class EmissionBandInline(admin.TabularInline):
    model = EmissionBand
    extra = 0
    fields = ("label", "max_co2", "annual_pence")


class EngineSizeBandInline(admin.TabularInline):
    model = EngineSizeBand
    extra = 0
    fields = ("label", "max_cc", "annual_pence")
    verbose_name = "engine size band (vehicles first registered before 1 March 2001)"
    verbose_name_plural = "engine size bands (vehicles first registered before 1 March 2001)"


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("name", "effective_from", "diesel_surcharge_pence")
    date_hierarchy = "effective_from"
    search_fields = ("name",)
    inlines = (EmissionBandInline, EngineSizeBandInline)
    fieldsets = (
        (None, {"fields": ("name", "effective_from", "notes")}),
        ("Surcharges", {"fields": ("diesel_surcharge_pence", "additional_permit_surcharge_pence")}),
        ("Shorter permits", {"fields": ("three_month_percent", "six_month_percent")}),
    )


class PermitEventInline(admin.TabularInline):
    model = PermitEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "description", "by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PermitMoveInline(admin.TabularInline):
    model = PermitMove
    extra = 0
    can_delete = False
    fields = (
        "reported_at",
        "kind",
        "address",
        "uprn",
        "zone",
        "moved_on",
        "outcome",
        "resolved_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class FlaggedFilter(admin.SimpleListFilter):
    title = "flagged for a parking officer"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged (the holder may have moved)"), ("no", "Not flagged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(flagged_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(flagged_at__isnull=True)
        return queryset


@admin.register(Permit)
class PermitAdmin(admin.ModelAdmin):
    """Read-only: a permit changes only through parking's services, which keep its history."""

    list_display = ("number", "registration", "zone", "valid_from", "valid_to", "status")
    list_filter = ("status", FlaggedFilter, "zone")
    search_fields = ("number", "registration", "application__reference")
    inlines = (PermitEventInline, PermitMoveInline)

    def has_add_permission(self, request):
        return False

    # No change permission: the page shows the permit without Save buttons.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(admin.ModelAdmin):
    """Read-only: refunds are made by parking's services. Filter on "Failed" for the ones the
    payment service refused, which a person has to sort out with the resident."""

    list_display = ("payment", "permit", "amount_pence", "reason", "status", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("permit__number", "payment__reference", "provider_id")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
