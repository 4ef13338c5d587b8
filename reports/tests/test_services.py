import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.models import BudgetRevision
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from concepts.models import Comment, Edition
from concepts.tests.factories import ConceptFactory, concept_objects
from documents.tests.factories import stored_document
from projects.access import capabilities
from reports import services
from reports.assembly import assemble, present
from reports.models import NarrativeVersion, Report
from results import services as results_services
from results.tests.factories import framework

from .factories import ReportFactory, write_narrative

pytestmark = pytest.mark.django_db


def test_schedule_makes_interim_reports_every_n_months_and_a_final_one(project):
    added = services.schedule_save(project=project, interim_months=4, final_report=True, days_to_submit=30)
    periods = [(r.kind, r.period_start, r.period_end, r.due_date) for r in added]
    assert periods == [
        ("interim", datetime.date(2025, 1, 1), datetime.date(2025, 4, 30), datetime.date(2025, 5, 30)),
        ("interim", datetime.date(2025, 5, 1), datetime.date(2025, 8, 31), datetime.date(2025, 9, 30)),
        ("final", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), datetime.date(2026, 1, 30)),
    ]


def test_a_new_schedule_replaces_untouched_reports_and_keeps_started_ones(project, users):
    first = services.schedule_save(project=project, interim_months=6, final_report=True, days_to_submit=30)
    started = first[0]
    services.narrative_save(report=started, language="en", base_number=0, body="Begun.", user=users["drafter"])
    services.schedule_save(project=project, interim_months=3, final_report=True, days_to_submit=10)
    reports = list(Report.objects.filter(project=project, kind="interim").order_by("period_start"))
    # The started half-year report stays; quarters overlapping it are not added; the third quarter is.
    assert [(r.period_start, r.period_end) for r in reports] == [
        (datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)),
        (datetime.date(2025, 7, 1), datetime.date(2025, 9, 30)),
    ]
    assert Report.objects.filter(project=project, kind="final").count() == 1


def test_schedule_refuses_zero_months(project):
    with pytest.raises(ValidationError) as refused:
        services.schedule_save(project=project, interim_months=0, final_report=True, days_to_submit=30)
    assert "interim_months" in refused.value.message_dict


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2025-03-01", "2025-02-01", "period_end", "cannot be before its start"),
        ("2024-12-01", "2025-02-01", "period_start", "cannot start before the project"),
        ("2025-11-01", "2026-02-01", "period_end", "cannot end after the project"),
    ],
)
def test_report_periods_are_checked_with_clear_messages(project, users, start, end, field, message):
    with pytest.raises(ValidationError) as refused:
        services.report_create(
            project=project,
            kind="interim",
            title="Q",
            period_start=datetime.date.fromisoformat(start),
            period_end=datetime.date.fromisoformat(end),
            due_date=datetime.date(2026, 3, 1),
        )
    assert message in " ".join(refused.value.message_dict[field])


def test_interim_periods_may_not_overlap(project, users):
    ReportFactory(project=project, title="First half")
    with pytest.raises(ValidationError) as refused:
        services.report_create(
            project=project,
            kind="interim",
            title="Spring",
            period_start=datetime.date(2025, 4, 1),
            period_end=datetime.date(2025, 9, 30),
            due_date=datetime.date(2025, 10, 31),
        )
    assert "overlaps “First half”" in refused.value.message_dict["period_start"][0]


def test_responsible_members_must_belong_to_the_project(project, users):
    report = ReportFactory(project=project)
    with pytest.raises(ValidationError) as refused:
        services.report_update(report=report, responsible=[users["outsider"]], due_date=datetime.date(2025, 8, 1))
    assert "responsible" in refused.value.message_dict
    services.report_update(report=report, responsible=[users["drafter"]], due_date=datetime.date(2025, 8, 1))
    report.refresh_from_db()
    assert list(report.responsible.all()) == [users["drafter"]] and report.due_date == datetime.date(2025, 8, 1)


def test_narrative_versions_are_numbered_and_a_stale_save_is_refused(project, users):
    report = ReportFactory(project=project, state=Report.State.NOT_STARTED)
    first = services.narrative_save(report=report, language="en", base_number=0, body="One.", user=users["drafter"])
    second = services.narrative_save(report=report, language="en", base_number=1, body="Two.", user=users["manager"])
    assert (first.number, second.number, second.based_on) == (1, 2, first)
    with pytest.raises(services.StaleNarrative) as refused:
        services.narrative_save(report=report, language="en", base_number=1, body="Mine.", user=users["drafter"])
    assert refused.value.head == second
    assert "version 2" in refused.value.messages[0]
    assert list(NarrativeVersion.objects.values_list("body", flat=True).order_by("number")) == ["One.", "Two."]
    report.refresh_from_db()
    assert report.state == Report.State.IN_PROGRESS


