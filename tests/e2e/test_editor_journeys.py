"""The section editor in the browser: formatting with the toolbar, pasting from Word, the round trip
of every construct the portal renders, and nothing typed ever lost (drafts kept on the server and
in the browser, a warning before leaving, Ctrl+S).

A project with a drafter (Dana) and a concept whose sections are written in Markdown. The editor is
Tiptap bundled into static/vendor/editor/; the form still posts Markdown in the `body` field, so
what is checked at the end of each journey is the stored Markdown and the page it renders.
"""

import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from common.markdown import render_markdown
from concepts.models import SectionDraft, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
TITLE = "Purpose and scope"
BODY = (
    "This concept sets out how the Republic of Belarus manages migration from 2025 to 2030.\n\n"
    "It covers labour migration, asylum and the integration of foreigners."
)

# Every construct the portal's renderer shows, written as the editor writes it: opened in the
# editor and serialised again, each must come back character for character.
CORPUS = (
    "A paragraph with **bold**, *italic*, ~~struck~~ and `code` words, and a "
    "[link to the law](https://pravo.by/document/?guid=3871&p0=H11000170).\n\n"
    "### A sub-heading\n\n"
    "#### A smaller one\n\n"
    "- a bulleted item\n"
    "- another, with a nested list:\n"
    "  - nested once\n"
    "    - nested twice\n"
    "- back at the first level\n\n"
    "1. a numbered item\n"
    "2. another\n"
    "   1. nested numbered\n"
    "   2. again\n"
    "3. the last\n\n"
    "> A quotation from the Law on Migration.\n>\n> Its second paragraph.\n\n"
    "| Agency | Role |\n"
    "| --- | --- |\n"
    "| State Border Committee | border checks |\n"
    "| Ministry of **Labour** | work permits |\n\n"
    "---\n\n"
    "A line ending with a break\\\nand the line after it.\n\n"
    "```\ncode block, kept as typed\n```\n\n"
    "Special characters stay text: 3 \\* 4, a_b, \\[not a link\\] and 1. in a sentence.\n\n"
    "A sentence with a footnote[^1] and a named one[^source], the first referred to again[^1], "
    "and an inline one^[Written where it is *referred to*.].\n\n"
    "<script>alert(1)</script> is text, not a tag.\n\n"
    "[^1]: The first note.\n\n"
    "[^source]: A note with a name and **bold** words.\n\n"
    "    Its second paragraph."
)


@pytest.fixture
def drafting(db):
    project = ProjectFactory(slug="belarus-migration-policy", title="Migration policy in Belarus")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    concept = ConceptFactory(project=project, title="Concept of the National Migration Policy", created_by=dana)
    purpose = section_with_version(concept, title=TITLE, body=BODY, author=dana, position=1)
    corpus = section_with_version(concept, title="Every construct", body=CORPUS, author=dana, position=2)
    return SimpleNamespace(project=project, dana=dana, concept=concept, purpose=purpose, corpus=corpus)


def edit_url(section) -> str:
    return f"{section.get_absolute_url()}edit/"


def surface(page):
    """The rich-text editor (the textarea it replaces is hidden)."""
    return page.get_by_role("textbox", name="Text", exact=True).and_(page.locator(".ProseMirror"))


def markdown_field(page):
    return page.locator("textarea[name=body]")


def toolbar_button(page, name: str):
    return page.get_by_role("toolbar", name="Formatting").get_by_role("button", name=name, exact=True)


def open_editor(page, section):
    page.goto(edit_url(section))
    expect(surface(page)).to_be_visible()
    assert_accessible(page)


def stored(section) -> SectionVersion:
    section.refresh_from_db()
    return section.head


def put_caret_at_end(page):
    surface(page).click()
    page.keyboard.press("Control+End")


# --------------------------------------------------------------------------------------------
# Formatting with the toolbar
# --------------------------------------------------------------------------------------------


