"""Rendered HTML kept in the cache under a key that names everything it shows.

A key is built from immutable ids (a version's, two versions' for a comparison) and whatever
else changes the output (the language, a view option); the release id is the cache's key
prefix (settings.CACHES), so a deploy never serves what older code rendered. Nothing kept here
depends on who reads it: no CSRF token, no user name, no decision about access; the view
decides access on every request, then asks for the fragment.
"""

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE_SECONDS = 7 * 24 * 3600


def cached_html(key: str, render, seconds: int = CACHE_SECONDS) -> SafeString:
    """The HTML under `key` in the active language, else `render()` (our templates' output), then kept."""
    full_key = f"fragment:{get_language()}:{key}"
    html = cache.get(full_key)
    if html is None:
        html = str(render())
        cache.set(full_key, html, seconds)
    return mark_safe(html)  # noqa: S308 - rendered by our templates from escaped or sanitised values


def cached_html_many(renders: dict[str, object], prepare=None, seconds: int = CACHE_SECONDS) -> dict[str, SafeString]:
    """`cached_html` for many fragments in one cache round trip: `renders` maps each key to the
    callable that renders it; the missing ones are rendered and kept in one more round trip.
    `prepare(keys)`, if given, is called first with the keys about to be rendered (to fetch what
    they need in bulk)."""
    full_keys = {f"fragment:{get_language()}:{key}": key for key in renders}
    found = cache.get_many(full_keys)
    if prepare is not None and len(found) < len(full_keys):
        prepare([key for full, key in full_keys.items() if full not in found])
    missing = {full: str(renders[key]()) for full, key in full_keys.items() if full not in found}
    if missing:
        cache.set_many(missing, seconds)
    html = found | missing
    return {key: mark_safe(html[full]) for full, key in full_keys.items()}  # noqa: S308 - our templates' output


# A kept fragment with forms renders `{% csrf_token %}` as this placeholder (its render context's
# `csrf_token`), and the view puts the reader's token in its place after fetching it.
CSRF_PLACEHOLDER = "csrf-token-of-the-reader-b7e1c9"


def with_csrf_token(html: str, request) -> SafeString:
    """`html` (a kept fragment) with the placeholder replaced by the token of this request's reader."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - our fragment, a token
