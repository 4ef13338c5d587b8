"""`seed_bench_results` and the query counts of the framework page and the results dashboard:
pinned, and the same whatever the number of projects, indicators and periods (the bench measures
them at 1,000 projects × 20 indicators × 8 periods)."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import Project
from results import services
from results.models import Indicator, IndicatorUpdate, ReportingPeriod, Result, Target

pytestmark = pytest.mark.django_db

FRAMEWORK_QUERIES = 12
DASHBOARD_QUERIES = 14


def seed(scale_projects, **options):
    call_command("seed_scale", projects=scale_projects, stdout=StringIO())
    call_command("seed_bench_results", stdout=StringIO(), **options)


def test_seed_gives_every_scale_project_a_valid_framework_of_20_indicators_and_8_periods():
    seed(3)
    project = Project.objects.get(code="scale-00002")
    assert Result.objects.filter(project=project).count() == 7
    assert Indicator.objects.filter(project=project).count() == 20
    assert ReportingPeriod.objects.filter(project=project).count() == 8
    assert Target.objects.filter(project=project).count() == 20 * 9
    updates = IndicatorUpdate.objects.filter(project=project)
    assert updates.count() == 160 and updates.approved().count() == 160
    assert Indicator.objects.filter(code="officials-trained").count() == 3  # shared across projects
    assert Indicator.objects.filter(project=project, by_sex=True).exists()
    # Every row keeps the rules the forms enforce: periods inside the project and apart, parts adding up.
    for row in [*Result.objects.all(), *ReportingPeriod.objects.all(), *Target.objects.filter(project=project)]:
        row.full_clean()
    for update in updates.select_related("indicator", "period"):
        update.full_clean()


def test_seed_keeps_existing_frameworks_limits_to_projects_and_resets():
    seed(3, projects=2)
    assert Indicator.objects.filter(project__code="scale-00003").count() == 0
    assert Indicator.objects.count() == 40
    call_command("seed_bench_results", stdout=StringIO())
    assert Indicator.objects.count() == 60
    assert IndicatorUpdate.objects.count() == 480
    call_command("seed_bench_results", reset=True, stdout=StringIO())
    assert Indicator.objects.count() == 60 and Result.objects.count() == 21
    call_command("seed_bench_results", reset=True, projects=0, stdout=StringIO())
    assert not Result.objects.exists() and not IndicatorUpdate.objects.exists()


def queries(client, url: str) -> int:
    cache.clear()  # the dashboard's body is cached: count the work of building it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def grow_the_project(project, user) -> None:
    """Four more periods (after a longer end) and ten more indicators, with targets and approved updates."""
    Project.objects.filter(pk=project.pk).update(planned_end=project.planned_end + datetime.timedelta(days=400))
    project.refresh_from_db()
    last = ReportingPeriod.objects.filter(project=project).order_by("-end").first().end
    for number in range(4):
        start = last + datetime.timedelta(days=1 + 90 * number)
        services.period_create(project=project, start=start, end=start + datetime.timedelta(days=89))
    output = Result.objects.filter(project=project, level=Result.Level.OUTPUT).first()
    periods = list(ReportingPeriod.objects.filter(project=project))
    for number in range(10):
        indicator = services.indicator_create(result=output, title=f"Added indicator {number}")
        for period in periods:
            services.target_set(indicator=indicator, period=period, value=Decimal(5))
            update = services.update_save(indicator=indicator, period=period, user=user, value=Decimal(3), submit=True)
            services.update_approve(update=update, user=user)


def test_framework_page_and_results_dashboard_queries_do_not_grow_with_the_data(client, users):
    seed(1)
    project = Project.objects.get(code="scale-00001")
    client.force_login(users["staff"])
    framework = reverse("results:framework", kwargs={"slug": project.slug})
    dashboard = reverse("dashboards:project", kwargs={"slug": project.slug})
    first = {"framework": queries(client, framework), "dashboard": queries(client, dashboard)}
    assert first["framework"] <= FRAMEWORK_QUERIES and first["dashboard"] <= DASHBOARD_QUERIES

    seed(3)  # two more projects' frameworks
    grow_the_project(project, users["staff"])
    assert Indicator.objects.filter(project=project).count() == 30
    assert ReportingPeriod.objects.filter(project=project).count() == 12
    assert Indicator.objects.count() == 70
    after = {"framework": queries(client, framework), "dashboard": queries(client, dashboard)}
    assert after == first
    page = client.get(dashboard).content.decode()
    assert "Added indicator 9" in page and "of scale-00002" not in page
