"""Writes on concepts: one transaction each, validated first.

Saving a section never loses an update: the save names the version it was based on; if
someone saved meanwhile, the two edits are merged when they touch different parts of the
text, and otherwise nothing is written and the caller gets both texts to resolve.
"""

import datetime
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from activities.models import Activity
from audit.models import Kind as AuditKind
from audit.services import record
from common.text import strip_control_characters
from projects.models import Organisation, Project

from . import revision
from .anchoring import anchor_comment, anchors_catch_up, anchors_follow, initial_place
from .merging import MergeResult, Resolution, merge3, resolve
from .models import (
    MAX_BODY_LENGTH,
    MAX_DEPTH,
    Comment,
    CommentAnchor,
    Concept,
    Edition,
    EditionEntry,
    Section,
    SectionTranslation,
    SectionVersion,
)
from .notifications import notify_comment_added, notify_disposition_set
from .outline import build_outline, subtree
from .quoting import find_passages, is_whole


@dataclass
class SaveResult:
    version: SectionVersion | None  # the version written, or None on a conflict
    merged: bool = False  # someone else's concurrent save was merged in
    theirs: SectionVersion | None = None  # the version saved meanwhile by someone else
    merge: object = None  # the MergeResult, when there was something to merge
    title_conflict: bool = False

    @property
    def conflict(self) -> bool:
        return self.version is None


def _check_length(body: str) -> None:
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            {"body": _("The text is too long: %(length)s characters, where a section may have at most %(limit)s. "
                       "Split it into several sections.")
             % {"length": f"{len(body):,}", "limit": f"{MAX_BODY_LENGTH:,}"}}
        )  # fmt: skip


def normalise_newlines(text: str) -> str:
    """Browsers send CRLF; stored text uses LF, so that line endings never count as changes.

    Control characters that XML cannot hold (a vertical tab pasted from Word, a form feed) are
    dropped too: a version is frozen for ever, and the Word and PDF files of it must be writable.
    """
    return strip_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))


def _write_version(section: Section, language: str, **fields) -> SectionVersion:
    """The next version of the section in `language`, made its head there. Call with the section locked."""
    number = (section.versions.filter(language=language).aggregate(last=Max("number"))["last"] or 0) + 1
    for name in ("title", "body", "summary"):  # whatever path the text came by (a form, an import, a merge)
        if isinstance(fields.get(name), str):
            fields[name] = strip_control_characters(fields[name], line_break="\n" if name == "body" else " ")
    version = SectionVersion(section=section, language=language, number=number, **fields)
    version.full_clean(exclude=["section"])
    version.save()
    # The open comments' passages, found again in the new text (in this transaction: see anchoring).
    if version.restored_from is not None:
        anchors_follow(version=version, previous=version.restored_from)
    if number > 1:
        anchors_follow(version=version, previous=_previous_version(section, language, number))
    if language == section.concept.language:
        section.head = version
        section.save(update_fields=["head", "updated_at"])
    else:
        SectionTranslation.objects.update_or_create(section=section, language=language, defaults={"head": version})
        section.save(update_fields=["updated_at"])  # the concept's pages show translation states
    return version


def _previous_version(section: Section, language: str, number: int) -> SectionVersion | None:
    """The version before `number`, when an open comment has a place in it (its text is read only then)."""
    followed = CommentAnchor.objects.filter(
        version__section=section, version__language=language, version__number=number - 1,
        comment__disposition=Comment.Disposition.OPEN,
    )  # fmt: skip
    if not followed.exists():
        return None
    return SectionVersion.objects.filter(section=section, language=language, number=number - 1).first()


def head_in(section: Section, language: str) -> SectionVersion | None:
    """The section's current version in `language` (the source's or a translation's), or None."""
    versions = SectionVersion.objects.select_related("author", "source_version")
    if language == section.concept.language:
        # As saved now, not as `section` was read: it may be an older copy.
        return versions.filter(pk=Section.objects.filter(pk=section.pk).values("head_id")[:1]).first()
    translation = SectionTranslation.objects.filter(section=section, language=language).only("head_id").first()
    if translation is None:
        return None
    return versions.filter(pk=translation.head_id).first()


