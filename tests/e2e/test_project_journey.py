"""Programme staff set up a project from scratch, and the public reads it once it is published.

One journey, in the order a person takes it: the project form (with one mistake on the way),
the partners, the budget with an expenditure, publishing, and then the public page, read in a
separate browser with nobody logged in, which showed "Page not found" before publishing.
"""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Organisation
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 15_000

CODE = "MPF-BY-2019-01"
SLUG = "belarus-migration-policy"
TITLE = "Support to the development of the Concept of the National Migration Policy in Belarus"
THEMATIC_AREA = "Capacity building for migration management"
ENGLISH_TITLE = re.compile(r"^\s*Title\*?\s*$")  # the required field's label, not “Title (Russian)”
ICMPD = "International Centre for Migration Policy Development"
BELARUS = "Republic of Belarus"


@pytest.fixture
def setting(db):
    """What exists before the journey: a staff user, the AMIF instrument and the two partners."""
    UserFactory(username="petra", password=PASSWORD, is_staff=True)
    FundingInstrumentFactory(code="AMIF", name="Asylum, Migration and Integration Fund")
    OrganisationFactory(name=ICMPD, acronym="ICMPD", kind=Organisation.Kind.INTERNATIONAL)
    OrganisationFactory(name=BELARUS, kind=Organisation.Kind.NATIONAL_AUTHORITY, country="BY")


@pytest.fixture
def anonymous_page(browser, live_server):
    """`anonymous_page()`: a page in a new browser context, so with no session cookie at all.

    Set up like the `page` fixture: the live server's base URL, and a failure on CSP
    violations or JavaScript errors.
    """
    contexts, problems = [], []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("The anonymous browser reported problems:\n" + "\n".join(f"- {p}" for p in problems), False)


def type_into(field, text: str) -> None:
    """Clicks into a field, selects what is there (the budget starts at 0) and types over it, key by key."""
    field.click()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)


def tab(page, name: str) -> None:
    """Follows one of the project's tabs."""
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name=name, exact=True).click()


def add_partner(page, organisation: str, role: str) -> None:
    page.get_by_label("Organisation").select_option(label=organisation)
    page.get_by_label("Role").select_option(label=role)
    page.get_by_role("button", name="Add partner").click()
    expect(page.locator(".alert-success")).to_have_text("The partner was added.")
    assert_accessible(page)


def add_budget_line(page, category: str, description: str, amount: str) -> None:
    page.get_by_role("link", name="Add budget line").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New budget line")
    assert_accessible(page)
    page.get_by_label("Category").select_option(label=category)
    type_into(page.get_by_label("Description"), description)
    type_into(page.get_by_label("Original amount"), amount)
    page.get_by_role("button", name="Add budget line").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/budget/$"))
    expect(page.locator(".alert-success")).to_have_text("The budget line was added.")
    assert_accessible(page)


