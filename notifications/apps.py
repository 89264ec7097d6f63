from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Emails to residents"

    def ready(self):
        from accounts import roles

        from . import permissions

        roles.declare_permissions(
            permissions, grants={roles.RECORDS_ADMIN: (permissions.NOTIFICATION_VIEW,)}
        )
