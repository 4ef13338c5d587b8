"""The project list keeps its rows and its filter form as rendered HTML (projects/views.py
`project_list`): a row under its project's content revision, the form under the values submitted and
the choices offered. What a reader may see is still decided by the list's query on every request."""

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from projects import selectors, services, views
from projects.models import Project
from projects.tests.factories import FundingInstrumentFactory, ProjectFactory

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"


def _page(client, query="", language="en") -> str:
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(f"/projects/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _row(page: str, title: str) -> str:
    """The table row that names `title`."""
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if title in row:
            return row
    raise AssertionError(f"no row for {title!r}")


def _update(project, user, **fields) -> Project:
    # As the change commits (the data generation, which the list's count and choices are kept under,
    # moves on then).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.project_update(project=Project.objects.get(pk=project.pk), user=user, **fields)


# --- a change shows at once ---------------------------------------------------------------------


def test_a_renamed_project_shows_its_new_title_at_once(client_for, published_project, users):
    client = client_for("anonymous")
    assert "The public project" in _page(client)
    _update(published_project, users["staff"], title="Renamed project")
    page = _page(client)
    assert "Renamed project" in page
    assert "The public project" not in page


def test_changed_countries_dates_and_status_show_at_once_in_the_row_and_the_country_filter(
    client_for, published_project, users
):
    client = client_for("anonymous")
    row = _row(_page(client), "The public project")
    assert "Belarus" in row and "January 2025" in row and "Project ongoing" in row
    assert 'value="GE"' not in _page(client)
    _update(
        published_project,
        users["staff"],
        countries=["GE"],
        planned_start=datetime.date(2026, 3, 1),
        planned_end=datetime.date(2027, 6, 30),
        status=Project.Status.FINALISATION,
    )
    page = _page(client)
    row = _row(page, "The public project")
    assert "Georgia" in row and "Belarus" not in row
    assert "March 2026" in row and "June 2027" in row
    assert "Project finalising" in row and "Project ongoing" not in row
    assert 'value="GE"' in page  # the filter offers the country now in use


def test_publishing_removes_the_not_published_badge_at_once(client_for, project, users):
    client = client_for("staff")
    assert "Not published" in _row(_page(client), "The project")
    _update(project, users["staff"], is_published=True)
    assert "Not published" not in _row(_page(client), "The project")


def test_a_renamed_instrument_code_shows_in_the_rows_and_the_filter_at_once(client_for, published_project):
    client = client_for("anonymous")
    page = _page(client)
    assert ">AMIF<" in _row(page, "The public project") and 'value="AMIF"' in page
    instrument = published_project.instrument
    instrument.code = "AMIF-2"
    instrument.save()
    page = _page(client)
    assert ">AMIF-2<" in _row(page, "The public project")
    assert 'value="AMIF-2"' in page and 'value="AMIF"' not in page


def test_a_new_instrument_is_offered_by_the_filter_at_once(client_for, published_project):
    client = client_for("anonymous")
    assert 'value="ISF"' not in _page(client)
    FundingInstrumentFactory(code="ISF")
    assert 'value="ISF"' in _page(client)


def test_a_new_and_a_deleted_project_show_at_once(client_for, published_project):
    client = client_for("anonymous")
    _page(client)
    newcomer = ProjectFactory(title="A newcomer", is_published=True)
    assert "A newcomer" in _page(client)
    newcomer.delete()
    assert "A newcomer" not in _page(client)


def test_a_row_whose_project_was_deleted_after_the_list_was_read_is_left_out(published_project):
    light = Project.objects.only("pk", "content_revision").get(pk=published_project.pk)
    Project.objects.filter(pk=published_project.pk).delete()
    assert views._project_list_rows([light]) == [""]


# --- readers never get what another reader may see ----------------------------------------------


@pytest.mark.parametrize("first", ["staff", "anonymous"])
def test_each_reader_sees_their_own_list_whoever_came_first(client_for, project, published_project, users, first):
    """`project` is not published: staff and its members see it, an anonymous visitor or an
    outsider does not; the staff's buttons are never in another reader's page."""
    pages = {}
    for role in [first, *({"staff", "anonymous", "outsider", "donor"} - {first})]:
        pages[role] = _page(client_for(role))
    for role in ["anonymous", "outsider"]:
        assert "The public project" in pages[role]
        assert "The project<" not in pages[role] and "Not published" not in pages[role]
        assert "Another project" not in pages[role]
    assert "Not published" in _row(pages["donor"], "The project")  # a member sees their project
    assert "Another project" not in pages["donor"]
    assert "Another project" in pages["staff"]
    assert "/projects/new/" in pages["staff"]
    assert all("/projects/new/" not in pages[role] for role in ["anonymous", "outsider", "donor"])


def test_the_form_shows_each_readers_own_search_and_errors(client_for, published_project):
    client = client_for("anonymous")
    first = _page(client, "?q=alpha&year=abc")
    assert 'value="alpha"' in first and "This filter was ignored." in first
    second = _page(client, "?q=beta")
    assert 'value="beta"' in second and 'value="alpha"' not in second
    assert "This filter was ignored." not in second
    unfiltered = _page(client)
    assert 'value="beta"' not in unfiltered and ">Clear<" not in unfiltered
    assert ">Clear<" in _page(client, "?q=beta")


def test_a_filter_value_is_valid_once_its_instrument_exists(client_for, published_project):
    client = client_for("anonymous")
    assert "This filter was ignored." in _page(client, "?instrument=ISF")
    FundingInstrumentFactory(code="ISF")
    page = _page(client, "?instrument=ISF")
    assert "This filter was ignored." not in page
    assert 'value="ISF" selected' in page


# --- languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["en", "ru"])
def test_russian_and_english_lists_are_kept_apart(client_for, published_project, first):
    published_project.title_ru = "Публичный проект"
    published_project.save()
    client = client_for("anonymous")
    pages = {language: _page(client, language=language) for language in [first, {"en": "ru", "ru": "en"}[first]]}
    pages |= {f"{language} again": _page(client, language=language) for language in ["en", "ru"]}
    for language in ["en", "en again"]:
        row = _row(pages[language], "The public project")
        assert "Belarus" in row and "January 2025" in row
        assert "Search" in pages[language] and "Поиск" not in pages[language]
    for language in ["ru", "ru again"]:
        row = _row(pages[language], "Публичный проект")
        assert "Беларусь" in row and "январь 2025" in row
        assert "Поиск" in pages[language] and ">Search<" not in pages[language]


# --- the kept HTML is used ------------------------------------------------------------------------


def test_the_warm_list_reads_no_project_for_its_rows_and_renders_no_template_of_its_own(
    client_for, published_project, django_assert_num_queries
):
    ProjectFactory.create_batch(30, is_published=True)
    client = client_for("staff")
    client.get("/accounts/preferences/")  # a session's first request also notes when it was last seen
    reads = mock.patch.object(selectors, "projects_for_rows", wraps=selectors.projects_for_rows)
    renders = mock.patch.object(views, "render_to_string", wraps=views.render_to_string)
    # session, user, data generation, countries, instruments, count, page of ids, the 25 projects to render
    with reads as read, renders as render, django_assert_num_queries(8):
        cold = _page(client)
    assert read.call_count == 1 and render.call_count == 26  # 25 rows and the form
    # session, user, data generation, instruments, page of ids: the countries and the count are kept
    with reads as read, renders as render, django_assert_num_queries(5):
        warm = _page(client)
    assert read.call_count == 0 and render.call_count == 0
    assert warm.count("<tr>") == cold.count("<tr>") == 26


def test_only_the_changed_row_is_rendered_again(client_for, published_project, users):
    ProjectFactory.create_batch(5, is_published=True)
    client = client_for("anonymous")
    _page(client)
    _update(published_project, users["staff"], title="Renamed project")
    reads = mock.patch.object(selectors, "projects_for_rows", wraps=selectors.projects_for_rows)
    with reads as read:
        assert "Renamed project" in _page(client)
    assert [list(call.args[0]) for call in read.call_args_list] == [[published_project.pk]]


def test_the_list_query_count_does_not_grow_with_filters_and_pages(client_for, django_assert_max_num_queries):
    ProjectFactory.create_batch(60, is_published=True)
    client = client_for("staff")
    for query in ["", "?page=2", "?status=2&country=BY&year=2025&q=Test", "?page=3&instrument=AMIF"]:
        with django_assert_max_num_queries(9):
            cold = _page(client, query)
        with django_assert_max_num_queries(7):  # a search is counted on every request
            warm = _page(client, query)
        assert warm.count("<tr>") == cold.count("<tr>") > 1


def _filter_form_renders(client, query) -> int:
    """How many times the filter form is drawn for the second of two requests of `query`."""
    _page(client, query)
    with mock.patch.object(views, "render_to_string", wraps=views.render_to_string) as render:
        _page(client, query)
    return sum(1 for call in render.call_args_list if call.args[0] == views.FILTERS_TEMPLATE)


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        ("", True),
        ("?page=2", True),
        ("?q=&status=2&country=BY&instrument=AMIF&year=", True),
        ("?q=anything", False),
        ("?year=2025", False),
        ("?status=made-up", False),
        ("?country=ZZ", False),
        ("?instrument=made-up", False),
    ],
)
def test_only_choices_among_those_offered_keep_the_filter_form(client_for, published_project, query, kept):
    """Searches, years and wrong values would give the cache a key per made-up value."""
    assert _filter_form_renders(client_for("anonymous"), query) == (0 if kept else 1)


