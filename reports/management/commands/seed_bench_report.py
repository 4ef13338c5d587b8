"""Bench data for `make bench`: an approved report over the seed project's whole period, its figures
frozen and a narrative in English and Russian. Prints its ids as JSON."""

import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from projects.models import Project
from reports.assembly import assemble
from reports.models import NarrativeSection, NarrativeVersion, Report

TITLE = "Bench report"
NARRATIVE = {
    "en": "The period saw the knowledge exchanges held, the draft concept discussed and its sections revised.\n\n" * 20,
    "ru": "В отчётном периоде проведены обмены опытом, обсуждён проект концепции и переработаны её разделы.\n\n" * 20,
}


class Command(BaseCommand):
    help = "Creates (once) the approved report that `make bench` measures, and prints its ids as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--project", default="concept-national-migration-policy-belarus")

    @transaction.atomic
    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError("Run seed_demo first: the bench report belongs to the seed project.")
        report = Report.objects.filter(project=project, title=TITLE).first() or self._create(project)
        self.stdout.write(json.dumps({"report": report.pk, "report_project": project.slug}))

    def _create(self, project):
        author = get_user_model().objects.get(username="counterpart")
        approver = get_user_model().objects.get(username="manager")
        report = Report.objects.create(
            project=project,
            kind=Report.Kind.CUSTOM,
            title=TITLE,
            period_start=project.start,
            period_end=project.end,
            due_date=project.end,
            state=Report.State.IN_PROGRESS,
        )
        versions = []
        for language, body in NARRATIVE.items():
            section = NarrativeSection.objects.create(report=report, language=language)
            version = NarrativeVersion.objects.create(section=section, number=1, body=body, author=author)
            section.head = version
            section.save(update_fields=["head"])
            versions.append(version)
        now = timezone.now()
        report.snapshot = assemble(report=report)
        report.state = Report.State.APPROVED
        report.submitted_by, report.submitted_at, report.approved_by, report.approved_at = author, now, approver, now
        report.save()
        report.frozen_versions.set(versions)
        return report
