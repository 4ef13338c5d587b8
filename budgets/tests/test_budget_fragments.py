"""The budget page's body is kept as a fragment (budgets.views.overview): every change made through the
services shows at once, each reader sees their own buttons whoever rendered first, the languages are
kept apart, and a warm page renders nothing and asks the database less."""

import datetime
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from activities import services as activity_services
from activities.tests.factories import ActivityFactory
from budgets import selectors, services, views
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from projects import services as project_services
from projects.access import Capability
from projects.models import Project, Role
from projects.revision import project_fragment_key

pytestmark = pytest.mark.django_db
D = Decimal
LANGUAGE_COOKIE = "django_language"


@pytest.fixture
def url(project):
    return reverse("budgets:overview", args=[project.slug])


@pytest.fixture
def travel(project):
    return services.budget_line_create(project=project, category="travel", description="Study visit", amount=D("1000"))


def _without_tokens(html):
    """The page without its CSRF tokens (masked afresh on every request, and never in a kept fragment)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def page(client, url, language="en"):
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# A change made through the services shows on the next request -----------------------------------------


def test_a_new_budget_line_shows_at_once(client_for, project, url, travel):
    client = client_for("manager")
    assert "Study visit" in page(client, url)
    services.budget_line_create(project=project, category="staff", description="Coordinator", amount=D("2500"))
    html = page(client, url)
    assert "Coordinator" in html and "EUR 3,500.00" in html  # the line and the new total


def test_an_edited_budget_line_shows_at_once(client_for, url, travel):
    client = client_for("manager")
    assert "Study visit" in page(client, url)
    services.budget_line_update(line=travel, category="travel", description="Exchange visit")
    html = page(client, url)
    assert "Exchange visit" in html and "Study visit" not in html


def test_a_revision_shows_at_once(client_for, url, travel, staff_user):
    client = client_for("manager")
    assert "EUR 900.00" not in page(client, url)
    services.budget_revision_record(
        line=travel, amount=D("900"), date=datetime.date(2025, 3, 1), reason="Cheaper", user=staff_user
    )
    assert "EUR 900.00" in page(client, url)


def test_expenditure_recorded_edited_and_deleted_shows_at_once(client_for, project, url, travel):
    client = client_for("manager")
    assert "No expenditure recorded yet." in page(client, url)
    expenditure = services.expenditure_create(
        project=project, line=travel, date=datetime.date(2025, 3, 1), amount=D("120.50"), description="Flights"
    )
    html = page(client, url)
    assert "Flights" in html and "EUR 120.50" in html
    services.expenditure_update(
        project=project,
        expenditure=expenditure,
        line=travel,
        date=expenditure.date,
        amount=D("1200.00"),
        description="Charter flights",
    )
    html = page(client, url)
    assert "Charter flights" in html and "More has been spent than the revised budget allows." in html
    services.expenditure_delete(expenditure=expenditure)
    html = page(client, url)
    assert "Charter flights" not in html and "No expenditure recorded yet." in html


def test_a_renamed_activity_and_a_new_project_total_show_at_once(client_for, project, url, manager_user):
    activity = ActivityFactory(project=project, title="Study visit to Vilnius")
    BudgetLineFactory(project=project, activity=activity, amount=D("1000"))
    client = client_for("manager")
    assert "Study visit to Vilnius" in page(client, url)
    activity_services.activity_update(activity=activity, title="Study visit to Riga")
    project_services.project_update(project=project, user=manager_user, total_budget=D("1000"))
    html = page(client, url)
    assert "Study visit to Riga" in html and "Study visit to Vilnius" not in html
    assert "The budget lines add up to" not in html  # the lines now match the project's total


def test_each_page_of_expenditure_is_its_own(client_for, project, url, travel):
    for day in range(1, 61):
        ExpenditureFactory(line=travel, date=datetime.date(2025, 1, 1) + datetime.timedelta(days=day), amount=D("1"))
    client = client_for("manager")
    first, second = page(client, url), page(client, url + "?page=2")
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert ">1 Mar 2025<" in first and ">1 Mar 2025<" not in second  # newest first
    assert ">2 Jan 2025<" in second and ">2 Jan 2025<" not in first
    assert "Page 1 of 2" in page(client, url + "?page=nonsense")  # as Paginator.get_page answers
    assert "Page 2 of 2" in page(client, url + "?page=0") and "Page 2 of 2" in page(client, url + "?page=99")


# Readers with different rights each see their own page ---------------------------------------------------


MANAGER_ONLY = ("Add budget line", "Record expenditure", "/lines/")


def _assert_read_only(html):
    assert "Study visit" in html
    for text in MANAGER_ONLY:
        assert text not in html
    assert reverse("budget_imports:ledger") not in html


@pytest.mark.parametrize("reader", ["donor", "portfolio_donor"])
def test_a_donor_never_gets_the_managers_buttons(client, client_for, users, published_project, reader):
    services.budget_line_create(
        project=published_project, category="travel", description="Study visit", amount=D("1000")
    )
    url = reverse("budgets:overview", args=[published_project.slug])
    for first in ("staff", "manager"):
        managing = page(client_for(first), url)
        assert (
            "Add budget line" in managing and reverse("budgets:line_create", args=[published_project.slug]) in managing
        )
        _assert_read_only(page(client_for(reader), url))


def test_a_manager_gets_the_buttons_after_a_donor_rendered_first(client_for, project, url, travel):
    _assert_read_only(page(client_for("donor"), url))
    html = page(client_for("manager"), url)
    assert reverse("budgets:line_edit", args=[project.slug, travel.pk]) in html
    assert reverse("budget_imports:ledger") not in html  # staff only
    assert reverse("budget_imports:ledger") in page(client_for("staff"), url)


def test_a_manager_made_donor_loses_the_buttons_at_once(client_for, project, url, travel, manager_user):
    client = client_for("manager")
    assert "Add budget line" in page(client, url)
    project_services.membership_set(project=project, user=manager_user, role=Role.DONOR)
    _assert_read_only(page(client, url))


def test_readers_without_finance_are_still_refused_after_the_page_was_kept(client_for, url, travel):
    page(client_for("manager"), url)
    assert client_for("drafter").get(url).status_code == 403
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 302  # to the login page


# Languages ------------------------------------------------------------------------------------------------


def test_english_and_russian_are_kept_apart(client_for, url, travel):
    client = client_for("manager")
    english = page(client, url)
    russian = page(client, url, "ru")
    assert "Budget lines" in english and "EUR 1,000.00" in english
    assert "Budget lines" not in russian and "1\u00a0000,00\u00a0€" in russian
    assert _without_tokens(page(client, url)) == _without_tokens(english)  # English again, not Russian
    assert _without_tokens(page(client, url, "ru")) == _without_tokens(russian)


# The fragment is reused --------------------------------------------------------------------------------------


def test_the_warm_page_renders_nothing_and_asks_the_database_less(
    client_for, project, url, travel, django_assert_max_num_queries, django_assert_num_queries
):
    ExpenditureFactory(line=travel)
    client = client_for("manager")
    page(client, url)  # the session and language settle
    services.budget_line_create(project=project, category="staff", description="Coordinator", amount=D("10"))
    with mock.patch.object(views, "_overview_body", wraps=views._overview_body) as body:
        with django_assert_max_num_queries(9) as cold:
            cold_html = page(client, url)
        assert body.call_count == 1
        with django_assert_num_queries(3) as warm:
            warm_html = page(client, url)
        assert body.call_count == 1  # kept: not rendered again
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert _without_tokens(warm_html) == _without_tokens(cold_html)


def test_the_kept_fragment_holds_no_csrf_token_and_no_reader_name(client_for, project, url, travel, manager_user):
    page(client_for("manager"), url)
    reader = ".".join(sorted(Capability))  # a manager holds every capability, and is not staff
    kept = cache.get(f"fragment:en:{project_fragment_key(Project.objects.get(pk=project.pk), 'budget', reader, 1)}")
    assert kept is not None and "Study visit" in kept
    assert "csrfmiddlewaretoken" not in kept and "CSRFToken" not in kept
    assert manager_user.username not in kept


def test_the_pages_sums_are_the_databases(project, staff_user):
    """budget_overview adds up in Python what budget_summary and budget_by_activity ask of the database."""
    first, second = ActivityFactory(project=project, order=2), ActivityFactory(project=project, order=1)
    lines = [
        services.budget_line_create(
            project=project, category=category, description=f"L{i}", amount=D(amount), activity=activity
        )
        for i, (category, amount, activity) in enumerate(
            [("travel", "1000.10", first), ("travel", "500", second), ("staff", "2000", None), ("indirect", "7", first)]
        )
    ]
    services.budget_revision_record(
        line=lines[1], amount=D("700.55"), date=datetime.date(2025, 1, 1), reason="r", user=staff_user
    )
    for amount, target in [("100.10", lines[0]), ("200.20", lines[1]), ("2100", lines[2]), ("0.01", lines[3])]:
        services.expenditure_create(
            project=project, line=target, date=datetime.date(2025, 3, 1), amount=D(amount), description="x"
        )
    listed, summary, by_activity = selectors.budget_overview(project=project)
    expected = selectors.budget_summary(project=project)
    assert [line.pk for line in listed] == list(
        selectors.budget_lines_for_project(project=project).values_list("pk", flat=True)
    )
    assert summary.categories == expected.categories and summary.total == expected.total
    assert [row["title"] for row in by_activity] == [second.title, first.title]  # in the activities' order
    assert by_activity == selectors.budget_by_activity(project=project)
