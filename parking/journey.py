"""The permit application's question pages, one question a page (GOV.UK Design System patterns):
parking's public module for them. The resident's own journey (parking.views.RESIDENT) and a
member of staff's for a resident on the phone (casework.assisted_views.ASSISTED) are two
`Journey`s served by these same pages, so both ask the same questions with the same forms,
templates and checks, and answer through the same services.

Every step reads and writes the draft application in the database, so going back, another tab
or another device find the answers given so far. A step reached with an earlier question
unanswered sends the user to that question. `?change=1` (a Change link on check your answers)
brings them back to check your answers after the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from records.selectors import residential_addresses_at_postcode

from . import services
from .clients.vehicles import Vehicle
from .exceptions import ApplicationNotWithdrawable
from .forms import (
    NOT_LISTED,
    AddressForm,
    AddressLinesForm,
    AlreadyAppliedForm,
    ApplicantForm,
    DurationForm,
    PostcodeForm,
    RegistrationForm,
)
from .models import PermitApplication
from .pricing import DURATIONS, NoTariffInForce
from .selectors import (
    application_for_user,
    assisted_application,
    pending_applications_for_vehicle,
)

# The steps in order: the question each answers (services.application_first_unanswered), which
# is also its URL name in the journey's namespace.
ORDER = ["postcode", "address", "address_lines", "applicant", "registration", "vehicle", "duration"]


@dataclass(frozen=True)
class Journey:
    """Whose journey the question pages serve, and where its pages are. A journey is passed to
    the pages as an extra argument of its URLs (question_urls)."""

    url_prefix: str  # "parking:" or "casework:assisted_": before each page's name
    start_url_name: str  # where Back goes from the first question
    caption: str  # above each question
    title: str  # after each page's own title
    check_template: str
    # The member of staff's permission, for the assisted journey; None: the resident's own.
    permission: str | None = None
    # What else check your answers shows (the assisted journey's declaration form).
    check_context: Callable[[], dict] = dict

    @property
    def assisted(self) -> bool:
        return self.permission is not None

    def url_name(self, page: str) -> str:
        """A page's URL name: a question (ORDER), "check_answers", "submit" or "application"."""
        return f"{self.url_prefix}{page}"

    @property
    def urls(self) -> dict[str, str]:
        """Every page's URL name, for the templates' {% url %} tags."""
        return {page: self.url_name(page) for page in [*ORDER, "check_answers", "submit"]}

    def application(self, request, reference: str) -> PermitApplication:
        """The application the journey may show: the resident's own, or one made for a
        resident by staff. 404 for anything else, 403 for staff without the permission."""
        if self.assisted and not request.user.has_perm(self.permission):
            raise PermissionDenied
        try:
            if self.assisted:
                return assisted_application(reference=reference)
            return application_for_user(user=request.user, reference=reference)
        except PermitApplication.DoesNotExist:
            raise Http404 from None

    def who(self, request, application: PermitApplication) -> dict:
        """The services' `reference`, `user` (whose application: always the resident's
        account) and `made_by` (the member of staff making it, or None)."""
        return {
            "reference": application.reference,
            "user": application.user,
            "made_by": request.user if self.assisted else None,
        }


def question(step: str | None):
    """A page of the draft application `step` (None: check your answers). The view gets the
    draft and the journey; an application the journey may not show is refused
    (Journey.application), a submitted one goes to its decision, and an earlier question still
    unanswered is asked first."""

    def decorate(view):
        @login_required
        @wraps(view)
        def page(request, reference: str, journey: Journey):
            application = journey.application(request, reference)
            if not application.is_draft:
                return redirect(journey.url_name("application"), reference=application.reference)
            missing = services.application_first_unanswered(application)
            upto = ORDER.index(step) if step else len(ORDER)
            if missing is not None and ORDER.index(missing) < upto:
                return redirect(journey.url_name(missing), reference=application.reference)
            try:
                return view(request, application, journey)
            except NoTariffInForce:
                return prices_unavailable(request, for_staff=journey.assisted)

        return page

    return decorate


def prices_unavailable(request, *, for_staff: bool = False):
    """No tariff in force (a gap left in the tariffs): nothing can be priced, so nothing is
    asked or changed, rather than a server error. A member of staff (the assisted journey) is
    told to contact the parking team, a resident to call."""
    return render(request, "parking/prices_unavailable.html", {"for_staff": for_staff}, status=503)


def resume(application: PermitApplication, journey: Journey):
    """Carry on with a draft at its first unanswered question, or check your answers."""
    missing = services.application_first_unanswered(application)
    if missing is None:
        return redirect(journey.url_name("check_answers"), reference=application.reference)
    return redirect(journey.url_name(missing), reference=application.reference)


# --- The questions -----------------------------------------------------------------------------


