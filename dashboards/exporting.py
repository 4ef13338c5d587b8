"""Dashboard exports too large for one request: written by a task to a stored file, with progress.

A selection of up to EXPORT_INLINE_ROWS rows is streamed in the request, as before; a larger one
(the whole portfolio's transactions at scale) would be cut off by the web server's timeout after
the browser had received a 200, leaving a truncated file. It becomes an ExportJob instead: the
task decides the user's projects again when it runs, writes the file through Django's storage
API, and the page polls the job until the download is ready. Only the user who asked may open
the job or download its file, and only while their dashboard, with the same filters, still
selects the projects the file holds.
"""

import datetime
import hashlib
import io
import logging
import tempfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from common.imports import BROKER_ERRORS
from common.spreadsheets import write_csv, write_xlsx

from . import selectors
from .forms import DashboardFilterForm
from .models import ExportJob

logger = logging.getLogger("mpf.exports")

EXPORTS = {
    "portfolio": ("portfolio", selectors.PORTFOLIO_HEADER, selectors.portfolio_export_rows),
    "transactions": ("transactions", selectors.TRANSACTIONS_HEADER, selectors.transaction_export_rows),
}


def export_projects(*, user, query: QueryDict):
    """The projects of the user's dashboard that the filters in `query` select, or None without a dashboard."""
    scope = selectors.dashboard_scope_for_user(user=user)
    if scope is None:
        return None
    form = DashboardFilterForm(query or None)
    return selectors.filter_projects(scope.projects, form.valid_filters() if query else {})


def export_size(*, kind: str, projects, at_most: int | None = None) -> int:
    """How many rows the export will have (a count in the database); with `at_most`, the count stops
    at at_most + 1 (enough to decide whether the file is written in the request)."""
    if kind == "transactions":
        return selectors.transaction_export_count(projects=projects, at_most=at_most)
    return (projects.order_by() if at_most is None else projects.order_by()[: at_most + 1]).count()


def projects_digest(projects) -> str:
    """A digest of the ids of `projects` (one query of ids)."""
    ids = projects.order_by("pk").values_list("pk", flat=True)
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def export_job_start(*, user, kind: str, fmt: str, query: QueryDict, filename: str, total: int) -> ExportJob:
    """Queues the export, or gives the user's unfinished job for the same file (a second click or a
    reload prepares nothing twice). A user may have EXPORT_JOBS_PER_USER unfinished jobs at a time:
    each one holds a worker for minutes."""
    from .tasks import export_job_task

    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()  # one request per user at a time
        unfinished = ExportJob.objects.filter(user=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
        same = unfinished.filter(kind=kind, fmt=fmt, query=query.urlencode()).first()
        if same is not None:
            return same
        if unfinished.count() >= settings.EXPORT_JOBS_PER_USER:
            raise ValidationError(
                _("You have %(count)s exports being prepared. Wait until one of them is ready, then ask again.")
                % {"count": settings.EXPORT_JOBS_PER_USER},
                code="too_many",
            )
        job = ExportJob.objects.create(
            user=user, kind=kind, fmt=fmt, query=query.urlencode(), filename=filename, total=total
        )
    try:
        export_job_task.apply_async(args=[job.pk], retry=False)
    except BROKER_ERRORS as error:
        logger.warning("Export %s could not be queued: %s", job.pk, error)
        _fail(job, _("The export could not be started: the task queue is unavailable. Try again in a few minutes."))
    return job


def _fail(job: ExportJob, message: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=message, finished_at=timezone.now()
    )


def export_job_run(*, job_id: int) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    projects = export_projects(user=job.user, query=QueryDict(job.query)) if job.user.is_active else None
    if projects is None:
        _fail(job, _("You no longer follow the dashboard, so the file was not written."))
        return
    name, header, rows = EXPORTS[job.kind]
    # Counted here, not in the request that asked for it: the page said only "more than" the limit.
    ExportJob.objects.filter(pk=job_id).update(total=export_size(kind=job.kind, projects=projects))

    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job_id).update(rows=count)

    with tempfile.TemporaryFile() as spool:
        if job.fmt == "csv":
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            write_csv(text, header, rows(projects=projects), progress)
            text.flush()
            text.detach()
        else:
            write_xlsx(spool, name, header, rows(projects=projects), progress)
        spool.seek(0)
        job.file.save(job.filename, File(spool), save=False)
    ExportJob.objects.filter(pk=job_id).update(
        file=job.file.name,
        status=ExportJob.Status.DONE,
        total=F("rows"),
        finished_at=timezone.now(),
        projects_digest=projects_digest(projects),
    )


KEPT_FOR = datetime.timedelta(days=1)


def export_jobs_clean(*, now: datetime.datetime | None = None) -> int:
    """Deletes the export jobs older than a day, with their files; the number deleted."""
    old = ExportJob.objects.filter(created_at__lt=(now or timezone.now()) - KEPT_FOR)
    count = 0
    for job in old.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
