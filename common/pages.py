"""Whole pages kept in this process for their reader, until anything they show changes.

`@cached_page(version_keys)` serves a GET page straight from this process's store
(common.localcache) when the same reader asked for the same address in the same language under the
same versions (common.versions) before. The versions must cover everything the page shows and
everything that decides who may see it: a page served from the store skips the view, its access
checks included. Every write that changes any of it bumps one of them (in a transaction: at once
and again after the commit, see common.versions), so the next request renders the page afresh.

What differs between two requests of the same reader is put in on the way out: the page is kept
with a placeholder where its CSRF tokens go (the `csrf_placeholder` context processor gives
templates the placeholder instead of a token while such a page renders), and each response gets
its own token. A page is kept only when rendering it had no side effect: a 200 with no cookie, no
header but its type, no message shown or left for the next page, and the session untouched. A
request that has a message to show is always rendered.

Pages stay in the process that rendered them (they may be large; sending them to the shared cache
would cost what rendering them does), at most CACHE_SECONDS, so that a write the versions miss
(a queryset update) is seen after that time.
"""

import hashlib
from functools import lru_cache, wraps

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac
from django.utils.translation import get_language

from common import localcache, versions
from common.auth import get_many_with_user

CACHE_SECONDS = 300
_ATTRIBUTE = "_page_csrf_placeholder"


@lru_cache
def _placeholder() -> str:
    """Derived from SECRET_KEY: no text a user writes can contain it."""
    return "page-csrf-" + salted_hmac("common.pages", "csrf placeholder").hexdigest()[:32]


def csrf_placeholder(request) -> dict:
    """Context processor: while a page to be kept renders, its templates get the placeholder as `csrf_token`."""
    placeholder = getattr(request, _ATTRIBUTE, None)
    return {"csrf_token": placeholder} if placeholder else {}


def csrf_token_for(request) -> str:
    """What to write where a form's CSRF token goes: the placeholder while a page to be kept renders."""
    return getattr(request, _ATTRIBUTE, None) or get_token(request)


def _has_messages(request) -> bool:
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0  # reads the stored messages without marking them shown


def _key(request, found: dict[str, int]) -> str:
    user = request.user
    reader = None
    if user.is_authenticated:
        reader = (user.pk, user.is_staff, user.is_superuser, user.get_full_name() or user.get_username())
    htmx = [request.headers.get(name) for name in ("HX-Request", "HX-Target", "HX-Boosted")]
    shown = repr((request.get_host(), request.is_secure(), request.get_full_path(), get_language(), htmx, reader,
                  sorted(found.items())))  # fmt: skip
    return "page:" + hashlib.sha256(shown.encode()).hexdigest()


def _keepable(request, response) -> bool:
    session = getattr(request, "session", None)
    return (
        type(response) is HttpResponse
        and response.status_code == 200
        and not response.cookies
        and {name.lower() for name in response.headers} == {"content-type"}
        and not _has_messages(request)
        and not (session is not None and session.modified)
    )


def _filled(request, response):
    """The response with this request's CSRF token where the placeholder is."""
    if not response.streaming:
        placeholder = _placeholder().encode()
        if placeholder in response.content:
            response.content = response.content.replace(placeholder, get_token(request).encode())
    return response


def cached_page(version_keys):
    """Keeps a view's GET pages per reader; `version_keys(**view_kwargs)` names the versions they depend on."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method != "GET" or _has_messages(request):
                return view(request, *args, **kwargs)
            # Read before rendering: what is rendered is at least as new as the versions it is kept under.
            found = versions.current_many(version_keys(**kwargs), lambda keys: get_many_with_user(request, keys))
            key = _key(request, found)
            stored = localcache.get(key)
            if stored is not None:
                content, content_type = stored
                return _filled(request, HttpResponse(content, content_type=content_type))
            setattr(request, _ATTRIBUTE, _placeholder())
            try:
                response = view(request, *args, **kwargs)
            finally:
                delattr(request, _ATTRIBUTE)  # an error page rendered after this gets real tokens
            if _keepable(request, response):
                localcache.put(key, (response.content, response["Content-Type"]), CACHE_SECONDS)
            return _filled(request, response)

        return wrapper

    return decorator
