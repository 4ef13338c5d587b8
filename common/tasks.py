from celery import shared_task
from django.core.mail import send_mail


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
