"""Card payments, in the shape of GOV.UK Pay's API.

Other code calls `payments_client()` and then:

* `create_payment(amount=, reference=, description=, return_url=, idempotency_key=)` →
  `CreatedPayment` (`payment_id`, `next_url`): send the resident to `next_url`; the payment
  service sends them back to `return_url` whatever happened (paid, declined, cancelled).
* `get_payment(payment_id)` → `PaymentState`: `status` is one of GOV.UK Pay's `created`,
  `started`, `submitted`, `capturable`, `success`, `failed`, `cancelled`, `error`; `finished`
  says whether it can still change. Only `success` means the money was taken.
* `refund(payment_id=, amount=, refund_amount_available=)` → `Refund`: `refund_amount_available`
  is what we believe can still be refunded; the service refuses the refund (`RefundMismatch`)
  when it disagrees, so two refunds racing each other never both go through.
* `get_refund(payment_id=, refund_id=)` → `Refund` (`submitted`, `success` or `error`).

Errors are parking.exceptions' `PaymentServiceError` family: `PaymentServiceUnavailable` when the
service could not answer (try again later: nothing is known), `PaymentRefused` when it answered
no (with its error code), `RefundMismatch` for a refund whose available amount was out of date.

The `PAYMENTS_CLIENT` setting chooses the implementation (see `.env.example`):

* `"govuk_pay"`: `GovUkPayClient`, https://publicapi.payments.service.gov.uk with the API key as
  a Bearer token. Creating a payment sends an `Idempotency-Key`, so a retried request never
  makes two payments.
* `"local"` (the default: the demo, and tests of other code): `LocalPaymentsClient`, the portal's
  own payment page at /parking/pay-simulator/<payment id>/ (parking/simulator_views.py): a card
  number, the name on the card, "Pay" and "Cancel payment", and back to `return_url` exactly as
  GOV.UK Pay does. It takes GOV.UK Pay's test cards: 4444 3333 2222 1111 (or any other valid
  card number) is paid, 4000 0000 0000 0002 is declined. Its payments live in the database
  (parking.SimulatedPayment) so that the web processes and the workers see the same ones.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.urls import reverse

from parking.exceptions import PaymentRefused, PaymentServiceUnavailable, RefundMismatch

logger = logging.getLogger(__name__)

# GOV.UK Pay's payment statuses (its "payment status lifecycle").
CREATED = "created"
STARTED = "started"
SUBMITTED = "submitted"
CAPTURABLE = "capturable"
SUCCESS = "success"
FAILED = "failed"
CANCELLED = "cancelled"
ERROR = "error"
STATUSES = (CREATED, STARTED, SUBMITTED, CAPTURABLE, SUCCESS, FAILED, CANCELLED, ERROR)
FINISHED = frozenset({SUCCESS, FAILED, CANCELLED, ERROR})

# Refund statuses.
REFUND_SUBMITTED = "submitted"
REFUND_SUCCESS = "success"
REFUND_ERROR = "error"

# GOV.UK Pay's codes for why a payment did not succeed.
DECLINED_CODE = "P0010"  # payment method rejected
EXPIRED_CODE = "P0020"
CANCELLED_CODE = "P0030"  # the paying user cancelled
MAX_AMOUNT = 10_000_000  # pence: GOV.UK Pay's largest payment (£100,000)


@dataclass(frozen=True)
class CreatedPayment:
    payment_id: str
    next_url: str  # where to send the resident to pay
    status: str


@dataclass(frozen=True)
class PaymentState:
    payment_id: str
    status: str
    finished: bool
    amount: int  # pence
    reference: str
    code: str = ""  # why it did not succeed (GOV.UK Pay's P0010 etc.), when it did not
    message: str = ""
    refund_status: str = ""  # "available", "unavailable", "full", "pending"
    refund_amount_available: int = 0
    refund_amount_submitted: int = 0

    @property
    def paid(self) -> bool:
        return self.status == SUCCESS

    @property
    def unsuccessful(self) -> bool:
        """Finished without taking the money: the resident can try again with a new payment."""
        return self.finished and self.status != SUCCESS


@dataclass(frozen=True)
class Refund:
    refund_id: str
    amount: int
    status: str


class PaymentsClient(Protocol):
    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        idempotency_key: str = "",
        moto: bool = False,
    ) -> CreatedPayment: ...

    def get_payment(self, payment_id: str) -> PaymentState: ...

    def refund(self, *, payment_id: str, amount: int, refund_amount_available: int) -> Refund: ...

    def get_refund(self, *, payment_id: str, refund_id: str) -> Refund: ...


def _check_amount(amount: int) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount <= MAX_AMOUNT:
        raise ValueError(f"A payment or refund is 1 to {MAX_AMOUNT} pence, not {amount!r}")


# --- GOV.UK Pay -----------------------------------------------------------------------------------


class GovUkPayClient:
    """GOV.UK Pay's public API over HTTP. Nothing is retried here: creating a payment or a refund
    twice must never happen by accident, so a failure is reported and the caller (a page, or the
    reconciliation task later) asks again."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = (connect_timeout, read_timeout)

    @classmethod
    def from_settings(cls) -> GovUkPayClient:
        return cls(
            base_url=settings.GOVUK_PAY_URL,
            api_key=settings.GOVUK_PAY_API_KEY,
            connect_timeout=settings.GOVUK_PAY_CONNECT_TIMEOUT,
            read_timeout=settings.GOVUK_PAY_READ_TIMEOUT,
        )

    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        idempotency_key: str = "",
        moto: bool = False,
    ) -> CreatedPayment:
        _check_amount(amount)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        body = self._call(
            "POST",
            "/v1/payments",
            json={
                "amount": amount,
                "reference": reference,
                "description": description,
                "return_url": return_url,
                "language": "en",
                # Mail order / telephone: a member of staff types the card details the resident
                # reads out on the phone (the account must have MOTO payments turned on).
                **({"moto": True} if moto else {}),
            },
            expect=(200, 201),
            headers=headers,
        )
        try:
            return CreatedPayment(
                payment_id=_str(body, "payment_id"),
                next_url=_str(body["_links"]["next_url"], "href"),
                status=_str(body["state"], "status"),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise PaymentServiceUnavailable(f"unreadable payment: {error}") from error

    def get_payment(self, payment_id: str) -> PaymentState:
        body = self._call("GET", f"/v1/payments/{_id(payment_id)}", expect=(200,))
        try:
            return _payment_state(body)
        except (KeyError, TypeError, ValueError) as error:
            raise PaymentServiceUnavailable(f"unreadable payment: {error}") from error

    def refund(self, *, payment_id: str, amount: int, refund_amount_available: int) -> Refund:
        _check_amount(amount)
        body = self._call(
            "POST",
            f"/v1/payments/{_id(payment_id)}/refunds",
            json={"amount": amount, "refund_amount_available": refund_amount_available},
            expect=(200, 201, 202),
        )
        return _refund(body)

    def get_refund(self, *, payment_id: str, refund_id: str) -> Refund:
        body = self._call(
            "GET", f"/v1/payments/{_id(payment_id)}/refunds/{_id(refund_id)}", expect=(200,)
        )
        return _refund(body)

    def _call(
        self, method: str, path: str, *, expect: tuple[int, ...], json=None, headers=None
    ) -> Any:
        try:
            response = requests.request(
                method,
                self.base_url + path,
                json=json,
                headers={
                    "Authorization": f"Bearer {self.api_key}",
                    "Accept": "application/json",
                    **(headers or {}),
                },
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as error:
            raise PaymentServiceUnavailable(type(error).__name__) from error
        status = response.status_code
        if status in expect:
            try:
                return response.json()
            except ValueError as error:
                raise PaymentServiceUnavailable("unreadable response") from error
        code, description = _error(response)
        if status == 412:
            raise RefundMismatch(code, description)
        if status in (400, 404, 409, 422):
            raise PaymentRefused(code, description)
        # 401/403 (a wrong key), 429, 5xx: the service could not do it; nothing is known.
        logger.error("GOV.UK Pay: HTTP %s %s %s: %s", status, method, path, code)
        raise PaymentServiceUnavailable(f"HTTP {status} {code}".strip())


def _id(value: str) -> str:
    """Payment and refund ids go into URLs: only letters and digits, as GOV.UK Pay makes them."""
    if not value or not value.isalnum():
        raise ValueError(f"not a payment id: {value!r}")
    return value


def _str(data: Any, name: str) -> str:
    value = data[name]
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is not text")
    return value


def _error(response: requests.Response) -> tuple[str, str]:
    try:
        body = response.json()
    except ValueError:
        return "", response.text[:200]
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("code", "")), str(body.get("description", ""))


def _payment_state(body: Any) -> PaymentState:
    state = body["state"]
    status = _str(state, "status")
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    summary = body.get("refund_summary") or {}
    return PaymentState(
        payment_id=_str(body, "payment_id"),
        status=status,
        finished=bool(state.get("finished", status in FINISHED)),
        amount=int(body["amount"]),
        reference=str(body.get("reference", "")),
        code=str(state.get("code", "")),
        message=str(state.get("message", "")),
        refund_status=str(summary.get("status", "")),
        refund_amount_available=int(summary.get("amount_available", 0)),
        refund_amount_submitted=int(summary.get("amount_submitted", 0)),
    )


def _refund(body: Any) -> Refund:
    try:
        status = _str(body, "status")
        if status not in (REFUND_SUBMITTED, REFUND_SUCCESS, REFUND_ERROR):
            raise ValueError(f"unknown refund status {status!r}")
        return Refund(refund_id=_str(body, "refund_id"), amount=int(body["amount"]), status=status)
    except (KeyError, TypeError, ValueError) as error:
        raise PaymentServiceUnavailable(f"unreadable refund: {error}") from error


# --- The local simulator -------------------------------------------------------------------------

# GOV.UK Pay's test cards that the simulator treats specially.
TEST_CARD_PAID = "4444333322221111"
TEST_CARD_DECLINED = "4000000000000002"


class LocalPaymentsClient:
    """The portal's own payment page: see the module docstring. `site_url` makes next_url
    absolute, as GOV.UK Pay's is; the simulator page lives in this portal."""

    def __init__(self, *, site_url: str = "") -> None:
        self.site_url = site_url.rstrip("/")

    def create_payment(
        self,
        *,
        amount: int,
        reference: str,
        description: str,
        return_url: str,
        idempotency_key: str = "",
        moto: bool = False,
    ) -> CreatedPayment:
        from parking.models import SimulatedPayment

        _check_amount(amount)
        if idempotency_key:
            existing = SimulatedPayment.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return self._created(existing)
        payment = SimulatedPayment.objects.create(
            payment_id=new_payment_id(),
            idempotency_key=idempotency_key or None,
            amount=amount,
            reference=reference,
            description=description,
            return_url=return_url,
        )
        return self._created(payment)

    def _created(self, payment) -> CreatedPayment:
        path = reverse("parking:pay_simulator", kwargs={"payment_id": payment.payment_id})
        return CreatedPayment(
            payment_id=payment.payment_id, next_url=self.site_url + path, status=payment.status
        )

    def get_payment(self, payment_id: str) -> PaymentState:
        from parking.models import SimulatedPayment

        try:
            payment = SimulatedPayment.objects.get(payment_id=payment_id)
        except SimulatedPayment.DoesNotExist:
            raise PaymentRefused("P0200", "paymentId not found") from None
        available = payment.amount - payment.refunded if payment.status == SUCCESS else 0
        return PaymentState(
            payment_id=payment.payment_id,
            status=payment.status,
            finished=payment.status in FINISHED,
            amount=payment.amount,
            reference=payment.reference,
            code=payment.code,
            message=payment.message,
            refund_status=(
                "available" if available else "full" if payment.status == SUCCESS else "unavailable"
            ),
            refund_amount_available=available,
            refund_amount_submitted=payment.refunded,
        )

    def refund(self, *, payment_id: str, amount: int, refund_amount_available: int) -> Refund:
        from parking.models import SimulatedPayment

        _check_amount(amount)
        with transaction.atomic():
            try:
                payment = SimulatedPayment.objects.select_for_update().get(payment_id=payment_id)
            except SimulatedPayment.DoesNotExist:
                raise PaymentRefused("P0600", "paymentId not found") from None
            if payment.status != SUCCESS:
                raise PaymentRefused("P0603", "The payment is not available for refund")
            available = payment.amount - payment.refunded
            if refund_amount_available != available:
                raise RefundMismatch("P0604", "Refund amount available mismatch")
            if amount > available:
                raise PaymentRefused("P0603", "The refund amount is more than is available")
            payment.refunded += amount
            payment.save(update_fields=["refunded", "updated_at"])
        return Refund(refund_id=new_payment_id(), amount=amount, status=REFUND_SUCCESS)

    def get_refund(self, *, payment_id: str, refund_id: str) -> Refund:
        # The simulator's refunds succeed at once; it keeps no list of them.
        raise PaymentRefused("P0700", "The local payment page keeps no refunds to look up")


def new_payment_id() -> str:
    """26 lower-case letters and digits, like GOV.UK Pay's ids: unguessable (130 bits)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(26))


def luhn_valid(number: str) -> bool:
    """Whether a card number's check digit is right (the Luhn algorithm)."""
    if not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


# --- Entry point --------------------------------------------------------------------------------


def payments_client() -> PaymentsClient:
    """The implementation PAYMENTS_CLIENT names, built from the settings as they are now."""
    name = settings.PAYMENTS_CLIENT
    if name == "govuk_pay":
        return GovUkPayClient.from_settings()
    if name == "local":
        # A path, not a URL: the demo and the tests' servers run on whatever host and port.
        return LocalPaymentsClient()
    raise ImproperlyConfigured(f"PAYMENTS_CLIENT must be local or govuk_pay, not {name!r}.")
