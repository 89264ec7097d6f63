"""Paying for an approved application, and the resident's permits: the permit page (the virtual
permit), change of vehicle, renewal, cancellation and moving home. Views stay thin: the writes
are parking.payments', parking.permits' and parking.moves', the reads parking.selectors'. Every
view is the signed-in resident's own: another resident's permit, application or payment is a
404."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from hackney_portal.forms import NoBrowserMaxLength
from hackney_portal.templatetags.portal import pounds
from records.selectors import residential_addresses_at_postcode

from . import moves, payments, permits
from .clients.vehicles import Vehicle, is_uk_registration, normalise_registration
from .exceptions import (
    MoveRefused,
    PaymentNotPossible,
    PaymentRefused,
    PaymentServiceUnavailable,
    PermitNotLive,
    RenewalNotOpen,
    VehicleChangeRefused,
)
from .forms import (
    NOT_LISTED,
    REGISTRATION_MAX_LENGTH,
    AddressForm,
    AddressLinesForm,
    DateParts,
    PostcodeForm,
    Radios,
    registration_too_long,
)
from .journey import prices_unavailable
from .models import Payment, Permit, PermitApplication, PermitMove
from .pricing import DURATIONS, NoTariffInForce, permit_last_day
from .selectors import (
    MoveBlock,
    application_for_user,
    payment_for_user,
    permit_events,
    permit_for_user,
    permit_move_block_for_resident,
    permit_move_latest,
    permit_move_open,
    permit_moved_event,
    permit_renewal,
    permits_for_user,
)
from .services import application_price


def _return_url(request):
    def url_for(payment_reference: str) -> str:
        return request.build_absolute_uri(
            reverse("parking:payment_return", kwargs={"reference": payment_reference})
        )

    return url_for


def own_permit(view):
    """The view gets the signed-in resident's permit; anyone else's is a 404."""

    @login_required
    @wraps(view)
    def page(request, number: str, *args, **kwargs):
        try:
            permit = permit_for_user(user=request.user, number=number)
        except Permit.DoesNotExist:
            raise Http404 from None
        try:
            return view(request, permit, *args, **kwargs)
        except PermitNotLive:
            # Cancelled (in another tab, or by an officer) while this page was open.
            messages.warning(request, "This permit is no longer live: nothing was changed.")
            return redirect("parking:permit", number=permit.number)
        except NoTariffInForce:
            # Nothing priced, so nothing changed: the transaction that asked rolled back.
            return prices_unavailable(request)

    return page


def live_permit(view):
    """As own_permit, for the pages that change a permit: a cancelled or ended one goes back
    to its page, which says so."""

    @own_permit
    @wraps(view)
    def page(request, permit: Permit, *args, **kwargs):
        if not permit.live(timezone.localdate()):
            return redirect("parking:permit", number=permit.number)
        return view(request, permit, *args, **kwargs)

    return page


# --- Paying ------------------------------------------------------------------------------------


@login_required
@require_POST
def application_pay(request, reference: str):
    try:
        application = application_for_user(user=request.user, reference=reference)
    except PermitApplication.DoesNotExist:
        raise Http404 from None
    try:
        started = payments.payment_start(
            user=request.user, reference=application.reference, return_url_for=_return_url(request)
        )
    except PaymentNotPossible:
        return redirect("parking:application", reference=application.reference)
    except (PaymentServiceUnavailable, PaymentRefused):
        return _payments_unavailable(request, back=application_url(application))
    if isinstance(started, Permit):
        return redirect("parking:permit", number=started.number)
    return redirect(started.next_url)


@login_required
def payment_return(request, reference: str):
    """Where the payment service sends the resident back, whatever happened: read the payment's
    state, and go to the permit when it was paid."""
    try:
        payment = payment_for_user(user=request.user, reference=reference)
    except Payment.DoesNotExist:
        raise Http404 from None
    try:
        payment = payments.payment_refresh(payment_id=payment.pk)
    except (PaymentServiceUnavailable, PaymentRefused):
        # The reconciliation task finishes it later; nothing is lost.
        return render(
            request,
            "parking/payment_status.html",
            {"payment": payment, "checking": True, **_paid_for(payment)},
            status=503,
        )
    if payment.status == Payment.Status.SUCCESS:
        if payment.purpose == Payment.Purpose.PERMIT:
            permit = Permit.objects.filter(application_id=payment.application_id).first()
            if permit is not None:
                messages.success(request, f"Payment received: your permit {permit.number}.")
                return redirect("parking:permit", number=permit.number)
            return redirect("parking:application", reference=payment.application.reference)
        if payment.purpose == Payment.Purpose.MOVE:
            return redirect("parking:permit_moved_next", number=payment.permit.number)
        messages.success(request, "Payment received: the vehicle on your permit is changed.")
        return redirect("parking:permit", number=payment.permit.number)
    return render(
        request, "parking/payment_status.html", {"payment": payment, **_paid_for(payment)}
    )


def _paid_for(payment: Payment) -> dict:
    if payment.purpose == Payment.Purpose.PERMIT:
        return {"application": payment.application}
    if payment.purpose == Payment.Purpose.MOVE:
        return {"permit": payment.permit, "moving": True}
    return {"permit": payment.permit, "registration": payment.change["registration"]}


def _payments_unavailable(request, *, back: str):
    return render(request, "parking/payment_unavailable.html", {"back_url": back}, status=503)


def application_url(application: PermitApplication) -> str:
    return reverse("parking:application", kwargs={"reference": application.reference})


# --- Permits -----------------------------------------------------------------------------------


@login_required
def permit_list(request):
    return render(
        request,
        "parking/permit_list.html",
        {"permits": permits_for_user(user=request.user), "today": timezone.localdate()},
    )


@own_permit
def permit_detail(request, permit: Permit):
    today = timezone.localdate()
    return render(
        request,
        "parking/permit_detail.html",
        {
            "permit": permit,
            "today": today,
            "live": permit.live(today),
            "started": permit.valid_from <= today,
            "vehicle": Vehicle.from_dvla(permit.vehicle) if permit.vehicle else None,
            "events": permit_events(permit=permit),
            "renewal": permit_renewal(permit=permit),
            "can_renew": permits.permit_can_renew(permit, today),
            "move": permit_move_open(permit=permit),
            "move_to_pay": moves.permit_move_to_pay(permit=permit),
            "renewal_opens_on": permits.permit_renewal_opens_on(permit),
        },
    )


REGISTRATION_TOO_LONG = f"Registration number must be {REGISTRATION_MAX_LENGTH} characters or fewer"


class RegistrationForm(NoBrowserMaxLength, forms.Form):
    registration = forms.CharField(
        label="What is the registration number of your new vehicle?",
        max_length=20,
        help_text="For example, LB19 PET",
        error_messages={
            "required": "Enter the registration number of your new vehicle",
            "max_length": REGISTRATION_TOO_LONG,
        },
    )

    def clean_registration(self) -> str:
        value = self.cleaned_data["registration"]
        if registration_too_long(value):
            raise forms.ValidationError(REGISTRATION_TOO_LONG)
        if not is_uk_registration(value):
            raise forms.ValidationError(
                "Enter a registration number in the right format, like LB19 PET"
            )
        return normalise_registration(value)


@live_permit
@require_http_methods(["GET", "POST"])
def permit_vehicle(request, permit: Permit):
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return redirect(
            "parking:permit_vehicle_confirm",
            number=permit.number,
            registration=form.cleaned_data["registration"],
        )
    return render(request, "parking/permit_vehicle.html", {"permit": permit, "form": form})


@live_permit
@require_http_methods(["GET", "POST"])
def permit_vehicle_confirm(request, permit: Permit, registration: str):
    try:
        if request.method == "POST":
            done = permits.permit_vehicle_change(
                user=request.user,
                number=permit.number,
                registration=registration,
                return_url_for=_return_url(request),
            )
            if isinstance(done, Payment):
                return redirect(done.next_url)
            messages.success(request, f"Your permit is now for {done.registration}.")
            return redirect("parking:permit", number=done.number)
        quote = permits.permit_vehicle_change_quote(
            user=request.user, number=permit.number, registration=registration
        )
    except VehicleChangeRefused as refused:
        form = RegistrationForm({"registration": registration})
        form.is_valid()
        form.add_error("registration", refused.reason)
        return render(request, "parking/permit_vehicle.html", {"permit": permit, "form": form})
    except (PaymentServiceUnavailable, PaymentRefused):
        return _payments_unavailable(request, back=request.path)
    return render(
        request,
        "parking/permit_vehicle_confirm.html",
        {"permit": permit, "quote": quote, "refund_pence": -quote.difference_pence},
    )


class RenewForm(forms.Form):
    months = forms.TypedChoiceField(
        label="How long do you want your renewed permit for?",
        choices=[(m, f"{m} months") for m in DURATIONS],
        coerce=int,
        widget=Radios,
        error_messages={
            "required": "Choose how long you want your renewed permit for",
            "invalid_choice": "Choose how long you want your renewed permit for",
        },
    )


@live_permit
@require_http_methods(["GET", "POST"])
def permit_renew(request, permit: Permit):
    today = timezone.localdate()
    renewal = permit_renewal(permit=permit)
    if renewal is not None:
        return redirect("parking:application", reference=renewal.reference)
    if permit_move_open(permit=permit) is not None:
        # Not renewed for the old address while a move is unresolved: the permit page says so.
        return redirect("parking:permit", number=permit.number)
    form = RenewForm(request.POST if request.method == "POST" else None, initial={"months": 12})
    if request.method == "POST" and form.is_valid():
        try:
            application = permits.permit_renew(
                user=request.user, number=permit.number, months=form.cleaned_data["months"]
            )
        except RenewalNotOpen:
            return redirect("parking:permit", number=permit.number)
        return redirect("parking:application", reference=application.reference)
    starts = permit.valid_to + timedelta(days=1)
    choices = []
    for months in DURATIONS:
        # With no tariff in force on its start, own_permit says prices cannot be worked out:
        # a renewal offered without its price could not be sent.
        quoted = application_price(
            application=PermitApplication(
                user=request.user,
                renews=permit,
                uprn=permit.uprn,
                vehicle=permit.vehicle,
                months=months,
                starts_on=starts,
            ),
            months=months,
            matched=True,  # the holder of a permit at the address
        )
        choices.append((months, permit_last_day(starts, months), quoted))
    return render(
        request,
        "parking/permit_renew.html",
        {
            "permit": permit,
            "form": form,
            "open": today >= permits.permit_renewal_opens_on(permit),
            "opens_on": permits.permit_renewal_opens_on(permit),
            "starts": starts,
            "choices": choices,
        },
    )


@live_permit
@require_http_methods(["GET", "POST"])
def permit_cancel(request, permit: Permit):
    if request.method == "POST":
        try:
            cancelled, quote = permits.permit_cancel(user=request.user, number=permit.number)
        except PermitNotLive:
            return redirect("parking:permit", number=permit.number)
        refund = (
            f" We are refunding {pounds(quote.refund_pence)} to the card you paid with."
            if quote.refund_pence
            else ""
        )
        messages.success(request, f"Your permit {cancelled.number} is cancelled.{refund}")
        return redirect("parking:permit", number=cancelled.number)
    return render(
        request,
        "parking/permit_cancel.html",
        {"permit": permit, "quote": permits.permit_cancel_quote(permit=permit)},
    )


class MovedForm(forms.Form):
    where = forms.ChoiceField(
        label="Where have you moved to?",
        choices=list(moves.MOVES.items()),
        widget=Radios,
        error_messages={
            "required": "Choose where you have moved to",
            "invalid_choice": "Choose where you have moved to",
        },
    )


class NotListedAddressForm(AddressLinesForm):
    """The GOV.UK address pattern, for a new home the council's address records do not list:
    the same questions, and messages, as an application's "my address is not listed"."""


