"""Report reminders, computed from a fixed date: due in N days, overdue, already sent today, done."""

import datetime
import threading

import pytest
from django.db import connection

from common.models import OutgoingEmail, UserPreferences
from reports.models import Report, ReportReminder
from reports.reminders import report_reminders_send

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

TODAY = datetime.date(2025, 6, 16)


def make_report(project, *, due: datetime.date, state=Report.State.IN_PROGRESS, responsible=(), **fields) -> Report:
    report = Report.objects.create(
        project=project,
        title=fields.pop("title", "Interim report 1"),
        period_start=datetime.date(2025, 1, 1),
        period_end=fields.pop("period_end", min(due, datetime.date(2025, 5, 31))),
        due_date=due,
        state=state,
        **fields,
    )
    report.responsible.set(responsible)
    return report


@pytest.fixture(autouse=True)
def _reminder_days(settings):
    settings.REPORT_REMINDER_DAYS = [14, 3]
    settings.PORTAL_BASE_URL = "https://portal.example.org"


def send(django_capture_on_commit_callbacks, today=TODAY):
    with django_capture_on_commit_callbacks(execute=True):
        return report_reminders_send(today=today)


@pytest.mark.parametrize("days", [14, 3])
def test_a_responsible_member_is_reminded_the_configured_days_before_the_due_date(
    days, project, users, mailoutbox, django_capture_on_commit_callbacks
):
    report = make_report(project, due=TODAY + datetime.timedelta(days=days), responsible=[users["drafter"]])
    send(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[users["drafter"].email]]
    message = mailoutbox[0]
    assert "Interim report 1" in message.subject
    assert f"in {days} days" in message.body
    assert f"https://portal.example.org/projects/the-project/reports/{report.pk}/" in message.body


@pytest.mark.parametrize("days", [15, 13, 4, 2, 1, 0])
def test_no_reminder_on_the_other_days_before_the_due_date(
    days, project, users, mailoutbox, django_capture_on_commit_callbacks
):
    make_report(project, due=TODAY + datetime.timedelta(days=days), responsible=[users["drafter"]])
    assert send(django_capture_on_commit_callbacks).sent == 0
    assert mailoutbox == []


