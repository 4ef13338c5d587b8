"""Printed concepts: the HTML, the PDF read back with pypdf, the fetcher's refusals, jobs and access.

Rendering runs in-process here (Celery eager, or the service called directly); the real worker
and broker are exercised in test_render_worker.py.
"""

import datetime
import http.server
import io
import re
import socket
import threading
import urllib.request
import zipfile

import lxml.html
import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from concepts import services as concept_services
from concepts.models import Concept, Edition, RenderJob
from concepts.rendering import documents, services
from concepts.rendering.fetcher import STATIC_ORIGIN, StaticOnlyURLFetcher, static_url
from concepts.rendering.links import published_final_edition_links
from concepts.rendering.render import render_docx, render_pdf
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import ProjectPartner
from projects.tests.factories import OrganisationFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

FILLER = (
    "The national authorities review the procedures for the reception of applicants and report on the "
    "progress made in each region, with figures that the working group checks every quarter. "
)


def long_text(paragraphs: int) -> str:
    return "\n\n".join(FILLER * 4 for _ in range(paragraphs))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def eager(settings):
    """Celery runs the render in-process (as without REDIS_URL), whatever the environment says."""
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _partners(project):
    implementer = OrganisationFactory(name="International Centre for Migration Policy Development", acronym="ICMPD",
                                      kind="implementing_agency")  # fmt: skip
    beneficiary = OrganisationFactory(name="Republic of Belarus")
    ProjectPartnerFactory(project=project, organisation=implementer, role=ProjectPartner.PartnerRole.IMPLEMENTING)
    ProjectPartnerFactory(project=project, organisation=beneficiary, role=ProjectPartner.PartnerRole.BENEFICIARY)


@pytest.fixture
def concept(project, users):
    """Five sections on three levels, long enough to span several pages, and a first edition."""
    _partners(project)
    concept = ConceptFactory(project=project, title="National migration policy concept")
    author = users["drafter"]
    intro = section_with_version(concept, title="Introduction", body=f"Obsoleteword stays here.\n\n{long_text(6)}",
                                 author=author, position=1)  # fmt: skip
    background = section_with_version(concept, title="Background", body=long_text(3), author=author, position=2)
    legal = section_with_version(concept, title="Legal framework", body=long_text(9), author=author, parent=background,
                                 position=1)  # fmt: skip
    section_with_version(concept, title="Asylum law", body=long_text(4), author=author, parent=legal, position=1)
    section_with_version(concept, title="Objectives", body=long_text(2), author=author, position=3)
    concept.intro = intro
    return concept


@pytest.fixture
def first_edition(concept, users):
    return concept_services.edition_create(
        concept=concept, name="First advanced draft", date=datetime.date(2026, 1, 20), is_final=False,
        user=users["manager"],
    )  # fmt: skip


@pytest.fixture
def final_edition(concept, first_edition, users):
    """The final draft: the introduction reworded, "Objectives" removed, "Annex" added."""
    intro = concept.intro
    concept_services.section_save(
        section=intro, base_number=1, title="Introduction", user=users["drafter"],
        body=intro.head.body.replace("Obsoleteword stays here.", "Freshword stays here."),
    )  # fmt: skip
    objectives = concept.sections.get(versions__title="Objectives")
    concept_services.section_remove(section=objectives)
    concept_services.section_add(concept=concept, title="Annex", body="A list of the partners.", user=users["drafter"])
    return concept_services.edition_create(
        concept=concept, name="Final draft", date=datetime.date(2026, 3, 5), is_final=True, user=users["manager"]
    )


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(outline_titles(item))
        else:
            titles.append(item.title)
    return titles


# --- The HTML ------------------------------------------------------------------------------------


