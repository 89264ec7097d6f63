"""Everything the portal holds about a resident, gathered from the apps that own it: each app
hands its part through its own `selectors.personal_data_for(user=...)`, so a new kind of data
is added where it is kept, and tests/test_personal_data.py fails for a table that names a user
and no app covers."""

from __future__ import annotations

from accounts import selectors as accounts
from balances import selectors as balances
from casework import selectors as casework
from hackney_portal.personal_data import Section
from notifications import selectors as notifications
from parking import selectors as parking
from records import selectors as records

from . import selectors as downloads

# In the order the page shows them.
PROVIDERS = (accounts, parking, balances, records, notifications, casework, downloads)


def personal_data(*, user) -> list[Section]:
    return [section for provider in PROVIDERS for section in provider.personal_data_for(user=user)]


def tables_covered() -> set[str]:
    return {table for provider in PROVIDERS for table in provider.PERSONAL_DATA_TABLES}
