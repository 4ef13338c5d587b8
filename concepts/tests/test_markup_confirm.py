"""Importing a marked-up Word file back (issue #17): upload → preview → confirm, through the pages.

The files are the portal's own Word export (of an edition, or of the draft), marked up here as Word
does it (w:ins / w:del runs, comments and replies written with python-docx) by project members and
by outside contributors, in Russian and in English; and a Word file from elsewhere.
"""

import datetime
import io
import threading

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from docx.oxml import parse_xml

from common.models import ImportJob
from concepts import markup_import, services
from concepts.models import Comment, EditionEntry, Section
from concepts.rendering import documents
from concepts.rendering.render import render_docx
from concepts.rendering.tracked import build_tracked_document, render_tracked_docx
from concepts.tests.docx_files import tiny_png_file
from concepts.tests.factories import ConceptFactory
from concepts.tests.test_markup_import import _marked_up_export, _paragraph, _run, _save
from concepts.tests.test_markup_import import edition as edition_fixture  # noqa: F401 - the fixture
from concepts.tests.word_revisions import comments as word_comments

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(eager_celery, django_capture_on_commit_callbacks):
    """`upload(client, concept, data)`: the file is read at once when the upload is committed, as a
    worker would read it; the job's page (the preview), followed."""

    def send(client, concept, data: bytes, name: str = "marked.docx"):
        url = reverse("concepts:markup_import", kwargs={"concept_id": concept.pk})
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"file": SimpleUploadedFile(name, data, content_type=DOCX)})
        assert response.status_code == 302, response.content
        return client.get(response["Location"])

    return send


@pytest.fixture
def edition(edition_fixture):  # noqa: F811 - the imported fixture, under its own name
    return edition_fixture


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _job(user) -> ImportJob:
    return ImportJob.objects.filter(user=user, kind=markup_import.JOB_MARKUP).latest("pk")


def _confirm(client, job):
    return client.post(job.page_url, follow=True)


@pytest.fixture
def manager_client(client, users, edition):
    from projects.models import Membership

    Membership.objects.get_or_create(project=edition.concept.project, user=users["manager"])
    client.force_login(users["manager"])
    return client


