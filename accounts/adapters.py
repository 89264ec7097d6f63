from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django import forms
from django.conf import settings
from django.urls import reverse

from .forms import EMAIL_MAX_LENGTH, EMAIL_TOO_LONG
from .roles import is_staff_member, landing_url_name
from .services import email_send


def _failed_sign_in_limit(per: str) -> str:
    """The failed sign-in limit counted per "key" (the account) or per "ip", as configured."""
    for part in account_settings.RATE_LIMITS["login_failed"].split(","):
        if ratelimit.parse_rate(part.strip()).per == per:
            return part.strip()
    raise LookupError(f"ACCOUNT_RATE_LIMITS has no {per} limit for login_failed")


def _wait(limit: str) -> str:
    """How long a limit blocks for, in words: "Wait 5 minutes"."""
    seconds = int(ratelimit.parse_rate(limit).duration)
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"Wait {count} {unit}{'' if count == 1 else 's'}"
    return f"Wait {seconds} seconds"


def portal_site() -> SimpleNamespace:
    """Who emails are from, in the shape of Django's Site, which allauth's templates expect."""
    return SimpleNamespace(
        name="Hackney resident portal", domain=urlsplit(settings.SITE_URL).netloc
    )


def on_site(url: str) -> str:
    """The same page at SITE_URL, the address residents know the portal by."""
    parts = urlsplit(url)
    return settings.SITE_URL.rstrip("/") + urlunsplit(("", "", parts.path, parts.query, ""))


class AccountAdapter(DefaultAccountAdapter):
    """allauth customisations for the portal."""

    @property
    def error_messages(self):
        # allauth's "Try again later" leaves people guessing; say how long, from the limit
        # itself. allauth also uses this message for wrong authenticator codes, counted per
        # account in the same way.
        limit = _failed_sign_in_limit("key")
        return {
            **super().error_messages,
            # The rest of allauth's messages are reworded in locale/ (they are its msgids);
            # these had no wording of ours there. GOV.UK style: what to do, no full stop.
            "account_inactive": "This account cannot be used. Contact the council to use it again",
            "invalid_login": "Enter your email address",
            "invalid_or_expired_key": "The link or code does not work. Ask for a new one",
            "max_email_addresses": "You can have up to %d email addresses. Remove one first",
            "same_as_current": "Enter a different email address from the one you use now",
            "select_only_one": "Enter an email address or a phone number, not both",
            "too_many_login_attempts": "Too many failed attempts to sign in to this account. "
            f"{_wait(limit)}, then try again.",
            "too_many_attempts_from_address": "Too many failed attempts to sign in from your "
            f"internet connection. {_wait(_failed_sign_in_limit('ip'))}, then try again.",
        }

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as error:
            if error.code == "too_many_login_attempts" and self._account_limit_open(
                request, **credentials
            ):
                # This account is not the one being guessed: it is the address that is blocked.
                raise self.validation_error("too_many_attempts_from_address") from error
            raise

    def _account_limit_open(self, request, **credentials) -> bool:
        """Whether the per-account failed sign-in limit would still let this account try."""
        return bool(
            ratelimit.consume(
                request,
                app="allauth.account",
                action="login_failed",
                config={"login_failed": _failed_sign_in_limit("key")},
                key=self._get_login_attempts_cache_key(request, **credentials),
                dry_run=True,
            )
        )

    def get_login_redirect_url(self, request):
        # Staff land on their work; residents on their account. A ?next= still wins.
        if is_staff_member(request.user):
            return reverse(landing_url_name(request.user))
        return super().get_login_redirect_url(request)

    def clean_email(self, email):
        # allauth calls this for every address a person types: sign-up, adding an address,
        # password reset.
        if len(email) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(EMAIL_TOO_LONG)
        return super().clean_email(email)

    def send_mail(self, template_prefix, email, context):
        # allauth's own send_mail adds the address and the site to the context; this one
        # replaces it, so it must too (without them emails read "an account on .").
        context = {
            "email": email,
            "current_site": portal_site(),
            "site_url": settings.SITE_URL.rstrip("/"),
            **context,
        }
        # Every link in an email points at the portal's public address, whichever host name
        # the request that caused the email came in on.
        context.update(
            {k: on_site(v) for k, v in context.items() if k.endswith("_url") and k != "site_url"}
        )
        # Render here (the context holds objects a task cannot carry), send from a Celery worker
        # so a slow mail server never holds up the resident's page.
        message = self.render_mail(template_prefix, email, context)
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            None,
        )
        email_send(to=list(message.to), subject=message.subject, body=message.body, html=html)