# --- the count and the countries offered, kept under the data generation -------------------------


def _count(page: str) -> int:
    return int(re.search(r"<caption>(\d+) projects?</caption>", page).group(1))


def test_each_reader_counts_the_projects_they_may_see_whoever_came_first(client_for, project, users):
    """`project` is unpublished: its manager and staff count it, a visitor and an outsider do not."""
    ProjectFactory.create_batch(3, is_published=True)
    for role, expected in [("anonymous", 4), ("manager", 5), ("staff", 6), ("outsider", 4), ("manager", 5)]:
        assert _count(_page(client_for(role))) == expected, role
    assert _count(_page(client_for("manager"), "?status=2")) == _count(_page(client_for("staff"), "?status=2")) - 1


def test_a_published_and_a_new_project_are_counted_at_once(client_for, project, users):
    anonymous = _page(client_for("anonymous"))
    before = _count(anonymous)
    _update(project, users["staff"], is_published=True)
    assert _count(_page(client_for("anonymous"))) == before + 1
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.project_create(
            user=users["staff"], partners=[], title="A new project", code="NEW-1", countries=["MD"],
            planned_start=datetime.date(2026, 1, 1), planned_end=datetime.date(2026, 12, 31), is_published=True,
        )  # fmt: skip
    page = _page(client_for("anonymous"))
    assert _count(page) == before + 2
    assert 'value="MD"' in page  # a country now in use is offered at once


