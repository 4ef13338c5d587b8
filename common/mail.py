"""E-mails kept in the database until sent: one that is asked for while the broker is down is
queued again by the workers' recovery (`email_requeue_unsent`) once it is back."""

import datetime
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .imports import BROKER_ERRORS
from .models import OutgoingEmail

logger = logging.getLogger("mpf.mail")

QUEUED_STALE_AFTER = datetime.timedelta(minutes=10)  # a message the broker lost is sent again after this


def _enqueue(email_id: int) -> bool:
    from .tasks import send_outgoing_email_task

    try:
        send_outgoing_email_task.apply_async(args=[email_id], retry=False)
    except BROKER_ERRORS as error:
        logger.warning("E-mail %s could not be queued (%s); it is kept and sent when the broker is back.",
                       email_id, error)  # fmt: skip
        return False
    OutgoingEmail.objects.filter(pk=email_id, sent_at=None).update(queued_at=timezone.now())
    return True


def email_queue(*, recipients: list[str], subject: str, body: str) -> OutgoingEmail:
    """Keeps the e-mail with the current transaction and hands it to the broker once that commits."""
    email = OutgoingEmail.objects.create(recipients=recipients, subject=subject, body=body)
    transaction.on_commit(lambda: _enqueue(email.pk))
    return email


def email_send(*, email_id: int) -> bool:
    """Sends the e-mail if nobody has yet; False if it was sent already or is gone."""
    email = OutgoingEmail.objects.filter(pk=email_id, sent_at=None).first()
    if email is None:
        return False
    send_mail(email.subject, email.body, None, email.recipients)
    OutgoingEmail.objects.filter(pk=email_id).update(sent_at=timezone.now())
    return True


def email_requeue_unsent(*, now: datetime.datetime | None = None) -> int:
    """Queues again the e-mails never handed to the broker, or handed over long ago and not sent."""
    now = now or timezone.now()
    unsent = OutgoingEmail.objects.filter(sent_at=None, queued_at__isnull=True) | OutgoingEmail.objects.filter(
        sent_at=None, queued_at__lt=now - QUEUED_STALE_AFTER
    )
    return sum(_enqueue(email_id) for email_id in unsent.order_by("pk").values_list("pk", flat=True))
