from django import forms


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
            "invalid": "Enter the member of staff's email address, like name@hackney.gov.uk"
        },
    )
    resident = forms.CharField(
        label="Resident or property",
        required=False,
        max_length=50,
        help_text="A person's reference in the council's records, or a property's UPRN",
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
