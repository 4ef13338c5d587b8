"""The timeline's chart kept as a fragment (activities.views.timeline): every change to the
activities or the project shows at once, each zoom and each day has its own, each reader gets
their own tabs and access decision whoever rendered the chart first, the two languages are kept
apart, and a warm page does not render the chart again."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import services, views
from activities.tests.factories import ActivityFactory
from projects import services as project_services
from projects.models import Membership, Project, Role
from results import services as result_services
from results.tests.factories import framework

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"
TABS = 'aria-label="Project sections"'
TODAY = datetime.date(2025, 3, 20)


def timeline_url(project, zoom=None):
    url = f"/projects/{project.slug}/timeline/"
    return f"{url}?zoom={zoom}" if zoom else url


def page(client, project, *, zoom=None, language="en", today=TODAY):
    client.cookies[LANGUAGE_COOKIE] = language
    with mock.patch.object(views.timezone, "localdate", return_value=today):
        response = client.get(timeline_url(project, zoom))
    assert response.status_code == 200
    return response.content.decode()


def chart(html):
    return html[html.index('<div class="timeline-chart">') : html.index("</main>")]


@pytest.fixture
def renders():
    """Counts the renders of the chart (the fragment's render function)."""
    with mock.patch.object(views, "render_timeline", wraps=views.render_timeline) as spy:
        yield spy


@pytest.fixture
def visit(published_project):
    return ActivityFactory(
        project=published_project,
        title="Study visit to Vienna",
        planned_start=datetime.date(2025, 3, 10),
        planned_end=datetime.date(2025, 3, 14),
        actual_start=datetime.date(2025, 3, 10),
    )


def test_a_warm_timeline_reuses_the_chart_and_makes_fewer_queries(
    client, published_project, visit, renders, django_assert_num_queries
):
    with CaptureQueriesContext(connection) as cold:
        first = page(client, published_project)
    with django_assert_num_queries(1):  # the project, with the access decision's columns
        second = page(client, published_project)
    assert renders.call_count == 1
    assert len(cold) > 1
    assert chart(first) == chart(second)
    assert "Study visit to Vienna" in second


def test_each_change_to_the_activities_shows_at_once(client, published_project, visit):
    assert "Study visit to Vienna" in page(client, published_project)
    services.activity_update(activity=visit, title="Study visit to Riga")
    assert "Study visit to Riga" in page(client, published_project)
    services.activity_cancel(activity=visit)
    assert "status-cancelled" in page(client, published_project)
    services.activity_create(
        project=published_project,
        kind="study_visit",
        title="Closing conference",
        planned_start=datetime.date(2025, 6, 2),
        planned_end=datetime.date(2025, 6, 3),
        status="planned",
    )
    assert "Closing conference" in page(client, published_project)
    visit.delete()
    html = page(client, published_project)
    assert "Study visit to Riga" not in html and "Closing conference" in html


def test_the_project_s_period_moves_the_chart_at_once(client, published_project, visit, users):
    assert "Activities from " in page(client, published_project)
    published_project.refresh_from_db()
    project_services.project_update(
        project=published_project, user=users["manager"], planned_end=datetime.date(2031, 12, 31)
    )
    assert "January 2032" in page(client, published_project)


def test_each_zoom_has_its_own_chart_and_other_values_fit(client, published_project, visit, renders):
    fitted = page(client, published_project)
    months = page(client, published_project, zoom="months")
    assert 'href="?zoom=fit" aria-current="true"' in fitted
    assert 'href="?zoom=months" aria-current="true"' in months
    assert renders.call_count == 2
    for value in ("fit", "bogus", "<script>"):  # any other value is the fitted chart, already kept
        assert chart(page(client, published_project, zoom=value)) == chart(fitted)
    assert renders.call_count == 2


def test_another_day_moves_the_today_line_and_the_bars_under_way(client, published_project, visit, renders):
    first = page(client, published_project)
    assert "Today, 20 Mar 2025" in first
    assert "Today, 20 Mar 2025" in page(client, published_project)
    assert renders.call_count == 1
    later = page(client, published_project, today=datetime.date(2025, 3, 27))
    assert renders.call_count == 2
    assert "Today, 27 Mar 2025" in later and "Today, 20 Mar 2025" not in later
    assert chart(first).count('class="bar-actual"') == chart(later).count('class="bar-actual"') == 2
    assert chart(first) != chart(later)


@pytest.mark.parametrize("first", ["manager", "staff"])
@pytest.mark.parametrize("reader", ["anonymous", "outsider", "portfolio_donor", "donor", "reviewer"])
def test_a_reader_gets_their_own_page_after_a_more_privileged_one(
    client_for, published_project, visit, renders, first, reader
):
    privileged = page(client_for(first), published_project)
    assert 'href="/projects/public-project/edit/"' in privileged
    mine = page(client_for(reader), published_project)
    assert renders.call_count == 1  # the same chart, kept
    assert 'href="/projects/public-project/edit/"' not in mine
    assert (TABS in mine) == (reader not in ("anonymous", "outsider"))
    assert chart(mine) == chart(privileged)


def test_a_manager_after_an_anonymous_visitor_gets_their_tabs(client_for, published_project, visit):
    assert TABS not in page(client_for("anonymous"), published_project)
    mine = page(client_for("manager"), published_project)
    assert TABS in mine and 'href="/projects/public-project/edit/"' in mine


def test_an_unpublished_project_s_kept_chart_is_never_shown_to_outsiders(client_for, project):
    ActivityFactory(project=project, title="Confidential scoping mission")
    assert "Confidential scoping mission" in page(client_for("manager"), project)
    for reader in ("anonymous", "outsider", "portfolio_donor", "other_drafter"):
        with mock.patch.object(views.timezone, "localdate", return_value=TODAY):
            assert client_for(reader).get(timeline_url(project)).status_code == 404, reader


def test_russian_and_english_are_kept_apart(client, published_project, visit, renders):
    visit.title_ru = "Учебная поездка в Вену"
    visit.save()
    for first, second in (("en", "ru"), ("ru", "en")):
        renders.reset_mock()
        cache.clear()
        pages = {first: page(client, published_project, language=first)}
        pages[second] = page(client, published_project, language=second)
        assert renders.call_count == 2
        assert "Учебная поездка в Вену" in pages["ru"] and "Study visit to Vienna" not in chart(pages["ru"])
        assert "Study visit to Vienna" in pages["en"] and "Учебная поездка в Вену" not in pages["en"]
        assert "The same activities as a table" in pages["en"]
        assert "The same activities as a table" not in pages["ru"]


def test_access_is_decided_on_every_request_even_when_the_chart_is_kept(client_for, published_project, visit, users):
    """A change that bypasses the revision (a queryset update) still takes the page away at once:
    the kept chart is asked for only after the view has decided that the reader may see it."""
    assert "Study visit to Vienna" in page(client_for("anonymous"), published_project)
    Membership.objects.filter(project=published_project, user=users["manager"]).update(role=Role.REVIEWER)
    assert 'href="/projects/public-project/edit/"' not in page(client_for("manager"), published_project)
    Project.objects.filter(pk=published_project.pk).update(is_published=False)
    for reader in ("anonymous", "outsider", "portfolio_donor"):
        with mock.patch.object(views.timezone, "localdate", return_value=TODAY):
            response = client_for(reader).get(timeline_url(published_project))
        assert response.status_code == 404, reader


def test_the_timeline_of_one_result_shares_the_chart_s_template_and_its_zoom(client_for, published_project, visit):
    """The result's timeline (results.views.result_timeline) renders the same chart, not kept, with
    the zoom buttons and the list for phones it used to miss."""
    fw = framework(published_project)
    ActivityFactory(project=published_project, title="Closing event in Minsk")
    result_services.result_set_activities(result=fw["output"], activities=[visit])
    url = reverse("results:timeline", kwargs={"slug": published_project.slug, "result_id": fw["output"].pk})
    client = client_for("reviewer")
    fitted = client.get(url).content.decode()
    assert "Only the activities that contribute to “Output”." in fitted
    assert "Study visit to Vienna" in fitted and "Closing event in Minsk" not in fitted
    assert 'href="?zoom=fit" aria-current="true"' in fitted and 'class="timeline-list-item' in fitted
    assert 'href="?zoom=months" aria-current="true"' in client.get(f"{url}?zoom=months").content.decode()
