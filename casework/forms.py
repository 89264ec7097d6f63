from datetime import date

from django import forms
from django.utils import timezone

from hackney_portal.forms import Radios
from records.models import DataQualityCase
from records.services import DQ_OUTCOME_MAX

# The fuel types a V5C shows (section P.3), as the DVLA writes them.
V5C_FUELS = (
    "PETROL",
    "DIESEL",
    "ELECTRICITY",
    "HYBRID ELECTRIC",
    "ELECTRIC DIESEL",
    "GAS BI-FUEL",
    "GAS",
    "OTHER",
)


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The audit log's filters, all optional, read from the query string."""

    staff = forms.EmailField(
        label="Member of staff",
        required=False,
        max_length=320,
        help_text="Their email address",
        error_messages={
            "invalid": "Enter the member of staff's email address, like name@hackney.gov.uk",
            "max_length": "Member of staff must be 320 characters or fewer",
        },
    )
    resident = forms.CharField(
        label="Resident, property, application or permit",
        required=False,
        max_length=50,
        help_text="A person's reference in the council's records, a property's UPRN, or an "
        "application or permit number",
        error_messages={
            "max_length": "Resident, property, application or permit must be 50 characters or fewer"
        },
    )
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter a real date"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=DateInput,
        error_messages={"invalid": "Enter a real date"},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned


