import datetime

import factory

from projects.tests.factories import ProjectFactory
from reports.assembly import assemble
from reports.models import NarrativeSection, NarrativeVersion, Report


class ReportFactory(factory.django.DjangoModelFactory[Report]):
    """A report of the first half of the factory projects' year (2025)."""

    class Meta:
        model = Report

    project = factory.SubFactory(ProjectFactory)
    kind = Report.Kind.INTERIM
    title = factory.Sequence(lambda n: f"Interim report {n}")
    period_start = datetime.date(2025, 1, 1)
    period_end = datetime.date(2025, 6, 30)
    due_date = datetime.date(2025, 7, 31)
    state = Report.State.IN_PROGRESS


def write_narrative(report: Report, body: str, *, language: str = "en", author=None) -> NarrativeVersion:
    section, _ = NarrativeSection.objects.get_or_create(report=report, language=language)
    head = section.head
    version = NarrativeVersion.objects.create(
        section=section, number=(head.number if head else 0) + 1, body=body, author=author, based_on=head
    )
    section.head = version
    section.save()
    return version


def frozen_report(project, *, state: str = Report.State.SUBMITTED, submitted_by=None, **fields) -> Report:
    """A report submitted (or approved) the way the service freezes one: figures and narrative kept."""
    report = ReportFactory(project=project, **fields)
    version = write_narrative(report, "What the period brought.", author=submitted_by)
    report.snapshot = assemble(report=report)
    report.state = state
    report.submitted_by = submitted_by
    report.save()
    report.frozen_versions.set([version])
    return report
