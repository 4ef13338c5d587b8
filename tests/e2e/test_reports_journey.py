"""A periodic report from draft to approval: the drafter writes the interim report's narrative in the
rich editor and submits; the manager returns it with a comment; the drafter corrects and submits
again; the manager approves; the donor reads the approved report. Every page is checked with axe. At the end, the donor
prints the approved report and downloads its PDF."""

import datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ParticipationFactory
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from reports.models import Report
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "migration-concept"


@pytest.fixture
def report(db):
    project = ProjectFactory(
        slug=SLUG,
        title="Concept of the national migration policy",
        planned_start=datetime.date(2025, 1, 1),
        planned_end=datetime.date(2025, 12, 31),
    )
    MembershipFactory(project=project, user=UserFactory(username="maria", password=PASSWORD), role=Role.MANAGER)
    dana = UserFactory(username="dana", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    MembershipFactory(project=project, user=UserFactory(username="diego", password=PASSWORD), role=Role.DONOR)
    exchange = ActivityFactory(project=project, title="First knowledge exchange", status=Activity.Status.COMPLETED)
    ParticipationFactory(activity=exchange, participants=24, women=14)
    interim = Report.objects.create(
        project=project,
        kind=Report.Kind.INTERIM,
        title="Interim report 1",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 6, 30),
        due_date=datetime.date(2025, 7, 31),
    )
    interim.responsible.set([dana])
    return interim


def switch_user(page, log_in, username):
    page.context.clear_cookies()
    log_in(username, PASSWORD)


def surface(page):
    return page.get_by_role("textbox", name="Narrative", exact=True).and_(page.locator(".ProseMirror"))


def open_report(page):
    page.goto(f"/projects/{SLUG}/")
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    assert_accessible(page)
    page.get_by_role("link", name="Interim report 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interim report 1")
    assert_accessible(page)


def write(page, text: str, *, link: str):
    page.get_by_role("link", name=link).click()
    expect(surface(page)).to_be_visible()
    assert_accessible(page)
    surface(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)
    expect(surface(page)).to_contain_text(text)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_contain_text("Saved as version")


def test_write_submit_return_correct_approve_and_the_donor_reads(page, log_in, report, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the PDF at the end is rendered in-process (as with `make run`)
    log_in("dana", PASSWORD)
    open_report(page)
    # The figures of the period are there without retyping: the exchange with its participants.
    expect(page.get_by_role("table").filter(has_text="First knowledge exchange")).to_contain_text("24")
    write(page, "The first exchange brought together 24 officials.", link="Write the English narrative")
    expect(page.locator(".narrative")).to_contain_text("24 officials")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("#report-state")).to_contain_text("Submitted")
    assert_accessible(page)

    switch_user(page, log_in, "maria")
    open_report(page)
    page.get_by_role("button", name="Return with comments").click()  # without comments: refused
    expect(page.locator(".messages .alert-danger")).to_contain_text("comments are required")
    page.get_by_label("Comments").fill("Please say how many of them were women.")
    page.get_by_role("button", name="Return with comments").click()
    expect(page.locator("#report-state")).to_contain_text("Returned with comments")

    switch_user(page, log_in, "dana")
    open_report(page)
    expect(page.locator("#return-comment")).to_contain_text("how many of them were women")
    write(page, " Fourteen of them were women.", link="Edit the English narrative")
    page.get_by_role("button", name="Submit the report").click()
    expect(page.locator("#report-state")).to_contain_text("Submitted")

    switch_user(page, log_in, "maria")
    open_report(page)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#report-state")).to_contain_text("Approved")
    assert_accessible(page)

    switch_user(page, log_in, "diego")
    open_report(page)
    expect(page.locator(".narrative")).to_contain_text("Fourteen of them were women.")
    expect(page.get_by_role("button", name="Submit the report")).to_have_count(0)
    report.refresh_from_db()
    assert report.state == Report.State.APPROVED and report.frozen_versions.get().number == 2

    # The donor prints the approved report and downloads its PDF, the narrative approved in it.
    panel = page.locator("#files")
    panel.get_by_role("button", name="PDF of this report").click()
    files = panel.locator("#report-files")
    expect(files.get_by_text("Ready", exact=True)).to_be_visible()
    with page.expect_download() as download:
        files.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename == "migration-concept-interim-report-1-en.pdf"
    with open(download.value.path(), "rb") as pdf:
        text = "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(pdf).pages)
    assert "Interim report 1" in text and "Fourteen of them were women." in text
    assert_accessible(page)
