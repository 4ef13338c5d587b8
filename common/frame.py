"""The site's frame (templates/base.html): its parts rendered once per process, filled per request.

The parts that are the same on every page in a language (the stylesheets and scripts, the footer:
`{% kept %}` in the templates, which refuses variables) are rendered once per language and kept.

Readers' headers differ by a few values only: the navigation entries their roles show (and which
one is the current page's), whether they are logged in, the language. Those values are the key of
a skeleton rendered from `_site_header.html` and kept in this process (a few dozen of them at
most: no address, name or token is in the key). What belongs to the request (its CSRF token, the
user's name, the address the language switcher and the log-in link come back to, the words
searched for) is rendered into the skeleton as a slot and filled in, escaped, on every request:
no token, name or address is ever kept. Nothing here decides access: the entries are worked out
for each request (projects/context_processors.py) and only name the skeleton they are shown in.

The kept skeletons are forgotten when a setting changes (tests) or a file changes (the development
server reloads templates and translations without restarting); a deploy starts new processes.
"""

import re

from django.template.base import render_value_in_context
from django.template.defaultfilters import urlencode
from django.test.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

HEADER_TEMPLATE = "_site_header.html"
KEPT_LIMIT = 256  # parts per process; far more than languages x kinds of user x current entries

_SLOTS = re.compile(r"@@frame-(\w+)@@")
_kept: dict[tuple, str] = {}


def _slot(name: str) -> str:
    return f"@@frame-{name}@@"  # left alone by escaping and by `urlencode`


def forget_kept(**kwargs) -> None:
    _kept.clear()


setting_changed.connect(forget_kept, dispatch_uid="common.frame.setting_changed")
file_changed.connect(forget_kept, dispatch_uid="common.frame.file_changed")


def kept_html(part, *key, render) -> SafeString:
    """The output of `render()` for a part of the frame, kept in this process under the part, the
    language, the URLs' prefix and `key`: everything the part's output depends on."""
    full_key = (part, get_language(), get_script_prefix(), get_urlconf(), *key)
    html = _kept.get(full_key)
    if html is None:
        html = str(render())
        if len(_kept) >= KEPT_LIMIT:
            _kept.clear()
        _kept[full_key] = html
    return mark_safe(html)  # noqa: S308 - our templates' output


def _render_skeleton(context, entries: tuple, with_token: bool) -> str:
    slots = {
        "nav_entries": entries,
        "csrf_token": _slot("csrf") if with_token else "",
        "display_name": _slot("name"),
        "next_path": _slot("next"),
        "login_next": _slot("login_next"),
        "search_query": _slot("search"),
    }
    template = context.template.engine.get_template(HEADER_TEMPLATE)
    with context.push(**slots):
        return template.render(context)


def _escaped(value, context) -> str:
    if isinstance(value, str) and context.autoescape:
        return conditional_escape(value)  # what a template makes of a string, in fewer steps
    return render_value_in_context(value, context)


def site_header(context) -> SafeString:
    """The header for this request: the kept skeleton for its key, its slots filled in."""
    user = context.get("user")
    request = context.get("request")
    token = context.get("csrf_token")
    authenticated = bool(getattr(user, "is_authenticated", False))
    with_token = bool(token) and token != "NOTPROVIDED"  # noqa: S105 - as `{% csrf_token %}` decides
    entries = tuple(context.get("nav_entries") or ())
    skeleton = kept_html(
        HEADER_TEMPLATE,
        context.autoescape,
        entries,
        authenticated,
        with_token,
        render=lambda: _render_skeleton(context, entries, with_token),
    )
    path = request.get_full_path() if request is not None else ""
    values = {
        "csrf": token,
        "name": (user.get_full_name() or user.get_username()) if authenticated else "",
        "next": path,
        "login_next": urlencode(path),
        "search": context.get("search_query", ""),
    }
    filled = {name: _escaped(value, context) for name, value in values.items()}
    return mark_safe(_SLOTS.sub(lambda slot: filled[slot.group(1)], skeleton))  # noqa: S308 - escaped above
