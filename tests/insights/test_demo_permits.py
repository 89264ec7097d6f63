"""`make demo` buys live permits through the real journey, so the analysts' tariff what-if has
something to say on the demo (and on its SQLite), and saves example scenarios."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from insights.models import Scenario
from insights.selectors import live_permit_facts, tariff_now
from insights.tariff_whatif import Tariffs, tariff_whatif
from parking.models import Permit, PermitApplication

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEMO_MODE, settings.DEBUG, settings.BASE_DIR = True, True, tmp_path
    call_command("demo_records", scale=0.002)


def test_every_demo_permit_is_bought_and_priced_as_charged(demo):
    call_command("demo_permits", count=6)
    tariff = Tariffs(tariff_now())
    result = tariff_whatif(live_permit_facts(), current=tariff, proposed=tariff)
    priced = {item.permit.number: item.before_pence for item in result.priced}
    assert priced == dict(Permit.objects.values_list("number", "price_pence"))


def test_the_demo_permits_include_a_second_at_a_home(demo):
    call_command("demo_permits", count=6)
    homes = list(Permit.objects.values_list("uprn", flat=True))
    assert len(homes) - len(set(homes)) >= 1


def test_running_it_again_buys_none(demo):
    call_command("demo_permits", count=4)
    call_command("demo_permits", count=4)
    assert PermitApplication.objects.count() == 4


def test_demo_permits_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_permits")


def test_the_demo_saves_example_scenarios_as_the_demo_analyst(demo):
    call_command("demo_users", quiet=True)
    call_command("demo_permits", count=6)
    call_command("demo_scenarios")
    scenarios = {s.name: s for s in Scenario.objects.select_related("saved_by")}
    assert sorted(scenarios) == [
        "Diesel surcharge up £50",
        "Shorter permits dearer (3 months 35%, 6 months 60%)",
        "Single person discount at 20%",
    ]
    assert {s.saved_by.email for s in scenarios.values()} == {"analyst@example.com"}
    # Each is the what-if its query string works out again: the paper can be reproduced.
    diesel = scenarios["Diesel surcharge up £50"]
    assert diesel.figures["changes"] == ["Diesel surcharge: £150.00 to £200.00 a year"]
    call_command("demo_scenarios")
    assert Scenario.objects.count() == 3


def test_demo_scenarios_refuse_outside_demo_mode(db, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only runs in demo mode"):
        call_command("demo_scenarios")
