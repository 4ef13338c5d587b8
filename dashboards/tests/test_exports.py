"""The dashboard's exports: CSV parsed and XLSX opened back, figures against plain sums,
filters, visibility and a query count that does not grow with the rows."""

import csv
import datetime
import io
import re
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
    dates = (eur["planned_start"], eur["actual_start"], eur["actual_end"] or "")
    if fmt == "csv":
        assert dates == ("2024-07-01", "2024-07-15", "")
    else:  # date cells, read back as datetimes
        assert dates == (datetime.datetime(2024, 7, 1), datetime.datetime(2024, 7, 15), "")


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
        original = sum((project_figures(p)["original"] for p in projects), Decimal(0))
        assert sum(Decimal(str(r["revised_amount"])) for r in lines if r["currency"] == currency) == revised
        assert sum(Decimal(str(r["original_amount"])) for r in lines if r["currency"] == currency) == original
        assert sum(Decimal(str(r["amount_spent"])) for r in spending if r["currency"] == currency) == spent
        assert not any(r["amount_spent"] for r in lines) and not any(r["revised_amount"] for r in spending)
    workshop = next(r for r in spending if r["project_code"] == "P-PRIVATE")
    workshop_date = "2025-05-05" if fmt == "csv" else datetime.datetime(2025, 5, 5)
    assert (workshop["category"], workshop["activity"], workshop["date"]) == (
        "Events and meetings", "Reintegration workshop", workshop_date,
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
    small = count()  # the portfolio export sums the new projects' figures first (dashboards/figures.py)
    many_projects(57, expenditures_per_project=10)  # 60 projects, 600 expenditures
    assert count() == small
    assert count() <= 9  # none changed since: the kept figures are read as they are


def test_transactions_export_tells_original_and_revised_budgets_apart(client, portfolio, staff_user):
    rows = csv_rows(get(client, staff_user, "transactions", "csv"))
    staff = next(r for r in rows if r["record"] == "budget_line" and r["category"] == "Staff")
    # Revised twice: 60,000 cut to 50,000 on 1 August 2024, then raised to 66,000 on 1 September.
    assert (staff["original_amount"], staff["revised_amount"], staff["revision_date"]) == (
        "60000.00", "66000.00", "2024-09-01",
    )  # fmt: skip
    travel = next(r for r in rows if r["record"] == "budget_line" and r["category"] == "Travel")
    assert (travel["original_amount"], travel["revised_amount"], travel["revision_date"]) == (
        "40000.00", "40000.00", "",
    )  # fmt: skip
    assert staff["date"] == "" and staff["amount_spent"] == ""


@pytest.mark.parametrize("kind", ["portfolio", "transactions"])
def test_every_csv_amount_has_two_decimals_and_a_dot(client, portfolio, staff_user, kind):
    BudgetLine.objects.filter(project__code="P-BARE").delete()
    rows = csv_rows(get(client, staff_user, kind, "csv"))
    columns = [name for name in rows[0] if "amount" in name or name.startswith("budget_") or name == "spent"]
    columns = [name for name in columns if name != "budget_line_id"]
    values = [row[name] for row in rows for name in columns if row[name]]
    assert values and all(re.fullmatch(r"-?\d+\.\d\d", value) for value in values), values


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(body_of(response))).worksheets[0]


def test_transactions_xlsx_cells_are_typed(client, portfolio, staff_user):
    Expenditure.objects.filter(line__project__code="P-USD").update(description="=SUM(A1:A9)")
    sheet = xlsx_sheet(get(client, staff_user, "transactions", "xlsx"))
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) for name in header}
    rows = list(sheet.iter_rows(min_row=2))
    staff = next(
        r for r in rows if r[column["record"]].value == "budget_line" and r[column["category"]].value == "Staff"
    )
    for name, expected in [("original_amount", 60000), ("revised_amount", 66000)]:
        cell = staff[column[name]]
        assert cell.data_type == "n" and cell.value == expected and cell.number_format == "#,##0.00"
    revised_on = staff[column["revision_date"]]
    assert revised_on.is_date and revised_on.value == datetime.datetime(2024, 9, 1)
    spending = [r for r in rows if r[column["record"]].value == "expenditure"]
    for row in spending:
        assert row[column["date"]].is_date
        assert row[column["amount_spent"]].data_type == "n"
    formula_like = next(r for r in spending if r[column["project_code"]].value == "P-USD")[column["description"]]
    assert (formula_like.data_type, formula_like.value, formula_like.quotePrefix) == ("s", "=SUM(A1:A9)", False)


def test_xlsx_text_that_looks_like_a_formula_is_a_string_cell_with_no_apostrophe(client, portfolio, staff_user):
    Project.objects.filter(pk=portfolio.bare.pk).update(title="=HYPERLINK(1)", thematic_area="+1 @me -x")
    sheet = xlsx_sheet(get(client, staff_user, "portfolio", "xlsx"))
    header = [cell.value for cell in sheet[1]]
    bare = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "P-BARE")
    title, theme = bare[header.index("title")], bare[header.index("thematic_area")]
    assert (title.data_type, title.value) == ("s", "=HYPERLINK(1)")
    assert (theme.data_type, theme.value) == ("s", "+1 @me -x")
    eur = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "P-EUR")
    assert eur[header.index("planned_start")].is_date and eur[header.index("budget_revised")].data_type == "n"
