"""Planning the import of a marked-up Word file: what it would create where, and what cannot be placed.

Read-only: the preview step of importing a file back (issue #17). `markup_import_plan` reads the
file (`word_markup.read_markup`; the caller has bounded its size, and runs this off the request
path) and places each tracked change as a suggestion and each Word comment as a comment:

- on its section: by the portal's bookmark (a section of this concept, still in the outline), else
  by its heading's title (numbering and case ignored; a title found once);
- on the version the file showed (the bookmark's; the section's current version for a file without
  marks): a comment belongs to the version it was made on, and a suggestion made on an older
  version goes through the merge editor when it is accepted;
- with its quoted passage found once in that version's text (as typed, or as the page shows it:
  `quoting.find_passage`). A change whose passage is not there, or is there several times, is not
  placed; a comment whose passage is not found is kept on its section without a quote. Both are
  reported, with why;
- by its Word author: the project member whose name, user name or e-mail it is, else an outside
  contributor (no user: whoever imports the file will be its author, the Word name kept).

A file exported from another concept, or the comparison with tracked changes (its revisions are
the portal's own), is refused. Each planned item has a `fingerprint` (section, version, passage,
wording, author, date) so that importing the same file twice can create nothing new.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Comment, Concept, RenderJob, Section, SectionVersion
from .quoting import AmbiguousQuote, find_passage
from .word_markup import MarkedComment, MarkedSection, read_markup

_NUMBERING_RE = re.compile(r"^\s*\d+(?:\.\d+)*\.?\s+")


@dataclass
class PlannedComment:
    word_author: str
    author_id: int | None  # the project member it maps to; None: an outside contributor
    date: str
    text: str


@dataclass
class PlannedItem:
    section_id: int
    section_title: str
    version_id: int
    author: PlannedComment  # who, when, and the comment's text ("" for a bare suggestion)
    quote: str
    mode: str = ""  # a suggestion's Comment.SuggestionMode; "" for a comment
    suggested_text: str = ""
    replies: list[PlannedComment] = field(default_factory=list)
    fingerprint: str = ""


@dataclass
class MarkupPlan:
    base: str  # what the file says it was exported from: "edition:<id>", "draft", or "" (not a portal file)
    items: list[PlannedItem]
    problems: list[tuple[str, str]]  # (what, why): changes and comments that cannot be placed as they are


def _title_key(title: str) -> str:
    return _NUMBERING_RE.sub("", title).strip().casefold()


class _People:
    """The project's members, found by the names Word records."""

    def __init__(self, concept: Concept):
        self.by_key: dict[str, int] = {}
        for membership in concept.project.memberships.select_related("user"):
            user = membership.user
            for key in (user.get_full_name(), user.get_username(), user.email):
                if key and key.strip():
                    self.by_key.setdefault(key.strip().casefold(), user.pk)

    def __call__(self, word_author: str) -> int | None:
        return self.by_key.get(word_author.strip().casefold())


def _refuse_foreign(concept: Concept, marks) -> None:
    if not marks.is_portal_export:
        return
    if marks.concept_id != concept.pk:
        raise ValidationError(_("This file was exported from another concept."))
    if marks.kind == RenderJob.Kind.TRACKED_DOCX:
        raise ValidationError(
            _(
                "This file is a comparison with tracked changes made by the portal. Import the Word file of the "
                "edition (or of the draft) that was marked up instead."
            )
        )


def _match(marked: MarkedSection, by_id: dict, by_title: dict) -> tuple[Section | None, str]:
    if marked.section_id is not None:
        section = by_id.get(marked.section_id)
        if section is not None:
            return section, ""
        return None, _("This section is no longer in the concept's outline.")
    found = by_title.get(_title_key(marked.title), [])
    if len(found) == 1:
        return found[0], ""
    if found:
        return None, _("Several sections have the title “%(title)s”.") % {"title": marked.title}
    return None, _("No section has the title “%(title)s”.") % {"title": marked.title}


def _place(version: SectionVersion, quote: str) -> str:
    """Why the passage cannot be placed in the version's text ("" when it is found there once)."""
    try:
        found = find_passage(version.body, quote)
    except AmbiguousQuote as ambiguous:
        count = ambiguous.count
        return ngettext(
            "The passage is in the text %(count)s time.", "The passage is in the text %(count)s times.", count
        ) % {"count": count}
    return "" if found is not None else _("The passage is not in the version the file showed.")


def _fingerprint(item: PlannedItem) -> str:
    content = [
        item.section_id,
        item.version_id,
        item.quote,
        item.mode,
        item.suggested_text,
        item.author.text,
        item.author.word_author,
        item.author.date,
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def _person(people: _People, comment: MarkedComment) -> PlannedComment:
    return PlannedComment(comment.author, people(comment.author), comment.date, comment.text)


def _section_items(marked, section, version, people, problems) -> list[PlannedItem]:
    title = section.head.title if section.head_id else marked.title
    items = []
    for change in marked.changes:
        what = _("Change by %(author)s: “%(old)s” → “%(new)s”") % {
            "author": change.author,
            "old": change.old.strip(),
            "new": change.new.strip(),
        }
        why = _place(version, change.quote)
        if why:
            problems.append((what, why))
            continue
        mode = Comment.SuggestionMode.REPLACE if change.mode == "replace" else Comment.SuggestionMode.INSERT_AFTER
        author = PlannedComment(change.author, people(change.author), change.date, "")
        items.append(PlannedItem(section.pk, title, version.pk, author, change.quote, mode, change.suggested))
    for comment in marked.comments:
        quote = comment.quote
        why = _place(version, quote) if quote.strip() else ""
        if why:
            problems.append(
                (
                    _("Comment by %(author)s: “%(text)s”") % {"author": comment.author, "text": comment.text},
                    _("%(why)s It is kept on its section without a quote.") % {"why": why},
                )
            )
            quote = ""
        replies = [_person(people, reply) for reply in comment.replies]
        items.append(PlannedItem(section.pk, title, version.pk, _person(people, comment), quote, replies=replies))
    return items


def markup_import_plan(*, concept: Concept, data: bytes) -> MarkupPlan:
    """What importing the marked-up .docx `data` into `concept` would create, and what it could not place."""
    markup = read_markup(data)
    _refuse_foreign(concept, markup.marks)
    sections = list(Section.objects.filter(concept=concept, is_removed=False).select_related("head"))
    by_id = {section.pk: section for section in sections}
    by_title: dict[str, list[Section]] = {}
    for section in sections:
        if section.head_id:
            by_title.setdefault(_title_key(section.head.title), []).append(section)
    shown = SectionVersion.objects.in_bulk(
        [marked.version_id for marked in markup.sections if marked.version_id is not None]
    )
    people = _People(concept)
    items: list[PlannedItem] = []
    problems = [(what, why) for what, why in markup.unplaced]
    for marked in markup.sections:
        if not marked.changes and not marked.comments:
            continue
        section, why = _match(marked, by_id, by_title)
        if section is None:
            count = len(marked.changes) + len(marked.comments)
            problems.append(
                (
                    ngettext(
                        "Section “%(title)s” (%(count)s change or comment)",
                        "Section “%(title)s” (%(count)s changes and comments)",
                        count,
                    )
                    % {"title": marked.title, "count": count},
                    why,
                )
            )
            continue
        version = shown.get(marked.version_id)
        if version is None or version.section_id != section.pk or version.language != concept.language:
            version = section.head
        items.extend(_section_items(marked, section, version, people, problems))
    for item in items:
        item.fingerprint = _fingerprint(item)
    return MarkupPlan(base=markup.marks.base, items=items, problems=problems)
