from dataclasses import dataclass

from allauth.account import app_settings as account_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone

from hackney_portal.handoff import enqueue_on_commit
from hackney_portal.retention import in_batches

from .models import User
from .roles import is_staff_member
from .tasks import send_email


def email_send(*, to: list[str], subject: str, body: str, html: str | None = None) -> None:
    """Send an email from a worker once the current transaction commits: an email about
    something that was rolled back is never sent. These emails (confirm your address, reset
    your password) have no outbox row: one lost with the broker is asked for again."""
    enqueue_on_commit(send_email, to=to, subject=subject, body=body, html=html)


class ResidentAccountRefused(Exception):
    """No resident account can be used for this address; the message says why, for staff."""


@dataclass(frozen=True)
class ResidentAccount:
    user: User
    created: bool  # made just now: the resident is emailed how to set a password


def resident_account_find_or_create(*, request, email: str) -> ResidentAccount:
    """The resident's portal account with this email address (any case), for a member of staff
    acting for them on the phone; or, when there is none, a new resident account with no
    password, and an email to the resident with a link to set one (allauth's password reset
    link, so the resident's own sign-in rules apply from then on). A staff account is refused:
    it cannot hold a resident's applications."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(email=email, password=None)  # unusable
                EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
                _send_set_password_email(request, user)
            return ResidentAccount(user=user, created=True)
        except IntegrityError:
            # Made by someone else between our look and our insert (the resident signing up).
            user = User.objects.get(email__iexact=email)
    if is_staff_member(user):
        raise ResidentAccountRefused(
            f"{email} is a staff account. Staff accounts cannot hold a resident's "
            "applications: ask the resident for their own email address"
        )
    if not user.is_active:
        raise ResidentAccountRefused(
            f"The account for {email} is closed. Ask the resident for another email address"
        )
    return ResidentAccount(user=user, created=False)


def _send_set_password_email(request, user: User) -> None:
    adapter = get_adapter(request)
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    key = f"{user_pk_to_url_str(user)}-{token}"
    adapter.send_mail(
        "account/email/account_made_for_you",
        user.email,
        {"user": user, "password_reset_url": adapter.get_reset_password_from_key_url(key)},
    )


def account_close(*, user) -> str:
    """Close a resident's portal account: their email address, password, sign-in settings and
    sessions go. The user row stays as an empty stand-in (closed-<id>@closed.invalid, unable
    to sign in) because what the council must keep (decisions, permits, payments) points at it.
    Returns the address it had, for the last email."""
    address = user.email
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        user.email = f"closed-{user.pk}@closed.invalid"
        user.is_active = False
        # A new password hash also ends every session it has (Django checks each session
        # against the hash on every request).
        user.set_unusable_password()
        user.save(update_fields=["email", "is_active", "password"])
    return address


# --- Retention (docs/retention.md) -------------------------------------------------------------

_DATABASE_SESSIONS = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def retention_enforce(*, today, batch_size: int, dry_run: bool = False) -> dict[str, int]:
    """Sessions, deleted once expired: what Django's `clearsessions` does, in batches and
    counted. (`today` is not needed: a session ends at its own expiry time.) Accounts and their
    email addresses and authenticator apps are kept while the account is open."""
    if settings.SESSION_ENGINE not in _DATABASE_SESSIONS:
        # Another engine clears itself (the cache's expiry) or by its own clear_expired().
        if not dry_run:
            from importlib import import_module

            import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
        return {"sessions": 0}
    due = Session.objects.filter(expire_date__lt=timezone.now())
    return {"sessions": in_batches(due, batch_size=batch_size, dry_run=dry_run)}
