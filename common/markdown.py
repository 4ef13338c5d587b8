"""User-written Markdown to safe HTML.

markdown-it-py renders without raw HTML (so tags typed by a user come out as text),
then nh3 keeps only an explicit allow-list of tags, attributes and URL schemes. Either
layer alone would do for most input; both together leave nothing to a single bug.

Footnotes (`text[^1]` … `[^1]: the note`, and inline `^[a note]`) come from
mdit_py_plugins: a superscript link in the text and a numbered list of notes at the end.
Their ids are the only ids user text may carry, and only in the plugin's own shape
(`fn…`/`fnref…`, prefixed by `anchor` when several texts share one page), so a user
cannot name an element of the page around it.
"""

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from common.text import strip_control_characters

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "sup", "section",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
    "li": {"id"},
}
# The footnote plugin's classes, the only classes kept (templates and the renderers find notes by them).
ALLOWED_CLASSES = {
    "sup": {"footnote-ref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "a": {"footnote-backref"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# `fn1`, `fnref1`, `fnref1:2` (a note referred to twice), or with an anchor: `fn-section-12-1`.
FOOTNOTE_ID_RE = re.compile(r"fn(?:ref)?(?:-[a-z0-9-]{1,60}-)?\d{1,6}(?::\d{1,6})?")
_ANCHOR_RE = re.compile(r"[^a-z0-9-]+")

_renderer = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(footnote_plugin)
)


def _keep_footnote_ids(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if FOOTNOTE_ID_RE.fullmatch(value) else None
    return value


def footnote_anchor(anchor: str) -> str:
    """`anchor` as the footnote plugin may put it into ids: lower case letters, digits and hyphens."""
    return _ANCHOR_RE.sub("-", anchor.lower()).strip("-")[:60]


def render_markdown(text: str | None, *, anchor: str = "") -> SafeString:
    """Sanitised HTML of `text`. `anchor` makes its footnote ids unique on a page of several texts."""
    env = {"docId": footnote_anchor(anchor)} if footnote_anchor(anchor) else {}
    html = _renderer.render(strip_control_characters(text or ""), env)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        attribute_filter=_keep_footnote_ids,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised just above


def render_markdown_text(text: str | None) -> str:
    """The plain text of user Markdown (for calendars, e-mails and exports): no markup at all."""
    rendered = _renderer.render(strip_control_characters(text or ""))
    return html.unescape(nh3.clean(rendered, tags=set())).strip()
