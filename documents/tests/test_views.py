import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from audit.models import AuditEntry
from documents.models import Document, DocumentVersion, Visibility

from .corpus import EXECUTABLE, REAL, with_macros, word_bytes, zip_bomb
from .factories import PDF_BYTES, pdf_upload, stored_document, upload_document

pytestmark = pytest.mark.django_db


def upload_url(project):
    return reverse("documents:upload", args=[project.slug])


def form_data(upload, **fields):
    return {
        "upload": upload,
        "title": "Agenda of the fact-finding mission",
        "category": "A02",
        "languages": ["en", "ru"],
        "document_date": "2019-04-02",
        "visibility": "team",
        **fields,
    }


def stored_files(media_root) -> list[Path]:
    folder = Path(media_root) / "documents"
    return [path for path in folder.rglob("*") if path.is_file() and "access-matrix" not in path.parts]


def test_manager_uploads_to_an_activity_and_finds_it_listed(client_for, project):
    activity = ActivityFactory(project=project, title="Fact-finding mission")
    client = client_for("manager")
    response = client.post(upload_url(project), form_data(pdf_upload("Mission agenda.pdf"), activity=activity.pk))
    document = Document.objects.get()
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert (document.activity, document.language_codes, document.head.number) == (activity, ["en", "ru"], 1)
    assert document.head.content_type == "application/pdf"
    listed = client.get(reverse("documents:activity", args=[project.slug, activity.pk]))
    assert "Agenda of the fact-finding mission" in listed.content.decode()
    assert (
        "Agenda of the fact-finding mission"
        in client.get(reverse("documents:list", args=[project.slug])).content.decode()
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("agenda.pdf", EXECUTABLE, "Programs and scripts cannot be uploaded"),
        ("agenda.docx", zip_bomb(), "zip bomb"),
        ("agenda.docx", with_macros(word_bytes()), "Office files with macros cannot be uploaded"),
        ("agenda.docx", PDF_BYTES, "does not match its name ending .docx"),
    ],
)
def test_a_refused_file_shows_why_and_stores_nothing(client_for, project, settings, name, content, message):
    response = client_for("drafter").post(upload_url(project), form_data(SimpleUploadedFile(name, content)))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_a_path_in_the_file_name_never_reaches_the_storage(client_for, project, settings):
    upload = SimpleUploadedFile("../../../etc/agenda.pdf", PDF_BYTES)
    client_for("manager").post(upload_url(project), form_data(upload))
    version = DocumentVersion.objects.get()
    assert version.filename == "agenda.pdf"  # Django's parser keeps the base name only
    assert version.file.name.startswith(f"documents/{project.pk}/") and "agenda" not in version.file.name
    assert all(Path(settings.MEDIA_ROOT) in path.parents for path in stored_files(settings.MEDIA_ROOT))


def test_a_file_over_the_limit_is_refused_as_it_streams_in(client_for, project, settings):
    settings.DOCUMENTS_MAX_FILE_BYTES = 100_000
    big = SimpleUploadedFile("report.txt", b"a" * 100_001)
    response = client_for("manager").post(upload_url(project), form_data(big))
    assert response.status_code == 413
    assert "larger than the portal accepts" in response.content.decode()
    assert not Document.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_a_2_gb_upload_is_refused_before_its_body_is_read(client_for, project):
    response = client_for("manager").post(upload_url(project), form_data(pdf_upload()), CONTENT_LENGTH=str(2 * 1024**3))
    assert response.status_code == 413
    assert not Document.objects.exists()


def test_the_project_limit_counts_every_version(client_for, project, settings):
    settings.DOCUMENTS_MAX_PROJECT_BYTES = len(PDF_BYTES) * 2
    client = client_for("manager")
    for number in range(3):
        client.post(upload_url(project), form_data(pdf_upload(f"agenda-{number}.pdf")))
    assert DocumentVersion.objects.count() == 2
    response = client.post(upload_url(project), form_data(pdf_upload("one-too-many.pdf")))
    assert "documents would take more than" in response.content.decode()
    assert len(stored_files(settings.MEDIA_ROOT)) == 2


