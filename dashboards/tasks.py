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
