from celery import current_app, shared_task
from django.conf import settings

from common.tasks import PeriodicAskStep


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=600, time_limit=660)
def iati_public_file_task() -> bool:
    """Writes the public IATI activity file again if the data has changed since it was written."""
    from .publication import iati_public_file_build

    return iati_public_file_build() is not None


class IatiPublicationStep(PeriodicAskStep):
    """`iati_public_file_task` every IATI_REFRESH_INTERVAL seconds (it writes only when something changed)."""

    what = "IATI file refresh"

    def task(self):
        return iati_public_file_task

    def interval(self) -> int:
        return settings.IATI_REFRESH_INTERVAL


current_app.steps["consumer"].add(IatiPublicationStep)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def export_job_task(job_id: int) -> None:
    """Writes a dashboard export too large for one request (dashboards/exporting.py)."""
    from .exporting import export_job_run

    export_job_run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=300, time_limit=360)
def export_jobs_clean_task() -> int:
    from .exporting import export_jobs_clean

    return export_jobs_clean()


class ExportCleanupStep(PeriodicAskStep):
    """`export_jobs_clean_task` every hour: exports are kept for a day."""

    what = "Export cleanup"

    def task(self):
        return export_jobs_clean_task

    def interval(self) -> int:
        return 3600


current_app.steps["consumer"].add(ExportCleanupStep)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=1800, time_limit=1900)
def dashboard_figures_task() -> int:
    """Sums again the budget and spending of projects whose data changed round the commit hooks (a bulk
    write, an upgrade): the first dashboard reader after such a change then waits for nothing more."""
    from projects.models import Project

    from .figures import refresh_stale

    return refresh_stale(Project.objects.all())


class DashboardFiguresStep(PeriodicAskStep):
    """`dashboard_figures_task` at start and every DASHBOARD_FIGURES_INTERVAL seconds (one query when none changed)."""

    what = "Dashboard figures"

    def task(self):
        return dashboard_figures_task

    def interval(self) -> int:
        return settings.DASHBOARD_FIGURES_INTERVAL


current_app.steps["consumer"].add(DashboardFiguresStep)