def test_the_cover_names_the_concept_edition_partners_and_funding(concept, first_edition):
    html = documents.build_document(concept=concept, kind="pdf", edition=first_edition).html
    assert '<html lang="en">' in html
    assert "<title>National migration policy concept – First advanced draft</title>" in html
    assert '<meta name="author" content="International Centre for Migration Policy Development">' in html
    assert concept.project.title in html
    assert "20 January 2026" in html
    assert "This MPF project is implemented by ICMPD on behalf of the Republic of Belarus." in html
    assert "Funded by the European Union" in html
    assert "Funding instrument: AMIF – Asylum, Migration and Integration Fund" in html
    assert f'<img class="cover-logo" src="{static_url("img/mpf-logo.svg")}"' in html
    assert "DRAFT" not in html


def test_headings_carry_the_section_numbers_and_the_contents_link_to_them(concept, first_edition):
    html = documents.build_document(concept=concept, kind="pdf", edition=first_edition).html
    headings = re.findall(r'<h(\d) class="section-heading"><span class="number">([\d.]+)</span> ([^<]+)</h\d>', html)
    assert headings == [
        ("1", "1", "Introduction"),
        ("1", "2", "Background"),
        ("2", "2.1", "Legal framework"),
        ("3", "2.1.1", "Asylum law"),
        ("1", "3", "Objectives"),
    ]
    links = re.findall(r'<li class="level-\d"><a href="#(section-\d+)">', html)
    anchors = re.findall(r'<section class="section level-\d" id="(section-\d+)">', html)
    assert links == anchors and len(links) == 5


def test_the_draft_is_marked_as_a_draft_and_pinned_to_the_versions_requested(concept):
    document = documents.build_document(concept=concept, kind="draft")
    assert "DRAFT – not for circulation" in document.html  # in the margin of every page
    assert '<div class="watermark" aria-hidden="true">DRAFT</div>' in document.html
    assert "Not for circulation." in document.html
    assert [row[2] for row in document.draft_versions] == ["1", "2", "2.1", "2.1.1", "3"]


def test_the_same_content_has_the_same_hash_whatever_the_users_language(concept, first_edition):
    first = documents.build_document(concept=concept, kind="pdf", edition=first_edition)
    with translation.override("ru"):
        again = documents.build_document(concept=concept, kind="pdf", edition=first_edition)
    word = documents.build_document(concept=concept, kind="docx", edition=first_edition)
    assert first.content_hash == again.content_hash
    assert word.content_hash != first.content_hash  # same HTML, other options
    concept.title = "Renamed"
    concept.save()
    renamed = documents.build_document(concept=concept, kind="pdf", edition=first_edition)
    assert renamed.content_hash != first.content_hash


def test_user_text_cannot_bring_style_or_resources(concept):
    section_with_version(
        concept, position=9, title="Tricks",
        body='<style>body{display:none}</style><p style="color:red">x</p> ![i](http://127.0.0.1:1/i.png) '
             "[l](file:///etc/passwd) <link rel=stylesheet href=http://127.0.0.1:1/s.css>",
    )  # fmt: skip
    html = documents.build_document(concept=concept, kind="draft").html
    tree = lxml.html.document_fromstring(html)
    (section,) = [s for s in tree.iter("section") if "Tricks" in s.text_content()]
    assert not [e for e in section.iter() if e.tag in ("style", "link", "img", "object") or e.get("style")]
    assert not [e for e in section.iter("a") if not e.get("href", "").startswith("http")]
    assert "body{display:none}" in section.text_content()  # shown as text, not applied


def test_redline_marks_words_in_well_formed_html():
    html = str(documents.redline_html("- one item\n- old word\n\n# Title\n\nKeep.", "- one item\n- new word\n\nKeep."))
    assert "<li><del>old</del><ins>new</ins> word</li>" in html
    assert "<del>Title</del>" in html and "<h1>" in html  # a deleted heading stays a heading, struck through
    assert "\ue000" not in html and "\ue002" not in html
    table = str(documents.redline_html("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |"))
    assert "<td><ins>3</ins></td>" in table and "<ins>\n" not in table