def test_a_drafter_formats_text_with_the_toolbar_and_the_stored_markdown_renders_it(
    page, log_in, drafting, save_screenshot
):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    expect(markdown_field(page)).to_be_hidden()

    # Bold: select a word by keyboard and press the toolbar's button.
    put_caret_at_end(page)
    page.keyboard.press("Enter")
    page.keyboard.type("Priorities")
    expect(surface(page)).to_contain_text("Priorities")  # typed before it is selected (slow under load)
    page.keyboard.press("Shift+Home")
    toolbar_button(page, "Bold").click()
    expect(toolbar_button(page, "Bold")).to_have_attribute("aria-pressed", "true")
    expect(surface(page).locator("strong")).to_have_text("Priorities")
    page.keyboard.press("End")
    toolbar_button(page, "Bold").click()
    page.keyboard.type(" for the years ahead:")

    # A bulleted list with a nested item.
    page.keyboard.press("Enter")
    toolbar_button(page, "Bulleted list").click()
    page.keyboard.type("labour migration")
    page.keyboard.press("Enter")
    toolbar_button(page, "Indent list item").click()
    page.keyboard.type("seasonal work")
    page.keyboard.press("Enter")
    toolbar_button(page, "Outdent list item").click()
    page.keyboard.type("asylum")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list

    # A table: the header row, then the cells, moving with Tab.
    toolbar_button(page, "Insert a table").click()
    for cell in ["Agency", "Role", "", "Border Committee", "borders", "", "Ministry of Labour", "permits"]:
        if cell:
            page.keyboard.type(cell)
        page.keyboard.press("Tab")
    toolbar_button(page, "Delete this column").click()  # the caret is in the third column, left empty
    expect(surface(page).locator("table tr")).to_have_count(3)
    expect(surface(page).locator("table th")).to_have_count(2)

    save_screenshot("editor-formatted")
    markdown = markdown_field(page).input_value()
    assert "**Priorities** for the years ahead:" in markdown
    assert "- labour migration\n  - seasonal work\n- asylum" in markdown
    assert (
        "| Agency | Role |\n| --- | --- |\n| Border Committee | borders |\n| Ministry of Labour | permits |" in markdown
    )
    assert_accessible(page)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    version = stored(drafting.purpose)
    assert version.number == 2
    assert version.body == markdown.replace("\r\n", "\n")
    assert version.body.startswith(BODY + "\n\n**Priorities** for the years ahead:\n\n- labour migration\n")

    # What the reader sees is what the editor showed: bold, a nested list, a table.
    page.reload()
    text = page.locator("#section-text")
    expect(text.locator("strong")).to_have_text("Priorities")
    expect(text.locator("ul > li > ul > li")).to_have_text("seasonal work")
    expect(text.locator("table thead th").first).to_have_text("Agency")
    expect(text.locator("table tbody tr")).to_have_count(2)
    assert_accessible(page)
    assert not SectionDraft.objects.filter(section=drafting.purpose).exists()  # saved: no draft left


# --------------------------------------------------------------------------------------------
# The round trip: opened and saved unchanged, nothing new is recorded
# --------------------------------------------------------------------------------------------


def test_every_construct_the_portal_renders_comes_back_from_the_editor_unchanged(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.corpus)
    shown = surface(page)
    expect(shown.locator("h3")).to_have_text("A sub-heading")
    expect(shown.locator("ul ul ul li")).to_have_text("nested twice")
    expect(shown.locator("ol ol li")).to_have_text(["nested numbered", "again"])
    expect(shown.locator("blockquote p")).to_have_count(2)
    expect(shown.locator("table tr")).to_have_count(3)
    expect(shown.locator("a")).to_have_attribute("href", "https://pravo.by/document/?guid=3871&p0=H11000170")
    expect(shown).to_contain_text("<script>alert(1)</script> is text, not a tag.")
    expect(shown.locator("sup.footnote-ref")).to_have_text(
        ["[1]", "[source]", "[1]", "[Written where it is *referred to*.]"]
    )
    expect(shown.locator(".footnote-definition")).to_have_count(2)
    expect(shown.locator(".footnote-definition").nth(1).locator("p")).to_have_text(
        ["A note with a name and bold words.", "Its second paragraph."]
    )

    # The editor's own Markdown for what it shows is the stored text, character for character.
    serialised = page.evaluate("document.querySelector('.rich-editor').editor.storage.markdown.getMarkdown()")
    assert serialised == CORPUS
    page.get_by_role("button", name="Markdown", exact=True).click()
    expect(markdown_field(page)).to_be_visible()
    assert markdown_field(page).input_value() == CORPUS

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-info")).to_have_text("Nothing was changed, so no new version was saved.")
    assert drafting.corpus.versions.count() == 1
    assert stored(drafting.corpus).body == CORPUS


