"""Balances' errors. Every one derives from BalancesError; views turn them into messages."""

from datetime import datetime


class BalancesError(Exception):
    """Base for every error the balances app raises on purpose."""


class LinkDetailsDoNotMatch(BalancesError):
    """The account number, postcode and surname do not together name an account the resident
    may link. Deliberately says nothing about which part was wrong."""


class LinkLockedOut(BalancesError):
    """Linking is refused until `until`: the resident's own failed attempts in the last hour
    (`yours`), or, when not `yours`, many failed attempts on this account number by other
    people (paused for the account's protection, nothing the resident did)."""

    def __init__(self, until: datetime, *, yours: bool = True) -> None:
        self.until = until
        self.yours = yours
        super().__init__(f"locked out until {until.isoformat()}")


class AccountNotLinked(BalancesError):
    """The resident has not linked this account (or it does not exist): views answer 404."""
