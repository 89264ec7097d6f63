"""The what-ifs' forms: read from the query string (a result is a link), every bad answer a
GOV.UK error message, and a change the tariff could not price refused as a whole."""

import re

from django import forms

from hackney_portal.forms import NoBrowserMaxLength
from parking.pricing import TariffError, TariffRates

from .council_tax_whatif import RATES, Kind
from .models import NAME_MAX, Scenario
from .tariff_whatif import NewBand, changed_tariff, zone_tariff

MOST_POUNDS = 100_000  # a year's permit or surcharge: far above any real one
_POUNDS = re.compile(r"£?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?")


def pounds_text(pence: int) -> str:
    """Pence as the form shows a sum: 12000 → "120.00"."""
    return f"{pence // 100}.{pence % 100:02d}"


class PoundsField(forms.CharField):
    """A sum in pounds ("120", "£120.50", "1,200"), cleaned to integer pence."""

    def __init__(self, *, name: str, **kwargs):
        self.name = name
        kwargs.setdefault("error_messages", {})["required"] = f"Enter {name} in pounds"
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "decimal", "spellcheck": "false"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        match = _POUNDS.fullmatch(value.replace(" ", ""))
        if not match:
            raise forms.ValidationError(
                f"{self.name[0].upper()}{self.name[1:]} must be an amount in pounds, like 120.00"
            )
        pence = int(match[1].replace(",", "")) * 100 + int((match[2] or "0").ljust(2, "0"))
        if pence > MOST_POUNDS * 100:
            raise forms.ValidationError(
                f"{self.name[0].upper()}{self.name[1:]} must be £{MOST_POUNDS:,} or less"
            )
        return pence


class WholeNumberField(forms.CharField):
    """A whole number from `least` to `most`, with the field's own words in every message."""

    def __init__(self, *, name: str, unit: str, least: int, most: int, **kwargs):
        self.name, self.unit, self.least, self.most = name, unit, least, most
        kwargs.setdefault("error_messages", {})["required"] = f"Enter {name}"
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "spellcheck": "false"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = value.replace(",", "").removesuffix(self.unit.strip()).strip()
        named = f"{self.name[0].upper()}{self.name[1:]}"
        if not text.isdigit():
            raise forms.ValidationError(f"{named} must be a whole number, like {self.least + 1}")
        number = int(text)
        if not self.least <= number <= self.most:
            raise forms.ValidationError(
                f"{named} must be between {self.least:,} and {self.most:,}{self.unit}"
            )
        return number


def _band_name(label: str, index: int) -> str:
    return label or f"Band {index + 1}"


