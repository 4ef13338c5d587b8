"""A drafter reports every indicator of a period in one form with the keyboard; the manager returns
one with a comment, the drafter corrects it, and the manager approves. Every page is checked with axe."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from results import services
from results.models import Indicator, IndicatorUpdate
from results.tests.factories import framework
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "migration-concept"


@pytest.fixture
def fw(db):
    project = ProjectFactory(
        slug=SLUG,
        title="Concept of the national migration policy",
        planned_start=datetime.date(2025, 1, 1),
        planned_end=datetime.date(2025, 12, 31),
    )
    MembershipFactory(project=project, user=UserFactory(username="maria", password=PASSWORD), role=Role.MANAGER)
    MembershipFactory(project=project, user=UserFactory(username="dana", password=PASSWORD), role=Role.DRAFTER)
    MembershipFactory(project=project, user=UserFactory(username="diego", password=PASSWORD), role=Role.DONOR)
    objects = framework(project)
    objects["presented"] = services.indicator_create(
        result=objects["outcome"], title="Concept presented", unit=Indicator.Unit.YES_NO
    )
    return objects


def switch_user(page, log_in, username):
    page.context.clear_cookies()
    log_in(username, PASSWORD)


def open_results(page):
    page.goto(f"/projects/{SLUG}/")
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Results", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Results framework")
    assert_accessible(page)


def test_report_return_correct_and_approve(page, log_in, fw):
    log_in("dana", PASSWORD)
    open_results(page)
    # The first quarter of 2025 is past its due date: the page says so and leads to the form.
    expect(page.get_by_text("Overdue:")).to_be_visible()
    page.get_by_role("link", name="Report for this period").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    assert_accessible(page)

    # Keyboard only: the outcome's yes/no indicator first, then the output's two, field after field.
    page.get_by_role("link", name="Concept presented").click()  # the "not reported yet" list jumps to the field
    expect(page.locator(f"#id_i{fw['presented'].pk}-value")).to_be_focused()
    keys = page.keyboard
    keys.press("ArrowDown")  # "Yes"
    keys.press("Tab")
    keys.type("Presented at the closing event.")
    keys.press("Tab")  # evidence
    keys.press("Tab")
    expect(page.locator(f"#id_i{fw['trained'].pk}-value")).to_be_focused()
    for text in ("10", "6", "4"):  # total, women, men
        keys.type(text)
        keys.press("Tab")
    keys.press("Tab")  # other/unknown left empty
    keys.type("Two trainings.")
    keys.press("Tab")
    keys.type("https://example.org/attendance.pdf")
    keys.press("Tab")
    expect(page.locator(f"#id_i{fw['share'].pk}-value")).to_be_focused()
    keys.type("95")
    keys.press("Enter")  # Enter in a number field submits for approval

    expect(page.get_by_text("3 updates were submitted for approval.")).to_be_visible()
    assert_accessible(page)
    assert set(IndicatorUpdate.objects.values_list("status", flat=True)) == {"submitted"}
    assert IndicatorUpdate.objects.get(indicator=fw["trained"]).women == 6

    switch_user(page, log_in, "maria")
    open_results(page)
    page.get_by_role("link", name=re.compile(r"^Approvals \(3 waiting\)")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Updates waiting for approval")
    assert_accessible(page)
    share = page.locator(f"#review-{IndicatorUpdate.objects.get(indicator=fw['share']).pk}")
    share.get_by_label("Comment (needed to return it)").fill("The survey says 80 %.")
    share.get_by_role("button", name=re.compile("^Return")).click()
    expect(page.get_by_text("“Share satisfied” was returned.")).to_be_visible()
    for title in ("Officials trained", "Concept presented"):
        page.get_by_role("button", name=f"Approve {title}").click()
        expect(page.get_by_text(f"“{title}” was approved.")).to_be_visible()
    expect(page.get_by_text("No updates are waiting for approval.")).to_be_visible()

    switch_user(page, log_in, "dana")
    page.goto(f"/projects/{SLUG}/results/periods/{fw['period'].pk}/")
    expect(page.get_by_text("The survey says 80 %.")).to_be_visible()
    field = page.locator(f"#id_i{fw['share'].pk}-value")
    expect(field).to_have_value("95.00")
    field.focus()
    keys.press("Control+A")
    keys.type("80")
    keys.press("Enter")
    expect(page.get_by_text("1 update was submitted for approval.")).to_be_visible()

    switch_user(page, log_in, "maria")
    page.goto(f"/projects/{SLUG}/results/approvals/")
    page.get_by_role("button", name="Approve Share satisfied").click()
    expect(page.get_by_text("“Share satisfied” was approved.")).to_be_visible()
    page.goto(f"/projects/{SLUG}/results/periods/{fw['period'].pk}/")
    expect(page.locator(f"#indicator-{fw['share'].pk}")).to_contain_text("Approved so far: 80 %")
    expect(page.locator(f"#indicator-{fw['trained'].pk}")).to_contain_text("Approved so far: 10")
    assert_accessible(page)
    assert list(IndicatorUpdate.objects.order_by("pk").values_list("status", flat=True)) == ["approved"] * 3

    # The donor's results view and the IATI file show the approved values.
    switch_user(page, log_in, "diego")
    page.goto(f"/projects/{SLUG}/")
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Dashboard", exact=True).click()
    results = page.locator("#results")
    expect(results.get_by_role("heading", name=re.compile("^Share satisfied"))).to_be_visible()
    share_table = results.get_by_role("table", name="Target and actual of “Share satisfied” per period")
    expect(share_table.get_by_role("row", name=re.compile(r"^01\.01\.2025"))).to_contain_text("80 %")
    assert_accessible(page)
    iati = page.request.get(f"/projects/{SLUG}/iati.xml").text()
    assert '<actual value="80"/>' in iati and '<dimension name="sex" value="female"/>' in iati
