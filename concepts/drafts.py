"""Unsaved drafts: what someone typed in a section's editor, or in a comment or reply form, kept on
the server while they type.

A draft belongs to one person and is read by no one else: every read here is filtered by its
owner, so another person's draft (or one of another section) does not exist for the caller. It is
never public, never versioned, and deleted once its owner saves the section or discards it. A save
that meets a newer version goes through the ordinary merge-or-conflict save, from the version the
draft was based on: restoring an old draft cannot overwrite anyone's later work.

Each opening of an editor is a tab with an id of its own (`new_tab_id`, kept in the page and posted
with every draft): a person's two tabs on the same section keep two drafts, both offered back, and
saving from one tab deletes only its own. The later save of the two meets the earlier as any
other newer version. At most DRAFTS_KEPT drafts per person and section are kept, the newest.
"""

import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from .models import COMMENT_DRAFT_LIMITS, MAX_BODY_LENGTH, Comment, CommentDraft, Section, SectionDraft, SectionVersion
from .services import normalise_newlines

DRAFTS_KEPT = 5  # per person and section: enough for a few tabs, not a pile of forgotten ones
_TAB = re.compile(r"[A-Za-z0-9_-]{1,32}")


def new_tab_id() -> str:
    return secrets.token_urlsafe(12)


def clean_tab(value) -> str:
    """A posted tab id as it may be stored; anything else is no tab ("")."""
    value = str(value or "")
    return value if _TAB.fullmatch(value) else ""


def _too_long(length: int) -> ValidationError:
    return ValidationError(
        _(
            "The draft is too long to keep: %(length)s characters, where a section may have at most %(limit)s. "
            "Split the text into several sections."
        )
        % {"length": f"{length:,}", "limit": f"{MAX_BODY_LENGTH:,}"},
        code="too_long",
    )


@transaction.atomic
def draft_save(
    *,
    user,
    section: Section,
    language: str,
    kind: str,
    base_number: int,
    title: str,
    body: str,
    summary: str = "",
    tab: str = "",
) -> SectionDraft:
    """Keeps (creates or overwrites) the user's draft of the section in that editor's tab; beyond
    DRAFTS_KEPT drafts of the section, the oldest of the user's are deleted."""
    body = normalise_newlines(body)
    if len(body) > MAX_BODY_LENGTH:
        raise _too_long(len(body))
    tab = clean_tab(tab)
    where = {"user": user, "section": section, "language": language, "kind": kind, "tab": tab}
    draft = SectionDraft.objects.select_for_update().filter(**where).first() or SectionDraft(**where)
    draft.base_number = base_number
    draft.title = title[:300]
    draft.body = body
    draft.summary = summary[:300]
    draft.full_clean(exclude=["user", "section"], validate_constraints=False)
    draft.save()
    older = SectionDraft.objects.filter(user=user, section=section).order_by("-updated_at", "-pk")
    SectionDraft.objects.filter(pk__in=list(older.values_list("pk", flat=True)[DRAFTS_KEPT:])).delete()
    return draft


@transaction.atomic
def draft_discard(*, draft: SectionDraft) -> None:
    draft.delete()


@transaction.atomic
def drafts_delete(*, user, section: Section, language: str, kind: str, tab: str) -> None:
    """Once the section is saved from that editor's tab, what was typed there is no longer unsaved.
    Other tabs' drafts stay: their text was not saved."""
    SectionDraft.objects.filter(user=user, section=section, language=language, kind=kind, tab=clean_tab(tab)).delete()


def drafts_for(*, user, section: Section, language: str, kind: str) -> list[SectionDraft]:
    """The user's drafts of the section in that editor, one per tab, newest first."""
    if not user.is_authenticated:
        return []
    found = SectionDraft.objects.filter(user=user, section=section, language=language, kind=kind)
    return list(found.order_by("-updated_at", "-pk")[:DRAFTS_KEPT])


def draft_get_for_user(*, user, section: Section, draft_id: int | str | None) -> SectionDraft:
    """The user's own draft of this section; 404 for anyone else's, another section's or none."""
    try:
        draft_id = int(draft_id)
    except (TypeError, ValueError):
        raise Http404("No such draft.") from None
    draft = SectionDraft.objects.filter(pk=draft_id, user=user, section=section).first()
    if draft is None:
        raise Http404("No such draft.")
    draft.section = section
    return draft