def _check_targets(language: str, target_languages) -> list[str]:
    known = dict(settings.LANGUAGES)
    targets = list(dict.fromkeys(target_languages or []))
    unknown = [code for code in targets if code not in known]
    if unknown:
        raise ValidationError({"target_languages": _("Choose languages the portal supports.")})
    if language in targets:
        raise ValidationError({"target_languages": _("The source language cannot also be a translation.")})
    return targets


@transaction.atomic
def concept_create(
    *, project: Project, title: str, language: str, user, target_languages=(), title_ru: str = ""
) -> Concept:
    concept = Concept(project=project, title=title, title_ru=title_ru, language=language, created_by=user,
                      target_languages=_check_targets(language, target_languages))  # fmt: skip
    concept.full_clean()
    concept.save()
    return concept


@transaction.atomic
def concept_set_target_languages(*, concept: Concept, target_languages) -> Concept:
    """Which languages the concept is translated into. Dropping one keeps its versions: adding it back
    shows them again."""
    concept.target_languages = _check_targets(concept.language, target_languages)
    concept.save(update_fields=["target_languages", "updated_at"])
    return concept


@transaction.atomic
def concept_advance_status(*, concept: Concept, to: str | None = None) -> Concept:
    """drafting → consultation → final → published. Publishing needs a final edition.

    `to`: the status the person confirmed; if the concept moved on meanwhile (another tab, another
    manager), nothing happens, so a confirmation of "Mark as final" can never publish.
    """
    concept.status = Concept.objects.select_for_update().values_list("status", flat=True).get(pk=concept.pk)
    following = Concept.NEXT_STATUS.get(concept.status)
    if following is None:
        raise ValidationError(_("This concept is already published."))
    if to is not None and to != following:
        raise ValidationError(
            _("The concept has moved on meanwhile: it is now %(status)s.") % {"status": concept.get_status_display()}
        )
    if following == Concept.Status.PUBLISHED and not concept.editions.filter(is_final=True).exists():
        raise ValidationError(_("Freeze a final edition before publishing the concept."))
    concept.status = following
    concept.save(update_fields=["status", "updated_at"])
    if following == Concept.Status.PUBLISHED:
        record(kind=AuditKind.CONCEPT_PUBLISHED, target=concept, project_id=concept.project_id)
    return concept


def _depth(section: Section | None) -> int:
    depth = 0
    while section is not None:
        depth += 1
        section = section.parent
    return depth


@transaction.atomic
def section_add(*, concept: Concept, title: str, body: str = "", parent: Section | None = None, user) -> Section:
    if parent is not None and (parent.concept_id != concept.pk or parent.is_removed):
        raise ValidationError({"parent": _("Choose a section of this concept.")})
    body = normalise_newlines(body)
    if _depth(parent) >= MAX_DEPTH:
        raise ValidationError({"parent": _("Sections can be nested three levels deep at most.")})
    _check_length(body)
    Concept.objects.select_for_update().filter(pk=concept.pk).first()  # one position per new section
    last = Section.objects.filter(concept=concept, parent=parent).aggregate(last=Max("position"))["last"]
    section = Section.objects.create(concept=concept, parent=parent, position=(last or 0) + 1)
    _write_version(section, concept.language, title=title.strip(), body=body, author=user, summary=_("Section created"))
    return section