def test_a_footnote_inserted_with_the_toolbar_is_saved_as_markdown_and_rendered(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    surface(page).get_by_text("from 2025 to 2030").click()
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")  # before the full stop
    toolbar_button(page, "Footnote").click()
    page.keyboard.type("As approved by the Council of Ministers.")
    expect(surface(page).locator("sup.footnote-ref")).to_have_text("[1]")
    expect(surface(page).locator(".footnote-definition")).to_have_text("As approved by the Council of Ministers.")
    expect(toolbar_button(page, "Footnote")).to_be_disabled()  # no footnote inside a note

    # A second one, numbered after the first, in the next paragraph.
    surface(page).get_by_text("integration of foreigners").click()
    page.keyboard.press("End")
    toolbar_button(page, "Footnote").click()
    page.keyboard.type("Including stateless persons.")
    assert_accessible(page)
    expected = (
        "This concept sets out how the Republic of Belarus manages migration from 2025 to 2030[^1].\n\n"
        "It covers labour migration, asylum and the integration of foreigners.[^2]\n\n"
        "[^1]: As approved by the Council of Ministers.\n\n"
        "[^2]: Including stateless persons."
    )
    assert markdown_field(page).input_value().replace("\r\n", "\n") == expected

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    assert stored(drafting.purpose).body == expected
    text = page.locator("#section-text")
    expect(text.locator("sup.footnote-ref")).to_have_text(["[1]", "[2]"])
    expect(text.locator("section.footnotes li")).to_have_text(
        [re.compile("As approved by the Council of Ministers"), re.compile("Including stateless persons")]
    )
    assert_accessible(page)

    # Opened again, the editor shows both and posts the text unchanged.
    open_editor(page, drafting.purpose)
    expect(surface(page).locator(".footnote-definition")).to_have_count(2)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-info")).to_have_text("Nothing was changed, so no new version was saved.")


WORD_FOOTNOTES = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><body>
<p class=MsoNormal>Free legal aid is guaranteed<a style='mso-footnote-id:ftn1' href="#_ftn1" name="_ftnref1"
title=""><span class=MsoFootnoteReference><span style='mso-special-character:footnote'>
<![if !supportFootnotes]>[1]<![endif]></span></span></a>
to every applicant.</p>
<div style='mso-element:footnote-list'><![if !supportFootnotes]><br clear=all>
<hr align=left size=1 width="33%"><![endif]>
<div style='mso-element:footnote' id=ftn1>
<p class=MsoFootnoteText><a style='mso-footnote-id:ftn1' href="#_ftnref1" name="_ftn1" title=""><span
class=MsoFootnoteReference><![if !supportFootnotes]>[1]<![endif]></span></a> Law No. 354-Z of 2010.</p>
</div></div></body></html>"""


def test_word_footnotes_are_pasted_as_footnotes_numbered_after_those_the_text_has(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    put_caret_at_end(page)
    toolbar_button(page, "Footnote").click()
    page.keyboard.type("An existing note.")
    surface(page).get_by_text("integration of foreigners").click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    paste_html(page, WORD_FOOTNOTES)
    expect(surface(page).locator("sup.footnote-ref")).to_have_text(["[1]", "[2]"])
    markdown = markdown_field(page).input_value().replace("\r\n", "\n")
    assert "Free legal aid is guaranteed[^2] to every applicant." in markdown
    assert "[^2]: Law No. 354-Z of 2010." in markdown
    assert "[^1]: An existing note." in markdown
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    expect(page.locator("#section-text section.footnotes li")).to_have_text(
        [re.compile("An existing note"), re.compile("Law No. 354-Z of 2010")]
    )


def test_markdown_written_another_way_renders_the_same_once_the_editor_rewrites_it(page, log_in, drafting):
    """Markdown the editor would write differently (other list markers, underscores, a closing #)
    is kept as it is while unchanged; once edited, the editor's Markdown renders the same page."""
    other_way = (
        "Intro with __bold__ and _italic_ words.\n\n"
        "* star item\n"
        "* another\n\n"
        "## Closed heading ##\n\n"
        "1) one\n"
        "2) two\n\n"
        "Setext heading\n"
        "--------------"
    )
    version = stored(drafting.purpose)
    version.body = other_way
    SectionVersion.objects.filter(pk=version.pk).update(body=other_way)
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-info")).to_have_text("Nothing was changed, so no new version was saved.")

    open_editor(page, drafting.purpose)
    put_caret_at_end(page)
    page.keyboard.type(" again")
    rewritten = markdown_field(page).input_value()
    assert rewritten != other_way
    expected = str(render_markdown(other_way)).replace("Setext heading</h2>", "Setext heading again</h2>")
    assert str(render_markdown(rewritten)) == expected


# --------------------------------------------------------------------------------------------
# Pasting from Word
# --------------------------------------------------------------------------------------------

WORD_CLIPBOARD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">
<head><meta charset="utf-8"><style>p.MsoNormal {font-family: Calibri; color: red}</style></head>
<body lang=EN-GB style='tab-interval:36.0pt'><!--StartFragment-->
<h2 style='margin-top:12pt'><span style='font-family:"Times New Roman";color:#2F5496'>Return of migrants</span></h2>
<p class=MsoNormal><span style='font-size:14pt;font-family:Calibri;background:yellow'>Readmission agreements are
<b>signed</b> with <i>neighbouring</i> states; see the <a href="https://example.org/readmission">register</a><a
style='mso-comment-reference:AB_1' href="#_msocom_1" id="_anchor_1" class=msocomanchor>[AB1]</a>.</span></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><span
style='font-family:Symbol;mso-list:Ignore'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;</span></span
>voluntary return</p>
<p class=MsoListParagraphCxSpMiddle style='margin-left:72.0pt;mso-list:l0 level2 lfo1'><span
style='font-family:"Courier New";mso-list:Ignore'>o<span>&nbsp;&nbsp;</span></span>with reintegration support</p>
<p class=MsoListParagraphCxSpLast style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><span
style='font-family:Symbol;mso-list:Ignore'>·<span>&nbsp;&nbsp;</span></span>forced return</p>
<table class=MsoTableGrid border=1 cellspacing=0 style='border-collapse:collapse'>
<tr><td width=200 style='width:150pt'><p class=MsoNormal><b>Year</b></p></td>
<td><p class=MsoNormal><b>Returns</b></p></td></tr>
<tr><td><p class=MsoNormal>2019</p></td><td><p class=MsoNormal>1 204</p></td></tr>
</table>
<p class=MsoNormal><!--[if gte vml 1]><v:shape style='width:90pt'><v:imagedata src="file:///C:/Temp/image001.png"
o:title=""/></v:shape><![endif]--><![if !vml]><img width=120 height=60 src="data:image/png;base64,iVBORw0KGgo="
alt="Chart"><![endif]></p>
<p class=MsoNormal><a href="javascript:alert(1)">click me</a> <span onclick="alert(2)">and me</span></p>
<div style='mso-element:comment-list'><hr class=msocomoff align=left size=1 width="33%">
<div style='mso-element:comment'><div id="_com_1" class=msocomtxt><p class=MsoCommentText><span
class=MsoCommentReference>[AB1]</span>Check the figures with the Ministry.</p></div></div></div>
<script>window.pastedScriptRan = true</script>
<!--EndFragment--></body></html>"""


def paste_html(page, html: str) -> None:
    page.evaluate(
        """(html) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", "plain text of the clipboard");
            const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            document.querySelector(".ProseMirror").dispatchEvent(event);
        }""",
        html,
    )


def test_words_bold_stays_bold_and_google_docs_plain_wrapper_does_not_bold(page, log_in, drafting):
    """Word marks its bold <b style='mso-bidi-font-weight:normal'> (a right-to-left setting): still
    bold. Google Docs wraps a clipboard in <b style="font-weight:normal">: not bold."""
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    surface(page).click()
    page.keyboard.press("Control+A")
    paste_html(
        page,
        "<p class=MsoNormal><span style='mso-bidi-font-weight:bold'>Plain</span> and "
        "<b style='mso-bidi-font-weight:normal'>Word bold</b>.</p>"
        '<b style="font-weight:normal" id="docs-internal-guid-1"><p>Docs plain and '
        '<span style="font-weight:700">Docs bold</span>.</p></b>',
    )
    expect(markdown_field(page)).to_have_value("Plain and **Word bold**.\n\nDocs plain and **Docs bold**.")


def test_pasting_from_word_keeps_structure_and_drops_the_rest_with_a_note(page, log_in, drafting, save_screenshot):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    put_caret_at_end(page)
    page.keyboard.press("Enter")
    paste_html(page, WORD_CLIPBOARD)

    note = page.locator(".rich-editor-note")
    expect(note).to_be_visible()
    expect(note).to_have_text(
        "Images were not pasted (1): a section's text holds no images. The rest of the text was pasted."
    )
    shown = surface(page)
    expect(shown.locator("h2")).to_have_text("Return of migrants")
    expect(shown.locator("strong").first).to_have_text("signed")
    expect(shown.locator("ul > li > ul > li")).to_have_text("with reintegration support")
    expect(shown.locator("table th")).to_have_count(2)
    expect(shown.locator("img")).to_have_count(0)
    expect(shown).not_to_contain_text("Check the figures")
    expect(shown).not_to_contain_text("[AB1]")
    save_screenshot("editor-pasted")
    assert_accessible(page)

    markdown = markdown_field(page).input_value().replace("\r\n", "\n")
    assert "## Return of migrants" in markdown
    assert (
        "Readmission agreements are **signed** with *neighbouring* states; see the [register](https://example.org/readmission)."
        in markdown
    )
    assert "- voluntary return\n  - with reintegration support\n- forced return" in markdown
    assert "| **Year** | **Returns** |\n| --- | --- |\n| 2019 | 1 204 |" in markdown
    assert "click me and me" in markdown
    for dropped in ("javascript", "onclick", "alert", "Check the figures", "AB1", "image", "data:", "font", "color"):
        assert dropped not in markdown.lower()
    assert page.evaluate("window.pastedScriptRan === undefined")

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    expect(page.locator("#section-text h2")).to_have_text("Return of migrants")
    expect(page.locator("#section-text table tbody td")).to_have_text(["2019", "1 204"])
    assert_accessible(page)


# --------------------------------------------------------------------------------------------
# Nothing typed is lost
# --------------------------------------------------------------------------------------------

TYPED = " The concept is reviewed every two years."


def new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return context, page, problems


def sign_in(page, username="dana"):
    page.goto("/accounts/login/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def draft_status(page):
    return page.locator("[data-draft-status]")


def test_text_typed_and_never_saved_is_offered_back_after_the_browser_is_closed(browser, live_server, drafting):
    context, first, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(first)
    first.goto(edit_url(drafting.purpose))
    surface(first).click()
    first.keyboard.press("Control+End")
    first.keyboard.type(TYPED)
    expect(draft_status(first)).to_have_text(re.compile(r"^A draft of your text was kept at \d\d:\d\d\.$"))
    draft = SectionDraft.objects.get(section=drafting.purpose, user=drafting.dana)
    assert draft.body == BODY + TYPED and draft.base_number == 1
    context.close()  # no save, no warning answered: the browser is simply gone
    assert not problems, problems

    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page)
    page.goto(edit_url(drafting.purpose))
    offer = page.locator("[data-draft-offer]")
    expect(offer.get_by_role("heading")).to_have_text(re.compile(r"^You have unsaved text from \d\d:\d\d$"))
    expect(offer.get_by_text("How it differs from the current version")).to_be_visible()
    expect(offer.locator(".diff-inline ins")).to_have_text(["The concept is reviewed every two years."])
    expect(surface(page)).not_to_contain_text("reviewed every two years")  # nothing changes until asked
    assert_accessible(page)

    offer.get_by_role("link", name="Restore").click()
    expect(page.get_by_role("status").filter(has_text="is back in the editor")).to_be_visible()
    expect(surface(page)).to_contain_text("The concept is reviewed every two years.")
    assert_accessible(page)
    page.keyboard.press("Control+S")
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    assert stored(drafting.purpose).body == BODY + TYPED
    assert not SectionDraft.objects.filter(section=drafting.purpose).exists()

    page.goto(edit_url(drafting.purpose))
    expect(surface(page)).to_be_visible()
    expect(page.locator("[data-draft-offer]")).to_have_count(0)  # saved: nothing left to offer
    context.close()
    assert not problems, problems


def test_two_tabs_of_the_same_person_keep_both_drafts(browser, live_server, drafting):
    """Two tabs typing different text: neither overwrites the other; both are offered back, newest
    first, and saving one leaves the other offered, to be saved as a merge with it."""
    context, first, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(first)
    second = context.new_page()
    second.on("pageerror", lambda error: problems.append(str(error)))
    for tab, words in ((first, " Typed in the first tab."), (second, " Typed in the second tab.")):
        tab.goto(edit_url(drafting.purpose))
        surface(tab).click()
        tab.keyboard.press("Control+End")
        tab.keyboard.type(words)
        expect(draft_status(tab)).to_have_text(re.compile(r"^A draft of your text was kept at \d\d:\d\d\.$"))
    assert sorted(SectionDraft.objects.values_list("body", flat=True)) == [
        BODY + " Typed in the first tab.",
        BODY + " Typed in the second tab.",
    ]
    context.close()
    assert not problems, problems

    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page)
    page.goto(edit_url(drafting.purpose))
    offers = page.locator("[data-draft-offer]")
    expect(offers.locator(".diff-inline ins")).to_have_text(["Typed in the second tab.", "Typed in the first tab."])
    for heading in offers.get_by_role("heading").all():
        expect(heading).to_have_text(re.compile(r"^You have unsaved text from \d\d:\d\d$"))
    assert_accessible(page)

    offers.nth(1).get_by_role("link", name="Restore").click()
    expect(surface(page)).to_contain_text("Typed in the first tab.")
    page.keyboard.press("Control+S")
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    page.goto(edit_url(drafting.purpose))
    expect(offers).to_have_count(1)  # the other tab's draft is kept, now compared with version 2
    expect(offers.locator(".diff-inline ins")).to_have_text(["second"])
    expect(offers.locator(".diff-inline del")).to_have_text(["first"])
    context.close()
    assert not problems, problems


def test_a_discarded_draft_is_gone(page, log_in, drafting):
    SectionDraft.objects.create(
        user=drafting.dana, section=drafting.purpose, language="en", base_number=1, title=TITLE, body=BODY + TYPED
    )
    log_in("dana", PASSWORD)
    page.goto(edit_url(drafting.purpose))
    page.locator("[data-draft-offer]").get_by_role("button", name="Discard").click()
    expect(page.locator(".messages .alert-info")).to_have_text("Your unsaved text was discarded.")
    expect(page.locator("[data-draft-offer]")).to_have_count(0)
    expect(surface(page)).not_to_contain_text("reviewed every two years")
    assert not SectionDraft.objects.exists()
    assert_accessible(page)


def test_leaving_with_unsaved_text_asks_first_and_ctrl_s_saves(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    # Nothing typed yet: Cancel leaves without asking.
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    assert dialogs == []

    open_editor(page, drafting.purpose)
    put_caret_at_end(page)
    page.keyboard.type(TYPED)
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/edit/$"))  # dismissed: still editing, text still there
    expect(surface(page)).to_contain_text(TYPED.strip())

    page.keyboard.press("Control+s")
    expect(page).to_have_url(re.compile(rf"/sections/{drafting.purpose.pk}/$"))
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    assert dialogs == ["beforeunload"]  # saving does not ask
    assert stored(drafting.purpose).body == BODY + TYPED


# --------------------------------------------------------------------------------------------
# By keyboard alone, and on a phone
# --------------------------------------------------------------------------------------------


def test_the_editor_is_used_by_keyboard_alone(page, log_in, drafting):
    log_in("dana", PASSWORD)
    open_editor(page, drafting.purpose)
    page.get_by_label("Title").focus()
    page.keyboard.press("Tab")
    bold = toolbar_button(page, "Bold")
    expect(bold).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(toolbar_button(page, "Italic")).to_be_focused()
    page.keyboard.press("Tab")  # one tab stop for the toolbar: Tab goes on to the text
    expect(surface(page)).to_be_focused()

    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    page.keyboard.type("Key terms")
    page.keyboard.press("Control+b")
    page.keyboard.press("Alt+F10")  # from the text back to the toolbar, where it was left
    expect(toolbar_button(page, "Italic")).to_be_focused()
    page.keyboard.press("End")
    markdown = page.get_by_role("button", name="Markdown", exact=True)
    expect(markdown).to_be_focused()
    page.keyboard.press("Enter")
    expect(markdown).to_have_attribute("aria-pressed", "true")
    expect(markdown_field(page)).to_be_focused()
    expect(markdown_field(page)).to_have_value(BODY + "\n\n**Key terms**")
    page.keyboard.press("End")
    page.keyboard.type(": asylum, readmission")
    page.keyboard.press("Shift+Tab")  # back to the toolbar's button
    expect(markdown).to_be_focused()
    page.keyboard.press("Space")
    expect(surface(page)).to_be_focused()
    expect(surface(page).locator("strong")).to_have_text("Key terms")
    expect(surface(page)).to_contain_text("Key terms: asylum, readmission")
    assert_accessible(page)
    page.keyboard.press("Control+s")
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    assert stored(drafting.purpose).body == BODY + "\n\n**Key terms**: asylum, readmission"


def test_the_editor_works_at_phone_width(browser, live_server, drafting):
    context, page, problems = new_page(
        browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    sign_in(page)
    page.goto(edit_url(drafting.purpose))
    expect(surface(page)).to_be_visible()
    toolbar = page.get_by_role("toolbar", name="Formatting")
    box = toolbar.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    surface(page).tap()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    toolbar_button(page, "Numbered list").tap()
    page.keyboard.type("first step")
    if os.environ.get("E2E_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(os.environ["E2E_SCREENSHOT_DIR"]) / "e2e-editor-phone.png"), full_page=True)
    assert_accessible(page)
    page.get_by_role("button", name="Save", exact=True).tap()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.")
    assert stored(drafting.purpose).body == BODY + "\n\n1. first step"
    context.close()
    assert not problems, problems


# --------------------------------------------------------------------------------------------
# The translation editor and the comment form
# --------------------------------------------------------------------------------------------


def test_a_translation_typed_and_never_saved_is_offered_back(browser, live_server, drafting):
    drafting.concept.target_languages = ["ru"]
    drafting.concept.save(update_fields=["target_languages"])
    translate_url = f"{drafting.purpose.get_absolute_url()}translate/ru/"
    context, first, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(first)
    first.goto(translate_url)
    first.get_by_label("Title").fill("Цель и сфера")
    first.get_by_label("Translation of paragraph 1").fill("Концепция определяет миграционную политику.")
    expect(draft_status(first)).to_have_text(re.compile(r"^A draft of your text was kept at \d\d:\d\d\.$"))
    context.close()

    context, page, more = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page)
    page.goto(translate_url)
    offer = page.locator("[data-draft-offer]")
    expect(offer.get_by_role("heading")).to_have_text(re.compile(r"^You have unsaved text from \d\d:\d\d$"))
    expect(page.get_by_label("Translation of paragraph 1")).to_have_value("")
    assert_accessible(page)
    offer.get_by_role("link", name="Restore").click()
    expect(page.get_by_label("Translation of paragraph 1")).to_have_value("Концепция определяет миграционную политику.")
    expect(page.get_by_label("Title")).to_have_value("Цель и сфера")
    page.keyboard.press("Control+s")
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 1.")
    assert not SectionDraft.objects.exists()
    context.close()
    assert not problems + more, problems + more


def test_a_comment_typed_while_the_server_is_unreachable_is_offered_from_the_browser(browser, live_server, drafting):
    """The server keeps comment drafts (tests/e2e/test_comment_drafts_journey.py); when it cannot be
    reached, this browser's copy is offered back, not put into the form silently."""
    context, page, problems = new_page(browser, live_server, viewport={"width": 1280, "height": 900})
    sign_in(page)
    context.route(re.compile(r"/comment-draft/$"), lambda route: route.abort())  # the server is out of reach
    page.goto(drafting.purpose.get_absolute_url())
    comment = page.get_by_label("Comment*", exact=True)
    comment.fill("Please name the agencies responsible.")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="History", exact=True).click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(draft_status(page).first).to_have_text(re.compile(r"^Your text is kept in this browser only"))

    page.close()  # the tab is closed; the browser (and its storage) stays
    page = context.new_page()
    page.goto(drafting.purpose.get_absolute_url())
    offer = page.locator("[data-draft-local-offer]").first
    expect(offer).to_contain_text(re.compile(r"You have an unsent comment from .*, kept in this browser\."))
    expect(page.get_by_label("Comment*", exact=True)).to_have_value("")  # offered, not put back silently
    assert_accessible(page)
    offer.get_by_role("button", name="Restore").click()
    expect(page.get_by_label("Comment*", exact=True)).to_have_value("Please name the agencies responsible.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".messages .alert-success")).to_have_text("Your comment was added.")
    page.goto(drafting.purpose.get_absolute_url())
    expect(page.get_by_label("Comment*", exact=True)).to_have_value("")
    expect(page.locator("[data-draft-local-offer]:visible")).to_have_count(0)  # posted: nothing left to offer
    context.close()
    assert not problems, problems