def test_a_marked_up_russian_export_becomes_suggestions_and_comments_once(manager_client, users, edition, upload):
    concept = edition.concept
    introduction = Section.objects.get(concept=concept, head__title="Введение")
    body_before = introduction.head.body
    data = _marked_up_export(edition)

    preview = upload(manager_client, concept, data).content.decode()
    # The preview: per section, the suggestion with its quote and wording, the comments with the Word
    # author and whom it maps to, and what cannot be placed, with why; nothing saved yet.
    assert 'Replace: <q lang="ru">государства</q>' in preview
    assert 'With: <q lang="ru">Республики Беларусь</q>' in preview
    assert "Anna Petrova (in Word) → Anna Petrova" in preview
    assert "Ольга Внешняя (in Word) → an outside contributor, imported by you" in preview
    assert "The passage is not in the version the file showed." in preview
    assert "Import 4 suggestions and comments" in preview
    assert not Comment.objects.filter(section__concept=concept).exists()

    job = _job(users["manager"])
    page = _confirm(manager_client, job).content.decode()
    assert "4 suggestions and comments were imported from the file." in page

    frozen = EditionEntry.objects.get(edition=edition, section=introduction).version
    anna = concept.project.memberships.get(user__username="anna").user
    suggestion = Comment.objects.get(section=introduction, suggestion_mode="replace")
    assert (suggestion.version, suggestion.author, suggestion.word_author) == (frozen, anna, "")
    assert (suggestion.quote, suggestion.suggested_text, suggestion.disposition) == (
        "государства",
        "Республики Беларусь",
        "open",
    )
    assert suggestion.body == "Правка, сделанная в Word в режиме исправлений."  # in the concept's language
    outside = Comment.objects.get(body="Уточнить формулировку.")
    assert (outside.author, outside.word_author, outside.quote) == (
        users["manager"],
        "Ольга Внешняя",
        "Миграционная политика",
    )
    assert [(reply.body, reply.author, reply.word_author) for reply in outside.replies.all()] == [
        ("Согласна.", anna, "")
    ]
    kept = Comment.objects.get(body="Откуда это?")
    assert (kept.quote, kept.section.head.title) == ("", "Цели")
    tasks = Comment.objects.get(section__head__title="Задачи")
    assert (tasks.suggestion_mode, tasks.suggested_text) == ("insert_after", " Новые задачи.")
    introduction.refresh_from_db()
    assert introduction.head.body == body_before  # nothing changes the text

    # The section page shows the Word author of an outside contributor, and who imported it.
    section_page = manager_client.get(
        reverse("concepts:section", kwargs={"concept_id": concept.pk, "section_id": introduction.pk})
    ).content.decode()
    manager_name = users["manager"].get_full_name() or users["manager"].username
    assert f"by Ольга Внешняя (from Word, imported by {manager_name})" in section_page

    # The disposition matrix and the next Word comparison name the Word author too.
    matrix = manager_client.get(reverse("concepts:dispositions_csv", kwargs={"concept_id": concept.pk}))
    assert f"Ольга Внешняя (from Word, imported by {manager_name})" in b"".join(matrix.streaming_content).decode(
        "utf-8-sig"
    )
    tracked = render_tracked_docx(build_tracked_document(concept=concept, edition=edition, against_draft=True))
    authors = {comment["text"].splitlines()[-1]: comment["author"] for comment in word_comments(tracked).values()}
    assert authors["Уточнить формулировку."] == "Ольга Внешняя"

    # The same job confirmed again, and the same file uploaded again: nothing new.
    count = Comment.objects.count()
    again = _confirm(manager_client, job).content.decode()
    assert "4 items had been imported already; nothing new was created for them." in again
    preview = upload(manager_client, concept, data).content.decode()
    assert preview.count("already imported") == 4
    assert "There is nothing new to import from this file." in preview
    _confirm(manager_client, _job(users["manager"]))
    assert Comment.objects.count() == count


def _english_concept(project, users):
    concept = ConceptFactory(project=project, title="Migration policy", language="en")
    services.section_add(
        concept=concept,
        title="Background",
        user=users["drafter"],
        body="The policy supports legal migration.\n\nA second paragraph.",
    )
    services.section_add(concept=concept, title="Objectives", user=users["drafter"], body="Objectives stay the same.")
    return concept


