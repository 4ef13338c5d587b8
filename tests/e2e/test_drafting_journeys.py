"""The drafting workspace as an official uses it: conflicts settled in plain words, suggestions that keep
the reviewer's words, deliberate actions confirmed, and a long concept read with its contents beside it.

The people and the concept are those of test_concept_journeys (Maria manages, Dana drafts, Rita reviews).
Every page visited is checked with axe.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from concepts import services
from tests.e2e import test_concept_journeys as journeys
from tests.e2e.axe import assert_accessible
from tests.e2e.test_concept_journeys import (
    COVERS,
    DANAS_COVERS,
    MARIAS_COVERS,
    PASSWORD,
    PURPOSE,
    PURPOSE_TITLE,
    heading,
    open_editor,
    replace_in_field,
    section_text,
    sign_in,
    success,
    text_field,
)

pytestmark = pytest.mark.e2e

# The people, the concept and the second browser of the concept journeys.
drafting = journeys.drafting
other_browser = journeys.other_browser

DANAS_YEARS = "from 2025 to 2035"
MARIAS_SUPPORT = "with the support of ICMPD and UNHCR"


def shoot(page, name: str, full_page: bool = True) -> None:
    """A screenshot of any page in $E2E_SCREENSHOT_DIR (if set), to look at."""
    directory = os.environ.get("E2E_SCREENSHOT_DIR")
    if directory:
        page.screenshot(path=str(Path(directory) / f"e2e-{name}.png"), full_page=full_page)


def tab_to(page, accepts, limit=80):
    """Presses Tab until the focused element satisfies `accepts` (a JS predicate on it); keyboard only."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!el && ({accepts}); }})()"):
            return
    pytest.fail(f"Tab never reached an element where {accepts}")


def test_two_people_collide_and_the_second_keeps_both_wordings_by_keyboard(page, log_in, other_browser, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose, PURPOSE_TITLE)
    maria = sign_in(other_browser(), "maria")
    open_editor(maria, drafting.purpose, PURPOSE_TITLE)

    # Dana changes the first paragraph and the second; Maria the second too, and the third.
    replace_in_field(text_field(page), "from 2025 to 2030", DANAS_YEARS)
    replace_in_field(text_field(page), COVERS, DANAS_COVERS)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success(page)).to_have_text("Saved as version 2.")

    replace_in_field(text_field(maria), COVERS, MARIAS_COVERS)
    replace_in_field(text_field(maria), "with the support of ICMPD", MARIAS_SUPPORT)
    with maria.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/edit/")) as posted:
        maria.get_by_role("button", name="Save", exact=True).click()
    assert posted.value.status == 409
    expect(heading(maria)).to_have_text("Someone else changed the same passage")
    assert_accessible(maria)
    for marker in ("<<<<<<<", "=======", ">>>>>>>"):
        assert marker not in maria.content()

    # The paragraphs only one of them changed are combined already, and shown as such.
    combined = maria.get_by_role("region", name="Already combined")
    expect(combined).to_contain_text("Your other changes")
    expect(combined.locator("ins")).to_contain_text(["and UNHCR", "2035"])
    expect(combined).to_contain_text("Changes saved by Dana Petrova")
    # Only the second paragraph collided: Maria's wording first.
    expect(maria.locator("fieldset.resolver-passage")).to_have_count(1)
    passage = maria.get_by_role("group", name="Passage 1 of 1")
    expect(passage.locator(".resolver-text").nth(0)).to_have_text(MARIAS_COVERS + "\n")
    expect(passage.locator(".resolver-text").nth(1)).to_have_text(DANAS_COVERS + "\n")
    expect(maria.locator("#resolution-preview .resolution-pending")).to_have_text("[Passage 1: choose what to keep]")

    # Keyboard only: Tab to the choices, arrows to "Keep both"; the result shows both wordings.
    tab_to(maria, "el.name === 'choice_0'")
    maria.keyboard.press("Space")
    expect(passage.get_by_label("Keep mine")).to_be_checked()
    maria.keyboard.press("ArrowRight")
    maria.keyboard.press("ArrowRight")
    expect(passage.get_by_label("Keep both")).to_be_checked()
    expect(maria.get_by_role("status")).to_have_text("Passage 1: Keep both")
    expect(maria.locator("#resolution-preview mark")).to_have_text(f"{MARIAS_COVERS}\n\n{DANAS_COVERS}\n")
    expect(passage.get_by_label(re.compile("Your wording of this passage"))).to_be_hidden()
    assert_accessible(maria)
    shoot(maria, "conflict-resolver")

    tab_to(maria, "el.textContent.trim() === 'Save the result'")
    maria.keyboard.press("Enter")
    expect(maria).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    expect(success(maria)).to_have_text("Saved as version 3.")
    saved = section_text(maria)
    expect(saved.locator("p")).to_have_count(4)
    expect(saved.locator("p").nth(0)).to_contain_text(DANAS_YEARS)
    expect(saved.locator("p").nth(1)).to_have_text(MARIAS_COVERS)
    expect(saved.locator("p").nth(2)).to_have_text(DANAS_COVERS)
    expect(saved.locator("p").nth(3)).to_contain_text(MARIAS_SUPPORT)
    drafting.purpose.refresh_from_db()
    assert drafting.purpose.head.based_on.number == 2


