"""A manager records an expenditure typing the amount as their language writes it.

Chromium's number input dropped a decimal comma without a word: "1234,56" typed in the Russian
interface was stored as 123,456.00. The amount field is a text input read by the interface
language's conventions, so the same keystrokes are stored as 1,234.56, in either language.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from playwright.sync_api import expect

from budgets.models import Expenditure
from budgets.tests.factories import BudgetLineFactory
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "belarus-migration-policy"


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The Russian pages need the compiled catalogue: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def budget(db):
    project = ProjectFactory(slug=SLUG, title="Migration policy in Belarus", currency="EUR")
    manager = UserFactory(username="maria", password=PASSWORD)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    return BudgetLineFactory(project=project, description="Experts", amount=Decimal("60000.00"))


def record_expenditure(page, line, amount: str) -> None:
    """The expenditure form, filled in by its fields' names (the labels depend on the language)."""
    page.goto(f"/projects/{SLUG}/budget/expenditures/new/")
    form = page.locator("main form").first
    form.locator('select[name="line"]').select_option(value=str(line.pk))
    form.locator('input[name="date"]').fill("2025-04-15")
    amount_input = form.locator('input[name="amount"]')
    expect(amount_input).to_have_attribute("type", "text")
    expect(amount_input).to_have_attribute("inputmode", "decimal")
    amount_input.click()
    amount_input.press_sequentially(amount)  # key by key, as a person types
    form.locator('input[name="description"]').fill("Expert fees")
    assert_accessible(page)
    form.locator("button.btn-primary[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/budget/$"))


def test_a_decimal_comma_typed_in_the_russian_interface_is_stored_as_meant(page, log_in, live_server, budget):
    log_in("maria", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    record_expenditure(page, budget, "1234,56")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.locator("section[aria-labelledby='expenditure-heading'] tbody tr")).to_contain_text(
        "1\u00a0234,56\u00a0€"
    )
    assert Expenditure.objects.get().amount == Decimal("1234.56")


def test_thousands_commas_typed_in_the_english_interface_are_stored_as_meant(page, log_in, budget):
    log_in("maria", PASSWORD)
    record_expenditure(page, budget, "1,234.56")
    expect(page.locator("section[aria-labelledby='expenditure-heading'] tbody tr")).to_contain_text("EUR 1,234.56")
    assert Expenditure.objects.get().amount == Decimal("1234.56")


def test_an_ambiguous_amount_is_confirmed_in_the_browser_before_it_is_saved(page, log_in, budget):
    log_in("maria", PASSWORD)
    page.goto(f"/projects/{SLUG}/budget/expenditures/new/")
    form = page.locator("main form").first
    form.get_by_label("Budget line").select_option(value=str(budget.pk))
    form.get_by_label("Date").fill("2025-04-15")
    form.get_by_label("Amount").fill("1,234")
    form.get_by_label("Description").fill("Expert fees")
    form.get_by_role("button", name="Record expenditure").click()
    confirm = form.get_by_label("We read this as EUR 1,234.00 — confirm")
    expect(confirm).not_to_be_checked()
    assert_accessible(page)
    assert not Expenditure.objects.exists()
    confirm.check()
    form.get_by_role("button", name="Record expenditure").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/budget/$"))
    assert Expenditure.objects.get().amount == Decimal("1234.00")


def test_an_expenditure_dated_after_the_project_is_saved_once_the_warning_is_confirmed(page, log_in, budget):
    log_in("maria", PASSWORD)
    page.goto(f"/projects/{SLUG}/budget/expenditures/new/")
    form = page.locator("main form").first
    form.get_by_label("Budget line").select_option(value=str(budget.pk))
    form.get_by_label("Date").fill("2030-01-15")
    form.get_by_label("Amount").fill("500")
    form.get_by_label("Description").fill("Expert fees")
    form.get_by_role("button", name="Record expenditure").click()
    warnings = page.get_by_role("group", name="Check before saving")
    expect(warnings).to_contain_text("is after the project ends")
    assert_accessible(page)
    assert not Expenditure.objects.exists()
    for checkbox in warnings.get_by_role("checkbox").all():
        checkbox.check()
    form.get_by_role("button", name="Record expenditure").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/budget/$"))
    page.goto(f"/projects/{SLUG}/history/")
    expect(page.locator("main")).to_contain_text("Confirmed despite warnings:")
