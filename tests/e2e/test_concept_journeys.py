"""Drafting a policy concept in the browser: editing, concurrent edits, suggestions, dispositions, editions.

A project with a manager (Maria), a drafter (Dana) and a reviewer (Rita), and a concept of three
sections written in Markdown. Where two people work at the same time, each has a browser context
of their own (their own session cookie). Every page visited is checked with axe.
"""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Organisation, Role
from projects.tests.factories import MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 15_000
POLL_MS = 15_000  # the edit page asks who else is editing this often (hx-trigger="every 15s")

CONCEPT = "Concept of the National Migration Policy"
PURPOSE_TITLE = "Purpose and scope"
LEGAL_TITLE = "Legal framework"
INSTITUTIONS_TITLE = "Institutional set-up"

PURPOSE = (
    "This concept sets out how the Republic of Belarus manages migration from 2025 to 2030.\n\n"
    "It covers labour migration, asylum and the integration of foreigners who live in the country.\n\n"
    "A working group of ministries and agencies prepared the text with the support of ICMPD."
)
LEGAL = (
    "The concept rests on the **Law on Migration** and on the international treaties that the country has "
    "ratified, in particular the conventions on refugees, on statelessness and on the rights of migrant "
    "workers and members of their families.\n\n"
    "National legislation on asylum was last amended in 2019. Since then the number of applications has "
    "grown every year, and the procedures have been adapted by instructions of the Ministry of Internal "
    "Affairs rather than by law, which leaves applicants and officials without a clear legal basis for "
    "several decisions taken at the border and in the regions.\n\n"
    "Gaps remain in the rules on the return of migrants in an irregular situation."
)
INSTITUTIONS = (
    "The Ministry of Internal Affairs coordinates the work of the agencies involved:\n\n"
    "- the State Border Committee\n"
    "- the Ministry of Labour and Social Protection\n"
    "- the Ministry of Foreign Affairs"
)

# The sentence that two people change differently at the same time (journey 2b).
COVERS = "It covers labour migration, asylum and the integration of foreigners who live in the country."
DANAS_COVERS = "It covers labour migration, asylum, statelessness and the integration of foreigners."
MARIAS_COVERS = "It covers labour migration, asylum, trafficking in human beings and the integration of foreigners."

MERGED_MESSAGE_TAIL = (
    "saved this section while you were editing. Your changes touched other parts of the text, "
    "so both were kept in version 3."
)


@pytest.fixture
def drafting(db):
    """The project, its three members, and a concept of three sections (version 1 each, by Dana)."""
    project = ProjectFactory(slug="belarus-migration-policy", title="Migration policy in Belarus")
    people = {
        "maria": ("Maria", "Ivanova", Role.MANAGER),
        "dana": ("Dana", "Petrova", Role.DRAFTER),
        "rita": ("Rita", "Novak", Role.REVIEWER),
    }
    users = {}
    for username, (first_name, last_name, role) in people.items():
        users[username] = UserFactory(username=username, first_name=first_name, last_name=last_name, password=PASSWORD)
        MembershipFactory(project=project, user=users[username], role=role)
    concept = ConceptFactory(project=project, title=CONCEPT, created_by=users["maria"])
    purpose = section_with_version(concept, title=PURPOSE_TITLE, body=PURPOSE, author=users["dana"], position=1)
    legal = section_with_version(concept, title=LEGAL_TITLE, body=LEGAL, author=users["dana"], position=2)
    institutions = section_with_version(
        concept, title=INSTITUTIONS_TITLE, body=INSTITUTIONS, author=users["dana"], position=3
    )
    return SimpleNamespace(
        project=project, concept=concept, purpose=purpose, legal=legal, institutions=institutions, **users
    )


