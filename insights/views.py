"""The analysts' pages: a what-if's form (GET, so a result is a link to share) and its result,
with charts drawn on the server and a table beside each, and what the figures rest on. The
saved scenarios' pages are in scenario_views."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.pricing import NoTariffInForce, TariffRates

from . import selectors
from .council_tax_whatif import RATES, council_tax_whatif
from .figures import (
    COUNCIL_TAX,
    TARIFF,
    Figures,
    charts,
    council_tax_figures,
    for_page,
    records_figures,
    tariff_figures,
)
from .forms import CouncilTaxChangeForm, ScenarioSaveForm, TariffChangeForm
from .permissions import INSIGHTS_VIEW
from .tariff_whatif import NEW_BAND_LABEL, Tariffs, tariff_whatif

analyst_only = permission_required(INSIGHTS_VIEW, raise_exception=True)


@login_required
@analyst_only
def home(request):
    return render(request, "insights/home.html")


def _records(feeds: tuple[str, ...]) -> dict:
    """What a what-if's figures rest on: the records' date, each feed's last file in words."""
    return records_figures(
        selectors.records_as_of(feeds=feeds),
        last_runs=selectors.feeds_last_runs(feeds=feeds),
        now=timezone.now(),
    )


def _result(request, template: str, figures: Figures, *, kind: str):
    """A what-if's result page, with the form to save it as a scenario."""
    query = request.GET.urlencode()
    return render(
        request,
        template,
        {
            "result": for_page(figures),
            "charts": charts(figures),
            "query": query,
            "save_form": ScenarioSaveForm(initial={"kind": kind, "query": query}),
        },
    )


# --- The permit tariff ------------------------------------------------------------------------


def _tariff_or_none():
    try:
        return selectors.tariff_now()
    except NoTariffInForce:
        return None


@login_required
@analyst_only
def tariff(request):
    """The form, filled in with the tariff in force (or with the what-if being changed)."""
    current = _tariff_or_none()
    if current is None:
        return render(request, "insights/no_tariff.html")
    form = TariffChangeForm(request.GET or None, tariff=current, zones=selectors.zones())
    return render(request, "insights/tariff_form.html", {"form": form, "tariff": current})


def run_tariff(data) -> tuple[TariffChangeForm, Figures | None]:
    """The tariff what-if for the form's answers in `data`: its figures, or None when the
    form's errors say why not. Raises NoTariffInForce."""
    current = selectors.tariff_now()
    form = TariffChangeForm(data, tariff=current, zones=selectors.zones())
    if not form.is_valid():
        return form, None
    borough, zones = form.proposed_tariffs()
    result = tariff_whatif(
        selectors.live_permit_facts(),
        current=Tariffs(current),
        proposed=Tariffs(borough, zones),
    )
    changes = tariff_changes(
        current, borough, zone=form.cleaned_data["zone"], percent=form.cleaned_data["zone_percent"]
    )
    return form, tariff_figures(result, changes=changes, records=_records(selectors.PERMIT_FEEDS))


@login_required
@analyst_only
def tariff_result(request):
    try:
        form, figures = run_tariff(request.GET)
    except NoTariffInForce:
        return render(request, "insights/no_tariff.html")
    if figures is None:
        return render(request, "insights/tariff_form.html", {"form": form, "tariff": form.tariff})
    return _result(request, "insights/tariff_result.html", figures, kind=TARIFF)


def tariff_changes(
    current: TariffRates, borough: TariffRates, *, zone: str = "", percent: int | None = None
) -> list[str]:
    """What the what-if changed, in words, part by part."""
    lines = []
    kept = [b for b in borough.emission_bands if b.label != NEW_BAND_LABEL]
    for i, (old, new) in enumerate(zip(current.emission_bands, kept, strict=True)):
        name = old.label or f"Band {i + 1}"
        if old.annual_pence != new.annual_pence:
            lines.append(f"{name}: {pounds(old.annual_pence)} to {pounds(new.annual_pence)} a year")
        if old.max_co2 != new.max_co2:
            lines.append(f"{name}: up to {old.max_co2} g/km to up to {new.max_co2} g/km")
    for band in borough.emission_bands:
        if band.label == NEW_BAND_LABEL:
            lines.append(f"A new band up to {band.max_co2} g/km at {pounds(band.annual_pence)}")
    pairs = zip(current.engine_size_bands, borough.engine_size_bands, strict=True)
    for i, (old, new) in enumerate(pairs):
        name = f"Engine size band {i + 1}"
        if old.annual_pence != new.annual_pence:
            lines.append(f"{name}: {pounds(old.annual_pence)} to {pounds(new.annual_pence)} a year")
        if old.max_cc != new.max_cc:
            lines.append(f"{name}: up to {old.max_cc:,}cc to up to {new.max_cc:,}cc")
    for name, old, new in (
        ("Diesel surcharge", current.diesel_surcharge_pence, borough.diesel_surcharge_pence),
        (
            "Further-permit surcharge",
            current.additional_permit_surcharge_pence,
            borough.additional_permit_surcharge_pence,
        ),
    ):
        if old != new:
            lines.append(f"{name}: {pounds(old)} to {pounds(new)} a year")
    for months, old, new in (
        (3, current.three_month_percent, borough.three_month_percent),
        (6, current.six_month_percent, borough.six_month_percent),
    ):
        if old != new:
            lines.append(f"A {months}-month permit: {old}% to {new}% of a year's price")
    if zone:
        lines.append(f"Zone {zone} has its own tariff: {percent}% of the borough's band prices")
    return lines


# --- Council tax ------------------------------------------------------------------------------


@login_required
@analyst_only
def council_tax(request):
    form = CouncilTaxChangeForm(request.GET or None)
    return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})


def run_council_tax(data) -> tuple[CouncilTaxChangeForm, Figures | None]:
    """The council tax what-if for the form's answers in `data`, as run_tariff."""
    form = CouncilTaxChangeForm(data)
    if not form.is_valid():
        return form, None
    today = timezone.localdate()
    code = form.cleaned_data["code"]
    result = council_tax_whatif(
        selectors.accounts_with_code(code=code, today=today),
        code=code,
        percent=form.cleaned_data["percent"],
        today=today,
    )
    return form, council_tax_figures(result, records=_records(selectors.COUNCIL_TAX_FEEDS))


@login_required
@analyst_only
def council_tax_result(request):
    form, figures = run_council_tax(request.GET)
    if figures is None:
        return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})
    return _result(request, "insights/council_tax_result.html", figures, kind=COUNCIL_TAX)