def test_redline_keeps_footnotes_that_were_added_removed_or_reworded():
    added = str(documents.redline_html("Text here.", "Text here[^1].\n\n[^1]: A new note.", anchor="section-4"))
    assert '<li id="fn-section-4-1" class="footnote-item"><p><ins>A new note.</ins>' in added
    assert '<sup class="footnote-ref"><a href="#fn-section-4-1"' in added
    assert "[^1]" not in added
    removed = str(documents.redline_html("Text[^1].\n\n[^1]: Old note.", "Text.", anchor="section-4"))
    assert "<del>Old note.</del>" in removed and "[^1]" not in removed
    reworded = str(documents.redline_html("A[^1].\n\n[^1]: Old note.", "A[^1].\n\n[^1]: New note.", anchor="s"))
    assert "<del>Old</del><ins>New</ins> note." in reworded


# --- The PDF -------------------------------------------------------------------------------------


def test_pdf_contents_page_numbers_footer_bookmarks_and_metadata(concept, first_edition):
    document = documents.build_document(concept=concept, kind="pdf", edition=first_edition)
    data, page_count = render_pdf(document.html)
    pages = pdf_pages(data)
    assert page_count == len(pages) > 5

    contents = dict(re.findall(r"^([\d.]+ [A-Za-z ]+?) \.{3,}\s*(\d+)$", pages[1], flags=re.MULTILINE))
    assert list(contents) == [
        "1 Introduction",
        "2 Background",
        "2.1 Legal framework",
        "2.1.1 Asylum law",
        "3 Objectives",
    ]
    for heading, printed in contents.items():
        actual = next(n for n, text in enumerate(pages, start=1) if n > 2 and heading in re.sub(r"[ ]+", " ", text))
        assert int(printed) == actual, heading

    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {page_count}" in text
        assert "First advanced draft" in text and "National migration policy concept" in text
    assert "Page 1 of" not in pages[0]  # the cover has no footer

    reader = PdfReader(io.BytesIO(data))
    titles = outline_titles(reader.outline)
    for heading in contents:
        assert heading in titles
    assert reader.metadata.title == "National migration policy concept – First advanced draft"
    assert reader.metadata.author == "International Centre for Migration Policy Development"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_the_redline_marks_changed_words_flags_sections_and_sums_up(concept, first_edition, final_edition):
    document = documents.build_document(concept=concept, kind="redline_pdf", edition=final_edition,
                                        other_edition=first_edition)  # fmt: skip
    assert "<del>Obsoleteword</del>" in document.html and "<ins>Freshword</ins>" in document.html
    assert document.redline.counts == {"added": 1, "removed": 1, "changed": 1, "unchanged": 3}
    data, _pages = render_pdf(document.html)
    pages = pdf_pages(data)
    text = "\n".join(pages)
    assert "Obsoleteword" in text and "Freshword" in text
    assert "Summary of changes" in pages[2] or "Summary of changes" in pages[1]
    assert re.search(r"NEW\s*Annex", pages[1]) and re.search(r"REMOVED\s*Objectives", pages[1])
    assert re.search(r"CHANGED\s*Introduction", pages[1])
    # whichever edition is named first, the redline goes from the older to the newer
    other_way = documents.build_document(concept=concept, kind="redline_pdf", edition=first_edition,
                                         other_edition=final_edition)  # fmt: skip
    assert other_way.content_hash == document.content_hash


def test_a_redline_against_the_draft_is_marked_draft(concept, final_edition, users):
    concept_services.section_add(concept=concept, title="Late addition", body="Added after.", user=users["drafter"])
    document = documents.build_document(concept=concept, kind="redline_pdf", edition=final_edition, against_draft=True)
    assert "DRAFT – not for circulation" in document.html
    assert "<ins>Late addition</ins>" in document.html
    pages = pdf_pages(render_pdf(document.html)[0])
    assert all("DRAFT" in text for text in pages)


def test_every_page_of_a_draft_says_draft(concept):
    pages = pdf_pages(render_pdf(documents.build_document(concept=concept, kind="draft").html)[0])
    assert len(pages) > 3
    assert all("DRAFT – not for circulation" in text for text in pages)


