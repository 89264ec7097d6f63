from django import forms, template

register = template.Library()

# GOV.UK sizes inputs to the answer they expect; codes are short and numeric on phones.
FIELD_ATTRS = {
    "code": {
        "extra_class": " govuk-input--width-10",
        "inputmode": "numeric",
        "spellcheck": "false",
    },
}


@register.filter
def is_checkbox(field) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


def _default_class(widget) -> str:
    if isinstance(widget, forms.Select):
        return "govuk-select lbh-select"
    if isinstance(widget, forms.FileInput):
        return "govuk-file-upload lbh-file-upload"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea lbh-textarea"
    return "govuk-input lbh-input"


@register.simple_tag
def govuk_widget(field, css_class: str = ""):
    """Render a field's widget with GOV.UK classes and aria-describedby pointing at its hint and
    error message, so screen readers read them with the input."""
    css_class = css_class or _default_class(field.field.widget)
    attrs = {
        "class": css_class
        + (" govuk-input--error" if field.errors and css_class.startswith("govuk-input") else "")
    }
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    extra = dict(FIELD_ATTRS.get(field.name, {}))
    attrs["class"] += extra.pop("extra_class", "")
    attrs.update(extra)
    # allauth sets placeholders that repeat the label; GOV.UK advises against placeholders.
    field.field.widget.attrs.pop("placeholder", None)
    return field.as_widget(attrs=attrs)


@register.filter
def pounds(pence) -> str:
    """Integer pence as pounds for people: 123456 → "£1,234.56", -1925 → "\u2212£19.25" (a
    true minus sign, which screen readers read as "minus"). Money is pence everywhere but here."""
    if pence is None or pence == "":
        return ""
    pence = int(pence)
    sign = "\u2212" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@register.filter(expects_localtime=True)
def long_date(value) -> str:
    """A date as GOV.UK writes it, "14 June 2026" (a datetime in London time, as templates hand
    it over): what |date:"j F Y" gives, without its formatting machinery, which cost the
    balance page, with a date on every row of its tables, a tenth of its time
    (docs/performance.md). English only, as the portal is."""
    if not value:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


@register.filter(expects_localtime=True)
def short_date(value) -> str:
    """For tables, "14 Jun 2026": what |date:"j M Y" gives (see long_date)."""
    if not value:
        return ""
    return f"{value.day} {MONTHS[value.month - 1][:3]} {value.year}"


@register.filter(expects_localtime=True)
def clock_time(value) -> str:
    """A time as GOV.UK writes it, "1:37pm", "9am", "12pm" (London time): Django's |time:"g:ia"
    writes "1:37 p.m."."""
    if not value:
        return ""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
