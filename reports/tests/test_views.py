import datetime

import pytest
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, concept_objects
from documents.tests.factories import stored_document
from reports.models import Report

from .factories import ReportFactory, frozen_report, write_narrative

pytestmark = pytest.mark.django_db


def _url(report, name="detail", **extra):
    return reverse(f"reports:{name}", kwargs={"slug": report.project.slug, "report_id": report.pk, **extra})


def _records(project, count):
    for number in range(count):
        activity = ActivityFactory(project=project, status=Activity.Status.COMPLETED, title=f"Exchange {number}")
        ParticipationFactory(activity=activity)
        line = BudgetLineFactory(project=project, activity=activity)
        ExpenditureFactory(line=line)
        stored_document(project, visibility="donors", title=f"Agenda {number}")


@pytest.mark.parametrize("count", [1, 8])
def test_report_page_query_count_does_not_grow_with_the_records(
    client_for, project, count, django_assert_max_num_queries
):
    report = ReportFactory(project=project)
    write_narrative(report, "Some **progress**.")
    _records(project, count)
    client = client_for("manager")
    with django_assert_max_num_queries(17):
        response = client.get(_url(report))
    assert response.status_code == 200
    assert response.content.decode().count("Exchange ") == count * 2  # held, and budget by activity


def test_report_list_query_count(client_for, project, django_assert_max_num_queries):
    for month in range(1, 12):
        ReportFactory(
            project=project,
            kind="custom",
            period_start=datetime.date(2025, month, 1),
            period_end=datetime.date(2025, month, 28),
            due_date=datetime.date(2025, 12, 31),
        )
    client = client_for("manager")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("reports:list", kwargs={"slug": project.slug}))
    assert response.content.decode().count("/reports/") >= 11


def test_the_project_page_links_to_the_reports(client_for, project):
    page = client_for("drafter").get(reverse("projects:detail", kwargs={"slug": project.slug})).content.decode()
    assert reverse("reports:list", kwargs={"slug": project.slug}) in page
    reviewer_page = client_for("reviewer").get(reverse("projects:detail", kwargs={"slug": project.slug}))
    assert reverse("reports:list", kwargs={"slug": project.slug}) not in reviewer_page.content.decode()


def test_donor_lists_approved_reports_only(client_for, project, users):
    frozen_report(project, state=Report.State.APPROVED, title="Approved one", submitted_by=users["drafter"])
    ReportFactory(
        project=project,
        title="Still written",
        period_start=datetime.date(2025, 7, 1),
        period_end=datetime.date(2025, 9, 30),
    )
    page = client_for("donor").get(reverse("reports:list", kwargs={"slug": project.slug})).content.decode()
    assert "Approved one" in page and "Still written" not in page


def test_narrative_editor_saves_a_version_and_refuses_a_stale_save_keeping_the_text(client_for, project, users):
    report = ReportFactory(project=project)
    url = _url(report, "narrative", language="en")
    page = client_for("drafter").get(url).content.decode()
    assert "data-rich-editor" in page and "vendor/editor/editor.min.js" in page
    response = client_for("drafter").post(url, {"base_number": 0, "body": "First words."})
    assert response.status_code == 302
    client_for("manager").post(url, {"base_number": 1, "body": "Manager's words."})
    stale = client_for("drafter").post(url, {"base_number": 1, "body": "My late words."})
    assert stale.status_code == 200
    html = stale.content.decode()
    assert "was not saved" in html and "My late words." in html and "<p>Manager's words.</p>" in html
    assert stale.context["form"]["base_number"].value() == "2"  # saving again now is based on what was shown
    assert list(report.narratives.get().versions.values_list("body", flat=True)) == ["Manager's words.", "First words."]
    history = client_for("drafter").get(_url(report)).content.decode()
    assert "All versions" in history and "<p>Manager's words.</p>" in history