class LimitedText(forms.CharField):
    """Text with a limit that the hint states and the form checks, sent back with an error
    when it is too long. Never the browser's `maxlength`: a browser cuts a longer paste to the
    limit without a word, so a member of staff would send a reason they never read (GOV.UK
    advises against `maxlength` for the same reason)."""

    def __init__(self, *, max_length: int, too_long: str, **kwargs):
        kwargs.setdefault("error_messages", {})["max_length"] = too_long
        hint = kwargs.pop("help_text", "")
        limit = f"Up to {max_length:,} characters"
        kwargs["help_text"] = f"{hint}. {limit}" if hint else limit
        super().__init__(max_length=max_length, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def decision_reason(*, max_length: int, goes_to: str) -> LimitedText:
    """An officer's reason for a decision: required (a reason of spaces is none: CharField
    strips it), limited, and saying where it goes."""
    return LimitedText(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=max_length,
        too_long=f"The reason must be {max_length:,} characters or fewer",
        help_text=f"What you checked and what it showed. {goes_to}",
        error_messages={"required": "Enter the reason for your decision"},
    )


def _whole_number(what: str, invalid: str, least: int, most: int) -> dict[str, str]:
    """A number field's messages: not a whole number, too small, too big."""
    between = f"{what} must be between {least:,} and {most:,}"
    return {"invalid": invalid, "min_value": between, "max_value": between}


class CaseReasonForm(forms.Form):
    """Why a member of staff is opening a resident's case: asked every time, and audited."""

    REASONS = {
        "phone": "Resident on the phone",
        "application": "Reviewing an application",
        "correspondence": "Correspondence",
        "other": "Other",
    }

    reason = forms.ChoiceField(
        label="Why are you opening this case?",
        choices=list(REASONS.items()),
        widget=Radios,
        error_messages={
            "required": "Select why you are opening this case",
            "invalid_choice": "Select why you are opening this case",
        },
    )
    other = LimitedText(
        label="Other reason",
        required=False,
        max_length=200,
        too_long="The reason must be 200 characters or fewer",
        help_text="Say why, if none of the above",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == "other" and not cleaned.get("other", "").strip():
            self.add_error("other", "Say why you are opening this case")
        return cleaned

    @property
    def reason_text(self) -> str:
        """The reason as the audit log records it."""
        reason = self.cleaned_data["reason"]
        if reason == "other":
            return f"Other: {self.cleaned_data['other'].strip()}"
        return self.REASONS[reason]


class NoteForm(forms.Form):
    text = LimitedText(
        label="Add a note",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        too_long="The note must be 2,000 characters or fewer",
        help_text="Notes cannot be changed or deleted once added: to correct one, add another",
        error_messages={"required": "Enter the note"},
    )


class ReviewDecisionForm(forms.Form):
    """A parking officer's decision on an application the rules left for a person."""

    APPROVE, REFUSE = "approve", "refuse"

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[(APPROVE, "Approve: the resident can pay"), (REFUSE, "Refuse")],
        widget=Radios,
        error_messages={
            "required": "Select whether to approve or refuse the application",
            "invalid_choice": "Select whether to approve or refuse the application",
        },
    )
    reason = decision_reason(
        max_length=1000,
        goes_to="The resident sees it on their applications, and a refusal's reason is "
        "emailed to them",
    )

    # What the V5C says, for an application whose vehicle the vehicle records did not give:
    # approving prices the permit from it (parking.permits.application_mark_approved). Shown and
    # required only then (`needs_v5c`); ignored for a refusal.
    v5c_make = forms.CharField(
        label="Make",
        required=False,
        max_length=50,
        help_text="Section D.1, for example FORD",
        error_messages={"max_length": "Make must be 50 characters or fewer"},
    )
    v5c_fuel = forms.ChoiceField(
        label="Fuel type",
        required=False,
        choices=[("", "Select the fuel type"), *((fuel, fuel.capitalize()) for fuel in V5C_FUELS)],
        help_text="Section P.3",
        error_messages={"invalid_choice": "Select the vehicle's fuel type from its V5C"},
    )
    v5c_co2 = forms.IntegerField(
        label="CO2 emissions (g/km)",
        required=False,
        min_value=0,
        max_value=999,
        help_text="Section V.7. Leave empty if the V5C shows none (older vehicles)",
        error_messages=_whole_number(
            "CO2 emissions", "Enter the CO2 emissions as a whole number, like 120", 0, 999
        ),
    )
    v5c_engine = forms.IntegerField(
        label="Engine size (cc)",
        required=False,
        min_value=1,
        max_value=20000,
        help_text="Section P.1. Leave empty for an electric vehicle",
        error_messages=_whole_number(
            "Engine size", "Enter the engine size in cc as a whole number, like 1598", 1, 20000
        ),
    )
    v5c_month = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=12,
        error_messages=_whole_number(
            "The month of first registration",
            "Enter the month of first registration as a number, like 3",
            1,
            12,
        ),
    )
    v5c_year = forms.IntegerField(
        required=False,
        min_value=1900,
        max_value=2100,
        error_messages=_whole_number(
            "The year of first registration",
            "Enter the year of first registration as 4 digits, like 2019",
            1900,
            2100,
        ),
    )
    v5c_weight = forms.IntegerField(
        label="Revenue weight (kg)",
        required=False,
        min_value=1,
        max_value=99999,
        help_text="Section F.1 (maximum permissible mass), if the V5C shows one",
        error_messages=_whole_number(
            "Revenue weight", "Enter the weight in kg as a whole number, like 1850", 1, 99999
        ),
    )

    # Where the resident lives, for an application whose address the gazetteer does not have
    # ("my address is not listed"): a property at the postcode searched, or none fits (why, and
    # the zone that applies). Shown and required only then (`homes` given); ignored to refuse.
    NONE_FITS = "none"
    home = forms.ChoiceField(
        label="The resident\u2019s home",
        required=False,
        widget=Radios,
        error_messages={"invalid_choice": "Choose the resident's home, or that none of these fits"},
    )
    home_why = LimitedText(
        label="Why none of these fits",
        required=False,
        max_length=300,
        too_long="Why none fits must be 300 characters or fewer",
        help_text="For example: a new building the gazetteer does not list yet",
    )
    home_zone = forms.ChoiceField(
        label="Parking zone that applies",
        required=False,
        error_messages={"invalid_choice": "Select the parking zone that applies"},
    )

    def __init__(self, *args, needs_v5c: bool = False, homes=None, zones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_v5c = needs_v5c
        self.needs_address = homes is not None
        self.fields["home"].choices = [
            *((str(home.uprn), home.label) for home in homes or ()),
            (self.NONE_FITS, "None of these: the gazetteer does not have it"),
        ]
        self.fields["home_zone"].choices = [("", "Select the zone"), *((z, z) for z in zones)]

    def clean(self):
        cleaned = super().clean()
        if self.needs_address and cleaned.get("outcome") == self.APPROVE:
            home = cleaned.get("home")
            if not home:
                self.add_error("home", "Choose the resident's home, or that none of these fits")
            elif home == self.NONE_FITS:
                if not cleaned.get("home_why", "").strip():
                    self.add_error("home_why", "Say why none of the addresses fits")
                if not cleaned.get("home_zone"):
                    self.add_error("home_zone", "Select the parking zone that applies")
        if not (self.needs_v5c and cleaned.get("outcome") == self.APPROVE):
            return cleaned
        if not cleaned.get("v5c_make", "").strip():
            self.add_error("v5c_make", "Enter the vehicle's make from its V5C")
        if not cleaned.get("v5c_fuel"):
            self.add_error("v5c_fuel", "Select the vehicle's fuel type from its V5C")
        month, year = cleaned.get("v5c_month"), cleaned.get("v5c_year")
        first = None
        if month is None or year is None:
            self.add_error(
                "v5c_month", "Enter the month and year of first registration, like 3 2019"
            )
        else:
            first = date(year, month, 1)
            if first > timezone.localdate():
                self.add_error("v5c_month", "The date of first registration must be in the past")
        electric = cleaned.get("v5c_fuel") == "ELECTRICITY"
        if not electric and cleaned.get("v5c_co2") is None and cleaned.get("v5c_engine") is None:
            self.add_error(
                "v5c_co2", "Enter the CO2 emissions or the engine size (one of them is needed)"
            )
        cleaned["v5c_first_registered"] = first
        return cleaned

    def home_chosen(self) -> dict | None:
        """Where the officer says the resident lives, as parking.permits.Home's fields: None
        unless approving an application that needs it."""
        data = self.cleaned_data
        if not (self.needs_address and data.get("outcome") == self.APPROVE):
            return None
        if data["home"] == self.NONE_FITS:
            return {"zone": data["home_zone"], "why": data["home_why"].strip()}
        return {"uprn": int(data["home"])}

    def v5c_facts(self) -> dict | None:
        """What the V5C says, as parking.clients.vehicles.Vehicle's fields (no registration):
        None unless approving an application that needs it."""
        data = self.cleaned_data
        if not (self.needs_v5c and data.get("outcome") == self.APPROVE):
            return None
        return {
            "make": data["v5c_make"].strip().upper(),
            "fuel_type": data["v5c_fuel"],
            "co2_emissions": data["v5c_co2"],
            "engine_capacity": data["v5c_engine"],
            "month_of_first_registration": data["v5c_first_registered"],
            "revenue_weight": data["v5c_weight"],
        }


class ResidentEmailForm(forms.Form):
    """Whose portal account an assisted application goes on: the resident's, by their email."""

    email = forms.EmailField(
        label="What is the resident's email address?",
        max_length=320,
        help_text="The application goes on their portal account, so they can see it, send proof "
        "and pay online. If they have no account, one is made and they are emailed how to set "
        "a password",
        error_messages={
            "required": "Enter the resident's email address",
            "invalid": "Enter the resident's email address in the correct format, like "
            "name@example.com",
            "max_length": "The email address must be 320 characters or fewer",
        },
    )


class DeclarationForm(forms.Form):
    """The resident's declaration, given on the phone and confirmed by the member of staff."""

    confirmed = forms.BooleanField(
        label="The resident confirmed on the phone that these answers are true",
        error_messages={
            "required": "Confirm that the resident said on the phone that these answers are true"
        },
    )


class FlagDecisionForm(forms.Form):
    """A parking officer's decision on a permit flagged because its holder may have moved."""

    CLEAR, CANCEL, MOVE = "clear", "cancel", "move"

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[
            (CLEAR, "Checked: the holder still lives there. Clear the flag"),
            (CANCEL, "The holder no longer lives there. Cancel the permit"),
        ],
        widget=Radios,
        error_messages={
            "required": "Select whether to clear the flag or cancel the permit",
            "invalid_choice": "Select whether to clear the flag or cancel the permit",
        },
    )
    reason = decision_reason(
        max_length=300,
        goes_to="It goes on the permit's history, and a cancellation's reason is emailed to "
        "the resident",
    )

    def __init__(self, *args, can_move: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if can_move:
            # The resident told us a new address in the same zone: the officer may move it.
            self.fields["outcome"].choices = [
                (self.MOVE, "Move the permit to the new address"),
                *self.fields["outcome"].choices,
            ]
            self.fields["outcome"].error_messages["required"] = self.fields[
                "outcome"
            ].error_messages[
                "invalid_choice"
            ] = "Select whether to move the permit, clear the flag or cancel the permit"


class DataQualityCloseForm(forms.Form):
    """Closing a resident's report: what was sent to which back-office system. The portal
    changes no synced record: the next sync brings the correction (records.services)."""

    sent_to = forms.ChoiceField(
        label="Which system did you send the correction to?",
        choices=DataQualityCase.System.choices,
        widget=Radios,
        error_messages={
            "required": "Select which system you sent the correction to",
            "invalid_choice": "Select which system you sent the correction to",
        },
    )
    what_was_sent = LimitedText(
        label="What did you send?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=DQ_OUTCOME_MAX,
        too_long=f"What you sent must be {DQ_OUTCOME_MAX:,} characters or fewer",
        help_text="The resident is emailed this, as you write it",
        error_messages={"required": "Say what you sent, or why nothing was needed"},
    )
