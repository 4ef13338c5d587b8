"""Celery tasks of reports: thin wrappers that take ids (or nothing) and call a service."""

from dataclasses import asdict

from celery import shared_task
from django.conf import settings

from concepts.tasks import publish_on_render_queue

from .reminders import report_reminders_send
from .rendering import report_render_job_run, report_render_jobs_requeue

# Publishing a job must not hold a web request for long when the broker is down (as concepts' renders).


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=360)
def report_reminders_send_task() -> dict:
    """Today's report reminders (Celery beat asks for it daily; running it again the same day sends nothing)."""
    return asdict(report_reminders_send())


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.RENDER_TIME_LIMIT,
    retry_backoff=True,
    retry_backoff_max=120,
    max_retries=3,
)
def report_render_task(self, job_id: int) -> str | None:
    """Renders one report file; a database or storage error is retried with backoff."""
    from concepts.rendering.services import TRANSIENT_ERRORS

    try:
        job = report_render_job_run(job_id=job_id)
    except TRANSIENT_ERRORS as error:
        raise self.retry(exc=error) from error
    return job.status if job is not None else None


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def report_render_jobs_requeue_task() -> int:
    """Sends again the report files the broker lost and puts back those of dead workers (Celery beat)."""
    return report_render_jobs_requeue()


def send_report_render_task(job_id: int) -> None:
    """Publishes the render on RENDER_QUEUE, as editions' renders are; in-process when Celery runs eagerly."""
    publish_on_render_queue(report_render_task, job_id)
