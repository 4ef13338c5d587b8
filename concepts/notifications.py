"""E-mails about comments, sent by a Celery task after the transaction commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from common.languages import languages_of
from common.mail import email_queue
from common.preferences import wants_email
from projects.models import Role

from .models import SectionVersion


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _send(users, subject, template: str, context: dict) -> None:
    """E-mails each of `users` on their own (nobody sees who else was told), in their saved language.

    `subject` is called in the recipient's language.
    """
    users = wants_email(users)
    languages = languages_of(users)
    for user in sorted(users, key=lambda user: user.pk):
        with translation.override(languages[user.pk]):
            email_queue(recipients=[user.email], subject=str(subject()), body=render_to_string(template, context))


def section_drafters(section) -> list:
    """Who drafts the section: those who wrote its versions and may still draft the project.

    A section none of them can draft any more (its authors left the project, or it was imported
    by staff) falls to the project's drafters and managers.
    """
    users = get_user_model().objects.filter(is_active=True)
    project_id = section.concept.project_id
    may_draft = Q(memberships__project_id=project_id, memberships__role__in=[Role.DRAFTER, Role.MANAGER])
    writers = SectionVersion.objects.filter(section=section)
    merged = writers.exclude(merged_author=None).values("merged_author_id")
    wrote = Q(pk__in=writers.values("author_id")) | Q(pk__in=merged)
    drafters = list(users.filter(wrote).filter(may_draft | Q(is_staff=True)).distinct())
    return drafters or list(users.filter(may_draft).distinct())


def notify_comment_added(comment) -> None:
    """Tells the section's drafters about a new comment (not its author)."""
    section = comment.section
    drafters = [user for user in section_drafters(section) if user.pk != comment.author_id]

    def subject():
        return _("New comment on “%(section)s”") % {"section": section.head.title}

    context = {"comment": comment, "section": section, "url": _absolute(section.get_absolute_url())}
    _send(drafters, subject, "concepts/email/comment_added.txt", context)


def notify_disposition_set(comment) -> None:
    """Tells a comment's author what became of it."""
    if comment.disposition_by_id == comment.author_id:
        return

    def subject():
        return _("Your comment on “%(section)s”: %(disposition)s") % {
            "section": comment.section.head.title,
            "disposition": comment.get_disposition_display(),
        }

    context = {"comment": comment, "url": _absolute(f"{comment.section.get_absolute_url()}#comment-{comment.pk}")}
    _send([comment.author], subject, "concepts/email/disposition_set.txt", context)