class MovedOnForm(forms.Form):
    # No max_length: DateParts.clean checks each part's length with the date's own message.
    moved_day = forms.CharField(label="Day", required=False)
    moved_month = forms.CharField(label="Month", required=False)
    moved_year = forms.CharField(label="Year", required=False)

    def clean(self):
        cleaned = super().clean()
        moved = DateParts.clean(self, "moved", "the date you moved")
        if moved is not None:
            if moved > timezone.localdate():
                self.add_error("moved_day", "The date you moved must be today or in the past")
            elif moved.year < 1900:
                self.add_error("moved_day", "The date you moved must be a real date")
            else:
                cleaned["moved_on"] = moved
        return cleaned


# The answers about a move, kept in the resident's session page by page until the last one
# (the date) sends them all to moves.permit_report_move: a move half told changes nothing.
def _move_key(permit: Permit) -> str:
    return f"permit_move:{permit.number}"


def _move_answers(request, permit: Permit) -> dict:
    return dict(request.session.get(_move_key(permit), {}))


def _keep_move_answers(request, permit: Permit, **answers) -> None:
    request.session[_move_key(permit)] = {**_move_answers(request, permit), **answers}


def _move_page(request, permit: Permit, template: str, form, back: str, **context):
    return render(
        request,
        template,
        {"permit": permit, "form": form, "back_url": back, **context},
    )


