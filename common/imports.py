"""Imports from uploaded files as background jobs: started in the request, run by a Celery task.

Reading a Word file or writing a 20,000-row ledger can take minutes of CPU and hundreds of
megabytes; done inside a web request, three of them at once stalled every web worker. So the
request only checks what is cheap to check (sizes in a zip's central directory, see `check_zip`)
and stores the file; an `ImportJob` row records the rest:

- `import_job_start` stores the upload, writes the job (queued) and hands its id to a Celery task
  after the commit. A user has at most one job queued or running (`ImportBusy` names it; a unique
  constraint holds it in the database too).
- The task calls `import_job_run` with the work to do: the job is claimed (queued → running), the
  work reports its progress (`Progress`), and its answer (JSON) is stored on the job (done), or
  what stopped it is (failed, with words for the user). In a worker the work runs under the task's
  time limits (IMPORT_SOFT_TIME_LIMIT / IMPORT_TIME_LIMIT) and an address-space limit
  (IMPORT_MEMORY_LIMIT_MB more than the process had).
- The upload is deleted once the task has read it: the job's result holds what the next step needs.
  The page polls the job (htmx) and continues from that result; `import_job_close` marks it confirmed.
- `import_uploads_clean` deletes what was never confirmed after IMPORT_UPLOAD_MAX_AGE_HOURS:
  job rows and their uploads, and uploads that waited in a session (common.tabular) and were
  abandoned. Each worker runs it every IMPORT_CLEANUP_INTERVAL seconds (common/tasks.py), and
  `manage.py clean_imports` runs it too.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from kombu.exceptions import KombuError

from audit.models import Kind as AuditKind
from audit.services import current_user, record

from .models import ImportJob
from .tabular import IMPORTS_DIR

try:
    import resource
except ImportError:  # not on Linux or macOS: no address-space limit
    resource = None

logger = logging.getLogger("mpf.imports")

Status = ImportJob.Status
QUEUED_STALE_AFTER = datetime.timedelta(minutes=30)
RUNNING_MARGIN = datetime.timedelta(minutes=1)
BROKER_ERRORS = (KombuError, OSError, ConnectionError)
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
MB = 1024 * 1024


class ImportRefused(Exception):
    """The file cannot be imported (too large, damaged…): `message` says why, in the user's words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ImportBusy(Exception):
    """The user already has an import queued or running: `job`."""

    def __init__(self, job: ImportJob):
        super().__init__(f"Import job {job.pk} is still running.")
        self.job = job


# Cheap checks in the request --------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    max_parts: int
    max_part_bytes: int
    max_total_bytes: int
    max_ratio: int

    @classmethod
    def for_documents(cls) -> ZipLimits:
        return cls(
            max_parts=settings.IMPORT_DOCX_MAX_PARTS,
            max_part_bytes=settings.IMPORT_DOCX_MAX_PART_MB * MB,
            max_total_bytes=settings.IMPORT_DOCX_MAX_UNZIPPED_MB * MB,
            max_ratio=settings.IMPORT_DOCX_MAX_RATIO,
        )


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f}"


