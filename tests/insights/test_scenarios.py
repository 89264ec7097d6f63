"""Saved scenarios (issue 19): a what-if saved under a name keeps its figures and the date of the
records they rest on (worked out again on the server, never taken from the browser), reads the
same after the records change, is set side by side with others of its kind, and leaves as a CSV
file a spreadsheet cannot be tricked by.

The borough: two homes, a petrol car's and a diesel car's year-long permits, bought through the
real journey. The seeded tariff's diesel surcharge is £150 a year, so at £80 the diesel
household pays £70 a year less and at £200 £50 more; nobody else changes."""

import csv
import io

import pytest
from django.urls import reverse

from insights.apps import ANALYST
from insights.figures import Row, compare, rows
from insights.models import Scenario
from tests.factories import UserFactory, make_staff
from tests.helpers import sign_in
from tests.insights.borough import load_council_tax, load_homes, permit_bought
from tests.insights.test_views import tariff_as_now

SAVE = reverse("insights:scenario_save")
TARIFF_RESULT = reverse("insights:tariff_result")
LIST = reverse("insights:scenarios")
COMPARE = reverse("insights:scenarios_compare")
COMPARE_CSV = reverse("insights:scenarios_compare_csv")
MINUS = "\N{MINUS SIGN}"  # the pages write a fall with a true minus sign


@pytest.fixture
def borough(db):
    load_homes()
    load_council_tax()
    permit_bought(UserFactory(), person="P1", registration="LB19PET", months=12)
    permit_bought(UserFactory(), person="P2", registration="LB19DSL", months=12)


