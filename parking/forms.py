"""The questions of the permit application, one form a page. Forms check what was typed and
say what is wrong in the GOV.UK way; the services decide everything else."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from hackney_portal.forms import NoBrowserMaxLength, Radios
from records.postcodes import normalise_postcode
from records.selectors import Address, residential_addresses_at_postcode

from .clients.vehicles import is_uk_registration, normalise_registration
from .pricing import DURATIONS
from .services import LATEST_START_DAYS

NOT_LISTED = "not_listed"

# What Django's own messages would say ("Ensure this value has at most 20 characters (it has
# 5000).") is never shown: every field names itself and says what to do, as GOV.UK's error
# messages do. A postcode too long to be one gets the format message, since that is what the
# resident needs to put right.
REAL_POSTCODE = "Enter a real postcode, like E8 1DY"
# The longest UK registration, spaces and dashes taken out (parking.clients.vehicles).
REGISTRATION_MAX_LENGTH = 7
REGISTRATION_TOO_LONG = (
    f"Vehicle registration number must be {REGISTRATION_MAX_LENGTH} characters or fewer"
)
NAME_MAX_LENGTH = 100  # PermitApplication.first_name and last_name hold as many


def registration_too_long(registration: str) -> bool:
    """Letters and numbers only, but too many of them: the length is what to put right. With
    other characters ("NOT A REG!") the format message says more."""
    normalised = normalise_registration(registration)
    return len(normalised) > REGISTRATION_MAX_LENGTH and normalised.isalnum()


class PostcodeForm(NoBrowserMaxLength, forms.Form):
    no_homes_at = ""

    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        error_messages={"required": "Enter your postcode", "max_length": REAL_POSTCODE},
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(REAL_POSTCODE)
        self.addresses = residential_addresses_at_postcode(postcode=postcode)
        if not self.addresses:
            self.no_homes_at = postcode  # the page offers to carry on without an address
            raise forms.ValidationError(
                f"We cannot find any homes at {postcode}. Check the postcode is right"
            )
        return postcode


class AddressForm(forms.Form):
    address = forms.ChoiceField(
        label="Select your address",
        widget=Radios,
        error_messages={
            "required": "Select your address, or select that it is not listed",
            "invalid_choice": "Select your address, or select that it is not listed",
        },
    )

    def __init__(self, *args, addresses: list[Address], **kwargs):
        super().__init__(*args, **kwargs)
        self.addresses = {str(a.uprn): a for a in addresses}
        self.fields["address"].choices = [
            *((uprn, a.label) for uprn, a in self.addresses.items()),
            (NOT_LISTED, "My address is not listed"),
        ]

    @property
    def chosen(self) -> Address | None:
        """The address chosen; None for "my address is not listed"."""
        return self.addresses.get(self.cleaned_data["address"])


def _date_part(label: str) -> forms.CharField:
    # No max_length: DateParts.clean checks each part's length with the date's own message.
    return forms.CharField(label=label, required=False)


class DateParts:
    """A GOV.UK date input (day, month, year) checked as the design system asks: one message
    for the whole date, at its first wrong part."""

    @staticmethod
    def clean(form: forms.Form, prefix: str, what: str) -> date | None:
        """The date, or None with an error added to the form."""
        parts = {p: form.cleaned_data.get(f"{prefix}_{p}", "").strip() for p in PARTS}
        missing = [p for p in PARTS if not parts[p]]
        if len(missing) == 3:
            form.add_error(f"{prefix}_day", f"Enter {what}")
            return None
        if missing:
            form.add_error(
                f"{prefix}_{missing[0]}",
                f"{what[0].upper()}{what[1:]} must include a {' and '.join(missing)}",
            )
            return None
        try:
            too_long = any(len(parts[p]) > n for p, n in zip(PARTS, (2, 2, 4), strict=True))
            if too_long or not all(parts[p].isdigit() for p in PARTS) or len(parts["year"]) != 4:
                raise ValueError
            return date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            form.add_error(f"{prefix}_day", f"{what[0].upper()}{what[1:]} must be a real date")
            return None


PARTS = ("day", "month", "year")


class AddressLinesForm(NoBrowserMaxLength, forms.Form):
    """ "My address is not listed": the address as the resident writes it (the GOV.UK address
    pattern: lines, town, postcode), kept with the application for the officer who checks it."""

    line1 = forms.CharField(
        label="Address line 1",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        error_messages={
            "required": "Enter address line 1, typically the building and street",
            "max_length": "Address line 1 must be 100 characters or fewer",
        },
    )
    line2 = forms.CharField(
        label="Address line 2 (optional)",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
        required=False,
        error_messages={"max_length": "Address line 2 must be 100 characters or fewer"},
    )
    town = forms.CharField(
        label="Town or city",
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
        error_messages={
            "required": "Enter town or city",
            "max_length": "Town or city must be 60 characters or fewer",
        },
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        error_messages={"required": "Enter postcode", "max_length": REAL_POSTCODE},
    )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(REAL_POSTCODE)
        return postcode


class ApplicantForm(NoBrowserMaxLength, forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter your first name",
            "max_length": f"First name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=NAME_MAX_LENGTH,
        error_messages={
            "required": "Enter your last name",
            "max_length": f"Last name must be {NAME_MAX_LENGTH} characters or fewer",
        },
    )
    dob_day = _date_part("Day")
    dob_month = _date_part("Month")
    dob_year = _date_part("Year")

    def clean(self):
        cleaned = super().clean()
        born = DateParts.clean(self, "dob", "your date of birth")
        if born is not None:
            today = timezone.localdate()
            if born >= today:
                self.add_error("dob_day", "Your date of birth must be in the past")
            elif born.year < 1900:
                self.add_error("dob_day", "Your date of birth must be a real date")
            else:
                cleaned["date_of_birth"] = born
        return cleaned


class RegistrationForm(NoBrowserMaxLength, forms.Form):
    registration = forms.CharField(
        label="Vehicle registration number",
        help_text="For example, AB12 CDE. It is on the number plate and the V5C.",
        max_length=20,
        error_messages={
            "required": "Enter your vehicle registration number",
            "max_length": REGISTRATION_TOO_LONG,
        },
    )

    def clean_registration(self) -> str:
        registration = normalise_registration(self.cleaned_data["registration"])
        if registration_too_long(registration):
            raise forms.ValidationError(REGISTRATION_TOO_LONG)
        if not is_uk_registration(registration):
            raise forms.ValidationError("Enter a real UK registration, like AB12 CDE")
        return registration


class DurationForm(forms.Form):
    months = forms.TypedChoiceField(
        label="How long do you want your permit for?",
        choices=[(m, f"{m} months") for m in DURATIONS],
        coerce=int,
        widget=Radios,
        error_messages={
            "required": "Select how long you want your permit for",
            "invalid_choice": "Select how long you want your permit for",
        },
    )
    TODAY, ANOTHER_DATE = "today", "another_date"
    start = forms.ChoiceField(
        label="When do you want it to start?",
        choices=[(TODAY, "Today"), (ANOTHER_DATE, "Another date")],
        widget=Radios,
        error_messages={
            "required": "Select when you want your permit to start",
            "invalid_choice": "Select when you want your permit to start",
        },
    )
    # Read only when "Another date" is chosen: a date typed and then "Today" chosen is ignored.
    start_day = _date_part("Day")
    start_month = _date_part("Month")
    start_year = _date_part("Year")

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        if cleaned.get("start") == self.TODAY:
            cleaned["starts_on"] = today
        elif cleaned.get("start") == self.ANOTHER_DATE:
            self._clean_another_date(cleaned, today)
        return cleaned

    def _clean_another_date(self, cleaned: dict, today: date) -> None:
        starts = DateParts.clean(self, "start", "the date your permit starts")
        if starts is not None:
            latest = today + timedelta(days=LATEST_START_DAYS)
            if starts < today:
                self.add_error("start_day", "The date your permit starts must be today or later")
            elif starts > latest:
                self.add_error(
                    "start_day",
                    f"The date your permit starts must be no later than {latest:%-d %B %Y}",
                )
            else:
                cleaned["starts_on"] = starts


class AlreadyAppliedForm(forms.Form):
    """Applying again for a vehicle with one of the resident's applications still waiting:
    carry on with that one, or withdraw it and make this one."""

    CARRY_ON, WITHDRAW = "carry_on", "withdraw"

    choice = forms.ChoiceField(
        widget=Radios,
        error_messages={
            "required": "Select whether to carry on or to withdraw and start again",
            "invalid_choice": "Select whether to carry on or to withdraw and start again",
        },
    )

    def __init__(self, *args, pending_reference: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [
            (self.CARRY_ON, f"Carry on with application {pending_reference}"),
            (self.WITHDRAW, f"Withdraw application {pending_reference} and make this one instead"),
        ]