def check_zip(file, *, limits: ZipLimits) -> None:
    """Refuses (ValidationError) a zip file (.docx, .xlsx) whose parts would unpack to too much.

    Reads only the central directory: no part is unpacked. A file that is not a zip is left to the
    reader, which says it is damaged.
    """
    try:
        file.seek(0)
        infos = zipfile.ZipFile(file).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    finally:
        file.seek(0)
    if len(infos) > limits.max_parts:
        raise ValidationError(
            _(
                "The file holds %(count)s parts; at most %(limit)s can be read. Save it again as a new file and "
                "upload that."
            )
            % {"count": f"{len(infos):,}", "limit": f"{limits.max_parts:,}"},
            code="zip_parts",
        )
    for info in infos:
        if info.file_size > limits.max_part_bytes:
            raise ValidationError(
                _(
                    "The part %(part)s of the file unpacks to %(size)s MB; at most %(limit)s MB can be read. Split "
                    "the document into smaller files."
                )
                % {"part": info.filename, "size": _megabytes(info.file_size), "limit": limits.max_part_bytes // MB},
                code="zip_part_size",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MB and ratio > limits.max_ratio:
            raise ValidationError(
                _(
                    "The part %(part)s of the file unpacks to %(ratio)s times its packed size; at most %(limit)s "
                    "times is accepted, as ordinary documents pack far less. Open the file, save it again and upload "
                    "it again."
                )
                % {"part": info.filename, "ratio": f"{ratio:,.0f}", "limit": limits.max_ratio},
                code="zip_ratio",
            )
    total = sum(info.file_size for info in infos)
    if total > limits.max_total_bytes:
        raise ValidationError(
            _(
                "The file unpacks to %(size)s MB; at most %(limit)s MB can be read. Remove large pictures or split "
                "the document."
            )
            % {"size": _megabytes(total), "limit": limits.max_total_bytes // MB},
            code="zip_total_size",
        )


def busy_message(job: ImportJob) -> SafeString:
    """Why a second import is refused, with a link to the one in progress."""
    return format_html(
        '{} <a href="{}">{}</a>',
        _("You already have an import in progress (%(name)s); start the next one when it has finished.")
        % {"name": job.filename},
        job.page_url,
        _("See its progress"),
    )


# Reads ------------------------------------------------------------------------------------------


def running_stale_after() -> datetime.timedelta:
    """How long after its start a running job can no longer be running: the hard time limit has killed it."""
    return datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT) + RUNNING_MARGIN


def _stale_filter(now: datetime.datetime):
    from django.db.models import Q

    return Q(status=Status.RUNNING, started_at__lt=now - running_stale_after()) | Q(
        status=Status.QUEUED, created_at__lt=now - QUEUED_STALE_AFTER
    )


def import_job_active_for(*, user) -> ImportJob | None:
    """The user's import that is queued or running (and not left behind by a dead worker), if any."""
    jobs = ImportJob.objects.filter(user=user, status__in=ImportJob.ACTIVE).exclude(_stale_filter(timezone.now()))
    return jobs.first()


def import_job_get(*, job_id, kinds: tuple[str, ...], user, target=None, managed: bool = False) -> ImportJob:
    """The job, if it is one of these kinds (about `target`) and `user` started it or `managed` the target.

    404 otherwise, for a job of somebody else as for one that does not exist.
    """
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        raise Http404("No such import.") from None
    jobs = ImportJob.objects.filter(pk=job_id, kind__in=kinds)
    if target is not None:
        jobs = jobs.filter(target_type=ContentType.objects.get_for_model(target), target_id=target.pk)
    job = jobs.first()
    if job is None or (job.user_id != user.pk and not managed):
        raise Http404("No such import.")
    return job


def import_job_progress(job: ImportJob) -> int:
    """Percent done: what the task last reported (through the cache while its transaction is open)."""
    if job.status == Status.DONE:
        return 100
    try:
        reported = cache.get(_progress_key(job.pk))
    except Exception:  # noqa: BLE001 - a cache error is a miss
        reported = None
    return max(job.progress, reported or 0)


# Writes -----------------------------------------------------------------------------------------


def store_upload(upload) -> str:
    """Saves an uploaded file under imports/<uuid>.<ext>; its name relative to MEDIA_ROOT."""
    extension = PurePath(upload.name or "").suffix.lower()
    upload.seek(0)
    return default_storage.save(f"{IMPORTS_DIR}/{uuid.uuid4()}{extension}", File(upload))


def _fail_stale(jobs) -> int:
    return jobs.filter(_stale_filter(timezone.now())).update(
        status=Status.FAILED, finished_at=timezone.now(), error=_interrupted_message()
    )


def _interrupted_message() -> str:
    return _("The import was interrupted: it took too long or needed too much memory. Try a smaller file.")


def import_job_start(
    *,
    user,
    kind: str,
    task,
    page_url: Callable[[ImportJob], str],
    filename: str,
    file=None,
    stored_name: str = "",
    target=None,
    options: dict | None = None,
) -> ImportJob:
    """Stores the upload (`file`, or the file already stored as `stored_name`), writes a queued job and
    hands it to `task` once committed. Raises ImportBusy when the user has an import queued or running.

    The user's earlier jobs of the same kind that were never confirmed are deleted with their uploads:
    one waits for confirmation at a time.
    """
    try:
        with transaction.atomic():
            get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one start at a time
            _fail_stale(ImportJob.objects.filter(user=user))
            if (active := import_job_active_for(user=user)) is not None:
                raise ImportBusy(active)
            earlier = ImportJob.objects.filter(user=user, kind=kind, confirmed_at__isnull=True)
            _delete_jobs(earlier.exclude(status__in=ImportJob.ACTIVE))
            job = ImportJob(kind=kind, user=user, filename=PurePath(filename).name[:255], options=options or {})
            if target is not None:
                job.target = target
            job.upload = stored_name or store_upload(file)
            job.save()
            job.page_url = page_url(job)
            job.save(update_fields=["page_url"])
            details = {"import": kind, "filename": job.filename}
            record(
                kind=AuditKind.IMPORT_STARTED, actor=user, target=job, project_id=_project_id(target), details=details
            )
            transaction.on_commit(lambda: _send(task, job))
    except IntegrityError:  # another request of the same user won the race
        active = import_job_active_for(user=user)
        if active is None:
            raise
        raise ImportBusy(active) from None
    return job


def _send(task, job: ImportJob) -> None:
    """Runs the task in-process when Celery is eager (no REDIS_URL), else publishes it; a broker that is
    down fails the job at once with a message (the user may simply try again)."""
    if task.app.conf.task_always_eager:
        task.apply(args=[job.pk], throw=False)
        return
    try:
        task.apply_async(args=[job.pk], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BROKER_ERRORS as error:
        logger.warning("Import job %s could not be queued: %s", job.pk, error)
        ImportJob.objects.filter(pk=job.pk, status=Status.QUEUED).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            error=_("Imports are unavailable right now. Try again in a few minutes."),
        )


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:progress"


class Progress:
    """What a running import reports: a fraction done, shown as a percentage on the job's page.

    Written to the cache (readable while the import's own transaction is still open) and, outside
    a transaction, to the job's row; only when the percentage moves.
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.percent = 0

    def __call__(self, fraction: float) -> None:
        percent = max(0, min(99, int(fraction * 100)))
        if percent <= self.percent:
            return
        self.percent = percent
        try:
            cache.set(_progress_key(self.job_id), percent, 3600)
        except Exception:  # noqa: BLE001 - progress is a courtesy; a cache error must not fail the import
            logger.warning("Import job %s: progress not written to the cache", self.job_id)
        if not transaction.get_connection().in_atomic_block:
            ImportJob.objects.filter(pk=self.job_id, status=Status.RUNNING).update(progress=percent)


def _vm_size() -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@contextmanager
def address_space_limit(megabytes: int):
    """While inside, the process may grow by about `megabytes` more (RLIMIT_AS): past it, MemoryError.

    For Celery pool processes only: in a web process it would limit every thread at once.
    """
    current = _vm_size() if resource is not None and megabytes > 0 else None
    if current is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + megabytes * MB
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _finish(job: ImportJob, status: str, **fields) -> ImportJob:
    """Ends the run; the upload is deleted, as the job's result now holds all that is needed of it."""
    fields = {"status": status, "finished_at": timezone.now(), "upload": "", **fields}
    ImportJob.objects.filter(pk=job.pk, status=Status.RUNNING).update(**fields)
    if job.upload:
        default_storage.delete(job.upload)
    for name, value in fields.items():
        setattr(job, name, value)
    return job


def import_job_run(
    *, job_id: int, work: Callable[[ImportJob, Progress], dict], limit_memory: bool = False
) -> ImportJob | None:
    """Runs `work` on a queued job and stores its answer; None if the job is not there to claim.

    What stops the work is stored as the job's error, in words for the user: ImportRefused (the
    file), the soft time limit, running out of the allowed memory, or anything unexpected.
    """
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(status=Status.RUNNING, started_at=now):
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        with address_space_limit(settings.IMPORT_MEMORY_LIMIT_MB if limit_memory else 0):
            result = work(job, Progress(job.pk))
    except ImportRefused as refusal:
        return _finish(job, Status.FAILED, error=refusal.message)
    except SoftTimeLimitExceeded:
        return _finish(job, Status.FAILED, error=_("The file took too long to read. Split it into smaller files."))
    except MemoryError:
        return _finish(
            job, Status.FAILED, error=_("The file needs too much memory to read. Split it into smaller files.")
        )
    except Exception as error:  # noqa: BLE001 - a file that breaks the reader fails its job, not the worker
        logger.exception("Import job %s failed", job.pk)
        return _finish(
            job,
            Status.FAILED,
            error=_("The file could not be imported (%(reason)s).") % {"reason": type(error).__name__},
        )
    return _finish(job, Status.DONE, result=result, progress=100)


def _project_id(target) -> int | None:
    """The project an import is about: the target itself, or the target's project."""
    if target is None:
        return None
    return target.pk if target._meta.label_lower == "projects.project" else getattr(target, "project_id", None)


def import_job_close(*, job: ImportJob) -> None:
    """The import is confirmed (or written): the job is kept as its record, its upload deleted if still there.

    Recorded as confirmed by the user of the request being answered, or else (in a task) by the job's starter."""
    ImportJob.objects.filter(pk=job.pk).update(confirmed_at=timezone.now(), upload="")
    details = {"import": job.kind, "filename": job.filename}
    actor = current_user() or job.user
    record(
        kind=AuditKind.IMPORT_CONFIRMED, actor=actor, target=job, project_id=_project_id(job.target), details=details
    )
    if job.upload:
        transaction.on_commit(lambda name=job.upload: default_storage.delete(name))
    job.upload = ""


def _delete_jobs(jobs) -> int:
    names = [name for name in jobs.values_list("upload", flat=True) if name]
    count = jobs.delete()[0]
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
    return count


@dataclass
class CleanResult:
    jobs: int = 0  # unconfirmed job rows deleted, with their uploads
    files: int = 0  # abandoned uploads deleted (waiting in a session, or of no job)
    interrupted: int = 0  # jobs left queued or running by a worker that died, marked failed


def import_uploads_clean(*, older_than: datetime.timedelta | None = None) -> CleanResult:
    """Deletes the imports never confirmed and the uploads nobody came back for, after `older_than`."""
    if older_than is None:
        older_than = datetime.timedelta(hours=settings.IMPORT_UPLOAD_MAX_AGE_HOURS)
    cutoff = timezone.now() - older_than
    result = CleanResult(interrupted=_fail_stale(ImportJob.objects.all()))
    with transaction.atomic():
        old = ImportJob.objects.filter(created_at__lt=cutoff, confirmed_at__isnull=True)
        result.jobs = _delete_jobs(old.exclude(status__in=ImportJob.ACTIVE))
    kept = set(ImportJob.objects.exclude(upload="").values_list("upload", flat=True))
    try:
        _directories, files = default_storage.listdir(IMPORTS_DIR)
    except FileNotFoundError:
        files = []
    for filename in files:
        name = f"{IMPORTS_DIR}/{filename}"
        if name in kept:
            continue
        try:
            if default_storage.get_modified_time(name) < cutoff:
                default_storage.delete(name)
                result.files += 1
        except FileNotFoundError:
            continue
    if result.jobs or result.files or result.interrupted:
        logger.info("Import cleanup: %s", result)
    return result
