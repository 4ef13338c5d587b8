"""The portfolio dashboard and the per-project dashboard: figures against plain-Python sums,
currencies kept apart, filters (bad ones too), htmx, visibility, caching and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.tests.factories import ActivityFactory
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from dashboards import selectors
from dashboards.tests.conftest import (
    breakdown_as_dict,
    donors_group_member,
    expected_breakdown,
    expected_totals,
    many_projects,
    project_figures,
)
from projects.models import Project
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

URL = reverse("dashboards:portfolio")
d = datetime.date


def figures_for(client, user, query=None):
    client.force_login(user)
    response = client.get(URL, query or {})
    assert response.status_code == 200
    return response, response.context["figures"]


def breakdown(figures, key):
    return next(b for b in figures.breakdowns if b.key == key)


def test_headline_figures_match_plain_sums_per_currency(client, portfolio, staff_user):
    response, figures = figures_for(client, staff_user)

    expected = expected_totals(Project.objects.all())
    assert {t.currency for t in figures.totals} == {"EUR", "USD"}
    for totals in figures.totals:
        want = expected[totals.currency]
        assert totals.projects == want["projects"]
        assert totals.committed == want["committed"]
        assert totals.original == want["original"]
        assert totals.revised == want["revised"]
        assert totals.spent == want["spent"]
        assert totals.remaining == want["revised"] - want["spent"]
    usd = next(t for t in figures.totals if t.currency == "USD")
    # The dollar project alone: never added to the euro ones.
    assert (usd.projects, usd.committed, usd.revised, usd.spent) == (1, Decimal("90000.00"), Decimal("80000.00"),
                                                                     Decimal("40000.00"))  # fmt: skip
    assert usd.share_spent == Decimal("50.0")
    content = response.content.decode()
    assert "USD 90,000.00" in content and "USD 40,000.00" in content
    assert figures.project_count == Project.objects.count()
    counts = {row["status"]: row["count"] for row in figures.status_counts}
    assert counts[Project.Status.CLOSED] == 1
    assert sum(counts.values()) == Project.objects.count()


def test_revised_budget_is_the_newest_revision(client, portfolio, staff_user):
    _, figures = figures_for(client, staff_user, {"instrument": "AMIF", "thematic_area": "Border management"})
    eur = next(t for t in figures.totals if t.currency == "EUR")
    assert eur.original == Decimal("100000.00")
    assert eur.revised == Decimal("106000.00")  # 66,000 (newest revision) + 40,000
    assert eur.spent == Decimal("4200.75")


@pytest.mark.parametrize("key", ["instrument", "theme", "country"])
def test_breakdowns_match_plain_sums(client, portfolio, staff_user, key):
    _, figures = figures_for(client, staff_user)
    assert breakdown_as_dict(breakdown(figures, key)) == expected_breakdown(Project.objects.all(), key)


def test_country_breakdown_splits_a_project_between_its_countries(client, portfolio, staff_user):
    _, figures = figures_for(client, staff_user, {"thematic_area": "Border management"})
    rows = breakdown_as_dict(breakdown(figures, "country"))
    assert rows[("EUR", "BY")] == rows[("EUR", "UA")] == {"budget": Decimal("53000.00"), "spent": Decimal("2100.38")}
    assert rows[("USD", "GE")] == {"budget": Decimal("80000.00"), "spent": Decimal("40000.00")}


def test_year_breakdown_follows_the_budget_periods(client, portfolio, staff_user):
    """Worked by hand: each project's budget periods run twelve months from its planned start."""
    _, figures = figures_for(client, staff_user)
    got = breakdown_as_dict(breakdown(figures, "year"))
    assert got == {
        # P-EUR, July 2024 - June 2025: one period starting in 2024 holds all its revised 106,000,
        # and all its spending (August and December 2024, February 2025).
        ("EUR", "2024"): {"budget": Decimal("106000.00"), "spent": Decimal("4200.75")},
        # P-PRIVATE, 2025 - 2026: two periods of 365 days, 150,000 in halves; 5,000 spent in May 2025.
        ("EUR", "2025"): {"budget": Decimal("75000.00"), "spent": Decimal("5000.00")},
        ("EUR", "2026"): {"budget": Decimal("75000.00"), "spent": Decimal("0.00")},
        # P-USD, March 2023 - February 2024: one period; January 2024's spending belongs to it.
        ("USD", "2023"): {"budget": Decimal("80000.00"), "spent": Decimal("40000.00")},
    }
    usd = breakdown(figures, "year").by_currency["USD"][0]
    assert usd.share_spent == Decimal("50.0")


