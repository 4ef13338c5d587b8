"""E-mails about comments, sent by a Celery task after the transaction commits."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from common.languages import languages_of
from common.preferences import wants_email
from common.tasks import send_email_task
from projects.models import Role


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def _send(users, subject, template: str, context: dict) -> None:
    """E-mails `users`, each in their saved language; `subject` is called in that language."""
    users = wants_email(users)
    languages = languages_of(users)
    by_language: dict[str, list[str]] = {}
    for user in users:
        by_language.setdefault(languages[user.pk], []).append(user.email)
    for language, recipients in sorted(by_language.items()):
        with translation.override(language):
            mail = {"recipients": recipients, "subject": str(subject()), "body": render_to_string(template, context)}
        transaction.on_commit(lambda mail=mail: send_email_task.delay(**mail))


def notify_comment_added(comment) -> None:
    """Tells the section's drafters (the project's drafters and managers) about a new comment."""
    section = comment.section
    drafters = (
        get_user_model()
        .objects.filter(
            memberships__project_id=section.concept.project_id, memberships__role__in=[Role.DRAFTER, Role.MANAGER]
        )
        .exclude(pk=comment.author_id)
    )

    def subject():
        return _("New comment on “%(section)s”") % {"section": section.head.title}

    context = {"comment": comment, "section": section, "url": _absolute(section.get_absolute_url())}
    _send(list(drafters), subject, "concepts/email/comment_added.txt", context)


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
