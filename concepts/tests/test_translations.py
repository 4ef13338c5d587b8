"""Parallel-language concepts: each section has a history per language; a translation knows the
source version it translates, and shows as out of date once the source moves on."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from concepts import selectors, services
from concepts.models import Comment, EditionEntry, Section, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

SOURCE = "Migration shapes the economy.\n\nAsylum procedures must be fair."
RUSSIAN = "Миграция влияет на экономику.\n\nПроцедуры убежища должны быть справедливыми."


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, language="en", target_languages=["ru"])


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Migration and development", body=SOURCE, author=users["drafter"])


def fresh(section):
    section = Section.objects.select_related("head", "concept").get(pk=section.pk)
    return section


def translate(section, user, body=RUSSIAN, *, base=0, source=None, title="Миграция и развитие"):
    section = fresh(section)
    return services.section_save(section=section, base_number=base, title=title, body=body, user=user,
                                 language="ru", source_number=source or section.head.number)  # fmt: skip


def edit_source(section, user, body):
    section = fresh(section)
    return services.section_save(section=section, base_number=section.head.number, title=section.head.title,
                                 body=body, user=user)  # fmt: skip


def state(section):
    section = fresh(section)
    return selectors.translation_state(section=section, language="ru")


# --- the out-of-date logic ------------------------------------------------------------------


def test_a_section_without_translation_is_missing(section):
    assert state(section).status == "missing"


def test_a_translation_of_the_current_source_is_up_to_date(section, users):
    result = translate(section, users["drafter"])
    assert result.version.language == "ru" and result.version.number == 1
    assert result.version.source_version == fresh(section).head
    assert state(section).status == "up_to_date"


def test_editing_the_source_after_the_translation_marks_it_out_of_date(section, users):
    translate(section, users["drafter"])
    edit_source(section, users["drafter"], SOURCE + "\n\nReturn must be voluntary.")
    current = state(section)
    assert current.status == "out_of_date"
    assert current.translated_from.number == 1 and fresh(section).head.number == 2


def test_updating_the_translation_against_the_new_source_brings_it_up_to_date(section, users):
    translate(section, users["drafter"])
    edit_source(section, users["drafter"], SOURCE + "\n\nReturn must be voluntary.")
    translate(section, users["drafter"], RUSSIAN + "\n\nВозвращение должно быть добровольным.", base=1)
    assert state(section).status == "up_to_date"


def test_confirming_an_unchanged_translation_against_a_new_source_writes_a_version(section, users):
    translate(section, users["drafter"])
    edit_source(section, users["drafter"], SOURCE.replace("fair", "fair and swift"))
    result = translate(section, users["drafter"], base=1)
    assert result.version.number == 2 and state(section).status == "up_to_date"


def test_a_translation_saved_against_a_source_that_changed_meanwhile_is_saved_and_out_of_date(section, users):
    opened_at = fresh(section).head.number
    edit_source(section, users["manager"], SOURCE + "\n\nA new paragraph.")
    result = translate(section, users["drafter"], source=opened_at)
    assert result.version is not None and result.version.source_version.number == opened_at
    assert state(section).status == "out_of_date"


# --- histories per language -----------------------------------------------------------------


def test_each_language_counts_its_own_versions_and_the_source_head_stays(section, users):
    translate(section, users["drafter"])
    translate(section, users["drafter"], RUSSIAN.replace("справедливыми", "честными"), base=1)
    edit_source(section, users["drafter"], SOURCE + " Always.")
    numbers = sorted(SectionVersion.objects.filter(section=section).values_list("language", "number"))
    assert numbers == [("en", 1), ("en", 2), ("ru", 1), ("ru", 2)]
    assert fresh(section).head.language == "en"


def test_two_translators_saving_from_the_same_base_merge_or_conflict_but_never_overwrite(section, users):
    translate(section, users["drafter"])
    first = translate(section, users["drafter"], RUSSIAN.replace("экономику", "хозяйство"), base=1)
    second = translate(section, users["manager"], RUSSIAN.replace("справедливыми", "честными"), base=1)
    assert first.version.number == 2 and second.merged and second.version.number == 3
    assert "хозяйство" in second.version.body and "честными" in second.version.body


def test_a_translation_into_a_language_the_concept_is_not_kept_in_is_refused(section, users):
    with pytest.raises(ValidationError):
        services.section_save(section=fresh(section), base_number=0, title="x", body="y", user=users["drafter"],
                              language="de", source_number=1)  # fmt: skip


def test_history_and_comparison_show_one_language(client_for, concept, section, users):
    translate(section, users["drafter"])
    translate(section, users["drafter"], RUSSIAN.replace("справедливыми", "честными"), base=1)
    client = client_for("reviewer")
    history = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/history/", {"language": "ru"})
    assert "2 versions<" in history.content.decode()
    source_history = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/history/").content.decode()
    assert "1 version<" in source_history
    compare = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/compare/", {"language": "ru"})
    page = compare.content.decode()
    assert "<del>справедливыми</del>" in page and "<ins>честными</ins>" in page


# --- pages ----------------------------------------------------------------------------------


def test_the_section_page_shows_the_translation_and_its_state(client_for, concept, section, users):
    translate(section, users["drafter"])
    edit_source(section, users["drafter"], SOURCE + "\n\nReturn must be voluntary.")
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/", {"language": "ru"})
    text = page.content.decode()
    assert "Процедуры убежища должны быть справедливыми." in text and "Asylum procedures" not in text
    assert "Out of date" in text
    assert f"/concepts/{concept.pk}/sections/{section.pk}/compare/?from=1&amp;to=2" in text


def test_a_missing_translation_says_so(client_for, concept, section):
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/", {"language": "ru"})
    assert page.status_code == 200
    assert "This section has not been translated into Russian yet." in page.content.decode()


@pytest.mark.parametrize("code", ["xx", "de", "", "ru<script>", "EN"])
def test_an_unsupported_language_in_the_url_falls_back_to_the_source(client_for, concept, section, code):
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/", {"language": code})
    assert page.status_code == 200 and "Asylum procedures must be fair." in page.content.decode()


def test_the_side_by_side_editor_pairs_paragraphs_and_saves_them_as_one_text(client_for, concept, section):
    client = client_for("drafter")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/translate/ru/"
    page = client.get(url).content.decode()
    assert "Migration shapes the economy." in page and "Asylum procedures must be fair." in page
    assert "Translation of paragraph 1" in page and "Translation of paragraph 3" in page  # one more, to add
    response = client.post(url, {
        "base_number": 0, "source_number": 1, "paragraphs": 3, "title": "Миграция и развитие",
        "paragraph_0": "Миграция влияет на экономику.", "paragraph_1": "", "paragraph_2": "Новый абзац.",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"].endswith("?language=ru")
    head = selectors.section_head(section=fresh(section), language="ru")
    assert head.body == "Миграция влияет на экономику.\n\nНовый абзац."
    assert head.source_version.number == 1 and head.author.username == "drafter"
    again = client.get(url).content.decode()
    assert "Миграция влияет на экономику." in again


def test_the_side_by_side_editor_marks_a_translation_whose_source_moved_on(client_for, concept, section, users):
    client = client_for("drafter")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/translate/ru/"
    client.get(url)
    edit_source(section, users["manager"], SOURCE + "\n\nA paragraph added meanwhile.")
    response = client.post(url, {"base_number": 0, "source_number": 1, "paragraphs": 1, "title": "Миграция",
                                 "paragraph_0": "Текст."}, follow=True)  # fmt: skip
    text = response.content.decode()
    assert "The source text changed while you were translating" in text and "Out of date" in text


def test_an_unknown_language_in_the_translate_url_goes_to_a_language_of_the_concept(client_for, concept, section):
    response = client_for("drafter").get(f"/concepts/{concept.pk}/sections/{section.pk}/translate/xx/")
    assert response.status_code == 302 and response["Location"].endswith(f"/sections/{section.pk}/translate/ru/")


def test_an_unsupported_language_in_the_edit_form_saves_the_source(client_for, concept, section):
    response = client_for("drafter").post(
        f"/concepts/{concept.pk}/sections/{section.pk}/edit/",
        {"base_number": 1, "title": "Migration", "body": "New source.", "language": "xx", "source_number": 1},
    )
    assert response.status_code == 302
    head = fresh(section).head
    assert head.language == "en" and head.body == "New source."


def test_reviewers_may_read_translations_but_not_translate(client_for, concept, section):
    response = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/translate/ru/")
    assert response.status_code == 403


def test_the_translations_page_counts_each_state(client_for, concept, section, users):
    other = section_with_version(concept, title="Asylum", body="Protection.", author=users["drafter"], position=2)
    third = section_with_version(concept, title="Integration", body="Inclusion.", author=users["drafter"], position=3)
    translate(section, users["drafter"])
    translate(other, users["drafter"], "Защита.")
    edit_source(other, users["drafter"], "Protection for all.")
    page = client_for("drafter").get(f"/concepts/{concept.pk}/translations/").content.decode()
    assert "1 up to date, 1 out of date, 1 missing" in page
    assert f"/concepts/{concept.pk}/sections/{third.pk}/translate/ru/" in page


def test_managers_choose_the_languages_and_others_may_not(client_for, concept):
    url = f"/concepts/{concept.pk}/translations/"
    assert client_for("drafter").post(url, {"target_languages": []}).status_code == 403
    response = client_for("manager").post(url, {"target_languages": ["en"]})  # the source itself: refused
    assert response.status_code == 200
    concept.refresh_from_db()
    assert concept.target_languages == ["ru"]
    client_for("manager").post(url, {})
    concept.refresh_from_db()
    assert concept.target_languages == []


def test_a_new_concept_can_be_created_with_its_translation_languages(client_for, project):
    data = {"title": "Концепция", "language": "en", "target_languages": ["ru"]}
    response = client_for("manager").post(f"/projects/{project.slug}/concepts/", data)
    assert response.status_code == 302
    assert project.concepts.get(title="Концепция").target_languages == ["ru"]


# --- comments, suggestions and editions per language ------------------------------------------


def test_comments_stay_with_the_language_they_were_made_on(client_for, concept, section, users):
    translate(section, users["drafter"])
    client = client_for("reviewer")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/comments/"
    client.post(url, {"body": "Уточнить термин.", "version_number": 1, "language": "ru"})
    client.post(url, {"body": "Clarify the term.", "version_number": 1})
    ru_comment = Comment.objects.get(body="Уточнить термин.")
    assert ru_comment.version.language == "ru"
    russian = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/", {"language": "ru"}).content.decode()
    english = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    assert "Уточнить термин." in russian and "Clarify the term." not in russian
    assert "Clarify the term." in english and "Уточнить термин." not in english


def test_a_translations_comment_links_to_the_translation_version_that_incorporated_it(client_for, concept, section,
                                                                                      users):  # fmt: skip
    translate(section, users["drafter"])
    ru_head = selectors.section_head(section=fresh(section), language="ru")
    comment = services.comment_add(section=fresh(section), version=ru_head, author=users["reviewer"], body="x",
                                   notify=False)  # fmt: skip
    second = translate(section, users["drafter"], RUSSIAN + "\n\nНовый абзац.", base=1).version
    services.comment_set_disposition(comment=comment, disposition="incorporated", incorporated_in=second,
                                     user=users["manager"], notify=False)  # fmt: skip
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/sections/{section.pk}/", {"language": "ru"})
    link = f'href="/concepts/{concept.pk}/sections/{section.pk}/versions/2/?language=ru"'
    assert link in page.content.decode()
    assert client_for("reviewer").get(link[6:-1]).context["version"] == second


def test_incorporated_must_name_a_version_in_the_comments_language(section, users):
    translate(section, users["drafter"])
    ru_head = selectors.section_head(section=fresh(section), language="ru")
    comment = services.comment_add(section=fresh(section), version=ru_head, author=users["reviewer"], body="x",
                                   notify=False)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.comment_set_disposition(
            comment=comment,
            disposition="incorporated",
            incorporated_in=fresh(section).head,
            user=users["manager"],
            notify=False,
        )
    assert "incorporated_in" in error.value.message_dict


def test_accepting_a_suggestion_on_a_translation_writes_a_translation_version(section, users):
    translate(section, users["drafter"])
    ru_head = selectors.section_head(section=fresh(section), language="ru")
    comment = services.comment_add(
        section=fresh(section), version=ru_head, author=users["reviewer"], body="Точнее.", quote="справедливыми",
        suggestion_mode="replace", suggested_text="честными и быстрыми", notify=False,
    )  # fmt: skip
    result = services.suggestion_accept(comment=comment, user=users["manager"])
    assert result.version.language == "ru" and result.version.number == 2
    assert "честными и быстрыми" in result.version.body
    assert fresh(section).head.number == 1  # the source is untouched
    assert state(section).status == "up_to_date"


def test_editions_freeze_every_language(client_for, concept, section, users):
    untranslated = section_with_version(concept, title="Annex", body="Tables.", author=users["drafter"], position=2)
    translate(section, users["drafter"])
    edition = services.edition_create(concept=concept, name="First advanced draft", date=datetime.date(2019, 6, 1),
                                      is_final=False, user=users["manager"])  # fmt: skip
    entries = set(EditionEntry.objects.filter(edition=edition).values_list("section_id", "language"))
    assert entries == {(section.pk, "en"), (untranslated.pk, "en"), (section.pk, "ru")}
    translate(section, users["drafter"], "Позже изменённый текст.", base=1)
    page = client_for("reviewer").get(f"/concepts/{concept.pk}/editions/{edition.pk}/", {"language": "ru"})
    text = page.content.decode()
    assert "Процедуры убежища должны быть справедливыми." in text and "Позже изменённый текст." not in text


def test_the_disposition_matrix_names_each_comments_language(client_for, concept, section, users):
    translate(section, users["drafter"])
    ru_head = selectors.section_head(section=fresh(section), language="ru")
    services.comment_add(section=fresh(section), version=ru_head, author=users["reviewer"], body="Уточнить.",
                         notify=False)  # fmt: skip
    services.comment_add(section=fresh(section), version=fresh(section).head, author=users["reviewer"],
                         body="Clarify.", notify=False)  # fmt: skip
    client = client_for("manager")
    page = client.get(f"/concepts/{concept.pk}/dispositions/").content.decode()
    assert f"/sections/{section.pk}/?language=ru#comment-" in page and ">Russian</span>" in page
    csv_text = b"".join(client.get(f"/concepts/{concept.pk}/dispositions.csv").streaming_content).decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].endswith(",language")
    assert any("Уточнить." in line and line.endswith(",ru") for line in lines)
    assert any("Clarify." in line and line.endswith(",en") for line in lines)


def test_concept_pages_name_the_project_in_the_readers_language(client_for, concept, section, project):
    project.title_ru = "Проект по миграционной политике"
    project.save()
    client = client_for("reviewer")
    client.cookies["django_language"] = "ru"
    assert (
        "Проект по миграционной политике"
        in client.get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    )
    assert "Проект по миграционной политике" in client.get(f"/projects/{project.slug}/concepts/").content.decode()
    client.cookies["django_language"] = "en"
    page = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/").content.decode()
    assert project.title in page and "Проект по миграционной политике" not in page
