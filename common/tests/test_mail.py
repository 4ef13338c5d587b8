"""E-mails are kept until sent: one asked for while the broker is down is sent once it is back."""

import datetime

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from common.mail import email_queue, email_requeue_unsent, email_send
from common.models import OutgoingEmail
from common.tasks import send_outgoing_email_task

pytestmark = pytest.mark.django_db


def test_an_email_asked_for_while_the_broker_is_down_is_kept_then_sent_by_the_recovery(
    settings, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(send_outgoing_email_task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            email_queue(recipients=["alena@example.org"], subject="A new comment", body="On section 2.")
    email = OutgoingEmail.objects.get()
    assert email.sent_at is None and email.queued_at is None and mailoutbox == []
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (eager: sent in-process)
    assert email_requeue_unsent() == 1
    assert [message.subject for message in mailoutbox] == ["A new comment"]
    assert mailoutbox[0].to == ["alena@example.org"]
    assert OutgoingEmail.objects.get().sent_at is not None
    assert email_requeue_unsent() == 0  # nothing twice


def test_an_email_is_sent_once_even_if_its_message_is_delivered_twice(mailoutbox):
    email = OutgoingEmail.objects.create(recipients=["a@example.org"], subject="Once", body="Body")
    assert email_send(email_id=email.pk) is True
    assert email_send(email_id=email.pk) is False
    assert len(mailoutbox) == 1


def test_a_message_the_broker_lost_is_queued_again_after_a_while(settings, mailoutbox):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    email = OutgoingEmail.objects.create(recipients=["a@example.org"], subject="Lost", body="Body",
                                         queued_at=timezone.now())  # fmt: skip
    assert email_requeue_unsent() == 0  # handed over a moment ago: the worker may still send it
    OutgoingEmail.objects.filter(pk=email.pk).update(queued_at=timezone.now() - datetime.timedelta(hours=1))
    assert email_requeue_unsent() == 1 and [m.subject for m in mailoutbox] == ["Lost"]
