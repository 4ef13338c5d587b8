"""Editing a section in place on a long concept page: the reader scrolls to section 12, edits it
there with the rich editor, saves, and is still at section 12, which shows the new text; the other
sections are as they were."""

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.models import SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
SECTIONS = 20


def body(number: int) -> str:
    words = " ".join(["The provisions of this part are set out at length for the reader."] * 12)
    return f"Section {number} opening paragraph. {words}\n\nSection {number} closing paragraph. {words}"


@pytest.fixture
def long_concept(db):
    project = ProjectFactory(slug="belarus-migration-policy", title="Migration policy in Belarus")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy", created_by=dana)
    sections = [
        section_with_version(concept, title=f"Part {n}", body=body(n), author=dana, position=n)
        for n in range(1, SECTIONS + 1)
    ]
    return concept, sections


def in_viewport(page, selector: str) -> bool:
    return page.evaluate(
        """(selector) => {
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.bottom > 0 && box.top < window.innerHeight;
        }""",
        selector,
    )


def test_a_drafter_edits_section_12_in_place_and_stays_there(page, log_in, long_concept, save_screenshot):
    concept, sections = long_concept
    twelfth = sections[11]
    block = f"#section-{twelfth.pk}"
    log_in("dana", PASSWORD)
    page.goto(concept.get_absolute_url())
    assert_accessible(page)

    page.locator(f"#heading-{twelfth.pk}").scroll_into_view_if_needed()
    page.locator(block).get_by_role("link", name="Edit Part 12").click()
    editor = page.locator(f"{block} .ProseMirror")
    expect(editor).to_be_visible()  # the rich editor was set up on the swapped-in form
    expect(page.locator(f"{block} h2")).to_have_text("Editing 12 “Part 12”")
    assert page.url.endswith(concept.get_absolute_url())  # still the concept page
    expect(page.locator(f"#section-{sections[10].pk}")).to_contain_text("Section 11 opening paragraph.")
    assert page.evaluate("window.scrollY") > 1000
    assert_accessible(page)
    save_screenshot("inplace-editor")

    # Markdown mode, to type plain text.
    page.locator(block).get_by_role("button", name="Markdown", exact=True).click()
    markdown = page.locator(f"{block} textarea[name=body]")
    expect(markdown).to_be_visible()
    markdown.fill(body(12).replace("Section 12 closing paragraph.", "Section 12 closing paragraph, as amended."))
    expect(page.locator(f"{block} [data-draft-status]")).to_contain_text("A draft of your text was kept at")
    page.locator(block).get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(f"{block} .section-body")).to_contain_text("Section 12 closing paragraph, as amended.")
    expect(page.locator(f"{block} form")).to_have_count(0)
    expect(page.locator(f"#heading-{twelfth.pk}")).to_be_focused()
    assert in_viewport(page, block)  # the page did not jump to the top
    assert page.evaluate("window.scrollY") > 1000
    expect(page.locator("#inplace-status")).to_have_text("Saved as version 2.")
    twelfth.refresh_from_db()
    assert twelfth.head.number == 2 and "as amended" in twelfth.head.body
    assert SectionVersion.objects.filter(section__concept=concept).count() == SECTIONS + 1
    for number in (11, 13):
        expect(page.locator(f"#section-{sections[number - 1].pk} .section-body")).to_contain_text(
            f"Section {number} closing paragraph. The provisions"
        )
    assert_accessible(page)

    # Edit again and cancel: the block comes back unchanged, still in place.
    page.locator(block).get_by_role("link", name="Edit Part 12").click()
    expect(page.locator(f"{block} .rich-editor")).to_be_visible()  # in Markdown mode, as chosen before
    expect(page.locator(f"{block} textarea[name=body]")).to_be_visible()
    page.locator(block).get_by_role("link", name="Cancel", exact=True).click()
    expect(page.locator(f"{block} form")).to_have_count(0)
    expect(page.locator(f"{block} .section-body")).to_contain_text("as amended.")
    assert in_viewport(page, block)
    assert SectionVersion.objects.filter(section=twelfth).count() == 2


def test_a_save_that_collides_opens_the_edit_page_with_what_was_typed(page, log_in, long_concept):
    concept, sections = long_concept
    third = sections[2]
    block = f"#section-{third.pk}"
    log_in("dana", PASSWORD)
    page.goto(concept.get_absolute_url())
    page.locator(block).get_by_role("link", name="Edit Part 3").click()
    expect(page.locator(f"{block} .rich-editor")).to_be_visible()

    # Meanwhile someone else saves the same paragraph.
    services.section_save(
        section=third,
        base_number=1,
        title="Part 3",
        body=body(3).replace("Section 3 opening paragraph.", "Section 3 opening, rewritten by a colleague."),
        user=third.head.author,
    )
    page.locator(block).get_by_role("button", name="Markdown", exact=True).click()
    typed = body(3).replace("Section 3 opening paragraph.", "Section 3 opening, as Dana puts it.")
    page.locator(f"{block} textarea[name=body]").fill(typed)
    page.locator(block).get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url(f"**{third.get_absolute_url()}edit/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit “Part 3”")
    expect(page.locator("textarea[name=body]")).to_have_value(typed)  # nothing typed is lost
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Section 3 opening, as Dana puts it.").first).to_be_visible()
    expect(page.get_by_text("Section 3 opening, rewritten by a colleague.").first).to_be_visible()
    assert_accessible(page)


def test_cancelling_with_unsaved_text_asks_first(page, log_in, long_concept):
    concept, sections = long_concept
    block = f"#section-{sections[4].pk}"
    log_in("dana", PASSWORD)
    page.goto(concept.get_absolute_url())
    page.locator(block).get_by_role("link", name="Edit Part 5").click()
    page.locator(block).get_by_role("button", name="Markdown", exact=True).click()
    page.locator(f"{block} textarea[name=body]").fill("Typed but not saved.")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.locator(block).get_by_role("link", name="Cancel", exact=True).click()
    expect(page.locator(f"{block} textarea[name=body]")).to_have_value("Typed but not saved.")
    assert questions == ["You have unsaved changes. Leave this page?"]
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(block).get_by_role("link", name="Cancel", exact=True).click()
    expect(page.locator(f"{block} form")).to_have_count(0)
    expect(page.locator(f"{block} .section-body")).to_contain_text("Section 5 opening paragraph.")
