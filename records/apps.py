from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Council records and their sync"

    def ready(self):
        from . import feeds  # noqa: F401  (registers the properties and people feeds)
