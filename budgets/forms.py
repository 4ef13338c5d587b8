from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Activity

from .models import BudgetLine, BudgetRevision, Expenditure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ProjectActivityMixin:
    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(project=project)


class BudgetLineForm(_ProjectActivityMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "activity", "amount"]


class BudgetLineEditForm(_ProjectActivityMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "activity"]


class BudgetRevisionForm(forms.ModelForm):
    class Meta:
        model = BudgetRevision
        fields = ["amount", "date", "reason"]
        widgets = {"date": DATE, "reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"reason": _("Why the amount changes, e.g. the reference of the approved amendment.")}


class ExpenditureForm(forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = ["line", "date", "amount", "description", "reference"]
        widgets = {"date": DATE}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this project's lines can be chosen; another project's line id is refused at the field.
        self.fields["line"].queryset = BudgetLine.objects.filter(project=project)
