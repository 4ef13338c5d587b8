"""The donor dashboards in the Russian interface, at a laptop's and a phone's width: every region
that scrolls sideways (the charts, the wide tables with their Russian headings) can be reached and
scrolled with the keyboard, and axe finds nothing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from common.models import UserPreferences
from projects.models import DONORS_GROUP
from projects.tests.factories import ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
d = datetime.date


@pytest.fixture
def portfolio(db):
    projects = []
    for number, (country, currency) in enumerate([("BY", "EUR"), ("GE", "USD"), ("AM", "EUR"), ("UA", "EUR")]):
        project = ProjectFactory(code=f"MPF-{country}-0{number}", slug=f"p-{number}", countries=[country],
                                 currency=currency, is_published=True, title=f"Проект миграционной политики {number}",
                                 planned_start=d(2019, 1, 1), planned_end=d(2021, 12, 31))  # fmt: skip
        line = BudgetLineFactory(project=project, amount=Decimal("250000.00"))
        for year in (2019, 2020, 2021):
            ExpenditureFactory(line=line, date=d(year, 5, 1), amount=Decimal("31250.00"))
        projects.append(project)
    donor = UserFactory(username="dora", password=PASSWORD)
    donor.groups.add(Group.objects.get_or_create(name=DONORS_GROUP)[0])
    UserPreferences.objects.update_or_create(user=donor, defaults={"language": "ru"})
    return projects


@pytest.mark.parametrize("width", [1366, 390])
def test_the_russian_dashboards_scroll_by_keyboard_and_pass_axe(page, log_in, portfolio, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in("dora", PASSWORD)
    page.goto("/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert_accessible(page)
    for region in page.locator(".chart-scroll, .table-responsive").all():
        expect(region).to_have_attribute("tabindex", "0")
        expect(region).to_have_attribute("role", "region")
    page.goto(f"/projects/{portfolio[0].slug}/dashboard/")
    assert_accessible(page)
    for region in page.locator(".chart-scroll, .table-responsive").all():
        expect(region).to_have_attribute("tabindex", "0")
