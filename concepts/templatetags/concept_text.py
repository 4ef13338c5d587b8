import hashlib

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from common.markdown import render_markdown
from concepts.section_page import version_options

register = template.Library()

CACHE_SECONDS = 7 * 24 * 3600


def _key(version) -> str:
    # The text's digest is part of the key: a database restored or recreated under a cache that
    # outlived it can reuse ids, and must never be shown another version's text.
    digest = hashlib.blake2b(version.body.encode(), digest_size=12).hexdigest()
    return f"concepts:version-html:fn:{version.pk}:{digest}"  # fn: with footnotes


def _html(version) -> str:
    # Footnote ids carry the version's id: a page shows many sections, or two versions of one.
    return str(render_markdown(version.body, anchor=f"v{version.pk}"))


def prefetch_version_html(versions) -> None:
    """Fetch the HTML of many versions in one cache round trip (a page of 50 sections makes one,
    not 50), render the missing ones and keep them in one more; `version_html` then uses it."""
    versions = [version for version in versions if version is not None]
    keys = {_key(version): version for version in versions}
    found = cache.get_many(keys)
    missing = {key: _html(version) for key, version in keys.items() if key not in found}
    if missing:
        cache.set_many(missing, CACHE_SECONDS)
    for key, version in keys.items():
        version.prefetched_html = found.get(key) or missing[key]


@register.filter
def version_html(version):
    """A version's text as sanitised HTML. Versions never change, so the HTML is cached by version."""
    if version is None:
        return ""
    html = getattr(version, "prefetched_html", None)
    if html is None:
        html = cache.get_or_set(_key(version), lambda: _html(version), CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitised by render_markdown before caching


@register.inclusion_tag("concepts/_language_tabs.html")
def language_tabs(concept, current, url):
    """Links to the same page in each language the concept is kept in: `url` plus `?language=`, the
    source's too (a reader whose interface is in a translation's language is shown that first)."""
    tabs = [
        {"code": code, "name": concept.language_name(code), "is_source": code == concept.language,
         "url": f"{url}?language={code}", "current": code == current}
        for code in concept.languages
    ]  # fmt: skip
    return {"tabs": tabs}


@register.simple_tag
def disposition_version_options(versions, comment, chosen):
    """The `<option>`s of a disposition form's versions (concepts.section_page.version_options)."""
    return version_options(versions, comment, chosen)


@register.inclusion_tag("concepts/_translation_state.html")
def translation_state(concept, section, state):
    return {"concept": concept, "section": section, "state": state}


@register.simple_tag
def history_labels() -> dict:
    """The history table's per-row labels, translated once for the whole table (with `|numbered`)
    rather than by a `blocktranslate` in every row."""
    return {
        "compare_from": _("Compare from version %(number)s"),
        "compare_to": _("Compare to version %(number)s"),
        "version": _("v%(number)s"),
    }
