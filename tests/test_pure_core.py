"""The pure core imports no Django (the import contract `pure-rules` checks the graph; this runs
it): the rules, the prices, the records' facts, name matching, the council tax ledger and
insights' what-ifs and charts load and work in a bare interpreter with no settings."""

import subprocess
import sys
from pathlib import Path

import pytest

from records import facts
from records.models import Occupancy, Property

ROOT = Path(__file__).resolve().parent.parent
PURE = (
    "parking.eligibility",
    "parking.pricing",
    "parking.wording",
    "records.facts",
    "records.matching",
    "records.postcodes",
    "balances.ledger",
    "insights.tariff_whatif",
    "insights.council_tax_whatif",
    "insights.charts",
)


@pytest.mark.embedded
def test_the_pure_core_loads_without_django_or_settings():
    code = (
        "import importlib, sys\n"
        f"for name in {PURE!r}: importlib.import_module(name)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'redis'}))"
    )
    result = subprocess.run(  # a clean environment: no DJANGO_SETTINGS_MODULE
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.embedded
@pytest.mark.parametrize(
    ("plain", "model"),
    [(facts.Usage, Property.Usage), (facts.Role, Occupancy.Role), (facts.Source, Occupancy.Source)],
)
def test_the_facts_enums_are_the_models_choices(plain, model):
    assert [(m.value, m.label) for m in plain] == list(model.choices)