@pytest.mark.parametrize("role", ["reviewer", "donor"])
def test_reviewers_and_donors_may_not_upload(client_for, project, users, role, settings):
    document = upload_document(project, users["manager"])
    client = client_for(role)
    assert client.post(upload_url(project), form_data(pdf_upload())).status_code == 403
    version_url = reverse("documents:version_upload", args=[project.slug, document.pk])
    assert client.post(version_url, {"upload": pdf_upload()}).status_code == 403
    assert DocumentVersion.objects.count() == 1 and len(stored_files(settings.MEDIA_ROOT)) == 1


def test_a_new_version_becomes_the_head_and_the_old_one_stays_downloadable(client_for, project, users):
    document = upload_document(project, users["manager"], upload=pdf_upload("agenda.pdf", PDF_BYTES))
    client = client_for("drafter")
    second = PDF_BYTES.replace(b"Catalog", b"Catalog /Lang (ru)")
    response = client.post(
        reverse("documents:version_upload", args=[project.slug, document.pk]),
        {"upload": pdf_upload("agenda-v2.pdf", second)},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.head.number == 2 and document.versions.count() == 2
    newest = client.get(reverse("documents:download", args=[project.slug, document.pk]))
    oldest = client.get(reverse("documents:version_download", args=[project.slug, document.pk, 1]))
    assert b"".join(newest.streaming_content) == second
    assert b"".join(oldest.streaming_content) == PDF_BYTES
    page = client.get(document.get_absolute_url()).content.decode()
    assert "agenda-v2.pdf" in page and "agenda.pdf" in page


def test_download_is_an_attachment_with_the_detected_type_never_the_uploaders(client_for, project, users):
    html_as_text = SimpleUploadedFile("Заметки «встречи».txt", b"<script>alert(1)</script>", content_type="text/html")
    document = upload_document(project, users["manager"], upload=html_as_text)
    response = client_for("reviewer").get(reverse("documents:download", args=[project.slug, document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%D0%97%D0%B0%D0%BC%D0%B5%D1%82%D0%BA%D0%B8%20%C2%AB" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]


def test_a_quote_in_a_file_name_cannot_break_the_header(client_for, project, users):
    upload = SimpleUploadedFile('a"; filename="evil.html.pdf', PDF_BYTES)
    document = upload_document(project, users["manager"], upload=upload)
    response = client_for("manager").get(reverse("documents:download", args=[project.slug, document.pk]))
    assert response["Content-Disposition"] == 'attachment; filename="a\\"; filename=\\"evil.html.pdf"'


def test_downloads_of_non_public_documents_are_recorded_and_public_ones_are_not(client_for, published_project):
    team = stored_document(published_project, visibility=Visibility.TEAM)
    public = stored_document(published_project, visibility=Visibility.PUBLIC)
    client_for("reviewer").get(reverse("documents:download", args=[published_project.slug, team.pk]))
    client_for("anonymous").get(reverse("documents:download", args=[published_project.slug, public.pk]))
    entries = AuditEntry.objects.filter(kind="file_downloaded")
    assert [(entry.actor.username, entry.details["document"]) for entry in entries] == [("reviewer", team.pk)]


def test_a_public_download_may_be_kept_by_shared_caches_only_with_revalidation(client, published_project):
    public = stored_document(published_project, visibility=Visibility.PUBLIC)
    response = client.get(reverse("documents:download", args=[published_project.slug, public.pk]))
    assert response["Cache-Control"] == "public, no-cache"


def test_a_donor_asking_for_a_team_document_gets_404_and_sees_only_what_they_may(client_for, project):
    team = stored_document(project, visibility=Visibility.TEAM, title="Internal notes")
    stored_document(project, visibility=Visibility.DONORS, title="Financial report")
    client = client_for("donor")
    assert client.get(reverse("documents:download", args=[project.slug, team.pk])).status_code == 404
    listing = client.get(reverse("documents:list", args=[project.slug])).content.decode()
    assert "Financial report" in listing and "Internal notes" not in listing


def test_the_project_page_lists_the_public_documents_of_a_published_project_only(client, published_project, project):
    stored_document(published_project, visibility=Visibility.PUBLIC, title="Final Draft Concept presentation")
    stored_document(published_project, visibility=Visibility.DONORS, title="Financial report")
    page = client.get(published_project.get_absolute_url()).content.decode()
    assert "Final Draft Concept presentation" in page and "Financial report" not in page
    assert reverse("documents:list", args=[published_project.slug]) in page


def test_the_list_filters_by_category_language_and_date(client_for, project):
    stored_document(project, visibility=Visibility.TEAM, title="Agenda")
    report = stored_document(project, visibility=Visibility.TEAM, title="Research report")
    Document.objects.filter(pk=report.pk).update(
        category="A01", languages="ru,en", document_date=datetime.date(2019, 3, 1)
    )
    client = client_for("manager")

    def titles(**query):
        response = client.get(reverse("documents:list", args=[project.slug]), query)
        return [document.title for document in response.context["documents"]]

    assert titles(category="A01") == ["Research report"]
    assert titles(language="ru") == ["Research report"]
    assert titles(since="2019-04-01") == ["Agenda"]
    assert titles(until="2019-03-31") == ["Research report"]
    assert titles(category="Z99") == []  # an unreadable filter shows nothing rather than everything


def test_an_activity_of_another_project_cannot_be_chosen(client_for, project, other_project):
    elsewhere = ActivityFactory(project=other_project)
    response = client_for("manager").post(upload_url(project), form_data(pdf_upload(), activity=elsewhere.pk))
    assert response.status_code == 200 and not Document.objects.exists()


def test_drafters_are_not_offered_expenditure_they_may_not_see(client_for, project):
    assert "expenditure" not in client_for("drafter").get(upload_url(project)).context["form"].fields
    assert "expenditure" in client_for("manager").get(upload_url(project)).context["form"].fields


def test_the_document_list_has_a_fixed_number_of_queries(client_for, project, django_assert_max_num_queries):
    activity = ActivityFactory(project=project)
    for number in range(30):
        stored_document(project, visibility=Visibility.DONORS, title=f"Document {number}", activity=activity)
    client = client_for("reviewer")
    url = reverse("documents:list", args=[project.slug])
    with django_assert_max_num_queries(7):
        response = client.get(url, {"language": "en"})
    assert len(response.context["documents"]) == 30


def test_every_real_kind_round_trips_through_the_upload(client_for, project):
    client = client_for("manager")
    for name, content in REAL.items():
        response = client.post(upload_url(project), form_data(SimpleUploadedFile(name, content), title=name))
        assert response.status_code == 302, name
    for document in Document.objects.select_related("head"):
        response = client.get(reverse("documents:download", args=[project.slug, document.pk]))
        assert b"".join(response.streaming_content) == REAL[document.title]


def test_visitors_of_a_public_document_do_not_learn_who_uploaded_it(client_for, published_project, users):
    document = upload_document(published_project, users["manager"], visibility=Visibility.PUBLIC)
    users["manager"].first_name, users["manager"].last_name = "Martin", "Manager"
    users["manager"].save()
    assert "Martin Manager" not in client_for("anonymous").get(document.get_absolute_url()).content.decode()
    assert "Martin Manager" in client_for("reviewer").get(document.get_absolute_url()).content.decode()


def test_a_head_request_for_a_download_is_answered_without_a_body(client, published_project):
    public = stored_document(published_project, visibility=Visibility.PUBLIC)
    response = client.head(reverse("documents:download", args=[published_project.slug, public.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")


def test_the_pages_and_refusals_are_in_russian(client_for, project):
    client = client_for("manager")
    page = client.get(upload_url(project), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Загрузить документ" in page and "Цели / назначение деятельности" in page
    refused = client.post(
        upload_url(project), form_data(SimpleUploadedFile("agenda.pdf", EXECUTABLE)), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert "Программы и скрипты загружать нельзя." in refused.content.decode()
