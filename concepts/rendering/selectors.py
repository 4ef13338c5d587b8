"""Who may see, request and download which render.

Everyone who may read a concept's drafts (its managers, drafters and reviewers, and staff) sees
and downloads all of its renders; those who may also draft (managers, drafters, staff) request
any of them. Everyone else who can see a published concept (donors, visitors) sees, requests
and downloads only the PDF of its final edition. An edition one may not see is a 404; a render
one may not ask for, of a concept one can read, is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from projects.access import Capability

from ..models import Concept, Edition, RenderJob

RECENT_JOBS = 8


def may_read_all_renders(concept: Concept) -> bool:
    return Capability.READ_DRAFTS in concept.capabilities


def may_request_any_render(concept: Concept) -> bool:
    return Capability.DRAFT in concept.capabilities


def is_public_render(*, kind: str, edition: Edition | None) -> bool:
    """The published concept's final edition as PDF: the one render everyone may have."""
    return kind == RenderJob.Kind.PDF and edition is not None and edition.is_final


def visible_editions(concept: Concept) -> QuerySet[Edition]:
    editions = Edition.objects.filter(concept=concept).order_by("date", "pk")
    return editions if may_read_all_renders(concept) else editions.filter(is_final=True)


def edition_for_render(concept: Concept, edition_id) -> Edition | None:
    """The edition named in a request, or None when none is named; 404 when the user may not see it."""
    if edition_id in (None, ""):
        return None
    try:
        edition_id = int(edition_id)
    except (TypeError, ValueError):
        raise Http404("No such edition.") from None
    edition = visible_editions(concept).filter(pk=edition_id).first()
    if edition is None:
        raise Http404("No such edition.")
    return edition


def check_may_request(concept: Concept, *, kind: str, edition: Edition | None) -> None:
    """403 for a render this user may not ask for (the concept and editions are already visible to them)."""
    if may_request_any_render(concept):
        return
    if is_public_render(kind=kind, edition=edition) and concept.status == Concept.Status.PUBLISHED:
        return
    raise PermissionDenied


def render_jobs_for(concept: Concept, *, edition: Edition | None = None) -> list[RenderJob]:
    """The latest renders of the concept (of one edition, when given) that the user may see.

    Their editions are read by a second query, and only when a render names one: the join of both
    editions cost Django about 0.5 ms more to compile on every request, most often for no render."""
    jobs = RenderJob.objects.filter(concept=concept).prefetch_related("edition", "other_edition")
    if edition is not None:
        jobs = jobs.filter(edition=edition)
    if not may_read_all_renders(concept):
        jobs = jobs.filter(kind=RenderJob.Kind.PDF, edition__is_final=True)
    return list(jobs.order_by("-requested_at", "-pk")[:RECENT_JOBS])


def render_job_get(concept: Concept, job_id: int) -> RenderJob:
    """A render of the concept that the user may see, or 404."""
    job = RenderJob.objects.select_related("edition", "other_edition").filter(concept=concept, pk=job_id).first()
    if job is None:
        raise Http404("No such render.")
    if not may_read_all_renders(concept) and not is_public_render(kind=job.kind, edition=job.edition):
        raise Http404("No such render.")
    return job


def latest_edition_pdf(
    concept: Concept, edition: Edition, *, language: str = "", layout: str = RenderJob.Layout.SINGLE
) -> RenderJob | None:
    """The edition's latest finished PDF in `language` ("": the source's) and `layout`, as stored on jobs."""
    return (
        RenderJob.objects.filter(concept=concept, edition=edition, kind=RenderJob.Kind.PDF)
        .filter(language=language, layout=layout, status=RenderJob.Status.DONE)
        .exclude(file="")
        .order_by("-finished_at", "-pk")
        .first()
    )