@question("postcode")
def postcode(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    form = PostcodeForm(_data(request), initial={"postcode": application.postcode})
    if request.method == "POST" and form.is_valid():
        services.application_answer_postcode(**who, postcode=form.cleaned_data["postcode"])
        # A new postcode means choosing the address again, then back to check answers.
        return redirect(_step_url(application, journey, "address", change=_changing(request)))
    if request.method == "POST" and form.no_homes_at and "not_listed" in request.POST:
        # A real postcode the address records have no homes at (a new building, say): carry
        # on without an address, and the decision asks for proof of address.
        services.application_answer_postcode(**who, postcode=form.no_homes_at)
        services.application_answer_address(**who, uprn=None, address="")
        return _next(request, application, journey, "address")
    return _question(request, journey, "parking/postcode.html", application, form)


@question("address")
def address(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    addresses = residential_addresses_at_postcode(postcode=application.postcode)
    chosen = NOT_LISTED if application.address_not_listed else application.uprn
    form = AddressForm(_data(request), addresses=addresses, initial={"address": chosen})
    if request.method == "POST" and form.is_valid():
        picked = form.chosen
        services.application_answer_address(
            **who,
            uprn=picked.uprn if picked else None,
            address=picked.label if picked else "",
        )
        return _next(request, application, journey, "address")
    return _question(request, journey, "parking/address.html", application, form)


@question("address_lines")
def address_lines(request, application: PermitApplication, journey: Journey):
    """ "My address is not listed": what it is, so the officer who checks it knows where."""
    if not application.address_not_listed:
        return redirect(_step_url(application, journey, "applicant", change=_changing(request)))
    who = journey.who(request, application)
    typed = application.address_lines or {"postcode": application.postcode, "town": "London"}
    form = AddressLinesForm(_data(request), initial=typed)
    if request.method == "POST" and form.is_valid():
        services.application_answer_address_lines(**who, **form.cleaned_data)
        return _next(request, application, journey, "address_lines")
    return _question(request, journey, "parking/address_lines.html", application, form)


@question("applicant")
def applicant(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    born = application.date_of_birth
    initial = {"first_name": application.first_name, "last_name": application.last_name}
    if born:
        initial |= {"dob_day": born.day, "dob_month": born.month, "dob_year": born.year}
    form = ApplicantForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.application_answer_applicant(
            **who,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
        )
        return _next(request, application, journey, "applicant")
    return _question(request, journey, "parking/applicant.html", application, form)


@question("registration")
def registration(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    form = RegistrationForm(_data(request), initial={"registration": application.registration})
    if request.method == "POST" and form.is_valid():
        services.application_answer_registration(
            **who,
            registration=form.cleaned_data["registration"],
        )
        # Always on to confirm the vehicle, even from check your answers.
        return redirect(_step_url(application, journey, "vehicle", change=_changing(request)))
    return _question(request, journey, "parking/registration.html", application, form)


@question("vehicle")
def vehicle(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    pending = pending_applications_for_vehicle(
        user=application.user, registration=application.registration
    )
    if pending:
        return already_applied(request, application, journey, pending[0])
    if request.method == "POST":
        services.application_confirm_vehicle(**who)
        return _next(request, application, journey, "vehicle")
    return render(
        request,
        "parking/vehicle.html",
        {
            "application": application,
            "vehicle": application_vehicle(application),
            "change": _changing(request),
            "back_url": _back_url(application, journey, "vehicle", _changing(request)),
            "journey": journey,
        },
    )


def already_applied(request, application, journey: Journey, pending: PermitApplication):
    """The vehicle has one of the resident's applications still waiting (for proof, a person or
    a payment): never a second beside it. The resident carries on with that one, or withdraws
    it and carries on with this; an agent on the phone is told what the resident can do."""
    form = AlreadyAppliedForm(_data(request), pending_reference=pending.reference)
    error = ""
    if request.method == "POST" and not journey.assisted and form.is_valid():
        if form.cleaned_data["choice"] == form.CARRY_ON:
            return redirect(journey.url_name("application"), reference=pending.reference)
        try:
            services.application_withdraw(user=request.user, reference=pending.reference)
        except ApplicationNotWithdrawable as refused:
            error = refused.reason
        else:
            services.application_confirm_vehicle(**journey.who(request, application))
            return _next(request, application, journey, "vehicle")
    return render(
        request,
        "parking/already_applied.html",
        {
            "application": application,
            "pending": pending,
            "proof_due": services.application_proof_due(pending),
            "form": form,
            "error": error,
            "back_url": _back_url(application, journey, "vehicle", _changing(request)),
            "journey": journey,
        },
    )


@question("duration")
def duration(request, application: PermitApplication, journey: Journey):
    who = journey.who(request, application)
    starts = application.starts_on
    initial = {"months": application.months}
    if starts == timezone.localdate():
        initial["start"] = DurationForm.TODAY
    elif starts:
        initial |= {
            "start": DurationForm.ANOTHER_DATE,
            "start_day": starts.day,
            "start_month": starts.month,
            "start_year": starts.year,
        }
    form = DurationForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.application_answer_duration(
            **who,
            months=form.cleaned_data["months"],
            starts_on=form.cleaned_data["starts_on"],
        )
        return _next(request, application, journey, "duration")
    prices = {m: services.application_price(application=application, months=m) for m in DURATIONS}
    return _question(
        request,
        journey,
        "parking/duration.html",
        application,
        form,
        example_start=f"{timezone.localdate() + timedelta(days=7):%-d %-m %Y}",
        month_choices=[(m, f"{m} months", prices[m]) for m in DURATIONS],
    )


@question(None)
def check_answers(request, application: PermitApplication, journey: Journey):
    return check_answers_page(request, application, journey)


def check_answers_page(request, application: PermitApplication, journey: Journey, **context):
    """Check your answers, with the price quoted now (and kept on the draft). `context`: what
    the page shows besides (a refused submission's message, the declaration with its error)."""
    quoted = services.application_quote(**journey.who(request, application))
    return render(
        request,
        journey.check_template,
        {
            "application": application,
            "price": quoted,
            "vehicle": application_vehicle(application),
            "back_url": _step_url(application, journey, "duration"),
            "journey": journey,
            **journey.check_context(),
            **context,
        },
    )


# Each page's URL after the application's: the same for every journey.
ROUTES = {
    "postcode": ("postcode/", postcode),
    "address": ("address/", address),
    "address_lines": ("address/not-listed/", address_lines),
    "applicant": ("name/", applicant),
    "registration": ("vehicle/", registration),
    "vehicle": ("vehicle/confirm/", vehicle),
    "duration": ("permit/", duration),
    "check_answers": ("check/", check_answers),
}


def question_urls(journey: Journey, application_route: str) -> list:
    """The question pages and check your answers for `journey`, under `application_route` (with
    a `<str:reference>`), named as journey.url_name names them in the including namespace."""
    return [
        path(
            f"{application_route}{route}",
            view,
            {"journey": journey},
            name=journey.url_name(page).partition(":")[2],
        )
        for page, (route, view) in ROUTES.items()
    ]


def application_vehicle(application: PermitApplication) -> Vehicle | None:
    """The vehicle as the records gave it, or as a parking officer typed it from its V5C."""
    if application.vehicle_lookup not in (Lookup.FOUND, Lookup.V5C):
        return None
    return Vehicle.from_dvla(application.vehicle) if application.vehicle else None


Lookup = PermitApplication.VehicleLookup


# --- Helpers -----------------------------------------------------------------------------------


def _data(request):
    """The form's data: bound on a POST even when nothing was chosen (an empty POST is falsy)."""
    return request.POST if request.method == "POST" else None


def _changing(request) -> bool:
    return request.GET.get("change") == "1"


def _step_url(application: PermitApplication, journey: Journey, step: str, *, change=False):
    url = reverse(journey.url_name(step), kwargs={"reference": application.reference})
    return url + "?change=1" if change else url


def _next(request, application: PermitApplication, journey: Journey, step: str):
    """After an answer: back to check your answers when changing one, otherwise the next
    question (or check your answers when none is left unanswered)."""
    application.refresh_from_db()
    missing = services.application_first_unanswered(application)
    if missing is not None:
        return redirect(_step_url(application, journey, missing, change=_changing(request)))
    if _changing(request) or ORDER.index(step) == len(ORDER) - 1:
        return redirect(journey.url_name("check_answers"), reference=application.reference)
    return redirect(_step_url(application, journey, _after(application, step)))


def _after(application: PermitApplication, step: str) -> str:
    """The question after `step`: the address's lines only for an address not listed."""
    following = ORDER[ORDER.index(step) + 1]
    if following == "address_lines" and not application.address_not_listed:
        return _after(application, following)
    return following


def _before(application: PermitApplication, step: str) -> str:
    previous = ORDER[ORDER.index(step) - 1]
    if previous == "address_lines" and not application.address_not_listed:
        return _before(application, previous)
    return previous


def _back_url(application: PermitApplication, journey: Journey, step: str, change: bool) -> str:
    if change:
        return _step_url(application, journey, "check_answers")
    if ORDER.index(step) == 0:
        return reverse(journey.start_url_name)
    return _step_url(application, journey, _before(application, step))


def _question(request, journey: Journey, template: str, application, form, **context):
    change = _changing(request)
    return render(
        request,
        template,
        {
            "application": application,
            "form": form,
            "change": change,
            "back_url": _back_url(application, journey, _step_of(template), change),
            "journey": journey,
            **context,
        },
    )


def _step_of(template: str) -> str:
    return template.removeprefix("parking/").removesuffix(".html")
