"""The README's demo cases are the demo borough's first household."""

import csv
import re
from pathlib import Path

from records.demo_feeds import write_feeds

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readmes_demo_cases_are_the_first_households_lead_and_home(tmp_path):
    person_ref = re.search(r"/staff/cases/person/(\w+)/", README).group(1)
    uprn = re.search(r"/staff/cases/property/(\d+)/", README).group(1)
    people = write_feeds(tmp_path, feeds=["people"])["people"]

    with people.open(newline="", encoding="utf-8") as rows:
        first = next(csv.DictReader(rows))

    assert (first["person_ref"], first["uprn"]) == (person_ref, uprn)
    assert (first["first_name"], first["last_name"]) == ("Seán", "O'Brien")
