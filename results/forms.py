from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import RussianVersionFormMixin

from .models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResultForm(RussianVersionFormMixin, forms.ModelForm):
    class Meta:
        model = Result
        fields = ["level", "parent", "title", "description", "activities", "title_ru", "description_ru"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "description_ru": forms.Textarea(attrs={"rows": 3}),
            "activities": forms.CheckboxSelectMultiple,
        }
        help_texts = {"activities": _("The activities that contribute to this result (usually an output).")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = project.results.exclude(level=Result.Level.OUTPUT).exclude(pk=self.instance.pk)
        self.fields["activities"].queryset = project.activities.order_by("order", "planned_start", "pk")
        if self.instance.pk:
            self.fields["level"].disabled = True
            self.fields["parent"].disabled = True


class IndicatorForm(RussianVersionFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "title",
            "code",
            "unit",
            "ascending",
            "by_sex",
            "baseline_value",
            "baseline_year",
            "baseline_comment",
            "means_of_verification",
            "source",
            "activity_kind",
            "title_ru",
        ]
        widgets = {"means_of_verification": forms.Textarea(attrs={"rows": 2})}


class TargetForm(forms.ModelForm):
    period = forms.ModelChoiceField(
        label=_("Period"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=_("The whole project"),
    )

    class Meta:
        model = Target
        fields = ["period", "value", "text", "women", "men", "other", "comment"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = project.reporting_periods.order_by("start")

    def validate_unique(self):
        """Saving a period's target again replaces it (results.services.target_set): no "exists already"."""


class PeriodForm(forms.ModelForm):
    due = forms.DateField(
        label=_("Reports due"),
        required=False,
        widget=DATE,
        help_text=_("Empty: 30 days after the period ends."),
    )

    class Meta:
        model = ReportingPeriod
        fields = ["start", "end", "due"]
        widgets = {"start": DATE, "end": DATE}


class GenerateForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Frequency"),
        choices=[("quarterly", _("Quarterly")), ("half_yearly", _("Half-yearly")), ("yearly", _("Yearly"))],
    )


class UpdateForm(forms.ModelForm):
    """One indicator's row on the reporting page; a row left empty is skipped."""

    class Meta:
        model = IndicatorUpdate
        fields = ["value", "text", "women", "men", "other", "narrative", "evidence"]
        widgets = {
            "narrative": forms.Textarea(attrs={"rows": 2}),
            "evidence": forms.Textarea(attrs={"rows": 1}),
        }

    def __init__(self, *args, indicator: Indicator, report_computed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if indicator.unit == Indicator.Unit.TEXT:
            del self.fields["value"]
        else:
            del self.fields["text"]
        if indicator.unit == Indicator.Unit.YES_NO:
            self.fields["value"] = forms.TypedChoiceField(
                label=_("Actual value"),
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "—"), (1, _("Yes")), (0, _("No"))],
            )
            if self.instance.value is not None:  # 1.00 in the database, "1" among the choices
                self.initial["value"] = int(self.instance.value)
        if not indicator.by_sex:
            for name in ("women", "men", "other"):
                del self.fields[name]
        if indicator.is_computed:
            for name in ("value", "women", "men", "other"):
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["report"] = forms.BooleanField(
                label=_("Report the computed value"), required=False, initial=report_computed
            )

    @property
    def is_empty(self) -> bool:
        if "report" in self.fields:
            return not self.cleaned_data.get("report")
        return not any(value not in (None, "") for value in self.cleaned_data.values())

    def update_fields(self) -> dict:
        """The values for the service (disabled, computed ones are the portal's to fill in)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "report" and not self.fields[name].disabled
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
