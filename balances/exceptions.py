"""Balances' errors. Every one derives from BalancesError; views turn them into messages."""

from datetime import datetime


class BalancesError(Exception):
    """Base for every error the balances app raises on purpose."""


class LinkDetailsDoNotMatch(BalancesError):
    """The account number, postcode and surname do not together name an account the resident
    may link. Deliberately says nothing about which part was wrong."""


class LinkLockedOut(BalancesError):
    """Too many failed attempts for this account number, or by this resident, in the last hour:
    linking is refused until `until`."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(f"locked out until {until.isoformat()}")


class AccountNotLinked(BalancesError):
    """The resident has not linked this account (or it does not exist): views answer 404."""
