"""A drafter starts a concept from a Word document (upload, check the preview, confirm), then adds a
section under the first one from a Markdown file.

The .docx is built with python-docx: headings at two levels, a picture and a tracked change, so
the preview has something to report before anything is saved.
"""

import re

import docx
import pytest
from playwright.sync_api import expect

from concepts.models import Concept
from concepts.tests.docx_files import DOCX_TYPE, add_tracked_change, save, tiny_png_file
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SLUG = "migration-policy"
TITLE = "Concept of the National Migration Policy"


@pytest.fixture(autouse=True)
def _imports_in_process(eager_celery):
    """The import's parse runs in the request's process (no worker in these tests), also with REDIS_URL."""


@pytest.fixture
def project(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(slug=SLUG, title="Support to the national migration policy")
    MembershipFactory(project=project, user=UserFactory(username="dana", password=PASSWORD), role=Role.DRAFTER)
    return project


def word_file() -> bytes:
    document = docx.Document()
    document.add_heading(TITLE, level=0)
    document.add_heading("General provisions", level=1)
    paragraph = document.add_paragraph("The concept sets out the ")
    paragraph.add_run("principles").bold = True
    paragraph.add_run(" of the policy.")
    document.add_heading("Scope", level=2)
    paragraph = document.add_paragraph("It covers ")
    add_tracked_change(paragraph, "legal and irregular", "legal")
    paragraph.add_run(" migration.")
    document.add_picture(tiny_png_file())
    document.add_heading("Implementation", level=1)
    document.add_paragraph("The ministry implements it.")
    return save(document)


def test_a_drafter_imports_a_word_document_into_a_new_concept(page, log_in, project, save_screenshot):
    log_in("dana", PASSWORD)
    page.goto(f"/projects/{SLUG}/")
    page.get_by_role("navigation", name="Project sections").get_by_role("link", name="Concepts", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Policy concepts")
    assert_accessible(page)

    page.get_by_role("link", name="Start a concept from a Word or Markdown file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a concept from a file")
    assert_accessible(page)
    page.get_by_label("Word or Markdown file").set_input_files(
        {"name": "migration-concept.docx", "mimeType": DOCX_TYPE, "buffer": word_file()}
    )
    page.get_by_role("button", name="Check the file").click()

    # The preview: the sections with their numbers and levels, what is left out, and nothing saved yet.
    expect(page.get_by_text("File: migration-concept.docx")).to_be_visible()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("General provisions")
    expect(rows.nth(1).locator("td").first).to_have_text("1.1")
    expect(rows.nth(1)).to_contain_text("Scope")
    expect(rows.nth(2).locator("td").first).to_have_text("2")
    notes = page.get_by_role("region", name="What happens to the content of this file")
    expect(notes).to_contain_text("1 picture or drawing is left out")
    expect(notes).to_contain_text("inserted text is kept and deleted text is left out")
    expect(page.get_by_role("textbox", name="Title*", exact=True)).to_have_value(TITLE)  # not "Title (Russian)"
    assert Concept.objects.count() == 0
    assert_accessible(page)
    save_screenshot("concept-import-preview")

    page.get_by_role("button", name="Create the concept with 3 sections").click()
    expect(page).to_have_url(re.compile(r"/concepts/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("The concept was created with 3 sections from the file.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    outline = page.get_by_role("navigation", name="Contents")
    expect(outline.get_by_role("link")).to_have_text(["1 General provisions", "1.1 Scope", "2 Implementation"])
    expect(page.get_by_role("heading", name="1.1 Scope", exact=True)).to_be_visible()
    expect(page.locator(".section-body strong")).to_have_text("principles")
    expect(page.get_by_text("It covers legal and irregular migration.")).to_be_visible()
    assert_accessible(page)
    save_screenshot("concept-imported")

    # More sections, from a Markdown file, under the first section.
    page.get_by_role("link", name="Add sections from a file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add sections from a file")
    assert_accessible(page)
    page.get_by_label("Place the sections").select_option(label="Under 1 General provisions")
    page.get_by_label("Word or Markdown file").set_input_files(
        {"name": "annex.md", "mimeType": "text/markdown", "buffer": b"# Definitions\n\n- *Migrant*: a person.\n"}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("main table tbody tr td").first).to_have_text("1.2")
    expect(page.get_by_text("The sections will be added under 1 General provisions.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add 1 section").click()
    expect(page.locator(".alert-success")).to_contain_text("1 section was added from the file.")
    expect(outline.get_by_role("link")).to_have_text(
        ["1 General provisions", "1.1 Scope", "1.2 Definitions", "2 Implementation"]
    )
    assert_accessible(page)
