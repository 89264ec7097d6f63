from django.apps import AppConfig


class BalancesConfig(AppConfig):
    name = "balances"
    verbose_name = "Council tax balances"

    def ready(self):
        from accounts import home, roles

        from . import models

        roles.declare_permissions(
            models,
            every_caseworker=(models.COUNCIL_TAX_ACCOUNT_VIEW,),
            grants={
                roles.REVENUES_OFFICER: (
                    models.COUNCIL_TAX_LEDGER_VIEW,
                    models.COUNCIL_TAX_LINK_MANAGE,
                )
            },
        )

        from records import sources

        from . import feeds  # noqa: F401  (registers the council tax feeds with records.sync)
        from .selectors import account_report_source, accounts_linked

        # "Something is wrong in our records", from a balance page (records.sources).
        sources.register("council_tax", account_report_source)

        home.register_section(
            title="Council tax",
            template="balances/_home.html",
            context=lambda user: {"accounts": accounts_linked(user=user)},
            order=20,
        )
