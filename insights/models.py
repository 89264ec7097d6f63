"""Saved scenarios: a what-if with a name, kept with its figures and the date of the records
it was worked out on, so the committee paper made from it reads the same whenever it is
printed, and several can be set side by side."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

NAME_MAX = 100


class Scenario(models.Model):
    class Kind(models.TextChoices):
        TARIFF = "tariff", "Permit tariff"
        COUNCIL_TAX = "council_tax", "Council tax discount or premium"

    name = models.CharField(max_length=NAME_MAX)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The what-if's answers as its result page's query string: to run it again on newer records.
    query = models.TextField()
    # insights.figures' plain data: every figure of the result page, as it was on the day.
    figures = models.JSONField()
    # The date of the records the figures rest on (the stalest feed's); None: a feed was never in.
    records_as_of = models.DateTimeField(null=True, blank=True)
    # One change in a year's revenue, for the list of scenarios (also in `figures`).
    revenue_change_pence = models.BigIntegerField()
    saved_at = models.DateTimeField()
    # Staff, by staff: an analyst's work, not a resident's data (tests/test_personal_data.py).
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-saved_at", "-id"]
        constraints = [
            # One name, one scenario: a paper names the scenario it shows.
            models.UniqueConstraint(Lower("name"), name="insights_scenario_unique_name"),
        ]

    def __str__(self):
        return self.name
