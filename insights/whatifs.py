"""Working out a what-if from its form's answers (a result page's query string): the figures
its page shows and a saved scenario keeps. Shared by the result pages, saving a scenario (which
works it out again rather than trust figures from the browser) and the demo's scenarios."""

from django.utils import timezone

from hackney_portal.templatetags.portal import pounds
from parking.pricing import TariffRates

from . import selectors
from .council_tax_whatif import council_tax_whatif
from .figures import Figures, council_tax_figures, records_figures, tariff_figures
from .forms import CouncilTaxChangeForm, TariffChangeForm
from .tariff_whatif import NEW_BAND_LABEL, Tariffs, tariff_whatif


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


def _records(feeds: tuple[str, ...]) -> dict:
    """What a what-if's figures rest on: the records' date, each feed's last file in words."""
    return records_figures(
        selectors.records_as_of(feeds=feeds),
        last_runs=selectors.feeds_last_runs(feeds=feeds),
        now=timezone.now(),
    )


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
