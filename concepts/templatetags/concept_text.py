import hashlib

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from common.markdown import render_markdown

register = template.Library()

CACHE_SECONDS = 7 * 24 * 3600


@register.filter
def version_html(version):
    """A version's text as sanitised HTML. Versions never change, so the HTML is cached by version."""
    if version is None:
        return ""
    # The text's digest is part of the key: a database restored or recreated under a cache that
    # outlived it can reuse ids, and must never be shown another version's text.
    digest = hashlib.blake2b(version.body.encode(), digest_size=12).hexdigest()
    key = f"concepts:version-html:{version.pk}:{digest}"
    html = cache.get_or_set(key, lambda: str(render_markdown(version.body)), CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitised by render_markdown before caching


@register.inclusion_tag("concepts/_language_tabs.html")
def language_tabs(concept, current, url):
    """Links to the same page in each language the concept is kept in: `url` plus `?language=`."""
    tabs = [
        {"code": code, "name": concept.language_name(code), "is_source": code == concept.language,
         "url": url if code == concept.language else f"{url}?language={code}", "current": code == current}
        for code in concept.languages
    ]  # fmt: skip
    return {"tabs": tabs}


@register.inclusion_tag("concepts/_translation_state.html")
def translation_state(concept, section, state):
    return {"concept": concept, "section": section, "state": state}
