from django import template
from django.utils.translation import gettext as _

from concepts.models import RenderJob
from concepts.rendering import selectors
from concepts.rendering.views import jobs_context

register = template.Library()


@register.inclusion_tag("concepts/_renders.html", takes_context=True)
def render_panel(context, concept, edition=None):
    """The printable files of a concept (or of one of its editions): what to ask for, and the list.

    The language offered first is the one the page shows (its `language`), else the source's. With
    `no_renders_yet` in the context the list is empty without asking (the concept page keeps that panel).
    """
    may_request_any = selectors.may_request_any_render(concept)
    may_request_pdf = edition is not None and (
        may_request_any
        or (selectors.is_public_render(kind="pdf", edition=edition) and concept.status == concept.Status.PUBLISHED)
    )
    compare = []
    if edition is not None and may_request_any:
        compare = [other for other in selectors.visible_editions(concept) if other.pk != edition.pk]
    shown = context.get("language")
    return {
        **jobs_context(concept, edition, jobs=[] if context.get("no_renders_yet") else None),
        "edition": edition,
        "may_request_any": may_request_any,
        "may_request_pdf": may_request_pdf,
        "compare_editions": compare,
        "render_languages": [(code, concept.language_name(code)) for code in concept.languages],
        "render_language": shown if shown in concept.languages else concept.language,
        "render_layouts": RenderJob.Layout.choices if concept.target_languages else [],
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
    }


@register.simple_tag
def render_job_languages(job: RenderJob, concept) -> str:
    """What a file prints: "Russian", or "English + Russian (parallel columns)"."""
    language = concept.language_name(job.language or concept.language)
    if job.layout == RenderJob.Layout.COLUMNS:
        return _("%(source)s + %(translation)s (parallel columns)") % {
            "source": concept.language_name(concept.language), "translation": language,
        }  # fmt: skip
    if job.layout == RenderJob.Layout.SEQUENTIAL:
        return _("%(source)s + %(translation)s (one after the other)") % {
            "source": concept.language_name(concept.language), "translation": language,
        }  # fmt: skip
    return language