def _moved_url(name: str, permit: Permit) -> str:
    return reverse(f"parking:{name}", kwargs={"number": permit.number})


@live_permit
@require_http_methods(["GET", "POST"])
def permit_moved(request, permit: Permit):
    initial = {"where": _move_answers(request, permit).get("where")}
    form = MovedForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        where = form.cleaned_data["where"]
        request.session[_move_key(permit)] = {"where": where}
        if where == PermitMove.Kind.OUT_OF_BOROUGH:
            return redirect("parking:permit_moved_date", number=permit.number)
        return redirect("parking:permit_moved_postcode", number=permit.number)
    return render(request, "parking/permit_moved.html", {"permit": permit, "form": form})


def _within_hackney(view):
    """The new-address questions: only after saying the new home is in Hackney."""

    @wraps(view)
    def page(request, permit: Permit):
        answers = _move_answers(request, permit)
        if answers.get("where") not in (PermitMove.Kind.SAME_ZONE, PermitMove.Kind.OTHER_ZONE):
            return redirect("parking:permit_moved", number=permit.number)
        return view(request, permit, answers)

    return page


@live_permit
@require_http_methods(["GET", "POST"])
@_within_hackney
def permit_moved_postcode(request, permit: Permit, answers: dict):
    form = PostcodeForm(
        request.POST if request.method == "POST" else None,
        initial={"postcode": answers.get("postcode", "")},
    )
    if request.method == "POST" and form.is_valid():
        # A new postcode: the address is chosen (or typed) again.
        _keep_move_answers(
            request, permit, postcode=form.cleaned_data["postcode"], uprn=None, lines=None
        )
        return redirect("parking:permit_moved_address", number=permit.number)
    if request.method == "POST" and form.no_homes_at and "not_listed" in request.POST:
        _keep_move_answers(request, permit, postcode=form.no_homes_at, uprn=None)
        return redirect("parking:permit_moved_not_listed", number=permit.number)
    return _move_page(
        request,
        permit,
        "parking/permit_moved_postcode.html",
        form,
        _moved_url("permit_moved", permit),
    )


