from django.apps import AppConfig


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = "Council tax balances"

    def ready(self):
        from accounts import home

        from . import feeds  # noqa: F401  (registers the council tax feeds with records.sync)
        from .selectors import accounts_linked

        home.register_section(
            title="Council tax",
            template="balances/_home.html",
            context=lambda user: {"accounts": accounts_linked(user=user)},
            order=20,
        )
