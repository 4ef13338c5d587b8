"""The budget page's CSV: every amount with two decimals and a dot, dates as ISO dates."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest

from budgets import services

pytestmark = pytest.mark.django_db
D = Decimal


def export(client, project) -> list[dict]:
    response = client.get(f"/projects/{project.slug}/budget/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_every_amount_in_the_budget_csv_has_two_decimals_and_a_dot(client_for, project, staff_user):
    staff = services.budget_line_create(project=project, category="staff", description="Team", amount=D("250000"))
    travel = services.budget_line_create(project=project, category="travel", description="Trips", amount=D("1000.5"))
    services.budget_revision_record(
        line=travel, amount=D("12345.67"), date=datetime.date(2025, 2, 1), reason="Amendment 1", user=staff_user
    )
    for amount in ("12345.60", "0.07", "1"):  # summed by the database: SQLite hands back stray digits
        services.expenditure_create(
            project=project, line=staff, date=datetime.date(2025, 3, 1), amount=D(amount), description="Fees"
        )
    rows = export(client_for("donor"), project)
    amounts = [row[name] for row in rows for name in ("original_amount", "revised_amount", "amount_spent")]
    assert [value for value in amounts if value] == [
        "250000.00", "250000.00", "12346.67",  # staff: original, revised, spent
        "1000.50", "12345.67", "0.00",  # travel
        "12345.60", "0.07", "1.00",  # the expenditures
    ]  # fmt: skip
    assert all(re.fullmatch(r"\d+\.\d\d", value) for value in amounts if value)
    assert {row["date"] for row in rows if row["record"] == "expenditure"} == {"2025-03-01"}