def test_cyrillic_text_round_trips(project, users):
    concept = ConceptFactory(project=project, title="Концепция миграционной политики", language="ru")
    body = "Миграционная политика Республики Беларусь: ёмкость, щедрость."
    section_with_version(concept, title="Введение", body=body, author=users["drafter"])
    document = documents.build_document(concept=concept, kind="draft")
    assert '<html lang="ru">' in document.html
    data, _pages = render_pdf(document.html)
    text = "\n".join(pdf_pages(data))
    assert "Концепция миграционной политики" in text
    assert "Миграционная политика Республики Беларусь: ёмкость, щедрость." in text
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "ru"


def test_the_word_file_has_numbered_headings_a_contents_field_and_properties(concept, first_edition):
    import docx

    document = documents.build_document(concept=concept, kind="docx", edition=first_edition)
    data = render_docx(document)
    word = docx.Document(io.BytesIO(data))
    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        ("Heading 1", "1 Introduction"),
        ("Heading 1", "2 Background"),
        ("Heading 2", "2.1 Legal framework"),
        ("Heading 3", "2.1.1 Asylum law"),
        ("Heading 1", "3 Objectives"),
    ]
    assert word.core_properties.title == "National migration policy concept – First advanced draft"
    assert word.core_properties.language == "en"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert 'TOC \\o "1-3"' in xml
    assert "Obsoleteword stays here." in xml


# --- Only our own files are fetched ----------------------------------------------------------------


@pytest.fixture
def listener():
    """A local HTTP server on a free port that records every connection and request it gets."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def verify_request(self, request, client_address):
            seen.append(f"connection from {client_address[0]}")
            return True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    urllib.request.urlopen(f"http://127.0.0.1:{port}/control", timeout=5).read()  # noqa: S310 - the listener works
    assert "/control" in seen
    seen.clear()
    yield port, seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def no_sockets(monkeypatch):
    """Records (and refuses) every outgoing connection made while rendering."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("connections are not allowed while rendering")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    return attempts


def test_urls_in_section_text_are_never_fetched(concept, listener, no_sockets):
    port, seen = listener
    section_with_version(
        concept, position=9, title="Links and images",
        body=f"![secret](file:///etc/passwd) [passwd](file:///etc/passwd) ![local](http://127.0.0.1:{port}/img.png) "
             f"[local](http://127.0.0.1:{port}/link) ![remote](https://example.org/x.png) "
             f"<img src=http://127.0.0.1:{port}/raw.png>",
    )  # fmt: skip
    data, pages = render_pdf(documents.build_document(concept=concept, kind="draft").html)
    assert pages > 1 and data.startswith(b"%PDF")
    assert "root:" not in "\n".join(pdf_pages(data))
    assert seen == [] and no_sockets == []


def test_the_fetcher_refuses_everything_but_its_allow_list(listener, no_sockets):
    port, seen = listener
    local = f"http://127.0.0.1:{port}"
    html = f"""<html><head>
    <link rel="stylesheet" href="{static_url("css/concept-print.css")}">
    <link rel="stylesheet" href="{local}/sheet.css">
    <link rel="stylesheet" href="{STATIC_ORIGIN}css/portal.css">
    <link rel="stylesheet" href="{STATIC_ORIGIN}css/../css/concept-print.css">
    <style>@import url("{local}/import.css"); body {{ background: url("{local}/bg.png") }}
    @font-face {{ font-family: Leak; src: url("{local}/font.woff") }} p {{ font-family: Leak }}</style>
    </head><body>
    <img src="file:///etc/passwd"><img src="{local}/image.png"><img src="https://example.org/remote.png">
    <img src="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=">
    <img src="{static_url("img/mpf-logo.svg")}">
    <a rel="attachment" href="{local}/attachment.bin">attachment</a>
    <object data="{local}/object.svg"></object><p>Still rendered.</p>
    </body></html>"""
    fetcher = StaticOnlyURLFetcher()
    import weasyprint

    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render()
    data = document.write_pdf()
    assert "Still rendered." in pdf_pages(data)[0]
    assert seen == [] and no_sockets == []
    refused = set(fetcher.refused)
    expected = {"file:///etc/passwd", f"{local}/sheet.css", f"{local}/image.png", f"{local}/import.css",
                f"{local}/bg.png", "https://example.org/remote.png", f"{STATIC_ORIGIN}css/portal.css"}  # fmt: skip
    assert expected <= refused
    assert any(url.startswith("data:") for url in refused)
    assert static_url("img/mpf-logo.svg") not in refused and static_url("css/concept-print.css") not in refused
    assert render_pdf(html)[1] == 1  # our render_pdf, same refusals, no crash


