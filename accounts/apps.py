from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and staff roles"

    def ready(self):
        from . import signals  # noqa: F401  (connects allauth signal receivers)
