"""A manager uploads the fact-finding mission's agenda to the mission, finds it listed and downloads it;
a donor then finds the public document on the project page, and nothing kept for the team."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from activities.tests.factories import ActivityFactory
from documents.models import Visibility
from documents.tests.factories import PDF_BYTES, stored_document
from projects.models import DONORS_GROUP, Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "migration-concept"
MISSION = "Fact-finding mission to Belarus"
AGENDA = "Agenda of the fact-finding mission"


@pytest.fixture
def project(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(
        slug=SLUG,
        title="Concept of the National Migration Policy",
        is_published=True,
        planned_start=datetime.date(2019, 2, 1),
        planned_end=datetime.date(2020, 2, 29),
    )
    ActivityFactory(project=project, title=MISSION, planned_start=datetime.date(2019, 4, 8))
    MembershipFactory(project=project, user=UserFactory(username="maria", password=PASSWORD), role=Role.MANAGER)
    donor = UserFactory(username="dora", password=PASSWORD)
    donor.groups.add(Group.objects.get_or_create(name=DONORS_GROUP)[0])
    stored_document(project, visibility=Visibility.TEAM, title="Internal notes of the team")
    return project


def test_manager_uploads_the_mission_agenda_and_a_donor_finds_it(page, log_in, project, tmp_path, save_screenshot):
    log_in("maria", PASSWORD)
    page.goto(f"/projects/{SLUG}/")
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Activities", exact=True).click()
    page.get_by_role("link", name=MISSION).first.click()
    page.get_by_role("link", name="Documents of this activity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Documents of {MISSION}")
    assert_accessible(page)

    page.get_by_role("link", name="Upload a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload a document")
    assert_accessible(page)
    form = page.locator("main form")
    expect(form.get_by_label("Activity")).to_have_value(re.compile(r"^\d+$"))  # the mission, chosen already
    form.get_by_label("File").set_input_files(
        files=[{"name": "mission-agenda.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    form.get_by_label("Title").fill(AGENDA)
    form.get_by_label("Category (IATI document category)").select_option("A02")
    form.get_by_label("Russian").check()
    form.get_by_label("Date of the document").fill("2019-04-01")
    form.get_by_label("Public once the project is published").check()
    save_screenshot("document-upload")
    form.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(AGENDA)
    expect(page.get_by_role("alert").or_(page.locator(".alert-success"))).to_contain_text("The document was uploaded.")
    expect(page.get_by_role("link", name="mission-agenda.pdf")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=MISSION).click()
    page.get_by_role("link", name="Documents of this activity").click()
    row = page.get_by_role("row").filter(has_text=AGENDA)
    expect(row).to_contain_text("English, Russian")
    save_screenshot("activity-documents")
    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("^Download")).click()
    download = download_info.value
    assert download.suggested_filename == "mission-agenda.pdf"
    assert Path(download.path()).read_bytes() == PDF_BYTES

    page.context.clear_cookies()
    log_in("dora", PASSWORD)
    page.goto(f"/projects/{SLUG}/")
    documents = page.get_by_role("region", name="Documents")
    expect(documents.get_by_role("link", name=AGENDA)).to_be_visible()
    assert_accessible(page)
    save_screenshot("project-page-documents")
    documents.get_by_role("link", name="All documents of the project").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_role("link", name=AGENDA, exact=True)).to_be_visible()
    expect(page.get_by_text("Internal notes of the team")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("row").filter(has_text=AGENDA).get_by_role("link", name=re.compile("^Download")).click()
    assert Path(download_info.value.path()).read_bytes() == PDF_BYTES
    save_path = tmp_path / "agenda.pdf"
    download_info.value.save_as(save_path)
    assert save_path.read_bytes().startswith(b"%PDF-")


def test_a_file_over_the_limit_is_refused_before_sending_and_the_typed_fields_stay(page, log_in, project, settings):
    settings.DOCUMENTS_MAX_FILE_BYTES = 1024
    log_in("maria", PASSWORD)
    page.goto(f"/projects/{SLUG}/documents/upload/")
    form = page.locator("main form")
    form.get_by_label("Title").fill(AGENDA)
    form.get_by_label("Date of the document").fill("2019-04-01")
    big = {"name": "mission-agenda.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES + b" " * 4096}
    form.get_by_label("File").set_input_files(files=[big])
    expect(page.get_by_role("alert")).to_contain_text("the portal accepts at most 1.0")
    form.get_by_role("button", name="Upload").click()
    # Nothing was sent: the page is the same form, with what was typed, and the file field in focus.
    expect(form.get_by_label("Title")).to_have_value(AGENDA)
    expect(form.get_by_label("Date of the document")).to_have_value("2019-04-01")
    expect(form.get_by_label("File")).to_be_focused()
    assert not project.documents.filter(title=AGENDA).exists()
    assert_accessible(page)

    form.get_by_label("File").set_input_files(
        files=[{"name": "mission-agenda.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    expect(page.get_by_role("alert")).to_have_count(0)
    form.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENDA)
