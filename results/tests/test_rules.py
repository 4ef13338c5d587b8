"""The framework's rules, at the model and service level: each bad input refused at its field."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from projects.tests.factories import ProjectFactory
from results import services
from results.models import Indicator, IndicatorUpdate, Result
from results.selectors import actual_of, period_rows

from .factories import framework

pytestmark = pytest.mark.django_db
d = datetime.date


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def fw(project):
    return framework(project)


def test_a_project_has_one_overall_objective(project, fw):
    with pytest.raises(ValidationError) as excinfo:
        services.result_create(project=project, level=Result.Level.OBJECTIVE, title="Second")
    assert "level" in errors_of(excinfo)


def test_an_output_must_sit_under_an_outcome_of_the_same_project(project, fw, other_project):
    with pytest.raises(ValidationError) as excinfo:
        services.result_create(project=project, level=Result.Level.OUTPUT, parent=fw["objective"], title="X")
    assert "parent" in errors_of(excinfo)
    other = framework(other_project)
    with pytest.raises(ValidationError) as excinfo:
        services.result_create(project=project, level=Result.Level.OUTPUT, parent=other["outcome"], title="X")
    assert "parent" in errors_of(excinfo)


def test_result_changes_are_in_the_project_history(project, fw):
    from common.history import project_history

    services.result_update(result=fw["output"], title="Renamed output")
    subjects = [(entry.subject, entry.kind) for entry in project_history(project)]
    assert ("Renamed output", "changed") in subjects
    assert ("Officials trained", "created") in subjects


def test_baseline_percentage_above_100_is_refused(fw):
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_update(indicator=fw["share"], baseline_value=Decimal("120"))
    assert "above 100" in errors_of(excinfo)["baseline_value"][0]


def test_baseline_year_after_project_end_is_refused(project, fw):
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_update(indicator=fw["trained"], baseline_year=project.planned_end.year + 1)
    assert "baseline_year" in errors_of(excinfo)
    services.indicator_update(indicator=fw["trained"], baseline_year=project.planned_end.year)


def test_only_numbers_split_by_sex(fw):
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_update(indicator=fw["share"], by_sex=True)
    assert "by_sex" in errors_of(excinfo)


def test_computed_measure_must_fit_the_unit(fw):
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_update(indicator=fw["trained"], source=Indicator.Source.RECOMMENDATIONS_INCORPORATED)
    assert "source" in errors_of(excinfo)


def test_number_target_for_a_yes_no_indicator_is_refused(fw):
    presented = services.indicator_create(result=fw["outcome"], title="Presented", unit=Indicator.Unit.YES_NO)
    with pytest.raises(ValidationError) as excinfo:
        services.target_set(indicator=presented, period=None, value=Decimal(4))
    assert "yes or no" in errors_of(excinfo)["value"][0]
    assert services.target_set(indicator=presented, period=None, value=Decimal(1)).value == 1


def test_target_parts_must_add_up(fw):
    with pytest.raises(ValidationError) as excinfo:
        services.target_set(
            indicator=fw["trained"], period=fw["period"], value=Decimal(10), women=Decimal(4), men=Decimal(4)
        )
    assert "add up" in errors_of(excinfo)["women"][0]
    target = services.target_set(
        indicator=fw["trained"], period=fw["period"], value=Decimal(10), women=Decimal(6), men=Decimal(4)
    )
    assert target.period == fw["period"]


def test_target_per_period_and_for_the_whole_project_once_each(fw):
    services.target_set(indicator=fw["trained"], period=None, value=Decimal(40))
    services.target_set(indicator=fw["trained"], period=None, value=Decimal(50))
    services.target_set(indicator=fw["trained"], period=fw["period"], value=Decimal(10))
    targets = {(t.period_id, t.value) for t in fw["trained"].targets.all()}
    assert targets == {(None, Decimal(50)), (fw["period"].pk, Decimal(10))}
    services.target_set(indicator=fw["trained"], period=None)  # nothing given: removed
    assert fw["trained"].targets.count() == 1


def test_period_outside_the_project_is_refused(project):
    with pytest.raises(ValidationError) as excinfo:
        services.period_create(
            project=project,
            start=project.planned_start - datetime.timedelta(days=1),
            end=project.planned_start + datetime.timedelta(days=30),
        )
    assert "start" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.period_create(
            project=project, start=project.planned_start, end=project.planned_end + datetime.timedelta(days=1)
        )
    assert "end" in errors_of(excinfo)


def test_overlapping_periods_are_refused(project, fw):
    with pytest.raises(ValidationError) as excinfo:
        services.period_create(project=project, start=fw["period"].end, end=fw["period"].end + datetime.timedelta(5))
    assert "overlaps" in errors_of(excinfo)["start"][0]


def test_end_before_start_is_refused_at_the_end(project):
    with pytest.raises(ValidationError) as excinfo:
        services.period_create(project=project, start=d(2025, 5, 1), end=d(2025, 4, 1), due=d(2025, 6, 1))
    assert "end" in errors_of(excinfo)


@pytest.mark.parametrize(("frequency", "count"), [("quarterly", 4), ("half_yearly", 2), ("yearly", 1)])
def test_generated_periods_cover_the_project(frequency, count):
    project = ProjectFactory(planned_start=d(2025, 1, 1), planned_end=d(2025, 12, 31))
    periods = services.periods_generate(project=project, frequency=frequency)
    assert len(periods) == count
    assert periods[0].start == d(2025, 1, 1) and periods[-1].end == d(2025, 12, 31)
    assert all(a.end + datetime.timedelta(days=1) == b.start for a, b in zip(periods, periods[1:], strict=False))


def test_generated_periods_stop_at_the_project_end():
    project = ProjectFactory(planned_start=d(2019, 2, 1), planned_end=d(2020, 2, 29))
    periods = services.periods_generate(project=project, frequency="yearly")
    assert [(p.start, p.end) for p in periods] == [(d(2019, 2, 1), d(2020, 1, 31)), (d(2020, 2, 1), d(2020, 2, 29))]
    with pytest.raises(ValidationError):
        services.periods_generate(project=project, frequency="quarterly")


def test_update_parts_must_add_up_to_the_total(fw, users):
    with pytest.raises(ValidationError) as excinfo:
        services.update_save(
            indicator=fw["trained"],
            period=fw["period"],
            user=users["drafter"],
            value=Decimal(12),
            women=Decimal(5),
            men=Decimal(5),
            other=Decimal(1),
        )
    assert "add up" in errors_of(excinfo)["women"][0]


def test_update_percentage_above_100_is_refused(fw, users):
    with pytest.raises(ValidationError) as excinfo:
        services.update_save(indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(101))
    assert "value" in errors_of(excinfo)


def test_evidence_must_be_links(fw, users):
    with pytest.raises(ValidationError) as excinfo:
        services.update_save(
            indicator=fw["share"],
            period=fw["period"],
            user=users["drafter"],
            value=Decimal(50),
            evidence="https://example.org/list.pdf\nthe attendance list",
        )
    assert "evidence" in errors_of(excinfo)


def _submitted(fw, users, value, indicator="trained"):
    return services.update_save(
        indicator=fw[indicator], period=fw["period"], user=users["drafter"], value=Decimal(value), submit=True
    )


def test_update_flow_records_who_and_when(fw, users):
    draft = services.update_save(indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(5))
    assert draft.status == IndicatorUpdate.Status.DRAFT and draft.submitted_at is None
    submitted = services.update_submit(update=draft, user=users["drafter"])
    assert (submitted.status, submitted.submitted_by) == ("submitted", users["drafter"])
    with pytest.raises(ValidationError):
        services.update_save(
            indicator=fw["trained"], period=fw["period"], user=users["drafter"], update=submitted, value=Decimal(6)
        )
    returned = services.update_return(update=submitted, user=users["manager"], comment="Count the second day too.")
    assert (returned.status, returned.reviewed_by, returned.review_comment) == (
        "returned",
        users["manager"],
        "Count the second day too.",
    )
    corrected = services.update_save(
        indicator=fw["trained"],
        period=fw["period"],
        user=users["drafter"],
        update=returned,
        value=Decimal(9),
        submit=True,
    )
    approved = services.update_approve(update=corrected, user=users["manager"])
    assert (approved.status, approved.value, approved.reviewed_by) == ("approved", Decimal(9), users["manager"])
    assert approved.reviewed_at is not None and approved.submitted_at is not None
    history = list(IndicatorUpdate.history.filter(id=approved.pk).values_list("status", flat=True))
    assert set(history) == {"draft", "submitted", "returned", "approved"}


def test_returning_needs_a_comment(fw, users):
    update = _submitted(fw, users, 5)
    with pytest.raises(ValidationError) as excinfo:
        services.update_return(update=update, user=users["manager"], comment="  ")
    assert "comment" in errors_of(excinfo)


def test_only_submitted_updates_are_reviewed(fw, users):
    update = services.update_save(indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(1))
    with pytest.raises(ValidationError):
        services.update_approve(update=update, user=users["manager"])


def test_submitting_needs_a_value(fw, users):
    with pytest.raises(ValidationError) as excinfo:
        services.update_save(indicator=fw["trained"], period=fw["period"], user=users["drafter"], submit=True)
    assert "value" in errors_of(excinfo)


def test_self_approval_is_allowed_by_default(fw, users):
    update = services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["manager"], value=Decimal(3), submit=True
    )
    assert services.update_approve(update=update, user=users["manager"]).status == "approved"


def test_self_approval_can_be_forbidden(fw, users, settings):
    settings.RESULTS_FORBID_SELF_APPROVAL = True
    update = services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["manager"], value=Decimal(3), submit=True
    )
    with pytest.raises(ValidationError):
        services.update_approve(update=update, user=users["manager"])
    with pytest.raises(ValidationError):
        services.update_return(update=update, user=users["manager"], comment="No.")
    assert services.update_approve(update=update, user=users["staff"]).status == "approved"


def test_only_approved_updates_count_and_numbers_add_up(project, fw, users):
    for value in (4, 6):
        services.update_approve(update=_submitted(fw, users, value), user=users["manager"])
    _submitted(fw, users, 100)  # waiting: does not count
    services.update_save(indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(50))
    row = next(row for row in period_rows(project=project, period=fw["period"]) if row.indicator == fw["trained"])
    assert row.actual == Decimal(10)
    assert actual_of(fw["trained"], []) is None


def test_for_a_percentage_the_newest_approved_value_counts(project, fw, users):
    for value in (40, 55):
        services.update_approve(update=_submitted(fw, users, value, "share"), user=users["manager"])
    row = next(row for row in period_rows(project=project, period=fw["period"]) if row.indicator == fw["share"])
    assert row.actual == Decimal(55)


def test_changing_the_unit_must_fit_the_values_recorded(fw, users):
    services.target_set(indicator=fw["trained"], period=None, value=Decimal(40), women=Decimal(20), men=Decimal(20))
    with pytest.raises(ValidationError) as excinfo:
        services.indicator_update(indicator=fw["trained"], by_sex=False, unit=Indicator.Unit.YES_NO)
    assert "unit" in errors_of(excinfo)


def test_activities_of_another_project_cannot_contribute(fw, other_project):
    from activities.tests.factories import ActivityFactory

    with pytest.raises(ValidationError):
        services.result_set_activities(result=fw["output"], activities=[ActivityFactory(project=other_project)])
    own = ActivityFactory(project=fw["output"].project)
    services.result_set_activities(result=fw["output"], activities=[own])
    assert list(own.results.all()) == [fw["output"]]