class TariffChangeForm(NoBrowserMaxLength, forms.Form):
    """The tariff in force, every part of it changeable; built from the tariff itself."""

    def __init__(self, *args, tariff: TariffRates, zones: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.tariff = tariff
        self.emission_rows = self._band_rows(
            "band",
            [(_band_name(b.label, i), b.annual_pence, b.max_co2) for i, b in enumerate(
                tariff.emission_bands)],
            spoken=str,
            unit=" g/km",
            least=0,
            most=999,
        )  # fmt: skip
        self._new_band_fields()
        self.engine_rows = self._band_rows(
            "engine",
            [
                (f"Engine size band {i + 1}" + (f" ({b.label})" if b.label else ""),
                 b.annual_pence, b.max_cc)
                for i, b in enumerate(tariff.engine_size_bands)
            ],
            spoken=str.lower,
            unit="cc",
            least=1,
            most=99_999,
        )  # fmt: skip
        self._surcharge_fields(tariff)
        self._shorter_permit_fields(tariff)
        self._zone_fields(zones)

    def _band_rows(self, prefix, bands, *, spoken, unit, least, most):
        """A price field for each band, and an upper limit's for each but an open-ended last,
        filled in with the tariff's: (band, price field's name, limit field's name or None)."""
        rows = []
        for i, (name, pence, limit_now) in enumerate(bands):
            price, limit = f"{prefix}_{i}_price", f"{prefix}_{i}_max"
            self.fields[price] = PoundsField(
                name=f"the price of {spoken(name)}", label=f"{name}: price a year (£)"
            )
            self.initial[price] = pounds_text(pence)
            if limit_now is not None:
                self.fields[limit] = WholeNumberField(
                    name=f"the upper limit of {spoken(name)}",
                    unit=unit,
                    least=least,
                    most=most,
                    label=f"{name}: up to ({unit.strip()})",
                )
                self.initial[limit] = str(limit_now)
            rows.append((name, price, limit if limit_now is not None else None))
        return rows

    def _new_band_fields(self):
        self.fields["new_band_max"] = WholeNumberField(
            name="the new band's upper limit",
            unit=" g/km",
            least=0,
            most=999,
            required=False,
            label="New band: up to (g/km)",
            help_text="Leave both empty for no new band. It takes the vehicles up to this limit "
            "from the band it falls in",
        )
        self.fields["new_band_price"] = PoundsField(
            name="the new band's price",
            required=False,
            label="New band: price a year (£)",
        )

    def _surcharge_fields(self, tariff):
        self.fields["diesel"] = PoundsField(
            name="the diesel surcharge", label="Diesel surcharge a year (£)"
        )
        self.initial["diesel"] = pounds_text(tariff.diesel_surcharge_pence)
        self.fields["further"] = PoundsField(
            name="the further-permit surcharge",
            label="Further-permit surcharge a year (£)",
            help_text="Added to every permit after the first at a home",
        )
        self.initial["further"] = pounds_text(tariff.additional_permit_surcharge_pence)

    def _shorter_permit_fields(self, tariff):
        for months, name in ((3, "three_month_percent"), (6, "six_month_percent")):
            self.fields[name] = WholeNumberField(
                name=f"the {months}-month price as a percentage of a year's",
                unit="%",
                least=1,
                most=100,
                label=f"A {months}-month permit's price, as a percentage of a year's (%)",
            )
            self.initial[name] = str(getattr(tariff, name))
        self.fields[
            "six_month_percent"
        ].help_text = "At least the 3-month percentage: a longer permit never costs less"

    def _zone_fields(self, zones):
        self.fields["zone"] = forms.ChoiceField(
            label="Zone with its own prices (optional)",
            required=False,
            choices=[("", "None: one tariff for the whole borough")]
            + [(zone, f"Zone {zone}") for zone in zones],
            error_messages={"invalid_choice": "Choose a zone from the list"},
        )
        self.fields["zone_percent"] = WholeNumberField(
            name="the zone's prices as a percentage",
            unit="%",
            least=0,
            most=300,
            required=False,
            label="That zone's band prices, as a percentage of the borough's (%)",
            help_text="For example, 120 for a fifth more. Surcharges stay the same",
        )

    def emission_fields(self):
        """(band, its price's field, its limit's field or None) for the template."""
        return [(n, self[p], self[m] if m else None) for n, p, m in self.emission_rows]

    def engine_fields(self):
        return [(n, self[p], self[m] if m else None) for n, p, m in self.engine_rows]

    def clean(self):
        cleaned = super().clean()
        self._check_limits_rise("band", self.emission_rows, "g/km")
        self._check_limits_rise("engine", self.engine_rows, "cc")
        new_max, new_price = cleaned.get("new_band_max"), cleaned.get("new_band_price")
        if new_max is not None and new_price is None and "new_band_price" not in self.errors:
            self.add_error("new_band_price", "Enter the new band's price too, or neither")
        if new_price is not None and new_max is None and "new_band_max" not in self.errors:
            self.add_error("new_band_max", "Enter the new band's upper limit too, or neither")
        limits = [cleaned.get(limit) for _n, _p, limit in self.emission_rows if limit]
        if new_max is not None and new_max in limits:
            self.add_error("new_band_max", f"A band already ends at {new_max} g/km")
        three, six = cleaned.get("three_month_percent"), cleaned.get("six_month_percent")
        if three is not None and six is not None and six < three:
            self.add_error(
                "six_month_percent",
                f"The 6-month percentage must be at least the 3-month one ({three}%)",
            )
        zone, percent = cleaned.get("zone"), cleaned.get("zone_percent")
        if percent is not None and not zone and "zone" not in self.errors:
            self.add_error("zone", "Choose the zone to price differently")
        if zone and percent is None and "zone_percent" not in self.errors:
            self.add_error("zone_percent", "Enter the zone's band prices as a percentage, like 120")
        if not self.errors:
            try:
                self.proposed_tariffs()
            except TariffError as error:  # pricing's own checks, as a last guard
                raise forms.ValidationError(str(error)) from None
        return cleaned

    def _check_limits_rise(self, kind, rows, unit):
        previous = None
        for name, _price, limit in rows:
            if limit is None:
                continue
            value = self.cleaned_data.get(limit)
            if value is None:
                previous = None
                continue
            if previous is not None and value <= previous[1]:
                self.add_error(
                    limit,
                    f"The upper limit of {name} must be more than {previous[0]}'s "
                    f"({previous[1]:,} {unit})".replace(" cc)", "cc)"),
                )
            previous = (name, value)

    def proposed_tariffs(self) -> tuple[TariffRates, dict[str, TariffRates]]:
        data = self.cleaned_data
        tariff = self.tariff
        new_band = None
        if data.get("new_band_max") is not None:
            new_band = NewBand(max_co2=data["new_band_max"], annual_pence=data["new_band_price"])
        borough = changed_tariff(
            tariff,
            emission_prices=[data[price] for _n, price, _l in self.emission_rows],
            emission_limits=[
                data[limit] if limit else None for _n, _p, limit in self.emission_rows
            ],
            new_band=new_band,
            engine_prices=[data[price] for _n, price, _l in self.engine_rows],
            engine_limits=[data[limit] if limit else None for _n, _p, limit in self.engine_rows],
            diesel_surcharge_pence=data["diesel"],
            further_permit_surcharge_pence=data["further"],
            three_month_percent=data["three_month_percent"],
            six_month_percent=data["six_month_percent"],
        )
        zones = {}
        if data.get("zone"):
            zones[data["zone"]] = zone_tariff(
                borough, zone=data["zone"], percent=data["zone_percent"]
            )
        return borough, zones


class CouncilTaxChangeForm(NoBrowserMaxLength, forms.Form):
    code = forms.ChoiceField(
        label="Discount or premium",
        choices=[
            (rate.code, f"{rate.name} ({rate.code}): {rate.percent}% now")
            for rate in RATES.values()
        ],
        error_messages={
            "required": "Choose the discount or premium to change",
            "invalid_choice": "Choose a discount or premium from the list",
        },
    )
    percent = WholeNumberField(
        name="the new percentage",
        unit="%",
        least=0,
        most=300,
        label="New percentage (%)",
        help_text="A discount is a percentage of the year's charge (up to 100); a premium is "
        "added on top of the home's own charge (up to 300)",
    )

    def clean(self):
        cleaned = super().clean()
        code, percent = cleaned.get("code"), cleaned.get("percent")
        if code and percent is not None:
            rate = RATES[code]
            if rate.kind is Kind.DISCOUNT and percent > 100:
                self.add_error("percent", "A discount must be between 0 and 100%")
        return cleaned


# --- Saved scenarios ----------------------------------------------------------------------------

MOST_COMPARED = 6  # side by side on a page and on paper: more columns than that cannot be read


class ScenarioSaveForm(NoBrowserMaxLength, forms.Form):
    """A name for the what-if on the page. `kind` and `query` say which what-if it is; the
    figures are worked out again from them, never taken from the browser."""

    name = forms.CharField(
        label="Name this scenario",
        max_length=NAME_MAX,
        help_text='A name a committee would know it by, like "Diesel surcharge up £50"',
        error_messages={
            "required": "Enter a name for the scenario",
            "max_length": f"The name must be {NAME_MAX} characters or fewer",
        },
    )
    # Hidden: sent by the result page. When they are wrong nothing is saved and the page says
    # the what-if could not be worked out again (scenario_cannot_save.html), not these words.
    kind = forms.ChoiceField(
        choices=Scenario.Kind.choices,
        widget=forms.HiddenInput,
        error_messages={
            "required": "Say which what-if to save",
            "invalid_choice": "Save a permit tariff or council tax what-if",
        },
    )
    query = forms.CharField(
        widget=forms.HiddenInput,
        max_length=20_000,
        error_messages={
            "required": "Send the what-if's answers with it",
            "max_length": "The what-if's answers must be 20,000 characters or fewer",
        },
    )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Scenario.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                f"A scenario called \u201c{name}\u201d is already saved: choose another name"
            )
        return name


class ScenarioCompareForm(forms.Form):
    """Which saved scenarios to set side by side: two or more, of one kind."""

    s = forms.ModelMultipleChoiceField(
        queryset=Scenario.objects.all(),
        label="Scenarios to compare",
        error_messages={
            "required": "Choose two or more scenarios to compare",
            "invalid_choice": "Choose scenarios from the list",
            "invalid_pk_value": "Choose scenarios from the list",
        },
    )

    def clean_s(self):
        chosen = list(self.cleaned_data["s"].order_by("saved_at", "id"))
        if len(chosen) < 2:
            raise forms.ValidationError("Choose two or more scenarios to compare")
        if len(chosen) > MOST_COMPARED:
            raise forms.ValidationError(f"Choose no more than {MOST_COMPARED} scenarios to compare")
        if len({scenario.kind for scenario in chosen}) > 1:
            raise forms.ValidationError(
                "Choose scenarios of one kind: permit tariff ones, or council tax ones"
            )
        return chosen
