"""The dashboard's exports: CSV parsed and XLSX opened back, figures against plain sums,
filters, visibility and a query count that does not grow with the rows."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from budgets.models import BudgetLine, Expenditure
from dashboards import selectors
from dashboards.tests.conftest import donors_group_member, many_projects, project_figures
from projects.models import Project

pytestmark = pytest.mark.django_db


def url(kind, fmt):
    return reverse("dashboards:export", kwargs={"kind": kind, "fmt": fmt})


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.getvalue()


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    text = body_of(response).decode("utf-8").removeprefix("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def xlsx_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(body_of(response)), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def get(client, user, kind, fmt, query=None):
    client.force_login(user)
    response = client.get(url(kind, fmt), query or {})
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_portfolio_export_one_row_per_project_with_its_figures(client, portfolio, staff_user, fmt):
    response = get(client, staff_user, "portfolio", fmt)
    disposition = response["Content-Disposition"]
    assert 'filename="mpf-portfolio-' in disposition and f".{fmt}" in disposition
    rows = (csv_rows if fmt == "csv" else xlsx_rows)(response)
    assert list(rows[0]) == selectors.PORTFOLIO_HEADER
    assert {row["code"] for row in rows} == set(Project.objects.values_list("code", flat=True))
    for project in Project.objects.all():
        row = next(r for r in rows if r["code"] == project.code)
        figures = project_figures(project)
        assert Decimal(str(row["budget_original"])) == figures["original"]
        assert Decimal(str(row["budget_revised"])) == figures["revised"]
        assert Decimal(str(row["spent"])) == figures["spent"]
        assert row["currency"] == project.currency
    eur = next(r for r in rows if r["code"] == "P-EUR")
    assert (eur["countries"], eur["instrument"], eur["status"]) == ("BY;UA", "AMIF", "Implementation")
    assert (eur["planned_start"], eur["actual_start"], eur["actual_end"] or "") == ("2024-07-01", "2024-07-15", "")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_transactions_export_is_pivot_ready(client, portfolio, staff_user, fmt):
    rows = (csv_rows if fmt == "csv" else xlsx_rows)(get(client, staff_user, "transactions", fmt))
    assert list(rows[0]) == selectors.TRANSACTIONS_HEADER
    lines = [r for r in rows if r["record"] == "budget_line"]
    spending = [r for r in rows if r["record"] == "expenditure"]
    assert len(lines) == BudgetLine.objects.count() and len(spending) == Expenditure.objects.count()
    for currency in ("EUR", "USD"):
        projects = Project.objects.filter(currency=currency)
        revised = sum((project_figures(p)["revised"] for p in projects), Decimal(0))
        spent = sum((project_figures(p)["spent"] for p in projects), Decimal(0))
        assert sum(Decimal(str(r["amount"])) for r in lines if r["currency"] == currency) == revised
        assert sum(Decimal(str(r["amount"])) for r in spending if r["currency"] == currency) == spent
    workshop = next(r for r in spending if r["project_code"] == "P-PRIVATE")
    assert (workshop["category"], workshop["activity"], workshop["date"]) == (
        "Events and meetings", "Reintegration workshop", "2025-05-05",
    )  # fmt: skip
    assert (workshop["countries"], workshop["instrument"], workshop["thematic_area"]) == (
        "MA", "NDICI", "Return and reintegration",
    )  # fmt: skip


def test_exports_take_the_dashboard_filters(client, portfolio, staff_user):
    rows = csv_rows(get(client, staff_user, "transactions", "csv", {"country": "GE"}))
    assert {r["project_code"] for r in rows} == {"P-USD"}
    rows = csv_rows(get(client, staff_user, "portfolio", "csv", {"instrument": "NDICI", "year": "2025"}))
    assert {r["code"] for r in rows} == {"P-PRIVATE"}


def test_bad_filters_are_ignored_in_exports(client, portfolio, staff_user):
    rows = csv_rows(get(client, staff_user, "portfolio", "csv", {"year": "abc", "country": "ZZ"}))
    assert len(rows) == Project.objects.count()


@pytest.mark.parametrize(("kind", "fmt"), [("portfolio", "csv"), ("portfolio", "xlsx"), ("transactions", "xlsx")])
def test_donors_group_export_has_no_unpublished_project(client, portfolio, kind, fmt):
    rows = (csv_rows if fmt == "csv" else xlsx_rows)(get(client, donors_group_member(), kind, fmt))
    codes = {r.get("code") or r.get("project_code") for r in rows}
    assert "P-PRIVATE" not in codes and "the-project" not in codes
    assert codes <= set(Project.objects.filter(is_published=True).values_list("code", flat=True))
    assert {"P-EUR", "P-USD"} <= codes


def test_donor_member_exports_their_unpublished_project(client, portfolio, donor_of_private):
    rows = csv_rows(get(client, donor_of_private, "transactions", "csv"))
    assert {r["project_code"] for r in rows} == {"P-PRIVATE"}


def test_unknown_export_is_404_and_outsiders_are_refused(client, portfolio, users):
    client.force_login(users["staff"])
    assert client.get(url("everything", "csv")).status_code == 404
    assert client.get(url("portfolio", "pdf")).status_code == 404
    client.force_login(users["outsider"])
    assert client.get(url("portfolio", "csv")).status_code == 403


def test_formula_like_text_is_neutralised(client, portfolio, staff_user):
    Project.objects.filter(pk=portfolio.bare.pk).update(title="=HYPERLINK(1)")
    rows = csv_rows(get(client, staff_user, "portfolio", "csv", {"country": ""}))
    assert next(r for r in rows if r["code"] == "P-BARE")["title"] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(("kind", "fmt"), [("portfolio", "csv"), ("transactions", "csv"), ("transactions", "xlsx")])
def test_export_query_count_does_not_grow(client, staff_user, kind, fmt):
    client.force_login(staff_user)
    many_projects(3, expenditures_per_project=10)

    def count():
        with CaptureQueriesContext(connection) as queries:
            body_of(client.get(url(kind, fmt)))
        return len(queries)

    client.get("/accounts/preferences/")  # from now on the signed-in user comes from the cache
    small = count()
    many_projects(57, expenditures_per_project=10)  # 60 projects, 600 expenditures
    assert count() == small <= 8
