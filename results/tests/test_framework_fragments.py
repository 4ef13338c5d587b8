"""The framework page keeps its body in the cache (under the project's content revision, the reader's
capabilities and today's date): never stale after a change, never another reader's or another
language's, and really reused."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from results import services, views
from results.models import Indicator

from .factories import framework

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"


@pytest.fixture
def fw(project):
    return framework(project)


def page(client_for, project, role="manager", language="en") -> str:
    client = client_for(role)
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(reverse("results:framework", kwargs={"slug": project.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_or_renamed_result_shows_at_once(client_for, project, fw):
    assert "Output" in page(client_for, project)
    services.result_create(project=project, level="output", parent=fw["outcome"], title="Border posts equipped")
    services.result_update(result=fw["output"], title="Officials certified")
    shown = page(client_for, project)
    assert "Border posts equipped" in shown and "Officials certified" in shown


def test_a_new_or_changed_indicator_and_target_show_at_once(client_for, project, fw):
    page(client_for, project)
    services.indicator_create(result=fw["output"], title="Manuals printed", unit=Indicator.Unit.NUMBER)
    services.indicator_update(indicator=fw["share"], title="Share of visitors satisfied")
    services.target_set(
        indicator=fw["trained"], period=fw["period"], value=Decimal(30), women=Decimal(18), men=Decimal(12)
    )
    shown = page(client_for, project)
    assert "Manuals printed" in shown and "Share of visitors satisfied" in shown
    assert "women 18" in shown


def test_a_new_period_and_a_contributing_activity_show_at_once(client_for, project, fw):
    page(client_for, project)
    start = fw["period"].end + datetime.timedelta(days=1)
    services.period_create(project=project, start=start, end=start + datetime.timedelta(days=89))
    activity = ActivityFactory(project=project, title="Study visit to Vienna")
    services.result_set_activities(result=fw["output"], activities=[activity])
    shown = page(client_for, project)
    assert f"{start:%d.%m.%Y}" in shown and "Study visit to Vienna" in shown
    activity.title = "Study visit to Graz"
    activity.save()
    assert "Study visit to Graz" in page(client_for, project)


def test_a_submitted_update_moves_the_approvals_count_and_the_periods_due(client_for, project, fw, users):
    before = page(client_for, project)
    assert "Approvals (0 waiting)" in before and "2 indicators not reported yet" in before
    services.update_save(indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=1, submit=True)
    after = page(client_for, project)
    assert "Approvals (1 waiting)" in after and "1 indicator not reported yet" in after


def test_a_donor_never_gets_the_managers_buttons_or_alerts_rendered_for_a_manager(client_for, project, fw):
    manager = page(client_for, project, "manager")
    assert "Add result" in manager and "Approvals (" in manager and "Overdue:" in manager
    donor = page(client_for, project, "donor")
    assert "Output" in donor
    assert "Add result" not in donor and "Approvals (" not in donor and "/edit/" not in donor
    assert "Overdue:" not in donor  # donors do not report
    assert ">Budget<" in donor and ">Edit<" not in donor  # their own tabs


def test_a_manager_gets_the_buttons_after_a_reviewer_rendered_the_page(client_for, project, fw):
    reviewer = page(client_for, project, "reviewer")
    assert "Add result" not in reviewer and "Overdue:" not in reviewer
    manager = page(client_for, project, "manager")
    assert "Add result" in manager and "Overdue:" in manager


def test_outsiders_are_still_refused_once_the_body_is_kept(client_for, project, fw):
    page(client_for, project, "staff")
    url = reverse("results:framework", kwargs={"slug": project.slug})
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302  # to the login page


def test_russian_and_english_are_kept_apart(client_for, project, fw):
    assert "Results framework" in page(client_for, project, language="en")
    russian = page(client_for, project, language="ru")
    assert "Результаты" in russian and "Results framework" not in russian
    assert "Results framework" in page(client_for, project, language="en")


def test_a_period_becomes_overdue_on_the_day_after_it_is_due(client_for, project, fw):
    due = fw["period"].due
    with mock.patch("results.views.timezone.localdate", return_value=due):
        assert "Due:" in page(client_for, project) and "Overdue:" not in page(client_for, project)
    with mock.patch("results.views.timezone.localdate", return_value=due + datetime.timedelta(days=1)):
        assert "Overdue:" in page(client_for, project)


def test_the_kept_body_is_reused_with_fewer_queries(client_for, project, fw, django_assert_max_num_queries):
    for number in range(5):
        output = services.result_create(project=project, level="output", parent=fw["outcome"], title=f"Output {number}")
        services.result_set_activities(result=output, activities=[ActivityFactory(project=project)])
        for kind in range(3):
            indicator = services.indicator_create(result=output, title=f"Indicator {number}.{kind}")
            services.target_set(indicator=indicator, period=fw["period"], value=Decimal(kind + 1))
    client = client_for("manager")
    url = reverse("results:framework", kwargs={"slug": project.slug})
    with mock.patch.object(views, "_framework_body", wraps=views._framework_body) as body:
        with django_assert_max_num_queries(13) as cold:
            first = client.get(url).content.decode()
        with django_assert_max_num_queries(4) as warm:  # session, user, project with role, the header
            second = client.get(url).content.decode()
    assert body.call_count == 1
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert first.count("Indicator 4.") == second.count("Indicator 4.") == 3
