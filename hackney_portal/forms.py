"""What every form of the portal shares."""

from django import forms


class NoBrowserMaxLength:
    """Form fields keep their max_length (checked, with a message that says the limit) but give
    the browser no `maxlength`: a browser cuts a longer paste to the limit without a word, so a
    resident would send a name or address they never read. GOV.UK advises against `maxlength`
    for the same reason (casework.forms.LimitedText does the same for staff's reasons)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)


class Radios(forms.RadioSelect):
    """Radios whose field id is the first radio's, so an error summary can link to it."""

    def id_for_label(self, id_, index=None):
        return id_ if index in (None, "0", 0) else f"{id_}-{int(index) + 1}"
