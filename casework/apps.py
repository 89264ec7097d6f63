from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Contact centre casework"

    def ready(self):
        from accounts import roles
        from parking.permissions import APPLICATION_DECIDE

        from . import permissions

        roles.declare_permissions(
            permissions,
            every_caseworker=(
                permissions.CASE_VIEW,
                permissions.CASE_NOTE_ADD,
                permissions.ASSISTED_APPLICATION_MAKE,
            ),
            grants={roles.RECORDS_ADMIN: (permissions.AUDIT_LOG_VIEW,)},
        )
        # A role's own work first: the review queue (casework's page for parking's decision).
        roles.add_landing(APPLICATION_DECIDE, "casework:review_queue", order=10)
        roles.add_landing(permissions.CASE_VIEW, "casework:search", order=30)
