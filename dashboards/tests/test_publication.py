"""The public IATI file is written by a task after a change and served as a stored file: no visitor
waits for it to be written, and clients get its ETag, 304 and byte ranges."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from lxml import etree

from budgets import services as budget_services
from budgets.tests.factories import BudgetLineFactory
from common import generations
from dashboards import iati, publication
from dashboards.models import PublicFile
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

URL = reverse("iati_activities")


@pytest.fixture
def published(db):
    project = ProjectFactory(is_published=True, code="MPF-2019-BY")
    BudgetLineFactory(project=project, amount=Decimal("105000.00"))
    return project


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_file_is_served_from_storage_with_its_etag_and_answers_304(client, published, eager_celery):
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == iati.CONTENT_TYPE
    public = PublicFile.objects.get()
    assert response["ETag"] == f'"{public.etag}"' and response["Accept-Ranges"] == "bytes"
    content = body(response)
    assert len(content) == public.size and b"MPF-2019-BY" in content
    etree.fromstring(content)  # well-formed, whole
    again = client.get(URL, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_byte_range_is_answered_with_206_and_those_bytes(client, published, eager_celery):
    whole = body(client.get(URL))
    part = client.get(URL, headers={"Range": "bytes=10-109"})
    assert part.status_code == 206 and body(part) == whole[10:110]
    assert part["Content-Range"] == f"bytes 10-109/{len(whole)}" and part["Content-Length"] == "100"
    tail = client.get(URL, headers={"Range": "bytes=-20"})
    assert tail.status_code == 206 and body(tail) == whole[-20:]
    assert client.get(URL, headers={"Range": f"bytes={len(whole) + 5}-"}).status_code == 416


def test_an_open_ended_range_of_a_large_file_is_sent_a_chunk_at_a_time(client, eager_celery):
    # A file of several chunks (files._CHUNK): a range to its end is streamed, never read whole.
    for number in range(40):
        project = ProjectFactory(is_published=True, code=f"MPF-2020-{number:02}", summary="Study visits. " * 400)
        BudgetLineFactory(project=project, amount=Decimal("1000.00"))
    whole = body(client.get(URL))
    assert len(whole) > 3 * 64 * 1024
    part = client.get(URL, headers={"Range": "bytes=5-"})
    assert part.status_code == 206 and part.streaming
    chunks = list(part.streaming_content)
    assert b"".join(chunks) == whole[5:] and len(chunks) > 3 and max(map(len, chunks)) <= 64 * 1024
    assert part["Content-Length"] == str(len(whole) - 5)


def test_the_command_writes_the_file_when_the_data_changed_and_says_so(
    published, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    out = io.StringIO()
    call_command("write_iati_file", stdout=out)
    public = PublicFile.objects.get()
    assert "was written" in out.getvalue() and public.file.name in out.getvalue()
    out = io.StringIO()
    call_command("write_iati_file", stdout=out)
    assert "nothing written" in out.getvalue() and PublicFile.objects.get().etag == public.etag
    with django_capture_on_commit_callbacks(execute=True):
        generations.data_changed()
    call_command("write_iati_file", stdout=io.StringIO())
    assert PublicFile.objects.get().built_at > public.built_at


def test_with_workers_a_visitor_never_writes_the_file(client, published, settings, monkeypatch):
    publication.iati_public_file_build()
    settings.CELERY_TASK_ALWAYS_EAGER = False  # workers write it; a visitor only reads what is stored
    queued = []
    monkeypatch.setattr(publication, "iati_public_file_refresh", lambda: queued.append(1))
    monkeypatch.setattr(publication.iati, "activities_xml_chunks", lambda *a, **k: pytest.fail("written for a visitor"))
    generations._bump(generations.DASHBOARDS)  # the data changed: the workers will write it again
    response = client.get(URL)
    assert response.status_code == 200 and b"MPF-2019-BY" in body(response)
    assert queued == []


def test_a_change_through_the_services_is_in_the_file_once_written_again(
    client, published, eager_celery, django_capture_on_commit_callbacks
):
    assert b"MPF-2019-BY" in body(client.get(URL))
    first = PublicFile.objects.get()
    assert publication.iati_public_file_build() is None  # nothing changed: nothing written
    with django_capture_on_commit_callbacks(execute=True):
        budget_services.budget_line_create(
            project=published, category="travel", description="Study visit", amount=Decimal("20000.00")
        )
    content = body(client.get(URL))  # in-process tasks: written again on the next request
    second = PublicFile.objects.get()
    assert second.etag != first.etag and b"125000.00" in content
    assert not second.file.storage.exists(first.file.name)  # the older file is removed


def test_before_any_file_is_written_the_first_visitor_gets_it_streamed_and_a_write_is_asked_for(
    client, published, settings, monkeypatch
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued = []
    monkeypatch.setattr(publication, "iati_public_file_refresh", lambda: queued.append(1))
    response = client.get(URL)
    assert response.status_code == 200 and response.streaming and b"MPF-2019-BY" in body(response)
    assert queued == [1]


def test_a_file_older_than_its_time_limit_is_written_again(published, settings):
    first = publication.iati_public_file_build()
    assert publication.iati_public_file_build() is None
    settings.IATI_MAX_AGE_SECONDS = 0  # e.g. a final edition published since (no data generation moved)
    again = publication.iati_public_file_build()
    assert again is not None and again.built_at > first.built_at
    assert PublicFile.objects.get().file.name == again.file.name
