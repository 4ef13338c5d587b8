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

The rest of the flow (issue #17) follows the clean Word import (import_views): the upload is
checked cheaply in the request and read by a Celery task (`markup_job_read`, an ImportJob of kind
JOB_MARKUP), whose result is the plan as JSON; the preview shows it, and `markup_import` (the
confirm) creates its suggestions and comments through `services.comment_add`, each once.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from lxml import etree

from common.imports import ImportRefused, import_job_close
from common.models import ImportJob
from projects.access import ROLE_CAPABILITIES, Capability

from . import services
from .importing import MAX_FILE_BYTES, too_big_message
from .models import Comment, Concept, RenderJob, Section, SectionVersion
from .quoting import AmbiguousQuote, find_passage, is_whole
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
    """The project's members who may comment, found by the names Word records. A member whose role may
    not comment (a donor) is never made the author of an imported comment: their name stays the Word
    author's, as an outside contributor's does."""

    def __init__(self, concept: Concept):
        self.by_key: dict[str, int] = {}
        commenting = [role for role, granted in ROLE_CAPABILITIES.items() if Capability.COMMENT in granted]
        for membership in concept.project.memberships.filter(role__in=commenting).select_related("user"):
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


def _place(version: SectionVersion, quote: str, *, rewritten: bool = False) -> str:
    """Why the passage cannot be placed in the version's text ("" when it is found there once).

    A passage a suggestion rewrites must also be whole (not start or end inside formatted text),
    as `services.comment_add` requires: said here, in the preview, rather than at the confirm."""
    try:
        found = find_passage(version.body, quote)
    except AmbiguousQuote as ambiguous:
        count = ambiguous.count
        return ngettext(
            "The passage is in the text %(count)s time.", "The passage is in the text %(count)s times.", count
        ) % {"count": count}
    if found is None:
        return _("The passage is not in the version the file showed.")
    if rewritten and not is_whole(version.body[found[0] : found[1]]):
        return _(
            "The change starts or ends inside formatted text (bold, italic, code or a link), so it cannot be "
            "offered as a suggestion. Make it by hand, or have it marked on whole formatted phrases."
        )
    return ""


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
        why = _place(version, change.quote, rewritten=True)
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
        elif comment.in_table and quote.strip():
            problems.append(
                (
                    _("Comment by %(author)s: “%(text)s”") % {"author": comment.author, "text": comment.text},
                    _("It is on a table, so it is placed on the table's words it marks."),
                )
            )
        elif comment.near:
            problems.append(
                (
                    _("Comment by %(author)s: “%(text)s”") % {"author": comment.author, "text": comment.text},
                    _("It is on a picture, so it is placed on the paragraph before it."),
                )
            )
        elif not quote.strip():  # anchored on a picture or a heading: no words to quote
            problems.append(
                (
                    _("Comment by %(author)s: “%(text)s”") % {"author": comment.author, "text": comment.text},
                    _(
                        "It is not on words of the text (a picture or a heading). "
                        "It is kept on its section without a quote."
                    ),
                )
            )
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


# The job, the preview and the confirm ------------------------------------------------------------

JOB_MARKUP = "markup"


def plan_to_json(plan: MarkupPlan) -> dict:
    return asdict(plan)


def _person_from_json(stored: dict) -> PlannedComment:
    return PlannedComment(**stored)


def plan_from_json(stored: dict) -> MarkupPlan:
    items = []
    for item in stored.get("items", []):
        item = dict(item)
        item["author"] = _person_from_json(item["author"])
        item["replies"] = [_person_from_json(reply) for reply in item.get("replies", [])]
        items.append(PlannedItem(**item))
    problems = [tuple(problem) for problem in stored.get("problems", [])]
    return MarkupPlan(base=stored.get("base", ""), items=items, problems=problems)


def _broken_file_message() -> str:
    return _(
        "The file could not be read as a Word document. It may be damaged, password-protected or not really "
        "a .docx file: open it in Word, save it again as .docx and upload it again."
    )


def markup_job_read(job: ImportJob, progress) -> dict:
    """The work of a markup import job (in a Celery task): the stored upload → the plan, as JSON."""
    with default_storage.open(job.upload, "rb") as stored:
        data = stored.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(too_big_message())
    concept = Concept.objects.select_related("project").get(pk=job.target_id)
    progress(0.1)
    try:
        plan = markup_import_plan(concept=concept, data=data)
    except ValidationError as refusal:
        raise ImportRefused(" ".join(refusal.messages)) from None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):  # not a Word file, or one without its body
        raise ImportRefused(_broken_file_message()) from None
    return plan_to_json(plan)


