"""Print answers to try each path of the permit application on the demo borough (demo mode
only: it prints people's names and dates of birth from the records).

The demo records are invented afresh relative to the day they were loaded (dates of birth
included), so the answers are looked up rather than written down once; each is checked with
the eligibility rules before it is printed."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from parking import eligibility
from parking.services import records_for_decision
from records.models import Occupancy, Property
from records.selectors import property_by_uprn

APPROVED_VEHICLE = "LB19PET"
# Each path its own vehicle (as in the README), so the paths can be tried in any order: a
# vehicle has one application waiting at a time.
OTHER_VEHICLES = {
    "ER19NFD": "not found in the vehicle records: needs the V5C",
    "ER19MNT": "the vehicle service is down: the application carries on, needs the V5C",
    "LB19HGV": "7,500 kg: not eligible (over 3,500 kg)",
}
PRICES_TO_SEE = {
    "LB19EVE": "electric (the cheapest band)",
    "LB19DSL": "diesel (a surcharge)",
    "J123HCK": "first registered in 1991 (priced by engine size)",
}


class Command(BaseCommand):
    help = "Print demo answers for each path of the permit application (demo mode only)."

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE and settings.DEBUG):
            raise CommandError("demo_applicants only runs in demo mode: it prints residents.")
        homes = Property.objects.current().filter(usage=Property.Usage.RESIDENTIAL)
        approved = self._approvable(homes.filter(permit_free=False).exclude(cpz_zone=""))
        permit_free = homes.filter(permit_free=True).exclude(cpz_zone="").order_by("uprn").first()
        no_zone = homes.filter(cpz_zone="", permit_free=False).order_by("uprn").first()
        if approved is None:
            raise CommandError("No demo resident would be approved: run `make demo` first.")
        address, occupant = approved
        write = self.stdout.write
        write("Try the permit application at /parking/ signed in as resident@example.com.\n")
        write("Approved:")
        write(f"  postcode {address.postcode}, address {address.label}")
        born = occupant.date_of_birth
        write(f"  name {occupant.first_name} {occupant.last_name}, born {born:%-d %B %Y}")
        write(f"  vehicle {APPROVED_VEHICLE}")
        write("Needs evidence (proof of address):")
        write("  the same, but choose 'My address is not listed', with vehicle LB19EVE")
        write("  or the same with another name, with vehicle J123HCK")
        for label, home in (("permit-free", permit_free), ("no parking zone", no_zone)):
            if home is not None:
                details = property_by_uprn(uprn=home.uprn)
                write(
                    f"Not eligible, {label}: any name at {details.address.label}, vehicle LB19DSL"
                )
        write("Other vehicles (with the approved answers):")
        for registration, what in OTHER_VEHICLES.items():
            write(f"  {registration}: {what}")
        write("Other prices, on check your answers before sending (change the vehicle):")
        for registration, what in PRICES_TO_SEE.items():
            write(f"  {registration}: {what}")
        write(
            f"\nRecords synced more than {settings.RECORDS_MAX_AGE_DAYS} days ago decide nothing "
            "(RECORDS_MAX_AGE_DAYS): a person checks every application."
        )

    def _approvable(self, homes):
        """The first occupant (with a date of birth) whom the rules would approve, and where."""
        uprns = (
            Occupancy.objects.current()
            .filter(property__in=homes, occupied_to__isnull=True)
            .exclude(person__date_of_birth__isnull=True)
            .order_by("property__uprn")
            .values_list("property__uprn", flat=True)
            .distinct()[:50]
        )
        for uprn in uprns:
            records = records_for_decision(uprn=uprn)
            for occupant in records["occupants"]:
                if occupant.date_of_birth is None:
                    continue
                decision = eligibility.decide(
                    applicant=eligibility.Applicant(
                        occupant.first_name, occupant.last_name, occupant.date_of_birth
                    ),
                    held=[],
                    vehicle=eligibility.VehicleFacts(APPROVED_VEHICLE, True, True),
                    **records,
                )
                if decision.outcome == eligibility.DecisionOutcome.APPROVED:
                    return records["property"].address, occupant
        return None
