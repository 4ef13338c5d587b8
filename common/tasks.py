import logging
from dataclasses import asdict

from celery import bootsteps, current_app, shared_task
from django.conf import settings
from django.core.mail import send_mail

from .imports import BROKER_ERRORS, import_uploads_clean

logger = logging.getLogger("mpf.imports")


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


class ImportCleanupStep(bootsteps.StartStopStep):
    """Beat-less schedule, as for the render recovery (concepts/tasks.py): each worker asks for
    `import_uploads_clean_task` when it connects to the broker and every IMPORT_CLEANUP_INTERVAL
    seconds. The cleanup is idempotent, so several workers asking is harmless."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.entry = None

    def start(self, consumer):
        self.ask()
        if settings.IMPORT_CLEANUP_INTERVAL > 0:
            self.entry = consumer.timer.call_repeatedly(settings.IMPORT_CLEANUP_INTERVAL, self.ask)

    def stop(self, consumer):
        if self.entry is not None:
            self.entry.cancel()
            self.entry = None

    shutdown = stop

    @staticmethod
    def ask():
        try:
            import_uploads_clean_task.apply_async(retry=False)
        except BROKER_ERRORS as error:
            logger.warning("Import cleanup could not be queued: %s", error)


current_app.steps["consumer"].add(ImportCleanupStep)
