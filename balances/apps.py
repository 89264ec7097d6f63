from django.apps import AppConfig


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = "Council tax balances"

    def ready(self):
        from . import feeds  # noqa: F401  (registers the council tax feeds with records.sync)
