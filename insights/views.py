"""The analysts' pages: a what-if's form (GET, so a result is a link to share) and its result
(worked out by insights.whatifs), with charts drawn on the server and a table beside each, and
what the figures rest on. The saved scenarios' pages are in scenario_views."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from parking.pricing import NoTariffInForce

from . import selectors
from .council_tax_whatif import RATES
from .figures import COUNCIL_TAX, TARIFF, Figures, charts, for_page
from .forms import CouncilTaxChangeForm, ScenarioSaveForm, TariffChangeForm
from .permissions import INSIGHTS_VIEW
from .whatifs import run_council_tax, run_tariff

analyst_only = permission_required(INSIGHTS_VIEW, raise_exception=True)


@login_required
@analyst_only
def home(request):
    return render(request, "insights/home.html")


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


# --- Council tax ------------------------------------------------------------------------------


@login_required
@analyst_only
def council_tax(request):
    form = CouncilTaxChangeForm(request.GET or None)
    return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})


@login_required
@analyst_only
def council_tax_result(request):
    form, figures = run_council_tax(request.GET)
    if figures is None:
        return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})
    return _result(request, "insights/council_tax_result.html", figures, kind=COUNCIL_TAX)