@pytest.fixture
def other_browser(browser, live_server):
    """`other_browser()`: a page in a browser context of its own, for a second person at work.

    Set up like the `page` fixture: the live server's base URL, and a failure on CSP violations
    or JavaScript errors.
    """
    contexts, problems = [], []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                problems.append(f"console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("The second browser reported problems:\n" + "\n".join(f"- {p}" for p in problems), False)


def sign_in(page, username: str):
    """Logs in through the real form on `page` (for pages other than the `page` fixture's)."""
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return page


def heading(page):
    return page.get_by_role("heading", level=1)


def success(page):
    return page.locator(".messages .alert-success")


def section_text(page):
    return page.locator("#section-text")


def open_section(page, section, title: str) -> None:
    page.goto(section.get_absolute_url())
    expect(heading(page)).to_have_text(title)
    assert_accessible(page)


def open_editor(page, section, title: str) -> None:
    """From the section's page, the Edit button; ends on the edit page."""
    open_section(page, section, title)
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sections/{section.pk}/edit/$"))
    expect(heading(page)).to_have_text(f"Edit “{title}”")
    assert_accessible(page)


def text_field(page):
    """The Markdown source field. The edit page shows the rich-text editor in its place; these
    journeys type Markdown, so they switch it to the source (tests/e2e/test_editor_journeys.py
    covers the rich-text editor)."""
    source = page.get_by_role("button", name="Markdown", exact=True)
    if source.count() and source.get_attribute("aria-pressed") == "false":
        source.click()
    return page.locator("textarea[name=body]")


def replace_in_field(field, old: str, new: str) -> None:
    """Selects `old` in a text field, as a person would with the mouse, and types `new` over it.

    With `new` empty the selection is deleted. The field's value uses "\\n" line breaks (what the
    browser sends is "\\r\\n").
    """
    value = field.input_value()
    assert value.count(old) == 1, f"{old!r} is not exactly once in the field: {value!r}"
    start = value.index(old)
    field.evaluate("(el, [start, end]) => { el.focus(); el.setSelectionRange(start, end); }", [start, start + len(old)])
    if new:
        field.page.keyboard.type(new)
    else:
        field.press("Delete")


def select_in_section_text(page, passage: str) -> None:
    """Selects `passage` in the section's text and releases the mouse there (what concepts.js listens to)."""
    found = page.evaluate(
        """(passage) => {
            const root = document.getElementById("section-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(passage);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + passage.length);
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true, cancelable: true, view: window}));
                return true;
            }
            return false;
        }""",
        passage,
    )
    assert found, f"{passage!r} is not in one text node of #section-text"


def comment_card(page, comment):
    return page.locator(f"#comment-{comment.pk}")


# --------------------------------------------------------------------------------------------
# 1. Editing a section, its history and the comparison of two versions
# --------------------------------------------------------------------------------------------


def test_a_drafter_edits_a_section_and_compares_the_two_versions(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose, PURPOSE_TITLE)
    expect(page.get_by_text("You are editing from version 1.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value(PURPOSE_TITLE)
    body = text_field(page)
    expect(body).to_have_value(PURPOSE)

    replace_in_field(body, "from 2025 to 2030", "from 2025 to 2035")
    page.get_by_label("Summary of your change").fill("Extended the period to 2035")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    expect(success(page)).to_have_text("Saved as version 2.")
    expect(heading(page)).to_have_text(PURPOSE_TITLE)
    expect(section_text(page)).to_contain_text("manages migration from 2025 to 2035.")
    expect(section_text(page)).not_to_contain_text("2030")
    expect(section_text(page).locator("p")).to_have_count(3)  # the paragraphs survived the browser's CRLFs
    expect(page.get_by_text("Version 2, last changed by Dana Petrova")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="History", exact=True).click()
    expect(heading(page)).to_have_text(f"History of “{PURPOSE_TITLE}”")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("link")).to_have_text("v2")
    expect(rows.nth(0)).to_contain_text("Dana Petrova")
    expect(rows.nth(0)).to_contain_text("Extended the period to 2035")
    expect(rows.nth(1).get_by_role("link")).to_have_text("v1")
    expect(page.get_by_label("Compare from version 1")).to_be_checked()
    expect(page.get_by_label("Compare to version 2")).to_be_checked()
    assert_accessible(page)

    page.get_by_role("button", name="Compare", exact=True).click()
    expect(heading(page)).to_have_text("Changes from version 1 to version 2")
    diff = page.locator("main .diff-inline")
    expect(diff.locator("del")).to_have_text(["2030"])
    expect(diff.locator("ins")).to_have_text(["2035"])
    expect(diff).to_contain_text("manages migration from 2025 to")
    assert_accessible(page)

    page.get_by_role("link", name="Show side by side").click()
    table = page.locator("main table.diff-side")
    expect(table.locator("thead th")).to_have_text(["Version 1", "Version 2"])
    expect(table.locator("tbody td del")).to_have_text(["2030"])
    expect(table.locator("tbody td ins")).to_have_text(["2035"])
    assert_accessible(page)


# --------------------------------------------------------------------------------------------
# 2. Two people editing the same section at the same time
# --------------------------------------------------------------------------------------------


def test_concurrent_edits_of_different_paragraphs_are_both_kept(page, log_in, other_browser, drafting):
    # Maria opens the editor first; her page's clock is Playwright's, so that its poll can be run.
    maria = sign_in(other_browser(), "maria")
    maria.clock.install()
    open_editor(maria, drafting.purpose, PURPOSE_TITLE)
    presence = maria.locator("#presence")
    expect(presence).to_have_text("")

    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose, PURPOSE_TITLE)
    expect(page.locator("#presence")).to_have_text("Maria Ivanova also has this section open for editing.")
    assert_accessible(page)

    # Maria's page learns of Dana at its next poll, without reloading.
    maria.clock.run_for(POLL_MS + 1_000)
    expect(presence).to_have_text("Dana Petrova also has this section open for editing.")
    expect(presence.get_by_role("status")).to_be_visible()
    assert_accessible(maria)

    # Dana changes the first paragraph and saves first; Maria changes the third, from version 1.
    replace_in_field(text_field(page), "from 2025 to 2030", "from 2025 to 2035")
    page.get_by_label("Summary of your change").fill("Extended the period")
    replace_in_field(text_field(maria), "with the support of ICMPD", "with the support of ICMPD and UNHCR")
    maria.get_by_label("Summary of your change").fill("Named UNHCR")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(success(page)).to_have_text("Saved as version 2.")

    maria.get_by_role("button", name="Save", exact=True).click()
    expect(maria).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    merge_message = success(maria)
    expect(merge_message).to_have_text(re.compile(rf"^\S+(?: \S+)? {re.escape(MERGED_MESSAGE_TAIL)}$"))
    merged = section_text(maria)
    expect(merged).to_contain_text("manages migration from 2025 to 2035.")
    expect(merged).to_contain_text("with the support of ICMPD and UNHCR.")
    expect(merged.locator("p")).to_have_count(3)
    expect(maria.get_by_text("Merged with a concurrent change by Dana Petrova.")).to_be_visible()
    assert_accessible(maria)

    # Dana sees the merged text too, and both saves in the history.
    page.get_by_role("link", name="History", exact=True).click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Named UNHCR")
    expect(rows.nth(0).locator("td").nth(4)).to_have_text("Maria Ivanova + Dana Petrova")
    expect(rows.nth(1)).to_contain_text("Extended the period")
    assert_accessible(page)

    # The message names the other editor as every other page does, by full name.
    assert merge_message.inner_text().strip() == f"Dana Petrova {MERGED_MESSAGE_TAIL}"


def test_concurrent_edits_of_the_same_sentence_conflict_and_are_resolved(page, log_in, other_browser, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose, PURPOSE_TITLE)
    maria = sign_in(other_browser(), "maria")
    open_editor(maria, drafting.purpose, PURPOSE_TITLE)

    replace_in_field(text_field(page), COVERS, DANAS_COVERS)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(success(page)).to_have_text("Saved as version 2.")

    replace_in_field(text_field(maria), COVERS, MARIAS_COVERS)
    maria.get_by_label("Summary of your change").fill("Added trafficking in human beings")
    with maria.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/edit/")) as posted:
        maria.get_by_role("button", name="Save", exact=True).click()
    assert posted.value.status == 409
    expect(heading(maria)).to_have_text("Someone else changed the same passage")
    expect(maria.get_by_role("alert")).to_contain_text(
        "While you were editing, Dana Petrova saved version 2 and changed the same part of the text. "
        "Your text has not been saved yet, and nothing you typed is lost"
    )
    assert_accessible(maria)

    # The passage both changed: Maria's wording first, then Dana's, named with the time she saved.
    passage = maria.get_by_role("group", name="Passage 1 of 1")
    expect(passage.locator(".resolver-text").nth(0)).to_contain_text(MARIAS_COVERS)
    expect(passage.locator(".resolver-text").nth(1)).to_contain_text(DANAS_COVERS)
    expect(passage.get_by_role("heading", name=re.compile(r"^Saved by Dana Petrova at \d\d:\d\d$"))).to_be_visible()
    expect(maria.get_by_label("Summary of your change")).to_have_value("Added trafficking in human beings")
    for marker in ("<<<<<<<", "=======", ">>>>>>>"):
        assert marker not in maria.content()

    # And what Maria typed, untouched.
    typed = maria.locator("details").filter(has_text="Your text as you typed it")
    typed.locator("summary").click()
    expect(typed.locator("pre")).to_be_visible()
    expect(typed.locator("pre")).to_contain_text(MARIAS_COVERS)
    expect(typed.locator("pre")).not_to_contain_text("statelessness")
    assert_accessible(maria)

    # Saving without a choice is refused, and says what is missing.
    maria.get_by_role("button", name="Save the result").click()
    expect(maria.get_by_text("Choose what to keep of this passage.")).to_be_visible()
    assert_accessible(maria)

    # Maria keeps her wording; the result shows it before she saves.
    maria.get_by_role("group", name="Passage 1 of 1").get_by_label("Keep mine").check()
    expect(maria.locator("#resolution-preview mark")).to_have_text(MARIAS_COVERS + "\n")
    maria.get_by_role("button", name="Save the result").click()

    expect(maria).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    expect(success(maria)).to_have_text("Saved as version 3.")
    resolved = section_text(maria)
    expect(resolved).to_contain_text(MARIAS_COVERS)
    expect(resolved).not_to_contain_text("statelessness")
    expect(resolved.locator("p")).to_have_count(3)
    assert_accessible(maria)

    maria.get_by_role("link", name="History", exact=True).click()
    rows = maria.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Maria Ivanova")
    expect(rows.nth(0)).to_contain_text("Added trafficking in human beings")
    assert_accessible(maria)


# --------------------------------------------------------------------------------------------
# 3. A reviewer suggests wording for a passage selected in the text
# --------------------------------------------------------------------------------------------

QUOTE = "ministries and agencies prepared the text"
SUGGESTED = "ministries, agencies and civil society organisations drafted the text"


def test_a_reviewer_selects_a_passage_and_suggests_new_wording(page, log_in, drafting):
    log_in("rita", PASSWORD)
    open_section(page, drafting.purpose, PURPOSE_TITLE)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_text("No comments yet.")).to_be_visible()

    quote = page.get_by_label("Quoted passage")
    expect(quote).to_have_value("")
    select_in_section_text(page, QUOTE)
    expect(quote).to_have_value(QUOTE)

    page.locator("#comment-form summary").filter(has_text="Suggest wording").click()  # opens on demand
    page.get_by_label("Suggested wording").select_option(label="Replace the quoted passage")
    page.get_by_label("Suggested text").fill(SUGGESTED)
    page.get_by_label("Comment*", exact=True).fill("Civil society took part in the working group too.")
    page.get_by_role("button", name="Add comment").click()

    expect(page).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/#comment-\d+$"))  # at the new card
    expect(success(page)).to_have_text("Your comment was added.")
    suggestions = page.locator("section[aria-labelledby='suggestions-heading']")
    expect(suggestions.get_by_role("heading", level=2)).to_have_text("Suggested wording")
    expect(suggestions).to_contain_text("Suggested by Rita Novak")
    # In place in the whole text, and on the suggestion's own card.
    for preview in (suggestions.locator(".suggestions-in-place"), suggestions.locator(".card .diff-inline")):
        expect(preview.locator("del").filter(has_text="prepared")).to_have_count(1)
        expect(preview.locator("ins").filter(has_text="civil society organisations drafted")).to_have_count(1)
    expect(suggestions.get_by_role("button", name="Accept and apply")).to_have_count(0)  # a reviewer cannot

    card = page.locator("#margin article.comment")  # beside the passage it quotes
    expect(card).to_have_count(1)
    expect(card.get_by_role("heading")).to_contain_text("Suggestion by Rita Novak")
    expect(card.get_by_role("heading")).to_contain_text("Open")
    expect(card.locator("blockquote.blockquote-quote")).to_have_text(QUOTE)
    expect(card.locator("blockquote.suggested-text")).to_have_text(SUGGESTED)
    expect(card).to_contain_text("Replace the quoted passage:")
    expect(section_text(page)).to_contain_text(QUOTE)  # nothing changes before a drafter accepts it
    assert_accessible(page)


