"""Word imports cannot stall the site (issue #19): cheap checks in the request, the parse in a task.

The crafted files are built here with zipfile: a small .docx whose document part unpacks to 16 MB
(what took 80 s of CPU inside a request before), and one with 20,000 headings that packs only
a few times (so it passes the request's checks and is stopped by the task's streaming count).
"""

import io
import os
import time
import zipfile

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from common.models import ImportJob
from concepts import importing
from concepts.models import Concept
from concepts.tests.docx_files import DOCX_TYPE

pytestmark = pytest.mark.django_db

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def docx_of(paragraphs: str) -> bytes:
    """A minimal .docx whose body is `paragraphs` (WordprocessingML), deflated as Word does."""
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W}"><w:body>{paragraphs}</w:body></w:document>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def packed_16_mb() -> bytes:
    """About 16 MB of XML in a file of a few dozen KB (the issue's 116 KB file took 80 s and 600 MB)."""
    return docx_of("<w:p><w:r><w:t>Policy text.</w:t></w:r></w:p>" * 350_000)


def many_headings(count: int = 20_000) -> bytes:
    """`count` Heading 1 paragraphs with distinct titles: it packs only a few times."""
    return docx_of(
        "".join(
            f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>{os.urandom(12).hex()}</w:t></w:r></w:p>'
            for _ in range(count)
        )
    )