# --- Jobs --------------------------------------------------------------------------------------------


def test_a_request_renders_once_and_a_duplicate_gets_the_same_job(
    concept, first_edition, users, eager, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    real = services.render_pdf
    monkeypatch.setattr(services, "render_pdf", lambda html: calls.append(1) or real(html))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1 and job.page_count > 5
    assert job.file.read().startswith(b"%PDF") and job.file_size == job.file.size
    assert job.filename == "national-migration-policy-concept-first-advanced-draft-en.pdf"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.render_job_request(kind="pdf", edition=first_edition, user=users["manager"])
    assert again.pk == job.pk and again.reused and callbacks == []
    assert calls == [1] and RenderJob.objects.count() == 1


def test_a_word_file_is_rendered_too(concept, first_edition, users, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.render_job_request(kind="docx", edition=first_edition, user=users["drafter"])
    job.refresh_from_db()
    assert job.status == "done" and job.filename.endswith(".docx") and job.page_count is None
    assert zipfile.ZipFile(job.file).read("word/document.xml")


def test_requests_are_validated(concept, first_edition, final_edition, users):
    other_concept_edition = Edition.objects.create(concept=ConceptFactory(), name="x", date=datetime.date(2026, 1, 1))
    bad = [
        {"kind": "pdf"},
        {"kind": "poster", "edition": first_edition},
        {"kind": "redline_pdf", "edition": final_edition},
        {"kind": "redline_pdf", "edition": final_edition, "other_edition": final_edition},
        {"kind": "redline_pdf", "edition": final_edition, "other_edition": first_edition, "against_draft": True},
        {"kind": "pdf", "edition": final_edition, "other_edition": first_edition},
        {"kind": "pdf", "edition": other_concept_edition},
        {"kind": "draft", "edition": final_edition},
    ]
    for arguments in bad:
        with pytest.raises(services.ValidationError):
            services.render_job_request(concept=concept, user=users["drafter"], **arguments)
    assert not RenderJob.objects.exists()


def test_a_pathological_document_fails_within_the_limit_and_the_process_goes_on(concept, users):
    section_with_version(concept, position=9, title="One very long word", body="x" * 60_000)
    job = services.render_job_request(kind="draft", concept=concept, user=users["drafter"])  # not sent: no commit
    finished = services.render_job_run(job_id=job.pk, time_limit=1.5)
    assert finished.status == "failed" and "took too long" in finished.error
    assert finished.finished_at and not finished.file
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_broken_renderer_fails_the_job_with_plain_words(concept, first_edition, users, monkeypatch):
    job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])

    def broken(html):
        raise AssertionError("layout bug")

    monkeypatch.setattr(services, "render_pdf", broken)
    finished = services.render_job_run(job_id=job.pk)
    assert finished.status == "failed" and "could not be rendered (AssertionError)" in finished.error


def test_a_storage_error_is_retried_then_fails_on_the_last_attempt(concept, first_edition, users, monkeypatch):
    job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    monkeypatch.setattr(services, "render_pdf", lambda html: (b"%PDF-1.7", 1))

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full_disk)
    with pytest.raises(OSError):
        services.render_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 1  # back in the queue for the task's retry
    services.render_job_run(job_id=job.pk, final_attempt=True)  # the task will not retry: the job fails
    job.refresh_from_db()
    assert job.status == "failed" and "temporary problem" in job.error and job.attempts == 2


