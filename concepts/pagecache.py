"""Rendered parts of concept pages, cached until what they show changes.

A part is cached under a key naming everything it depends on: the concept's `revision` (which
every change bumps, see `concepts.signals`), the active language and what the reader may do.
Forms inside a part carry a placeholder instead of the reader's CSRF token, put back on the way
out, so one rendering serves every reader with the same rights. The placeholder is derived from
SECRET_KEY: the same in every process, and unguessable, so no text a user writes can contain it.

As a key never names two different renderings, each process also keeps the parts it served
last (common.localcache) and skips the round trip to Redis for them.

Whole pages of a concept are also kept per reader (`concept_page`, common.pages) under three
versions: the concept's (moved on by everything the signals see in `concepts.signals`: the
concept, its project, sections, comments, editions, renders, the project's activities), the
readers' roles (`projects.context_processors.ROLES_VERSION_KEY`) and the organisations'.
"""

from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from common import localcache, versions
from common.pages import cached_page, csrf_token_for
from projects.context_processors import ROLES_VERSION_KEY

CACHE_SECONDS = 24 * 3600
ORGANISATIONS_VERSION_KEY = "concepts:pages:organisations"


def _concept_version_key(concept_id) -> str:
    return f"concepts:pages:{int(concept_id)}"


def pages_outdated(*concept_ids: int) -> None:
    """Every kept page of these concepts is rendered afresh on its next request."""
    if concept_ids:
        versions.bump(*(_concept_version_key(concept_id) for concept_id in concept_ids))


def organisations_outdated() -> None:
    """Pages that name organisations (sources of comments, the comment form's choices) are rendered afresh."""
    versions.bump(ORGANISATIONS_VERSION_KEY)


def _page_versions(*, concept_id, **kwargs) -> list[str]:
    return [_concept_version_key(concept_id), ROLES_VERSION_KEY, ORGANISATIONS_VERSION_KEY]


# A view of one concept (`concept_id` in its URL) whose GET pages are kept per reader.
concept_page = cached_page(_page_versions)


def _csrf_placeholder() -> str:
    return "csrf-" + salted_hmac("concepts.pagecache", "csrf placeholder").hexdigest()[:32]


def cached_parts(request, key: str, templates: dict[str, str], context_factory) -> dict[str, SafeString]:
    """`templates`: name → template. Renders them with `context_factory()` on a miss, then caches them.

    `key` must name everything the parts depend on; the active language is added here.
    """
    placeholder = _csrf_placeholder()

    def render():
        context = {**context_factory(), "csrf_token": placeholder}
        return {name: render_to_string(template, context) for name, template in templates.items()}

    parts = localcache.get_or_set(f"concepts:page:{get_language()}:{key}", render, CACHE_SECONDS)
    token = csrf_token_for(request) if any(placeholder in html for html in parts.values()) else ""
    # Rendered by our templates from escaped or sanitised values, and cached as such.
    return {name: mark_safe(html.replace(placeholder, token)) for name, html in parts.items()}  # noqa: S308