def upload(data: bytes, name: str = "concept.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX_TYPE)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """Import tasks run in-process, even with REDIS_URL set (no worker in unit tests)."""


@pytest.fixture
def import_url(project):
    return reverse("project_concepts:import", kwargs={"slug": project.slug})


@pytest.fixture
def no_mammoth(monkeypatch):
    """Fails the test if the full Word reader is started."""

    def refuse(*args, **kwargs):
        raise AssertionError("mammoth must not read this file")

    monkeypatch.setattr(importing.mammoth, "convert_to_html", refuse)


@pytest.fixture
def queued_only(settings):
    """As in production: the request hands the job to the broker (in memory here), no worker runs it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False


def test_a_crafted_docx_is_refused_within_a_second_of_cpu_in_the_web_process(
    client_for, import_url, no_mammoth, tmp_path, django_capture_on_commit_callbacks
):
    data = packed_16_mb()
    assert len(data) < 200_000
    client = client_for("drafter")
    started = time.process_time()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(import_url, {"file": upload(data)})
    cpu = time.process_time() - started
    assert cpu < 1.0, f"{cpu:.2f} s of CPU"
    page = response.content.decode()
    assert response.status_code == 200
    assert "The part word/document.xml of the file unpacks to" in page and "at most 100 times is accepted" in page
    assert not ImportJob.objects.exists()
    assert not (tmp_path / "imports").exists() or not list((tmp_path / "imports").iterdir())


def test_a_part_larger_than_the_limit_is_refused_naming_the_limit(client_for, import_url, settings, no_mammoth):
    settings.IMPORT_DOCX_MAX_PART_MB = 1
    data = many_headings(12_000)  # 1.1 MB of XML, packed about six times only
    response = client_for("drafter").post(import_url, {"file": upload(data)})
    assert (
        "The part word/document.xml of the file unpacks to 1.1 MB; at most 1 MB can be read"
        in response.content.decode()
    )
    assert not ImportJob.objects.exists()


def test_twenty_thousand_headings_stop_the_reading_at_the_first_limit(client_for, import_url, no_mammoth, send):
    client = client_for("drafter")
    response = send(client, import_url, {"file": upload(many_headings())})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "failed" or "more than 500 headings" in str(job.result)
    page = client.get(response.url).content.decode()
    assert "The file has more than 500 headings, and at most 500 sections can be imported" in page
    assert "Create the concept" not in page
    assert Concept.objects.count() == 0


def test_the_paragraph_and_text_limits_stop_the_reading(settings, no_mammoth):
    body = "<w:p><w:r><w:t>Some words of the policy.</w:t></w:r></w:p>" * 200
    settings.IMPORT_DOCX_MAX_PARAGRAPHS = 100
    assert "more than 100 paragraphs" in importing.parse_docx(docx_of(body)).errors[0]
    settings.IMPORT_DOCX_MAX_PARAGRAPHS = 30_000
    settings.IMPORT_DOCX_MAX_CHARACTERS = 1_000
    assert "more than 1,000 characters of text" in importing.parse_docx(docx_of(body)).errors[0]


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def post(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return post


def test_uploads_return_at_once_and_the_site_answers_while_three_are_read(
    client_for, import_url, users, queued_only, no_mammoth, send, client
):
    """Three drafters upload heavy files at once: each request only stores the file and queues a job."""
    for role in ("drafter", "manager", "staff"):
        started = time.process_time()
        response = send(client_for(role), import_url, {"file": upload(many_headings(5_000))})
        assert time.process_time() - started < 1.0
        assert response.status_code == 302
    assert list(ImportJob.objects.values_list("status", flat=True)) == ["queued"] * 3
    client.logout()
    assert client.get(reverse("projects:list")).status_code == 200
    page = client_for("drafter").get(ImportJob.objects.get(user=users["drafter"]).page_url).content.decode()
    assert "Waiting for its turn" in page and "<progress" in page


def test_a_second_import_is_refused_while_one_runs_with_a_link_to_it(client_for, import_url, users, queued_only, send):
    client = client_for("drafter")
    first = send(client, import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    response = send(client, import_url, {"file": upload(b"# Two\n\nText.", "two.md")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You already have an import in progress (one.md)" in page
    assert f'href="{first.url}"' in page
    assert ImportJob.objects.count() == 1
    # Somebody else is not held up.
    assert send(client_for("manager"), import_url, {"file": upload(b"# Three\n\nText.", "three.md")}).status_code == 302


def test_a_job_left_running_by_a_dead_worker_does_not_block_the_next_import(
    client_for, import_url, users, queued_only, send
):
    client = client_for("drafter")
    send(client, import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    ImportJob.objects.update(status="running", started_at="2020-01-01T00:00:00Z")
    assert send(client, import_url, {"file": upload(b"# Two\n\nText.", "two.md")}).status_code == 302
    # The interrupted one is failed, and replaced like any earlier import that was never confirmed.
    assert list(ImportJob.objects.values_list("filename", "status")) == [("two.md", "queued")]


def test_a_file_that_takes_too_long_fails_its_job_with_a_message(client_for, import_url, monkeypatch, send):
    def slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(importing, "parse_file", slow)
    client = client_for("drafter")
    response = send(client, import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    assert ImportJob.objects.get().status == "failed"
    page = client.get(response.url).content.decode()
    assert "The file took too long to read. Split it into smaller files." in page
    assert "Upload a corrected file" in page


def test_the_progress_fragment_then_a_reload_once_read(client_for, import_url, queued_only, send):
    from concepts.tasks import concept_import_read_task

    client = client_for("drafter")
    response = send(client, import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    polled = client.get(response.url, headers={"HX-Request": "true"})
    assert "<progress" in polled.content.decode() and f'hx-get="{response.url}"' in polled.content.decode()
    concept_import_read_task.apply(args=[ImportJob.objects.get().pk])
    assert client.get(response.url, headers={"HX-Request": "true"}).headers["HX-Refresh"] == "true"
    assert "Create the concept with 1 section" in client.get(response.url).content.decode()


def test_another_drafter_does_not_see_the_job_but_a_manager_does(client_for, import_url, users, send):
    response = send(client_for("drafter"), import_url, {"file": upload(b"# One\n\nText.", "one.md")})
    other = users["reviewer"]
    other.memberships.update(role="drafter")
    assert client_for("reviewer").get(response.url).status_code == 404
    assert client_for("manager").get(response.url).status_code == 200
