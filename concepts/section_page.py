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

import hashlib
import re
from types import SimpleNamespace

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
FORM_SLOT = "<!--comment-form-->"
# In the kept comment form and comment cards: the number of the version read (the forms', the "what
# changed since" link's), put in when they are used; in a card, the disposition form's choice of
# versions too. A new version changes both. (A reader's words holding the number's placeholder would
# show the number there instead: a slip of no consequence.)
CARD_VERSION_NUMBER = "version-number-of-the-page"
VERSION_NUMBER_SLOT = f'value="{CARD_VERSION_NUMBER}"'
CARD_VERSION_OPTIONS = "<!--disposition-version-options-->"
# A kept card always holds the link to what changed since the comment's version, between these: it
# is cut out when the card is used on the page of the version commented on.
CARD_OLDER_FROM, CARD_OLDER_TO = "<!--older-version-->", "<!--/older-version-->"
VERSION = 2  # moves on when the kept HTML's shape changes


def part_keys(context) -> dict[str, str]:
    """The cache key of each kept part of the page described by `context` (the view's)."""
    concept, section, version = context["concept"], context["section"], context["version"]
    language = context["language"]
    zone = timezone.get_current_timezone_name()
    # The text's digest too, as the version's HTML has (concept_text): a database recreated under a
    # cache that outlived it reuses ids, and its concepts may keep their creation times (a restore).
    head = f"{version.pk}-{_text_digest(version)}" if version is not None else 0
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


def _text_digest(version) -> str:
    return hashlib.blake2b(f"{version.title}\n{version.body}".encode(), digest_size=8).hexdigest()


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
        form = CommentForm(project=context["project"], initial={"version_number": CARD_VERSION_NUMBER})
    elif form is None:
        form = CommentForm(project=context["project"], initial=unsent["initial"] or {"version_number": version.number})
    values = {**context, "comment_form": form}
    if request is None:
        values |= {"csrf_token": CSRF_PLACEHOLDER, "comment_draft": {"head": "@0", "offer": None, "restored": None}}
    return render_to_string("concepts/_comment_form.html", values, request=request)


def _names(person) -> tuple:
    return (person.first_name, person.last_name, person.username) if person is not None else ()


def card_key(comment, note, values) -> str:
    """A comment's card, keyed by what it shows: the comment and its replies (texts, disposition,
    sources, names), its place in the margin of the version read, whether it was made on that
    version, the project's revision (the activity's and organisation's names), the reader's
    capabilities and the time zone. Not the version read itself: its number, whether the comment
    was made on it, and the disposition form's versions go in when the card is used (`fill_card`),
    so a new version renders no card again."""
    concept, section = values["concept"], values["section"]
    incorporated = comment.incorporated_in
    shown = (
        comment.pk,
        comment.updated_at,
        comment.created_at,
        comment.body,
        comment.quote,
        comment.suggested_text,
        comment.suggestion_mode,
        comment.is_recommendation,
        comment.disposition,
        comment.disposition_reason,
        comment.word_author,
        comment.version_id,
        comment.version.number,
        (incorporated.pk, incorporated.number, incorporated.language) if incorporated is not None else None,
        comment.source_activity_id,
        comment.source_organisation_id,
        _names(comment.author),
        _names(comment.disposition_by),
        [
            (reply.pk, reply.updated_at, reply.created_at, reply.body, reply.word_author, _names(reply.author))
            for reply in comment.replies.all()
        ],
        (note.number, note.occurrence, note.passage, note.label, str(note.diff_html)) if note is not None else None,
    )
    digest = hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()
    reader = f"c{int(values['may_comment'] and not section.is_removed)}d{int(values['may_draft'])}"
    return (
        f"concepts:comment-card:v{VERSION}:{concept.pk}:{concept.created_at.timestamp()}:{section.pk}:{comment.pk}"
        f":{values['language']}:{concept.language}:{reader}:p{concept.project.content_revision}"
        f":{timezone.get_current_timezone_name()}:{digest}"
    )


def render_card(comment, note, values) -> str:
    """A comment's card to be kept: the placeholders of `fill_card` for the version read."""
    version = SimpleNamespace(pk=None, number=CARD_VERSION_NUMBER)  # made on another version, for the link
    slots = (CARD_VERSION_OPTIONS, CARD_OLDER_FROM, CARD_OLDER_TO)
    version_options, older_from, older_to = (mark_safe(slot) for slot in slots)  # noqa: S308 - our constants
    card = {
        **values,
        "comment": comment,
        "note": note,
        "version": version,
        "version_options": version_options,
        "older_version_from": older_from,
        "older_version_to": older_to,
    }
    return render_to_string("concepts/_comment.html", card)


def fill_card(html: str, comment, values) -> SafeString:
    """A kept card with the number of the version read, the link to what changed since the comment's
    version unless it is that one, and the disposition form's versions."""
    start, end = html.find(CARD_OLDER_FROM), html.find(CARD_OLDER_TO)
    if comment.version_id == values["version"].pk and 0 <= start < end:
        html = html[:start] + html[end + len(CARD_OLDER_TO) :]
    else:
        html = html.replace(CARD_OLDER_FROM, "").replace(CARD_OLDER_TO, "")
    html = html.replace(CARD_VERSION_NUMBER, str(int(values["version"].number)))
    if CARD_VERSION_OPTIONS in html:
        chosen = "" if comment.incorporated_in_id is None else str(comment.incorporated_in_id)
        html = html.replace(CARD_VERSION_OPTIONS, version_options(values["versions"], comment, chosen))
    return mark_safe(html)  # noqa: S308 - our template's output, with a number and our options put in


def put_cards(values) -> None:
    """Each comment's card of the page (`values`: the comments part's), from the cache in one round
    trip, the missing ones rendered and kept, as `comment.card`."""
    entries = [(note.comment, note) for note in values["margin_notes"]]
    entries += [(comment, None) for comment in values["general_comments"]]
    renders = {
        card_key(comment, note, values): (lambda comment=comment, note=note: render_card(comment, note, values))
        for comment, note in entries
    }
    found = cached_html_many(renders)
    for (comment, _note), key in zip(entries, renders, strict=True):
        comment.card = fill_card(found[key], comment, values)


def version_options(versions, comment, chosen) -> SafeString:
    """The disposition form's versions for `comment`: the newest ones (`versions`, labelled by
    views._disposition_versions) from the version commented on, and the one it was incorporated in
    when older; `chosen` (a version id, as text) selected."""
    chosen = "" if chosen is None else str(chosen)
    rows = [
        (version.option_value, version.option_label) for version in versions if version.number >= comment.version.number
    ]
    incorporated = comment.incorporated_in
    if incorporated is not None and incorporated not in versions:
        rows.append((str(incorporated.pk), _("v%(number)s") % {"number": incorporated.number}))
    selected = ((value, " selected" if value == chosen else "", label) for value, label in rows)
    return format_html_join("", '<option value="{}"{}>{}</option>', selected)