def test_the_conflict_page_at_phone_width_and_without_javascript(browser, live_server, drafting):
    """390 px wide, no JavaScript: every choice works by posting, "Show the result" previews."""
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    try:
        phone = context.new_page()
        phone.set_default_timeout(15_000)
        phone.goto("/accounts/login/")  # by hand: axe needs JavaScript, which this context has not
        phone.locator('input[name="username"]').fill("maria")
        phone.locator('input[name="password"]').fill(PASSWORD)
        phone.get_by_role("button", name="Log in", exact=True).click()
        expect(phone).not_to_have_url(re.compile(r"/accounts/login/"))
        phone.goto(f"{drafting.purpose.get_absolute_url()}edit/")
        expect(heading(phone)).to_have_text(f"Edit “{PURPOSE_TITLE}”")
        # Dana saves while Maria has the editor open (the page has loaded: the live server is idle).
        services.section_save(
            section=drafting.purpose,
            base_number=1,
            title=PURPOSE_TITLE,
            body=PURPOSE.replace(COVERS, DANAS_COVERS),
            user=drafting.dana,
        )
        text_field(phone).fill(PURPOSE.replace(COVERS, MARIAS_COVERS))
        phone.get_by_role("button", name="Save", exact=True).click()
        expect(heading(phone)).to_have_text("Someone else changed the same passage")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"
        passage = phone.get_by_role("group", name="Passage 1 of 1")
        passage.get_by_label("Edit", exact=True).check()
        edited = passage.get_by_label(re.compile("Your wording of this passage"))
        expect(edited).to_have_value(f"{MARIAS_COVERS}\n\n{DANAS_COVERS}")  # starts from both: nothing lost
        edited.fill("It covers labour migration, asylum, statelessness and trafficking in human beings.")
        phone.get_by_role("button", name="Show the result").click()
        expect(phone.locator("#resolution-preview mark")).to_have_text(
            "It covers labour migration, asylum, statelessness and trafficking in human beings.\n"
        )
        shoot(phone, "conflict-phone-no-js")
        phone.get_by_role("button", name="Save the result").click()
        expect(success(phone)).to_have_text("Saved as version 3.")
        expect(section_text(phone)).to_contain_text("asylum, statelessness and trafficking in human beings.")
    finally:
        context.close()


def test_an_accepted_insertion_reads_with_the_exact_words(page, log_in, drafting):
    services.comment_add(
        section=drafting.purpose,
        version=drafting.purpose.head,
        author=drafting.rita,
        body="Name the partner.",
        quote="with the support of ICMPD",
        suggestion_mode="insert_after",
        suggested_text="and of the European Union",
        notify=False,
    )
    log_in("dana", PASSWORD)
    page.goto(drafting.purpose.get_absolute_url())
    expect(page.locator(".suggestions-in-place ins")).to_have_text(" and of the European Union")
    assert_accessible(page)
    page.get_by_role("button", name="Accept and apply").click()
    expect(success(page)).to_have_text("The suggestion was applied as version 2.")
    expect(section_text(page)).to_contain_text("with the support of ICMPD and of the European Union.")


