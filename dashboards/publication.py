"""The public IATI activity file, written by a task after the data changes and served as a stored file.

Writing the file for every published project takes seconds at a large portfolio (and memory
grows with nothing: it is streamed a batch of projects at a time), so no visitor waits for it:
`iati_public_file_build` writes it through Django's storage API (local disk, or any storage the
settings name) under a name of its content's digest, and the view serves the newest one with its
ETag. Each worker checks every IATI_REFRESH_INTERVAL seconds whether the data generation has
moved on (common.generations) or the file is older than IATI_MAX_AGE_SECONDS (the document links
of published editions do not move the generation) and writes it again if so.
"""

import datetime
import hashlib
import logging
import tempfile

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from common import generations
from common.imports import BROKER_ERRORS

from . import iati
from .models import PublicFile

logger = logging.getLogger("mpf.iati")

IATI_ACTIVITIES = "iati-activities"


def iati_public_file() -> PublicFile | None:
    return PublicFile.objects.filter(name=IATI_ACTIVITIES).first()


def iati_public_file_is_current(public: PublicFile | None, *, now: datetime.datetime | None = None) -> bool:
    if public is None:
        return False
    now = now or timezone.now()
    max_age = datetime.timedelta(seconds=settings.IATI_MAX_AGE_SECONDS)
    return public.generation == generations.current() and public.built_at > now - max_age


def iati_public_file_build(*, force: bool = False) -> PublicFile | None:
    """Writes the file again unless it is current; the new row, or None when nothing was written."""
    if not force and iati_public_file_is_current(iati_public_file()):
        return None
    generation = generations.current()  # read first: a change made while writing moves it on again
    digest, size = hashlib.sha256(), 0
    with tempfile.TemporaryFile() as spool:
        base_url = settings.PORTAL_BASE_URL.rstrip("/") + "/"
        for chunk in iati.activities_xml_chunks(iati.published_projects(), base_url=base_url):
            spool.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        spool.seek(0)
        etag = digest.hexdigest()
        stored = default_storage.save(f"public/iati/activities-{etag[:20]}.xml", File(spool))
    with transaction.atomic():
        public = PublicFile.objects.select_for_update().filter(name=IATI_ACTIVITIES).first()
        old = public.file.name if public is not None else None
        public = public or PublicFile(name=IATI_ACTIVITIES)
        public.file, public.etag, public.size = stored, etag, size
        public.generation, public.built_at = generation, timezone.now()
        public.save()
    if old and old != stored:
        default_storage.delete(old)  # readers that opened it already keep their handle
    logger.info("IATI activity file written: %s bytes, generation %s", size, generation)
    return public


def iati_public_file_refresh() -> None:
    """Asks for the file to be written (at once when tasks run in-process, as without REDIS_URL)."""
    from .tasks import iati_public_file_task

    try:
        iati_public_file_task.apply_async(retry=False)
    except BROKER_ERRORS as error:
        logger.warning("The IATI file could not be queued for writing: %s", error)
