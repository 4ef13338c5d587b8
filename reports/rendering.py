"""Printed reports: the PDF and Word file of a submitted or approved report, through the concepts' pipeline.

The document is a `concepts.rendering.documents.Document` with the editions' cover, contents and
page margins (`templates/concepts/pdf/_cover.html`, `_toc.html`, `page_css`, `project_facts`),
printed by the same `render_pdf` (WeasyPrint through the URL fetcher that serves only our own
static files) and `render_docx`. Its parts are the narrative submitted (in the printed language;
the other language's where that one was not written) and the figures frozen when the report was
submitted (`Report.snapshot`, shown through `reports.assembly.present`).

What a file shows depends on its reader: the documents they may open, the budget (with FINANCE)
and the wording of recommendations (with READ_DRAFTS). A job keeps that `audience` (the
capabilities that decide it), and a reader is only ever given files made for their own audience.

Jobs (ReportRenderJob) keep the guarantees of the editions' ones in small: one render per content
hash (a request for the same content returns the job that has, or is making, the file); a worker
claims a job with a conditional UPDATE, so a duplicate message renders nothing; the job is queued
with `transaction.on_commit`; `report_render_jobs_requeue` (Celery beat, every
REPORT_RENDER_REQUEUE_INTERVAL seconds) sends again the jobs the broker lost and puts back those
of dead workers.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.markdown import render_markdown
from concepts.rendering import documents
from concepts.rendering.render import render_docx, render_pdf
from projects.access import Capability

from . import assembly
from .job_models import ReportRenderJob
from .models import Report

logger = logging.getLogger("mpf.rendering")

TEMPLATE = "reports/pdf/document.html"
FIGURES_TEMPLATE = "reports/pdf/_figures.html"
# Bump when the templates or the way they are filled change, so that earlier files are not reused.
REPORT_FORMAT = 1
MAX_ATTEMPTS = 4
QUEUED_STALE_AFTER = datetime.timedelta(minutes=5)
RETRY_FAILED_AFTER = datetime.timedelta(minutes=10)
# The capabilities that change what a report's file shows (reports.assembly.present): documents by
# visibility, the budget, and the wording of recommendations.
AUDIENCE_CAPABILITIES = (
    Capability.VIEW,
    Capability.READ,
    Capability.TEAM_FILES,
    Capability.FINANCE,
    Capability.READ_DRAFTS,
)
UNAVAILABLE_MESSAGE = gettext_lazy(
    "Rendering is unavailable right now; your request is saved and will be processed when the service is back."
)

Kind = ReportRenderJob.Kind
Status = ReportRenderJob.Status


def audience_of(granted) -> str:
    return ",".join(sorted(str(capability) for capability in AUDIENCE_CAPABILITIES if capability in granted))


def _granted(audience: str) -> frozenset:
    return frozenset(Capability(name) for name in audience.split(",") if name)


# --- The document ---------------------------------------------------------------------------------


def _date(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "j E Y")


def _narrative_parts(report: Report, language: str) -> list[documents.Part]:
    """The narrative submitted in `language`; where none was written in it, the other languages' with a note."""
    versions = sorted(report.frozen_versions.select_related("section"), key=lambda version: version.section.language)
    printed = [version for version in versions if version.section.language == language and version.body.strip()]
    note = ""
    if not printed:
        printed = [version for version in versions if version.body.strip()]
        note = _("Not written in this language: the narrative as submitted follows") if printed else ""
    title = _("Narrative")
    if not printed:
        body = escape(_("No narrative was submitted with this report."))
        return [
            documents.Part(
                anchor="narrative",
                number="1",
                level=1,
                title=title,
                title_html=escape(title),
                body_html=f"<p>{body}</p>",
            )
        ]
    return [
        documents.Part(
            anchor=f"narrative-{version.section.language}",
            number="1" if index == 0 else f"1.{index}",
            level=1 if index == 0 else 2,
            title=title if index == 0 else version.section.get_language_display(),
            title_html=escape(title if index == 0 else version.section.get_language_display()),
            body_html=render_markdown(version.body),
            language=version.section.language,
            note=note,
        )
        for index, version in enumerate(printed)
    ]


