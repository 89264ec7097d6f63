"""A resident closes their portal account, confirmed by email.

Asking sends a link (signed, for ACCOUNT_CLOSE_LINK_HOURS, naming the account) to the account's
address: only someone who reads that inbox and is signed in to that account can close it.
Closing asks each app to let go of what belongs to the portal account (parking: waiting
applications withdrawn and drafts discarded, permits kept live to their end; balances: links
to council tax accounts; notifications: addresses on emails; personal_data: downloads), then
accounts empties the account itself, all in one transaction, and a last email says it is done."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse

from accounts import services as accounts
from balances import services as balances
from notifications import services as notifications
from parking import services as parking

from .models import DataExport

SALT = "personal_data.account-close"


class CloseLinkInvalid(Exception):
    """The link is not one we made for this account, or it is past its time."""


def account_close_request(*, user) -> None:
    """Email the confirmation link to the account's address."""
    token = signing.TimestampSigner(salt=SALT).sign(str(user.pk))
    with transaction.atomic():
        notifications.email_queue(
            event_key=f"account-close-asked:{user.pk}:{token.rsplit(':', 2)[1]}",
            to=user.email,
            user=user,
            template="personal_data/emails/account_close_confirm",
            context={
                "path": reverse("personal_data:close_confirm", kwargs={"token": token}),
                "hours": settings.ACCOUNT_CLOSE_LINK_HOURS,
            },
        )


def account_close_check(*, user, token: str) -> None:
    """Raises CloseLinkInvalid unless `token` is a live link for this account."""
    try:
        pk = signing.TimestampSigner(salt=SALT).unsign(
            token, max_age=settings.ACCOUNT_CLOSE_LINK_HOURS * 3600
        )
    except signing.BadSignature:
        raise CloseLinkInvalid from None
    if pk != str(user.pk):
        raise CloseLinkInvalid


def account_close(*, user, token: str) -> dict:
    """Close the account the link was made for. Nothing changes if any part refuses (a payment
    in progress: parking raises ApplicationNotWithdrawable)."""
    account_close_check(user=user, token=token)
    with transaction.atomic():
        done = {
            **parking.account_closing(user=user),
            **balances.account_closing(user=user),
            **notifications.account_closing(user=user),
            **_downloads_closing(user=user),
        }
        address = accounts.account_close(user=user)
        notifications.email_queue(
            event_key=f"account-closed:{user.pk}",
            to=address,
            template="personal_data/emails/account_closed",
            context={},
        )
    return done


def _downloads_closing(*, user) -> dict:
    files = [e.storage_name for e in DataExport.objects.filter(user=user).exclude(storage_name="")]
    removed, _ = DataExport.objects.filter(user=user).delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return {"downloads_removed": removed}
