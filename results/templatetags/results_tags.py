from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from results.models import Indicator

register = template.Library()


def _number(value) -> str:
    number = Decimal(value)
    return formats.number_format(number, decimal_pos=0 if number == number.to_integral() else 2, use_l10n=True)


@register.filter
def indicator_value(value, indicator: Indicator) -> str:
    """A value as its indicator's unit shows it: "Yes", "55 %", "1,200"; "—" when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        return value
    if indicator.unit == Indicator.Unit.YES_NO:
        return _("Yes") if value else _("No")
    shown = _number(value)
    if indicator.unit == Indicator.Unit.PERCENTAGE:
        return f"{shown} %"
    return shown


@register.filter
def sex_parts(holder) -> str:
    """ "women 6 · men 4 · other 0" for a target or update split by sex; empty otherwise."""
    if holder.women is None and holder.men is None and holder.other is None:
        return ""  # most targets and updates: no labels to translate (a framework page asks for hundreds)
    labels = [(_("women"), holder.women), (_("men"), holder.men), (_("other/unknown"), holder.other)]
    shown = [f"{label} {_number(value)}" for label, value in labels if value is not None]
    return " · ".join(shown)
