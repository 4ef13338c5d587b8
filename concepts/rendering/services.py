"""Render jobs: requested by a user, rendered by a Celery worker, recovered when something breaks.

Guarantees, whatever fails:

- One render per content: a request whose content hash matches a job that is waiting, being
  rendered or done returns that job (and its file) at once; a job that failed for its content
  is returned too for a while (RETRY_FAILED_AFTER), so that a document that cannot be rendered
  is not rendered again and again.
- A job is rendered by one worker at a time: a worker claims it with a conditional UPDATE
  (queued → running, or running for longer than any live worker may run → running again).
  Duplicate messages (a re-sent job, a redelivery) find nothing to claim and do nothing.
- No job stays "queued" or "running" for ever: `render_jobs_requeue_stale` sends again the jobs
  the broker never got or lost, puts back the ones whose worker died (after the hard time limit
  plus a margin), and fails them after RENDER_MAX_ATTEMPTS. Workers run it when they connect to
  the broker and every RENDER_REQUEUE_INTERVAL seconds (see concepts/tasks.py); the command
  `manage.py requeue_renders` runs it too.
- A broker that is down does not lose a request: the job is saved as queued (queued_at empty)
  and the user is told it will be rendered when the service is back.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from kombu.exceptions import KombuError

from ..models import COMPARISON_KINDS, Concept, Edition, EditionEntry, RenderJob, SectionTranslation
from . import documents
from .render import RenderTimeout, deadline, render_docx, render_pdf
from .tracked import render_tracked_docx

logger = logging.getLogger("mpf.rendering")

RENDER_MAX_ATTEMPTS = 4  # the first run and three retries (the task's max_retries)
QUEUED_STALE_AFTER = datetime.timedelta(minutes=5)
RUNNING_MARGIN = datetime.timedelta(minutes=1)
RETRY_FAILED_AFTER = datetime.timedelta(minutes=10)

UNAVAILABLE_MESSAGE = gettext_lazy(
    "Rendering is unavailable right now; your request is saved and will be processed when the service is back."
)
# What cannot reach the broker: kombu's own errors (OperationalError...) and the socket's.
BROKER_ERRORS = (KombuError, OSError, ConnectionError)
# Worth trying again later: the database or the file storage failed, not the document.
TRANSIENT_ERRORS = (DatabaseError, OSError)

Kind = RenderJob.Kind
Layout = RenderJob.Layout
Status = RenderJob.Status


class RenderContentError(Exception):
    """The document itself cannot be rendered (in time): retrying would not help."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def running_stale_after() -> datetime.timedelta:
    """How long after its start a running job can no longer be running: the hard time limit has killed it."""
    return datetime.timedelta(seconds=settings.RENDER_TIME_LIMIT) + RUNNING_MARGIN


# --- Requesting -----------------------------------------------------------------------------------


