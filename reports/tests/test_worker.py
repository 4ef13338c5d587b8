"""Reports through a real Redis broker and a real Celery worker process (as concepts' render worker test).

Needs REDIS_URL and PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mpf_remind REDIS_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/pytest reports/tests/test_worker.py
"""

import datetime

import pytest
from django.utils import timezone

from common.models import OutgoingEmail
from concepts.tests.test_render_worker import (  # noqa: F401 - fixtures
    REDIS_URL,
    _needs_postgresql,
    queue,
    start_worker,
    wait_for,
)
from projects.access import capabilities
from reports.job_models import ReportReminder, ReportRenderJob
from reports.models import Report
from reports.rendering import report_render_request
from reports.tasks import report_reminders_send_task
from reports.tests.factories import ReportFactory, frozen_report

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not REDIS_URL, reason="Integration test: set REDIS_URL and a PostgreSQL DATABASE_URL to run it."
    ),
    pytest.mark.django_db(transaction=True),
]


def test_a_worker_renders_the_report_pdf(start_worker, project, users):  # noqa: F811 - the fixture
    start_worker()
    report = frozen_report(project, state=Report.State.APPROVED, title="Worker report", submitted_by=users["drafter"])
    manager = users["manager"]
    job = report_render_request(
        report=report, kind="pdf", language="en", granted=capabilities(manager, project), user=manager
    )
    assert not job.queue_unavailable
    wait_for(lambda: ReportRenderJob.objects.get(pk=job.pk).status in ("done", "failed"))
    job.refresh_from_db()
    assert job.status == "done", job.error
    assert job.attempts == 1 and job.file.read(5) == b"%PDF-"


def test_a_worker_sends_the_days_reminders_once(start_worker, queue, project, users):  # noqa: F811 - fixtures
    start_worker()
    report = ReportFactory(
        project=project,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 3, 31),
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )
    report.responsible.set([users["drafter"]])
    for _ in range(2):  # beat asking twice the same day (two beats, a restart)
        report_reminders_send_task.apply_async(queue=queue)
    wait_for(lambda: ReportReminder.objects.exists())
    wait_for(lambda: OutgoingEmail.objects.filter(recipients=[users["drafter"].email]).exists())
    assert ReportReminder.objects.get().user == users["drafter"]
    email = OutgoingEmail.objects.get()
    assert "2 days overdue" in email.body
