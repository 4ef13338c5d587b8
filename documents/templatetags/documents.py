from django import template

from documents.selectors import public_documents

register = template.Library()


@register.simple_tag
def public_documents_of(project):
    """The public documents of a published project, for its page (a project page cannot import documents)."""
    return public_documents(project=project)
