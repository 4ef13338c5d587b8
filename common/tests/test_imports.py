"""Import jobs: the cleanup of abandoned uploads, and the memory limit of a run."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from common import imports
from common.models import ImportJob

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def stored(name: str, *, age: datetime.timedelta = datetime.timedelta()) -> str:
    name = default_storage.save(f"imports/{name}", ContentFile(b"data"))
    moment = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(name), (moment, moment))
    return name


def job(user, *, age: datetime.timedelta, confirmed: bool = False, status: str = "done", upload: str = "") -> ImportJob:
    row = ImportJob.objects.create(kind="concept", user=user, filename="f.docx", status=status, upload=upload)
    ImportJob.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - age, confirmed_at=timezone.now() if confirmed else None
    )
    return row


def test_the_cleanup_deletes_what_was_never_confirmed_after_a_day(users, django_capture_on_commit_callbacks):
    drafter, manager = users["drafter"], users["manager"]
    abandoned = job(drafter, age=2 * DAY, upload=stored("abandoned.docx", age=2 * DAY))
    confirmed = job(manager, age=2 * DAY, confirmed=True)
    recent = job(users["staff"], age=datetime.timedelta(hours=2), upload=stored("recent.docx"))
    waiting_in_a_session = stored("session.csv", age=2 * DAY)  # a spreadsheet preview nobody confirmed
    fresh_in_a_session = stored("fresh.csv", age=datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("clean_imports", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert set(ImportJob.objects.values_list("pk", flat=True)) == {confirmed.pk, recent.pk}
    assert not default_storage.exists(abandoned.upload)
    assert not default_storage.exists(waiting_in_a_session)
    assert default_storage.exists(recent.upload) and default_storage.exists(fresh_in_a_session)


def test_the_cleanup_fails_jobs_a_dead_worker_left_running(users):
    left = job(users["drafter"], age=2 * DAY, status="running")
    ImportJob.objects.filter(pk=left.pk).update(started_at=timezone.now() - DAY)
    result = imports.import_uploads_clean(older_than=3 * DAY)
    left.refresh_from_db()
    assert (result.interrupted, left.status) == (1, "failed")
    assert "interrupted" in left.error


def test_the_periodic_task_runs_the_cleanup(users):
    from common.tasks import import_uploads_clean_task

    old_upload = stored("old.xlsx", age=2 * DAY)
    assert import_uploads_clean_task.apply().get()["files"] == 1
    assert not default_storage.exists(old_upload)


@pytest.mark.skipif(imports.resource is None or imports._vm_size() is None, reason="Linux only")
def test_a_run_that_needs_more_memory_than_allowed_gets_memory_error_and_the_limit_is_lifted_after():
    with pytest.raises(MemoryError), imports.address_space_limit(64):
        bytearray(512 * 1024 * 1024)
    assert len(bytearray(256 * 1024 * 1024)) == 256 * 1024 * 1024


def test_a_job_that_runs_out_of_memory_fails_with_a_message(users):
    row = ImportJob.objects.create(kind="concept", user=users["drafter"], filename="big.docx")

    def greedy(job, progress):
        raise MemoryError

    finished = imports.import_job_run(job_id=row.pk, work=greedy)
    assert finished.status == "failed"
    assert "needs too much memory" in finished.error
    assert imports.import_job_run(job_id=row.pk, work=greedy) is None  # a duplicate message finds nothing to claim
