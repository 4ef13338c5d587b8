"""Celery tasks of concepts: thin wrappers that take ids and call a service.

Time limits of a render (settings RENDER_SOFT_TIME_LIMIT = 180 s, RENDER_TIME_LIMIT = 240 s) and
CELERY_WORKER_MAX_MEMORY_PER_CHILD (600,000 KiB), from `python -m bench.render --pages 10,100,300`
on the 2-core development machine (WeasyPrint 70, generated policy text with lists and tables,
a contents page with page numbers; each render in a fresh process after a warm-up):

    pages   seconds (quiet - busy machine)   peak resident memory of the process
       13     1.1 -  2.3                     127-134 MiB
      112    16.3 - 19.3                     204-213 MiB
      325    40.1 - 52.7                     386-387 MiB

WeasyPrint takes about 0.13-0.16 s a page, most of it drawing glyphs; building our HTML takes
0.05-0.25 s of it. The soft limit (180 s) is 3.4-4.5 times a 300-page render: room for a busy
worker, or a document of roughly 1,000 pages. The hard limit kills the pool process a minute later if
the soft one could not stop it (the recovery then puts the job back, up to RENDER_MAX_ATTEMPTS).
A pool process that has grown past 600,000 KiB (the 300-page peak and half again) is replaced
after its task. Content that WeasyPrint lays out in quadratic time (one 60,000-character word, a
table of thousands of rows) ends at the soft limit as a failed job with a message.
"""

import logging
from dataclasses import asdict

from celery import current_app, shared_task
from django.conf import settings

from common.imports import PUBLISH_RETRY_POLICY, import_job_run
from common.mail import email_requeue_unsent
from common.tasks import PeriodicAskStep

from . import importing, markup_import
from .rendering.services import TRANSIENT_ERRORS, render_job_run, render_jobs_requeue_stale

logger = logging.getLogger("mpf.rendering")


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.RENDER_TIME_LIMIT,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
)
def render_job_task(self, job_id: int) -> str | None:
    """Renders one RenderJob; a database or storage error is retried with backoff."""
    job = render_job_run(job_id=job_id, final_attempt=self.request.retries >= self.max_retries)
    return job.status if job is not None else None


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def render_jobs_requeue_task() -> dict:
    """Sends again the render jobs and e-mails the broker lost, and puts back the jobs of dead workers."""
    return {**asdict(render_jobs_requeue_stale()), "emails": email_requeue_unsent()}


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TIME_LIMIT,
)
def concept_import_read_task(self, job_id: int) -> str | None:
    """Reads the Word or Markdown file of a concept import job into its plan (the preview)."""
    job = import_job_run(job_id=job_id, work=importing.import_job_read, limit_memory=not self.request.is_eager)
    return job.status if job is not None else None


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TIME_LIMIT,
)
def concept_markup_read_task(self, job_id: int) -> str | None:
    """Reads a marked-up Word file into what importing it back would create (the preview)."""
    job = import_job_run(job_id=job_id, work=markup_import.markup_job_read, limit_memory=not self.request.is_eager)
    return job.status if job is not None else None


def send_render_task(job_id: int) -> None:
    """Publishes the render of a job on RENDER_QUEUE; in-process when Celery runs eagerly (no REDIS_URL).

    A connection of its own is opened for each job (renders are rare), so that a broker that
    was down a moment ago is used as soon as it is back. Raises the broker's error when it is down.
    """
    publish_on_render_queue(render_job_task, job_id)


def publish_on_render_queue(task, job_id: int) -> None:
    """Publishes `task(job_id)` on RENDER_QUEUE (editions' and reports' renders alike); in-process
    when Celery runs eagerly. Raises the broker's error when it is down."""
    app = task.app
    if app.conf.task_always_eager:
        task.apply(args=[job_id], throw=False)
        return
    with app.connection_for_write() as connection:
        task.apply_async(
            args=[job_id],
            queue=settings.RENDER_QUEUE,
            connection=connection,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
            # No limits in the message: the worker's own RENDER_*_TIME_LIMIT settings decide.
            time_limit=None,
            soft_time_limit=None,
        )


class RenderRecoveryStep(PeriodicAskStep):
    """`render_jobs_requeue_task` (render jobs and e-mails the broker lost) every RENDER_REQUEUE_INTERVAL seconds."""

    what = "Render recovery"

    def task(self):
        return render_jobs_requeue_task

    def interval(self) -> int:
        return settings.RENDER_REQUEUE_INTERVAL

    def queue(self) -> str | None:
        return settings.RENDER_QUEUE


current_app.steps["consumer"].add(RenderRecoveryStep)