def test_staff_create_fund_and_publish_a_project_the_public_then_reads(page, log_in, anonymous_page, setting):
    log_in("petra", PASSWORD)
    expect(page).to_have_url(re.compile(r"/projects/$"))
    assert_accessible(page)

    # The project form, filled in as a person does, with the planned end mistyped a year early.
    page.get_by_role("link", name="New project", exact=True).click()
    expect(page).to_have_url(re.compile(r"/projects/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New project")
    assert_accessible(page)
    form = page.locator("main form")
    type_into(form.get_by_label("Code"), CODE)
    type_into(form.get_by_label("Slug"), SLUG)
    type_into(form.get_by_label(ENGLISH_TITLE), TITLE)
    type_into(form.get_by_label("Thematic area", exact=True), THEMATIC_AREA)
    form.get_by_label("Status").select_option(label="Closed")
    # Date fields take ISO dates with fill(); typed keys would depend on the browser's date format.
    form.get_by_label("Planned start").fill("2019-02-01")
    form.get_by_label("Planned end").fill("2018-02-28")
    form.get_by_role("group", name="Beneficiary countries").get_by_label("Belarus", exact=True).check()
    form.get_by_label("Funding instrument").select_option(label="AMIF")
    type_into(form.get_by_label("Total budget"), "105000")
    form.get_by_label("Currency").select_option(label="EUR")
    expect(form.get_by_label("Published")).not_to_be_checked()
    form.get_by_role("button", name="Save").click()

    # The error is beside the planned end, tied to it for screen readers; nothing typed is lost.
    expect(page).to_have_url(re.compile(r"/projects/new/$"))
    planned_end = form.get_by_label("Planned end")
    expect(planned_end).to_have_attribute("aria-invalid", "true")
    error = page.locator("#div_id_planned_end .invalid-feedback")
    expect(error).to_have_text("The planned end cannot be before the planned start.")
    expect(planned_end).to_have_attribute("aria-describedby", re.compile(rf"\b{error.get_attribute('id')}\b"))
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    expect(form.get_by_label("Code")).to_have_value(CODE)
    expect(form.get_by_label("Slug")).to_have_value(SLUG)
    expect(form.get_by_label(ENGLISH_TITLE)).to_have_value(TITLE)
    expect(form.get_by_label("Thematic area", exact=True)).to_have_value(THEMATIC_AREA)
    expect(form.get_by_label("Status").locator("option:checked")).to_have_text("Closed")
    expect(form.get_by_label("Planned start")).to_have_value("2019-02-01")
    expect(planned_end).to_have_value("2018-02-28")
    countries = form.get_by_role("group", name="Beneficiary countries")
    expect(countries.get_by_label("Belarus", exact=True)).to_be_checked()
    expect(countries.locator("input:checked")).to_have_count(1)
    expect(form.get_by_label("Funding instrument").locator("option:checked")).to_have_text("AMIF")
    expect(form.get_by_label("Total budget")).to_have_value("105000")
    expect(form.get_by_label("Currency")).to_have_value("EUR")
    expect(form.get_by_label("Published")).not_to_be_checked()
    assert_accessible(page)

    planned_end.fill("2020-02-29")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/$"))
    expect(page.locator(".alert-success")).to_have_text("The project was created. Add its partners and budget next.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".lead .badge")).to_have_text("Not published")
    assert_accessible(page)

    # Not published yet: to the public the page does not exist.
    visitor = anonymous_page()
    response = visitor.goto(f"/projects/{SLUG}/")
    assert response.status == 404
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert TITLE not in visitor.content()
    assert_accessible(visitor)

    # Partners: who implements the project, and on whose behalf.
    tab(page, "Partners")
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    expect(page.get_by_text("No partners recorded yet.")).to_be_visible()
    assert_accessible(page)
    add_partner(page, f"{ICMPD} (ICMPD)", "Implementing")
    add_partner(page, BELARUS, "Beneficiary")
    partners = page.locator("main table tbody tr")
    expect(partners).to_have_count(2)
    expect(partners.filter(has_text=ICMPD)).to_contain_text("Implementing")
    expect(partners.filter(has_text=BELARUS)).to_contain_text("Beneficiary")

    # Budget: two lines that add up to the project's total, and one expenditure.
    tab(page, "Budget")
    expect(page.get_by_role("heading", level=1)).to_have_text("Budget and expenditure")
    expect(page.get_by_text("No budget lines yet.")).to_be_visible()
    assert_accessible(page)
    add_budget_line(page, "Experts", "International and national experts", "60000")
    expect(page.locator(".alert-warning")).to_contain_text(
        "The budget lines add up to EUR 45,000.00 less than the project's total budget."
    )
    add_budget_line(page, "Travel", "Travel and study visit", "45000")
    expect(page.locator(".alert-warning")).to_have_count(0)

    page.get_by_role("link", name="Record expenditure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New expenditure")
    assert_accessible(page)
    page.get_by_label("Budget line").select_option(label="Experts: International and national experts")
    page.get_by_label("Date").fill("2019-04-15")
    type_into(page.get_by_label("Amount"), "12500")
    type_into(page.get_by_label("Description"), "Expert fees, first mission")
    type_into(page.get_by_label("Reference"), "INV-2019-014")
    page.get_by_role("button", name="Record expenditure").click()

    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/budget/$"))
    expect(page.locator(".alert-success")).to_have_text("The expenditure was recorded.")
    expect(page.get_by_text("Total budget of the project:")).to_contain_text("EUR 105,000.00")
    expect(page.locator("main")).not_to_contain_text("add up to")
    expect(page.locator(".alert-warning, .alert-danger")).to_have_count(0)
    expect(page.locator("#by-category ~ div tfoot")).to_contain_text("EUR 105,000.00")
    expenditure = page.locator("section[aria-labelledby='expenditure-heading'] tbody tr")
    expect(expenditure).to_have_count(1)
    expect(expenditure).to_contain_text("Expert fees, first mission")
    expect(expenditure).to_contain_text("EUR 12,500.00")
    assert_accessible(page)

    # Publishing.
    tab(page, "Edit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit project")
    assert_accessible(page)
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/$"))
    expect(page.locator(".alert-success")).to_have_text("The project was saved.")
    expect(page.locator(".lead .badge")).to_have_count(0)
    assert_accessible(page)

    # The public page, in a browser where nobody is logged in.
    visitor = anonymous_page()
    response = visitor.goto(f"/projects/{SLUG}/")
    assert response.status == 200
    expect(visitor.get_by_role("button", name="Log out")).to_have_count(0)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    facts = visitor.locator("dl.project-facts")
    expect(fact(facts, "Budget")).to_have_text("EUR 105,000.00 (AMIF)")
    expect(fact(facts, "Time frame")).to_have_text("February 2019 – February 2020")
    expect(fact(facts, "Partners")).to_have_text(
        "This MPF project was implemented by ICMPD on behalf of the Republic of Belarus."
    )
    expect(fact(facts, "Countries")).to_have_text("Belarus")
    expect(visitor.get_by_text("Project completed")).to_be_visible()
    expect(visitor.get_by_role("navigation", name="Project sections")).to_have_count(0)
    assert_accessible(visitor)


def fact(facts, term: str):
    """The <dd> right after the <dt> `term` in the project's facts."""
    return facts.locator(f"xpath=dt[normalize-space()='{term}']/following-sibling::dd[1]")
