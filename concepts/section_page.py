"""The section page's parts (top, text with comments and suggestions, comment form, pager), kept rendered.

Everything the text, comments, top and pager show is a row of the concept (sections, versions,
translations, comments, anchors, the outline, the names of their authors) or of its project (its
title, activities, organisations): they are kept under `concept_fragment_key`, which both content
revisions name, with the reading language, the version read, the reader's capabilities and the time
zone. The comment form shows only the project's rows (activities, organisations) and is kept under
the project's revision, so a save of the section does not render it again. The view decides access
before, on every request; the kept parts come in one cache round trip, and a warm page makes no
query of its own but the lookup and the reader's unsent comments.

Nothing kept is the reader's own: each form's CSRF token, each reply form's and the comment form's
"newest own reply" mark (`data-draft-head`) and the comment form's version number are placeholders
replaced per request. The reader's newest comment and replies come from the section's authorship
(which comment each person wrote), kept beside the parts. A reader with an unsent reply, or a page
shown again with a failed disposition, gets the comments rendered afresh; the comment form is
rendered afresh when it holds the reader's words: a restored draft, an offer of one, or errors.
"""

import re

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from common.fragments import cached_html_many
from projects.revision import project_fragment_key

from .forms import CommentForm
from .models import Comment
from .revision import concept_fragment_key

# What `{% csrf_token %}` renders with the placeholder as the token; the reader's token replaces it.
# A reader's words never contain it: the page shows them escaped (no `<input` comes from them).
CSRF_PLACEHOLDER = "csrf-token-placeholder"
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
# Each reply form's mark of the reader's newest reply there, and the comment form's (0): `@<comment id>`.
HEAD_PLACEHOLDER = re.compile(r'data-draft-head="@(\d+)"')
# The kept comment form's version number (the version read), put in per request.
VERSION_NUMBER_SLOT = 'value="version-number-of-the-page"'
FORM_SLOT = "<!--comment-form-->"
VERSION = 2  # moves on when the kept HTML's shape changes


def part_keys(context) -> dict[str, str]:
    """The cache key of each kept part of the page described by `context` (the view's)."""
    concept, section, version = context["concept"], context["section"], context["version"]
    language = context["language"]
    zone = timezone.get_current_timezone_name()
    head = version.pk if version is not None else 0
    may_comment = context["may_comment"] and not section.is_removed
    top_reader = f"d{int(context['may_draft'])}e{int(context['may_edit'])}"
    comments_reader = f"c{int(may_comment)}d{int(context['may_draft'])}"
    return {
        "top": concept_fragment_key(concept, "section-top", VERSION, section.pk, language, head, top_reader, zone),
        "comments": concept_fragment_key(
            concept, "section-comments", VERSION, section.pk, language, head, comments_reader, zone
        ),
        "authorship": concept_fragment_key(concept, "section-authorship", section.pk),
        "pager": concept_fragment_key(concept, "section-pager", VERSION, section.pk, context["lq"]),
        "form": project_fragment_key(concept.project, "comment-form", VERSION, concept.pk, section.pk, language),
    }


def kept_parts(context, renders: dict[str, object]) -> dict[str, SafeString]:
    """The parts named in `renders` (each with the callable rendering it), from the cache in one
    round trip; the missing ones rendered and kept."""
    keys = part_keys(context)
    found = cached_html_many({keys[name]: render for name, render in renders.items()})
    return {name: found[keys[name]] for name in renders}


def authorship(section) -> str:
    """Who wrote each comment and reply of the section, as kept: `<id>:<parent id or 0>:<author id>`
    separated by spaces. One query."""
    rows = Comment.objects.filter(section=section).order_by().values_list("pk", "parent_id", "author_id")
    return " ".join(f"{pk}:{parent_id or 0}:{author_id}" for pk, parent_id, author_id in rows)


def own_latest(kept_authorship: str, user) -> dict[int, int]:
    """From `authorship`: the id of the user's newest comment (key 0) and newest reply to each comment."""
    newest: dict[int, int] = {}
    for row in kept_authorship.split():
        pk, parent_id, author_id = (int(part) for part in row.split(":"))
        if author_id == user.pk:
            newest[parent_id] = max(newest.get(parent_id, 0), pk)
    return newest


def with_reader(html: str, request, heads: dict[int, int]) -> SafeString:
    """Kept HTML with the reader's CSRF token and their newest comment and replies' ids put in."""
    token_input = CSRF_INPUT.format(CSRF_PLACEHOLDER)
    if token_input in html:
        html = html.replace(token_input, str(format_html(CSRF_INPUT, get_token(request))))
    html = HEAD_PLACEHOLDER.sub(lambda found: f'data-draft-head="{heads.get(int(found[1]), 0)}"', html)
    return mark_safe(html)  # noqa: S308 - our templates' output, with a token and numbers put in


def with_version_number(html: str, version) -> SafeString:
    """The kept comment form with the number of the version read."""
    return mark_safe(html.replace(VERSION_NUMBER_SLOT, f'value="{int(version.number)}"'))  # noqa: S308 - a number


def fill_form_slot(comments: str, form: str) -> SafeString:
    """The comment form put in its place: after every comment (the last slot, never a reader's words)."""
    before, slot, after = comments.rpartition(FORM_SLOT)
    return mark_safe(before + form + after if slot else comments)  # noqa: S308 - our templates' output


def placeholder_heads(comments) -> None:
    """Each comment's reply form marked for `with_reader`, with no draft of anyone's offered."""
    for comment in comments:
        comment.reply_draft_head = f"@{comment.pk}"
        comment.reply_restored = None
        comment.reply_draft_offer = None


def render_comment_form(context, form=None, request=None) -> str:
    """The comment form; without `request`, with the placeholders (to be kept)."""
    version, unsent = context["version"], context["comment_draft"]
    if form is None and request is None:
        slot = VERSION_NUMBER_SLOT.split('"')[1]
        form = CommentForm(project=context["project"], initial={"version_number": slot})
    elif form is None:
        form = CommentForm(project=context["project"], initial=unsent["initial"] or {"version_number": version.number})
    values = {**context, "comment_form": form}
    if request is None:
        values |= {"csrf_token": CSRF_PLACEHOLDER, "comment_draft": {"head": "@0", "offer": None, "restored": None}}
    return render_to_string("concepts/_comment_form.html", values, request=request)
