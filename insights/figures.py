"""A what-if's figures as plain data: what its result page shows, what a saved scenario keeps
(JSON, so a committee paper can be printed again years later exactly as it was first read),
and the rows a comparison and a CSV file are made of.

One shape for both what-ifs' pages, live or saved: the templates read these dictionaries, and
the charts are drawn from them, so a saved scenario looks the same as the result it was saved
from. Every sum is in pence; every date is ISO 8601 text (JSON has no dates) until
`for_page` turns it back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone

from hackney_portal.templatetags.portal import long_date, pounds

from .charts import Chart, bar_chart
from .council_tax_whatif import NOT_ASSESSED_WORDS, CouncilTaxResult
from .models import Scenario
from .selectors import RecordsAsOf
from .tariff_whatif import NOT_PRICED_WORDS, UNKNOWN, TariffResult
from .trust import feed_label, feed_slug, share

TARIFF, COUNCIL_TAX = Scenario.Kind.TARIFF.value, Scenario.Kind.COUNCIL_TAX.value

Figures = dict[str, Any]


# --- From a result ----------------------------------------------------------------------------


def tariff_figures(result: TariffResult, *, changes: list[str], records: dict) -> Figures:
    coverage = result.coverage
    return {
        "kind": TARIFF,
        "changes": changes,
        "everyone": _tariff_group(result.everyone),
        "buckets": [{"label": b.label, "count": b.count} for b in result.buckets],
        "by_zone": [_tariff_group(g) for g in result.by_zone],
        "by_vehicle": [_tariff_group(g) for g in result.by_vehicle],
        "by_ward": [_tariff_group(g) for g in result.by_ward],
        "by_band": [_tariff_group(g) for g in result.by_band],
        "coverage": _coverage(
            total=coverage.live,
            done=coverage.priced,
            reasons=[(NOT_PRICED_WORDS[why], count) for why, count in coverage.not_priced],
        ),
        "records": records,
    }


def _tariff_group(group) -> dict:
    return {
        "label": group.label,
        "permits": group.permits,
        "households": group.households,
        "more": group.more,
        "less": group.less,
        "same": group.same,
        "before_pence": group.before_pence,
        "after_pence": group.after_pence,
        "change_pence": group.change_pence,
    }


def council_tax_figures(result: CouncilTaxResult, *, records: dict) -> Figures:
    coverage = result.coverage
    in_arrears = sum(1 for item in result.assessed if item.change_pence and item.in_arrears)
    rate = result.rate
    return {
        "kind": COUNCIL_TAX,
        "rate": {
            "code": rate.code,
            "name": rate.name,
            "kind": str(rate.kind),
            "percent": rate.percent,
        },
        "percent": result.percent,
        "changes": [f"{rate.name} ({rate.code}): {rate.percent}% to {result.percent}%"],
        "affected": result.affected,
        "in_arrears": in_arrears,
        "in_arrears_share": share(in_arrears, result.affected),
        "everyone": _council_tax_group(result.everyone),
        "buckets": [{"label": b.label, "count": b.count} for b in result.buckets],
        "by_band": [_council_tax_group(g) for g in result.by_band],
        "by_ward": [_council_tax_group(g) for g in result.by_ward],
        "coverage": _coverage(
            total=coverage.carrying,
            done=coverage.assessed,
            reasons=[(NOT_ASSESSED_WORDS[why], count) for why, count in coverage.not_assessed],
        ),
        "records": records,
    }


def _council_tax_group(group) -> dict:
    return {
        "label": group.label,
        "accounts": group.accounts,
        "in_arrears": group.in_arrears,
        "change_pence": group.change_pence,
        "smallest_pence": group.smallest_pence,
        "largest_pence": group.largest_pence,
        "average_pence": group.average_pence,
    }


def _coverage(*, total: int, done: int, reasons: list[tuple[str, int]]) -> dict:
    """How many it could use, and why not the rest, in words (templates/insights/_coverage)."""
    return {
        "total": total,
        "done": done,
        "done_share": share(done, total),
        "missed": total - done,
        "missed_share": share(total - done, total),
        "reasons": [{"count": n, "share": share(n, total), "why": why} for why, n in reasons],
    }


def records_figures(records: RecordsAsOf, *, last_runs: dict, now: datetime) -> dict:
    """What the figures rest on: how old the records are, and how much of each feed's last file
    was left out, in words ("The last people file … left out 120 of its 50,210 rows")."""
    days = records.days_old(now)
    as_of = records.as_of
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "days_old": days,
        "stale": days is not None and days > settings.RECORDS_MAX_AGE_DAYS,
        "max_age_days": settings.RECORDS_MAX_AGE_DAYS,
        "feeds": [feed.replace("_", " ") for feed in records.needed],
        # How far to trust this: each feed's quality page (its rejected rows and their reasons).
        "quality": [
            {
                "label": feed_label(feed),
                "slug": feed_slug(feed),
                "rejected": _rejected_words(feed, last_runs.get(feed)),
            }
            for feed in records.needed
        ],
    }


def _rejected_words(feed: str, run) -> str:
    name = feed.replace("_", " ")
    if run is None:
        return f"No {name} file has been brought in."
    when = long_date(timezone.localtime(run.finished_at))
    if not run.rows_rejected:
        return (
            f"The last {name} file, brought in on {when}, left out none of its "
            f"{run.rows_read:,} rows."
        )
    return (
        f"The last {name} file, brought in on {when}, left out {run.rows_rejected:,} of its "
        f"{run.rows_read:,} rows ({share(run.rows_rejected, run.rows_read)})."
    )


def for_page(figures: Figures) -> Figures:
    """The figures as the templates read them: the records' date as a date again."""
    records = figures["records"]
    as_of = records["as_of"]
    return {
        **figures,
        "records": {**records, "as_of": datetime.fromisoformat(as_of) if as_of else None},
    }