def test_a_job_is_rendered_by_one_run_only(concept, first_edition, users, monkeypatch):
    job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    monkeypatch.setattr(services, "render_pdf", lambda html: (b"%PDF-1.7", 1))
    assert services.render_job_run(job_id=job.pk).status == "done"
    assert services.render_job_run(job_id=job.pk) is None  # a duplicate message does nothing
    RenderJob.objects.filter(pk=job.pk).update(status="running", started_at=datetime.datetime.now(datetime.UTC))
    assert services.render_job_run(job_id=job.pk) is None  # someone else is rendering it


@pytest.mark.django_db(transaction=True)  # commits for real, so the job is queued while the request runs
def test_when_the_broker_is_down_the_request_is_kept_and_sent_when_it_is_back(
    concept, first_edition, users, settings, client_for
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    client = client_for("drafter")
    url = reverse("concepts:edition_render_request", args=[concept.pk, first_edition.pk])
    response = client.post(url, {"kind": "pdf"}, follow=True)
    assert response.status_code == 200
    assert str(services.UNAVAILABLE_MESSAGE) in response.content.decode()
    assert "Waiting for the rendering service" in response.content.decode()
    job = RenderJob.objects.get()
    assert job.status == "queued" and job.queued_at is None

    result = services.render_jobs_requeue_stale()  # still down: nothing lost
    assert result.broker_down and result.sent == 0
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (in-process)
    assert services.render_jobs_requeue_stale().sent == 1
    job.refresh_from_db()
    assert job.status == "done" and job.queued_at is not None


def test_recovery_puts_back_jobs_of_dead_workers_and_gives_up_after_the_last_attempt(
    concept, first_edition, final_edition, users, monkeypatch
):
    sent = []
    monkeypatch.setattr(services, "enqueue", lambda job: sent.append(job.pk) or True)
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    interrupted = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    exhausted = services.render_job_request(kind="pdf", edition=final_edition, user=users["drafter"])
    recent = services.render_job_request(kind="docx", edition=final_edition, user=users["drafter"])
    RenderJob.objects.filter(pk=interrupted.pk).update(status="running", started_at=long_ago, attempts=1)
    RenderJob.objects.filter(pk=exhausted.pk).update(status="running", started_at=long_ago, attempts=4)
    RenderJob.objects.filter(pk=recent.pk).update(status="running", started_at=datetime.datetime.now(datetime.UTC))
    result = services.render_jobs_requeue_stale()
    assert (result.restarted, result.failed, result.sent) == (1, 1, 1)
    assert sent == [interrupted.pk]
    statuses = dict(RenderJob.objects.values_list("pk", "status"))
    assert statuses == {interrupted.pk: "queued", exhausted.pk: "failed", recent.pk: "running"}
    assert "interrupted too many times" in RenderJob.objects.get(pk=exhausted.pk).error


def test_the_requeue_command_reports(concept, first_edition, users, eager, capsys):
    services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])  # never sent (no commit)
    call_command("requeue_renders")
    assert "Sent 1, put back 0, failed 0 render job(s); queued 0 waiting e-mail(s)." in capsys.readouterr().out
    assert RenderJob.objects.get().status == "done"


def test_render_edition_command_writes_the_pdf_and_the_redline(concept, first_edition, final_edition, tmp_path):
    out = tmp_path / "final.pdf"
    call_command("render_edition", str(concept.pk), "Final draft", "--out", str(out))
    assert "Final draft" in pdf_pages(out.read_bytes())[0]
    redline = tmp_path / "redline.pdf"
    call_command("render_edition", str(concept.pk), "Final draft", "--out", str(redline),
                 "--redline-against", "First advanced draft")  # fmt: skip
    assert "Freshword" in "\n".join(pdf_pages(redline.read_bytes()))
    word = tmp_path / "final.docx"
    call_command("render_edition", str(concept.pk), "Final draft", "--out", str(word))
    assert zipfile.is_zipfile(word)


# --- Pages, access and links ----------------------------------------------------------------------