def section_move(*, section: Section, direction: str) -> None:
    """Swaps the section with its neighbour above or below, among the sections of the same parent."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose whether to move the section up or down."))
    siblings = list(
        Section.objects.filter(concept_id=section.concept_id, parent_id=section.parent_id, is_removed=False)
        .order_by("position", "pk")
        .only("pk")
    )
    index = next((i for i, sibling in enumerate(siblings) if sibling.pk == section.pk), None)
    if index is None:
        raise ValidationError(_("This section has been removed, so it cannot be moved."))
    if not 0 <= (index - 1 if direction == "up" else index + 1) < len(siblings):
        return
    # Up: after the sibling two places above (first if there is none); down: after the one below.
    after = (siblings[index - 2] if index >= 2 else None) if direction == "up" else siblings[index + 1]
    section_place(section=section, parent=section.parent, after=after)


@transaction.atomic
def section_place(*, section: Section, parent: Section | None, after: Section | None) -> None:
    """Moves the section, with its subsections, under `parent` (None: the top level), right after
    `after`, one of the parent's sections (None: first). Numbers follow from the new place."""
    Concept.objects.select_for_update().filter(pk=section.concept_id).first()  # one outline change at a time
    sections = Section.objects.filter(concept_id=section.concept_id, is_removed=False).only("pk", "parent", "position")
    outline = build_outline(list(sections))
    levels = {entry.section.pk: entry.level for entry in outline}
    if section.pk not in levels:
        raise ValidationError(_("This section has been removed, so it cannot be moved."))
    moving, height = subtree(outline, section.pk)
    parent_id = parent.pk if parent is not None else None
    if parent_id is not None and parent_id not in levels:
        raise ValidationError({"place": _("Choose a place in this concept.")})
    if parent_id in moving:
        raise ValidationError({"place": _("A section cannot be placed inside itself or its subsections.")})
    if levels.get(parent_id, 0) + height > MAX_DEPTH:
        raise ValidationError(
            {"place": _("There the section or its subsections would be nested more than three levels deep.")}
        )
    siblings = [e.section for e in outline if e.section.parent_id == parent_id and e.section.pk != section.pk]
    ids = [sibling.pk for sibling in siblings]
    if after is not None and after.pk not in ids:
        raise ValidationError({"place": _("Choose a place in this concept.")})
    siblings.insert(0 if after is None else ids.index(after.pk) + 1, section)
    now = timezone.now()
    Section.objects.filter(pk=section.pk).update(parent_id=parent_id, updated_at=now)
    for position, sibling in enumerate(siblings, start=1):
        if sibling.position != position or sibling.pk == section.pk:
            Section.objects.filter(pk=sibling.pk).update(position=position, updated_at=now)
    revision.touch(section.concept_id)  # the updates above go round the signals


@transaction.atomic
def section_remove(*, section: Section) -> None:
    """Takes the section and its subsections out of the outline. Their versions and comments stay,
    and editions already frozen keep them; only new editions leave them out."""
    details = {"concept": section.concept_id, "removed_from_outline": True}
    record(kind=AuditKind.OBJECT_DELETED, target=section, project_id=section.concept.project_id, details=details)
    pending = [section]
    while pending:
        current = pending.pop()
        Section.objects.filter(pk=current.pk).update(is_removed=True, updated_at=timezone.now())
        pending.extend(current.children.filter(is_removed=False))
    revision.touch(section.concept_id)  # as above


@transaction.atomic
def section_restore(*, section: Section) -> None:
    """Puts a removed section back in its place in the outline, with the subsections removed with it
    (or before it: the portal does not tell them apart)."""
    locked = Section.objects.select_for_update().get(pk=section.pk)
    if not locked.is_removed:
        raise ValidationError(_("This section is in the outline already."))
    if Section.objects.filter(pk=locked.parent_id, is_removed=True).exists():
        raise ValidationError(_("The section it belongs under was removed too: restore that one first."))
    pending = [locked]
    while pending:
        current = pending.pop()
        Section.objects.filter(pk=current.pk).update(is_removed=False, updated_at=timezone.now())
        pending.extend(current.children.filter(is_removed=True))
    revision.touch(section.concept_id)  # as above


def _merge_titles(base: str, mine: str, theirs: str) -> tuple[str, bool]:
    if mine in (theirs, base):
        return theirs, False
    if theirs == base:
        return mine, False
    return mine, True


