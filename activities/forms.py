from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import RussianVersionFormMixin
from projects.models import Organisation

from .models import Activity, Participation

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(RussianVersionFormMixin, forms.ModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind", "title", "theme", "description", "planned_start", "planned_end", "actual_start", "actual_end",
            "status", "is_remote", "city", "country", "outputs", "title_ru", "theme_ru", "description_ru",
            "outputs_ru",
        ]  # fmt: skip
        widgets = {
            "planned_start": DATE,
            "planned_end": DATE,
            "actual_start": DATE,
            "actual_end": DATE,
            "description": forms.Textarea(attrs={"rows": 5}),
            "outputs": forms.Textarea(attrs={"rows": 3}),
            "description_ru": forms.Textarea(attrs={"rows": 5}),
            "outputs_ru": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"planned_end": _("The same day as the start makes a one-day event, shown as a milestone.")}


class ParticipationForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.all())

    class Meta:
        model = Participation
        fields = ["organisation", "role", "participants", "women"]
