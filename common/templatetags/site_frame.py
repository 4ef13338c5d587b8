from django import template

from common.frame import site_header as render_site_header

register = template.Library()


@register.simple_tag(takes_context=True)
def site_header(context):
    """`{% site_header %}`: templates/_site_header.html for this request (see common/frame.py)."""
    return render_site_header(context)