@dataclass
class DraftOffer:
    """A draft worth offering back: it holds something the current version does not."""

    draft: SectionDraft
    head: SectionVersion | None

    @property
    def base_moved(self) -> bool:
        """Someone saved since the draft was begun: saving it will merge or show both texts."""
        return (self.head.number if self.head else 0) != self.draft.base_number


def draft_offers(*, user, section: Section, language: str, kind: str, head: SectionVersion | None):
    """The user's drafts whose text or title differs from the current version, newest first."""
    offers = []
    for draft in drafts_for(user=user, section=section, language=language, kind=kind):
        draft.section = section
        if head is None or draft.body != head.body or draft.title != head.title:
            offers.append(DraftOffer(draft=draft, head=head))
    return offers


# The comment form's choices kept with an unsent comment, as the form posts them (checked by
# CommentForm when the comment is posted, not here).
COMMENT_DRAFT_OPTIONS = ("is_recommendation", "suggestion_mode", "source_activity", "source_organisation")


def _comment_too_long(field: str, length: int) -> ValidationError:
    return ValidationError(
        _("The text is too long to keep: %(length)s characters, where a comment may have at most %(limit)s.")
        % {"length": f"{length:,}", "limit": f"{COMMENT_DRAFT_LIMITS[field]:,}"},
        code="too_long",
    )


@transaction.atomic
def comment_draft_save(
    *,
    user,
    section: Section,
    language: str,
    parent: Comment | None,
    version_number: int,
    texts: dict[str, str],
    options: dict[str, str],
) -> CommentDraft | None:
    """Keeps (creates or overwrites) the user's unsent comment, or reply to `parent`. A form emptied
    of what was typed (the comment and suggested wording) keeps nothing: its draft is deleted."""
    texts = {field: normalise_newlines(texts.get(field, "")) for field in COMMENT_DRAFT_LIMITS}
    for field, text in texts.items():
        if len(text) > COMMENT_DRAFT_LIMITS[field]:
            raise _comment_too_long(field, len(text))
    existing = CommentDraft.objects.select_for_update().filter(
        user=user, section=section, language=language, parent=parent
    )
    if not (texts["body"].strip() or texts["suggested_text"].strip()):
        existing.delete()
        return None
    draft = existing.first() or CommentDraft(user=user, section=section, language=language, parent=parent)
    draft.version_number = version_number
    draft.body, draft.quote, draft.suggested_text = texts["body"], texts["quote"], texts["suggested_text"]
    draft.options = {name: str(options[name])[:40] for name in COMMENT_DRAFT_OPTIONS if options.get(name)}
    draft.full_clean(exclude=["user", "section", "parent"], validate_constraints=False)
    draft.save()
    return draft


@transaction.atomic
def comment_draft_discard(*, draft: CommentDraft) -> None:
    draft.delete()


@transaction.atomic
def comment_drafts_delete(*, user, section: Section, language: str, parent: Comment | None) -> None:
    """Once the comment or reply is posted, what was typed for it is no longer unsent."""
    CommentDraft.objects.filter(user=user, section=section, language=language, parent=parent).delete()


def comment_draft_get_for_user(*, user, section: Section, draft_id: int | str | None) -> CommentDraft:
    """The user's own unsent comment on this section; 404 for anyone else's, another section's or none."""
    try:
        draft_id = int(draft_id)
    except (TypeError, ValueError):
        raise Http404("No such draft.") from None
    if not user.is_authenticated:
        raise Http404("No such draft.")
    draft = CommentDraft.objects.filter(pk=draft_id, user=user, section=section).first()
    if draft is None:
        raise Http404("No such draft.")
    draft.section = section
    return draft


def comment_drafts_for(*, user, section: Section, language: str) -> dict[int, CommentDraft]:
    """The user's unsent comment (key 0) and replies (key: the comment replied to) on the section's text."""
    if not user.is_authenticated:
        return {}
    found = list(CommentDraft.objects.filter(user=user, section=section, language=language))
    for draft in found:
        draft.section = section
    return {draft.parent_id or 0: draft for draft in found}
