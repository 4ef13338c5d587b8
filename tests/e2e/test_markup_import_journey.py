"""A drafter imports a Word file that a counterpart marked up (tracked changes and comments) back
into the concept: upload, check the preview, confirm, and find the suggestions on the section page.

The file is the portal's own Word export of an edition, marked up by "Olga Outside" (not a member):
a replacement and a comment, as Word writes them.
"""

import datetime
import io
import re

import docx
import pytest
from docx.oxml import parse_xml
from playwright.sync_api import expect

from concepts import services
from concepts.models import Comment
from concepts.rendering import documents
from concepts.rendering.render import render_docx
from concepts.tests.docx_files import DOCX_TYPE
from concepts.tests.factories import ConceptFactory
from concepts.tests.test_markup_import import _paragraph, _run, _save
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _imports_in_process(eager_celery):
    """The file is read in the request's process (no worker in these tests), also with REDIS_URL."""


@pytest.fixture
def concept(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(slug="migration-policy", title="Support to the national migration policy")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Drafter", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy", language="en")
    services.section_add(concept=concept, title="Background", user=dana, body="The policy supports legal migration.")
    return concept


def marked_up_file(concept) -> bytes:
    edition = services.edition_create(
        concept=concept,
        name="First draft",
        date=datetime.date(2026, 11, 1),
        is_final=False,
        user=concept.project.memberships.first().user,
    )
    word = docx.Document(
        io.BytesIO(render_docx(documents.build_document(concept=concept, kind="docx", edition=edition)))
    )
    paragraph = _paragraph(word, "The policy supports")
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph.add_run("The policy supports ")
    paragraph._p.append(parse_xml(_run("del", "legal", "Olga Outside", 701)))
    paragraph._p.append(parse_xml(_run("ins", "safe and legal", "Olga Outside", 702)))
    paragraph.add_run(" migration.")
    word.add_comment(paragraph.runs[0], text="Which policy is meant?", author="Olga Outside")
    return _save(word)


def test_a_drafter_imports_comments_and_changes_from_word(page, log_in, concept, save_screenshot):
    data = marked_up_file(concept)
    log_in("dana", PASSWORD)
    page.goto(concept.get_absolute_url())
    page.get_by_role("link", name="Import comments and changes from Word").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import comments and changes from Word")
    assert_accessible(page)
    page.get_by_label("Marked-up Word file").set_input_files(
        {"name": "marked-up.docx", "mimeType": DOCX_TYPE, "buffer": data}
    )
    page.get_by_role("button", name="Check the file").click()

    # The preview: the section, the suggestion with its quote and wording, the comment, who wrote them.
    expect(page.get_by_text("File: marked-up.docx")).to_be_visible()
    section = page.get_by_role("region", name="Background")
    expect(section.locator("q")).to_have_text(["legal", "safe and legal", "The policy supports"])
    expect(section).to_contain_text("Replace: legal")
    expect(section).to_contain_text("Which policy is meant?")
    expect(section).to_contain_text("Olga Outside (in Word) → an outside contributor, imported by you")
    assert not Comment.objects.exists()
    assert_accessible(page)
    save_screenshot("markup-import-preview")

    page.get_by_role("button", name="Import 2 suggestions and comments").click()
    expect(page).to_have_url(re.compile(r"/concepts/\d+/$"))
    expect(page.locator(".alert-success")).to_contain_text("2 suggestions and comments were imported from the file.")

    page.goto(concept.sections.get().get_absolute_url())
    expect(page.get_by_text("Suggested by Olga Outside (from Word, imported by Dana Drafter)")).to_be_visible()
    suggestion = page.locator("article.comment", has_text="Suggestion")
    expect(suggestion).to_contain_text("by Olga Outside (from Word, imported by Dana Drafter)")
    expect(suggestion.locator(".suggested-text")).to_have_text("safe and legal")
    expect(page.locator("article.comment", has_text="Which policy is meant?")).to_be_visible()
    assert_accessible(page)
    save_screenshot("markup-imported-suggestions")
