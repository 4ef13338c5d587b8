"""The dashboard's filters, shared by the portfolio page, its exports and the read API.

A bad value (year=abc, country=ZZ) never breaks the page: the filter is dropped and the page
says so. The API answers 400 instead, naming the parameter (see dashboards/api.py).
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from projects.models import FundingInstrument, Project

SORTS = {
    "start": ("planned_start", "title", "pk"),
    "-start": ("-planned_start", "title", "pk"),
    "end": ("planned_end", "title", "pk"),
    "-end": ("-planned_end", "title", "pk"),
    "title": ("title", "pk"),
}
SORT_CHOICES = [
    ("start", _("Start, earliest first")),
    ("-start", _("Start, latest first")),
    ("end", _("End, earliest first")),
    ("-end", _("End, latest first")),
    ("title", _("Title, A to Z")),
]
DEFAULT_SORT = "start"
FILTER_NAMES = ("status", "country", "instrument", "year", "thematic_area")


class DashboardFilterForm(forms.Form):
    """Status, beneficiary country, funding instrument, year (projects running in it) and theme.

    `country_codes` and `themes` limit the choices to those the user's projects use (a short
    list); without them any ISO country and any text is accepted (the API).
    """

    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Project.Status.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("Any country")), *countries], required=False)
    instrument = forms.ModelChoiceField(
        label=_("Funding instrument"),
        queryset=FundingInstrument.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Any instrument"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    thematic_area = forms.CharField(label=_("Thematic area"), required=False, max_length=200)

    def __init__(self, *args, country_codes=None, themes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if country_codes is not None:
            names = dict(countries)
            in_use = sorted(((code, names[code]) for code in country_codes if code in names), key=lambda c: c[1])
            self.fields["country"].choices = [("", _("Any country")), *in_use]
        if themes is not None:
            self.fields["thematic_area"] = forms.ChoiceField(
                label=_("Thematic area"),
                choices=[("", _("Any thematic area")), *((theme, theme) for theme in themes)],
                required=False,
            )
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def valid_filters(self) -> dict:
        """The filters that passed validation; invalid ones are dropped (and listed by `ignored`)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}

    def ignored(self) -> list[dict]:
        """One entry per dropped filter: its label, the value given and why it was refused."""
        self.is_valid()
        return [
            {"name": name, "label": self.fields[name].label, "value": self.data.get(name, ""), "errors": errors}
            for name, errors in self.errors.items()
        ]


def sort_key(value: str | None) -> tuple[str, bool]:
    """The timeline's order (start, -start, end, -end or title) and whether the value given was refused."""
    if not value:
        return DEFAULT_SORT, False
    if value in SORTS:
        return value, False
    return DEFAULT_SORT, True