FIGURE_PARTS = (
    ("activities", gettext_lazy("Activities held")),
    ("budget", gettext_lazy("Budget and spending")),
    ("results", gettext_lazy("Results: approved values")),
    ("recommendations", gettext_lazy("Recommendations and their dispositions")),
    ("editions", gettext_lazy("Editions frozen")),
    ("documents", gettext_lazy("Documents added")),
)


def _figure_parts(report: Report, granted) -> list[documents.Part]:
    figures = assembly.present(report.snapshot or assembly.assemble(report=report), granted=granted)
    parts = []
    for name, title in FIGURE_PARTS:
        if name == "budget" and figures["budget"] is None:
            continue  # readers without FINANCE get no budget, not an empty one
        number = str(len(parts) + 2)
        body = render_to_string(FIGURES_TEMPLATE, {"part": name, "figures": figures, "report": report})
        parts.append(
            documents.Part(
                anchor=f"figures-{name}",
                number=number,
                level=1,
                title=str(title),
                title_html=escape(title),
                body_html=body,
            )
        )
    return parts


def build_report_document(*, report: Report, language: str, audience: str, kind: str = Kind.PDF) -> documents.Document:
    """The printed report in `language` for readers of `audience`, with its HTML and content hash."""
    with translation.override(language):
        facts = documents.project_facts(report.project)
        parts = _narrative_parts(report, language) + _figure_parts(report, _granted(audience))
        approved = report.state == Report.State.APPROVED
        signed = (report.approved_at if approved else None) or report.submitted_at or report.updated_at
        document = documents.Document(
            kind=Kind.PDF,
            language=language,
            concept_title=report.localized("title"),
            label=_("%(kind)s: %(start)s – %(end)s")
            % {"kind": report.get_kind_display(), "start": _date(report.period_start), "end": _date(report.period_end)},
            date_text=(_("Approved on %(date)s") if approved else _("Submitted on %(date)s")) % {"date": _date(signed)},
            created=timezone.localtime(signed).date(),
            parts=parts,
            filename_stem=slugify(f"{report.project.slug} {report.title}")[:120].strip("-") or "report",
            draft_note="" if approved else _("Submitted for approval; not approved yet."),
            **facts,
        )
        context = {
            "doc": document,
            "report": report,
            "page_css": documents.page_css(draft=False),
            **documents.assets(),  # the stylesheet, the logo and the funder's emblem, as editions have them
        }
        document.html = render_to_string(TEMPLATE, context)
    digest = documents.content_hash(document.html, kind, language=language)
    document.content_hash = hashlib.sha256(f"report-{REPORT_FORMAT}-{digest}".encode()).hexdigest()
    return document


# --- Requesting -----------------------------------------------------------------------------------


def _reusable(report: Report, audience: str, content_hash: str) -> ReportRenderJob | None:
    """A job of the same audience only: readers are listed and given their own audience's files."""
    recent_failure = Q(status=Status.FAILED, finished_at__gte=timezone.now() - RETRY_FAILED_AFTER)
    return (
        ReportRenderJob.objects.filter(report=report, audience=audience, content_hash=content_hash)
        .filter(Q(status__in=[Status.QUEUED, Status.RUNNING, Status.DONE]) | recent_failure)
        .order_by("-requested_at", "-pk")
        .first()
    )


