"""The Russian version of an activity's facts on the project page, the activity's own page, the
list, the timeline and the calendar feed; English where no Russian version is given."""

import re

import icalendar
import pytest

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from activities.tests.test_activities import activity_form

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"


def _get(client, url, language="ru"):
    client.cookies[LANGUAGE_COOKIE] = language
    return client.get(url)


@pytest.fixture
def visit(published_project):
    """An activity with a full Russian version."""
    return ActivityFactory(
        project=published_project, order=1, title="Study visit to Vienna", title_ru="Ознакомительный визит в Вену",
        theme="Asylum", theme_ru="Убежище", description="Officials met the **asylum office**.",
        description_ru="Должностные лица встретились с **ведомством по вопросам убежища**.",
        outputs="A report.", outputs_ru="Отчёт.",
    )  # fmt: skip


@pytest.fixture
def consultation(published_project):
    """An activity with a Russian title but no Russian description."""
    return ActivityFactory(
        project=published_project, order=2, title="Consultation on the draft", title_ru="Консультация по проекту",
        description="Suggestions were worked into the draft.",
    )  # fmt: skip


def test_the_project_page_in_russian_shows_each_activity_in_russian_or_english(client, visit, consultation):
    page = _get(client, visit.project.get_absolute_url()).content.decode()
    assert "Ознакомительный визит в Вену" in page
    assert "Должностные лица встретились с <strong>ведомством по вопросам убежища</strong>." in page
    assert "Консультация по проекту" in page
    assert "Suggestions were worked into the draft." in page
    assert "Study visit to Vienna" not in page
    assert "asylum office" not in page


def test_the_activity_page_in_russian_shows_its_russian_title_theme_description_and_outputs(client, visit):
    page = _get(client, visit.get_absolute_url()).content.decode()
    assert "<title>Ознакомительный визит в Вену · The public project" in page
    assert "<h1>Ознакомительный визит в Вену</h1>" in page
    assert "Убежище" in page
    assert "ведомством по вопросам убежища" in page
    assert "Отчёт." in page
    for english in ["Study visit to Vienna", "asylum office", "A report.", ">Asylum<"]:
        assert english not in page


def test_the_activity_page_in_russian_falls_back_to_the_english_description(client, consultation):
    page = _get(client, consultation.get_absolute_url()).content.decode()
    assert "<h1>Консультация по проекту</h1>" in page
    assert "Suggestions were worked into the draft." in page


def test_a_russian_description_alone_is_shown_in_russian_but_not_in_english(client, published_project):
    activity = ActivityFactory(project=published_project, description="", description_ru="Только по-русски.")
    assert "Только по-русски." in _get(client, activity.get_absolute_url()).content.decode()
    english = _get(client, activity.get_absolute_url(), "en").content.decode()
    assert "Только по-русски." not in english
    assert 'id="description-heading"' not in english


def test_the_english_activity_pages_never_show_the_russian_text(client, visit):
    project = visit.project
    for url in [project.get_absolute_url(), visit.get_absolute_url(), f"/projects/{project.slug}/activities/",
                f"/projects/{project.slug}/timeline/"]:  # fmt: skip
        page = _get(client, url, "en").content.decode()
        assert "Study visit to Vienna" in page, url
        assert "Ознакомительный" not in page, url


def test_the_activity_list_and_timeline_in_russian_use_the_russian_titles(client, visit, consultation):
    project = visit.project
    listing = _get(client, f"/projects/{project.slug}/activities/").content.decode()
    assert "Ознакомительный визит в Вену" in listing and "Убежище" in listing
    assert "Study visit to Vienna" not in listing
    timeline = _get(client, f"/projects/{project.slug}/timeline/").content.decode()
    start = timeline.index('<svg class="gantt"')
    svg = timeline[start : timeline.index("</svg>", start)]
    assert re.search(r'<text class="row-label"[^>]*>Ознакомительный визит в Вену</text>', svg)
    assert "<title>Консультация по проекту (" in svg
    assert "Study visit to Vienna" not in timeline


def test_the_calendar_feed_is_written_in_the_requests_language(client, visit, consultation):
    visit.project.title_ru = "Данные о миграции"
    visit.project.save()
    url = f"/projects/{visit.project.slug}/activities.ics"

    def events(language):
        calendar = icalendar.Calendar.from_ical(_get(client, url, language).content)
        summaries = {str(event["SUMMARY"]): str(event["DESCRIPTION"]) for event in calendar.walk("VEVENT")}
        return str(calendar["X-WR-CALNAME"]), summaries

    name, russian = events("ru")
    assert name == "Данные о миграции"
    assert russian == {
        "Ознакомительный визит в Вену": "Должностные лица встретились с ведомством по вопросам убежища.",
        "Консультация по проекту": "Suggestions were worked into the draft.",
    }
    name, english = events("en")
    assert name == "The public project"
    assert set(english) == {"Study visit to Vienna", "Consultation on the draft"}


def test_a_manager_saves_the_russian_version_of_an_activity(client_for, project):
    russian = {"title_ru": "Визит в Вену", "theme_ru": "Убежище", "description_ru": "Описание.", "outputs_ru": "Отчёт."}
    response = client_for("manager").post(f"/projects/{project.slug}/activities/new/", activity_form(**russian))
    assert response.status_code == 302
    activity = Activity.objects.get(title="Study visit to Vienna")
    assert {name: getattr(activity, name) for name in russian} == russian
    edited = activity_form(title_ru="Учебный визит в Вену", description_ru="")
    response = client_for("manager").post(f"/projects/{project.slug}/activities/{activity.pk}/edit/", edited)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title_ru, activity.description_ru) == ("Учебный визит в Вену", "")


def test_the_activity_form_groups_the_russian_fields(client_for, project):
    page = client_for("manager").get(f"/projects/{project.slug}/activities/new/").content.decode()
    start = page.index("<fieldset")
    fieldset = page[start : page.index("</fieldset>", start)]
    assert "Russian version (optional)" in fieldset
    assert all(f'name="{name}"' in fieldset for name in ["title_ru", "theme_ru", "description_ru", "outputs_ru"])
    assert 'name="description"' not in fieldset


def test_the_activity_form_is_in_russian_on_a_russian_page(client_for, project):
    client = client_for("manager")
    client.cookies[LANGUAGE_COOKIE] = "ru"
    page = client.get(f"/projects/{project.slug}/activities/new/").content.decode()
    assert "Версия на русском языке (необязательно)" in page
    assert "на русскоязычных страницах показывается текст на английском языке" in page