# --- Charts -------------------------------------------------------------------------------------


def charts(figures: Figures, *, prefix: str = "chart") -> dict[str, Chart]:
    """The charts of a what-if's page, from its figures. `prefix` keeps the SVGs' ids apart when
    a page holds more than one set."""
    if figures["kind"] == TARIFF:
        return {
            "buckets": _count_chart(
                f"{prefix}-households",
                "Households by how much their year's permits would change",
                "households in each band of change to what they pay for permits in a year",
                "Change in a year",
                "Households",
                figures["buckets"],
            ),
            "zones": revenue_chart(
                f"{prefix}-zones",
                "Change in a year's permit revenue by zone",
                "Zone",
                [(zone_name(g["label"]), g["change_pence"]) for g in figures["by_zone"]],
            ),
            "vehicles": revenue_chart(
                f"{prefix}-vehicles",
                "Change in a year's permit revenue by kind of vehicle",
                "Kind of vehicle",
                [(g["label"], g["change_pence"]) for g in figures["by_vehicle"]],
            ),
        }
    return {
        "buckets": _count_chart(
            f"{prefix}-accounts",
            "Accounts by how much this year's bill would change",
            "accounts in each band of change to this year's bill",
            "Change to this year's bill",
            "Accounts",
            figures["buckets"],
        ),
        "bands": revenue_chart(
            f"{prefix}-bands",
            "Change in this year's council tax revenue by band",
            "Council tax band",
            [(band_name(g["label"]), g["change_pence"]) for g in figures["by_band"]],
        ),
    }


def _count_chart(id_, title, what, category, value, buckets) -> Chart:
    return bar_chart(
        id=id_,
        title=title,
        description=f"Bar chart of the number of {what}. The table beside it has the same numbers.",
        category_axis=category,
        value_axis=value,
        items=[(b["label"], b["count"], f"{b['count']:,}") for b in buckets],
        tick_text=lambda v: f"{v:,}",
    )


def revenue_chart(id_, title, category, items) -> Chart:
    return bar_chart(
        id=id_,
        title=title,
        description=f"Bar chart of the change in a year's revenue, in pounds, for each "
        f"{category.lower()}; a bar left of zero is a fall. The table beside it has the same "
        "numbers.",
        category_axis=category,
        value_axis="Change in a year's revenue (£)",
        items=[(label, pence, signed_pounds(pence)) for label, pence in items],
        tick_text=lambda v: signed_pounds(v, whole=True),
    )


def zone_name(label: str) -> str:
    return label if label == UNKNOWN else f"Zone {label}"


def band_name(label: str) -> str:
    return label if label == UNKNOWN else f"Band {label}"


def signed_pounds(pence: int, *, whole: bool = False) -> str:
    text = pounds(pence)
    if whole and text.endswith(".00"):
        text = text[:-3]
    return f"+{text}" if pence > 0 else text


# --- Rows: a comparison's table and a CSV file ------------------------------------------------

POUNDS, COUNT, PERCENT, TEXT = "pounds", "count", "percent", "text"


class Row(NamedTuple):
    section: str
    label: str  # the zone, ward, band, bucket… ("" for the section's own figure)
    measure: str
    unit: str  # POUNDS (pence), COUNT, PERCENT or TEXT
    value: int | str | None
    headline: bool = False  # shown in the side-by-side table on the page (every row is in CSV)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.section, self.label, self.measure)


def rows(figures: Figures) -> list[Row]:
    """Every figure of a what-if, one per row, in the order its page shows them."""
    if figures["kind"] == TARIFF:
        return _tariff_rows(figures)
    return _council_tax_rows(figures)