def test_an_english_export_of_an_edition_whose_text_moved_on_gives_suggestions_on_the_version_it_showed(
    client, users, project, upload, django_assert_max_num_queries
):
    concept = _english_concept(project, users)
    background = Section.objects.get(concept=concept, head__title="Background")
    shown = background.head
    edition = services.edition_create(
        concept=concept, name="First draft", date=datetime.date(2026, 11, 1), is_final=False, user=users["drafter"]
    )
    document = documents.build_document(concept=concept, kind="docx", edition=edition)
    word = docx.Document(io.BytesIO(render_docx(document)))
    first = _paragraph(word, "The policy supports")
    for run in list(first.runs):
        run._r.getparent().remove(run._r)
    first.add_run("The policy supports ")
    first._p.append(parse_xml(_run("del", "legal", "John Smith", 801)))
    first._p.append(parse_xml(_run("ins", "safe and legal", "John Smith", 802)))
    first.add_run(" migration.")
    drafter = users["drafter"]
    word.add_comment(first.runs[0], text="Which policy?", author=drafter.email)
    picture = _paragraph(word, "A second paragraph").insert_paragraph_before().add_run()
    picture.add_picture(tiny_png_file())
    word.add_comment(picture, text="A better map, please.", author="John Smith")
    data = _save(word)
    # The drafter edits the section after the export: the change is made on the version the file showed.
    services.section_save(
        section=background,
        user=drafter,
        title="Background",
        body="The policy supports legal migration.\n\nA second paragraph, edited.",
        base_number=shown.number,
    )
    client.force_login(drafter)
    upload(client, concept, data)
    with django_assert_max_num_queries(15):  # the preview's list: a fixed number of queries, whatever its length
        preview = client.get(_job(drafter).page_url).content.decode()
    assert "John Smith (in Word) → an outside contributor, imported by you" in preview
    # A comment on a picture: placed on the paragraph before it, and reported.
    assert "It is on a picture, so it is placed on the paragraph before it." in preview
    _confirm(client, _job(drafter))
    suggestion = Comment.objects.get(section=background, suggestion_mode="replace")
    assert (suggestion.version_id, suggestion.quote, suggestion.suggested_text) == (shown.pk, "legal", "safe and legal")
    assert (suggestion.author, suggestion.word_author) == (drafter, "John Smith")
    assert suggestion.body == "Change made in Word with Track Changes."
    comment = Comment.objects.get(body="Which policy?")
    assert (comment.author, comment.word_author) == (drafter, "")  # the e-mail is the drafter's
    background.refresh_from_db()
    assert background.head.number == shown.number + 1 and "safe" not in background.head.body
    picture_comment = Comment.objects.get(body="A better map, please.")
    assert (picture_comment.section, picture_comment.quote, picture_comment.word_author) == (
        background,
        "The policy supports legal migration.",
        "John Smith",
    )
    # Accepted, the suggestion made on the version the file showed is merged with the edit made since.
    accepted = services.suggestion_accept(comment=suggestion, user=drafter)
    assert accepted.version.body == "The policy supports safe and legal migration.\n\nA second paragraph, edited."


def test_a_word_file_from_elsewhere_is_placed_by_titles_and_the_rest_reported(client, users, project, upload):
    concept = _english_concept(project, users)
    word = docx.Document()
    word.add_heading("1. OBJECTIVES", level=1)
    objectives = word.add_paragraph("Objectives ")
    objectives._p.append(parse_xml(_run("ins", "and targets ", "Olga", 1)))
    objectives.add_run("stay the same.")
    word.add_heading("Annex", level=1)
    annex = word.add_paragraph("Annex text.")
    word.add_comment(annex.runs[0], text="Not needed.", author="Olga")
    client.force_login(users["drafter"])
    preview = upload(client, concept, _save(word), name="from-elsewhere.docx").content.decode()
    assert "not exported by the portal: matched by section titles" in preview
    assert "No section has the title “Annex”." in preview
    assert "Import 1 suggestion or comment" in preview
    _confirm(client, _job(users["drafter"]))
    created = Comment.objects.get(section__concept=concept)
    assert (created.section.head.title, created.suggestion_mode, created.quote, created.suggested_text) == (
        "Objectives",
        "insert_after",
        "Objectives ",
        "and targets ",
    )


def test_files_that_cannot_be_imported_are_refused_with_why(client, users, project, edition, upload):
    client.force_login(users["drafter"])
    concept = _english_concept(project, users)
    page = upload(client, concept, _marked_up_export(edition)).content.decode()
    assert "This file was exported from another concept." in page
    url = reverse("concepts:markup_import", kwargs={"concept_id": concept.pk})
    for name, data, why in [
        ("broken.docx", b"not a zip", "could not be read as a Word document"),
        ("notes.md", b"# Notes", "Upload a Word document (.docx)."),
    ]:
        page = client.post(url, {"file": SimpleUploadedFile(name, data)}).content.decode()
        assert why in page
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("reviewer", 403), ("donor", 404), ("outsider", 404)])
def test_those_who_may_not_draft_cannot_upload_or_confirm(client, users, project, role, status, upload):
    concept = _english_concept(project, users)
    client.force_login(users["drafter"])
    upload(client, concept, _save(docx.Document()))
    job = _job(users["drafter"])
    client.force_login(users[role])
    url = reverse("concepts:markup_import", kwargs={"concept_id": concept.pk})
    assert client.post(url, {"file": SimpleUploadedFile("m.docx", b"x")}).status_code == status
    assert client.post(job.page_url).status_code == status
    assert ImportJob.objects.get(pk=job.pk).confirmed_at is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_create_each_item_once(users, edition):
    concept = edition.concept
    plan = markup_import.markup_import_plan(concept=concept, data=_marked_up_export(edition))
    job = ImportJob(kind=markup_import.JOB_MARKUP, user=users["manager"], filename="m.docx", status="done")
    job.target = concept
    job.result = markup_import.plan_to_json(plan)
    job.save()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(markup_import.markup_import(concept=concept, job=job, user=users["manager"]))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted((len(result.created), len(result.already)) for result in results) == [(0, 4), (4, 0)]
    assert Comment.objects.filter(section__concept=concept, parent=None).count() == 4


