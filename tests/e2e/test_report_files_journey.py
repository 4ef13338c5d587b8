"""Reports due and printed reports in the browser: staff open the overview of reports due (overdue
first) and follow a report; a manager prints an approved report as PDF and downloads it, and a donor
does the same. Celery runs in-process (as with `make run`)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from reports.models import Report
from reports.tests.factories import ReportFactory, frozen_report
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture
def reports(db, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    today = timezone.localdate()
    project = ProjectFactory(
        title="Migration governance support",
        slug="migration-governance",
        planned_start=today - datetime.timedelta(days=400),
        planned_end=today + datetime.timedelta(days=400),
    )
    manager = UserFactory(username="maria", first_name="Maria", password=PASSWORD)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    donor = UserFactory(username="dana", password=PASSWORD)
    MembershipFactory(project=project, user=donor, role=Role.DONOR)
    UserFactory(username="sam", password=PASSWORD, is_staff=True)

    def period(days_before_today):
        end = today - datetime.timedelta(days=days_before_today)
        return {"period_start": end - datetime.timedelta(days=90), "period_end": end}

    due_soon = ReportFactory(
        project=project,
        title="Second interim report",
        due_date=today + datetime.timedelta(days=10),
        state=Report.State.IN_PROGRESS,
        **period(1),
    )
    overdue = ReportFactory(
        project=project,
        title="First interim report",
        kind=Report.Kind.CUSTOM,
        due_date=today - datetime.timedelta(days=4),
        state=Report.State.RETURNED,
        **period(100),
    )
    approved = frozen_report(
        project,
        state=Report.State.APPROVED,
        title="Inception report",
        kind=Report.Kind.CUSTOM,
        submitted_by=manager,
        due_date=today - datetime.timedelta(days=200),
        **period(220),
    )
    return {"due_soon": due_soon, "overdue": overdue, "approved": approved}


def test_staff_follow_the_reports_due_overdue_first(page, log_in, reports, save_screenshot):
    log_in("sam", PASSWORD)
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Reports due").click()
    expect(page.get_by_role("heading", name="Reports due", level=1)).to_be_visible()
    rows = page.locator("#reports-due tbody tr")
    expect(rows).to_have_count(2)  # the approved report is done
    expect(rows.nth(0)).to_contain_text("First interim report")
    expect(rows.nth(0)).to_contain_text("4 days overdue")
    expect(rows.nth(1)).to_contain_text("in 10 days")
    assert_accessible(page)
    save_screenshot("reports-due")

    page.get_by_role("link", name="Due date").click()  # latest first; overdue reports stay on top
    expect(rows.nth(0)).to_contain_text("First interim report")
    rows.nth(1).get_by_role("link", name="Second interim report").click()
    expect(page.get_by_role("heading", name="Second interim report", level=1)).to_be_visible()


@pytest.mark.parametrize("username", ["maria", "dana"])
def test_a_reader_prints_the_approved_report_and_downloads_the_pdf(page, log_in, reports, username, save_screenshot):
    log_in(username, PASSWORD)
    page.goto(reports["approved"].get_absolute_url())
    panel = page.locator("#files")
    expect(panel.get_by_text("No files yet.")).to_be_visible()
    assert_accessible(page)

    panel.get_by_role("button", name="PDF of this report").click()
    files = panel.locator("#report-files")
    expect(files.get_by_text("Ready", exact=True)).to_be_visible()
    expect(files).not_to_have_attribute("hx-trigger", "every 2s")
    with page.expect_download() as download:
        files.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename == "migration-governance-inception-report-en.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert_accessible(page)
    save_screenshot(f"report-files-{username}")


def test_the_word_button_asks_for_the_word_file_in_the_chosen_language(page, log_in, reports):
    log_in("maria", PASSWORD)
    page.goto(reports["approved"].get_absolute_url())
    panel = page.locator("#files")
    panel.get_by_label("Language").select_option("ru")
    panel.get_by_role("button", name="Word file").click()
    files = panel.locator("#report-files")
    expect(files.get_by_text("Ready", exact=True)).to_be_visible()
    expect(files).to_contain_text("Word · Russian")
    with page.expect_download() as download:
        files.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename == "migration-governance-inception-report-ru.docx"
