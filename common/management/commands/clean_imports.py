"""Deletes imports never confirmed and abandoned uploads (workers also do it every IMPORT_CLEANUP_INTERVAL)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand

from common.imports import import_uploads_clean


class Command(BaseCommand):
    help = "Deletes import uploads and their jobs that were never confirmed, once older than a day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours",
            type=float,
            default=settings.IMPORT_UPLOAD_MAX_AGE_HOURS,
            help="delete what is older than this (hours; default IMPORT_UPLOAD_MAX_AGE_HOURS)",
        )

    def handle(self, *args, **options):
        result = import_uploads_clean(older_than=datetime.timedelta(hours=options["hours"]))
        self.stdout.write(
            f"Deleted {result.jobs} unconfirmed import job(s) and {result.files} abandoned upload(s); "
            f"{result.interrupted} interrupted job(s) marked failed."
        )
