"""Rendered HTML kept in the cache under a key that names everything it shows.

A key is built from immutable ids (a version's, two versions' for a comparison) and whatever
else changes the output (the language, a view option); the release id is the cache's key
prefix (settings.CACHES), so a deploy never serves what older code rendered. Nothing kept here
depends on who reads it: no CSRF token, no user name, no decision about access; the view
decides access on every request, then asks for the fragment.
"""

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
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


def cached_utf8(key: str, render, seconds: int = CACHE_SECONDS) -> bytes:
    """`cached_html` kept encoded, for a large fragment sent as it is (`response_around`): a warm
    request neither decodes, copies nor encodes it again (a 480 KB comparison costs ~2 ms so)."""
    full_key = f"fragment-utf8:{get_language()}:{key}"
    body = cache.get(full_key)
    if body is None:
        body = str(render()).encode()
        cache.set(full_key, body, seconds)
    return body


def cached_utf8_many(renders: dict[str, object], seconds: int = CACHE_SECONDS) -> dict[str, bytes]:
    """`cached_utf8` for several fragments in one cache round trip (`renders`: each key's render
    callable); the missing ones are rendered and kept in one more."""
    full_keys = {f"fragment-utf8:{get_language()}:{key}": key for key in renders}
    found = cache.get_many(full_keys)
    missing = {full: str(renders[key]()).encode() for full, key in full_keys.items() if full not in found}
    if missing:
        cache.set_many(missing, seconds)
    values = found | missing
    return {key: values[full] for full, key in full_keys.items()}


# Where `response_around` puts the kept body: a comment, which no escaped value can contain.
KEPT_BODY_MARKER = "<!--kept-body-7d2a-->"


def response_around(request, template_name: str, context: dict, body: bytes | tuple[bytes, ...]) -> HttpResponse:
    """The page `template_name` rendered for this request (the frame, the reader's token and name)
    with `body` (`cached_utf8`, or its parts in order) where it shows `{{ kept_body }}`, joined as bytes."""
    marker = mark_safe(KEPT_BODY_MARKER)  # noqa: S308 - a constant comment
    page = render_to_string(template_name, {**context, "kept_body": marker}, request)
    before, found, after = page.encode().partition(KEPT_BODY_MARKER.encode())
    if not found:
        raise ValueError(f"{template_name} does not show kept_body")
    parts = (body,) if isinstance(body, bytes) else body
    return HttpResponse(b"".join((before, *parts, after)))


# A kept fragment with forms renders `{% csrf_token %}` as this placeholder (its render context's
# `csrf_token`), and the view puts the reader's token in its place after fetching it.
CSRF_PLACEHOLDER = "csrf-token-of-the-reader-b7e1c9"


def with_csrf_token(html: str, request) -> SafeString:
    """`html` (a kept fragment) with the placeholder replaced by the token of this request's reader."""
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))  # noqa: S308 - our fragment, a token


def utf8_with_csrf_token(body: bytes, request) -> bytes:
    """`with_csrf_token` for a fragment kept by `cached_utf8`."""
    return body.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
