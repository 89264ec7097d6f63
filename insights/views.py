"""The analysts' pages: a what-if's form (GET, so a result is a link to share) and its result,
with charts drawn on the server and a table beside each, and what the figures rest on."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.pricing import NoTariffInForce, TariffRates

from . import selectors
from .charts import bar_chart
from .council_tax_whatif import NOT_ASSESSED_WORDS, RATES, council_tax_whatif
from .forms import CouncilTaxChangeForm, TariffChangeForm
from .permissions import INSIGHTS_VIEW
from .tariff_whatif import NEW_BAND_LABEL, NOT_PRICED_WORDS, UNKNOWN, Tariffs, tariff_whatif
from .trust import feed_label, feed_slug

analyst_only = permission_required(INSIGHTS_VIEW, raise_exception=True)


@login_required
@analyst_only
def home(request):
    return render(request, "insights/home.html")


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
    current = _tariff_or_none()
    if current is None:
        return render(request, "insights/no_tariff.html")
    form = TariffChangeForm(request.GET, tariff=current, zones=selectors.zones())
    if not form.is_valid():
        return render(request, "insights/tariff_form.html", {"form": form, "tariff": current})
    borough, zones = form.proposed_tariffs()
    result = tariff_whatif(
        selectors.live_permit_facts(),
        current=Tariffs(current),
        proposed=Tariffs(borough, zones),
    )
    records = selectors.records_as_of(feeds=selectors.PERMIT_FEEDS)
    return render(
        request,
        "insights/tariff_result.html",
        {
            "result": result,
            "changes": tariff_changes(
                current,
                borough,
                zone=form.cleaned_data["zone"],
                percent=form.cleaned_data["zone_percent"],
            ),
            "coverage": permit_coverage(result.coverage),
            "records": _records_context(records),
            "query": request.GET.urlencode(),
            "charts": {
                "buckets": bar_chart(
                    id="chart-households",
                    title="Households by how much their year's permits would change",
                    description="Bar chart of the number of households in each band of change "
                    "to what they pay for permits in a year. The table beside it has the same "
                    "numbers.",
                    category_axis="Change in a year",
                    value_axis="Households",
                    items=[(b.label, b.count, f"{b.count:,}") for b in result.buckets],
                    tick_text=lambda v: f"{v:,}",
                ),
                "zones": _revenue_chart(
                    "chart-zones",
                    "Change in a year's permit revenue by zone",
                    "Zone",
                    [(_zone(g.label), g.change_pence) for g in result.by_zone],
                ),
                "vehicles": _revenue_chart(
                    "chart-vehicles",
                    "Change in a year's permit revenue by kind of vehicle",
                    "Kind of vehicle",
                    [(g.label, g.change_pence) for g in result.by_vehicle],
                ),
            },
        },
    )


def _zone(label: str) -> str:
    return label if label == UNKNOWN else f"Zone {label}"


def _revenue_chart(id_, title, category, items):
    return bar_chart(
        id=id_,
        title=title,
        description=f"Bar chart of the change in a year's revenue, in pounds, for each "
        f"{category.lower()}; a bar left of zero is a fall. The table beside it has the same "
        "numbers.",
        category_axis=category,
        value_axis="Change in a year's revenue (£)",
        items=[(label, pence, _signed(pence)) for label, pence in items],
        tick_text=lambda v: _signed(v, whole=True),
    )


def _signed(pence: int, *, whole: bool = False) -> str:
    text = pounds(pence)
    if whole and text.endswith(".00"):
        text = text[:-3]
    return f"+{text}" if pence > 0 else text


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
    if zone:
        lines.append(f"Zone {zone} has its own tariff: {percent}% of the borough's band prices")
    return lines


def _share(part: int, whole: int) -> str:
    """A share as people say it: "12%", "less than 1%"."""
    if not whole or not part:
        return "0%"
    percent = round(100 * part / whole)
    if percent == 0:
        return "less than 1%"
    if percent == 100 and part != whole:
        return "more than 99%"
    return f"{percent}%"


def permit_coverage(coverage) -> dict:
    reasons = [
        {
            "count": count,
            "share": _share(count, coverage.live),
            "why": NOT_PRICED_WORDS[reason],
        }
        for reason, count in coverage.not_priced
    ]
    return {
        "total": coverage.live,
        "done": coverage.priced,
        "done_share": _share(coverage.priced, coverage.live),
        "missed": coverage.not_priced_total,
        "missed_share": _share(coverage.not_priced_total, coverage.live),
        "reasons": reasons,
    }


def _records_context(records: selectors.RecordsAsOf) -> dict:
    now = timezone.now()
    days = records.days_old(now)
    return {
        "as_of": records.as_of,
        "days_old": days,
        "stale": days is not None and days > settings.RECORDS_MAX_AGE_DAYS,
        "max_age_days": settings.RECORDS_MAX_AGE_DAYS,
        "feeds": [feed.replace("_", " ") for feed in records.needed],
        # How far to trust this: each feed's quality page (its rejected rows and their reasons).
        "quality": [
            {"label": feed_label(feed), "slug": feed_slug(feed)} for feed in records.needed
        ],
    }


# --- Council tax ------------------------------------------------------------------------------


@login_required
@analyst_only
def council_tax(request):
    form = CouncilTaxChangeForm(request.GET or None)
    return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})


@login_required
@analyst_only
def council_tax_result(request):
    form = CouncilTaxChangeForm(request.GET)
    if not form.is_valid():
        return render(request, "insights/council_tax_form.html", {"form": form, "rates": RATES})
    code, percent = form.cleaned_data["code"], form.cleaned_data["percent"]
    today = timezone.localdate()
    result = council_tax_whatif(
        selectors.accounts_with_code(code=code, today=today),
        code=code,
        percent=percent,
        today=today,
    )
    coverage = result.coverage
    records = selectors.records_as_of(feeds=selectors.COUNCIL_TAX_FEEDS)
    in_arrears = sum(1 for item in result.assessed if item.change_pence and item.in_arrears)
    return render(
        request,
        "insights/council_tax_result.html",
        {
            "result": result,
            "rate": result.rate,
            "in_arrears": in_arrears,
            "in_arrears_share": _share(in_arrears, result.affected),
            "coverage": {
                "total": coverage.carrying,
                "done": coverage.assessed,
                "done_share": _share(coverage.assessed, coverage.carrying),
                "missed": coverage.not_assessed_total,
                "missed_share": _share(coverage.not_assessed_total, coverage.carrying),
                "reasons": [
                    {
                        "count": count,
                        "share": _share(count, coverage.carrying),
                        "why": NOT_ASSESSED_WORDS[reason],
                    }
                    for reason, count in coverage.not_assessed
                ],
            },
            "records": _records_context(records),
            "query": request.GET.urlencode(),
            "charts": {
                "buckets": bar_chart(
                    id="chart-accounts",
                    title="Accounts by how much this year's bill would change",
                    description="Bar chart of the number of accounts in each band of change to "
                    "this year's bill. The table beside it has the same numbers.",
                    category_axis="Change to this year's bill",
                    value_axis="Accounts",
                    items=[(b.label, b.count, f"{b.count:,}") for b in result.buckets],
                    tick_text=lambda v: f"{v:,}",
                ),
                "bands": _revenue_chart(
                    "chart-bands",
                    "Change in this year's council tax revenue by band",
                    "Council tax band",
                    [(f"Band {g.label}", g.change_pence) for g in result.by_band],
                ),
            },
        },
    )