def test_a_change_that_ends_inside_formatted_text_is_reported_in_the_preview(users, project):
    concept = ConceptFactory(project=project, title="Migration policy", language="en")
    services.section_add(
        concept=concept, title="Objectives", user=users["drafter"], body="Objectives **stay the same** now."
    )
    edition = services.edition_create(
        concept=concept, name="First draft", date=datetime.date(2026, 11, 1), is_final=False, user=users["drafter"]
    )
    word = docx.Document(
        io.BytesIO(render_docx(documents.build_document(concept=concept, kind="docx", edition=edition)))
    )
    paragraph = _paragraph(word, "Objectives stay")
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph._p.append(parse_xml(_run("del", "Objectives stay", "John Smith", 601)))
    paragraph._p.append(parse_xml(_run("ins", "Goals remain", "John Smith", 602)))
    paragraph.add_run(" the same now.")
    plan = markup_import.markup_import_plan(concept=concept, data=_save(word))
    assert plan.items == []
    assert [why for _what, why in plan.problems] == [
        "The change starts or ends inside formatted text (bold, italic, code or a link), so it cannot be offered as "
        "a suggestion. Make it by hand, or have it marked on whole formatted phrases."
    ]


def test_a_comment_on_a_table_is_placed_on_the_words_it_marks_and_reported(users, project):
    concept = ConceptFactory(project=project, title="Migration policy", language="en")
    body = "Objectives stay the same.\n\n| Target | Year |\n| --- | --- |\n| Ten centres | 2027 |"
    services.section_add(concept=concept, title="Objectives", user=users["drafter"], body=body)
    edition = services.edition_create(
        concept=concept, name="First draft", date=datetime.date(2026, 11, 1), is_final=False, user=users["drafter"]
    )
    word = docx.Document(
        io.BytesIO(render_docx(documents.build_document(concept=concept, kind="docx", edition=edition)))
    )
    cell = word.tables[0].cell(1, 0).paragraphs[0]
    word.add_comment(cell.runs[0], text="Which centres?", author="John Smith")
    plan = markup_import.markup_import_plan(concept=concept, data=_save(word))
    assert [(item.quote, item.author.text) for item in plan.items] == [("Ten centres", "Which centres?")]
    assert [why for _what, why in plan.problems] == ["It is on a table, so it is placed on the table's words it marks."]


def test_a_word_author_is_matched_only_to_a_member_who_may_comment(project):
    from projects.models import Role
    from projects.tests.factories import MembershipFactory, UserFactory

    reviewer = UserFactory(username="rita", first_name="Rita", last_name="Novak")
    donor = UserFactory(username="dora", first_name="Dora", last_name="Funder")
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    MembershipFactory(project=project, user=donor, role=Role.DONOR)
    people = markup_import._People(ConceptFactory(project=project))
    assert people("Rita Novak") == reviewer.pk
    # A donor may not comment: a comment signed with their name stays an outside contributor's.
    assert people("Dora Funder") is None and people("dora") is None
