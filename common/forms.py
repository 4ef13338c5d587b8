from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.money import CENT, UnreadableAmount, decimal_mark, format_amount, format_money, read_amount
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


# Money typed by a person -----------------------------------------------------------------------


class TypedAmount(str):
    """What was typed into a money field, with the amount the person confirmed alongside it.

    A money field's widget hands its field this instead of a plain string, so that the field can
    tell a confirmed ambiguous entry from an unconfirmed one; it is shown back as typed."""

    confirmed: str = ""

    def __new__(cls, text: str, confirmed: str = ""):
        typed = super().__new__(cls, text)
        typed.confirmed = confirmed
        return typed


def _confirmation_value(amount: Decimal) -> str:
    return str(amount.quantize(CENT))


def _ambiguous_reading(text) -> Decimal | None:
    """The amount `text` was read as, if it could be read two ways in the active language."""
    try:
        reading = read_amount(str(text), mark=decimal_mark())
    except UnreadableAmount:
        return None
    return reading.amount if reading.ambiguous else None


class MoneyInput(forms.TextInput):
    """A text input for money, never `type="number"`: a browser's number input drops a decimal
    comma it does not expect ("1234,56" arrives as 123456) or the whole value, without a word.

    `inputmode="decimal"` still brings up the number keyboard on phones. When what was typed could
    be read two ways, a checkbox under the input shows the amount it was read as, to confirm it.
    """

    input_type = "text"
    currency: str | None = None

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        return TypedAmount(text, data.get(f"{name}_confirm", ""))

    def format_value(self, value):
        if isinstance(value, Decimal):
            return format_amount(value)
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        amount = _ambiguous_reading(value) if isinstance(value, str) and value.strip() else None
        if amount is None:
            return html
        shown = format_money(amount, self.currency) if self.currency else format_amount(amount)
        confirm_id = f"{(attrs or {}).get('id') or 'id_' + name}_confirm"
        checked = getattr(value, "confirmed", "") == _confirmation_value(amount)
        return format_html(
            '{}<div class="form-check mt-2 money-confirm"><input class="form-check-input" type="checkbox" '
            'name="{}_confirm" id="{}" value="{}"{}><label class="form-check-label" for="{}">{}</label></div>',
            html,
            name,
            confirm_id,
            _confirmation_value(amount),
            " checked" if checked else "",
            confirm_id,
            gettext("We read this as %(amount)s — confirm") % {"amount": shown},
        )


class MoneyField(forms.DecimalField):
    """An amount of money as a person types it in their language, or refused with a reason.

    English: `1,234.56` or `1234.56`; Russian: `1 234,56` or `1234,56` (any kind of space groups
    thousands). An entry that could be read two ways (`1,234` in English, `1.234` in Russian)
    is not accepted until the person ticks the box that shows the amount it was read as. Text that
    is not an amount, more than two decimals, too many digits and, unless `allow_negative`, a
    negative amount are refused with a message; a typed amount never silently changes magnitude.
    Set `currency` to show the confirmation with the currency.
    """

    widget = MoneyInput
    default_error_messages = {
        "invalid": _("“%(value)s” is not an amount. Write it like %(example)s."),
        "ambiguous": _(
            "“%(value)s” can be read in two ways. Check the amount we read and tick the box to confirm it, "
            "or correct the amount."
        ),
        "negative": _("An amount cannot be negative."),
        "decimals": _("An amount has at most two decimals (cents)."),
        "too_large": _("This amount is too large: at most %(digits)s digits before the decimal mark."),
    }

    def __init__(self, *, currency: str | None = None, allow_negative: bool = False, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)
        self.allow_negative = allow_negative
        self.currency = currency

    @property
    def currency(self) -> str | None:
        return self.widget.currency

    @currency.setter
    def currency(self, code: str | None) -> None:
        self.widget.currency = code

    def to_python(self, value):
        if value in self.empty_values or not str(value).strip():
            return None
        text = str(value).strip()
        try:
            reading = read_amount(text, mark=decimal_mark())
        except UnreadableAmount:
            example = format_amount(Decimal("1234.56"))
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": text, "example": example}
            ) from None
        if reading.ambiguous and getattr(value, "confirmed", "") != _confirmation_value(reading.amount):
            raise ValidationError(self.error_messages["ambiguous"], code="ambiguous", params={"value": text})
        return reading.amount

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0 and not self.allow_negative:
            raise ValidationError(self.error_messages["negative"], code="negative")
        if -value.as_tuple().exponent > self.decimal_places:
            raise ValidationError(self.error_messages["decimals"], code="decimals")
        whole_digits = self.max_digits - self.decimal_places
        if abs(value) >= 10**whole_digits:
            raise ValidationError(self.error_messages["too_large"], code="too_large", params={"digits": whole_digits})
