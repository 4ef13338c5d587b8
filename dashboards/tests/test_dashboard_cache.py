"""The dashboards' cached figures (dashboards/cache.py): a warm request does not sum again, and the
cache never serves stale figures, another scope's projects, another language or another day.
Data changes go through the services, as every page, import and admin form of the portal does."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from budgets import services as budget_services
from budgets.models import Expenditure
from common.money import format_money
from dashboards.tests.conftest import donors_group_member
from projects.models import Role
from projects.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:portfolio")
HTMX = {"HX-Request": "true"}
PRIVATE = "Confidential reintegration pilot"  # the title of portfolio.private, unpublished
d = datetime.date


@pytest.fixture(autouse=True)
def _dashboard_cache(settings):
    settings.DASHBOARD_CACHE_SECONDS = 300


def project_url(project):
    return reverse("dashboards:project", kwargs={"slug": project.slug})


def get(client, url, query=None, **kwargs):
    response = client.get(url, query or {}, **kwargs)
    assert response.status_code == 200
    return response.content.decode()


def count_queries(client, url, query=None, **kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, url, query, **kwargs)
    return len(queries)


# --- what a warm request costs -----------------------------------------------------------


def test_a_warm_dashboard_does_not_sum_the_figures_again(client, portfolio, staff_user):
    """Staff: the session, the user, the data generation; the figures come from the cache."""
    client.force_login(staff_user)
    for url, headers in [(URL, {}), (URL, HTMX), (project_url(portfolio.eur), {})]:
        cache.clear()
        cold = count_queries(client, url, headers=headers)
        warm = count_queries(client, url, headers=headers)
        assert warm < cold and warm <= 5, (url, warm, cold)


def test_a_warm_dashboard_for_a_donor_adds_only_their_scope(client, portfolio, donor_of_private):
    donor_of_private.groups.add(donors_group_member("first").groups.get())
    client.force_login(donor_of_private)
    get(client, URL)
    # session, user, generation, Donors group, memberships for the scope, memberships for the navigation
    assert count_queries(client, URL) <= 6


# --- fresh figures -----------------------------------------------------------------------


def test_a_new_expenditure_shows_on_the_next_request_of_every_dashboard(
    client, portfolio, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    pages = [(URL, {}), (URL, HTMX), (project_url(portfolio.usd), {})]
    for url, headers in pages:
        assert "USD 40,000.00" in get(client, url, headers=headers)
    with django_capture_on_commit_callbacks(execute=True):  # the generation moves on when the save commits
        budget_services.expenditure_create(
            project=portfolio.usd,
            line=portfolio.usd.budget_lines.get(),
            date=d(2024, 2, 1),
            amount=Decimal("5.00"),
            description="Taxi",
            reference="",
        )
    for url, headers in pages:
        assert "USD 40,005.00" in get(client, url, headers=headers)


def test_a_budget_revision_shows_on_the_next_request(client, portfolio, staff_user, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    line = portfolio.usd.budget_lines.get()
    for url in (URL, project_url(portfolio.usd)):
        assert "USD 80,000.00" in get(client, url)  # the line's revised budget
    with django_capture_on_commit_callbacks(execute=True):
        budget_services.budget_revision_record(
            line=line, amount=Decimal("85000.00"), date=d(2023, 9, 1), reason="Raise", user=staff_user
        )
    for url in (URL, project_url(portfolio.usd)):
        assert "USD 85,000.00" in get(client, url)


def test_the_day_is_part_of_the_key(client, portfolio, staff_user, monkeypatch):
    today = timezone.localdate()
    ActivityFactory(project=portfolio.eur, title="Study due today", planned_start=today - datetime.timedelta(days=5),
                    planned_end=today, status=Activity.Status.ONGOING)  # fmt: skip
    client.force_login(staff_user)
    overdue = get(client, project_url(portfolio.eur)).split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Study due today" not in overdue
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today + datetime.timedelta(days=1))
    overdue = get(client, project_url(portfolio.eur)).split('id="overdue-heading"')[1].split("</section>")[0]
    assert "Study due today" in overdue


# --- scopes ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", [{}, {"country": "MA"}, {"sort": "title"}])
def test_a_donor_never_gets_the_page_cached_for_staff(client, portfolio, staff_user, donor_of_private, query):
    client.force_login(staff_user)
    assert PRIVATE in get(client, URL, query) and PRIVATE in get(client, URL, query, headers=HTMX)

    client.force_login(donors_group_member())  # published projects only
    for headers in ({}, HTMX):
        content = get(client, URL, query, headers=headers)
        assert PRIVATE not in content and "P-PRIVATE" not in content
    assert client.get(project_url(portfolio.private)).status_code == 404  # its cached dashboard stays unseen

    usd_donor = UserFactory(username="usd_donor")
    MembershipFactory(project=portfolio.usd, user=usd_donor, role=Role.DONOR)
    client.force_login(usd_donor)  # one project only
    content = get(client, URL, query)
    assert PRIVATE not in content and "Border data in Belarus" not in content


def test_users_with_the_same_projects_share_pages_and_others_do_not(client, portfolio, donor_of_private):
    first, second = donors_group_member("donor_anna"), donors_group_member("donor_boris")  # joining moves the version
    donor_of_private.groups.add(first.groups.get())
    client.force_login(first)
    cold = count_queries(client, URL)
    client.force_login(second)
    assert count_queries(client, URL) < cold / 3  # the same scope: the first one's page
    content = get(client, URL)
    assert PRIVATE not in content, "a Donors-group page with the private project"
    assert "donor_boris" in content and "donor_anna" not in content  # the name is not cached

    client.force_login(donor_of_private)  # the Donors group and the private project: a scope of its own
    assert count_queries(client, URL) > cold / 3
    assert PRIVATE in get(client, URL)


def test_the_tabs_follow_the_users_capabilities_on_a_shared_dashboard(client, users, project):
    edit = reverse("projects:edit", kwargs={"slug": project.slug})
    client.force_login(users["manager"])
    assert edit in get(client, project_url(project))
    client.force_login(users["donor"])
    content = get(client, project_url(project))
    assert "Budget against spending by category" in content and edit not in content
    client.force_login(users["reviewer"])  # no finance rights: refused, cache or not
    assert client.get(project_url(project)).status_code == 403


# --- rights change at once ------------------------------------------------------------------


def test_a_member_who_leaves_the_project_loses_its_dashboard_on_the_next_request(client, portfolio, donor_of_private):
    client.force_login(donor_of_private)
    assert client.get(project_url(portfolio.private)).status_code == 200
    donor_of_private.memberships.get().delete()
    assert client.get(project_url(portfolio.private)).status_code == 404


def test_a_new_role_opens_the_dashboard_on_the_next_request(client, portfolio, users):
    client.force_login(users["outsider"])
    assert client.get(project_url(portfolio.private)).status_code == 404
    membership = MembershipFactory(project=portfolio.private, user=users["outsider"], role=Role.REVIEWER)
    assert client.get(project_url(portfolio.private)).status_code == 403  # may see it, no finance rights
    membership.role = Role.DONOR
    membership.save()
    assert client.get(project_url(portfolio.private)).status_code == 200


def test_the_donors_group_loses_a_project_that_is_unpublished_and_a_user_who_leaves(client, portfolio):
    member = donors_group_member()
    client.force_login(member)
    assert client.get(project_url(portfolio.eur)).status_code == 200
    portfolio.eur.is_published = False
    portfolio.eur.save()
    assert client.get(project_url(portfolio.eur)).status_code == 404
    assert client.get(project_url(portfolio.usd)).status_code == 200
    member.groups.clear()
    assert client.get(project_url(portfolio.usd)).status_code == 403  # still public, no longer a donor


def test_a_user_made_staff_sees_every_project_at_once(client, portfolio, users):
    outsider = users["outsider"]
    client.force_login(outsider)
    assert client.get(project_url(portfolio.private)).status_code == 404
    outsider.is_staff = True
    outsider.save()
    assert client.get(project_url(portfolio.private)).status_code == 200


# --- language and addresses --------------------------------------------------------------


def in_russian(amount: str, currency: str) -> str:
    with translation.override("ru"):
        return format_money(Decimal(amount), currency)


@pytest.mark.parametrize("page", ["portfolio", "portfolio-fragment", "project"])
def test_each_language_gets_its_own_page(client, portfolio, staff_user, page):
    url = project_url(portfolio.usd) if page == "project" else URL
    headers = HTMX if page == "portfolio-fragment" else {}
    heading = {"portfolio": ("Headline figures", "Основные показатели"),
               "portfolio-fragment": ("Headline figures", "Основные показатели"),
               "project": ("Budget and spending", "Бюджет и расходы")}[page]  # fmt: skip
    client.force_login(staff_user)
    for language in ("en", "ru", "en", "ru"):
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        content = get(client, url, headers=headers)
        english = language == "en"
        assert (heading[0] in content) is english and (heading[1] in content) is not english
        assert ("USD 40,000.00" in content) is english
        assert (in_russian("40000.00", "USD") in content) is not english


def test_equivalent_addresses_share_one_page_and_links_carry_only_the_filters(client, portfolio, staff_user):
    client.force_login(staff_user)
    cold = count_queries(client, URL, {"country": "GE"})
    same = {"country": "GE", "status": "", "year": "", "utm_source": "mail"}
    assert count_queries(client, URL, same) < cold / 3
    content = get(client, URL, same).split('<div id="dashboard-results">')[1]  # the page's own links are not ours
    assert "Labour mobility in Georgia" in content and "Border data in Belarus" not in content
    assert "utm_source" not in content and "status=&amp;" not in content
    assert "?country=GE&amp;sort=title" in content  # the timeline's order links keep the filter


def test_a_change_outside_the_services_shows_once_the_time_limit_has_passed(client, portfolio, staff_user, settings):
    """A queryset update in a shell moves no generation: the figures are at most DASHBOARD_CACHE_SECONDS old."""
    client.force_login(staff_user)
    spent = Expenditure.objects.filter(line__project=portfolio.usd)
    after = f'<dd class="col-sm-9">USD {spent.count() * 1000:,}.00'
    assert after not in get(client, project_url(portfolio.usd))
    spent.update(amount=Decimal("1000.00"))
    assert after not in get(client, project_url(portfolio.usd))  # still the cached figures
    settings.DASHBOARD_CACHE_SECONDS = 0  # as when the time limit has passed
    assert after in get(client, project_url(portfolio.usd))
