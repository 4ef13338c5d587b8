from django import template

from concepts.rendering import selectors
from concepts.rendering.views import jobs_context

register = template.Library()


@register.inclusion_tag("concepts/_renders.html", takes_context=True)
def render_panel(context, concept, edition=None):
    """The printable files of a concept (or of one of its editions): what to ask for, and the list."""
    may_request_any = selectors.may_request_any_render(concept)
    may_request_pdf = edition is not None and (
        may_request_any
        or (selectors.is_public_render(kind="pdf", edition=edition) and concept.status == concept.Status.PUBLISHED)
    )
    compare = []
    if edition is not None and may_request_any:
        compare = [other for other in selectors.visible_editions(concept) if other.pk != edition.pk]
    return {
        **jobs_context(concept, edition),
        "edition": edition,
        "may_request_any": may_request_any,
        "may_request_pdf": may_request_pdf,
        "compare_editions": compare,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }
