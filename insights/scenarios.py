"""Saving a what-if as a named scenario: its figures and the date of the records they rest on
are kept as they were, so a paper made from it can be reproduced."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from .figures import Figures
from .models import Scenario


class ScenarioNameTaken(Exception):
    """Another scenario has the name (in any case): a paper names the scenario it shows."""


def scenario_save(*, name: str, kind: str, query: str, figures: Figures, user) -> Scenario:
    if figures["kind"] != kind:
        raise ValueError(f"Figures of a {figures['kind']} what-if saved as {kind}")
    as_of = figures["records"]["as_of"]
    try:
        with transaction.atomic():
            return Scenario.objects.create(
                name=name,
                kind=kind,
                query=query,
                figures=figures,
                records_as_of=datetime.fromisoformat(as_of) if as_of else None,
                revenue_change_pence=figures["everyone"]["change_pence"],
                saved_at=timezone.now(),
                saved_by=user,
            )
    except IntegrityError as error:  # two analysts choosing one name at once
        raise ScenarioNameTaken(name) from error


def scenario_delete(*, scenario: Scenario) -> None:
    scenario.delete()