def seed_like_project(**extra):
    """A 13-month project like the seed's: February 2019 - February 2020, one 105,000 line."""
    project = ProjectFactory(
        code="P-13", slug="p-13", currency="EUR", planned_start=d(2019, 2, 1), planned_end=d(2020, 2, 29), **extra
    )
    line = BudgetLineFactory(project=project, amount=Decimal("105000.00"))
    ExpenditureFactory(line=line, date=d(2019, 6, 1), amount=Decimal("50000.00"))
    ExpenditureFactory(line=line, date=d(2020, 1, 20), amount=Decimal("30000.00"))  # in the first period
    ExpenditureFactory(line=line, date=d(2020, 2, 10), amount=Decimal("2000.00"))  # in the second
    ExpenditureFactory(line=line, date=d(2030, 5, 1), amount=Decimal("500.00"))  # after the planned end
    return project


def test_a_thirteen_month_project_is_not_shown_as_overspent_in_its_last_year(client, staff_user):
    seed_like_project()
    response, figures = figures_for(client, staff_user)
    rows = {row.key: row for row in breakdown(figures, "year").by_currency["EUR"]}
    assert list(rows) == ["2019", "2020", "outside"]
    # Periods 1 Feb 2019 - 31 Jan 2020 (365 days) and 1 - 29 Feb 2020 (29 days), out of 394:
    # 105,000 x 365 / 394 = 97,271.57; the rest, 7,728.43.
    assert (rows["2019"].budget, rows["2019"].spent) == (Decimal("97271.57"), Decimal("80000.00"))
    assert (rows["2020"].budget, rows["2020"].spent) == (Decimal("7728.43"), Decimal("2000.00"))
    assert rows["2019"].share_spent == Decimal("82.2")  # 80,000 / 97,271.57
    assert rows["2020"].share_spent == Decimal("25.9")  # 2,000 / 7,728.43, not the spending of January
    assert (rows["outside"].budget, rows["outside"].spent, rows["outside"].share_spent) == (
        Decimal("0.00"), Decimal("500.00"), None,
    )  # fmt: skip
    section = response.content.decode().split('id="breakdown-year"')[1].split("</section>")[0]
    assert "Outside the budget periods" in section
    assert "no yearly budget" in section
    assert "25.9 %" in section and "82.2 %" in section


def test_a_one_day_project_has_no_yearly_budget(client, staff_user):
    project = ProjectFactory(currency="EUR", planned_start=d(2024, 5, 6), planned_end=d(2024, 5, 6))
    line = BudgetLineFactory(project=project, amount=Decimal("1200.00"))
    ExpenditureFactory(line=line, date=d(2024, 5, 6), amount=Decimal("1500.00"))
    _, figures = figures_for(client, staff_user)
    (row,) = breakdown(figures, "year").by_currency["EUR"]
    assert (row.key, row.budget, row.spent, row.share_spent) == (
        "outside",
        Decimal("1200.00"),
        Decimal("1500.00"),
        None,
    )


def test_charts_are_svg_with_value_labels_and_tables(client, portfolio, staff_user):
    response, _ = figures_for(client, staff_user)
    content = response.content.decode()
    assert content.count('<svg class="bar-chart"') == 8  # four breakdowns, two currencies each
    assert 'fill="url(#chart-instrument-EUR-hatch)"' in content
    assert '<text class="bar-value"' in content
    assert "USD 80,000.00" in content  # a value label and a table cell
    assert '<svg class="gantt portfolio-gantt"' in content
    assert 'class="today-line"' in content or "today" in content


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({"country": "MA"}, {"P-PRIVATE"}),
        ({"instrument": "NDICI"}, {"P-PRIVATE", "P-USD"}),
        ({"year": "2023"}, {"P-USD"}),
        ({"status": str(Project.Status.CLOSED)}, {"P-USD"}),
        ({"thematic_area": "Border management"}, {"P-EUR", "P-USD"}),
        ({"country": "GE", "instrument": "NDICI"}, {"P-USD"}),
    ],
)
def test_filters_narrow_the_figures_and_the_timeline(client, portfolio, staff_user, query, codes):
    response, figures = figures_for(client, staff_user, query)
    assert {p.code for p in response.context["page"].object_list} == codes
    expected = expected_totals(Project.objects.filter(code__in=codes))
    assert {t.currency: t.spent for t in figures.totals} == {c: e["spent"] for c, e in expected.items()}