def test_the_list_of_files_polls_only_while_a_file_is_being_made(concept, first_edition, users, client_for):
    job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    client = client_for("reviewer")
    url = reverse("concepts:renders", args=[concept.pk])
    polling = client.get(url, {"edition": first_edition.pk}).content.decode()
    assert 'hx-trigger="every 2s"' in polling and f'hx-get="{url}?edition={first_edition.pk}"' in polling
    RenderJob.objects.filter(pk=job.pk).update(status="failed", error="The document could not be rendered.")
    done = client.get(url).content.decode()
    assert "hx-trigger" not in done and "The document could not be rendered." in done


def test_the_concept_and_edition_pages_offer_the_files(concept, first_edition, client_for):
    drafter = client_for("drafter")
    page = drafter.get(reverse("concepts:edition", args=[concept.pk, first_edition.pk])).content.decode()
    assert "PDF of this edition" in page and "Word file" in page and "Redline PDF" in page
    assert 'value="draft"' in page
    assert "PDF of the current draft" in drafter.get(concept.get_absolute_url()).content.decode()
    reviewer_page = client_for("reviewer").get(reverse("concepts:edition", args=[concept.pk, first_edition.pk]))
    assert "PDF of this edition" not in reviewer_page.content.decode()


def test_donors_download_the_published_final_edition_only(
    concept, first_edition, final_edition, users, client_for, eager, django_capture_on_commit_callbacks
):
    Concept.objects.filter(pk=concept.pk).update(status="published")
    concept.project.is_published = True
    concept.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        final = services.render_job_request(kind="pdf", edition=final_edition, user=users["drafter"])
        word = services.render_job_request(kind="docx", edition=final_edition, user=users["drafter"])
        earlier = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    donor = client_for("donor")
    response = donor.get(reverse("concepts:render_download", args=[concept.pk, final.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="national-migration-policy-concept-final-draft-en.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    for job in (word, earlier):
        assert donor.get(reverse("concepts:render_download", args=[concept.pk, job.pk])).status_code == 404
    assert donor.get(reverse("concepts:edition_pdf", args=[concept.pk, final_edition.pk])).status_code == 200
    listed = donor.get(reverse("concepts:renders", args=[concept.pk])).content.decode()
    assert f"/renders/{final.pk}/download/" in listed and f"/renders/{word.pk}/" not in listed
    # a visitor asks for the final PDF and gets the one already made
    anonymous = client_for("anonymous")
    asked = anonymous.post(reverse("concepts:edition_render_request", args=[concept.pk, final_edition.pk]),
                           {"kind": "pdf"})  # fmt: skip
    assert asked.status_code == 302 and RenderJob.objects.filter(kind="pdf", edition=final_edition).count() == 1


def test_outsiders_get_404_for_a_draft_concepts_files(concept, first_edition, users, client_for, eager):
    job = services.render_job_request(kind="pdf", edition=first_edition, user=users["drafter"])
    RenderJob.objects.filter(pk=job.pk).update(status="done", file="renders/x.pdf")
    for role in ("outsider", "anonymous", "donor", "other_drafter"):
        client = client_for(role)
        assert client.get(reverse("concepts:render_download", args=[concept.pk, job.pk])).status_code == 404
        assert client.get(reverse("concepts:renders", args=[concept.pk])).status_code == 404


def test_the_iati_file_links_the_published_final_pdf(concept, final_edition, users, settings, client_for, monkeypatch):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    Concept.objects.filter(pk=concept.pk).update(status="published")
    concept.project.is_published = True
    concept.project.save()
    job = services.render_job_request(kind="pdf", edition=final_edition, user=users["drafter"])
    monkeypatch.setattr(services, "render_pdf", lambda html: (b"%PDF-1.7", 1))
    services.render_job_run(job_id=job.pk)
    links = published_final_edition_links([concept.project])
    url = f"https://portal.example.org/concepts/{concept.pk}/editions/{final_edition.pk}/pdf/"
    assert links == {concept.project.pk: [{"url": url, "title": "National migration policy concept – Final draft",
                                           "format": "application/pdf", "language": "en",
                                           "date": datetime.date(2026, 3, 5)}]}  # fmt: skip
    xml = b"".join(client_for("anonymous").get(reverse("iati_activities")).streaming_content).decode()
    assert f'<document-link url="{url}" format="application/pdf">' in xml
