"""The link form checks what was typed; the service decides whether it matches an account."""

from django import forms

from hackney_portal.forms import NoBrowserMaxLength
from records.postcodes import normalise_postcode

from .services import normalise_account_ref

# Too long to be one is the same mistake as not being one: the message says what one looks like.
REAL_ACCOUNT = "Enter a real account number: 8 digits starting with 3, as on your bill"
REAL_POSTCODE = "Enter a real postcode, like E8 1DY"


class LinkForm(NoBrowserMaxLength, forms.Form):
    account_ref = forms.CharField(
        label="Account number",
        help_text="8 digits starting with 3. It is at the top of your council tax bill.",
        max_length=30,
        error_messages={"required": "Enter your account number", "max_length": REAL_ACCOUNT},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    postcode = forms.CharField(
        label="Postcode of the property",
        help_text="The postcode of the home the bill is for, for example E8 1DY",
        max_length=20,
        error_messages={
            "required": "Enter the postcode of the property",
            "max_length": REAL_POSTCODE,
        },
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    surname = forms.CharField(
        label="Surname",
        help_text="Your surname, as it is written on the bill",
        max_length=100,
        error_messages={
            "required": "Enter your surname",
            "max_length": "Surname must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "family-name", "spellcheck": "false"}),
    )

    def clean_account_ref(self) -> str:
        ref = normalise_account_ref(self.cleaned_data["account_ref"])
        if ref is None:
            raise forms.ValidationError(REAL_ACCOUNT)
        return ref

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if postcode is None:
            raise forms.ValidationError(REAL_POSTCODE)
        return postcode


class UnlinkForm(forms.Form):
    """Nothing to answer: the confirm button posts it."""
