"""The analysts' pages on how far to trust the data (a summary and a page per feed) and on
channel shift: GET pages of totals, each chart drawn on the server with its table beside it."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from hackney_portal.templatetags.portal import clock_time, short_date

from .charts import bar_chart
from .trust import (
    RUNS_ON_SUMMARY,
    WEEKS,
    channels,
    feed_of_slug,
    feed_quality,
    quality_summary,
)
from .views import analyst_only


def _count(value: int) -> str:
    return f"{value:,}"


def _when(moment) -> str:
    """As the table beside the chart writes it: "4 Dec 2026, 3:14pm"."""
    local = timezone.localtime(moment)
    return f"{short_date(local)}, {clock_time(local)}"


def _week(day) -> str:
    return f"Week of {day.day} {day:%b}"


@login_required
@analyst_only
def quality(request):
    summary = quality_summary(now=timezone.now())
    read = [feed for feed in summary.feeds if feed.rows_read]
    # In tenths of a percent: a feed's rejections are often under one in a hundred rows.
    chart = bar_chart(
        id="chart-feed-rejections",
        title="Rows rejected in each feed's last runs, as a percentage of rows read",
        description="Bar chart of the percentage of rows each feed's last runs rejected. The "
        "table beside it has the same numbers, with the rows read and rejected.",
        category_axis="Feed",
        value_axis="Rows rejected (%)",
        items=[
            (feed.label, round(1000 * feed.rows_rejected / feed.rows_read), feed.rejected_share)
            for feed in read
        ],
        tick_text=lambda v: f"{v / 10:g}%",
    )
    return render(
        request,
        "insights/quality.html",
        {
            "summary": summary,
            "chart": chart if read else None,
            "weeks": WEEKS,
            "runs_on_summary": RUNS_ON_SUMMARY,
            "max_age_days": settings.RECORDS_MAX_AGE_DAYS,
        },
    )


@login_required
@analyst_only
def quality_feed(request, feed: str):
    name = feed_of_slug(feed)
    if name is None:
        raise Http404("No such feed")
    figures = feed_quality(feed=name, now=timezone.now())
    chart = bar_chart(
        id="chart-run-rejections",
        title=f"Rows rejected by each run of the {figures.label.lower()} feed",
        description="Bar chart of the number of rows each run rejected, oldest run first. The "
        "table beside it has the same numbers, with the rows each run read.",
        category_axis="Run finished",
        value_axis="Rows rejected",
        items=[
            (
                _when(run.finished_at),
                run.quality.rows_rejected,
                _count(run.quality.rows_rejected),
            )
            for run in figures.runs
        ],
        tick_text=_count,
    )
    return render(
        request,
        "insights/quality_feed.html",
        {"figures": figures, "chart": chart if figures.runs else None},
    )


def _pairs_chart(id_, title, what, weeks, first, second):
    """A bar per week for each of two series, the series named in each bar's label."""
    (first_name, first_of), (second_name, second_of) = first, second
    items = []
    for week in weeks:
        for name, value in ((first_name, first_of(week)), (second_name, second_of(week))):
            items.append((f"{_week(week.week)}: {name}", value, _count(value)))
    return bar_chart(
        id=id_,
        title=title,
        description=f"Bar chart of {what}, week by week, two bars a week: {first_name} and "
        f"{second_name}. The table beside it has the same numbers.",
        category_axis="Week",
        value_axis=what.capitalize(),
        items=items,
        tick_text=_count,
    )


@login_required
@analyst_only
def channels_page(request):
    weeks = channels(now=timezone.now())
    return render(
        request,
        "insights/channels.html",
        {
            "weeks": weeks,
            "since": weeks[0].week,
            "tables": {
                "applications": [
                    {
                        "week": w.week,
                        "first": w.online,
                        "second": w.contact_centre,
                        "share": w.online_share,
                    }
                    for w in weeks
                ],
                "decisions": [
                    {
                        "week": w.week,
                        "first": w.automatic,
                        "second": w.to_a_person,
                        "share": w.automatic_share,
                    }
                    for w in weeks
                ],
                "views": [
                    {"week": w.week, "first": w.balance_views, "second": w.case_views}
                    for w in weeks
                ],
            },
            "charts": {
                "applications": _pairs_chart(
                    "chart-applications",
                    "Permit applications by channel, week by week",
                    "applications",
                    weeks,
                    ("online", lambda w: w.online),
                    ("contact centre", lambda w: w.contact_centre),
                ),
                "decisions": _pairs_chart(
                    "chart-decisions",
                    "Permit decisions by the rules or left to an officer, week by week",
                    "applications decided",
                    weeks,
                    ("automatic", lambda w: w.automatic),
                    ("to an officer", lambda w: w.to_a_person),
                ),
                "views": _pairs_chart(
                    "chart-views",
                    "Balance pages shown and cases viewed by the contact centre, week by week",
                    "pages viewed",
                    weeks,
                    ("balance pages", lambda w: w.balance_views),
                    ("case views", lambda w: w.case_views),
                ),
            },
        },
    )