def _tariff_rows(f: Figures) -> list[Row]:
    everyone = f["everyone"]
    out = [
        Row("In a year", "", "Permit revenue now", POUNDS, everyone["before_pence"], True),
        Row("In a year", "", "Permit revenue after", POUNDS, everyone["after_pence"], True),
        Row("In a year", "", "Change in revenue", POUNDS, everyone["change_pence"], True),
        Row("In a year", "", "Households paying more", COUNT, everyone["more"], True),
        Row("In a year", "", "Households paying less", COUNT, everyone["less"], True),
        Row("In a year", "", "Households paying the same", COUNT, everyone["same"], True),
    ]
    out += _bucket_rows("Households by the change in a year", "Households", f["buckets"])
    for section, key, name in (
        ("By zone", "by_zone", zone_name),
        ("By kind of vehicle", "by_vehicle", str),
        ("By council tax band", "by_band", band_name),
        ("By ward", "by_ward", str),
    ):
        headline = key != "by_ward"  # wards are many: in the CSV file, not the page's table
        for group in f[key]:
            label = name(group["label"])
            out += [
                Row(section, label, "Permits", COUNT, group["permits"]),
                Row(section, label, "Households", COUNT, group["households"]),
                Row(section, label, "Households paying more", COUNT, group["more"]),
                Row(section, label, "Households paying less", COUNT, group["less"]),
                Row(section, label, "Households paying the same", COUNT, group["same"]),
                Row(section, label, "A year now", POUNDS, group["before_pence"]),
                Row(section, label, "A year after", POUNDS, group["after_pence"]),
                Row(section, label, "Change in revenue", POUNDS, group["change_pence"], headline),
            ]
    return out + _coverage_rows(f, "Live permits", "Priced")


def _council_tax_rows(f: Figures) -> list[Row]:
    everyone, rate = f["everyone"], f["rate"]
    section = "This year"
    out = [
        Row(section, "", "Discount or premium", TEXT, f"{rate['name']} ({rate['code']})", True),
        Row(section, "", "Percentage now", PERCENT, rate["percent"], True),
        Row(section, "", "Percentage tried", PERCENT, f["percent"], True),
        Row(section, "", "Accounts whose bill would change", COUNT, f["affected"], True),
        Row(section, "", "Change in revenue", POUNDS, everyone["change_pence"], True),
        Row(section, "", "Smallest change to a bill", POUNDS, everyone["smallest_pence"], True),
        Row(section, "", "Largest change to a bill", POUNDS, everyone["largest_pence"], True),
        Row(section, "", "Average change to a bill", POUNDS, everyone["average_pence"], True),
        Row(section, "", "Of them, already in arrears", COUNT, f["in_arrears"], True),
    ]
    out += _bucket_rows("Accounts by the change to this year's bill", "Accounts", f["buckets"])
    for section, key in (("By council tax band", "by_band"), ("By ward", "by_ward")):
        headline = key != "by_ward"
        for group in f[key]:
            label = band_name(group["label"]) if key == "by_band" else group["label"]
            out += [
                Row(section, label, "Accounts", COUNT, group["accounts"]),
                Row(section, label, "In arrears", COUNT, group["in_arrears"]),
                Row(section, label, "Change in revenue", POUNDS, group["change_pence"], headline),
                Row(section, label, "Average change to a bill", POUNDS, group["average_pence"]),
            ]
    return out + _coverage_rows(f, "Live accounts carrying it", "Assessed")


def _bucket_rows(section: str, measure: str, buckets: Iterable[dict]) -> list[Row]:
    return [Row(section, b["label"], measure, COUNT, b["count"], True) for b in buckets]


def _coverage_rows(f: Figures, total: str, done: str) -> list[Row]:
    coverage, section = f["coverage"], "How far to trust these figures"
    out = [
        Row(section, "", total, COUNT, coverage["total"], True),
        Row(section, "", done, COUNT, coverage["done"], True),
        Row(section, "", f"Not {done.lower()}", COUNT, coverage["missed"], True),
    ]
    out += [
        Row(section, reason["why"], f"Not {done.lower()}", COUNT, reason["count"])
        for reason in coverage["reasons"]
    ]
    as_of = f["records"]["as_of"]
    # (In the CSV file; a comparison's page says each scenario's date in words.)
    out.append(Row(section, "", "Records as of", TEXT, as_of[:10] if as_of else "never"))
    return out


class Compared(NamedTuple):
    """One line of a comparison: a figure and its value in each scenario (None: not in it)."""

    section: str
    label: str
    measure: str
    unit: str
    values: tuple[int | str | None, ...]
    headline: bool


def compare(sets: Sequence[Figures]) -> list[Compared]:
    """The figures of several what-ifs of one kind, side by side: every figure any of them has,
    in the order they first appear (a zone one of them has no permits in is None in it)."""
    order: dict[tuple, Row] = {}
    values: list[dict[tuple, int | str | None]] = []
    for figures in sets:
        found = {}
        for row in rows(figures):
            order.setdefault(row.key, row)
            found[row.key] = row.value
        values.append(found)
    return [
        Compared(
            row.section,
            row.label,
            row.measure,
            row.unit,
            tuple(found.get(key) for found in values),
            row.headline,
        )
        for key, row in order.items()
    ]
