from django.contrib import admin

from .models import EmissionBand, EngineSizeBand, Tariff


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