@live_permit
@require_http_methods(["GET", "POST"])
@_within_hackney
def permit_moved_address(request, permit: Permit, answers: dict):
    if not answers.get("postcode"):
        return redirect("parking:permit_moved_postcode", number=permit.number)
    addresses = residential_addresses_at_postcode(postcode=answers["postcode"])
    chosen = NOT_LISTED if answers.get("not_listed") else answers.get("uprn")
    form = AddressForm(
        request.POST if request.method == "POST" else None,
        addresses=addresses,
        initial={"address": str(chosen) if chosen else None},
    )
    if request.method == "POST" and form.is_valid():
        picked = form.chosen
        if picked is None:
            _keep_move_answers(request, permit, uprn=None, not_listed=True)
            return redirect("parking:permit_moved_not_listed", number=permit.number)
        if picked.uprn == permit.uprn:
            form.add_error("address", "That is the address your permit is for already")
        else:
            _keep_move_answers(request, permit, uprn=picked.uprn, not_listed=False)
            return redirect("parking:permit_moved_date", number=permit.number)
    return _move_page(
        request,
        permit,
        "parking/permit_moved_address.html",
        form,
        _moved_url("permit_moved_postcode", permit),
        postcode=answers["postcode"],
    )


@live_permit
@require_http_methods(["GET", "POST"])
@_within_hackney
def permit_moved_not_listed(request, permit: Permit, answers: dict):
    typed = answers.get("lines") or []
    initial = dict(zip(("line1", "line2", "town"), typed, strict=False))
    initial["postcode"] = answers.get("postcode", "")
    form = NotListedAddressForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _keep_move_answers(
            request,
            permit,
            uprn=None,
            not_listed=True,
            lines=[data["line1"].strip(), data["line2"].strip(), data["town"].strip()],
            postcode=data["postcode"],
        )
        return redirect("parking:permit_moved_date", number=permit.number)
    back = "permit_moved_address" if answers.get("postcode") else "permit_moved_postcode"
    return _move_page(
        request, permit, "parking/permit_moved_not_listed.html", form, _moved_url(back, permit)
    )


