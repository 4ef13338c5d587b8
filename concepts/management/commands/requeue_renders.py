"""Recovers render jobs (sends again those the broker never got or lost, puts back those of dead workers)
and the e-mails waiting for the broker.

Workers do this by themselves when they connect to the broker and every RENDER_REQUEUE_INTERVAL
seconds; this command is for cron, or for after an outage.
"""

import datetime

from django.core.management.base import BaseCommand

from common.mail import email_requeue_unsent
from concepts.rendering.services import QUEUED_STALE_AFTER, render_jobs_requeue_stale


class Command(BaseCommand):
    help = "Re-queues render jobs that waited too long or whose worker died."

    def add_arguments(self, parser):
        parser.add_argument(
            "--queued-minutes",
            type=float,
            default=QUEUED_STALE_AFTER.total_seconds() / 60,
            help="send again jobs queued longer ago than this (minutes)",
        )

    def handle(self, *args, **options):
        result = render_jobs_requeue_stale(queued_after=datetime.timedelta(minutes=options["queued_minutes"]))
        emails = email_requeue_unsent()
        self.stdout.write(
            f"Sent {result.sent}, put back {result.restarted}, failed {result.failed} render job(s); "
            f"queued {emails} waiting e-mail(s)."
            + (" The broker is down: try again later." if result.broker_down else "")
        )
        if result.broker_down:
            raise SystemExit(1)
