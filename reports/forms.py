from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from common.forms import LongTextarea

from .models import MAX_NARRATIVE_LENGTH, Report, ReportSchedule

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["interim_months", "final_report", "days_to_submit"]


class ReportForm(forms.ModelForm):
    """A report added by hand (kind "other"), or the editable facts of any report."""

    class Meta:
        model = Report
        fields = ["title", "title_ru", "period_start", "period_end", "due_date", "responsible"]
        widgets = {
            "period_start": DATE,
            "period_end": DATE,
            "due_date": DATE,
            "responsible": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__project=project).order_by("last_name", "username")
        self.fields["responsible"].queryset = members
        self.fields["responsible"].label_from_instance = lambda user: user.get_full_name() or user.username
        if self.instance.pk and self.instance.is_frozen:
            for name in ("period_start", "period_end"):
                self.fields[name].disabled = True


class NarrativeForm(forms.Form):
    base_number = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    body = forms.CharField(
        label=_("Narrative"),
        required=False,
        max_length=MAX_NARRATIVE_LENGTH,
        widget=LongTextarea(attrs={"rows": 18, "data-rich-editor": ""}),
        help_text=_("What was done in the period, what changed, what is planned next. Markdown."),
    )


class ReviewForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return with comments"))])
    comment = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you return the report: say what should change."),
    )
