from django import template

from common.markdown import render_markdown
from common.money import format_money

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag
def money(amount, currency="EUR"):
    return format_money(amount, currency)
