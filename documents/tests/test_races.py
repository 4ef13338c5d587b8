"""Uploads at the same moment, on PostgreSQL (whose row locks the services take)."""

import time

import pytest
from django.db import connection

from documents import services
from documents.filetypes import Refused
from documents.models import DocumentVersion
from documents.services import document_version_add
from tests.threads import race

from .factories import PDF_BYTES, pdf_upload, upload_document

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks"),
    pytest.mark.django_db(transaction=True),
]


def test_two_new_versions_at_once_get_two_numbers(project, users):
    document = upload_document(project, users["manager"])
    jobs = [
        lambda name=name: document_version_add(document=document, user=users["drafter"], upload=pdf_upload(name))
        for name in ("a.pdf", "b.pdf")
    ]
    results, errors = race(*jobs)
    assert not errors, errors
    assert sorted(version.number for version in results) == [2, 3]
    document.refresh_from_db()
    assert document.head.number == 3


def test_two_uploads_at_once_cannot_both_pass_the_project_limit(project, users, settings, monkeypatch):
    settings.DOCUMENTS_MAX_PROJECT_BYTES = len(PDF_BYTES) * 2
    digest = services._digest

    def slow_digest(upload):  # widens the gap between the check of the total and the new row
        time.sleep(0.5)
        return digest(upload)

    monkeypatch.setattr(services, "_digest", slow_digest)
    upload_document(project, users["manager"])
    jobs = [  # two new documents: only the project's row lock stands between them
        lambda name=name: upload_document(project, users["drafter"], upload=pdf_upload(name), title=name)
        for name in ("a.pdf", "b.pdf")
    ]
    results, errors = race(*jobs)
    assert len(results) == 1 and len(errors) == 1 and isinstance(errors[0], Refused)
    assert DocumentVersion.objects.filter(document__project=project).count() == 2
