from django import forms
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from common.forms import MoneyField

from .models import BudgetLine, BudgetRevision, Expenditure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _ProjectAmountMixin:
    """The amount typed in the user's language, confirmed with the project's currency."""

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        if "amount" in self.fields:
            self.fields["amount"].currency = project.currency


class _ProjectActivityMixin(_ProjectAmountMixin):
    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(project=project)


class BudgetLineForm(_ProjectActivityMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "activity", "amount"]
        field_classes = {"amount": MoneyField}


class BudgetLineEditForm(_ProjectActivityMixin, forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["category", "description", "activity"]


class BudgetRevisionForm(_ProjectAmountMixin, forms.ModelForm):
    class Meta:
        model = BudgetRevision
        fields = ["amount", "date", "reason"]
        field_classes = {"amount": MoneyField}
        widgets = {"date": DATE, "reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"reason": _("Why the amount changes, e.g. the reference of the approved amendment.")}


class ExpenditureForm(_ProjectAmountMixin, forms.ModelForm):
    class Meta:
        model = Expenditure
        fields = ["line", "date", "amount", "description", "reference"]
        field_classes = {"amount": MoneyField}
        widgets = {"date": DATE}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        # Only this project's lines can be chosen; another project's line id is refused at the field.
        self.fields["line"].queryset = BudgetLine.objects.filter(project=project)
