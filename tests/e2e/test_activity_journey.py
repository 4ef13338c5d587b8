"""A project manager plans activities and finds them on the timeline; a drafter may only read them.

The timeline is an inline SVG: each activity is a row (an `<a>` with a `<title>`, a label and
a planned bar), reachable with the keyboard, and the same facts are in a table below it.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "border-management"
ENGLISH_TITLE = re.compile(r"^\s*Title\*?\s*$")  # the required field's label, not “Title (Russian)”
STUDY_VISIT = "Study visit to an EU Member State"
CLOSING = "Closing conference in Minsk"
MAX_TABS = 60


@pytest.fixture
def project(db):
    project = ProjectFactory(
        slug=SLUG,
        title="Integrated border management in Belarus",
        planned_start=datetime.date(2025, 1, 1),
        planned_end=datetime.date(2026, 12, 31),
    )
    MembershipFactory(project=project, user=UserFactory(username="maria", password=PASSWORD), role=Role.MANAGER)
    MembershipFactory(project=project, user=UserFactory(username="dana", password=PASSWORD), role=Role.DRAFTER)
    return project


def tab(page, name: str) -> None:
    """Follows one of the project's tabs."""
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name=name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def type_into(field, text: str) -> None:
    field.click()
    field.press_sequentially(text)


def add_activity(page, *, kind, title, start, end, city, country) -> None:
    """From the Activities tab: the form, filled in and saved; ends on the new activity's page."""
    page.get_by_role("link", name="Add activity", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/activities/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("New activity")
    assert_accessible(page)
    form = page.locator("main form")
    form.get_by_label("Kind").select_option(label=kind)
    type_into(form.get_by_label(ENGLISH_TITLE), title)
    # Date fields take ISO dates with fill(); typed keys would depend on the browser's date format.
    form.get_by_label("Planned start").fill(start)
    form.get_by_label("Planned end").fill(end)
    type_into(form.get_by_label("City"), city)
    form.get_by_label("Country").select_option(label=country)
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/activities/\d+/$"))
    expect(page.locator(".alert-success")).to_have_text("The activity was added.")
    expect(page.locator(".alert-warning")).to_have_count(0)  # within the project's time frame
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert_accessible(page)


def activity_titles(page):
    return page.locator("main table tbody tr td:nth-child(2) a")


def gantt_row(page, title: str):
    """The SVG row whose <title> names the activity."""
    return page.locator(".gantt g.gantt-row").filter(has=page.locator("title", has_text=title))


def test_manager_plans_activities_on_the_timeline_and_a_drafter_only_reads_them(page, log_in, project, save_screenshot):
    log_in("maria", PASSWORD)
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/$"))
    assert_accessible(page)

    tab(page, "Activities")
    expect(page.get_by_text("No activities yet.")).to_be_visible()
    assert_accessible(page)
    add_activity(
        page,
        kind="Study visit",
        title=STUDY_VISIT,
        start="2025-06-02",
        end="2025-06-06",
        city="Vienna",
        country="Austria",
    )
    details = page.locator("main dl")
    expect(details).to_contain_text("2 Jun 2025 – 6 Jun 2025")
    expect(details).to_contain_text("Vienna, Austria")
    study_visit_url = page.url

    # The timeline: a row with the label and a planned bar, and the same activity in the table.
    tab(page, "Timeline")
    assert_accessible(page)
    row = gantt_row(page, STUDY_VISIT)
    expect(row).to_have_count(1)
    expect(row.locator("title")).to_contain_text("(Study visit). Planned: 2 Jun 2025 – 6 Jun 2025.")
    expect(row.locator("text.row-label")).to_have_text(STUDY_VISIT)
    expect(row.locator(".bar-planned")).to_have_count(1)
    expect(row.locator(".bar-planned")).to_be_visible()
    table_row = page.locator("main table tbody tr").filter(has_text=STUDY_VISIT)
    expect(table_row).to_have_count(1)
    expect(table_row).to_contain_text("Study visit")
    expect(table_row).to_contain_text("2 Jun 2025 – 6 Jun 2025")

    # Keyboard: Tab from the top of the page reaches the activity's link inside the SVG.
    link = row.locator("a")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab never reached the activity's link in the timeline", False)
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(study_visit_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(STUDY_VISIT)
    assert_accessible(page)

    # A second activity, then moved above the first.
    tab(page, "Activities")
    assert_accessible(page)
    add_activity(
        page, kind="Closing event", title=CLOSING, start="2026-11-16", end="2026-11-17", city="Minsk", country="Belarus"
    )
    tab(page, "Activities")
    expect(activity_titles(page)).to_have_text([STUDY_VISIT, CLOSING])
    expect(page.get_by_role("button", name=f"Move “{STUDY_VISIT}” up")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move “{CLOSING}” down")).to_be_disabled()
    assert_accessible(page)

    page.get_by_role("button", name=f"Move “{CLOSING}” up").click()
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/activities/#activity-\d+$"))
    expect(activity_titles(page)).to_have_text([CLOSING, STUDY_VISIT])
    expect(page.locator("main table tbody tr td:first-child")).to_have_text(["1", "2"])
    assert_accessible(page)

    # The timeline follows the new order.
    tab(page, "Timeline")
    expect(page.locator(".gantt g.gantt-row text.row-label")).to_have_text([CLOSING, STUDY_VISIT])
    for title in (STUDY_VISIT, CLOSING):
        expect(gantt_row(page, title).locator(".bar-planned")).to_be_visible()
    assert_accessible(page)
    save_screenshot("timeline")

    # A drafter of the same project reads the activities but may not add or reorder them.
    page.get_by_role("button", name="Log out").click()
    log_in("dana", PASSWORD)
    expect(page).to_have_url(re.compile(rf"/projects/{SLUG}/$"))
    assert_accessible(page)
    tab(page, "Activities")
    expect(activity_titles(page)).to_have_text([CLOSING, STUDY_VISIT])
    expect(page.get_by_role("link", name="Add activity")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^↑|^↓"))).to_have_count(0)
    assert_accessible(page)

    response = page.goto(f"/projects/{SLUG}/activities/new/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator("main form")).to_have_count(0)
    assert_accessible(page)
