"""The audit log and case notes in the admin: read-only, like everywhere else (the database
refuses changes to them anyway)."""

from django.contrib import admin

from .models import AuditEntry, CaseNote


class AppendOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(AppendOnlyAdmin):
    list_display = ("at", "actor_email", "action", "person_ref", "uprn", "reason", "ip_address")
    list_filter = ("action",)
    search_fields = ("=actor_email", "=person_ref", "=uprn")
    date_hierarchy = "at"


@admin.register(CaseNote)
class CaseNoteAdmin(AppendOnlyAdmin):
    list_display = ("created_at", "author", "person_ref", "uprn")
    list_select_related = ("author",)
    search_fields = ("=person_ref", "=uprn")
