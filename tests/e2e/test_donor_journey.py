"""A donor of the Donors group follows the portfolio: filters the dashboard by country (htmx,
the address keeps the filter), downloads the Excel exports and finds no unpublished project in
them, then opens one project's dashboard. Every page is checked with axe."""

import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from openpyxl import load_workbook
from playwright.sync_api import expect

from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from projects.models import DONORS_GROUP
from projects.tests.factories import ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
d = datetime.date


@pytest.fixture
def portfolio(db):
    projects = {
        "belarus": ProjectFactory(code="MPF-BY-01", slug="by-border", title="Border data in Belarus",
                                  countries=["BY"], is_published=True),
        "georgia": ProjectFactory(code="MPF-GE-01", slug="ge-labour", title="Labour mobility in Georgia",
                                  countries=["GE"], currency="USD", is_published=True),
        "hidden": ProjectFactory(code="MPF-BY-99", slug="by-hidden", title="Confidential pilot in Belarus",
                                 countries=["BY"], is_published=False),
    }  # fmt: skip
    for project in projects.values():
        line = BudgetLineFactory(project=project, amount=Decimal("50000.00"))
        ExpenditureFactory(line=line, date=d(2025, 4, 1), amount=Decimal("1250.00"))
    donor = UserFactory(username="dora", password=PASSWORD)
    donor.groups.add(Group.objects.get_or_create(name=DONORS_GROUP)[0])
    return projects


def workbook_codes(download, column: str) -> set[str]:
    # The downloaded file has no extension, which openpyxl goes by: hand it the bytes.
    sheet = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    index = header.index(column)
    return {row[index] for row in rows}


def test_donor_filters_the_dashboard_and_downloads_the_portfolio(page, log_in, portfolio):
    log_in("dora", PASSWORD)

    expect(page).to_have_url(re.compile(r"/dashboard/$"))  # the Donors group's home
    expect(page.get_by_role("heading", level=1)).to_have_text("Portfolio dashboard")
    results = page.locator("#dashboard-results")
    expect(results.get_by_role("status")).to_have_text("2 projects match.")
    expect(results).not_to_contain_text("Confidential pilot")
    assert_accessible(page)

    # Choosing a country updates the results in place (htmx) and the address keeps the filter.
    page.get_by_label("Country", exact=True).select_option(label="Belarus")
    expect(page).to_have_url(re.compile(r"[?&]country=BY(&|$)"))
    expect(results.get_by_role("status")).to_have_text("1 project matches.")
    expect(results.get_by_role("table", name=re.compile("1 project, page 1 of 1"))).to_contain_text(
        "Border data in Belarus"
    )
    expect(results).not_to_contain_text("Labour mobility in Georgia")
    expect(results).not_to_contain_text("Confidential pilot")
    assert_accessible(page)

    # The address is a bookmark: loading it again shows the same filtered page.
    page.reload()
    expect(page.get_by_label("Country", exact=True)).to_have_value("BY")
    expect(page.locator("#dashboard-results").get_by_role("status")).to_have_text("1 project matches.")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="projects (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert workbook_codes(download, "code") == {"MPF-BY-01"}

    # Without the filter, every published project and still none of the others.
    page.goto("/dashboard/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="budget lines and expenditures (Excel)").click()
    assert workbook_codes(download_info.value, "project_code") == {"MPF-BY-01", "MPF-GE-01"}

    page.locator("#dashboard-results table").get_by_role("link", name="Labour mobility in Georgia").click()
    expect(page).to_have_url(re.compile(r"/projects/ge-labour/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_role("img", name=re.compile("Cumulative spending"))).to_be_visible()
    assert_accessible(page)

    assert page.goto("/projects/by-hidden/dashboard/").status == 404
