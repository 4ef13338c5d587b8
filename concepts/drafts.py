"""Unsaved drafts: what someone typed in a section's editor, kept on the server while they type.

A draft belongs to one person and is read by no one else: every read here is filtered by its
owner, so another person's draft (or one of another section) does not exist for the caller. It is
never public, never versioned, and deleted once its owner saves the section or discards it. A save
that meets a newer version goes through the ordinary merge-or-conflict save, from the version the
draft was based on: restoring an old draft cannot overwrite anyone's later work.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from .models import MAX_BODY_LENGTH, Section, SectionDraft, SectionVersion
from .services import normalise_newlines


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
) -> SectionDraft:
    """Keeps (creates or overwrites) the user's draft of the section in that editor."""
    body = normalise_newlines(body)
    if len(body) > MAX_BODY_LENGTH:
        raise _too_long(len(body))
    draft = SectionDraft.objects.select_for_update().filter(
        user=user, section=section, language=language, kind=kind
    ).first() or SectionDraft(user=user, section=section, language=language, kind=kind)
    draft.base_number = base_number
    draft.title = title[:300]
    draft.body = body
    draft.summary = summary[:300]
    draft.full_clean(exclude=["user", "section"], validate_constraints=False)
    draft.save()
    return draft


@transaction.atomic
def draft_discard(*, draft: SectionDraft) -> None:
    draft.delete()


@transaction.atomic
def drafts_delete(*, user, section: Section, language: str, kind: str) -> None:
    """Once the section is saved from that editor, what was typed there is no longer unsaved."""
    SectionDraft.objects.filter(user=user, section=section, language=language, kind=kind).delete()


def draft_for(*, user, section: Section, language: str, kind: str) -> SectionDraft | None:
    if not user.is_authenticated:
        return None
    return SectionDraft.objects.filter(user=user, section=section, language=language, kind=kind).first()


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


def draft_offer(*, user, section: Section, language: str, kind: str, head: SectionVersion | None):
    """The user's draft, if its text or title differs from the current version; else None."""
    draft = draft_for(user=user, section=section, language=language, kind=kind)
    if draft is None:
        return None
    draft.section = section
    if head is not None and draft.body == head.body and draft.title == head.title:
        return None
    return DraftOffer(draft=draft, head=head)