def test_removing_a_section_is_confirmed_and_a_manager_restores_it(page, log_in, drafting):
    log_in("maria", PASSWORD)
    page.goto(drafting.institutions.get_absolute_url())
    page.get_by_role("link", name="Remove section…").click()
    expect(heading(page)).to_have_text("Remove “Institutional set-up”?")
    expect(page.get_by_role("note")).to_contain_text("a manager can restore it from the concept's page")
    assert_accessible(page)
    page.get_by_role("button", name="Remove section").click()
    expect(success(page)).to_contain_text("it can be restored from the concept's page")
    removed = page.get_by_role("region", name="Removed sections")
    expect(removed.get_by_role("link", name="Institutional set-up")).to_be_visible()
    expect(page.locator("#concept-contents")).not_to_contain_text("Institutional set-up")
    assert_accessible(page)
    removed.get_by_role("button", name="Restore Institutional set-up").click()
    expect(success(page)).to_have_text("“Institutional set-up” is back in the outline.")
    expect(page.locator("#concept-contents")).to_contain_text("3 Institutional set-up")
    expect(page.get_by_role("region", name="Removed sections")).to_have_count(0)


def test_marking_final_is_confirmed_with_its_consequence(page, log_in, drafting):
    drafting.concept.status = "consultation"
    drafting.concept.save()
    log_in("maria", PASSWORD)
    page.goto(drafting.concept.get_absolute_url())
    page.get_by_role("link", name="Mark as final…").click()
    expect(heading(page)).to_have_text(f"Mark “{drafting.concept.title}” as final?")
    expect(page.get_by_role("note")).to_contain_text("The consultation stage ends")
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    drafting.concept.refresh_from_db()
    assert drafting.concept.status == "consultation"
    page.get_by_role("link", name="Mark as final…").click()
    page.get_by_role("button", name="Mark as final").click()
    expect(success(page)).to_have_text("The concept is now: Final.")


@pytest.fixture
def long_concept(drafting):
    """Forty-eight more sections (twelve chapters of three parts, numbered 4 to 15.3), a few paragraphs each."""
    from concepts.tests.factories import section_with_version

    body = "\n\n".join(["The working group reviewed the provisions of this part and agreed on their wording. " * 4] * 3)
    sections = []
    for number in range(1, 13):
        top = section_with_version(
            drafting.concept, title=f"Chapter {number}", body=body, author=drafting.dana, position=10 + number
        )
        sections.append(top)
        for sub in range(1, 4):
            sections.append(
                section_with_version(
                    drafting.concept,
                    title=f"Part {number}.{sub}",
                    body=body,
                    parent=top,
                    author=drafting.dana,
                    position=sub,
                )
            )
    return sections


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, {"width": 390, "height": 844}])
def test_a_long_concept_is_read_with_its_contents_beside_it(browser, live_server, drafting, long_concept, viewport):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport=viewport)
    context.set_default_timeout(15_000)
    try:
        reader = sign_in(context.new_page(), "rita")
        reader.goto(drafting.concept.get_absolute_url())
        assert reader.locator("section.concept-section").count() == 51
        contents = reader.locator("#concept-contents")
        target = long_concept[30]
        if viewport["width"] < 992:
            expect(reader.locator("#contents")).not_to_have_attribute("open", "")  # folded on a phone
            assert reader.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            assert_accessible(reader)
            reader.locator("#contents > summary").click()
        expect(contents.get_by_role("link", name=re.compile(r"^11\.2 Part 8\.2$"))).to_be_visible()
        assert_accessible(reader)
        contents.get_by_role("link", name=re.compile(r"^11\.2 Part 8\.2$")).click()
        expect(reader).to_have_url(re.compile(rf"#section-{target.pk}$"))
        current = contents.locator('a[aria-current="location"]')
        expect(current).to_have_text(re.compile(r"^11\.2 Part 8\.2$"))
        expect(contents).to_be_in_viewport()  # the contents stay in view at the place read
        if viewport["width"] < 992:  # folded again after the jump, its summary names the section
            expect(reader.locator("#contents-current")).to_have_text(" · 11.2 Part 8.2")
        else:
            expect(current).to_be_in_viewport()  # and the pane shows where
        shoot(reader, f"long-concept-{viewport['width']}", full_page=False)
        reader.evaluate("window.scrollBy(0, 2500)")
        expect(current).not_to_have_text(re.compile(r"^11\.2 Part 8\.2$"))
        # A section page leads on to the next and back to the contents.
        reader.goto(target.get_absolute_url())
        pager = reader.get_by_role("navigation", name="Previous and next section")
        expect(pager.get_by_role("link", name=re.compile("Next section: 11.3 Part 8.3"))).to_be_visible()
        assert_accessible(reader)
        reader.get_by_role("link", name="Back to contents").click()
        expect(reader).to_have_url(re.compile(rf"/concepts/{drafting.concept.pk}/#section-{target.pk}$"))
    finally:
        context.close()
