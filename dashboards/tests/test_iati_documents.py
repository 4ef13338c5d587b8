"""The public documents of a published project in its IATI activity: one `document-link` each."""

import datetime

import pytest
from django.urls import reverse

from documents.models import Visibility
from documents.tests.factories import stored_document, upload_document
from projects.tests.factories import ProjectFactory

from .test_iati import assert_valid, only_activity, project_file, schema  # noqa: F401  (schema: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_public_documents_are_document_links_with_category_languages_and_date(client, schema, settings):  # noqa: F811
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    project = ProjectFactory(is_published=True)
    public = upload_document(
        project,
        None,
        visibility=Visibility.PUBLIC,
        title="Presentation of the Final Draft Concept",
        category="A08",
        languages=["en", "ru"],
        document_date=datetime.date(2020, 2, 18),
    )
    stored_document(project, visibility=Visibility.DONORS, title="Financial report")
    stored_document(project, visibility=Visibility.TEAM, title="Internal notes")
    activity = only_activity(assert_valid(schema, project_file(client, project)))
    (link,) = activity.findall("document-link")
    assert link.get("url") == "https://portal.example.org" + reverse(
        "documents:download", args=[project.slug, public.pk]
    )
    assert link.get("format") == "application/pdf"
    assert link.find("title/narrative").text == "Presentation of the Final Draft Concept"
    assert link.find("category").get("code") == "A08"
    assert [language.get("code") for language in link.findall("language")] == ["en", "ru"]
    assert link.find("document-date").get("iso-date") == "2020-02-18"


def test_a_text_document_is_linked_with_a_plain_media_type(client, schema):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = ProjectFactory(is_published=True)
    upload_document(project, None, visibility=Visibility.PUBLIC, upload=SimpleUploadedFile("list.csv", b"a;b\n1;2\n"))
    (link,) = only_activity(assert_valid(schema, project_file(client, project))).findall("document-link")
    assert link.get("format") == "text/csv"
