from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "parking"
    verbose_name = "Resident parking permits"

    def ready(self):
        from accounts import home, roles

        from . import permissions

        roles.declare_permissions(
            permissions, grants={roles.PARKING_OFFICER: (permissions.APPLICATION_DECIDE,)}
        )

        from records import sources

        from .selectors import application_report_source, applications_for_user, permits_for_user

        # "Something is wrong in our records", from an application's page (records.sources).
        sources.register("application", application_report_source)

        def context(user) -> dict:
            # With each one's permit: a cancelled permit's application says "Permit cancelled".
            applications = list(applications_for_user(user=user).select_related("permit")[:5])
            return {
                "permits": list(permits_for_user(user=user).active()[:5]),
                "applications": applications,
                "draft": any(application.is_draft for application in applications),
            }

        home.register_section(
            title="Parking permits", template="parking/_home.html", context=context, order=10
        )

        # What a payment pays for is the permit side's to do: importing it registers its
        # handlers with parking.payments (on_paid), in every process, before a payment is read.
        from . import moves, permits  # noqa: F401
