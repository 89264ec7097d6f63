"""Save a few scenarios for the demo (demo mode only), so the analysts' saved scenarios, their
comparison and the committee paper have something to show: worked out and saved as an analyst
would, through the what-ifs the pages use, by the demo analyst. Run by `make demo` after
demo_permits; running it again saves none."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from accounts.management.commands.demo_users import staff_email
from accounts.models import User
from insights.apps import ANALYST
from insights.forms import TariffChangeForm
from insights.models import Scenario
from insights.scenarios import scenario_save
from insights.selectors import tariff_now, zones
from insights.whatifs import run_council_tax, run_tariff


def _pounds(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def tariff_answers(**changes) -> QueryDict:
    """The tariff form's answers as it starts (the tariff in force), with `changes`."""
    form = TariffChangeForm(tariff=tariff_now(), zones=zones())
    query = QueryDict(mutable=True)
    query.update({name: form.initial.get(name, "") for name in form.fields} | changes)
    return query


class Command(BaseCommand):
    help = "Save the demo's example scenarios as the demo analyst (demo mode only)."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_scenarios only runs in demo mode.")
        if Scenario.objects.exists():
            self.stdout.write(f"Insights: {Scenario.objects.count()} scenarios saved already.")
            return
        analyst = User.objects.get(email=staff_email(ANALYST))
        tariff = tariff_now()
        examples = [
            (
                "Diesel surcharge up £50",
                "tariff",
                tariff_answers(diesel=_pounds(tariff.diesel_surcharge_pence + 5_000)),
            ),
            (
                "Shorter permits dearer (3 months 35%, 6 months 60%)",
                "tariff",
                tariff_answers(three_month_percent="35", six_month_percent="60"),
            ),
            (
                "Single person discount at 20%",
                "council_tax",
                QueryDict("code=SPD&percent=20"),
            ),
        ]
        for name, kind, answers in examples:
            run = run_tariff if kind == "tariff" else run_council_tax
            form, figures = run(answers)
            if figures is None:
                raise CommandError(f"{name}: {form.errors.as_text()}")
            scenario_save(
                name=name, kind=kind, query=answers.urlencode(), figures=figures, user=analyst
            )
        self.stdout.write(
            f"Insights: {len(examples)} example scenarios saved at /staff/insights/scenarios/."
        )
