"""`{% site_header %}`: the navigation bar at the top of every page, rendered once and then reused.

The header is the same for every page a user sees in one language, except for three things put
in per request: the CSRF token of its two forms and the current address (`next`, in the
language switcher and the log-in link). It is rendered with placeholders for those, kept in this
process (common.localcache) under a key of everything else it shows (language, the user's name,
the navigation's entries and which one is current), and filled in on the way out. A page then
skips most of the template work of its frame.
"""

import hashlib
from functools import lru_cache
from urllib.parse import quote

from django import template
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from common import localcache
from common.pages import csrf_token_for

register = template.Library()

TEMPLATE = "_site_header.html"
CACHE_SECONDS = 3600


@lru_cache
def _placeholder(name: str) -> str:
    """Derived from SECRET_KEY: no text a user writes (their name, say) can contain it."""
    return f"header-{name}-" + salted_hmac("common.chrome", name).hexdigest()[:32]


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    request = context.get("request")
    user = context.get("user")
    name = ""
    if user is not None and user.is_authenticated:
        name = user.get_full_name() or user.get_username()
    entries = [dict(entry) for entry in context.get("nav_entries", [])]
    csrf, path, quoted = _placeholder("csrf"), _placeholder("next"), _placeholder("next-quoted")
    shown = repr((get_language(), name, [sorted(entry.items()) for entry in entries]))
    key = "chrome:header:" + hashlib.sha256(shown.encode()).hexdigest()[:32]

    def render():
        return render_to_string(
            TEMPLATE,
            {"user_name": name, "nav_entries": entries, "csrf_token": csrf, "next": path, "next_quoted": quoted},
        )

    html = localcache.get_or_set(key, render, CACHE_SECONDS)
    current = request.get_full_path() if request is not None else "/"
    # The page's own token when it has one (one masking per page: masking draws 32 random characters).
    token = str(context.get("csrf_token") or (csrf_token_for(request) if request is not None else ""))
    html = html.replace(csrf, token).replace(quoted, escape(quote(current))).replace(path, escape(current))
    return mark_safe(html)  # noqa: S308 - our template's output, with escaped values put in