def section_save(
    *,
    section: Section,
    base_number: int,
    title: str,
    body: str,
    summary: str = "",
    user,
    restored_from=None,
    language: str | None = None,
    source_number: int | None = None,
) -> SaveResult:
    """Writes a new version from an edit that started at version `base_number` (0: a first translation).

    `language`: the source's (default) or one of the concept's target languages. A translation names
    the source version it translates (`source_number`); when the source has moved on since, it is
    saved all the same, and shows as out of date.
    """
    concept = section.concept
    language = language or concept.language
    if language not in concept.languages:
        raise ValidationError(_("This concept is not kept in that language."))
    source_version = None
    if language != concept.language:
        source_version = SectionVersion.objects.filter(
            section=section, language=concept.language, number=source_number or 0
        ).first()  # fmt: skip
        if source_version is None:
            raise ValidationError(_("The source version this translation was made from does not exist."))
    body = normalise_newlines(body)
    _check_length(body)
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("A section needs a title.")})
    edit = _Edit(language, base_number, title, body, summary, user, restored_from, source_version)
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _section_save_once(section, edit)
        except IntegrityError:
            # Someone wrote the same version number at the same moment: read the new head and merge.
            if attempt:
                raise
    raise AssertionError("unreachable")


@dataclass
class _Edit:
    language: str
    base_number: int
    title: str
    body: str
    summary: str
    user: object
    restored_from: SectionVersion | None
    source_version: SectionVersion | None


def _section_save_once(section, edit: _Edit) -> SaveResult:
    locked = Section.objects.select_for_update().get(pk=section.pk)
    locked.concept = section.concept
    # Read the head in its own query, after the lock is held: a row joined to the locked one
    # would come from the snapshot taken before waiting for the lock, and could be stale.
    head = head_in(locked, edit.language)
    fields = {"summary": edit.summary, "author": edit.user, "restored_from": edit.restored_from,
              "source_version": edit.source_version}  # fmt: skip
    if head is None or head.number == edit.base_number:
        version = _write_version(locked, edit.language, title=edit.title, body=edit.body, based_on=head, **fields)
        return SaveResult(version=version)
    base = SectionVersion.objects.filter(section=locked, language=edit.language, number=edit.base_number).first()
    if base is None and edit.base_number == 0:
        base = SectionVersion(title="", body="")  # a first translation, while someone else wrote one
    if base is None:
        raise ValidationError(_("The version this edit started from does not exist."))
    if edit.body == head.body and edit.title == head.title and edit.source_version == head.source_version:
        return SaveResult(version=head, theirs=head)  # the same change is already saved
    merged_title, title_conflict = _merge_titles(base.title, edit.title, head.title)
    result = merge3(base.body, edit.body, head.body)
    if result.clean and not title_conflict:
        if edit.source_version is not None and head.source_version is not None:
            # Both translated from some source version: the merge is only as current as the older one.
            fields["source_version"] = min(edit.source_version, head.source_version, key=lambda v: v.number)
        version = _write_version(locked, edit.language, title=merged_title, body=result.merged,
                                 merged_author=head.author, based_on=head, **fields)  # fmt: skip
        return SaveResult(version=version, merged=True, theirs=head, merge=result)
    return SaveResult(version=None, theirs=head, merge=result, title_conflict=title_conflict)


@transaction.atomic
def version_restore(*, section: Section, version: SectionVersion, user) -> SaveResult:
    """Writes the old version's text as the new head, over whatever the head is by then.

    The section is locked before its head is read, so a save landing meanwhile cannot turn the
    restore into a conflict: restoring is a decision to have that text, not an edit to merge.
    """
    Section.objects.select_for_update().filter(pk=section.pk).first()
    head = head_in(section, version.language)
    return section_save(
        section=section,
        base_number=head.number,
        title=version.title,
        body=version.body,
        summary=_("Restored version %(number)s") % {"number": version.number},
        user=user,
        restored_from=version,
        language=version.language,
        source_number=version.source_version.number if version.source_version_id else None,
    )