def report_render_request(*, report: Report, kind: str, language: str, granted, user) -> ReportRenderJob:
    """A job for the file: an existing one with the same content, or a new one handed to a worker.

    Access is the caller's business. The job carries `reused` and `queue_unavailable` for the caller.
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose PDF or Word.")})
    if not report.is_frozen:
        raise ValidationError(_("Only a submitted or approved report can be printed."))
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    audience = audience_of(granted)
    document = build_report_document(report=report, language=language, audience=audience, kind=kind)
    with transaction.atomic():
        Report.objects.select_for_update().filter(pk=report.pk).first()  # one request at a time per report
        existing = _reusable(report, audience, document.content_hash)
        if existing is not None:
            existing.reused, existing.queue_unavailable = True, False
            return existing
        job = ReportRenderJob(
            report=report,
            kind=kind,
            language=language,
            audience=audience,
            content_hash=document.content_hash,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            filename=document.filename("docx" if kind == Kind.DOCX else "pdf"),
        )
        job.full_clean()
        job.save()
        job.reused, job.queue_unavailable = False, False
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: ReportRenderJob) -> bool:
    """Hands the job to the broker; False (and the job left queued, queued_at empty) if it is down."""
    from concepts.rendering.services import BROKER_ERRORS

    from .tasks import send_report_render_task

    now = timezone.now()
    ReportRenderJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(queued_at=now)
    try:
        send_report_render_task(job.pk)
    except BROKER_ERRORS as error:
        logger.warning("Report render job %s could not be queued: %s", job.pk, error)
        ReportRenderJob.objects.filter(pk=job.pk, status=Status.QUEUED, queued_at=now).update(queued_at=None)
        job.queue_unavailable = True
        return False
    job.queue_unavailable = False
    return True


# --- Rendering ------------------------------------------------------------------------------------


def _running_stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.RENDER_TIME_LIMIT + 60)


def _claim(job_id: int) -> ReportRenderJob | None:
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - _running_stale_after())
    claimed = ReportRenderJob.objects.filter(claimable, pk=job_id).update(
        status=Status.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1, error=""
    )
    if not claimed:
        return None
    return ReportRenderJob.objects.select_related("report__project__instrument").get(pk=job_id)


def _finish(job: ReportRenderJob, status: str, **fields) -> ReportRenderJob:
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    ReportRenderJob.objects.filter(pk=job.pk, status=Status.RUNNING, started_at=job.started_at).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    return job


def report_render_job_run(*, job_id: int) -> ReportRenderJob | None:
    """Renders one job if it is there to claim; None when another run has it or it is finished.

    A file the report's content cannot be rendered to fails the job with words for the user; a
    database or storage error is raised for the task to retry (the job is put back first).
    """
    from concepts.rendering.services import TRANSIENT_ERRORS

    job = _claim(job_id)
    if job is None:
        return None
    if job.attempts > MAX_ATTEMPTS:
        return _finish(job, Status.FAILED, error=_("The render was interrupted too many times. Ask again."))
    try:
        document = build_report_document(report=job.report, language=job.language, audience=job.audience, kind=job.kind)
        if job.kind == Kind.DOCX:
            data, pages = render_docx(document), None
        else:
            data, pages = render_pdf(document.html)
        job.file.save(job.filename or document.filename(job.kind), ContentFile(data), save=False)
    except TRANSIENT_ERRORS:
        ReportRenderJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(status=Status.QUEUED)
        raise
    except Exception as error:  # noqa: BLE001 - whatever the renderer chokes on is a property of the content
        logger.exception("Report render job %s failed on its content", job.pk)
        message = _("The file could not be made (%(reason)s).") % {"reason": type(error).__name__}
        return _finish(job, Status.FAILED, error=message)
    return _finish(
        job,
        Status.DONE,
        file=job.file.name,
        file_size=len(data),
        page_count=pages,
        content_hash=document.content_hash,
    )


def report_render_jobs_requeue(*, now: datetime.datetime | None = None) -> int:
    """Sends again the jobs the broker never got or lost, and puts back those a dead worker left running."""
    now = now or timezone.now()
    ReportRenderJob.objects.filter(status=Status.RUNNING, started_at__lt=now - _running_stale_after()).update(
        status=Status.QUEUED, queued_at=None
    )
    stale = ReportRenderJob.objects.filter(status=Status.QUEUED).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - QUEUED_STALE_AFTER)
    )
    sent = 0
    for job in stale.order_by("requested_at", "pk"):
        if not enqueue(job):
            break  # the broker is down: the next run tries again
        sent += 1
    return sent
