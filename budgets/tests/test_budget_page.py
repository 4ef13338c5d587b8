import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets import services
from budgets.models import BudgetLine, BudgetRevision, Expenditure
from budgets.selectors import budget_summary
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = Decimal


def line(project, category="travel", amount="1000.00", description="Study visit"):
    return services.budget_line_create(project=project, category=category, description=description, amount=D(amount))


def spend(project, budget_line, amount, date="2025-03-01", description="Flights"):
    return services.expenditure_create(
        project=project, line=budget_line, date=datetime.date.fromisoformat(date), amount=D(amount),
        description=description,
    )  # fmt: skip


def test_revision_keeps_the_original_and_the_newest_revision_counts(project, staff_user):
    travel = line(project, amount="1000.00")
    services.budget_revision_record(
        line=travel, amount=D("800"), date=datetime.date(2025, 3, 1), reason="a", user=staff_user
    )
    services.budget_revision_record(
        line=travel, amount=D("900"), date=datetime.date(2025, 6, 1), reason="b", user=staff_user
    )
    travel.refresh_from_db()
    assert travel.amount == D("1000.00")
    assert BudgetRevision.objects.filter(line=travel).count() == 2
    summary = budget_summary(project=project)
    assert (summary.total.original, summary.total.revised) == (D("1000.00"), D("900.00"))


def test_summary_per_category_matches_sums_computed_independently(project, staff_user):
    lines = [
        line(project, "travel", "1000", "a"),
        line(project, "travel", "500", "b"),
        line(project, "staff", "2000", "c"),
    ]
    services.budget_revision_record(
        line=lines[1], amount=D("700"), date=datetime.date(2025, 1, 1), reason="r", user=staff_user
    )
    for amount, target in [("100.10", lines[0]), ("200.20", lines[1]), ("2100", lines[2]), ("0.01", lines[2])]:
        spend(project, target, amount)
    summary = budget_summary(project=project)
    by_category = {row.category: row for row in summary.categories}
    assert by_category["travel"].original == D("1500.00")
    assert by_category["travel"].revised == D("1700.00")
    assert by_category["travel"].spent == D("300.30")
    assert by_category["travel"].remaining == D("1399.70")
    assert by_category["staff"].spent == D("2100.01")
    assert by_category["staff"].overspent is True
    assert by_category["travel"].overspent is False
    assert summary.total.spent == sum(e.amount for e in Expenditure.objects.filter(line__project=project))


def test_lines_that_do_not_add_up_to_the_project_total_are_warned_about(client_for, project):
    project.total_budget = D("105000.00")
    project.save()
    line(project, amount="100000.00")
    page = client_for("manager").get(f"/projects/{project.slug}/budget/").content.decode()
    assert "The budget lines add up to EUR 5,000.00 less than the project's total budget." in page


def test_overspending_is_flagged_on_the_page(client_for, project):
    travel = line(project, amount="100.00")
    spend(project, travel, "150.00")
    page = client_for("manager").get(f"/projects/{project.slug}/budget/").content.decode()
    assert "overspent" in page
    assert "More has been spent than the revised budget allows." in page


def test_amounts_are_formatted_like_the_public_page(client_for, project):
    line(project, amount="105000.00")
    page = client_for("donor").get(f"/projects/{project.slug}/budget/").content.decode()
    assert "EUR 105,000.00" in page


@pytest.mark.parametrize("amount", ["-1", "abc", ""])
def test_negative_or_non_numeric_amount_is_refused_at_the_field(client_for, project, amount):
    response = client_for("manager").post(
        f"/projects/{project.slug}/budget/lines/new/", {"category": "travel", "description": "x", "amount": amount}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"]
    assert not BudgetLine.objects.exists()


def test_expenditure_on_another_projects_line_is_refused(client_for, project, other_project):
    foreign = line(other_project)
    response = client_for("manager").post(
        f"/projects/{project.slug}/budget/expenditures/new/",
        {"line": foreign.pk, "date": "2025-02-01", "amount": "10", "description": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["line"]
    assert not Expenditure.objects.exists()
    with pytest.raises(ValidationError):
        spend(project, foreign, "10")


def test_zero_expenditure_is_refused(project):
    with pytest.raises(ValidationError) as error:
        spend(project, line(project), "0")
    assert "amount" in error.value.message_dict


def test_manager_records_an_expenditure(client_for, project):
    travel = line(project)
    response = client_for("manager").post(
        f"/projects/{project.slug}/budget/expenditures/new/",
        {"line": travel.pk, "date": "2025-02-01", "amount": "123.45", "description": "Train", "reference": "INV-1"},
    )
    assert response.status_code == 302
    assert Expenditure.objects.get().amount == D("123.45")


def test_a_revision_needs_a_reason(client_for, project):
    travel = line(project)
    response = client_for("manager").post(
        f"/projects/{project.slug}/budget/lines/{travel.pk}/revise/",
        {"amount": "900", "date": "2025-02-01", "reason": ""},
    )
    assert response.context["form"].errors["reason"]
    assert not BudgetRevision.objects.exists()


def test_csv_export_has_one_row_per_line_and_expenditure_with_plain_decimals(client_for, project):
    travel = line(project, amount="1000.00", description="=HYPERLINK(evil)")
    spend(project, travel, "1234.50", description="Flights")
    response = client_for("donor").get(f"/projects/{project.slug}/budget/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row["record"] for row in rows] == ["budget_line", "expenditure"]
    assert rows[0]["original_amount"] == "1000.00"
    assert rows[0]["budget_line"] == "'=HYPERLINK(evil)"
    assert rows[1]["amount_spent"] == "1234.50"
    assert {row["currency"] for row in rows} == {"EUR"}


def test_project_list_and_budget_page_query_counts_do_not_grow_with_data(
    client_for, project, django_assert_max_num_queries
):
    ProjectFactory.create_batch(200, is_published=True)
    lines = [line(project, category, "10000", f"line {n}") for n, category in enumerate(["staff", "travel"] * 5)]
    Expenditure.objects.bulk_create(
        Expenditure(line=lines[n % 10], date=datetime.date(2025, 1, 1), amount=D("1.00"), description=f"e{n}")
        for n in range(2000)
    )
    client = client_for("staff")
    with django_assert_max_num_queries(9):  # cold: the data generation, the countries and the count kept then
        assert client.get("/projects/").status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get("/projects/?status=2&country=BY&year=2025&q=Test").status_code == 200
    with django_assert_max_num_queries(12):
        response = client.get(f"/projects/{project.slug}/budget/")
    assert response.status_code == 200
    assert "EUR 2,000.00" in response.content.decode()
