from django import forms

from hackney_portal.forms import NoBrowserMaxLength, Radios

from .contract import feed_names
from .models import DataQualityCase
from .services import DQ_WORDS_MAX


class FeedUploadForm(forms.Form):
    feed = forms.ChoiceField(
        label="Which feed is this?",
        help_text="Feeds must be loaded in this order, because later ones refer to earlier ones.",
        error_messages={
            "required": "Choose which feed this file is",
            "invalid_choice": "Choose which feed this file is",
        },
    )
    file = forms.FileField(
        label="Upload the CSV file",
        help_text="A full snapshot exported from the back-office system, as a .csv file.",
        error_messages={
            "required": "Select a CSV file to upload",
            "invalid": "Select a CSV file to upload",
            "missing": "Select a CSV file to upload",
            "empty": "The file is empty",
            "max_length": "The file name must be 100 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # No feed is preselected: a file loaded as the wrong feed would be checked against the
        # wrong columns, so the person says which it is.
        self.fields["feed"].choices = [("", "Choose a feed")] + [
            (name, name.replace("_", " ")) for name in feed_names()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a .csv file")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class DataQualityReportForm(NoBrowserMaxLength, forms.Form):
    """What a resident says is wrong in the council's records. The files are checked by
    services.dq_check_files, which says what is wrong with each."""

    SELECT_KIND = "Select what is wrong in our records"

    kind = forms.ChoiceField(
        label="What is wrong?",
        choices=DataQualityCase.Kind.choices,
        widget=Radios,
        error_messages={"required": SELECT_KIND, "invalid_choice": SELECT_KIND},
    )
    words = forms.CharField(
        label="Tell us what is wrong and what is right",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=DQ_WORDS_MAX,
        error_messages={
            "required": "Tell us what is wrong",
            "max_length": f"What is wrong must be {DQ_WORDS_MAX:,} characters or fewer",
        },
    )
    files = forms.Field(label="Upload proof (optional)", required=False, widget=MultipleFileInput)