def test_a_passage_selected_across_two_paragraphs_can_be_given_new_wording(page, log_in, drafting):
    log_in("rita", PASSWORD)
    open_section(page, drafting.purpose, PURPOSE_TITLE)
    page.evaluate(
        """() => {
            const paragraphs = document.querySelectorAll("#section-text p");
            // The first piece of text of each (a "Comment on this paragraph" button comes before it).
            const text = (element) => [...element.childNodes].find((node) => node.nodeType === Node.TEXT_NODE);
            const first = text(paragraphs[0]), second = text(paragraphs[1]);
            const range = document.createRange();
            range.setStart(first, first.data.indexOf("from 2025"));
            range.setEnd(second, "It covers".length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
            document.getElementById("section-text").dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }"""
    )
    quote = "from 2025 to 2030.\n\nIt covers"
    assert quote in PURPOSE  # the selection is exactly a passage of the Markdown source
    expect(page.get_by_label("Quoted passage")).to_have_value(quote)
    page.locator("#comment-form summary").filter(has_text="Suggest wording").click()  # opens on demand
    page.get_by_label("Suggested wording").select_option(label="Replace the quoted passage")
    page.get_by_label("Suggested text").fill("from 2025 to 2035.\n\nIt covers")
    page.get_by_label("Comment*", exact=True).fill("A longer period.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    expect(success(page)).to_have_text("Your comment was added.")


# --------------------------------------------------------------------------------------------
# 4. The drafter answers: accepts a suggestion, declines a recommendation
# --------------------------------------------------------------------------------------------


def test_a_drafter_accepts_a_suggestion_and_declines_a_recommendation(page, log_in, drafting):
    unhcr = OrganisationFactory(name="UNHCR Belarus", kind=Organisation.Kind.INTERNATIONAL)
    suggestion = services.comment_add(
        section=drafting.purpose,
        version=drafting.purpose.head,
        author=drafting.rita,
        body="Civil society took part in the working group too.",
        quote=QUOTE,
        suggestion_mode="replace",
        suggested_text=SUGGESTED,
    )
    recommendation = services.comment_add(
        section=drafting.legal,
        version=drafting.legal.head,
        author=drafting.rita,
        body="Describe the readmission agreements in this section.",
        is_recommendation=True,
        source_organisation=unhcr,
    )
    log_in("dana", PASSWORD)
    open_section(page, drafting.purpose, PURPOSE_TITLE)

    # Accepting the suggestion writes version 2 with the new wording.
    suggestions = page.locator("section[aria-labelledby='suggestions-heading']")
    suggestions.get_by_role("button", name="Accept and apply").click()
    expect(page).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/#comment-{suggestion.pk}$"))
    expect(success(page)).to_have_text("The suggestion was applied as version 2.")
    expect(section_text(page)).to_contain_text(SUGGESTED)
    expect(section_text(page)).not_to_contain_text("prepared the text")
    expect(page.locator("section[aria-labelledby='suggestions-heading']")).to_have_count(0)
    card = comment_card(page, suggestion)
    expect(card.get_by_role("heading")).to_contain_text("Incorporated")
    version_link = card.get_by_role("link", name="in version 2")
    expect(version_link).to_have_attribute(
        "href", f"/concepts/{drafting.concept.pk}/sections/{drafting.purpose.pk}/versions/2/"
    )
    assert_accessible(page)

    version_link.click()
    expect(heading(page)).to_have_text(f"{PURPOSE_TITLE} v2")
    expect(page.locator("main .section-body")).to_contain_text(SUGGESTED)
    expect(page.get_by_text("Accepted the suggestion of Rita Novak on “")).to_be_visible()
    assert_accessible(page)

    # Declining the recommendation needs a reason.
    open_section(page, drafting.legal, LEGAL_TITLE)
    card = comment_card(page, recommendation)
    expect(card.get_by_role("heading")).to_contain_text("Recommendation by Rita Novak")
    expect(card).to_contain_text("on behalf of UNHCR Belarus")
    card.get_by_text("Set the disposition").click()
    card.get_by_label("Disposition").select_option(label="Declined")
    card.get_by_role("button", name="Record disposition").click()
    card = comment_card(page, recommendation)
    expect(card.locator(".invalid-feedback")).to_have_text("Give the reason for declining.")
    expect(page).to_have_url(re.compile(f"#comment-{recommendation.pk}$"))  # the page opens at the error
    expect(card.locator(".invalid-feedback")).to_be_in_viewport()
    expect(card.get_by_role("heading")).to_contain_text("Open")
    expect(card.get_by_label("Disposition")).to_have_value("declined")  # what was chosen is kept
    assert_accessible(page)

    reason = "Readmission is the subject of a separate concept."
    card.get_by_label("Disposition").select_option(label="Declined")
    card.get_by_label("Reason (required when declining)").fill(reason)
    card.get_by_role("button", name="Record disposition").click()
    expect(success(page)).to_have_text("The disposition was recorded.")
    card = comment_card(page, recommendation)
    expect(card.get_by_role("heading")).to_contain_text("Declined")
    expect(card).to_contain_text(reason)
    assert_accessible(page)

    # The disposition matrix, from the concept's page.
    page.goto(drafting.concept.get_absolute_url())
    expect(heading(page)).to_have_text(CONCEPT)
    assert_accessible(page)
    page.get_by_role("link", name="Disposition matrix").click()
    expect(page).to_have_url(re.compile(rf"/concepts/{drafting.concept.pk}/dispositions/$"))
    expect(heading(page)).to_have_text("Disposition matrix")
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(2)
    accepted = rows.filter(has_text="Civil society took part")
    expect(accepted.locator("td").nth(0)).to_have_text(f"1 {PURPOSE_TITLE}")
    expect(accepted.locator("td").nth(3)).to_have_text("Incorporated")
    expect(accepted.locator("td").nth(5)).to_have_text("v2")
    declined = rows.filter(has_text="readmission agreements")
    expect(declined.locator("td").nth(0)).to_have_text(f"2 {LEGAL_TITLE}")
    expect(declined.locator("td").nth(1)).to_contain_text("UNHCR Belarus")
    expect(declined.locator("td").nth(2)).to_contain_text("Recommendation:")
    expect(declined.locator("td").nth(3)).to_have_text("Declined")
    expect(declined.locator("td").nth(4)).to_have_text(reason)
    expect(declined.locator("td").nth(5)).to_have_text("—")
    assert_accessible(page)


def test_a_refused_disposition_keeps_what_the_drafter_chose_and_typed(page, log_in, drafting):
    recommendation = services.comment_add(
        section=drafting.legal,
        version=drafting.legal.head,
        author=drafting.rita,
        body="Describe the readmission agreements in this section.",
        is_recommendation=True,
        source_organisation=OrganisationFactory(name="UNHCR Belarus", kind=Organisation.Kind.INTERNATIONAL),
    )
    log_in("dana", PASSWORD)
    open_section(page, drafting.legal, LEGAL_TITLE)
    card = comment_card(page, recommendation)
    card.get_by_text("Set the disposition").click()
    card.get_by_label("Disposition").select_option(label="Incorporated")
    reason = "Added to the second paragraph."
    card.get_by_label("Reason (required when declining)").fill(reason)
    card.get_by_role("button", name="Record disposition").click()  # without choosing the version

    expect(page.get_by_text("Choose the version that incorporates it.")).to_be_visible()
    card = comment_card(page, recommendation)
    expect(card.get_by_label("Disposition")).to_have_value("incorporated")
    expect(card.get_by_label("Reason (required when declining)")).to_have_value(reason)


# --------------------------------------------------------------------------------------------
# 5. Editions: frozen twice, compared
# --------------------------------------------------------------------------------------------


def freeze_edition(page, concept, name: str, *, final: bool = False) -> None:
    """From the concept's page, the "Freeze an edition" form; ends on the new edition's page."""
    page.goto(concept.get_absolute_url())
    expect(heading(page)).to_have_text(CONCEPT)
    page.get_by_role("link", name="Freeze an edition").click()
    expect(heading(page)).to_have_text("Freeze an edition")
    freeze = page.locator("main form")
    expect(freeze.get_by_label("Date")).not_to_have_value("")  # today, already filled in
    assert_accessible(page)
    freeze.get_by_role("textbox", name="Name*", exact=True).fill(name)  # not "Name (Russian)"
    if final:
        freeze.get_by_label("Final edition").check()
    freeze.get_by_role("button", name="Freeze the current text").click()
    expect(page).to_have_url(re.compile(rf"/concepts/{concept.pk}/editions/\d+/$"))
    expect(success(page)).to_have_text(f"The edition “{name}” was frozen.")
    expect(heading(page)).to_have_text(CONCEPT)
    expect(page.locator("main .lead")).to_contain_text(name)
    expect(page.get_by_role("navigation", name="Contents").get_by_role("link")).to_have_text(
        [f"1 {PURPOSE_TITLE}", f"2 {LEGAL_TITLE}", f"3 {INSTITUTIONS_TITLE}"]
    )
    assert_accessible(page)


def test_editions_are_frozen_and_compared(page, log_in, other_browser, drafting):
    log_in("maria", PASSWORD)
    freeze_edition(page, drafting.concept, "First advanced draft")
    expect(page.locator("main")).to_contain_text("last amended in 2019")

    dana = sign_in(other_browser(), "dana")
    open_editor(dana, drafting.legal, LEGAL_TITLE)
    replace_in_field(text_field(dana), "last amended in 2019", "last amended in 2023")
    dana.get_by_role("button", name="Save", exact=True).click()
    expect(success(dana)).to_have_text("Saved as version 2.")

    freeze_edition(page, drafting.concept, "Final draft", final=True)
    expect(page.locator("main")).to_contain_text("last amended in 2023")

    page.goto(drafting.concept.get_absolute_url())
    editions = page.locator("#editions + ul li")
    expect(editions).to_have_count(2)
    expect(editions.nth(0)).to_contain_text("First advanced draft")
    expect(editions.nth(1)).to_contain_text("Final draft")
    expect(editions.nth(1).locator(".badge")).to_have_text("final")
    assert_accessible(page)
    page.get_by_role("link", name="Compare editions").click()

    expect(heading(page)).to_have_text("Compare editions")
    expect(page.get_by_label("From").locator("option:checked")).to_have_text("First advanced draft")
    expect(page.get_by_label("To").locator("option:checked")).to_have_text("Final draft")
    expect(page.locator("main")).to_contain_text(
        "From “First advanced draft” to “Final draft”: 1 changed, 0 added, 0 removed, 2 unchanged."
    )
    changed = page.locator("main section.compare-changed")
    expect(changed).to_have_count(1)
    expect(changed.get_by_role("heading")).to_have_text(f"2 {LEGAL_TITLE} changed")
    diff = changed.locator(".diff-inline")
    expect(diff.locator("del")).to_have_text(["2019"])
    expect(diff.locator("ins")).to_have_text(["2023"])
    expect(diff).to_contain_text("National legislation on asylum was last amended in")
    # Far from the change, the unchanged words of the changed section are folded as well.
    folds = diff.locator(".diff-fold")
    expect(folds).to_have_count(2)
    expect(folds.first).to_have_text(re.compile(r"^… \d+ unchanged words …$"))
    # (the folded words come with the page, hidden, for the fold's button to show: read what is shown)
    expect(diff).not_to_contain_text("The concept rests on", use_inner_text=True)
    expect(diff).not_to_contain_text("Gaps remain", use_inner_text=True)

    unchanged = page.locator("main .compare-unchanged")  # each a run of one section: a line, nothing to unfold
    expect(unchanged).to_have_count(2)
    expect(unchanged).to_have_text([f"1 {PURPOSE_TITLE} — unchanged", f"3 {INSTITUTIONS_TITLE} — unchanged"])
    expect(page.locator("main")).not_to_contain_text("It covers labour migration")
    assert_accessible(page)


# --------------------------------------------------------------------------------------------
# 6. Refusals
# --------------------------------------------------------------------------------------------


def test_a_reviewer_may_not_open_the_editor(page, log_in, drafting):
    log_in("rita", PASSWORD)
    open_section(page, drafting.purpose, PURPOSE_TITLE)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    response = page.goto(f"{drafting.purpose.get_absolute_url()}edit/")
    assert response.status == 403
    expect(heading(page)).to_have_text("Not allowed")
    expect(page.get_by_text("Your role does not allow this action. Nothing was changed.")).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    assert_accessible(page)


# 8. A manager moves a section into another one, with the keyboard only


def test_a_manager_moves_a_section_under_another_with_the_keyboard(page, log_in, drafting):
    log_in("maria", PASSWORD)
    page.goto(drafting.concept.get_absolute_url())
    move = page.get_by_role("link", name=f"Move to… {INSTITUTIONS_TITLE}")
    move.focus()
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text(f"Move “3 {INSTITUTIONS_TITLE}”")
    assert_accessible(page)
    place = page.get_by_label("New place")
    place.focus()
    expect(place.locator("optgroup")).to_have_count(3)  # the top level, and under each of the two other sections
    place.select_option(f"{drafting.legal.pk}:0")  # first under the legal framework
    page.get_by_role("button", name="Move section").press("Enter")
    expect(success(page)).to_have_text(f"“{INSTITUTIONS_TITLE}” is now section 2.1.")
    expect(page.locator(f"#heading-{drafting.institutions.pk}")).to_have_text(f"2.1 {INSTITUTIONS_TITLE}")
    assert_accessible(page)


# 9. A manager moves a section up with its arrow button: the buttons of every section share one
#    form (and its CSRF token) of the page, so that each section's block can be kept in the cache.


def test_a_manager_moves_a_section_up_with_its_arrow_button(page, log_in, drafting):
    log_in("maria", PASSWORD)
    page.goto(drafting.concept.get_absolute_url())
    page.get_by_role("button", name=f"Move “{LEGAL_TITLE}” up").press("Enter")
    expect(page.locator(f"#heading-{drafting.legal.pk}")).to_have_text(f"1 {LEGAL_TITLE}")
    expect(page.locator(f"#heading-{drafting.purpose.pk}")).to_have_text(f"2 {PURPOSE_TITLE}")
    page.get_by_role("button", name=f"Move “{LEGAL_TITLE}” down").click()
    expect(page.locator(f"#heading-{drafting.legal.pk}")).to_have_text(f"2 {LEGAL_TITLE}")
    assert_accessible(page)
