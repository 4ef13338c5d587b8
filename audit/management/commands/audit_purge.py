"""Deletes audit entries older than the retention period (AUDIT_RETENTION_DAYS; 0 keeps them all)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from audit.services import audit_purge


class Command(BaseCommand):
    help = "Deletes audit entries older than AUDIT_RETENTION_DAYS days (0: keeps every entry)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.AUDIT_RETENTION_DAYS,
            help="delete entries older than this many days (default AUDIT_RETENTION_DAYS; 0: delete none)",
        )

    def handle(self, *args, **options):
        if options["days"] <= 0:
            self.stdout.write("Retention is 0 days: every audit entry is kept.")
            return
        deleted = audit_purge(days=options["days"])
        self.stdout.write(f"Deleted {deleted} audit entries older than {options['days']} days.")
