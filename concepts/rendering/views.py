"""Asking for a printed file, watching it being made, and downloading it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import Kind as AuditKind
from audit.services import record

from .. import selectors as concept_selectors
from ..models import COMPARISON_KINDS, RenderJob
from . import selectors, services

CONTENT_TYPES = {
    RenderJob.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    RenderJob.Kind.TRACKED_DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def jobs_context(concept, edition=None, *, notice: str = "", jobs=None) -> dict:
    """The list of printable files; `jobs` when the caller knows them already (none ever asked for: [])."""
    if jobs is None:
        jobs = selectors.render_jobs_for(concept, edition=edition)
    poll_url = reverse("concepts:renders", kwargs={"concept_id": concept.pk})
    if edition is not None:
        poll_url += f"?edition={edition.pk}"
    return {
        "concept": concept,
        "jobs": jobs,
        "any_active": any(job.is_active for job in jobs),
        "poll_url": poll_url,
        "scope": f"edition-{edition.pk}" if edition is not None else "concept",
        "notice": notice,
    }


def _notice(job: RenderJob) -> tuple[int, str]:
    if job.queue_unavailable:
        return messages.WARNING, str(services.UNAVAILABLE_MESSAGE)
    if job.status == RenderJob.Status.DONE:
        return messages.SUCCESS, _("The file is ready: download it from the list of files.")
    if job.status == RenderJob.Status.FAILED:
        return messages.ERROR, job.error or _("The file could not be made.")
    return messages.INFO, _("The file is being prepared. It appears in the list of files when it is ready.")


@require_POST
def render_request(request, concept_id, edition_id=None):
    """Asks for a file: of the current draft (no edition), or of an edition (PDF, Word, redline).

    POST `kind`; for a redline, `against`: another edition's id or "draft"; `language` (default: the
    source's; an unknown code is the source's too) and `layout` (one language, or both).
    """
    concept = concept_get(request, concept_id)
    edition = selectors.edition_for_render(concept, edition_id)
    kind = request.POST.get("kind", "")
    against = request.POST.get("against", "")
    against_draft = kind in COMPARISON_KINDS and against == "draft"
    other_edition = None
    if kind in COMPARISON_KINDS and not against_draft:
        other_edition = selectors.edition_for_render(concept, against)
    selectors.check_may_request(concept, kind=kind, edition=edition)
    level, notice = messages.ERROR, ""
    public = not selectors.may_request_any_render(concept)
    try:
        language, layout = services.render_languages(
            concept=concept, kind=kind, edition=edition, language=request.POST.get("language"),
            layout=request.POST.get("layout"),
        )  # fmt: skip
        # The public's request for a PDF made before is answered without building the document again.
        existing = None
        if public and edition is not None:
            existing = selectors.latest_edition_pdf(concept, edition, language=language, layout=layout)
        if existing is not None:
            job = existing
            job.reused, job.queue_unavailable = True, False
        else:
            job = services.render_job_request(
                concept=concept, kind=kind, edition=edition, other_edition=other_edition,
                against_draft=against_draft, user=request.user, language=language, layout=layout,
            )  # fmt: skip
    except ValidationError as error:
        notice = " ".join(error.messages)
    else:
        if not job.reused:  # a visitor handed the published PDF made before asked for nothing new: not recorded
            details = {"kind": kind, "edition": edition.pk if edition else None}
            record(kind=AuditKind.RENDER_REQUESTED, target=job, project_id=concept.project_id, details=details)
        job.refresh_from_db(fields=["status", "error", "queued_at"])  # rendered already, when Celery runs in-process
        level, notice = _notice(job)
    if request.htmx:
        return render(request, "concepts/_render_jobs.html", jobs_context(concept, edition, notice=notice))
    messages.add_message(request, level, notice)
    if edition is not None:
        return redirect(reverse("concepts:edition", args=[concept.pk, edition.pk]) + "#renders")
    return redirect(reverse("concepts:detail", args=[concept.pk]) + "#renders")


@require_GET
def render_jobs(request, concept_id):
    """The list of files (htmx fragment): polled every 2 s while one is waiting or being made."""
    concept = concept_get(request, concept_id)
    edition = selectors.edition_for_render(concept, request.GET.get("edition"))
    response = render(request, "concepts/_render_jobs.html", jobs_context(concept, edition))
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def render_download(request, concept_id, job_id):
    """The file, as an attachment, after the same access checks as the text it prints."""
    concept = concept_get(request, concept_id)
    job = selectors.render_job_get(concept, job_id)
    if job.status != RenderJob.Status.DONE or not job.file:
        raise Http404("The file is not ready.")
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=job.filename or f"concept-{concept.pk}-{job.pk}.pdf",
        content_type=CONTENT_TYPES.get(job.kind, "application/pdf"),
    )
    patch_cache_control(response, private=True, no_cache=True)
    if not _public_file(concept, job):
        details = {"kind": job.kind, "edition": job.edition_id, "concept": concept.pk}
        record(kind=AuditKind.FILE_DOWNLOADED, target=job, project_id=concept.project_id, details=details)
    return response


def _public_file(concept, job) -> bool:
    """The published final edition's PDF, which anyone may have: its downloads need no record."""
    published = concept.status == concept.Status.PUBLISHED and job.edition_id is not None and job.edition.is_final
    return published and job.kind == RenderJob.Kind.PDF


@require_GET
def edition_pdf(request, concept_id, edition_id):
    """The latest PDF of an edition, at an address that stays the same (linked from the IATI file).

    `?language=`: in that language alone (an unknown code: the source language).
    """
    concept = concept_get(request, concept_id)
    edition = selectors.edition_for_render(concept, edition_id)
    language = concept.language_or_source(request.GET.get("language"))
    job = selectors.latest_edition_pdf(concept, edition, language="" if language == concept.language else language)
    if job is None:
        raise Http404("This edition has no PDF yet.")
    return render_download(request, concept_id, job.pk)


def concept_get(request, concept_id):
    return concept_selectors.concept_get_for_user(user=request.user, concept_id=concept_id)
