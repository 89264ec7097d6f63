from django.apps import AppConfig

ANALYST = "analyst"


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights: what-ifs on the council's own data"

    def ready(self):
        from accounts import roles

        from . import permissions

        # Analysts see totals, never one resident's case: not a casework role.
        roles.add_role(
            ANALYST,
            "Analyst: what a change to the permit tariff or to council tax discounts and "
            "premiums would do, over the council's own data, and how far to trust it",
        )
        # Records administrators too: the what-ifs state how much of the data they rest on
        # could not be used and why, which is the records administrators' own work to mend.
        roles.declare_permissions(
            permissions,
            grants={
                ANALYST: (permissions.INSIGHTS_VIEW,),
                roles.RECORDS_ADMIN: (permissions.INSIGHTS_VIEW,),
            },
        )
        # After the syncs (20) and search (30): a records administrator still lands on the syncs.
        roles.add_landing(permissions.INSIGHTS_VIEW, "insights:home", order=40)