def _validate(
    concept: Concept,
    kind: str,
    edition,
    other_edition,
    against_draft: bool,
    language: str | None = None,
    layout: str | None = None,
) -> tuple[str, str]:
    """Refuses a request that cannot be rendered; returns the language and layout to render (see
    `render_languages`)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose what to render.")})
    for chosen in (edition, other_edition):
        if chosen is not None and chosen.concept_id != concept.pk:
            raise ValidationError({"edition": _("Choose an edition of this concept.")})
    if kind == Kind.DRAFT:
        if edition is not None or other_edition is not None or against_draft:
            raise ValidationError(_("The current draft is rendered on its own."))
        if not concept.sections.filter(is_removed=False).exists():
            raise ValidationError(_("The concept has no sections to print yet."))
        return render_languages(concept=concept, kind=kind, edition=None, language=language, layout=layout)
    if edition is None:
        raise ValidationError({"edition": _("Choose the edition to render.")})
    if kind in COMPARISON_KINDS:
        if (other_edition is None) == (not against_draft):
            raise ValidationError({"other_edition": _("Choose one edition, or the current draft, to compare with.")})
        if other_edition is not None and other_edition.pk == edition.pk:
            raise ValidationError({"other_edition": _("Choose another edition to compare with.")})
    elif other_edition is not None or against_draft:
        raise ValidationError(_("Only a redline or a Word file with tracked changes compares two texts."))
    return render_languages(concept=concept, kind=kind, edition=edition, language=language, layout=layout)


def render_languages(
    *, concept: Concept, kind: str, edition: Edition | None, language: str | None, layout: str | None
) -> tuple[str, str]:
    """The language and layout of a render, as stored on its job: ("", "single") for the source alone.

    An unknown or unsupported language code, or layout, is not an error: it falls back to the
    source language, or to one language (documents.printed_languages). What cannot be printed is
    a ValidationError: a redline or a Word file with both languages, a redline of a translation,
    both languages without a translation, a translation the edition or draft has no text in.
    """
    language, layout = documents.printed_languages(concept, language, layout)
    translated = language != concept.language
    name = concept.language_name(language)
    if kind in COMPARISON_KINDS and (translated or layout != Layout.SINGLE):
        raise ValidationError({"language": _("Changes are marked in the source text (%(language)s) only.")
                               % {"language": concept.language_name(concept.language)}})  # fmt: skip
    if kind == Kind.DOCX and layout != Layout.SINGLE:
        raise ValidationError({"layout": _("A Word file holds one language: choose one, or ask for a PDF.")})
    if layout != Layout.SINGLE and not translated:
        if not concept.target_languages:
            raise ValidationError({"layout": _("This concept has no translation to print beside its source text.")})
        raise ValidationError({"language": _("Choose the translation to print with the source text.")})
    if translated:
        if edition is not None:
            has_text = EditionEntry.objects.filter(edition=edition, language=language).exists()
            message = _("This edition has no text in %(language)s: it was frozen before the concept was translated.")
        else:
            has_text = SectionTranslation.objects.filter(
                section__concept=concept, section__is_removed=False, language=language
            ).exists()
            message = _("No section has been translated into %(language)s yet.")
        if not has_text:
            raise ValidationError({"language": message % {"language": name}})
    return ("" if layout == Layout.SINGLE and not translated else language), layout


def _reusable(content_hash: str) -> RenderJob | None:
    """The job that already has, or is making, the file of this content."""
    recent_failure = Q(status=Status.FAILED, finished_at__gte=timezone.now() - RETRY_FAILED_AFTER)
    return (
        RenderJob.objects.filter(content_hash=content_hash)
        .filter(Q(status__in=[Status.QUEUED, Status.RUNNING, Status.DONE]) | recent_failure)
        .order_by("-requested_at", "-pk")
        .first()
    )


def render_job_request(
    *,
    kind: str,
    user,
    edition: Edition | None = None,
    other_edition: Edition | None = None,
    against_draft: bool = False,
    concept: Concept | None = None,
    language: str | None = None,
    layout: str | None = None,
) -> RenderJob:
    """A job for this render: an existing one with the same content, or a new one handed to a worker.

    `language` (default: the source's) and `layout` (default: one language): see `render_languages`.
    Access is the caller's business (see rendering.selectors). The job returned carries two
    attributes for the caller: `reused` (an earlier job was returned) and `queue_unavailable`
    (the broker could not be reached: the job is saved and will be sent by the recovery).
    """
    concept = concept or edition.concept
    language, layout = _validate(concept, kind, edition, other_edition, against_draft, language, layout)
    document = documents.build_document(
        concept=concept, kind=kind, edition=edition, other_edition=other_edition, against_draft=against_draft,
        language=language, layout=layout,
    )  # fmt: skip
    with transaction.atomic():
        Concept.objects.select_for_update().filter(pk=concept.pk).first()  # one request at a time per concept
        existing = _reusable(document.content_hash)
        if existing is not None:
            existing.reused, existing.queue_unavailable = True, False
            return existing
        job = RenderJob.objects.create(
            concept=concept,
            kind=kind,
            edition=edition,
            other_edition=other_edition,
            against_draft=against_draft,
            draft_versions=document.draft_versions,
            language=language,
            layout=layout,
            requested_by=user if getattr(user, "is_authenticated", False) else None,
            content_hash=document.content_hash,
            filename=document.filename("docx" if kind in (Kind.DOCX, Kind.TRACKED_DOCX) else "pdf"),
        )
        job.reused, job.queue_unavailable = False, False
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: RenderJob) -> bool:
    """Hands the job to the broker; False (and the job left queued, queued_at empty) if it is down."""
    from ..tasks import send_render_task

    now = timezone.now()
    RenderJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(queued_at=now)
    try:
        send_render_task(job.pk)
    except BROKER_ERRORS as error:
        logger.warning("Render job %s could not be queued: %s", job.pk, error)
        RenderJob.objects.filter(pk=job.pk, status=Status.QUEUED, queued_at=now).update(queued_at=None)
        job.queue_unavailable = True
        return False
    job.queued_at = now
    job.queue_unavailable = False
    return True


# --- Rendering ------------------------------------------------------------------------------------


def _claim(job_id: int) -> RenderJob | None:
    now = timezone.now()
    claimable = Q(status=Status.QUEUED) | Q(status=Status.RUNNING, started_at__lt=now - running_stale_after())
    claimed = (
        RenderJob.objects.filter(claimable, pk=job_id)
        .update(status=Status.RUNNING, started_at=now, finished_at=None, attempts=F("attempts") + 1, error="")
    )  # fmt: skip
    if not claimed:
        return None
    job = RenderJob.objects.select_related("concept__project__instrument", "edition", "other_edition").get(pk=job_id)
    return job


def _finish(job: RenderJob, status: str, **fields) -> RenderJob:
    fields = {"status": status, "finished_at": timezone.now(), **fields}
    RenderJob.objects.filter(pk=job.pk, status=Status.RUNNING, started_at=job.started_at).update(**fields)
    for name, value in fields.items():
        setattr(job, name, value)
    return job


def _release(job: RenderJob) -> None:
    """Back to queued so that the task's retry can claim it again (best effort: the database may be down)."""
    try:
        RenderJob.objects.filter(pk=job.pk, status=Status.RUNNING, started_at=job.started_at).update(
            status=Status.QUEUED, queued_at=timezone.now()
        )
    except DatabaseError:
        logger.warning("Render job %s could not be released; the recovery will put it back.", job.pk)


def _render(job: RenderJob, time_limit: float | None) -> tuple[documents.Document, bytes, int | None]:
    document = documents.document_for_job(job)
    try:
        with deadline(time_limit):
            if job.kind == Kind.DOCX:
                return document, render_docx(document), None
            if job.kind == Kind.TRACKED_DOCX:
                return document, render_tracked_docx(document), None
            data, pages = render_pdf(document.html)
            return document, data, pages
    except (SoftTimeLimitExceeded, RenderTimeout):
        raise RenderContentError(
            _("The document took too long to render. Split very long sections or very large tables, "
              "then ask again.")
        ) from None  # fmt: skip
    except MemoryError:
        raise RenderContentError(_("The document is too large to render.")) from None
    except TRANSIENT_ERRORS:
        raise
    except Exception as error:  # noqa: BLE001 - whatever the renderer chokes on is a property of the content
        logger.exception("Render job %s failed on its content", job.pk)
        raise RenderContentError(
            _("The document could not be rendered (%(reason)s). Check the sections for unusual content, "
              "then ask again.") % {"reason": type(error).__name__}
        ) from error  # fmt: skip


def render_job_run(*, job_id: int, time_limit: float | None = None, final_attempt: bool = False) -> RenderJob | None:
    """Renders one job, if it is there to claim; None when another run has it or it is finished.

    A document that cannot be rendered (or not within the time limit) fails the job with words
    for the user. A transient error (database, file storage) puts the job back and is raised,
    for the task to retry it; on the `final_attempt` it fails the job instead.
    """
    job = _claim(job_id)
    if job is None:
        return None
    if job.attempts > RENDER_MAX_ATTEMPTS:
        return _finish(job, Status.FAILED, error=str(_interrupted_message()))
    try:
        try:
            document, data, pages = _render(job, time_limit)
        except RenderContentError as error:
            return _finish(job, Status.FAILED, error=error.message)
        if job.file:
            job.file.delete(save=False)
        job.file.save(job.filename or document.filename("pdf"), ContentFile(data), save=False)
        return _finish(
            job, Status.DONE, file=job.file.name, file_size=len(data), page_count=pages,
            content_hash=document.content_hash,
        )  # fmt: skip
    except SoftTimeLimitExceeded:
        return _finish(job, Status.FAILED, error=_("The document took too long to render."))
    except TRANSIENT_ERRORS:
        if final_attempt:
            try:
                return _finish(job, Status.FAILED, error=_("A temporary problem stopped the render. Ask again later."))
            except DatabaseError:
                pass
        _release(job)
        raise


def _interrupted_message() -> str:
    return _("The render was interrupted too many times. Ask again; if it fails again, the document may be too large.")


# --- Recovery -------------------------------------------------------------------------------------


@dataclass
class RequeueResult:
    sent: int = 0  # queued jobs handed (again) to the broker
    restarted: int = 0  # running jobs whose worker died, put back in the queue
    failed: int = 0  # jobs given up after too many attempts
    broker_down: bool = False


def render_jobs_requeue_stale(
    *, queued_after: datetime.timedelta | None = None, running_after: datetime.timedelta | None = None
) -> RequeueResult:
    """Puts back the jobs a dead worker left running, and sends again the ones the broker never got or lost."""
    now = timezone.now()
    queued_after = QUEUED_STALE_AFTER if queued_after is None else queued_after
    running_after = running_stale_after() if running_after is None else running_after
    result = RequeueResult()
    for job in RenderJob.objects.filter(status=Status.RUNNING, started_at__lt=now - running_after):
        same_run = RenderJob.objects.filter(pk=job.pk, status=Status.RUNNING, started_at=job.started_at)
        if job.attempts >= RENDER_MAX_ATTEMPTS:
            result.failed += same_run.update(status=Status.FAILED, finished_at=now, error=str(_interrupted_message()))
        else:
            result.restarted += same_run.update(status=Status.QUEUED, queued_at=None)
    stale = RenderJob.objects.filter(status=Status.QUEUED).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - queued_after)
    )
    for job in stale.order_by("requested_at", "pk"):
        if not enqueue(job):
            result.broker_down = True
            break  # the broker is down: the next run tries again
        result.sent += 1
    if result.sent or result.restarted or result.failed:
        logger.info("Render recovery: %s", result)
    return result
