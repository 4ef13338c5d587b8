from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from budgets.models import Expenditure
from projects.access import Capability

from .filetypes import ACCEPTED_EXTENSIONS
from .models import LANGUAGES, Category, Visibility

ACCEPT = ",".join(f".{extension}" for extension in ACCEPTED_EXTENSIONS)


def _file_help() -> str:
    return _("PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, CSV or text; at most %(limit)s.") % {
        "limit": filesizeformat(settings.DOCUMENTS_MAX_FILE_BYTES)
    }


class VersionForm(forms.Form):
    upload = forms.FileField(label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = _file_help()
        # The browser refuses a file over the limit before sending anything (portal.js), so what was
        # typed in the rest of the form stays: the server refuses such a request before reading it.
        self.fields["upload"].widget.attrs |= {
            "data-max-bytes": settings.DOCUMENTS_MAX_FILE_BYTES,
            "data-too-large": _("This file is %(size)s: the portal accepts at most %(limit)s. Choose a smaller file.")
            % {"size": "{size}", "limit": filesizeformat(settings.DOCUMENTS_MAX_FILE_BYTES)},
        }


class DocumentForm(VersionForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category (IATI document category)"), choices=Category.choices)
    languages = forms.MultipleChoiceField(
        label=_("Languages"), choices=LANGUAGES, initial=["en"], widget=forms.CheckboxSelectMultiple
    )
    document_date = forms.DateField(
        label=_("Date of the document"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    visibility = forms.ChoiceField(
        label=_("Who may see it"), choices=Visibility.choices, initial=Visibility.TEAM, widget=forms.RadioSelect
    )
    activity = forms.ModelChoiceField(label=_("Activity"), queryset=Activity.objects.none(), required=False)
    expenditure = forms.ModelChoiceField(
        label=_("Expenditure (e.g. the invoice behind it)"), queryset=Expenditure.objects.none(), required=False
    )

    field_order = ["upload", "title", "category", "languages", "document_date", "visibility", "activity"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = Activity.objects.filter(project=project).order_by("order", "pk")
        if Capability.FINANCE in project.capabilities:
            self.fields["expenditure"].queryset = (
                Expenditure.objects.filter(line__project=project).select_related("line").order_by("-date", "-pk")
            )
        else:  # budgets and expenditure are not theirs to see
            del self.fields["expenditure"]
