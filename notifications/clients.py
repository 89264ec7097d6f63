"""Email providers: GOV.UK Notify in production, Django's email backend in the demo and tests.

Both take a rendered `Email` and return the provider's id for it, or raise one of
notifications.exceptions' `ProviderError` kinds:

* `ProviderRejected`: the provider refused this email (Notify's 4xx but 429: a bad address, a
  team-only key, a missing template). Trying again would be refused again.
* `ProviderUnavailable`: it could not answer (5xx, 429, a timeout, no connection). Worth trying
  again; `maybe_accepted` says whether it may have taken the email all the same.

`NotifyClient` also finds an email by our reference (`find`), which is how a send that died
half-way is settled without sending twice. Django's email backend cannot be asked, so
`DjangoMailClient.can_look_up` is False.

GOV.UK Notify: we send every email through **one generic Notify email template** whose subject
is `((subject))` and whose body is `((body))`; our templates (subject, plain text and HTML under
templates/) stay ours and Notify makes its own HTML from the plain text. The API key is
`{key name}-{service id}-{secret}` (both UUIDs); every request carries a fresh JWT (HS256, `iss`
the service id, `iat` now) as `Authorization: Bearer`, since Notify refuses tokens more than 30
seconds old.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import smtplib
import socket
import time
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Protocol
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .exceptions import ProviderRejected, ProviderUnavailable

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Email:
    """A rendered email. `reference` is our event key: unique, and Notify's reference."""

    to: str
    subject: str
    body_text: str
    body_html: str
    reference: str


class EmailClient(Protocol):
    name: str
    # Whether `find` can say if the provider already has an email with a given reference.
    can_look_up: bool

    def send(self, email: Email) -> str:
        """Hand the email to the provider; its id for it."""
        ...

    def find(self, reference: str) -> str | None:
        """The provider's id of the email it accepted with this reference, or None."""
        ...


# --- GOV.UK Notify --------------------------------------------------------------------------

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
API_KEY_FORMAT = re.compile(rf"(?P<name>.+)-(?P<service_id>{_UUID})-(?P<secret>{_UUID})", re.I)


