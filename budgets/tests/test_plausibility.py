"""Unusual entries are asked about, not refused: the warning is shown, nothing is saved until it
is confirmed, and the confirmed warning is kept in the project's history. Amounts typed in either
language over HTTP, an ambiguous one confirmed first."""

import datetime
from decimal import Decimal

import pytest

from budgets import services
from budgets.models import BudgetLine, BudgetRevision, Expenditure

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def travel(project):
    # The project runs through 2025 (ProjectFactory's planned dates).
    return services.budget_line_create(project=project, category="travel", description="Trips", amount=D("300.00"))


def new_expenditure(client, project, line, **values):
    data = {"line": line.pk, "date": "2025-03-01", "amount": "100", "description": "Train", **values}
    return client.post(f"/projects/{project.slug}/budget/expenditures/new/", data)


def warning_keys(response) -> list[str]:
    return [warning.key for warning in response.context["warnings"]]


def test_an_ordinary_expenditure_is_saved_without_questions(client_for, project, travel):
    response = new_expenditure(client_for("manager"), project, travel, amount="120.50")
    assert response.status_code == 302
    assert Expenditure.objects.get().history.get().history_change_reason is None


def test_an_expenditure_dated_years_after_the_project_is_asked_about_then_recorded_with_the_warning(
    client_for, project, travel
):
    client = client_for("manager")
    response = new_expenditure(client, project, travel, date="2030-01-15")
    assert response.status_code == 200
    page = response.content.decode()
    assert "The date, 15 Jan 2030, is after the project ends (31 Dec 2025)." in page
    assert "The date, 15 Jan 2030, is in the future." in page
    assert 'name="confirm_warning"' in page
    assert not Expenditure.objects.exists()

    response = new_expenditure(client, project, travel, date="2030-01-15", confirm_warning=warning_keys(response))
    assert response.status_code == 302
    expenditure = Expenditure.objects.get()
    assert expenditure.date == datetime.date(2030, 1, 15)
    reason = expenditure.history.get().history_change_reason
    assert reason.startswith("Confirmed despite warnings:") and "after the project ends" in reason
    history = client.get(f"/projects/{project.slug}/history/").content.decode()
    assert "is after the project ends (31 Dec 2025)" in history


def test_an_expenditure_41_times_its_line_is_asked_about(client_for, project, travel):
    response = new_expenditure(client_for("manager"), project, travel, amount="12300")
    page = response.content.decode()
    assert "more than what remains on its budget line: EUR 300.00 of EUR 300.00." in page
    assert "The expenditure is 41 times its whole budget line (EUR 300.00)." in page
    assert not Expenditure.objects.exists()


def test_every_warning_must_be_confirmed_and_a_changed_amount_asks_again(client_for, project, travel):
    client = client_for("manager")
    keys = warning_keys(new_expenditure(client, project, travel, amount="12300", date="2024-12-01"))
    assert len(keys) == 3  # before the start, over what remains, 41 times the line
    response = new_expenditure(client, project, travel, amount="12300", date="2024-12-01", confirm_warning=keys[:2])
    assert response.status_code == 200 and not Expenditure.objects.exists()
    assert response.content.decode().count("checked") >= 2  # what was ticked stays ticked
    response = new_expenditure(client, project, travel, amount="12400", date="2024-12-01", confirm_warning=keys)
    assert response.status_code == 200 and not Expenditure.objects.exists()


def test_editing_an_expenditure_counts_the_line_without_its_old_amount(client_for, project, travel):
    expenditure = services.expenditure_create(
        project=project, line=travel, date=datetime.date(2025, 3, 1), amount=D("250"), description="Train"
    )
    url = f"/projects/{project.slug}/budget/expenditures/{expenditure.pk}/edit/"
    data = {"line": travel.pk, "date": "2025-03-01", "amount": "290", "description": "Train"}
    assert client_for("manager").post(url, data).status_code == 302
    response = client_for("manager").post(url, {**data, "amount": "310"})
    assert response.status_code == 200
    assert warning_keys(response) == ["over_remaining:310"]
    expenditure.refresh_from_db()
    assert expenditure.amount == D("290.00")


def test_a_revision_changing_the_line_by_more_than_half_is_asked_about_then_recorded(client_for, project, travel):
    client = client_for("manager")
    url = f"/projects/{project.slug}/budget/lines/{travel.pk}/revise/"
    data = {"amount": "1000", "date": "2025-02-01", "reason": "Amendment 2"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "This revision changes the line by 233% (from EUR 300.00 to EUR 1,000.00)." in response.content.decode()
    assert not BudgetRevision.objects.exists()
    response = client.post(url, {**data, "confirm_warning": warning_keys(response)})
    assert response.status_code == 302
    revision = BudgetRevision.objects.get()
    assert "changes the line by 233%" in revision.history.get().history_change_reason
    assert "changes the line by 233%" in client.get(f"/projects/{project.slug}/history/").content.decode()


def test_a_small_revision_is_recorded_at_once(client_for, project, travel):
    url = f"/projects/{project.slug}/budget/lines/{travel.pk}/revise/"
    response = client_for("manager").post(url, {"amount": "400", "date": "2025-02-01", "reason": "r"})
    assert response.status_code == 302
    assert BudgetRevision.objects.get().amount == D("400.00")


def test_warnings_are_in_russian_for_a_russian_user(client_for, project, travel):
    client = client_for("manager")
    client.cookies["django_language"] = "ru"
    page = new_expenditure(client, project, travel, amount="12300").content.decode()
    assert "в 41 раз" in page


@pytest.mark.parametrize(
    ("language", "typed"), [("ru", "1234,56"), ("ru", "1\u00a0234,56"), ("en", "1,234.56"), ("en", "1234.56")]
)
def test_an_amount_typed_in_the_users_language_is_stored_as_meant(client_for, project, language, typed):
    line = services.budget_line_create(project=project, category="staff", description="Fees", amount=D("5000"))
    client = client_for("manager")
    client.cookies["django_language"] = language
    assert new_expenditure(client, project, line, amount=typed).status_code == 302
    assert Expenditure.objects.get().amount == D("1234.56")


def test_an_ambiguous_amount_comes_back_to_be_confirmed_before_it_is_saved(client_for, project):
    line = services.budget_line_create(project=project, category="staff", description="Fees", amount=D("5000"))
    client = client_for("manager")
    response = new_expenditure(client, project, line, amount="1,234")
    assert response.status_code == 200
    page = response.content.decode()
    assert "We read this as EUR 1,234.00 — confirm" in page
    assert 'value="1,234"' in page  # what was typed stays in the field
    assert not Expenditure.objects.exists()
    assert new_expenditure(client, project, line, amount="1,234", amount_confirm="1234.00").status_code == 302
    assert Expenditure.objects.get().amount == D("1234.00")


@pytest.mark.parametrize("path", ["lines/new/", "expenditures/new/"])
def test_budget_forms_use_a_text_input_for_money(client_for, project, path):
    services.budget_line_create(project=project, category="staff", description="Fees", amount=D("5000"))
    page = client_for("manager").get(f"/projects/{project.slug}/budget/{path}").content.decode()
    assert 'inputmode="decimal"' in page and 'type="number"' not in page


def test_a_line_amount_typed_in_russian_is_stored_as_meant(client_for, project):
    client = client_for("manager")
    client.cookies["django_language"] = "ru"
    data = {"category": "travel", "description": "Trips", "amount": "105 000,50"}
    assert client.post(f"/projects/{project.slug}/budget/lines/new/", data).status_code == 302
    assert BudgetLine.objects.get().amount == D("105000.50")