@transaction.atomic
def comment_add(
    *,
    section: Section,
    version: SectionVersion,
    author,
    body: str,
    quote: str = "",
    parent: Comment | None = None,
    is_recommendation: bool = False,
    source_activity: Activity | None = None,
    source_organisation: Organisation | None = None,
    suggestion_mode: str = "",
    suggested_text: str = "",
    notify: bool = True,
    occurrence: int | None = None,
    offset: int | None = None,
    word_author: str = "",
    import_fingerprint: str = "",
) -> Comment:
    """A comment on `version`. The quote's place is recorded there: the occurrence the reviewer
    selected (`offset` in the Markdown text, or `occurrence`, 0 for the first), else the first."""
    if version.section_id != section.pk:
        raise ValidationError(_("That version belongs to another section."))
    quote, suggested_text = normalise_newlines(quote), normalise_newlines(suggested_text)
    if parent is not None and parent.section_id != section.pk:
        raise ValidationError(_("You can only reply to a comment on the same section."))
    if is_recommendation and source_activity is None and source_organisation is None:
        raise ValidationError({"source_activity": _(
            "A recommendation names where it came from: choose the activity where it arose, the organisation "
            "that made it, or both."
        )})  # fmt: skip
    if source_activity is not None and source_activity.project_id != section.concept.project_id:
        raise ValidationError({"source_activity": _("Choose an activity of this project.")})
    if suggestion_mode and not quote.strip():
        raise ValidationError({"quote": _("Quote the passage your suggested wording is about.")})
    if suggestion_mode:
        # The reader quotes the words the page shows; the suggestion rewrites them in the source.
        place = _suggestion_place(version, quote, occurrence=occurrence, offset=offset)
        quote, offset = version.body[place.start : place.end], place.start
        if not is_whole(quote):
            raise ValidationError({"quote": _(
                "The quoted passage starts or ends inside formatted text (bold, italic, code or a link). "
                "Quote the whole formatted phrase, or only words outside it."
            )})  # fmt: skip
    if suggestion_mode == Comment.SuggestionMode.INSERT_AFTER and not suggested_text.strip():
        raise ValidationError({"suggested_text": _("Type the wording to insert after the quoted passage.")})
    if suggestion_mode == Comment.SuggestionMode.REPLACE and suggested_text == quote:
        raise ValidationError({"suggested_text": _("The suggested wording is the same as the quoted passage.")})
    comment = Comment(
        section=section,
        version=version,
        parent=parent,
        author=author,
        body=body.strip(),
        quote=quote.strip() if not suggestion_mode else quote,
        is_recommendation=is_recommendation,
        source_activity=source_activity,
        source_organisation=source_organisation,
        suggestion_mode=suggestion_mode,
        suggested_text=suggested_text,
        word_author=word_author.strip(),
        import_fingerprint=import_fingerprint,
    )
    comment.full_clean()
    comment.save()
    anchor_comment(comment=comment, occurrence=occurrence, offset=offset)
    if notify:
        notify_comment_added(comment)
    return comment


def _suggestion_place(version: SectionVersion, quote: str, *, occurrence: int | None, offset: int | None):
    """The exact stretch of the source a suggestion rewrites: one occurrence of the quote."""
    spans = find_passages(version.body, quote)
    if len(spans) > 1 and occurrence is None and offset is None:
        raise ValidationError({"quote": _(
            "The quoted passage occurs %(count)s times in the text, so it is not clear which one the suggestion "
            "is for. Select a few more words around it."
        ) % {"count": len(spans)}})  # fmt: skip
    place = initial_place(version.body, quote, occurrence=occurrence, offset=offset)
    if place is None:
        raise ValidationError({"quote": _("The quoted passage is not in the version you were reading.")})
    return place


