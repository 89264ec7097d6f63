from django import forms

from .contract import feed_names


class FeedUploadForm(forms.Form):
    feed = forms.ChoiceField(
        label="Which feed is this?",
        help_text="Feeds must be loaded in this order, because later ones refer to earlier ones.",
        error_messages={"required": "Select which feed the file holds"},
    )
    file = forms.FileField(
        label="Upload the CSV file",
        help_text="A full snapshot exported from the back-office system, as a .csv file.",
        error_messages={"required": "Select a CSV file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feed"].choices = [(name, name.replace("_", " ")) for name in feed_names()]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError("The file must be a .csv file")
        if upload.size == 0:
            raise forms.ValidationError("The file is empty")
        return upload