@live_permit
@require_http_methods(["GET", "POST"])
def permit_moved_date(request, permit: Permit):
    answers = _move_answers(request, permit)
    where = answers.get("where")
    if where is None:
        return redirect("parking:permit_moved", number=permit.number)
    new_address = None
    if where != PermitMove.Kind.OUT_OF_BOROUGH:
        if answers.get("uprn") is not None:
            new_address = moves.NewAddress(uprn=answers["uprn"])
        elif answers.get("lines"):
            new_address = moves.NewAddress(
                uprn=None, lines=tuple(answers["lines"]), postcode=answers["postcode"]
            )
        else:
            return redirect("parking:permit_moved_postcode", number=permit.number)
    form = MovedOnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            moves.permit_report_move(
                user=request.user,
                number=permit.number,
                where=where,
                moved_on=form.cleaned_data["moved_on"],
                new_address=new_address,
            )
        except MoveRefused as refused:
            form.add_error("moved_day", refused.reason)
        else:
            request.session.pop(_move_key(permit), None)
            return redirect("parking:permit_moved_next", number=permit.number)
    if where == PermitMove.Kind.OUT_OF_BOROUGH:
        back = "permit_moved"
    else:
        back = "permit_moved_address" if answers.get("uprn") else "permit_moved_not_listed"
    return _move_page(
        request, permit, "parking/permit_moved_date.html", form, _moved_url(back, permit)
    )


@own_permit
def permit_moved_next(request, permit: Permit):
    """What happens next after telling us of a move: moved (and any difference refunded),
    the difference to pay before it moves, why it cannot move there, or an officer to check.
    Also where a resident comes back to pay for a move a parking officer approved."""
    move = permit_move_latest(permit=permit)
    if move is None:
        raise Http404
    # Never a household's permits before the records (or an officer) put the resident there.
    block = permit_move_block_for_resident(permit, move) if move.open else ""
    moved = permit_moved_event(permit=permit, move=move) if move.outcome == "moved" else None
    difference = moved.data.get("difference_pence", 0) if moved else 0
    return render(
        request,
        "parking/permit_moved_next.html",
        {
            "permit": permit,
            "move": move,
            # Approved, waiting for the resident to pay the difference.
            "to_pay": move.approved if move.open and move.approved else None,
            # Unpaid by then, it lapses (moves.moves_lapse).
            "pay_by": move.pay_by,
            "window_hours": settings.PERMIT_PAYMENT_WINDOW_HOURS,
            "paid_pence": max(difference, 0),
            "refunded_pence": max(-difference, 0),
            # The permit cannot be moved there at all: apply again (or, in no zone, no permit
            # is needed), and cancel this one; or, to a full household, cancel.
            "cannot_move": bool(block),
            "household_full": block == MoveBlock.FULL,
            "no_zone_there": bool(move.uprn and not move.zone),
            "quote": permits.permit_cancel_quote(permit=permit),
        },
    )


@live_permit
@require_POST
def permit_move_pay(request, permit: Permit):
    """Pay the difference for a move that costs more: to the payment service, and back."""
    try:
        started = moves.permit_move_payment_start(
            user=request.user, number=permit.number, return_url_for=_return_url(request)
        )
    except MoveRefused as refused:
        messages.warning(request, refused.reason)
        return redirect("parking:permit", number=permit.number)
    except (PaymentServiceUnavailable, PaymentRefused):
        return _payments_unavailable(
            request, back=reverse("parking:permit_moved_next", args=[permit.number])
        )
    if isinstance(started, Permit):
        return redirect("parking:permit_moved_next", number=permit.number)
    return redirect(started.next_url)
