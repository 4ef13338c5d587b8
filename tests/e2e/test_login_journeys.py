"""First browser journeys: logging in, landing on one's project, refusals, public pages, keyboard."""

import re

import pytest
from playwright.sync_api import expect

from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture
def unpublished_project(db):
    return ProjectFactory(slug="border-water", title="Water for the border towns", is_published=False)


@pytest.fixture
def published_project(db):
    return ProjectFactory(
        slug="labour-mobility",
        title="Labour mobility pilot",
        summary="Pilot schemes for **seasonal workers**.",
        is_published=True,
    )


def test_drafter_logs_in_and_lands_on_their_project(page, log_in, unpublished_project):
    drafter = UserFactory(username="dana", password=PASSWORD)
    MembershipFactory(project=unpublished_project, user=drafter, role=Role.DRAFTER)

    log_in("dana", PASSWORD)

    expect(page).to_have_url(re.compile(rf"/projects/{unpublished_project.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(unpublished_project.title)
    assert_accessible(page)


def test_outsider_gets_not_found_for_an_unpublished_project(page, log_in, unpublished_project):
    UserFactory(username="olga", password=PASSWORD)
    log_in("olga", PASSWORD)
    assert_accessible(page)  # where the home page sends a user without projects

    response = page.goto(f"/projects/{unpublished_project.slug}/")

    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert unpublished_project.title not in page.content()
    assert_accessible(page)


def test_anonymous_visitor_reads_the_list_and_a_published_project(
    page, published_project, unpublished_project, save_screenshot
):
    page.goto("/projects/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    expect(page.get_by_role("link", name=published_project.title)).to_be_visible()
    assert unpublished_project.title not in page.content()
    assert_accessible(page)

    page.get_by_role("link", name=published_project.title).click()

    expect(page).to_have_url(re.compile(rf"/projects/{published_project.slug}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(published_project.title)
    expect(page.get_by_text("Funded by the European Union")).to_be_visible()
    expect(page.locator("strong", has_text="seasonal workers")).to_be_visible()
    assert_accessible(page)
    save_screenshot("project")


@pytest.mark.parametrize("path", ["/projects/", "/projects/labour-mobility/", "/projects/no-such-project/"])
def test_tab_then_enter_skips_to_the_main_content(page, published_project, path):
    page.goto(path)
    assert_accessible(page)
    skip_link = page.get_by_role("link", name="Skip to main content")

    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
    expect(page).to_have_url(re.compile(r"#main$"))


def test_login_page_starts_in_the_username_field(page):
    """Django's log-in form autofocuses the username, so there Tab goes on to the password."""
    page.goto("/accounts/login/")
    assert_accessible(page)

    expect(page.locator('input[name="username"]')).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator('input[name="password"]')).to_be_focused()
