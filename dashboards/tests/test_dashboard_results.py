"""The donors' results view on the project dashboard: baseline, target and approved actual per period."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.tests.factories import ProjectFactory
from results import services
from results.models import Indicator
from results.tests.factories import framework

pytestmark = pytest.mark.django_db
d = datetime.date


def dashboard(client, project):
    return client.get(reverse("dashboards:project", kwargs={"slug": project.slug}))


def test_donor_sees_targets_and_only_approved_actuals(client_for, project, users):
    fw = framework(project)
    services.indicator_update(indicator=fw["trained"], baseline_value=Decimal(3), baseline_year=2024)
    services.target_set(
        indicator=fw["trained"], period=fw["period"], value=Decimal(20), women=Decimal(10), men=Decimal(10)
    )
    approved = services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(17), submit=True
    )
    services.update_approve(update=approved, user=users["manager"])
    services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(64), submit=True
    )  # waiting: not shown
    page = dashboard(client_for("donor"), project).content.decode()
    section = page[page.index('id="results"') :]
    assert "Officials trained" in section and "Baseline: 3 (2024)" in section
    assert '<svg class="bar-chart"' in section and "chart-indicator-" in section
    label = str(fw["period"])
    row = section[section.index(f'<th scope="row">{label}</th>') :].split("</tr>")[0]
    assert "<td>20</td><td>17</td>" in row
    assert "64" not in section


def test_results_view_query_count_does_not_grow(client, users, django_assert_max_num_queries):
    project = ProjectFactory(planned_start=d(2025, 1, 1), planned_end=d(2026, 12, 31))
    periods = services.periods_generate(project=project, frequency="quarterly")
    assert len(periods) == 8
    fw = framework(ProjectFactory())  # another project's framework stays out
    objective = services.result_create(project=project, level="objective", title="Objective")
    outcome = services.result_create(project=project, level="outcome", parent=objective, title="Outcome")
    for number in range(20):
        indicator = services.indicator_create(result=outcome, title=f"Indicator {number}", unit=Indicator.Unit.NUMBER)
        for period in periods:
            services.target_set(indicator=indicator, period=period, value=Decimal(number + 1))
            update = services.update_save(
                indicator=indicator, period=period, user=users["drafter"], value=Decimal(number), submit=True
            )
            services.update_approve(update=update, user=users["manager"])
    client.force_login(users["staff"])
    with django_assert_max_num_queries(14):
        response = dashboard(client, project)
    page = response.content.decode()
    assert page.count("chart-indicator-") >= 20
    assert "Indicator 19" in page and fw["trained"].title not in page


def test_portfolio_adds_up_indicators_that_share_a_code(client, users):
    georgia = ProjectFactory(countries=["GE"], is_published=True)
    moldova = ProjectFactory(countries=["MD"], is_published=True)
    for project, (value, women, men), target in [(georgia, (10, 6, 4), 30), (moldova, (7, 3, 4), 20)]:
        fw = framework(project)
        services.target_set(indicator=fw["trained"], period=None, value=Decimal(target))
        update = services.update_save(
            indicator=fw["trained"],
            period=fw["period"],
            user=users["drafter"],
            value=Decimal(value),
            women=Decimal(women),
            men=Decimal(men),
            submit=True,
        )
        services.update_approve(update=update, user=users["manager"])
        services.update_save(
            indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(500), submit=True
        )  # waiting: not counted
    client.force_login(users["portfolio_donor"])

    def shared(query=""):
        response = client.get(reverse("dashboards:portfolio") + query)
        page = response.content.decode()
        section = page[page.index('id="indicators-heading"') :].split("</section>")[0]
        row = section[section.index("(officials-trained)") :].split("</tr>")[0]
        return [cell.split(">")[-1] for cell in row.split("</td>")[:-1]]

    assert shared() == ["2", "50", "17", "9", "8", "—"]
    assert shared("?country=MD") == ["1", "20", "7", "3", "4", "—"]
