from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.tabular import ACCEPT, MAX_BYTES, read_table


class LongTextarea(forms.Textarea):
    """A textarea whose length limit is the server's, not the browser's.

    Django gives a length-limited field's textarea `maxlength`, and a browser then cuts pasted
    text at the limit without a word: the user would save less than they pasted and not know
    it. Without it, the form refuses the whole text with a message giving the limit, and the
    text stays in the form to be shortened or split.
    """

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context


def apply_validation_error(form, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: at its field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields and field != NON_FIELD_ERRORS else None
        for message in messages:
            form.add_error(target, message)


class RussianVersionFormMixin:
    """A model form whose Russian fields (`<name>_ru`, common.models.TranslatedFieldsMixin) are grouped.

    They are shown together in a "Russian version (optional)" fieldset, placed after the last of
    the English fields they translate; the template renders the form with `{% crispy form %}`.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        translated = self._meta.model.translated_fields
        russian = [f"{name}_ru" for name in translated if f"{name}_ru" in self.fields]
        others = [name for name in self.fields if name not in russian]
        after = max(others.index(name) for name in translated if name in others) + 1
        for name in russian:
            self.fields[name].widget.attrs["lang"] = "ru"  # spell-checking and screen readers in Russian
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's <form> has its own token
        self.helper.layout = Layout(
            *others[:after],
            Fieldset(_("Russian version (optional)"), *russian, css_class="russian-version border-top pt-3 mb-3"),
            *others[after:],
        )


class SpreadsheetUploadForm(forms.Form):
    """One CSV or XLSX file; once valid, `table` holds its header and rows."""

    file = forms.FileField(label=_("Spreadsheet file"), widget=forms.FileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV or XLSX file of up to %(size)s MB. Only the first sheet of a workbook is read."
        ) % {"size": MAX_BYTES // (1024 * 1024)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.table = read_table(upload)
        return upload