@transaction.atomic
def comment_set_disposition(
    *,
    comment: Comment,
    disposition: str,
    reason: str = "",
    incorporated_in: SectionVersion | None = None,
    user,
    notify: bool = True,
) -> Comment:
    if incorporated_in is not None and incorporated_in.section_id != comment.section_id:
        raise ValidationError({"incorporated_in": _("Choose a version of this comment's section.")})
    if incorporated_in is not None and incorporated_in.language != comment.version.language:
        raise ValidationError({"incorporated_in": _("Choose a version in the language the comment was made on.")})
    if disposition != Comment.Disposition.INCORPORATED:
        incorporated_in = None
    comment.disposition = disposition
    comment.disposition_reason = reason.strip()
    comment.incorporated_in = incorporated_in
    comment.disposition_by = user
    comment.disposition_at = timezone.now()
    comment.full_clean()
    comment.save()
    if disposition == Comment.Disposition.OPEN:
        # Opened again: its passage was not followed while it was closed.
        anchors_catch_up(comment=comment)
    if notify and disposition != Comment.Disposition.OPEN:
        notify_disposition_set(comment)
    return comment


# Punctuation that sits against the word before it: closing marks, stops, commas, hyphens.
_NO_SPACE_BEFORE = {"Po", "Pe", "Pf"}
_JOINING_DASHES = "-\u2010\u2011"  # a hyphen joins words; an en or em dash stands apart
_OPENING = {"Ps", "Pi"}


def _needs_space(before: str, inserted: str) -> bool:
    """Whether an insertion right after `before` needs a space to stand apart from it.

    A reviewer types "and a right of appeal" after "legal aid" and means two words: one space goes
    between. Where the insertion starts with a space or a line break, or with punctuation that sits
    against the word before (", including appeals"), or follows an opening bracket or quote, it is
    written exactly as typed.
    """
    if not before or not inserted:
        return False
    first, last = inserted[0], before[-1]
    if first.isspace() or last.isspace():
        return False
    if unicodedata.category(first) in _NO_SPACE_BEFORE or first in _JOINING_DASHES:
        return False
    return unicodedata.category(last) not in _OPENING and last not in _JOINING_DASHES


def suggested_insertion(comment: Comment) -> str:
    """What an "insert after" suggestion adds after its passage: the words typed, with the one space
    that separates them from the passage when the reviewer did not type it."""
    inserted = comment.suggested_text
    return (" " + inserted) if _needs_space(comment.quote, inserted) else inserted


def suggested_passage(comment: Comment) -> str:
    """What the quoted passage becomes if the suggestion is accepted."""
    if comment.suggestion_mode == Comment.SuggestionMode.REPLACE:
        return comment.suggested_text
    return comment.quote + suggested_insertion(comment)


def suggested_body(comment: Comment) -> str:
    """The text of the version the suggestion was made on, with the suggestion applied to the
    occurrence of the passage the reviewer quoted (the first, for suggestions made before that
    was recorded)."""
    body = comment.version.body
    origin = CommentAnchor.objects.filter(comment=comment, version=comment.version).first()
    start = origin.start if origin is not None and origin.start is not None else body.find(comment.quote)
    if start < 0 or body[start : start + len(comment.quote)] != comment.quote:
        return body.replace(comment.quote, suggested_passage(comment), 1)
    return body[:start] + suggested_passage(comment) + body[start + len(comment.quote) :]


def _suggestion_on_head(comment: Comment, head: SectionVersion | None) -> str | None:
    """The current text with the suggestion applied where its passage now stands, when it stands
    there word for word (unchanged or moved); None when the passage's text changed, so that the
    suggestion goes through the merge. Refused when the passage was removed."""
    if head is None or head.pk == comment.version_id:
        return None
    anchor = CommentAnchor.objects.filter(comment=comment, version=head).first()
    if anchor is None:
        return None
    if anchor.status == CommentAnchor.Status.REMOVED:
        raise ValidationError(_(
            "The passage this suggestion rewrites has been removed from the text since, so it cannot be applied. "
            "Answer it with a disposition, or edit the section to write the wording in."
        ))  # fmt: skip
    if anchor.status == CommentAnchor.Status.CHANGED:
        return None
    return head.body[: anchor.start] + suggested_passage(comment) + head.body[anchor.end :]