def test_the_count_and_the_countries_are_kept_but_a_search_is_counted_for_itself(client_for, django_assert_num_queries):
    ProjectFactory.create_batch(3, is_published=True, title="Labour mobility")
    client = client_for("staff")
    _page(client)
    with CaptureQueriesContext(connection) as warm:
        _page(client)
    read = " ".join(query["sql"] for query in warm.captured_queries)
    assert "COUNT(" not in read and "DISTINCT" not in read
    with CaptureQueriesContext(connection) as searched:
        assert _count(_page(client, "?q=Labour")) == 3
    assert "COUNT(" in " ".join(query["sql"] for query in searched.captured_queries)


def test_a_project_saved_outside_the_services_is_counted_and_its_country_offered_at_once(client_for, project):
    """The kept count and countries follow the data generation, which any saved project moves on."""
    before = _count(_page(client_for("anonymous")))
    with TestCase.captureOnCommitCallbacks(execute=True):  # as it commits
        stray = Project.objects.get(pk=project.pk)
        stray.is_published, stray.countries = True, ["KG"]
        stray.save()
    page = _page(client_for("anonymous"))
    assert _count(page) == before + 1 and 'value="KG"' in page


OFFERED = {  # which unpublished project's country each reader is offered: only of projects they may see
    "anonymous": set(),
    "outsider": set(),
    "portfolio_donor": set(),
    "other_drafter": {"TJ"},
    "donor": {"UZ"},
    "reviewer": {"UZ"},
    "drafter": {"UZ"},
    "manager": {"UZ"},
    "staff": {"UZ", "TJ"},
}


@pytest.mark.parametrize("role", OFFERED)
def test_the_country_filter_offers_only_the_countries_of_projects_the_reader_may_see(
    client_for, users, project, other_project, role
):
    Project.objects.filter(pk=project.pk).update(countries=["UZ"])  # unpublished: members and staff see it
    Project.objects.filter(pk=other_project.pk).update(countries=["TJ"])
    client = client_for(role)
    for _ in range(2):  # as first computed, then as kept
        page = _page(client)
        offered = {code for code in ("UZ", "TJ") if f'value="{code}"' in page}
        assert offered == OFFERED[role]
        assert 'value="BY"' in page  # the published project's country, for everybody
