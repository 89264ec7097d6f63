"""Saved scenarios: save a what-if under a name, list them, read one as a committee paper (it
prints: title, date, what was assumed, each chart with its table, how far to trust it), set two
or more side by side, and take any of it away as a CSV file."""

from __future__ import annotations

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from hackney_portal.spreadsheets import plain_pounds, spreadsheet_safe
from parking.pricing import NoTariffInForce

from .figures import COUNCIL_TAX, POUNDS, TARIFF, charts, compare, for_page, revenue_chart
from .forms import ScenarioCompareForm, ScenarioSaveForm
from .models import Scenario
from .scenarios import ScenarioNameTaken, scenario_delete, scenario_save
from .views import analyst_only
from .whatifs import run_council_tax, run_tariff

RESULT_URL = {TARIFF: "insights:tariff_result", COUNCIL_TAX: "insights:council_tax_result"}


@login_required
@analyst_only
@require_POST
def save(request):
    form = ScenarioSaveForm(request.POST)
    if not form.is_valid():
        if "kind" in form.errors or "query" in form.errors:
            return _cannot_run_again(request)
        return render(request, "insights/scenario_save.html", {"form": form}, status=200)
    kind, query = form.cleaned_data["kind"], form.cleaned_data["query"]
    # Worked out again from the what-if's answers: figures are never taken from the browser.
    run = run_tariff if kind == TARIFF else run_council_tax
    try:
        _whatif, figures = run(QueryDict(query))
    except NoTariffInForce:
        return render(request, "insights/no_tariff.html")
    if figures is None:
        return _cannot_run_again(request)
    try:
        scenario = scenario_save(
            name=form.cleaned_data["name"],
            kind=kind,
            query=query,
            figures=figures,
            user=request.user,
        )
    except ScenarioNameTaken:
        form.add_error("name", "A scenario with that name was saved a moment ago: choose another")
        return render(request, "insights/scenario_save.html", {"form": form})
    messages.success(request, f"Scenario \u201c{scenario.name}\u201d saved.")
    return redirect("insights:scenario", pk=scenario.pk)


def _cannot_run_again(request):
    return render(request, "insights/scenario_cannot_save.html", status=400)


@login_required
@analyst_only
def scenario_list(request):
    return _list(request, ScenarioCompareForm())


def _list(request, compare_form, *, status=200):
    scenarios = Scenario.objects.select_related("saved_by")
    chosen = {str(pk) for pk in request.GET.getlist("s")}
    return render(
        request,
        "insights/scenarios.html",
        {
            "scenarios": [(s, str(s.pk) in chosen) for s in scenarios],
            "form": compare_form,
            "kinds": Scenario.Kind,
        },
        status=status,
    )


def _scenario(pk: int) -> Scenario:
    return get_object_or_404(Scenario.objects.select_related("saved_by"), pk=pk)


@login_required
@analyst_only
def scenario(request, pk: int):
    scenario = _scenario(pk)
    return render(
        request,
        "insights/scenario.html",
        {
            "scenario": scenario,
            "result": for_page(scenario.figures),
            "charts": charts(scenario.figures),
            "run_again": f"{reverse(RESULT_URL[scenario.kind])}?{scenario.query}",
            "can_delete": scenario.saved_by_id == request.user.pk,
        },
    )


@login_required
@analyst_only
def scenario_csv(request, pk: int):
    scenario = _scenario(pk)
    return _csv_response([scenario], f"scenario-{slugify(scenario.name)[:60] or scenario.pk}")


@login_required
@analyst_only
def delete(request, pk: int):
    scenario = _scenario(pk)
    # A scenario is its author's to delete: a colleague's may be in a committee's papers.
    if scenario.saved_by_id != request.user.pk:
        status = 403 if request.method == "POST" else 200
        context = {"scenario": scenario, "not_yours": True}
        return render(request, "insights/scenario_delete.html", context, status=status)
    if request.method == "POST":
        scenario_delete(scenario=scenario)
        messages.success(request, f"Scenario \u201c{scenario.name}\u201d deleted.")
        return redirect("insights:scenarios")
    return render(request, "insights/scenario_delete.html", {"scenario": scenario})


def _compared(request):
    """The chosen scenarios, or the list page with the reason they cannot be compared."""
    form = ScenarioCompareForm(request.GET)
    if not form.is_valid():
        return None, _list(request, form)
    return form.cleaned_data["s"], None


@login_required
@analyst_only
def compare_page(request):
    scenarios, refused = _compared(request)
    if refused:
        return refused
    lines = compare([s.figures for s in scenarios])
    return render(
        request,
        "insights/compare.html",
        {
            "scenarios": scenarios,
            "kind": scenarios[0].get_kind_display(),
            "lines": [line for line in lines if line.headline],
            "query": urlencode([("s", s.pk) for s in scenarios]),
            "dates_differ": len({s.records_as_of for s in scenarios}) > 1,
            "chart": revenue_chart(
                "chart-compared",
                "Change in a year's revenue by scenario",
                "Scenario",
                [(s.name, s.revenue_change_pence) for s in scenarios],
            ),
        },
    )


@login_required
@analyst_only
def compare_csv(request):
    scenarios, refused = _compared(request)
    if refused:
        return refused
    return _csv_response(scenarios, "scenarios-compared")


def _csv_response(scenarios: list[Scenario], name: str) -> HttpResponse:
    """Every figure of the scenarios, a row each and a column per scenario: pounds as plain
    numbers, counts as whole numbers, for a spreadsheet. What each assumed and when comes
    first."""
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["section", "item", "figure", *(spreadsheet_safe(s.name) for s in scenarios)])
    writer.writerow(["Scenario", "", "Kind", *(s.get_kind_display() for s in scenarios)])
    writer.writerow(
        ["Scenario", "", "Saved on", *(timezone.localtime(s.saved_at).date() for s in scenarios)]
    )
    tried = [s.figures["changes"] for s in scenarios]
    for i in range(max(len(changes) for changes in tried)):
        row = [changes[i] if i < len(changes) else "" for changes in tried]
        writer.writerow(["Scenario", "", "What was tried", *(spreadsheet_safe(c) for c in row)])
    for line in compare([s.figures for s in scenarios]):
        writer.writerow(
            [
                line.section,
                spreadsheet_safe(line.label),
                line.measure,
                *(_cell(line.unit, value) for value in line.values),
            ]
        )
    return response


def _cell(unit: str, value) -> str | int:
    if value is None:
        return ""
    if unit == POUNDS:
        return plain_pounds(value)
    return spreadsheet_safe(value) if isinstance(value, str) else value
