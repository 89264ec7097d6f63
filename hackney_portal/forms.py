"""What every form of the portal shares."""


class NoBrowserMaxLength:
    """Form fields keep their max_length (checked, with a message that says the limit) but give
    the browser no `maxlength`: a browser cuts a longer paste to the limit without a word, so a
    resident would send a name or address they never read. GOV.UK advises against `maxlength`
    for the same reason (casework.forms.LimitedText does the same for staff's reasons)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