def test_versions_are_immutable(project):
    version = write_narrative(ReportFactory(project=project), "Text")
    version.body = "Changed"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_submit_freezes_figures_and_narrative_until_returned(project, users):
    report = ReportFactory(project=project)
    activity = ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Workshop")
    version = services.narrative_save(report=report, language="en", base_number=0, body="Done.", user=users["drafter"])
    submitted = services.report_submit(report=report, user=users["drafter"])
    assert submitted.state == Report.State.SUBMITTED and submitted.submitted_by == users["drafter"]
    assert [a["title"] for a in submitted.snapshot["activities"]] == ["Workshop"]
    assert list(submitted.frozen_versions.all()) == [version]
    ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Added later")
    activity.title = "Renamed"
    activity.save()
    submitted.refresh_from_db()
    assert [a["title"] for a in submitted.snapshot["activities"]] == ["Workshop"]
    with pytest.raises(ValidationError, match="already been submitted"):
        services.report_submit(report=report, user=users["manager"])
    with pytest.raises(ValidationError, match="only after it is returned"):
        services.narrative_save(report=report, language="en", base_number=1, body="More.", user=users["drafter"])
    returned = services.report_return(report=report, user=users["manager"], comment="Add the renamed workshop.")
    assert returned.state == Report.State.RETURNED and returned.snapshot is None
    assert not returned.frozen_versions.exists()
    services.narrative_save(report=report, language="en", base_number=1, body="Done, twice.", user=users["drafter"])
    again = services.report_submit(report=report, user=users["drafter"])
    assert sorted(a["title"] for a in again.snapshot["activities"]) == ["Added later", "Renamed"]


def test_an_empty_narrative_cannot_be_submitted(project, users):
    report = ReportFactory(project=project)
    with pytest.raises(ValidationError, match="Write the narrative"):
        services.report_submit(report=report, user=users["manager"])


def test_returning_needs_comments_and_a_submitted_report(project, users):
    report = ReportFactory(project=project)
    with pytest.raises(ValidationError, match="Only a submitted report"):
        services.report_approve(report=report, user=users["manager"])
    write_narrative(report, "Text")
    services.report_submit(report=report, user=users["drafter"])
    with pytest.raises(ValidationError) as refused:
        services.report_return(report=report, user=users["manager"], comment="  ")
    assert "comment" in refused.value.message_dict
    report.refresh_from_db()
    assert report.state == Report.State.SUBMITTED


def test_self_approval_is_refused_when_forbidden(project, users, settings):
    settings.REPORTS_FORBID_SELF_APPROVAL = True
    report = ReportFactory(project=project)
    write_narrative(report, "Text")
    services.report_submit(report=report, user=users["manager"])
    with pytest.raises(ValidationError, match="another manager approves"):
        services.report_approve(report=report, user=users["manager"])
    approved = services.report_approve(report=report, user=users["staff"])
    assert approved.state == Report.State.APPROVED and approved.approved_by == users["staff"]


def test_self_approval_is_allowed_when_not_forbidden(project, users, settings):
    settings.REPORTS_FORBID_SELF_APPROVAL = False
    report = ReportFactory(project=project)
    write_narrative(report, "Text")
    services.report_submit(report=report, user=users["manager"])
    assert services.report_approve(report=report, user=users["manager"]).state == Report.State.APPROVED


def test_activities_held_in_the_period_with_participation(project):
    held = ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Exchange")
    ParticipationFactory(activity=held, participants=10, women=6)
    ParticipationFactory(activity=held, participants=5, women=None)
    unsplit = ActivityFactory(project=project, status=Activity.Status.COMPLETED, title="Mission")
    ParticipationFactory(activity=unsplit, participants=4, women=None)
    ActivityFactory(project=project, status=Activity.Status.PLANNED, title="Not held")
    ActivityFactory(
        project=project,
        status=Activity.Status.COMPLETED,
        title="Later",
        planned_start=datetime.date(2025, 8, 1),
        planned_end=datetime.date(2025, 8, 2),
    )
    rows = assemble(report=ReportFactory(project=project))["activities"]
    assert [(r["title"], r["participants"], r["women"], r["organisations"]) for r in rows] == [
        ("Exchange", 15, 6, 2),
        ("Mission", 4, None, 1),
    ]