def already_imported(plan: MarkupPlan) -> set[str]:
    """The fingerprints of the plan's items that an earlier import created already."""
    fingerprints = [item.fingerprint for item in plan.items]
    return set(Comment.objects.filter(import_fingerprint__in=fingerprints).values_list("import_fingerprint", flat=True))


@dataclass
class MarkupImportResult:
    created: list[Comment] = field(default_factory=list)  # suggestions and comments, without their replies
    replies: int = 0
    already: list[PlannedItem] = field(default_factory=list)  # imported by an earlier confirm
    problems: list[tuple[str, str]] = field(default_factory=list)  # (what, why): refused now


def describe(item: PlannedItem) -> str:
    """The item in a few words, for a list of what was not created."""
    if item.mode:
        return _("Suggestion by %(author)s on “%(quote)s”") % {"author": item.author.word_author, "quote": item.quote}
    return _("Comment by %(author)s: “%(text)s”") % {"author": item.author.word_author, "text": item.author.text}


def _who(person: PlannedComment, members: dict, user) -> tuple:
    """(the author, the Word name kept): the project member it maps to, else the importer for an outsider."""
    member = members.get(person.author_id) if person.author_id is not None else None
    if member is not None:
        return member, ""
    return user, person.word_author[:200]


def _create(item: PlannedItem, section: Section, version: SectionVersion, members: dict, user) -> int:
    """Creates one item's comment or suggestion and its replies; the number of replies."""
    author, word_author = _who(item.author, members, user)
    body = item.author.text
    if not body.strip():
        with translation.override(section.concept.language):  # the comment reads in the concept's language
            body = _("Change made in Word with Track Changes.")
    comment = services.comment_add(
        section=section,
        version=version,
        author=author,
        body=body,
        quote=item.quote,
        suggestion_mode=item.mode,
        suggested_text=item.suggested_text,
        notify=False,
        word_author=word_author,
        import_fingerprint=item.fingerprint,
    )
    for reply in item.replies:
        reply_author, reply_word_author = _who(reply, members, user)
        services.comment_add(
            section=section,
            version=version,
            author=reply_author,
            body=reply.text.strip() or "…",
            parent=comment,
            notify=False,
            word_author=reply_word_author,
        )
    return len(item.replies)


def _place_item(item: PlannedItem, sections: dict, versions: dict) -> tuple[Section | None, SectionVersion | None, str]:
    section = sections.get(item.section_id)
    if section is None:
        return None, None, _("The section has been removed since the file was read.")
    version = versions.get(item.version_id)
    if version is None or version.section_id != section.pk:
        return None, None, _("The version the file showed is no longer there.")
    return section, version, ""


@transaction.atomic
def markup_import(*, concept: Concept, job: ImportJob, user) -> MarkupImportResult:
    """Creates the suggestions and comments the job's plan holds, each once; nothing changes the text.

    The job row is locked, so that of two confirms at once one creates everything and the other
    finds the job confirmed (and every item already imported). An item that an earlier import of
    the same file created is skipped (its fingerprint is stored on the comment); one that cannot be
    created now (its section removed since the preview, its passage rejected) is reported.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    plan = plan_from_json(job.result or {})
    result = MarkupImportResult()
    done = already_imported(plan)
    sections = (
        Section.objects.filter(concept=concept, is_removed=False)
        .select_related("concept")
        .in_bulk({item.section_id for item in plan.items})
    )
    versions = SectionVersion.objects.in_bulk({item.version_id for item in plan.items})
    members = {membership.user_id: membership.user for membership in concept.project.memberships.select_related("user")}
    for item in plan.items:
        if item.fingerprint in done or job.confirmed_at is not None:
            result.already.append(item)
            continue
        section, version, why = _place_item(item, sections, versions)
        if section is None:
            result.problems.append((describe(item), why))
            continue
        try:
            with transaction.atomic():
                result.replies += _create(item, section, version, members, user)
        except IntegrityError:  # created by another import of the same file a moment ago
            result.already.append(item)
        except ValidationError as refusal:
            result.problems.append((describe(item), " ".join(refusal.messages)))
        else:
            result.created.append(item)
    if job.confirmed_at is None:
        import_job_close(job=job)
    return result
