"""The section page's text, comments, suggestions and comment form, kept rendered.

Concept sections are not followed by `Project.content_revision`, so the comments' part of the page
is keyed by what it shows: the version read (id and a digest of its text), every comment and reply
of the section (id, `updated_at`, the names of its author and of whoever set its disposition), the
project's content revision (the activities and organisations named), the reader's capabilities on
the concept and the removed flag. One query reads the comments' part of that; the view decides
access before, on every request.

Nothing kept is the reader's own: each form's CSRF token and each reply form's "newest own reply"
mark (`data-draft-head`) are placeholders replaced per request, and a reader with an unsent reply,
or a page shown again with a failed disposition, gets the part rendered afresh. The comment form is
kept apart (its choices follow the project's revision) and rendered afresh when it holds the
reader's words: a restored draft, an offer of one, or a form with errors.
"""

import hashlib
import re

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from common.fragments import cached_html

from .forms import CommentForm
from .models import Comment

# What `{% csrf_token %}` renders with the placeholder as the token; the reader's token replaces it.
# A reader's words never contain it: the page shows them escaped (no `<input` comes from them).
CSRF_PLACEHOLDER = "csrf-token-placeholder"
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
# Each reply form's mark of the reader's newest reply there, and the comment form's (0): `@<comment id>`.
HEAD_PLACEHOLDER = re.compile(r'data-draft-head="@(\d+)"')
FORM_SLOT = "<!--comment-form-->"
VERSION = 1  # moves on when the kept HTML's shape changes


def comment_rows(section) -> list[tuple]:
    """Every comment and reply of the section with what changes its card, ordered by id: one query.

    The comments' places in a version (CommentAnchor rows) need no column here: they are written in
    the same transaction as the version (a new version id), as the comment (a new comment id), or as
    the comment opened again (its `updated_at` moves), and never changed after."""
    rows = (
        Comment.objects.filter(section=section)
        .order_by()
        .values_list("pk", "parent_id", "author_id", "updated_at", "author__first_name", "author__last_name",
                     "author__username", "disposition_by__first_name", "disposition_by__last_name",
                     "disposition_by__username")
    )  # fmt: skip
    return sorted(rows)


def own_latest(rows, user) -> dict[int, int]:
    """From `comment_rows`: the id of the user's newest comment (key 0) and newest reply to each comment."""
    newest: dict[int, int] = {}
    for pk, parent_id, author_id, *_rest in rows:
        if author_id == user.pk:
            newest[parent_id or 0] = max(newest.get(parent_id or 0, 0), pk)
    return newest


def _digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest()


def comments_key(context, rows) -> str:
    concept, section, version = context["concept"], context["section"], context["version"]
    text = hashlib.blake2b(f"{version.title}\n{version.body}".encode(), digest_size=8).hexdigest()
    reader = f"c{int(context['may_comment'])}d{int(context['may_draft'])}"
    return (
        f"concepts:section-comments:v{VERSION}:{section.pk}:{version.pk}:{text}:{int(section.is_removed)}:{reader}"
        f":{concept.language}:r{concept.project.content_revision}:{timezone.get_current_timezone_name()}"
        f":{_digest(rows)}"
    )


def comment_form_key(context) -> str:
    concept, section, version = context["concept"], context["section"], context["version"]
    return (
        f"concepts:comment-form:v{VERSION}:{section.pk}:{version.pk}:{concept.language}"
        f":r{concept.project.content_revision}"
    )


def with_reader(html: str, request, heads: dict[int, int]) -> SafeString:
    """Kept HTML with the reader's CSRF token and their newest comment and replies' ids put in."""
    html = html.replace(CSRF_INPUT.format(CSRF_PLACEHOLDER), str(format_html(CSRF_INPUT, get_token(request))))
    html = HEAD_PLACEHOLDER.sub(lambda found: f'data-draft-head="{heads.get(int(found[1]), 0)}"', html)
    return mark_safe(html)  # noqa: S308 - our templates' output, with a token and numbers put in


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
    if form is None:
        initial = unsent["initial"] if request is not None and unsent["initial"] else {"version_number": version.number}
        form = CommentForm(project=context["project"], initial=initial)
    values = {**context, "comment_form": form}
    if request is None:
        values |= {"csrf_token": CSRF_PLACEHOLDER, "comment_draft": {"head": "@0", "offer": None, "restored": None}}
    return render_to_string("concepts/_comment_form.html", values, request=request)


def comment_form_html(context, request, form=None) -> str:
    unsent = context["comment_draft"]
    if form is not None or unsent["restored"] or unsent["offer"]:
        return render_comment_form(context, form, request)
    return cached_html(comment_form_key(context), lambda: render_comment_form(context))
