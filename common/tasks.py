import logging
from dataclasses import asdict

from celery import bootsteps, current_app, shared_task
from django.conf import settings
from django.core.mail import send_mail

from .imports import BROKER_ERRORS, import_uploads_clean

logger = logging.getLogger("mpf.tasks")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=30,
             time_limit=60)  # fmt: skip
def send_email_task(*, recipients: list[str], subject: str, body: str) -> int:
    """Sends one plain-text e-mail (messages queued before e-mails were kept in the database)."""
    return send_mail(subject, body, None, recipients)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5, soft_time_limit=30,
             time_limit=60)  # fmt: skip
def send_outgoing_email_task(email_id: int) -> bool:
    """Sends a kept e-mail once; retried with backoff while the mail server is unreachable."""
    from .mail import email_send

    return email_send(email_id=email_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=120, time_limit=180)
def import_uploads_clean_task() -> dict:
    """Deletes imports never confirmed and abandoned uploads older than IMPORT_UPLOAD_MAX_AGE_HOURS."""
    return asdict(import_uploads_clean())


class PeriodicAskStep(bootsteps.StartStopStep):
    """Beat-less schedule: each worker asks for `task` whenever it connects to the broker (at start
    and after an outage) and every `interval()` seconds (0: only at start). The work is idempotent,
    so several workers asking is harmless.

    Only a message is sent from the worker's main process; the work itself runs in a pool process
    like any task, so the main process never opens a database connection that its forked children
    would share. Subclasses name the task, the interval and the queue.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}
    what = "Periodic work"

    def task(self):
        raise NotImplementedError

    def interval(self) -> int:
        raise NotImplementedError

    def queue(self) -> str | None:
        return None

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.entry = None

    def start(self, consumer):
        self.ask()
        if self.interval() > 0:
            self.entry = consumer.timer.call_repeatedly(self.interval(), self.ask)

    def stop(self, consumer):
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None

    shutdown = stop

    def ask(self):
        try:
            self.task().apply_async(queue=self.queue(), retry=False)
        except BROKER_ERRORS as error:
            logger.warning("%s could not be queued: %s", self.what, error)


class ImportCleanupStep(PeriodicAskStep):
    """`import_uploads_clean_task` every IMPORT_CLEANUP_INTERVAL seconds."""

    what = "Import cleanup"

    def task(self):
        return import_uploads_clean_task

    def interval(self) -> int:
        return settings.IMPORT_CLEANUP_INTERVAL


current_app.steps["consumer"].add(ImportCleanupStep)
