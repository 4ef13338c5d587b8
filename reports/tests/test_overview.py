"""The overview of reports due and overdue across the portfolio (`/reports/`)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.tests.factories import ProjectFactory
from reports.models import Report
from reports.tests.test_reminders import make_report

pytestmark = pytest.mark.django_db

URL = "/reports/"


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def portfolio(project, other_project, users):
    """Reports on the manager's project and on a project the manager has nothing to do with."""
    for p in (project, other_project):
        p.planned_start, p.planned_end = days(-400), days(400)
        p.save()
    return {
        "overdue": make_report(
            project, due=days(-3), title="Overdue interim", responsible=[users["drafter"]], period_end=days(-30)
        ),
        "soon": make_report(project, due=days(10), title="Due soon", kind="final", period_end=days(5)),
        "submitted": make_report(
            project,
            due=days(-10),
            title="Submitted late",
            kind="custom",
            state=Report.State.SUBMITTED,
            period_end=days(-40),
        ),
        "approved": make_report(
            project,
            due=days(-100),
            title="Approved long ago",
            kind="custom",
            state=Report.State.APPROVED,
            period_end=days(-120),
        ),
        "elsewhere": make_report(other_project, due=days(-1), title="Other project's report", period_end=days(-20)),
    }


def titles(response) -> list[str]:
    return [report.title for report in response.context["reports"]]


def test_staff_see_every_report_not_yet_approved_overdue_first(client_for, portfolio):
    response = client_for("staff").get(URL)
    assert response.status_code == 200
    assert titles(response) == ["Overdue interim", "Other project's report", "Submitted late", "Due soon"]
    html = response.content.decode()
    assert "Approved long ago" not in html
    assert "3 days overdue" in html and "Waiting for approval" in html and "in 10 days" in html


def test_sorting_by_due_date_latest_first_keeps_overdue_reports_on_top(client_for, portfolio):
    response = client_for("staff").get(URL, {"sort": "-due"})
    assert titles(response) == ["Other project's report", "Overdue interim", "Due soon", "Submitted late"]
    assert 'aria-sort="descending"' in response.content.decode()


def test_an_unknown_sort_is_the_default_order(client_for, portfolio):
    response = client_for("staff").get(URL, {"sort": "title; drop table"})
    assert titles(response)[0] == "Overdue interim"


def test_a_manager_sees_only_their_own_projects_reports(client_for, portfolio):
    response = client_for("manager").get(URL)
    assert titles(response) == ["Overdue interim", "Submitted late", "Due soon"]
    assert "Other project" not in response.content.decode()


@pytest.mark.parametrize("role", ["outsider", "other_drafter", "portfolio_donor", "donor", "reviewer", "drafter"])
def test_members_who_approve_no_report_are_refused(client_for, portfolio, role):
    assert client_for(role).get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client_for, portfolio):
    response = client_for("anonymous").get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_staff_find_the_overview_in_the_navigation(client_for, portfolio):
    assert 'href="/reports/"' in client_for("staff").get("/projects/").content.decode()


def test_the_overview_reads_a_fixed_number_of_queries(client_for, users, django_assert_max_num_queries):
    client = client_for("staff")
    for n in range(30):
        project = ProjectFactory(planned_start=days(-400), planned_end=days(400))
        make_report(
            project,
            due=days(n - 15),
            title=f"Report {n}",
            responsible=[users["drafter"], users["manager"]],
            period_end=days(-20),
        )
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert len(response.context["reports"]) == 30


def test_staff_see_the_reminders_sent_and_the_files_printed_in_the_admin(admin_client, project, users):
    from reports.job_models import ReportReminder

    report = make_report(
        project, due=days(-2), title="Reminded report", responsible=[users["drafter"]], period_end=days(-30)
    )
    ReportReminder.objects.create(
        report=report, user=users["drafter"], day=days(0), kind="overdue", days=-2, due_date=report.due_date
    )
    for model in ("reportreminder", "reportrenderjob"):
        assert admin_client.get(f"/admin/reports/{model}/").status_code == 200
    assert "Reminded report" in admin_client.get("/admin/reports/reportreminder/").content.decode()
