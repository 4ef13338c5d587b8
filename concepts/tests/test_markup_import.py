"""Planning the import of a marked-up Word file (concepts.markup_import): the preview's content.

The files are the portal's own Word export of an edition, marked up here the way Word writes
tracked changes and comments (python-docx for the comments, w:ins / w:del runs by hand), in
English and in Russian, and a file from elsewhere with only headings.
"""

import datetime
import io

import docx
import pytest
from django.core.exceptions import ValidationError
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from concepts import services
from concepts.markup_import import markup_import_plan
from concepts.models import Comment, EditionEntry, Section
from concepts.rendering import documents
from concepts.rendering.render import render_docx
from concepts.rendering.tracked import build_tracked_document, render_tracked_docx
from concepts.tests.factories import ConceptFactory
from projects.models import Membership
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(project):
    anna = UserFactory(username="anna", first_name="Anna", last_name="Petrova", email="anna@example.org")
    Membership.objects.create(project=project, user=anna, role="drafter")
    concept = ConceptFactory(project=project, title="Концепция миграционной политики", language="ru")
    services.section_add(
        concept=concept,
        title="Введение",
        user=anna,
        body="Миграционная политика государства направлена на развитие.\n\nВторой абзац.",
    )
    services.section_add(concept=concept, title="Цели", user=anna, body="Цели остаются **прежними**.")
    services.section_add(concept=concept, title="Задачи", user=anna, body="Задачи. Задачи.")
    return services.edition_create(
        concept=concept, name="Первый проект", date=datetime.date(2019, 6, 1), is_final=False, user=anna
    )


def _run(kind: str, text: str, author: str, number: int) -> str:
    tag = "w:delText" if kind == "del" else "w:t"
    return (
        f'<w:{kind} {nsdecls("w")} w:id="{number}" w:author="{author}" w:date="2026-12-01T10:00:00Z">'
        f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r></w:{kind}>'
    )


def _paragraph(word, starts_with: str):
    return next(p for p in word.paragraphs if p.text.startswith(starts_with))


def _save(word) -> bytes:
    output = io.BytesIO()
    word.save(output)
    return output.getvalue()


def _marked_up_export(edition) -> bytes:
    """The edition's Word file after a reviewer's pass: a replacement, a deletion, comments."""
    document = documents.build_document(concept=edition.concept, kind="docx", edition=edition)
    word = docx.Document(io.BytesIO(render_docx(document)))
    first = _paragraph(word, "Миграционная политика")
    for run in list(first.runs):
        run._r.getparent().remove(run._r)
    first.add_run("Миграционная политика ")
    first._p.append(parse_xml(_run("del", "государства", "Anna Petrova", 901)))
    first._p.append(parse_xml(_run("ins", "Республики Беларусь", "Anna Petrova", 902)))
    first.add_run(" направлена на развитие.")
    word.add_comment(first.runs[0], text="Уточнить формулировку.", author="Ольга Внешняя", initials="ОВ")
    word.add_comment(first.runs[0], text="Согласна.", author="anna@example.org", initials="AP")
    goals = _paragraph(word, "Цели остаются")
    goals.add_run(" Их нет в тексте.")
    word.add_comment(goals.runs[-1], text="Откуда это?", author="Ольга Внешняя")
    tasks = _paragraph(word, "Задачи.")
    tasks._p.append(parse_xml(_run("ins", " Новые задачи.", "Ольга Внешняя", 903)))
    return _save(word)


def test_a_marked_up_export_plans_suggestions_and_comments_on_the_versions_it_showed(edition):
    concept = edition.concept
    data = _marked_up_export(edition)
    plan = markup_import_plan(concept=concept, data=data)
    assert plan.base == f"edition:{edition.pk}"
    introduction = Section.objects.get(concept=concept, head__title="Введение")
    frozen = EditionEntry.objects.get(edition=edition, section=introduction).version_id
    suggestion = next(item for item in plan.items if item.mode)
    assert (suggestion.section_id, suggestion.version_id) == (introduction.pk, frozen)
    assert (suggestion.mode, suggestion.quote, suggestion.suggested_text) == (
        Comment.SuggestionMode.REPLACE,
        "государства",
        "Республики Беларусь",
    )
    anna = concept.project.memberships.get(user__username="anna").user_id
    assert (suggestion.author.word_author, suggestion.author.author_id) == ("Anna Petrova", anna)
    comment = next(item for item in plan.items if item.author.text == "Уточнить формулировку.")
    assert (comment.quote, comment.author.author_id, comment.author.word_author) == (
        "Миграционная политика",
        None,
        "Ольга Внешняя",
    )
    assert [(r.text, r.author_id) for r in comment.replies] == [("Согласна.", anna)]
    # A comment on words the version does not have is kept without a quote, and reported.
    added = next(item for item in plan.items if item.author.text == "Откуда это?")
    assert added.quote == "" and added.section_id == Section.objects.get(head__title="Цели").pk
    # "Задачи." is twice in its section: the insertion after it gets more context, and is placed.
    tasks = next(item for item in plan.items if item.section_title == "Задачи")
    assert (tasks.mode, tasks.quote, tasks.suggested_text) == ("insert_after", "Задачи. Задачи.", " Новые задачи.")
    assert [why for _what, why in plan.problems] == [
        "The passage is not in the version the file showed. It is kept on its section without a quote."
    ]
    assert len({item.fingerprint for item in plan.items}) == len(plan.items)
    assert markup_import_plan(concept=concept, data=data).items == plan.items  # the same file: the same fingerprints


def test_a_file_from_elsewhere_is_placed_by_its_headings_and_the_rest_reported(edition):
    word = docx.Document()
    word.add_heading("1 ВВЕДЕНИЕ", level=1)
    paragraph = word.add_paragraph("Миграционная политика ")
    paragraph._p.append(parse_xml(_run("del", "государства", "Ольга", 1)))
    paragraph.add_run(" направлена на развитие.")
    word.add_heading("Приложение", level=1)
    appendix = word.add_paragraph("Текст приложения.")
    word.add_comment(appendix.runs[0], text="Лишнее.", author="Ольга")
    word.add_heading("Цели", level=1)
    goals = word.add_paragraph("Цели ")
    goals._p.append(parse_xml(_run("ins", "и задачи ", "Ольга", 2)))
    goals.add_run("остаются прежними.")
    plan = markup_import_plan(concept=edition.concept, data=_save(word))
    assert plan.base == ""
    assert [(item.section_title, item.mode, item.quote, item.suggested_text) for item in plan.items] == [
        ("Введение", "replace", "государства", ""),
        ("Цели", "insert_after", "Цели ", "и задачи "),
    ]
    assert plan.problems == [("Section “Приложение” (1 change or comment)", "No section has the title “Приложение”.")]


def test_a_file_of_another_concept_or_a_comparison_is_refused(edition, project):
    other = ConceptFactory(project=project)
    with pytest.raises(ValidationError, match="another concept"):
        markup_import_plan(concept=other, data=_marked_up_export(edition))
    concept = edition.concept
    tracked = render_tracked_docx(build_tracked_document(concept=concept, edition=edition, against_draft=True))
    with pytest.raises(ValidationError, match="comparison"):
        markup_import_plan(concept=concept, data=tracked)
