import datetime
import functools

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language
from django_countries import countries as all_countries

from common.languages import russian_is_active
from common.markdown import render_markdown
from common.money import format_money

register = template.Library()


def _russian() -> bool:
    return russian_is_active()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def localized(instance, name):
    """`{{ project|localized:"title" }}`: its Russian version on a Russian page, else the English text.

    For models with common.models.TranslatedFieldsMixin; a field without a Russian version raises.
    A missing object (`line.activity` where there is none) prints nothing, as a missing variable does.
    """
    if instance is None or instance == "":
        return ""
    return instance.localized(name)


@register.filter
def numbered(label, number) -> str:
    """`{{ label|numbered:version.number }}` for a label translated once in Python with a `%(number)s`
    placeholder (a template's own `translate` doubles the `%`): one translation for a whole table
    instead of a `blocktranslate` in every row."""
    return label % {"number": number}


@register.filter
def person(user) -> str:
    """A user as pages name them: their full name, else their username; "—" for nobody."""
    if user is None or user == "":
        return "—"
    return user.get_full_name() or user.get_username()


@register.simple_tag
def money(amount, currency="EUR"):
    return format_money(amount, currency)


@register.filter(expects_localtime=True, is_safe=False)
def month_year(value):
    """`February 2019`; in Russian `февраль 2019`: the month as a name on its own.

    Django's `F` gives Russian's capitalised nominative (`Февраль`), `E` the genitive of a
    day's date (`февраля`); a month and year alone take the nominative, in lower case.
    """
    text = _date_text(value, "F Y")
    return text.lower() if _russian() else text


@register.filter(expects_localtime=True, is_safe=False)
def short_date(value, with_time=""):
    """`1 Feb 2019` (`|short_date:"time"`: `1 Feb 2019, 14:30`); in Russian `01.02.2019`.

    Django's `M` in Russian is the nominative (`1 Фев 2019`), which a day's date must not use.
    """
    pattern = "d.m.Y" if _russian() else "j M Y"
    return _date_text(value, f"{pattern}, H:i" if with_time else pattern)


def _date_text(value, pattern: str) -> str:
    """Django's `date` filter, remembered per language, value and pattern: a list page formats the
    same few dates many times, and each formatting translates month names afresh."""
    if not isinstance(value, datetime.date):
        return date_filter(value, pattern)  # "" for nothing, as the filter does
    # Two aware datetimes at the same instant are equal whatever their offsets: the offset is part of the key.
    offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
    return _formatted(get_language(), type(value), value, offset, pattern)


@functools.lru_cache(maxsize=4096)
def _formatted(language, kind, value, offset, pattern) -> str:
    return date_filter(value, pattern)


@register.filter
def country_names(chosen) -> str:
    """`Armenia, Belarus`: a project's countries by name in the active language."""
    language = get_language()
    return ", ".join(_country_name(language, country.code) for country in chosen)


@functools.lru_cache(maxsize=1024)
def _country_name(language, code) -> str:
    return str(all_countries.name(code))


@register.filter(expects_localtime=True, is_safe=False)
def date_span(first, last=None):
    """`1 Feb 2019 – 28 Feb 2020`, or one date when there is no end or it is the same day."""
    if not last or first == last:
        return short_date(first)
    return f"{short_date(first)} – {short_date(last)}"
