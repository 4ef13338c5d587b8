"""The framework, reporting and approval pages, as members of each role use them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from results import services
from results.models import Indicator, IndicatorUpdate

from .factories import framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def fw(project):
    return framework(project)


def period_url(project, period):
    return reverse("results:period", kwargs={"slug": project.slug, "period_id": period.pk})


def test_framework_page_shows_the_tree_and_contributing_activities(client_for, project, fw):
    activity = ActivityFactory(project=project, title="Study visit to Vienna")
    services.result_set_activities(result=fw["output"], activities=[activity])
    services.target_set(
        indicator=fw["trained"], period=fw["period"], value=Decimal(20), women=Decimal(12), men=Decimal(8)
    )
    page = client_for("reviewer").get(reverse("results:framework", kwargs={"slug": project.slug})).content.decode()
    assert page.index("Objective") < page.index("Outcome") < page.index("Output") < page.index("Study visit to Vienna")
    assert "women 12 · men 8" in page
    assert "Add result" not in page  # a reviewer reads only


def test_framework_page_query_count_does_not_grow(client_for, project, fw, django_assert_max_num_queries):
    for number in range(12):
        output = services.result_create(project=project, level="output", parent=fw["outcome"], title=f"Output {number}")
        services.result_set_activities(result=output, activities=[ActivityFactory(project=project)])
        for kind in range(3):
            indicator = services.indicator_create(result=output, title=f"Indicator {number}.{kind}")
            services.target_set(indicator=indicator, period=fw["period"], value=Decimal(kind + 1))
    client = client_for("manager")
    url = reverse("results:framework", kwargs={"slug": project.slug})
    with django_assert_max_num_queries(13):
        response = client.get(url)
    assert response.content.decode().count("Indicator 11.") == 3


def test_another_projects_indicator_is_not_found(client_for, project, fw, other_project):
    other = framework(other_project)
    url = reverse("results:indicator_edit", kwargs={"slug": project.slug, "indicator_id": other["trained"].pk})
    assert client_for("manager").get(url).status_code == 404
    other_update = services.update_save(
        indicator=other["trained"], period=other["period"], user=None, value=Decimal(1), submit=True
    )
    url = reverse("results:review", kwargs={"slug": project.slug, "update_id": other_update.pk})
    assert client_for("manager").post(url, {"action": "approve"}).status_code == 404
    other_update.refresh_from_db()
    assert other_update.status == "submitted"


@pytest.mark.parametrize("role", ["reviewer", "donor"])
def test_reviewers_and_donors_may_neither_report_nor_approve(client_for, project, fw, users, role):
    update = services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(1), submit=True
    )
    client = client_for(role)
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    assert client.post(review, {"action": "approve"}).status_code == 403
    assert client.post(period_url(project, fw["period"]), {f"i{fw['share'].pk}-value": "5"}).status_code == 403
    edit = reverse("results:indicator_edit", kwargs={"slug": project.slug, "indicator_id": fw["trained"].pk})
    assert client.post(edit, {"title": "Changed", "unit": "number"}).status_code == 403
    update.refresh_from_db()
    assert update.status == "submitted" and IndicatorUpdate.objects.count() == 1


def test_drafter_reports_every_indicator_in_one_form(client_for, project, fw):
    data = {
        f"i{fw['trained'].pk}-value": "10",
        f"i{fw['trained'].pk}-women": "6",
        f"i{fw['trained'].pk}-men": "4",
        f"i{fw['trained'].pk}-narrative": "Two trainings.",
        f"i{fw['share'].pk}-value": "75",
        "submit": "1",
    }
    response = client_for("drafter").post(period_url(project, fw["period"]), data)
    assert response.status_code == 302
    updates = {u.indicator_id: u for u in IndicatorUpdate.objects.all()}
    assert updates[fw["trained"].pk].women == 6 and updates[fw["trained"].pk].status == "submitted"
    assert updates[fw["share"].pk].value == 75


def test_a_row_that_does_not_add_up_keeps_the_whole_form_unsaved(client_for, project, fw):
    data = {
        f"i{fw['trained'].pk}-value": "10",
        f"i{fw['trained'].pk}-women": "6",
        f"i{fw['trained'].pk}-men": "6",
        f"i{fw['share'].pk}-value": "75",
        "submit": "1",
    }
    response = client_for("drafter").post(period_url(project, fw["period"]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "add up to 12" in page and "Nothing was saved" in page
    assert not IndicatorUpdate.objects.exists()


def test_percentage_above_100_is_refused_at_the_field(client_for, project, fw):
    response = client_for("drafter").post(period_url(project, fw["period"]), {f"i{fw['share'].pk}-value": "120"})
    assert "A percentage cannot be above 100." in response.content.decode()
    assert not IndicatorUpdate.objects.exists()


def test_manager_returns_then_approves_the_correction(client_for, project, fw, users):
    services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(90), submit=True
    )
    manager = client_for("manager")
    page = manager.get(reverse("results:approvals", kwargs={"slug": project.slug})).content.decode()
    assert "Share satisfied" in page
    update = IndicatorUpdate.objects.get()
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    manager.post(review, {"action": "return", "comment": "The survey says 80."})
    update.refresh_from_db()
    assert update.status == "returned" and update.review_comment == "The survey says 80."

    drafter = client_for("drafter")
    page = drafter.get(period_url(project, fw["period"])).content.decode()
    assert "The survey says 80." in page
    drafter.post(period_url(project, fw["period"]), {f"i{fw['share'].pk}-value": "80", "submit": "1"})
    update.refresh_from_db()
    assert (update.status, update.value) == ("submitted", Decimal(80))  # the returned update corrected, not a new one

    client_for("manager").post(review, {"action": "approve"})
    update.refresh_from_db()
    assert update.status == "approved" and update.reviewed_by == users["manager"]


def test_returning_without_a_comment_says_why(client_for, project, fw, users):
    update = services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(9), submit=True
    )
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    response = client_for("manager").post(review, {"action": "return"}, follow=True)
    assert "Say what should be corrected." in response.content.decode()
    update.refresh_from_db()
    assert update.status == "submitted"


@pytest.mark.parametrize("data", [{"comment": "Looks wrong."}, {"action": "aprove", "comment": "Looks wrong."}])
def test_review_without_a_known_action_changes_nothing(client_for, project, fw, users, data):
    update = services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(9), submit=True
    )
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    assert client_for("manager").post(review, data).status_code == 400
    update.refresh_from_db()
    assert update.status == "submitted" and update.review_comment == ""


def test_period_page_shows_what_is_overdue(client_for, project, fw):
    page = client_for("drafter").get(period_url(project, fw["period"])).content.decode()
    # The factory project ran in 2025: its first quarter is long past its due date.
    assert "Overdue since" in page and "Officials trained" in page


def test_bad_period_is_refused_at_the_field(client_for, project, fw):
    url = reverse("results:periods", kwargs={"slug": project.slug})
    response = client_for("manager").post(url, {"start": "2024-12-01", "end": "2025-01-31"})
    assert "The period cannot start before the project" in response.content.decode()


def test_yes_no_target_as_a_number_is_refused_at_the_field(client_for, project, fw):
    presented = services.indicator_create(result=fw["outcome"], title="Presented", unit=Indicator.Unit.YES_NO)
    url = reverse("results:target_set", kwargs={"slug": project.slug, "indicator_id": presented.pk})
    response = client_for("manager").post(url, {"value": "4"})
    assert "A yes/no indicator takes yes or no, not a number." in response.content.decode()
    assert not presented.targets.exists()
    client_for("manager").post(url, {"value": "1"})
    client_for("manager").post(url, {"value": "0"})  # saved again: replaced
    assert list(presented.targets.values_list("value", flat=True)) == [Decimal(0)]


def test_manager_builds_a_framework_through_the_forms(client_for, project):
    activity = ActivityFactory(project=project)
    manager = client_for("manager")
    create = reverse("results:result_create", kwargs={"slug": project.slug})
    manager.post(create, {"level": "objective", "title": "Better migration governance"})
    objective = project.results.get()
    manager.post(create, {"level": "outcome", "parent": objective.pk, "title": "Concept drafted"})
    outcome = project.results.get(level="outcome")
    response = manager.post(create, {"level": "objective", "title": "Another"})
    assert "The project has an overall objective already." in response.content.decode()
    manager.post(
        create, {"level": "output", "parent": outcome.pk, "title": "Officials trained", "activities": [activity.pk]}
    )
    output = project.results.get(level="output")
    assert list(output.activities.all()) == [activity]
    url = reverse("results:indicator_create", kwargs={"slug": project.slug, "result_id": output.pk})
    response = manager.post(url, {"title": "Officials trained", "unit": "number", "baseline_year": "2030"})
    assert "The baseline year cannot be after the project" in response.content.decode()
    manager.post(
        url,
        {
            "title": "Officials trained",
            "unit": "number",
            "by_sex": "on",
            "baseline_value": "0",
            "baseline_year": "2024",
            "ascending": "on",
        },
    )
    assert output.indicators.get().by_sex


def test_export_holds_targets_and_only_approved_actuals(client_for, project, fw, users):
    import csv
    import io

    from openpyxl import load_workbook

    services.target_set(
        indicator=fw["trained"], period=fw["period"], value=Decimal(20), women=Decimal(12), men=Decimal(8)
    )
    services.target_set(indicator=fw["share"], period=None, value=Decimal(90))
    update = services.update_save(
        indicator=fw["trained"],
        period=fw["period"],
        user=users["drafter"],
        value=Decimal(15),
        women=Decimal(9),
        men=Decimal(6),
        submit=True,
    )
    services.update_approve(update=update, user=users["manager"])
    services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(70), submit=True
    )  # waiting: not exported
    client = client_for("reviewer")
    response = client.get(reverse("results:export", kwargs={"slug": project.slug, "fmt": "csv"}))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    column = {name: index for index, name in enumerate(header)}
    trained = next(row for row in body if row[column["Indicator"]] == "Officials trained")
    assert [trained[column[name]] for name in ("Target", "Target: women", "Actual (approved)", "Actual: men")] == [
        "20.00",
        "12.00",
        "15.00",
        "6.00",
    ]
    share_rows = [row for row in body if row[column["Indicator"]] == "Share satisfied"]
    assert [
        (row[column["Period start"]], row[column["Target"]], row[column["Actual (approved)"]]) for row in share_rows
    ] == [(str(fw["period"].start), "", ""), ("", "90.00", "")]
    response = client.get(reverse("results:export", kwargs={"slug": project.slug, "fmt": "xlsx"}))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.max_row == len(rows)
    assert client.get(reverse("results:export", kwargs={"slug": project.slug, "fmt": "pdf"})).status_code == 404


def test_the_public_page_shows_approved_results_only(client, published_project, users):
    fw = framework(published_project)
    services.target_set(indicator=fw["trained"], period=None, value=Decimal(60))
    approved = services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(37), submit=True
    )
    services.update_approve(update=approved, user=users["manager"])
    services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(88), submit=True
    )
    page = client.get(published_project.get_absolute_url()).content.decode()
    section = page[page.index('id="results-heading"') :]
    assert f"{fw['period']}: 37" in section and "60" in section
    assert "Share satisfied" not in section and "88" not in section


def test_no_results_section_before_anything_is_approved(client, published_project):
    framework(published_project)
    assert 'id="results-heading"' not in client.get(published_project.get_absolute_url()).content.decode()


def test_the_timeline_narrowed_to_one_result(client_for, project, fw):
    visit = ActivityFactory(project=project, title="Study visit to Vienna")
    ActivityFactory(project=project, title="Closing event in Minsk")
    services.result_set_activities(result=fw["output"], activities=[visit])
    url = reverse("results:timeline", kwargs={"slug": project.slug, "result_id": fw["output"].pk})
    page = client_for("reviewer").get(url).content.decode()
    assert "Study visit to Vienna" in page and "Closing event in Minsk" not in page
    assert "Only the activities that contribute to “Output”." in page


def test_a_returned_yes_no_update_shows_its_answer_chosen(client_for, project, fw, users):
    presented = services.indicator_create(result=fw["outcome"], title="Presented", unit=Indicator.Unit.YES_NO)
    update = services.update_save(indicator=presented, period=fw["period"], user=users["drafter"], value=1, submit=True)
    services.update_return(update=update, user=users["manager"], comment="Not yet: it was postponed.")
    page = client_for("drafter").get(period_url(project, fw["period"])).content.decode()
    assert '<option value="1" selected>' in page


def test_a_refused_return_keeps_the_typed_comment_beside_its_update(client_for, project, fw, users, settings):
    settings.RESULTS_FORBID_SELF_APPROVAL = True
    update = services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["manager"], value=Decimal(9), submit=True
    )
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    response = client_for("manager").post(review, {"action": "return", "comment": "The survey says 80."})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Someone else must review an update you entered or submitted yourself." in page
    assert f'id="comment-{update.pk}" aria-invalid="true"' in page
    assert ">The survey says 80.</textarea>" in page
    update.refresh_from_db()
    assert update.status == "submitted" and update.review_comment == ""


def test_a_review_refused_because_someone_else_reviewed_first_says_so(client_for, project, fw, users):
    update = services.update_save(
        indicator=fw["share"], period=fw["period"], user=users["drafter"], value=Decimal(9), submit=True
    )
    services.update_approve(update=update, user=users["staff"])
    review = reverse("results:review", kwargs={"slug": project.slug, "update_id": update.pk})
    response = client_for("manager").post(review, {"action": "return", "comment": "Too late."}, follow=True)
    assert "Only a submitted update can be approved or returned." in response.content.decode()
    update.refresh_from_db()
    assert update.status == "approved"
