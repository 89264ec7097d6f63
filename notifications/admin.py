"""The emails sent to residents, read-only, for staff with NOTIFICATION_VIEW (records
administrators). The address is shown: staff need it to answer "did you email me?"."""

from django.contrib import admin

from .models import EmailNotification
from .permissions import NOTIFICATION_VIEW


@admin.register(EmailNotification)
class EmailNotificationAdmin(admin.ModelAdmin):
    list_display = ("event_key", "to", "template", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "template")
    search_fields = ("=event_key", "to")
    date_hierarchy = "created_at"
    show_full_result_count = False  # a count of every email on each page is a slow query
    fields = (
        "event_key",
        "to",
        "user",
        "template",
        "status",
        "failure_reason",
        "attempts",
        "created_at",
        "due_at",
        "attempted_at",
        "lease_until",
        "sent_at",
        "provider",
        "provider_id",
        "subject",
        "body_text",
        "context",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.has_perm(NOTIFICATION_VIEW)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(NOTIFICATION_VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