def test_the_days_before_are_a_setting(settings, project, users, mailoutbox, django_capture_on_commit_callbacks):
    settings.REPORT_REMINDER_DAYS = [7]
    make_report(project, due=TODAY + datetime.timedelta(days=7), responsible=[users["drafter"]])
    make_report(project, due=TODAY + datetime.timedelta(days=14), responsible=[users["drafter"]], kind="final")
    send(django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1 and "in 7 days" in mailoutbox[0].body


def test_an_overdue_report_is_reminded_of_every_day_but_once_a_day(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    make_report(project, due=TODAY - datetime.timedelta(days=2), responsible=[users["drafter"], users["manager"]])
    send(django_capture_on_commit_callbacks)
    assert sorted(message.to[0] for message in mailoutbox) == sorted([users["drafter"].email, users["manager"].email])
    assert "2 days overdue" in mailoutbox[0].body and mailoutbox[0].subject.startswith("Overdue report")

    again = send(django_capture_on_commit_callbacks)  # a second run, or a second beat, the same day
    assert (again.sent, again.already_sent, len(mailoutbox)) == (0, 2, 2)

    send(django_capture_on_commit_callbacks, today=TODAY + datetime.timedelta(days=1))
    assert len(mailoutbox) == 4 and "3 days overdue" in mailoutbox[-1].body
    assert ReportReminder.objects.filter(kind=ReportReminder.Kind.OVERDUE).count() == 4


@pytest.mark.parametrize("state", [Report.State.SUBMITTED, Report.State.APPROVED])
def test_submitted_and_approved_reports_get_no_reminder(
    state, project, users, mailoutbox, django_capture_on_commit_callbacks
):
    make_report(project, due=TODAY - datetime.timedelta(days=5), state=state, responsible=[users["drafter"]])
    make_report(
        project, due=TODAY + datetime.timedelta(days=3), state=state, responsible=[users["drafter"]], kind="final"
    )
    assert send(django_capture_on_commit_callbacks).reports == 0
    assert mailoutbox == []


@pytest.mark.parametrize("state", [Report.State.NOT_STARTED, Report.State.RETURNED])
def test_reports_not_started_or_returned_are_reminded(
    state, project, users, mailoutbox, django_capture_on_commit_callbacks
):
    make_report(project, due=TODAY - datetime.timedelta(days=1), state=state, responsible=[users["drafter"]])
    send(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[users["drafter"].email]]


def test_members_who_turned_emails_off_get_nothing(project, users, mailoutbox, django_capture_on_commit_callbacks):
    UserPreferences.objects.create(user=users["drafter"], email_notifications=False)
    make_report(project, due=TODAY - datetime.timedelta(days=1), responsible=[users["drafter"], users["manager"]])
    run = send(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[users["manager"].email]]
    assert run.opted_out == 1
    assert not ReportReminder.objects.filter(user=users["drafter"]).exists()


def test_a_project_whose_members_all_turned_emails_off_sends_nothing(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    for role in ("drafter", "manager"):
        UserPreferences.objects.create(user=users[role], email_notifications=False)
    make_report(project, due=TODAY - datetime.timedelta(days=1), responsible=[users["drafter"]])
    make_report(project, due=TODAY + datetime.timedelta(days=3), kind="final")  # none named: the managers
    assert send(django_capture_on_commit_callbacks).sent == 0
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()


def test_only_the_responsible_members_still_on_the_project_are_reminded(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    report = make_report(project, due=TODAY + datetime.timedelta(days=3), responsible=[users["drafter"]])
    report.responsible.add(users["other_drafter"])  # named once, not (or no longer) a member of this project
    send(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[users["drafter"].email]]


def test_a_report_nobody_was_named_for_reminds_the_projects_managers(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    make_report(project, due=TODAY + datetime.timedelta(days=14))
    send(django_capture_on_commit_callbacks)
    assert [message.to for message in mailoutbox] == [[users["manager"].email]]


def test_each_recipient_is_written_to_in_their_own_language(
    project, users, mailoutbox, django_capture_on_commit_callbacks
):
    UserPreferences.objects.create(user=users["drafter"], language="ru")
    make_report(
        project,
        due=TODAY - datetime.timedelta(days=3),
        title="Interim report 1",
        title_ru="Промежуточный отчёт 1",
        responsible=[users["drafter"], users["manager"]],
    )
    send(django_capture_on_commit_callbacks)
    by_address = {message.to[0]: message for message in mailoutbox}
    russian, english = by_address[users["drafter"].email], by_address[users["manager"].email]
    assert "Промежуточный отчёт 1" in russian.subject and "просрочен" in russian.subject.lower()
    assert "13 июня 2025" in russian.body and "3 дня" in russian.body
    assert "Interim report 1" in english.subject and "13 June 2025" in english.body


def test_the_task_uses_the_portals_date(project, users, mailoutbox, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from reports.tasks import report_reminders_send_task

    make_report(project, due=timezone.localdate() - datetime.timedelta(days=1), responsible=[users["drafter"]])
    with django_capture_on_commit_callbacks(execute=True):
        result = report_reminders_send_task.apply().get()
    assert result["sent"] == 1 and len(mailoutbox) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers at once need a real database server")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_one_reminder(project, users, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the e-mails stay in the table: nothing is sent in the threads
    make_report(project, due=TODAY - datetime.timedelta(days=1), responsible=[users["drafter"]])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(report_reminders_send(today=TODAY))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(run.sent for run in results) == [0, 1]
    assert OutgoingEmail.objects.count() == 1


def test_beat_asks_for_tasks_the_workers_know():
    """A misspelt task in CELERY_BEAT_SCHEDULE would be dropped by every worker, silently, each day."""
    from django.conf import settings

    from mpf_portal.celery import app

    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"reports.tasks.report_reminders_send_task", "reports.tasks.report_render_jobs_requeue_task"} <= scheduled
    assert scheduled <= set(app.tasks)
