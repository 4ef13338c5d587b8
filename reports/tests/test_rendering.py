"""The PDF and Word files of a submitted or approved report, read back with independent tools."""

import io

import docx
import pytest
from django.urls import reverse
from pypdf import PdfReader

from documents.models import Document
from reports.job_models import ReportRenderJob
from reports.models import Report
from reports.rendering import report_render_jobs_requeue
from reports.tests.factories import ReportFactory, frozen_report, write_narrative

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery", "_render_on_commit")]


@pytest.fixture
def _render_on_commit(monkeypatch):
    """The render is queued once the request's transaction commits: here, at once (tests run in one)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda callback, using=None, robust=False: callback())


@pytest.fixture
def report(project, users):
    report = frozen_report(
        project, state=Report.State.APPROVED, title="Interim report 2025", submitted_by=users["drafter"]
    )
    russian = write_narrative(
        report, "Итоги периода: проведены три обмена опытом.", language="ru", author=users["drafter"]
    )
    report.frozen_versions.add(russian)
    return report


# What managers (and staff) may see of a report: its files are made for this audience.
MANAGERS = "finance,read,read_drafts,team_files,view"


def files_url(report, name="request", **extra):
    return reverse(f"report_files:{name}", kwargs={"slug": report.project.slug, "report_id": report.pk, **extra})


def ask(client, report, kind="pdf", language="en", htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(files_url(report), {"kind": kind, "language": language}, **headers)


def download(client, report, job):
    return client.get(files_url(report, "download", job_id=job.pk))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_manager_downloads_the_pdf_with_the_editions_cover_contents_narrative_and_figures(client_for, report):
    instrument = report.project.instrument  # a funder that asks for its visibility block, as the EU does
    instrument.show_visibility_block, instrument.funding_statement = True, "Funded by the European Union"
    instrument.save()
    client = client_for("manager")
    response = ask(client, report, htmx=True)
    assert response.status_code == 200 and "The file is ready" in response.content.decode()
    job = ReportRenderJob.objects.get(report=report)
    assert job.status == ReportRenderJob.Status.DONE and job.page_count >= 3

    response = download(client, report, job)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="the-project-interim-report-2025-en.pdf"')
    text = pdf_text(b"".join(response.streaming_content))
    assert "Interim report 2025" in text and "The project" in text  # the cover
    assert "Funded by the European Union" in text
    assert "Contents" in text and "Activities held" in text and "Budget and spending" in text
    assert "What the period brought." in text  # the English narrative submitted
    assert "Итоги периода" not in text  # the Russian one is in the Russian file
    assert "Approved on" in text


def test_the_russian_file_has_russian_words_and_the_russian_narrative(client_for, report):
    client = client_for("manager")
    ask(client, report, language="ru")
    job = ReportRenderJob.objects.get(report=report, language="ru")
    text = pdf_text(b"".join(download(client, report, job).streaming_content))
    assert "Содержание" in text and "Описательная часть" in text and "Итоги периода" in text
    assert "What the period brought." not in text


def test_the_word_file_has_the_title_contents_and_narrative(client_for, report):
    client = client_for("manager")
    ask(client, report, kind="docx")
    job = ReportRenderJob.objects.get(report=report, kind="docx")
    response = download(client, report, job)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert "Interim report 2025" in paragraphs
    assert "What the period brought." in paragraphs
    assert any(text.endswith("Narrative") for text in paragraphs)
    assert document.core_properties.title.startswith("Interim report 2025")


def test_the_same_content_is_rendered_once(client_for, report):
    ask(client_for("manager"), report)
    ask(client_for("staff"), report)  # staff may see what managers may: the same file
    assert ReportRenderJob.objects.count() == 1


def test_a_reader_who_may_see_less_gets_a_file_of_their_own_without_team_documents(client_for, report, project):
    Document.objects.filter(project=project).delete()
    report.snapshot["documents"] = [
        {"id": 1, "title": "Team minutes", "category": "A_07", "visibility": "team", "date": "2025-03-01"},
        {"id": 2, "title": "Mission agenda", "category": "A_09", "visibility": "donors", "date": "2025-03-02"},
    ]
    report.save()
    ask(client_for("manager"), report)
    ask(client_for("donor"), report)
    manager_job, donor_job = ReportRenderJob.objects.order_by("pk")
    assert manager_job.audience != donor_job.audience and manager_job.content_hash != donor_job.content_hash
    donor = client_for("donor")
    assert download(donor, report, manager_job).status_code == 404  # not a file made for donors
    text = pdf_text(b"".join(download(donor, report, donor_job).streaming_content))
    assert "Mission agenda" in text and "Team minutes" not in text


def test_donors_files_leave_out_the_wording_of_recommendations(client_for, report):
    report.snapshot["recommendations"] = {
        "items": [
            {
                "id": 1,
                "concept": "Concept",
                "excerpt": "Add a chapter on statelessness.",
                "date": "2025-04-01",
                "source": "Second knowledge exchange",
                "organisation": "",
                "disposition": "accepted",
            }
        ],
        "by_disposition": {"accepted": 1},
    }
    report.save()
    ask(client_for("manager"), report)
    ask(client_for("donor"), report)
    manager_job, donor_job = ReportRenderJob.objects.order_by("pk")
    assert manager_job.audience == MANAGERS
    manager_text = pdf_text(b"".join(download(client_for("manager"), report, manager_job).streaming_content))
    donor_text = pdf_text(b"".join(download(client_for("donor"), report, donor_job).streaming_content))
    assert "statelessness" in manager_text
    assert "statelessness" not in donor_text and "Second knowledge exchange" in donor_text


def test_a_report_still_being_written_is_not_printed(client_for, project, users):
    report = ReportFactory(project=project, state=Report.State.IN_PROGRESS)
    assert ask(client_for("manager"), report).status_code == 403
    assert not ReportRenderJob.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("outsider", 404), ("other_drafter", 404), ("reviewer", 403)])
def test_those_who_may_not_read_the_report_can_neither_ask_nor_download(client_for, report, role, status):
    ask(client_for("manager"), report)
    job = ReportRenderJob.objects.get()
    client = client_for(role)
    assert ask(client, report).status_code == status
    assert download(client, report, job).status_code == status
    assert client.get(files_url(report, "list")).status_code == status


def test_a_donor_cannot_print_a_report_not_yet_approved(client_for, project, users):
    report = frozen_report(project, state=Report.State.SUBMITTED, submitted_by=users["drafter"])
    assert ask(client_for("donor"), report).status_code == 404


def test_an_unknown_kind_is_refused_with_a_message(client_for, report):
    response = ask(client_for("manager"), report, kind="exe", htmx=True)
    assert "Choose PDF or Word." in response.content.decode()
    assert not ReportRenderJob.objects.exists()


def test_the_report_page_offers_the_files_and_polls_while_one_is_made(client_for, report, settings):
    client = client_for("manager")
    page = client.get(report.get_absolute_url()).content.decode()
    assert "Printable files" in page and files_url(report) in page
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    ReportRenderJob.objects.create(report=report, kind="pdf", language="en", content_hash="x" * 64, audience=MANAGERS)
    fragment = client.get(files_url(report, "list")).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "Waiting" in fragment


def test_a_job_the_broker_lost_is_sent_again(report, settings, django_capture_on_commit_callbacks):
    job = ReportRenderJob.objects.create(
        report=report, kind="pdf", language="en", content_hash="y" * 64, audience=MANAGERS
    )
    assert report_render_jobs_requeue() == 1
    job.refresh_from_db()
    assert job.status == ReportRenderJob.Status.DONE and job.file


def test_a_file_made_for_another_audience_is_not_handed_over_even_when_its_content_is_the_same(report, users):
    """Files are listed and downloaded per audience, so a job made for another audience is never the
    reader's, even where the two audiences' documents come out the same (same content hash)."""
    from projects.access import Capability
    from reports.rendering import audience_of, build_report_document, report_render_request

    granted = {Capability.VIEW, Capability.READ}
    audience = audience_of(granted)
    same = build_report_document(report=report, language="en", audience=audience).content_hash
    managers_job = ReportRenderJob.objects.create(
        report=report, kind="pdf", language="en", audience=MANAGERS, content_hash=same, status="done"
    )
    job = report_render_request(report=report, kind="pdf", language="en", granted=granted, user=users["donor"])
    assert job.pk != managers_job.pk and not job.reused
    assert job.audience == audience
