from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Council records and their sync"

    def ready(self):
        from accounts import roles

        from . import (
            feeds,  # noqa: F401  (registers the properties and people feeds)
            models,
        )

        roles.declare_permissions(
            models,
            grants={
                roles.RECORDS_ADMIN: (
                    models.SYNC_VIEW,
                    models.SYNC_MANAGE,
                    models.DATA_QUALITY_MANAGE,
                )
            },
        )
        roles.add_landing(models.SYNC_VIEW, "records:run_list", order=20)