def parse_api_key(api_key: str) -> tuple[str, str]:
    """The service id and the secret of a Notify API key. Raises ValueError (without echoing the
    key, which is a secret) when it is not one."""
    match = API_KEY_FORMAT.fullmatch(api_key.strip())
    if not match:
        raise ValueError(
            "not a GOV.UK Notify API key: expected its name, the service id and the secret "
            "key (two UUIDs), joined by hyphens"
        )
    return match["service_id"], match["secret"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def notify_token(*, service_id: str, secret: str, issued_at: int | None = None) -> str:
    """A JWT as Notify wants it: HS256 over {"iss": service id, "iat": seconds since the epoch},
    signed with the key's secret. (PyJWT is not installed; HS256 is small enough to write.)"""
    header = {"typ": "JWT", "alg": "HS256"}
    claims = {"iss": service_id, "iat": int(time.time()) if issued_at is None else issued_at}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


class NotifyClient:
    """GOV.UK Notify's API v2 over HTTP."""

    name = "notify"
    can_look_up = True
    SEND_PATH = "/v2/notifications/email"
    LIST_PATH = "/v2/notifications"

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        template_id: str,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        self.service_id, self._secret = parse_api_key(api_key)
        self.base_url = base_url.rstrip("/")
        self.template_id = template_id
        self.timeout = (connect_timeout, read_timeout)

    @classmethod
    def from_settings(cls) -> NotifyClient:
        return cls(
            base_url=settings.NOTIFY_BASE_URL,
            api_key=settings.NOTIFY_API_KEY,
            template_id=settings.NOTIFY_TEMPLATE_ID,
            connect_timeout=settings.NOTIFY_CONNECT_TIMEOUT,
            read_timeout=settings.NOTIFY_READ_TIMEOUT,
        )

    def _headers(self) -> dict[str, str]:
        token = notify_token(service_id=self.service_id, secret=self._secret)
        return {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "hackney-resident-portal",
        }

    def send(self, email: Email) -> str:
        payload = {
            "email_address": email.to,
            "template_id": self.template_id,
            "personalisation": {"subject": email.subject, "body": email.body_text},
            "reference": email.reference,
        }
        response = self._request("POST", self.SEND_PATH, json=payload, sending=True)
        if response.status_code == 201:
            return self._id(response.json() if _is_json(response) else None, "send")
        raise self._error(response, "send")

    def find(self, reference: str) -> str | None:
        response = self._request(
            "GET",
            self.LIST_PATH,
            params={"reference": reference, "template_type": "email"},
            sending=False,
        )
        if response.status_code != 200:
            error = self._error(response, "look-up")
            # Whatever Notify said, we still do not know whether it has the email.
            raise ProviderUnavailable(str(error), maybe_accepted=True)
        data = response.json() if _is_json(response) else None
        notifications = data.get("notifications") if isinstance(data, dict) else None
        if not isinstance(notifications, list):
            raise ProviderUnavailable(
                "Notify look-up: the response has no list of notifications", maybe_accepted=True
            )
        for notification in notifications:
            if isinstance(notification, dict) and notification.get("reference") == reference:
                return self._id(notification, "look-up")
        return None

    def _request(self, method: str, path: str, *, sending: bool, **kwargs) -> requests.Response:
        try:
            return requests.request(
                method,
                self.base_url + path,
                headers=self._headers(),
                timeout=self.timeout,
                allow_redirects=False,
                **kwargs,
            )
        except requests.ConnectTimeout as error:
            # No connection was made: Notify cannot have the email.
            raise ProviderUnavailable(
                f"Notify: could not connect in {self.timeout[0]}s", maybe_accepted=False
            ) from error
        except requests.RequestException as error:
            # A read timeout or a dropped connection after the request went: Notify may have
            # taken the email and not told us.
            raise ProviderUnavailable(
                f"Notify: no answer ({type(error).__name__})", maybe_accepted=sending
            ) from error

    def _error(
        self, response: requests.Response, what: str
    ) -> ProviderRejected | ProviderUnavailable:
        status = response.status_code
        reason = f"Notify {what}: HTTP {status}: {_notify_messages(response)}"
        if status == 429:
            # Over the rate limit: Notify did not take it, and will later.
            return ProviderUnavailable(reason, maybe_accepted=False)
        if 400 <= status < 500:
            return ProviderRejected(reason)
        # 5xx, redirects, anything else: Notify (or a proxy in front of it) may have stored the
        # email before failing, so the next attempt asks first.
        return ProviderUnavailable(reason, maybe_accepted=True)

    @staticmethod
    def _id(data: object, what: str) -> str:
        if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
            return data["id"]
        raise ProviderUnavailable(f"Notify {what}: the answer has no id", maybe_accepted=True)


def _is_json(response: requests.Response) -> bool:
    try:
        response.json()
    except ValueError:
        return False
    return True


def _notify_messages(response: requests.Response) -> str:
    """Notify's errors as one line: {"errors": [{"error": "BadRequestError", "message": ...}]}.
    They name the problem (an address, a key) but never carry the email's body."""
    try:
        errors = response.json().get("errors")
        messages = [f"{e.get('error')}: {e.get('message')}" for e in errors if isinstance(e, dict)]
    except (ValueError, AttributeError, TypeError):
        messages = []
    return "; ".join(messages) or response.reason or "no reason given"


# --- Django's email backend -----------------------------------------------------------------


class DjangoMailClient:
    """Sends through Django's email backend (EMAIL_URL: the console in the demo, locmem in
    tests, SMTP if configured), plain text with the HTML as an alternative."""

    name = "django"
    can_look_up = False

    def send(self, email: Email) -> str:
        domain = urlsplit(settings.SITE_URL).hostname or "localhost"
        message_id = make_msgid(domain=domain)
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={"Message-ID": message_id, "X-Portal-Reference": email.reference},
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise ProviderRejected(f"the mail server refused the address: {error}") from error
        except (smtplib.SMTPConnectError, ConnectionRefusedError, socket.gaierror) as error:
            raise ProviderUnavailable(
                f"could not connect to the mail server: {error}", maybe_accepted=False
            ) from error
        except (smtplib.SMTPException, OSError) as error:
            # Part-way through a conversation with the server: it may have taken the email.
            raise ProviderUnavailable(
                f"the mail server failed: {type(error).__name__}", maybe_accepted=True
            ) from error
        return message_id

    def find(self, reference: str) -> str | None:
        raise NotImplementedError("Django's email backend cannot be asked what it has sent")


def get_email_client() -> EmailClient:
    """Notify when NOTIFY_API_KEY is set (settings.py then requires the template id), Django's
    email backend otherwise."""
    if settings.NOTIFY_API_KEY:
        return NotifyClient.from_settings()
    return DjangoMailClient()
