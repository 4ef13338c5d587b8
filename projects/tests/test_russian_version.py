"""The Russian version of a project's facts: shown on Russian pages where it is given, with the
English text in its place where it is not, and never on English pages."""

import pytest
from django.core.management import call_command

from activities.demo import SEED_ACTIVITIES
from activities.models import Activity
from projects.demo import SEED_SLUG
from projects.models import Project
from projects.tests.test_manage import project_form

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"
RUSSIAN = {
    "title_ru": "Данные о трудовой миграции",
    "thematic_area_ru": "Трудовая миграция и мобильность",
    "summary_ru": "Проект помогает **службам занятости** обмениваться данными.",
}


def _get(client, url, language):
    client.cookies[LANGUAGE_COOKIE] = language
    return client.get(url).content.decode()


@pytest.fixture
def translated_project(published_project):
    published_project.thematic_area = "Labour migration and mobility"
    published_project.summary = "Helps the **employment services** share data."
    for name, value in RUSSIAN.items():
        setattr(published_project, name, value)
    published_project.save()
    return published_project


def test_the_public_page_in_russian_shows_the_russian_title_summary_and_thematic_area(client, translated_project):
    page = _get(client, translated_project.get_absolute_url(), "ru")
    assert "<title>Данные о трудовой миграции" in page
    assert "<h1>Данные о трудовой миграции</h1>" in page
    assert "Трудовая миграция и мобильность" in page
    assert "Проект помогает <strong>службам занятости</strong> обмениваться данными." in page
    assert "The public project" not in page
    assert "employment services" not in page
    assert "Labour migration and mobility" not in page


def test_a_project_without_a_russian_version_shows_its_english_text_in_russian(client, published_project):
    published_project.summary = "Helps the **employment services** share data."
    published_project.save()
    page = _get(client, published_project.get_absolute_url(), "ru")
    assert '<html lang="ru">' in page
    assert "<h1>The public project</h1>" in page
    assert "Helps the <strong>employment services</strong> share data." in page


def test_each_field_falls_back_on_its_own(client, published_project):
    published_project.title_ru = "Данные о трудовой миграции"
    published_project.summary = "Helps the employment services share data."
    published_project.save()
    page = _get(client, published_project.get_absolute_url(), "ru")
    assert "<h1>Данные о трудовой миграции</h1>" in page
    assert "Helps the employment services share data." in page


@pytest.mark.parametrize("language", ["en", None])
def test_the_english_page_never_shows_the_russian_text(client, translated_project, language):
    if language:
        client.cookies[LANGUAGE_COOKIE] = language
    for url in [translated_project.get_absolute_url(), "/projects/"]:
        page = client.get(url).content.decode()
        assert "The public project" in page
        for russian in ["Данные о трудовой миграции", "Трудовая миграция", "службам занятости"]:
            assert russian not in page, (url, russian)


def test_the_russian_summary_is_sanitised_like_the_english_one(client, published_project):
    published_project.summary_ru = "Привет <script>alert(1)</script> [ссылка](javascript:alert(1))"
    published_project.save()
    page = _get(client, published_project.get_absolute_url(), "ru")
    assert "Привет" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'href="javascript' not in page.lower()


def test_the_project_list_in_russian_shows_russian_titles_and_english_where_there_is_none(
    client, translated_project, other_project
):
    other_project.is_published = True
    other_project.save()
    page = _get(client, "/projects/", "ru")
    assert "Данные о трудовой миграции" in page
    assert "The public project" not in page
    assert "Another project" in page


def test_the_project_list_search_finds_a_project_by_its_russian_title(client, translated_project, other_project):
    other_project.is_published = True
    other_project.save()
    page = _get(client, "/projects/?q=трудовой", "ru")
    assert "Данные о трудовой миграции" in page
    assert "Another project" not in page


def test_staff_create_a_project_with_its_russian_version(client_for):
    response = client_for("staff").post("/projects/new/", project_form(**RUSSIAN))
    assert response.status_code == 302
    project = Project.objects.get(code="MPF-NEW-01")
    assert (project.title_ru, project.thematic_area_ru, project.summary_ru) == tuple(RUSSIAN.values())


def test_a_manager_edits_the_russian_version_and_may_empty_it(client_for, project):
    client = client_for("manager")
    data = project_form(code=project.code, slug=project.slug, title="The project", title_ru="Проект")
    assert client.post(f"/projects/{project.slug}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.title_ru == "Проект"
    data["title_ru"] = ""
    assert client.post(f"/projects/{project.slug}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.title_ru == ""


def test_the_project_form_groups_the_russian_fields_and_explains_the_fallback(client_for, project):
    page = client_for("staff").get(f"/projects/{project.slug}/edit/").content.decode()
    start = page.index("<fieldset")
    fieldset = page[start : page.index("</fieldset>", start)]
    assert "Russian version (optional)" in fieldset
    for name in ["title_ru", "thematic_area_ru", "summary_ru"]:
        assert f'name="{name}"' in fieldset
    assert 'name="title"' not in fieldset
    assert "Where it is empty, readers of the Russian pages see the English text." in fieldset
    assert 'lang="ru"' in fieldset


def test_the_seed_project_has_a_russian_version_with_one_english_fallback(client):
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent: no second set of activities
    seed = Project.objects.get(slug=SEED_SLUG)
    assert seed.activities.count() == len(SEED_ACTIVITIES)
    page = _get(client, f"/projects/{SEED_SLUG}/", "ru")
    assert "<h1>Содействие разработке Концепции национальной миграционной политики в Республике Беларусь</h1>" in page
    assert "Совместной декларации о партнёрстве по вопросам мобильности" in page
    assert "Миссия по сбору информации в Беларусь" in page
    consultation = seed.activities.get(kind=Activity.Kind.CONSULTATION)
    assert consultation.title_ru and not consultation.description_ru
    assert consultation.title_ru in page
    assert consultation.description in page