def diesel_at(pounds: str) -> str:
    """The tariff form's answers with the diesel surcharge changed, as a result page's query."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(tariff_as_now() | {"diesel": pounds})
    return query.urlencode()


def saved(client, name: str, query: str, kind: str = "tariff"):
    return client.post(SAVE, {"name": name, "kind": kind, "query": query})


def text(response) -> str:
    return response.content.decode()


def test_a_saved_scenario_keeps_the_figures_worked_out_on_the_server(signed_in, analyst, borough):
    response = saved(signed_in, "  Diesel   down to £80 ", diesel_at("80"))
    scenario = Scenario.objects.get()
    assert response["Location"] == reverse("insights:scenario", kwargs={"pk": scenario.pk})
    assert scenario.name == "Diesel down to £80"  # spaces as typed are tidied
    assert (scenario.kind, scenario.saved_by) == ("tariff", analyst)
    assert scenario.revenue_change_pence == -7_000
    everyone = scenario.figures["everyone"]
    assert (everyone["more"], everyone["less"], everyone["same"]) == (0, 1, 1)
    assert scenario.figures["changes"] == ["Diesel surcharge: £150.00 to £80.00 a year"]
    assert scenario.records_as_of is not None
    assert scenario.figures["records"]["as_of"] == scenario.records_as_of.isoformat()


def test_its_paper_reads_the_same_after_the_records_change(signed_in, borough):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    scenario = Scenario.objects.get()
    # Another diesel household buys a permit: a fresh what-if counts two households paying less.
    permit_bought(UserFactory(), person="P3", registration="LB19VAN", months=12)
    fresh = text(signed_in.get(TARIFF_RESULT + "?" + diesel_at("80")))
    assert f"{MINUS}£140.00" in fresh
    paper = text(signed_in.get(reverse("insights:scenario", kwargs={"pk": scenario.pk})))
    assert '<h1 class="lbh-heading-h1">Diesel down to £80</h1>' in paper
    assert "Diesel surcharge: £150.00 to £80.00 a year" in paper
    assert f"{MINUS}£70.00" in paper and f"{MINUS}£140.00" not in paper
    # The way back to today's figures is the what-if's own result page.
    assert f'href="{TARIFF_RESULT}?{scenario.query}"' in paper.replace("&amp;", "&")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name for the scenario"),
        ("x" * 101, "The name must be 100 characters or fewer"),
        ("diesel DOWN to £80", "A scenario called “diesel DOWN to £80” is already saved"),
    ],
)
def test_a_bad_name_is_refused_with_its_reason_and_saves_nothing(signed_in, borough, name, message):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    response = saved(signed_in, name, diesel_at("200"))
    assert response.status_code == 200
    assert message in text(response)
    assert list(Scenario.objects.values_list("name", flat=True)) == ["Diesel down to £80"]


@pytest.mark.parametrize(
    ("kind", "query"),
    [
        ("tariff", "diesel=eighty"),  # answers the what-if refuses
        ("council_tax", "code=SPD&percent=500"),
        ("rates", "code=SPD&percent=20"),  # no such what-if
    ],
)
def test_a_what_if_that_cannot_be_worked_out_again_is_not_saved(signed_in, borough, kind, query):
    response = saved(signed_in, "Tampered", query, kind=kind)
    assert response.status_code == 400
    assert "The scenario could not be saved" in text(response)
    assert not Scenario.objects.exists()


def test_a_council_tax_scenario_keeps_its_rate_and_percentage(signed_in, borough):
    saved(signed_in, "Single person discount at 20%", "code=SPD&percent=20", kind="council_tax")
    scenario = Scenario.objects.get()
    assert scenario.figures["changes"] == ["Single person discount (SPD): 25% to 20%"]
    paper = text(signed_in.get(reverse("insights:scenario", kwargs={"pk": scenario.pk})))
    assert "Single person discount (SPD): 25% to 20%" in paper
    assert scenario.revenue_change_pence == scenario.figures["everyone"]["change_pence"] > 0


def test_two_scenarios_side_by_side_on_the_page_and_in_a_spreadsheet(signed_in, borough):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    saved(signed_in, '=HYPERLINK("http://x")', diesel_at("200"))
    down, up = Scenario.objects.order_by("saved_at")
    query = {"s": [down.pk, up.pk]}

    page = text(signed_in.get(COMPARE, query))
    assert "2 scenarios compared" in page
    assert page.index("Diesel down to £80") < page.index("=HYPERLINK")

    response = signed_in.get(COMPARE_CSV, query)
    assert response["Content-Disposition"].startswith('attachment; filename="scenarios-compared-')
    table = list(csv.reader(io.StringIO(response.content.decode())))
    # A name a spreadsheet would run as a formula is written as text.
    assert table[0] == [
        "section",
        "item",
        "figure",
        "Diesel down to £80",
        '\'=HYPERLINK("http://x")',
    ]
    by_figure = {(row[0], row[1], row[2]): row[3:] for row in table}
    assert by_figure[("In a year", "", "Change in revenue")] == ["-70.00", "50.00"]
    assert by_figure[("In a year", "", "Households paying less")] == ["1", "0"]
    assert by_figure[("Scenario", "", "What was tried")] == [
        "Diesel surcharge: £150.00 to £80.00 a year",
        "Diesel surcharge: £150.00 to £200.00 a year",
    ]
    assert by_figure[("By kind of vehicle", "Diesel", "Change in revenue")] == ["-70.00", "50.00"]


def test_one_scenarios_spreadsheet_has_every_figure_of_its_page(signed_in, borough):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    scenario = Scenario.objects.get()
    response = signed_in.get(reverse("insights:scenario_csv", kwargs={"pk": scenario.pk}))
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["section", "item", "figure", "Diesel down to £80"]
    wards = {row[1] for row in table if row[0] == "By ward"}
    assert wards == {"Dalston", "Hackney Central"}  # the wards the page's table shows
    assert ["How far to trust these figures", "", "Priced", "2"] in table


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("one", "Choose two or more scenarios to compare"),
        ("mixed", "Choose scenarios of one kind: permit tariff ones, or council tax ones"),
        ("unknown", "Choose scenarios from the list"),
        ("seven", "Choose no more than 6 scenarios to compare"),
    ],
)
def test_scenarios_that_cannot_be_compared_say_why(signed_in, borough, chosen, message):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    saved(signed_in, "SPD at 20%", "code=SPD&percent=20", kind="council_tax")
    tariff, council_tax = Scenario.objects.order_by("saved_at")
    if chosen == "seven":
        for n in range(6):
            saved(signed_in, f"Diesel at £{90 + n}", diesel_at(str(90 + n)))
    ids = {
        "one": [tariff.pk],
        "mixed": [tariff.pk, council_tax.pk],
        "unknown": [tariff.pk, 999_999],
        "seven": list(Scenario.objects.filter(kind="tariff").values_list("pk", flat=True)),
    }[chosen]
    for url in (COMPARE, COMPARE_CSV):
        response = signed_in.get(url, {"s": ids})
        assert response.status_code == 200
        assert '<h1 class="lbh-heading-h1">Saved scenarios</h1>' in text(response)
        assert message in text(response)


def test_only_the_analyst_who_saved_a_scenario_may_delete_it(client, signed_in, borough):
    saved(signed_in, "Diesel down to £80", diesel_at("80"))
    scenario = Scenario.objects.get()
    url = reverse("insights:scenario_delete", kwargs={"pk": scenario.pk})

    colleague = client.__class__()
    sign_in(colleague, make_staff(ANALYST, email="colleague@example.com"))
    assert "You cannot delete this scenario" in text(colleague.get(url))
    assert colleague.post(url).status_code == 403
    assert Scenario.objects.filter(pk=scenario.pk).exists()

    assert signed_in.post(url)["Location"] == LIST
    assert not Scenario.objects.filter(pk=scenario.pk).exists()


def test_the_comparison_lines_up_figures_one_of_them_lacks():
    def figures(zones):
        group = dict.fromkeys(
            ("permits", "households", "more", "less", "same", "before_pence", "after_pence"), 1
        )
        return {
            "kind": "tariff",
            "changes": [],
            "everyone": {**group, "change_pence": 0},
            "buckets": [],
            "by_zone": [{**group, "label": zone, "change_pence": pence} for zone, pence in zones],
            "by_vehicle": [],
            "by_band": [],
            "by_ward": [],
            "coverage": {"total": 1, "done": 1, "missed": 0, "reasons": []},
            "records": {"as_of": "2026-12-01T06:00:00+00:00"},
        }

    lines = compare([figures([("A", -500)]), figures([("A", 100), ("B", 200)])])
    zone_changes = {
        line.label: line.values
        for line in lines
        if line.section == "By zone" and line.measure == "Change in revenue"
    }
    assert zone_changes == {"Zone A": (-500, 100), "Zone B": (None, 200)}
    assert rows(figures([]))[-1] == Row(
        "How far to trust these figures", "", "Records as of", "text", "2026-12-01"
    )