def test_drafter_submits_manager_returns_then_approves_and_donor_reads(client_for, project, users):
    report = ReportFactory(project=project)
    report.responsible.set([users["drafter"]])
    # client_for logs the one test client in as the role named: each step names who takes it.
    client_for("drafter").post(_url(report, "narrative", language="ru"), {"base_number": 0, "body": "Отчёт о ходе."})
    assert client_for("drafter").post(_url(report, "submit")).status_code == 302
    report.refresh_from_db()
    assert (report.state, report.submitted_by) == (Report.State.SUBMITTED, users["drafter"])
    client_for("manager").post(_url(report, "review"), {"action": "return", "comment": ""})
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED  # returning takes comments
    client_for("manager").post(_url(report, "review"), {"action": "return", "comment": "Name the participants."})
    page = client_for("drafter").get(_url(report)).content.decode()
    assert "Name the participants." in page and "Returned with comments" in page
    assert client_for("donor").get(_url(report)).status_code == 404
    client_for("drafter").post(
        _url(report, "narrative", language="ru"), {"base_number": 1, "body": "Отчёт: 30 человек."}
    )
    client_for("drafter").post(_url(report, "submit"))
    client_for("manager").post(_url(report, "review"), {"action": "approve"})
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED and report.approved_by == users["manager"]
    donor_page = client_for("donor").get(_url(report)).content.decode()
    assert "Отчёт: 30 человек." in donor_page and "Write the" not in donor_page


def test_a_frozen_report_shows_what_was_submitted(client_for, project, users):
    ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Kick-off meeting")
    report = frozen_report(project, state=Report.State.APPROVED, submitted_by=users["drafter"])
    ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Recorded afterwards")
    page = client_for("manager").get(_url(report)).content.decode()
    assert "Kick-off meeting" in page and "Recorded afterwards" not in page


def test_budget_is_shown_to_readers_with_finance_only(client_for, project):
    BudgetLineFactory(project=project, description="Travel of experts")
    report = ReportFactory(project=project)
    assert "Budget and spending" in client_for("manager").get(_url(report)).content.decode()
    assert "Budget and spending" not in client_for("drafter").get(_url(report)).content.decode()


def test_overdue_reports_are_marked(client_for, project):
    ReportFactory(project=project, title="Late one", due_date=datetime.date(2025, 7, 31))
    page = client_for("manager").get(reverse("reports:list", kwargs={"slug": project.slug})).content.decode()
    assert "Overdue" in page


def test_manager_adds_a_custom_report_with_responsible_members(client_for, project, users):
    response = client_for("manager").post(
        reverse("reports:create", kwargs={"slug": project.slug}),
        {
            "title": "Mid-term note",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "due_date": "2025-04-15",
            "responsible": [users["drafter"].pk],
        },
    )
    assert response.status_code == 302
    report = Report.objects.get(title="Mid-term note")
    assert report.kind == Report.Kind.CUSTOM and list(report.responsible.all()) == [users["drafter"]]


def test_a_period_ending_before_its_start_is_refused_in_the_form(client_for, project):
    response = client_for("manager").post(
        reverse("reports:create", kwargs={"slug": project.slug}),
        {"title": "Wrong", "period_start": "2025-03-01", "period_end": "2025-02-01", "due_date": "2025-04-15"},
    )
    assert response.status_code == 200
    assert "The end of the period cannot be before its start." in response.content.decode()
    assert not Report.objects.exists()


def test_schedule_form_adds_the_reports(client_for, project):
    response = client_for("manager").post(
        reverse("reports:schedule", kwargs={"slug": project.slug}),
        {"interim_months": 6, "final_report": "on", "days_to_submit": 30},
    )
    assert response.status_code == 302
    assert list(Report.objects.filter(project=project).values_list("kind", flat=True)) == ["interim", "final"]


def test_russian_readers_see_russian_titles_where_the_records_have_them(client_for, project, users):
    held = ActivityFactory(
        project=project, status=Activity.Status.COMPLETED, title="Study visit", title_ru="Ознакомительный визит"
    )
    parts = concept_objects(ConceptFactory(project=project), author=users["reviewer"])
    Comment.objects.create(
        section=parts["section"],
        version=parts["section"].head,
        author=users["reviewer"],
        body="Add a chapter.",
        is_recommendation=True,
        source_activity=held,
    )
    report = ReportFactory(project=project)
    client = client_for("manager")
    page = client.get(_url(report), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert page.count("Ознакомительный визит") == 2  # held, and where the recommendation was made
    assert "Study visit" not in page
