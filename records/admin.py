"""Read-only admin views of the synced records, for council engineers (superusers).

Records change only through the sync pipeline, never by hand, so nothing here can edit them."""

from django.contrib import admin

from .models import Occupancy, Person, Property, SyncRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "feed", "file_name", "status", "created_at", "rows_read", "rows_rejected")
    list_filter = ("feed", "status")


@admin.register(Property)
class PropertyAdmin(ReadOnlyAdmin):
    list_display = ("uprn", "address_line_1", "postcode", "usage", "cpz_zone", "permit_free")
    list_filter = ("usage", "permit_free", "cpz_zone")
    search_fields = ("=uprn", "postcode", "address_line_1")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("person_ref", "first_name", "last_name")
    search_fields = ("=person_ref", "last_name_key")


@admin.register(Occupancy)
class OccupancyAdmin(ReadOnlyAdmin):
    list_display = ("person", "property", "role", "source", "occupied_from", "occupied_to")
    list_filter = ("role", "source")
    list_select_related = ("person", "property")
    raw_id_fields = ("person", "property")
