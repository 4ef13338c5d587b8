"""Printing a concept in the browser: a manager asks for the edition's PDF and a redline, the list
of files updates itself (htmx), and the PDF downloads. Celery runs in-process (as with `make run`).
"""

import datetime

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.models import RenderJob
from concepts.rendering.services import render_job_run
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture
def edition(db, settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(title="Migration governance support", is_published=False)
    manager = UserFactory(username="maria", first_name="Maria", password=PASSWORD)
    MembershipFactory(project=project, user=manager, role=Role.MANAGER)
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy")
    section_with_version(concept, title="Purpose and scope", body="The concept sets out the policy.", author=manager)
    section_with_version(concept, title="Legal framework", body="The **Law on Migration**.", position=2)
    return services.edition_create(
        concept=concept, name="Final draft", date=datetime.date(2026, 3, 5), is_final=True, user=manager
    )


def test_a_manager_prints_the_edition_and_a_redline(page, log_in, edition):
    log_in("maria", PASSWORD)
    page.goto(f"/concepts/{edition.concept_id}/editions/{edition.pk}/")
    panel = page.locator("#renders")
    expect(panel.get_by_text("No files yet.")).to_be_visible()
    assert_accessible(page)

    panel.get_by_role("button", name="PDF of this edition").click()
    files = panel.locator(".render-jobs")
    expect(files.get_by_text("Ready", exact=True)).to_be_visible()
    expect(files.get_by_text("The file is ready")).to_be_visible()
    expect(files).not_to_have_attribute("hx-trigger", "every 2s")  # nothing left to wait for: no polling
    with page.expect_download() as download:
        files.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename == "concept-of-the-national-migration-policy-final-draft-en.pdf"

    panel.get_by_label("Changes marked, compared with").select_option("draft")
    panel.get_by_role("button", name="Redline PDF").click()
    expect(files.get_by_text("Final draft compared with the current draft")).to_be_visible()
    expect(files.get_by_text("Ready", exact=True)).to_have_count(2)
    # The same comparison as Word with tracked changes, from the same form.
    panel.get_by_role("button", name="Word with tracked changes").click()
    expect(files.get_by_role("strong").filter(has_text="Changes tracked (Word)")).to_be_visible()
    expect(files.get_by_text("Ready", exact=True)).to_have_count(3)
    with page.expect_download() as download:
        files.get_by_role("link", name="Download").first.click()
    assert download.value.suggested_filename.endswith("-tracked-changes-en.docx")
    assert_accessible(page)


def test_the_list_of_files_updates_itself_while_a_file_is_made(page, log_in, edition):
    job = RenderJob.objects.create(
        concept=edition.concept, edition=edition, kind="pdf", content_hash="e2e".ljust(64, "0"), filename="final.pdf"
    )
    log_in("maria", PASSWORD)
    page.goto(f"/concepts/{edition.concept_id}/editions/{edition.pk}/")
    files = page.locator("#renders .render-jobs")
    expect(files).to_have_attribute("hx-trigger", "every 2s")
    expect(files.get_by_text("Waiting", exact=True)).to_be_visible()
    render_job_run(job_id=job.pk)  # a worker makes the file meanwhile
    expect(files.get_by_text("Ready", exact=True)).to_be_visible()
    expect(files).not_to_have_attribute("hx-trigger", "every 2s")
    assert_accessible(page)
