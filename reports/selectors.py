"""Reads. Who reads what (projects/access.py): with REPORT (managers, drafters, staff) every report of
the project; with READ_REPORTS alone (donors, the Donors group) the approved ones only. A report the
reader may not read is not found (404), like another project's report id."""

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from projects.access import Capability
from projects.models import Project

from .models import NarrativeSection, NarrativeVersion, Report, ReportSchedule


def reports_for_project(*, project: Project) -> QuerySet[Report]:
    """The reports of `project` (already access-checked) its reader may read, by due date."""
    reports = Report.objects.filter(project=project)
    if Capability.REPORT not in project.capabilities:
        reports = reports.filter(state=Report.State.APPROVED)
    return reports.select_related("project").prefetch_related("responsible").order_by("due_date", "period_start", "pk")


def report_get(*, project: Project, report_id: int) -> Report:
    report = (
        reports_for_project(project=project)
        .select_related("submitted_by", "approved_by", "returned_by")
        .filter(pk=report_id)
        .first()
    )
    if report is None:
        raise Http404("No such report.")
    report.project = project  # keeps the caller's access annotations
    return report


def schedule_for_project(*, project: Project) -> ReportSchedule | None:
    return ReportSchedule.objects.filter(project=project).first()


def narratives_of(*, report: Report) -> dict[str, NarrativeVersion]:
    """The narrative to show per language: the versions submitted while the report is frozen, the
    newest ones while it is being written."""
    if report.is_frozen:
        versions = report.frozen_versions.select_related("section", "author")
    else:
        versions = NarrativeVersion.objects.filter(
            pk__in=NarrativeSection.objects.filter(report=report).values("head_id")
        ).select_related("section", "author")
    return {version.section.language: version for version in versions}


def narrative_history(*, report: Report) -> dict[str, list[NarrativeVersion]]:
    """Every saved version of the report's narrative per language, newest first."""
    sections = NarrativeSection.objects.filter(report=report).prefetch_related(
        Prefetch("versions", queryset=NarrativeVersion.objects.select_related("author").order_by("-number"))
    )
    return {section.language: list(section.versions.all()) for section in sections}