def suggestion_summary(comment: Comment) -> str:
    """The summary of the version that applies a suggestion: whose, and which passage."""
    return _("Accepted the suggestion of %(author)s on “%(passage)s”") % {
        "author": comment.author.get_full_name() or comment.author,
        "passage": Truncator(" ".join(comment.quote.split())).chars(80),
    }


@transaction.atomic
def section_save_incorporating(*, section: Section, suggestion_id: int | None, user, **fields) -> SaveResult:
    """A save (section_save) that, when written, incorporates the open suggestion `suggestion_id`.

    The merge editor of a suggestion that could not be applied saves through this: the text the
    drafter settles on is the version that incorporates the suggestion. A suggestion answered
    meanwhile (or not of this section) is left as it is; the text is saved all the same.
    """
    suggestion = None
    if suggestion_id is not None:
        suggestion = (
            Comment.objects.select_for_update(of=("self",))
            .filter(pk=suggestion_id, section=section, disposition=Comment.Disposition.OPEN)
            .exclude(suggestion_mode="")
            .first()
        )
    result = section_save(section=section, user=user, **fields)
    if suggestion is not None and not result.conflict:
        comment_set_disposition(comment=suggestion, disposition=Comment.Disposition.INCORPORATED,
                                incorporated_in=result.version, user=user)  # fmt: skip
    return result


@dataclass
class EditConflict:
    """An edit that met another person's save, rebuilt from the two saved versions and the edit.

    Versions never change, so the same edit against the same versions always gives the same
    conflicts: the resolver page posts back the edit and the choices, not the passages.
    """

    base: SectionVersion  # the version the edit started from (unsaved and empty for a first translation)
    theirs: SectionVersion  # the version saved meanwhile, which the resolution is based on
    title: str  # the edit's title and text
    body: str
    merge: MergeResult
    title_conflict: bool


def edit_conflict(
    *, section: Section, language: str, base_number: int, theirs_number: int, title: str, body: str
) -> EditConflict:
    """The conflict between an edit from `base_number` and version `theirs_number` (404 if one is missing)."""
    versions = SectionVersion.objects.select_related("author").filter(section=section, language=language)
    theirs = versions.filter(number=theirs_number).first()
    base = versions.filter(number=base_number).first()
    if base is None and base_number == 0:
        base = SectionVersion(title="", body="")
    if theirs is None or base is None or base_number >= theirs_number:
        raise ValidationError(_("The versions this conflict was between do not exist."))
    body, title = normalise_newlines(body), title.strip()
    _merged, title_conflict = _merge_titles(base.title, title, theirs.title)
    return EditConflict(
        base=base,
        theirs=theirs,
        title=title,
        body=body,
        merge=merge3(base.body, body, theirs.body),
        title_conflict=title_conflict,
    )


def resolved_edit(*, conflict: EditConflict, resolutions: list[Resolution], keep_my_title: bool) -> tuple[str, str]:
    """The title and text that the choices make of the conflicting edit."""
    if conflict.title_conflict:
        title = conflict.title if keep_my_title else conflict.theirs.title
    else:
        title, _title_conflict = _merge_titles(conflict.base.title, conflict.title, conflict.theirs.title)
    return title, resolve(conflict.merge, resolutions)


def section_resolve_conflict(
    *,
    section: Section,
    conflict: EditConflict,
    resolutions: list[Resolution],
    keep_my_title: bool,
    summary: str,
    user,
    language: str,
    source_number: int | None = None,
    suggestion_id: int | None = None,
) -> SaveResult:
    """Saves the text chosen passage by passage, as an edit of the version saved meanwhile: a third
    save that landed since is merged with it, or meets it as a conflict again."""
    title, body = resolved_edit(conflict=conflict, resolutions=resolutions, keep_my_title=keep_my_title)
    return section_save_incorporating(
        section=section,
        suggestion_id=suggestion_id,
        user=user,
        base_number=conflict.theirs.number,
        title=title,
        body=body,
        summary=summary,
        language=language,
        source_number=source_number,
    )