def test_bad_filter_values_keep_the_page_and_say_so(client, portfolio, staff_user):
    query = {"year": "abc", "country": "ZZ", "status": "99", "instrument": "NOPE", "sort": "sideways"}
    response, figures = figures_for(client, staff_user, query)
    content = response.content.decode()
    assert "Some filters could not be used and were ignored" in content
    for shown in ("Year “abc”", "Country “ZZ”", "Status “99”", "Funding instrument “NOPE”", "Order “sideways”"):
        assert shown in content
    assert figures.project_count == Project.objects.count()  # the bad filters were dropped, not applied


def test_htmx_request_gets_the_results_only_and_history_restore_the_page(client, portfolio, staff_user):
    client.force_login(staff_user)
    partial = client.get(URL, {"country": "GE"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert body.startswith('<div id="dashboard-results">') and "<html" not in body
    assert "Labour mobility in Georgia" in body and "Border data in Belarus" not in body
    restore = client.get(URL, {"country": "GE"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_filter_form_works_with_and_without_javascript(client, portfolio, staff_user):
    client.force_login(staff_user)
    content = client.get(URL).content.decode()
    assert 'method="get"' in content and 'hx-get="/dashboard/"' in content
    assert 'hx-push-url="true"' in content and 'hx-trigger="change, submit"' in content
    assert '<button type="submit"' in content
    assert "<script>" not in content.split("</head>")[1] and "style=" not in content


def test_export_links_carry_the_filters(client, portfolio, staff_user):
    response, _ = figures_for(client, staff_user, {"country": "GE", "year": "abc"})
    content = response.content.decode()
    assert "/dashboard/export/portfolio.csv?country=GE" in content
    assert "year=abc" not in content.split("Download the projects shown")[1].split("</p>")[0]


def test_timeline_sorts_and_pages(client, portfolio, staff_user):
    many_projects(55, expenditures_per_project=0)
    response, _ = figures_for(client, staff_user, {"sort": "title"})
    titles = [p.title for p in response.context["page"].object_list]
    assert titles == sorted(titles) and len(titles) == 50
    response, _ = figures_for(client, staff_user, {"sort": "-end", "page": "2"})
    page = response.context["page"]
    assert page.number == 2 and len(page.object_list) == Project.objects.count() - 50
    ends = [p.planned_end for p in Project.objects.order_by("-planned_end", "title", "pk")][50:]
    assert [p.planned_end for p in page.object_list] == ends
    assert "page=1" in response.content.decode()


def test_donors_group_never_sees_an_unpublished_project(client, portfolio):
    response, figures = figures_for(client, donors_group_member())
    content = response.content.decode()
    assert "Confidential reintegration pilot" not in content and "P-PRIVATE" not in content
    assert figures.project_count == Project.objects.filter(is_published=True).count()
    assert "MA" not in response.context["form"].fields["country"].choices.__str__()
    expected = expected_totals(Project.objects.filter(is_published=True))
    assert {t.currency: t.revised for t in figures.totals} == {c: e["revised"] for c, e in expected.items()}


def test_a_donor_member_sees_their_unpublished_project(client, portfolio, donor_of_private):
    response, figures = figures_for(client, donor_of_private)
    assert "Confidential reintegration pilot" in response.content.decode()
    assert figures.project_count == 1
    assert figures.totals[0].spent == Decimal("5000.00")


def test_reviewer_without_finance_rights_is_refused(client, users):
    client.force_login(users["reviewer"])
    assert client.get(URL).status_code == 403


def test_query_count_does_not_grow_with_the_portfolio(client, staff_user, django_assert_max_num_queries, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # every request sums the figures: what is counted here
    client.force_login(staff_user)
    many_projects(3, expenditures_per_project=10)
    client.get("/accounts/preferences/")  # the first request of a session records when it was last seen
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).status_code == 200
    many_projects(57, expenditures_per_project=10)  # 60 projects, 600 expenditures
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).status_code == 200
    assert len(large) == len(small)
    with django_assert_max_num_queries(30):
        client.get(URL, {"country": "BY", "sort": "end"})


# --- one project's dashboard -------------------------------------------------------------


def project_url(project):
    return reverse("dashboards:project", kwargs={"slug": project.slug})


def test_project_dashboard_budget_against_spending(client, portfolio, staff_user):
    client.force_login(staff_user)
    response = client.get(project_url(portfolio.eur))
    assert response.status_code == 200
    summary = response.context["summary"]
    figures = project_figures(portfolio.eur)
    assert (summary.total.original, summary.total.revised, summary.total.spent) == (
        figures["original"], figures["revised"], figures["spent"],
    )  # fmt: skip
    content = response.content.decode()
    assert content.count('<svg class="bar-chart"') == 1  # by category; no line is linked to an activity
    assert '<svg class="line-chart"' in content and "polyline" in content


def test_project_dashboard_by_activity(client, portfolio, users):
    line = portfolio.private.budget_lines.get()
    client.force_login(users["staff"])
    response = client.get(project_url(portfolio.private))
    assert response.context["by_activity"] == [
        {"title": "Reintegration workshop", "planned": line.amount, "spent": Decimal("5000.00"),
         "remaining": line.amount - Decimal("5000.00")}
    ]  # fmt: skip
    assert response.content.decode().count('<svg class="bar-chart"') == 2


def test_spending_curve_against_the_planned_curve(client, portfolio, staff_user):
    client.force_login(staff_user)
    curve = client.get(project_url(portfolio.eur)).context["curve"]
    months = [point.month for point in curve]
    assert months[0] == d(2024, 7, 1) and months[-1] == d(2025, 6, 1) and len(months) == 12
    assert curve[-1].planned == Decimal("106000.00")  # the revised budget, reached at the planned end
    assert curve[5].planned == Decimal("53000.00")  # linear: half of it after six of twelve months
    assert {p.month: p.spent for p in curve if p.spent} == {
        d(2024, 8, 1): Decimal("1000.00"), d(2024, 12, 1): Decimal("700.25"), d(2025, 2, 1): Decimal("2500.50"),
    }  # fmt: skip
    assert curve[-1].cumulative == Decimal("4200.75")  # the whole period is past
    assert [p.cumulative for p in curve][:3] == [Decimal("0.00"), Decimal("1000.00"), Decimal("1000.00")]


def test_spending_curve_includes_spending_outside_the_planned_period(portfolio):
    line = portfolio.usd.budget_lines.get()
    ExpenditureFactory(line=line, date=d(2024, 6, 30), amount=Decimal("1.00"))
    curve = selectors.spending_curve(project=portfolio.usd, revised_total=Decimal("80000.00"), today=d(2026, 1, 1))
    assert curve[-1].month == d(2024, 6, 1)
    assert curve[-1].planned == Decimal("80000.00") and curve[-1].cumulative == Decimal("40001.00")


def test_overdue_activities_and_upcoming_milestones(client, portfolio, staff_user):
    today = timezone.localdate()
    days = datetime.timedelta
    project = portfolio.eur
    overdue = ActivityFactory(project=project, title="Late study", planned_start=today - days(days=30),
                              planned_end=today - days(days=2), status=Activity.Status.ONGOING)  # fmt: skip
    ActivityFactory(project=project, title="Done study", planned_start=today - days(days=30),
                    planned_end=today - days(days=2), status=Activity.Status.COMPLETED)  # fmt: skip
    soon = ActivityFactory(project=project, title="Steering meeting", planned_start=today + days(days=10),
                           planned_end=today + days(days=10))  # fmt: skip
    ActivityFactory(project=project, title="Far meeting", planned_start=today + days(days=100),
                    planned_end=today + days(days=100))  # fmt: skip
    ActivityFactory(project=project, title="Long course", planned_start=today + days(days=5),
                    planned_end=today + days(days=9))  # fmt: skip
    client.force_login(staff_user)
    response = client.get(project_url(project))
    assert response.context["overdue"] == [overdue]
    assert response.context["milestones"] == [soon]


def test_project_tabs_link_the_dashboard_for_finance_users_only(client, users, project):
    url = reverse("projects:detail", kwargs={"slug": project.slug})
    client.force_login(users["manager"])
    assert project_url(project) in client.get(url).content.decode()
    client.force_login(users["reviewer"])
    assert project_url(project) not in client.get(url).content.decode()
    assert client.get(project_url(project)).status_code == 403


def test_project_dashboard_query_count_does_not_grow(client, staff_user):
    project = many_projects(1, expenditures_per_project=600)[0]
    for n in range(20):
        line = BudgetLineFactory(project=project, activity=ActivityFactory(project=project))
        ExpenditureFactory(line=line, date=d(2025, 1 + n % 12, 3))
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(project_url(project)).status_code == 200
    # 12, and the results view's indicators (none here: dashboards/tests/test_dashboard_results.py pins a full one)
    assert len(queries) <= 13, "\n".join(q["sql"][:100] for q in queries.captured_queries)
