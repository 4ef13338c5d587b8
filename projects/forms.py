from crispy_forms.layout import Field
from django import forms
from django.contrib.auth import get_user_model
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.currencies import CURRENCY_CHOICES, ISO_4217_CODES
from common.forms import MoneyField, RussianVersionFormMixin

from .models import FundingInstrument, Membership, Organisation, Project, ProjectPartner, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(RussianVersionFormMixin, forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="EUR")

    class Meta:
        model = Project
        fields = [
            "code", "slug", "title", "thematic_area", "summary", "title_ru", "thematic_area_ru", "summary_ru",
            "status", "planned_start", "planned_end", "actual_start", "actual_end", "countries", "instrument",
            "total_budget", "currency", "is_published", "contact_email",
        ]  # fmt: skip
        field_classes = {"total_budget": MoneyField}
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "actual_start": DATE,
            "actual_end": DATE,
            "summary": forms.Textarea(attrs={"rows": 6}),
            "summary_ru": forms.Textarea(attrs={"rows": 6}),
            "countries": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "slug": _("The project's address: lower-case letters, digits and hyphens."),
            "countries": _("Tick every country the project works with; the filter box narrows the list."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["slug"].required = False  # made from the title when left empty (services.project_create)
            self.fields["slug"].help_text = _(
                "The project's address: lower-case letters, digits and hyphens. Filled from the title; "
                "you may change it. Left empty, it is made from the title."
            )
            self.fields["slug"].widget.attrs["data-slug-from"] = self["title"].id_for_label
        # A list of checkboxes with a filter box and the chosen countries (works without JavaScript).
        self.helper["countries"].wrap(Field, template="projects/_country_picker.html")
        currency = self.data.get("currency") if self.is_bound else self.instance.currency
        self.fields["total_budget"].currency = currency if currency in ISO_4217_CODES else None


class PartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())
    role = forms.ChoiceField(label=_("Role"), choices=ProjectPartner.PartnerRole.choices)


class PartnerRowForm(PartnerForm):
    """One partner row of the project create form: left empty, it is skipped."""

    def __init__(self, *args, organisation_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = _("Choose an organisation")
        if organisation_choices is not None:  # read once for all the rows (BasePartnerFormSet)
            self.fields["organisation"].choices = organisation_choices
        self.fields["role"].choices = [("", _("Choose a role")), *ProjectPartner.PartnerRole.choices]
        self.fields["organisation"].widget.attrs["class"] = "form-select"
        self.fields["role"].widget.attrs["class"] = "form-select"


class BasePartnerFormSet(forms.BaseFormSet):
    @cached_property
    def organisation_choices(self) -> list:
        """The organisations, read once: each row's list would otherwise query them again."""
        return list(iter(self.form().fields["organisation"].choices))  # iter: no COUNT first

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "organisation_choices": self.organisation_choices}

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() or form.errors:
                continue
            pair = (form.cleaned_data["organisation"].pk, form.cleaned_data["role"])
            if pair in seen:
                raise forms.ValidationError(_("The same organisation is listed twice in the same role."))
            seen.add(pair)

    def partners(self) -> list[dict]:
        """The filled-in rows, as keyword arguments for services.partner_add."""
        return [form.cleaned_data for form in self.forms if form.has_changed() and form.cleaned_data]


PARTNER_ROWS = 3  # empty partner rows on the create form (more are added with the button, or after saving)
PartnerFormSet = forms.formset_factory(
    PartnerRowForm, formset=BasePartnerFormSet, extra=PARTNER_ROWS, max_num=50, validate_max=True
)


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("There is no active user with this username."))
        return user


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class ProjectFilterForm(forms.Form):
    """The project list's filters. A bad value is reported beside the filter and ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("Any status")), *Project.Status.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    # Every country is offered only when the form is made without `country_codes` (set in __init__):
    # copying some 250 choices into each new form would cost more than the rest of the page.
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("Any country"))], required=False)
    instrument = forms.ModelChoiceField(
        label=_("Funding instrument"),
        queryset=FundingInstrument.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any instrument"),
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)

    def __init__(self, *args, country_codes=None, instrument_codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if country_codes is None:
            self.fields["country"].choices = [("", _("Any country")), *countries]
        else:
            # Only the countries projects are in: a short list to choose from, and a light page.
            in_use = sorted((code, countries.name(code)) for code in country_codes if code in countries)
            self.fields["country"].choices = [("", _("Any country")), *sorted(in_use, key=lambda c: c[1])]
        if instrument_codes is not None:
            # The instruments the view read already (an instrument is shown by its code): the
            # form is drawn without reading them again. A chosen one is still checked against the table.
            instrument = self.fields["instrument"]
            instrument.widget.choices = [("", instrument.empty_label), *((code, code) for code in instrument_codes)]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select" if is_select else "form-control"

    def valid_filters(self) -> dict:
        """The filters that passed validation; invalid ones are dropped (and shown as errors)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
