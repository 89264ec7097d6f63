from django.urls import path, re_path

from . import views
from .models import ACCOUNT_REF_PATTERN

app_name = "balances"

# An account number is 8 digits starting with 3 (docs/feeds.md); anything else is not a page.
ACCOUNT = rf"^(?P<account_ref>{ACCOUNT_REF_PATTERN})/"

urlpatterns = [
    path("", views.home, name="home"),
    path("link/", views.link, name="link"),
    re_path(ACCOUNT + r"$", views.balance, name="balance"),
    re_path(ACCOUNT + r"payments/$", views.payments, name="payments"),
    re_path(ACCOUNT + r"statement/$", views.statement, name="statement"),
    re_path(ACCOUNT + r"statement\.csv$", views.statement_csv, name="statement_csv"),
    re_path(ACCOUNT + r"unlink/$", views.unlink, name="unlink"),
]
