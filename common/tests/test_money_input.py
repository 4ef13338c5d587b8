"""Money as a person types it: each format in both languages, ambiguous entries confirmed first,
unreadable ones refused with a message, and the input never a browser number input."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from common.forms import MoneyField
from common.money import UnreadableAmount, read_amount
from common.tabular import parse_amount

D = Decimal
NBSP, NNBSP = "\u00a0", "\u202f"


class AmountForm(forms.Form):
    amount = MoneyField(currency="EUR")


def submit(language, text, confirm=None):
    data = {"amount": text}
    if confirm is not None:
        data["amount_confirm"] = confirm
    with translation.override(language):
        form = AmountForm(data)
        form.is_valid()
        form.messages = [str(message) for message in form.errors.get("amount", [])]  # in that language
        return form, str(form["amount"])


@pytest.mark.parametrize(
    ("language", "text", "amount"),
    [
        ("ru", "1 234,56", "1234.56"),
        ("ru", f"1{NBSP}234,56", "1234.56"),
        ("ru", f"1{NNBSP}234,56", "1234.56"),
        ("ru", "1234,56", "1234.56"),
        ("ru", "1234", "1234"),
        ("ru", "1 234 567,5", "1234567.5"),
        ("ru", "1234.56", "1234.56"),
        ("ru", "1,234", "1.234"),  # the Russian decimal comma: then refused for its three decimals
        ("en", "1,234.56", "1234.56"),
        ("en", "1234.56", "1234.56"),
        ("en", "1,234,567.89", "1234567.89"),
        ("en", "1234,56", "1234.56"),  # a decimal comma can only be one: nothing groups two digits
        ("en", "1 234.56", "1234.56"),
        ("en", "1.234,56", "1234.56"),
        ("en", "0.5", "0.5"),
    ],
)
def test_each_format_is_read_as_the_language_writes_it(language, text, amount):
    reading = read_amount(text, mark="," if language == "ru" else ".")
    assert reading.amount == D(amount)
    assert not reading.ambiguous


@pytest.mark.parametrize(
    ("language", "text", "amount"),
    [("ru", "1 234,56", "1234.56"), ("ru", "1234,56", "1234.56"), ("en", "1,234.56", "1234.56"),
     ("en", "1234.56", "1234.56"), ("en", "105000", "105000")],
)  # fmt: skip
def test_the_field_saves_each_accepted_format_as_typed(language, text, amount):
    form, _html = submit(language, text)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == D(amount)


@pytest.mark.parametrize(
    ("language", "text", "shown"), [("en", "1,234", "EUR 1,234.00"), ("ru", "1.234", "1 234,00 €")]
)
def test_an_ambiguous_amount_is_shown_as_read_and_saved_only_once_confirmed(language, text, shown):
    form, html = submit(language, text)
    assert not form.is_valid()
    assert form.messages[0].startswith(f"“{text}” can be read in two ways" if language == "en" else f"«{text}» можно")
    assert shown.replace(" ", NBSP) in html or shown in html
    assert 'name="amount_confirm"' in html and 'value="1234.00"' in html and "checked" not in html

    confirmed, html = submit(language, text, confirm="1234.00")
    assert confirmed.is_valid(), confirmed.errors
    assert confirmed.cleaned_data["amount"] == D("1234.00")
    assert "checked" in html  # shown ticked if another field sends the form back


def test_a_confirmation_of_another_amount_does_not_count():
    form, _html = submit("en", "12,345", confirm="1234.00")
    assert not form.is_valid()
    assert form.errors["amount"][0].startswith("“12,345” can be read in two ways")


def test_russian_messages_for_ambiguous_and_unreadable_amounts():
    form, html = submit("ru", "1.234")
    assert "Мы поняли это как 1" in html
    form, _html = submit("ru", "двенадцать")
    assert form.messages == [f"«двенадцать» — это не сумма. Напишите её так: 1{NBSP}234,56."]


@pytest.mark.parametrize(
    ("language", "text", "message"),
    [
        ("en", "abc", "“abc” is not an amount. Write it like 1,234.56."),
        ("en", "12.34.5", "“12.34.5” is not an amount. Write it like 1,234.56."),
        ("en", "1 23,5", "“1 23,5” is not an amount. Write it like 1,234.56."),
        ("en", "EUR 5", "“EUR 5” is not an amount. Write it like 1,234.56."),
        ("en", "1.234", "An amount has at most two decimals (cents)."),
        ("ru", "1,234", "В сумме может быть не более двух знаков после запятой (центов)."),
        ("ru", "-5", "Сумма не может быть отрицательной."),
        ("en", "12.345", "An amount has at most two decimals (cents)."),
        ("en", "-5", "An amount cannot be negative."),
        ("en", "1234567890123", "This amount is too large: at most 12 digits before the decimal mark."),
    ],
)
def test_what_cannot_be_read_is_refused_at_the_field_with_a_message(language, text, message):
    form, _html = submit(language, text)
    assert form.messages == [message]


def test_the_input_is_text_with_a_decimal_keyboard_never_a_number_input():
    _form, html = submit("en", "1,234.56")
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'type="number"' not in html
    assert 'value="1,234.56"' in html  # sent back as typed
    with translation.override("ru"):
        unbound = str(AmountForm(initial={"amount": D("105000.00")})["amount"])
    assert f'value="105{NBSP}000,00"' in unbound


@pytest.mark.parametrize("text", ["1,234", "1.234", "12,345", "abc", "1,2,3"])
def test_a_file_has_no_language_so_ambiguous_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_amount(text)


@pytest.mark.parametrize(("text", "amount"), [("1 234,56", "1234.56"), ("1,234.56", "1234.56"), ("-10", "-10"),
                                              ("1'234.50", "1234.50"), ("12,5", "12.5")])  # fmt: skip
def test_a_file_reads_the_unambiguous_formats(text, amount):
    assert parse_amount(text) == D(amount)


def test_digits_are_never_dropped():
    with pytest.raises(UnreadableAmount):
        read_amount("12a34", mark=".")
