"""Asking for the PDF or Word file of a submitted or approved report, watching it being made, downloading it.

Whoever may read the report (reports.selectors: members with REPORT, donors once it is approved) may
ask for its file and download it; a report still being written is printed by nobody (403). Each
reader is shown, and given, only files made for their own audience (reports.rendering).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import Kind as AuditKind
from audit.services import record
from projects.access import Capability
from projects.selectors import project_get_for_user

from . import rendering, selectors
from .job_models import ReportRenderJob
from .models import Report

CONTENT_TYPES = {
    ReportRenderJob.Kind.PDF: "application/pdf",
    ReportRenderJob.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RECENT_JOBS = 6


def _report(request, slug, report_id) -> Report:
    project = project_get_for_user(user=request.user, slug=slug, need=Capability.READ_REPORTS)
    return selectors.report_get(project=project, report_id=report_id)


def _jobs(report: Report) -> list[ReportRenderJob]:
    audience = rendering.audience_of(report.project.capabilities)
    jobs = ReportRenderJob.objects.filter(report=report, audience=audience).order_by("-requested_at", "-pk")
    return list(jobs[:RECENT_JOBS])


def files_context(report: Report, *, notice: str = "") -> dict:
    """What templates/reports/_files.html needs (the report page includes it too)."""
    jobs = _jobs(report) if report.is_frozen else []
    return {
        "report": report,
        "file_jobs": jobs,
        "any_active": any(job.is_active for job in jobs),
        "poll_url": reverse("report_files:list", kwargs={"slug": report.project.slug, "report_id": report.pk}),
        "notice": notice,
        "file_languages": [(code, translation.get_language_info(code)["name_local"]) for code in ("en", "ru")],
    }


def _notice(job: ReportRenderJob) -> str:
    if job.queue_unavailable:
        return str(rendering.UNAVAILABLE_MESSAGE)
    if job.status == ReportRenderJob.Status.DONE:
        return _("The file is ready: download it from the list of files.")
    if job.status == ReportRenderJob.Status.FAILED:
        return job.error or _("The file could not be made.")
    return _("The file is being prepared. It appears in the list of files when it is ready.")


@login_required
@require_POST
def file_request(request, slug, report_id):
    """POST `kind` (pdf or docx) and `language` (en or ru; default: the page's)."""
    report = _report(request, slug, report_id)
    if not report.is_frozen:
        raise PermissionDenied
    try:
        job = rendering.report_render_request(
            report=report,
            kind=request.POST.get("kind", ""),
            language=request.POST.get("language") or translation.get_language(),
            granted=report.project.capabilities,
            user=request.user,
        )
    except ValidationError as error:
        notice = " ".join(error.messages)
    else:
        if not job.reused:
            details = {"kind": job.kind, "report": report.pk, "language": job.language}
            record(kind=AuditKind.RENDER_REQUESTED, target=job, project_id=report.project_id, details=details)
        job.refresh_from_db(fields=["status", "error", "queued_at"])  # rendered already when Celery runs in-process
        notice = _notice(job)
    if request.htmx:
        return render(request, "reports/_file_list.html", files_context(report, notice=notice))
    messages.info(request, notice)
    return redirect(reverse("reports:detail", kwargs={"slug": slug, "report_id": report.pk}) + "#files")


@login_required
@require_GET
def file_list(request, slug, report_id):
    """The list of files (htmx fragment): polled every 2 s while one is waiting or being made."""
    report = _report(request, slug, report_id)
    response = render(request, "reports/_file_list.html", files_context(report))
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_GET
def file_download(request, slug, report_id, job_id):
    """The file, as an attachment, to a reader of the report for whose audience it was made."""
    report = _report(request, slug, report_id)
    audience = rendering.audience_of(report.project.capabilities)
    job = ReportRenderJob.objects.filter(report=report, pk=job_id, audience=audience).first()
    if job is None or job.status != ReportRenderJob.Status.DONE or not job.file:
        raise Http404("No such file.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename or f"report-{report.pk}.{job.kind}",
        content_type=CONTENT_TYPES[job.kind],
    )
    patch_cache_control(response, private=True, no_cache=True)
    details = {"kind": job.kind, "report": report.pk}
    record(kind=AuditKind.FILE_DOWNLOADED, target=job, project_id=report.project_id, details=details)
    return response