@dataclass
class AcceptResult:
    version: SectionVersion | None
    already_done: bool = False
    save: SaveResult | None = None


@transaction.atomic
def suggestion_accept(*, comment: Comment, user) -> AcceptResult:
    """Applies the suggested wording to the current text as a new version, once."""
    locked = Comment.objects.select_for_update(of=("self",)).select_related("version", "section").get(pk=comment.pk)
    if not locked.is_suggestion:
        raise ValidationError(_("This comment has no suggested wording."))
    if locked.disposition == Comment.Disposition.INCORPORATED:
        return AcceptResult(version=locked.incorporated_in, already_done=True)
    if locked.disposition != Comment.Disposition.OPEN:
        raise ValidationError(_("This suggestion has already been answered."))
    version = locked.version
    section = locked.section
    section.concept = comment.section.concept
    source_number = None
    head = head_in(section, version.language)
    if version.language != section.concept.language:
        # The translation keeps translating the source version its current text translates.
        source_number = head.source_version.number if head and head.source_version_id else None
    # Where the passage still reads as quoted, the suggestion is applied there in the current text
    # (even if it moved); otherwise to the version it was made on, merged with what came since.
    on_head = _suggestion_on_head(locked, head)
    base = head if on_head is not None else version
    save = section_save(
        section=section,
        base_number=base.number,
        title=base.title,
        body=on_head if on_head is not None else suggested_body(locked),
        summary=suggestion_summary(locked),
        user=user,
        language=version.language,
        source_number=source_number,
    )
    if save.conflict:
        return AcceptResult(version=None, save=save)
    comment_set_disposition(comment=locked, disposition=Comment.Disposition.INCORPORATED,
                            incorporated_in=save.version, user=user)  # fmt: skip
    return AcceptResult(version=save.version, save=save)


@transaction.atomic
def edition_create(
    *,
    concept: Concept,
    name: str,
    date: datetime.date,
    presented_at: Activity | None = None,
    is_final: bool,
    user,
    name_ru: str = "",
) -> Edition:
    """Freezes the current version of every section that is in the outline."""
    if presented_at is not None and presented_at.project_id != concept.project_id:
        raise ValidationError({"presented_at": _("Choose an activity of this project.")})
    if Edition.objects.filter(concept=concept, name=name.strip()).exists():
        raise ValidationError({"name": _("This concept already has an edition with that name.")})
    outline = build_outline(list(Section.objects.select_for_update().filter(concept=concept, is_removed=False)))
    if not outline:
        raise ValidationError(_("The concept has no sections to freeze."))
    edition = Edition(
        concept=concept,
        name=name.strip(),
        name_ru=name_ru.strip(),
        date=date,
        presented_at=presented_at,
        is_final=is_final,
        created_by=user,
    )
    edition.full_clean()
    edition.save()
    # Every language the concept is kept in: the source, and each translation that exists.
    heads = {(t.section_id, t.language): t.head_id for t in SectionTranslation.objects.filter(
        section__in=[entry.section for entry in outline], language__in=concept.target_languages)}  # fmt: skip
    EditionEntry.objects.bulk_create(
        EditionEntry(
            edition=edition,
            section=entry.section,
            language=language,
            version_id=version_id,
            number=entry.number,
            level=entry.level,
            position=position,
        )
        for language in concept.languages
        for position, entry in enumerate(outline, start=1)
        if (version_id := entry.section.head_id if language == concept.language
            else heads.get((entry.section.pk, language)))
    )  # fmt: skip
    details = {"concept": concept.pk, "name": edition.name, "is_final": is_final}
    record(kind=AuditKind.EDITION_FROZEN, actor=user, target=edition, project_id=concept.project_id, details=details)
    return edition
