"""The local payment page (PAYMENTS_CLIENT=local): a stand-in for GOV.UK Pay's card page, so the
demo resident pays through a redirect and back exactly as with the real service. It takes no
money. It does not exist when the portal uses GOV.UK Pay (404).

Like GOV.UK Pay's own page it needs no sign-in: the payment id in its URL is unguessable, and
the portal's return page, not this one, decides what a payment means."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hackney_portal.forms import NoBrowserMaxLength

from .clients.payments import (
    CANCELLED_CODE,
    DECLINED_CODE,
    TEST_CARD_DECLINED,
    TEST_CARD_PAID,
    luhn_valid,
)
from .models import SimulatedPayment

Status = SimulatedPayment.Status
OPEN = (Status.CREATED, Status.STARTED)


CARD_NUMBER_LENGTH = "Card numbers are 12 to 19 digits long: check the number on your card"


class CardForm(NoBrowserMaxLength, forms.Form):
    card_number = forms.CharField(
        label="Card number",
        max_length=30,
        error_messages={
            "required": "Enter your card number",
            "max_length": CARD_NUMBER_LENGTH,
        },
    )
    cardholder_name = forms.CharField(
        label="Name on card",
        max_length=100,
        error_messages={
            "required": "Enter the name as it is written on your card",
            "max_length": "Name on card must be 100 characters or fewer",
        },
    )

    def clean_card_number(self) -> str:
        number = "".join(
            c for c in self.cleaned_data["card_number"] if not (c.isspace() or c == "-")
        )
        if not number.isdigit():
            raise forms.ValidationError("Enter your card number using numbers only")
        if not 12 <= len(number) <= 19:
            raise forms.ValidationError(CARD_NUMBER_LENGTH)
        if not luhn_valid(number):
            raise forms.ValidationError("That card number is not right: check it and try again")
        return number


@require_http_methods(["GET", "POST"])
def pay_simulator(request, payment_id: str):
    if settings.PAYMENTS_CLIENT != "local":
        raise Http404
    with transaction.atomic():
        try:
            payment = SimulatedPayment.objects.select_for_update().get(payment_id=payment_id)
        except SimulatedPayment.DoesNotExist:
            raise Http404 from None
        if payment.status not in OPEN:
            # As GOV.UK Pay does: a finished payment's page only goes back to the service.
            return redirect(payment.return_url)
        if request.method == "GET":
            if payment.status == Status.CREATED:
                payment.status = Status.STARTED
                payment.save(update_fields=["status", "updated_at"])
            form = CardForm()
        elif "cancel" in request.POST:
            _finish(payment, Status.CANCELLED, CANCELLED_CODE, "Payment was cancelled by the user")
            return redirect(payment.return_url)
        else:
            form = CardForm(request.POST)
            if form.is_valid():
                number = form.cleaned_data["card_number"]
                if number == TEST_CARD_DECLINED:
                    _finish(payment, Status.FAILED, DECLINED_CODE, "Payment method rejected")
                else:
                    _finish(payment, Status.SUCCESS, "", "", last_digits=number[-4:])
                return redirect(payment.return_url)
    return render(
        request,
        "parking/pay_simulator.html",
        {
            "payment": payment,
            "form": form,
            "paid_card": _spaced(TEST_CARD_PAID),
            "declined_card": _spaced(TEST_CARD_DECLINED),
        },
    )


def _finish(payment, status, code: str, message: str, last_digits: str = "") -> None:
    payment.status = status
    payment.code = code
    payment.message = message
    payment.card_last_digits = last_digits
    payment.save(update_fields=["status", "code", "message", "card_last_digits", "updated_at"])


def _spaced(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))
