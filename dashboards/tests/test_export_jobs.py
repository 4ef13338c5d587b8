"""Exports too large for one request are written by a task and downloaded whole when ready."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from dashboards.exporting import export_job_run
from dashboards.models import ExportJob
from dashboards.tests.conftest import donors_group_member

pytestmark = pytest.mark.django_db


def export_url(fmt="csv"):
    return reverse("dashboards:export", kwargs={"kind": "transactions", "fmt": fmt})


def streamed_rows(client) -> list[list[str]]:
    response = client.get(export_url())
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_large_export_is_prepared_as_a_job_and_downloads_whole(client, portfolio, staff_user, settings, eager_celery):
    client.force_login(staff_user)
    expected = streamed_rows(client)  # under the limit: streamed in the request, as before
    settings.EXPORT_INLINE_ROWS = 3
    page = client.get(export_url(), {"country": ""})
    assert page.status_code == 200 and not page.streaming
    assert "This export has more than 3 rows." in page.content.decode()
    response = client.post(export_url())
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:export_job", args=[job.pk])
    status = client.get(response["Location"]).content.decode()
    assert "The file is ready." in status and reverse("dashboards:export_download", args=[job.pk]) in status
    download = client.get(reverse("dashboards:export_download", args=[job.pk]))
    assert download["Content-Disposition"].startswith("attachment") and "no-store" in download["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows == expected
    job.refresh_from_db()
    assert job.rows == job.total == len(expected) - 1


def test_the_filters_go_with_the_job(client, portfolio, staff_user, settings, eager_celery):
    client.force_login(staff_user)
    settings.EXPORT_INLINE_ROWS = 0
    client.post(export_url("xlsx"), {"country": "GE"})
    job = ExportJob.objects.get()
    sheet = openpyxl.load_workbook(job.file.open("rb")).active
    codes = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"P-USD"}


def test_nobody_else_sees_the_job_or_its_file(client, portfolio, staff_user, settings, eager_celery):
    client.force_login(staff_user)
    settings.EXPORT_INLINE_ROWS = 0
    client.post(export_url())
    job = ExportJob.objects.get()
    client.force_login(donors_group_member())
    assert client.get(reverse("dashboards:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("dashboards:export_download", args=[job.pk])).status_code == 404


def test_a_user_who_lost_the_dashboard_before_the_job_ran_gets_no_file(client, portfolio, users, settings):
    donor = donors_group_member()
    client.force_login(donor)
    settings.EXPORT_INLINE_ROWS = 0
    settings.CELERY_TASK_ALWAYS_EAGER = True
    job = ExportJob.objects.create(user=donor, kind="transactions", fmt="csv", filename="mpf-transactions.csv")
    donor.groups.clear()
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and not job.file
    assert "no longer follow the dashboard" in job.error


def test_exports_are_deleted_with_their_files_after_a_day(portfolio, staff_user):
    import datetime

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from dashboards.exporting import export_jobs_clean

    job = ExportJob.objects.create(user=staff_user, kind="transactions", fmt="csv", filename="old.csv")
    job.file.save("old.csv", ContentFile(b"record\n"), save=True)
    storage, name = job.file.storage, job.file.name
    assert export_jobs_clean() == 0
    assert export_jobs_clean(now=timezone.now() + datetime.timedelta(days=1, minutes=1)) == 1
    assert not ExportJob.objects.exists() and not storage.exists(name)


def test_a_file_is_not_handed_over_once_a_project_in_it_can_no_longer_be_seen(
    client, portfolio, settings, eager_celery
):
    donor = donors_group_member()
    client.force_login(donor)
    settings.EXPORT_INLINE_ROWS = 0
    client.post(export_url())
    job = ExportJob.objects.get()
    download = reverse("dashboards:export_download", args=[job.pk])
    assert client.get(download).status_code == 200
    # A published project in the file is taken off the public list: the Donors group no longer sees it.
    portfolio.eur.is_published = False
    portfolio.eur.save(update_fields=["is_published"])
    assert client.get(download).status_code == 404
    status = client.get(reverse("dashboards:export_job", args=[job.pk])).content.decode()
    assert "Prepare the export again from the dashboard." in status and download not in status


@pytest.fixture
def jobs_stay_queued(monkeypatch):
    """No worker picks the jobs up: they stay queued, as while the workers are busy."""
    from dashboards import tasks

    monkeypatch.setattr(tasks.export_job_task, "apply_async", lambda *args, **kwargs: None)


def test_asking_again_for_the_same_file_gives_the_job_under_way(
    client, portfolio, staff_user, settings, jobs_stay_queued
):
    client.force_login(staff_user)
    settings.EXPORT_INLINE_ROWS = 0
    first = client.post(export_url(), {"country": "GE"})
    again = client.post(export_url(), {"country": "GE"})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    client.post(export_url(), {"country": "AM"})  # other filters: another file
    assert ExportJob.objects.count() == 2
    status = client.get(first["Location"]).content.decode()  # its rows are counted by the worker
    assert "Waiting in the queue: the file will be written as soon as a worker is free." in status
    assert "of 0 rows" not in status


def test_the_request_counts_the_rows_only_as_far_as_the_limit(portfolio):
    """Counting stops past the limit: the same decision as counting every row, for lines and expenditures."""
    from dashboards import exporting, selectors
    from projects.models import Project

    projects = Project.objects.all()
    total = selectors.transaction_export_count(projects=projects)
    assert total > 4  # the portfolio's lines and expenditures: the limits below fall in lines or expenditures
    for at_most in range(total + 2):
        counted = exporting.export_size(kind="transactions", projects=projects, at_most=at_most)
        assert counted == min(total, at_most + 1)
    assert exporting.export_size(kind="portfolio", projects=projects, at_most=1) == min(projects.count(), 2)


def test_a_user_cannot_queue_more_exports_than_the_limit(client, portfolio, staff_user, settings, jobs_stay_queued):
    client.force_login(staff_user)
    settings.EXPORT_INLINE_ROWS = 0
    settings.EXPORT_JOBS_PER_USER = 2
    assert client.post(export_url("csv")).status_code == 302
    assert client.post(export_url("xlsx")).status_code == 302
    refused = client.post(export_url("csv"), {"country": "GE"})
    assert refused.status_code == 429
    assert "You have 2 exports being prepared." in refused.content.decode()
    assert ExportJob.objects.count() == 2
    # Once one is ready, the next one may start; other users were never held back.
    ExportJob.objects.filter(fmt="csv").update(status=ExportJob.Status.DONE)
    assert client.post(export_url("csv"), {"country": "GE"}).status_code == 302
    assert ExportJob.objects.count() == 3
    client.force_login(donors_group_member())
    assert client.post(export_url("csv")).status_code == 302
