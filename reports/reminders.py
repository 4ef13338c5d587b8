"""Reminders of reports due: e-mailed by Celery beat once a day (settings.CELERY_BEAT_SCHEDULE).

A report still being written (not started, in progress, or returned) is reminded of
REPORT_REMINDER_DAYS days before its due date (14 and 3 by default), and every day once it is
overdue. Submitted and approved reports get none. Each reminder goes to the report's responsible
members who are still on the project (the project's managers when none is named, so that a report
nobody was named for is not forgotten), in each one's language, and not to those who turned
e-mails off.

At most one reminder a day per report and member: each is recorded (ReportReminder, unique per
report, member and day) in the same transaction that queues its e-mail, so two workers, two beats
or a run repeated the same day send it once. Everything is computed from `today`, passed in by
the task (the portal's local date) or by a test.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from common.languages import languages_of
from common.mail import email_queue
from common.preferences import wants_email
from projects.models import Role

from .job_models import ReportReminder
from .models import Report

logger = logging.getLogger("mpf.reports")

TEMPLATE = "reports/email/reminder.txt"


@dataclass
class ReminderRun:
    reports: int = 0  # reports due for a reminder today
    sent: int = 0  # e-mails queued
    already_sent: int = 0  # members reminded of the report earlier today
    opted_out: int = 0  # members without an e-mail address or who turned e-mails off


def reports_to_remind(*, today: datetime.date) -> list[Report]:
    """The reports still being written that are due in one of REPORT_REMINDER_DAYS days, or overdue."""
    soon = [today + datetime.timedelta(days=days) for days in settings.REPORT_REMINDER_DAYS]
    return list(
        Report.objects.filter(state__in=Report.EDITABLE)
        .filter(Q(due_date__in=soon) | Q(due_date__lt=today))
        .select_related("project")
        .order_by("due_date", "pk")
    )


def report_recipients(report: Report) -> list:
    """The responsible members still on the project (or staff); the project's managers when none is."""
    users = get_user_model().objects.filter(is_active=True)
    on_project = Q(memberships__project_id=report.project_id) | Q(is_staff=True)
    named = list(users.filter(on_project, responsible_reports=report).distinct().order_by("pk"))
    if named:
        return named
    managers = Q(memberships__project_id=report.project_id, memberships__role=Role.MANAGER)
    return list(users.filter(managers).distinct().order_by("pk"))


def _subject(report: Report, days: int) -> str:
    title = report.localized("title")
    if days < 0:
        return _("Overdue report: “%(title)s” was due on %(date)s") % {"title": title, "date": _date(report.due_date)}
    return _("Report due on %(date)s: “%(title)s”") % {"title": title, "date": _date(report.due_date)}


def _date(value: datetime.date) -> str:
    return date_format(value, "j E Y")


def _remind(report: Report, user, *, today: datetime.date, days: int, language: str) -> bool:
    """Records and queues one reminder; False when the member was reminded of the report today."""
    kind = ReportReminder.Kind.OVERDUE if days < 0 else ReportReminder.Kind.DUE_SOON
    with transaction.atomic():
        _reminder, created = ReportReminder.objects.get_or_create(
            report=report, user=user, day=today, defaults={"kind": kind, "days": days, "due_date": report.due_date}
        )
        if not created:
            return False
        with translation.override(language):
            context = {
                "report": report,
                "title": report.localized("title"),
                "project_title": report.project.localized("title"),
                "days": abs(days),
                "overdue": days < 0,
                "due_date": _date(report.due_date),
                "period_start": _date(report.period_start),
                "period_end": _date(report.period_end),
                "state": report.get_state_display(),
                "url": settings.PORTAL_BASE_URL.rstrip("/") + report.get_absolute_url(),
            }
            body = render_to_string(TEMPLATE, context)
            email_queue(recipients=[user.email], subject=_subject(report, days), body=body)
    return True


def report_reminders_send(*, today: datetime.date | None = None) -> ReminderRun:
    """Sends today's reminders (see the module's description); safe to run any number of times a day."""
    today = today or timezone.localdate()
    run = ReminderRun()
    for report in reports_to_remind(today=today):
        run.reports += 1
        recipients = report_recipients(report)
        wanting = wants_email(recipients)
        run.opted_out += len(recipients) - len(wanting)
        languages = languages_of(wanting)
        days = (report.due_date - today).days
        for user in wanting:
            if _remind(report, user, today=today, days=days, language=languages[user.pk]):
                run.sent += 1
            else:
                run.already_sent += 1
    if run.reports:
        logger.info("Report reminders of %s: %s", today, run)
    return run