def test_budget_against_spending_by_category_and_activity(project):
    activity = ActivityFactory(project=project)
    travel = BudgetLineFactory(project=project, category="travel", amount=Decimal("1000"), activity=activity)
    staff = BudgetLineFactory(project=project, category="staff", amount=Decimal("5000"))
    BudgetRevision.objects.create(line=staff, amount=Decimal("6000"), date=datetime.date(2025, 5, 1), reason="More")
    BudgetRevision.objects.create(line=staff, amount=Decimal("9000"), date=datetime.date(2025, 9, 1), reason="After")
    ExpenditureFactory(line=travel, amount=Decimal("100"), date=datetime.date(2025, 3, 1))
    ExpenditureFactory(line=travel, amount=Decimal("50"), date=datetime.date(2025, 8, 1))
    ExpenditureFactory(line=staff, amount=Decimal("700"), date=datetime.date(2025, 6, 30))
    report = ReportFactory(
        project=project, period_start=datetime.date(2025, 3, 1), period_end=datetime.date(2025, 6, 30)
    )
    budget = assemble(report=report)["budget"]
    assert budget["categories"] == [
        {"category": "staff", "budget": "6000.00", "spent_period": "700.00", "spent_to_date": "700.00"},
        {"category": "travel", "budget": "1000.00", "spent_period": "100.00", "spent_to_date": "100.00"},
    ]
    assert budget["total"] == {"budget": "7000.00", "spent_period": "800.00", "spent_to_date": "800.00"}
    assert [(row["title"], row["spent_period"]) for row in budget["activities"]] == [(activity.title, "100.00")]


def test_results_show_approved_values_of_periods_inside_the_report(project, users):
    parts = framework(project)  # its period: the first 90 days of 2025
    update = results_services.update_save(
        indicator=parts["trained"], period=parts["period"], user=users["drafter"], value=12, women=7, men=5, submit=True
    )
    report = ReportFactory(project=project)
    assert assemble(report=report)["results"] == []  # submitted, not approved
    results_services.update_approve(update=update, user=users["manager"])
    rows = assemble(report=report)["results"]
    assert [(r["indicator"], r["actual"], r["women"]) for r in rows] == [("Officials trained", "12", "7")]
    later = ReportFactory(
        project=project, kind="custom", period_start=datetime.date(2025, 2, 1), period_end=datetime.date(2025, 12, 31)
    )
    assert assemble(report=later)["results"] == []  # the period is not inside it


def test_recommendations_editions_and_documents_respect_visibility(project, users):
    concept = ConceptFactory(project=project)
    parts = concept_objects(concept, author=users["reviewer"])  # its edition is dated 25 Feb 2020
    recommendation = Comment.objects.create(
        section=parts["section"],
        version=parts["section"].head,
        author=users["reviewer"],
        body="Add a chapter.",
        is_recommendation=True,
        disposition=Comment.Disposition.ACCEPTED,
    )
    Comment.objects.filter(pk=recommendation.pk).update(
        created_at=datetime.datetime(2025, 5, 5, 10, tzinfo=datetime.UTC)
    )
    Edition.objects.create(concept=concept, name="First advanced draft", date=datetime.date(2025, 6, 1))
    team = stored_document(project, visibility="team", title="Team notes")
    donors = stored_document(project, visibility="donors", title="Financial report")
    for document in (team, donors):
        document.document_date = datetime.date(2025, 2, 1)
        document.save()
    report = ReportFactory(
        project=project, period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31)
    )
    figures = assemble(report=report)
    assert [edition["name"] for edition in figures["editions"]] == ["First advanced draft"]  # not the 2020 one
    recommendations = figures["recommendations"]
    assert [item["excerpt"] for item in recommendations["items"]] == ["Add a chapter."]
    assert recommendations["by_disposition"] == {"accepted": 1}
    donor_view = present(figures, granted=capabilities(users["donor"], project))
    manager_view = present(figures, granted=capabilities(users["manager"], project))
    drafter_view = present(figures, granted=capabilities(users["drafter"], project))
    assert [d["title"] for d in donor_view["documents"]] == ["Financial report"]
    assert sorted(d["title"] for d in manager_view["documents"]) == ["Financial report", "Team notes"]
    assert donor_view["budget"] is not None and drafter_view["budget"] is None  # drafters have no FINANCE
    # Donors do not read drafts: they see what became of a recommendation, not its wording.
    assert [(item["excerpt"], item["disposition"]) for item in donor_view["recommendations"]["items"]] == [
        ("", "accepted")
    ]
    assert drafter_view["recommendations"]["items"][0]["excerpt"] == "Add a chapter."
