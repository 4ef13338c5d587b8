from django import template
from django.template.base import TextNode
from django.templatetags.i18n import TranslateNode
from django.templatetags.static import StaticNode

from common.frame import kept_html
from common.frame import site_header as render_site_header

register = template.Library()


@register.simple_tag(takes_context=True)
def site_header(context):
    """`{% site_header %}`: templates/_site_header.html for this request (see common/frame.py)."""
    return render_site_header(context)


def _constant(expression) -> bool:
    """A template expression that reads nothing from the context: a quoted string, no filters."""
    var = expression.var
    return not expression.filters and (isinstance(var, str) or getattr(var, "literal", None) is not None)


def _reads_nothing(node) -> bool:
    if isinstance(node, TextNode):
        return True
    if isinstance(node, TranslateNode):
        return node.asvar is None and node.message_context is None and _constant(node.filter_expression)
    if isinstance(node, StaticNode):
        return node.varname is None and _constant(node.path)
    return False


class KeptNode(template.Node):
    child_nodelists = ()  # nothing inside for `{% extends %}` to look for: no block may be kept

    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return kept_html(self, context.autoescape, render=lambda: self.nodelist.render(context))


@register.tag
def kept(parser, token):
    """`{% kept %}...{% endkept %}`: a part of the frame that is the same on every page in a language
    (text, `{% translate "..." %}`, `{% static "..." %}` only: no variable, so no reader's data), rendered
    once per process and language (common/frame.py)."""
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    for node in nodelist:
        if not _reads_nothing(node):
            raise template.TemplateSyntaxError(
                f"{{% kept %}} holds text, constant translations and static files only, not {node!r}"
            )
    return KeptNode(nodelist)
