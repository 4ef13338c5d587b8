"""Searching in the browser: a reviewer types in the navigation's search box, sees the results
grouped by kind, narrows them to comments, and searches again with the interface in Russian.
Every page visited is checked with axe.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from playwright.sync_api import expect

from activities.tests.factories import ActivityFactory
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The Russian pages need the compiled catalogue: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def consultation(db):
    project = ProjectFactory(title="Migration policy in Belarus", summary="Support to the migrants' rights concept.")
    reviewer = UserFactory(username="rita", first_name="Rita", last_name="Reviewer", password=PASSWORD)
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    ActivityFactory(project=project, title="Knowledge exchange on migrant workers", description="Two days.")
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy", language="ru")
    section = section_with_version(
        concept,
        title="Права мигрантов",
        body="Государство защищает права мигрантов и членов их семей.",
        author=reviewer,
    )
    Comment.objects.create(
        section=section, version=section.head, author=reviewer, body="Добавить мигрантов, работающих удалённо."
    )
    hidden = ProjectFactory(title="Someone else's migrant project")
    ConceptFactory(project=hidden)
    return project


def test_search_from_the_navigation_grouped_filtered_and_in_russian(page, log_in, consultation):
    log_in("rita", PASSWORD)
    box = page.get_by_role("search", name="Search the portal").get_by_label("Search the portal")
    box.fill("migrant")
    box.press("Enter")  # the keyboard is enough
    page.wait_for_url("**/search/?q=migrant")
    results = page.locator("#main")
    expect(results.get_by_role("heading", name="Projects")).to_be_visible()
    expect(results.get_by_role("heading", name="Activities")).to_be_visible()
    expect(results.get_by_role("link", name="Knowledge exchange on migrant workers")).to_be_visible()
    expect(results).not_to_contain_text("Someone else's migrant project")
    assert_accessible(page)

    box.fill("мигрант")
    box.press("Enter")
    expect(results.get_by_role("heading", name="Concept sections")).to_be_visible()
    expect(results.locator("mark").first).to_be_visible()
    results.get_by_role("navigation", name="Results by kind").get_by_role(
        "link", name="Comments and recommendations"
    ).click()
    page.wait_for_url("**kind=comment**")
    expect(results.get_by_role("heading", name="Concept sections")).to_have_count(0)
    expect(results.locator(".search-hit")).to_have_count(1)
    expect(page.get_by_label("Show")).to_have_value("comment")  # the filter stays in the form and the URL
    assert_accessible(page)

    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_label("Language", exact=True).select_option(label="Русский")
    navigation.get_by_role("button", name="Apply", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(results.get_by_role("heading", name="Комментарии и рекомендации")).to_be_visible()
    results.locator(".search-hit a").first.click()
    expect(page.locator("#main")).to_contain_text("Добавить мигрантов, работающих удалённо.")
    page.go_back()
    expect(page.get_by_role("search", name="Поиск по порталу").get_by_label("Поиск по порталу")).to_have_value(
        "мигрант"
    )
    assert_accessible(page)
