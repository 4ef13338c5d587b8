"""Celery tasks of budgets: thin wrappers that take ids and call a service."""

from celery import shared_task
from django.conf import settings

from common.imports import import_job_run

from . import importing


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TIME_LIMIT,
)
def ledger_import_task(self, job_id: int) -> str | None:
    """Writes the ledger of an import job (a 20,000-row ledger takes minutes: never in a web request)."""
    job = import_job_run(job_id=job_id, work=importing.import_job_write, limit_memory=not self.request.is_eager)
    return job.status if job is not None else None
