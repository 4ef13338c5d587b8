"""A very long paste into the section editor: the most a section may hold is saved whole; 5 MB is
refused with the limit and nothing pasted is lost (the form comes back with all of it).

How long the paste and the save take is printed (run with `-s`) and written down in
bench/README.md; no test here asserts a duration.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from concepts.models import MAX_BODY_LENGTH, SectionDraft
from tests.e2e.axe import assert_accessible
from tests.e2e.test_editor_journeys import BODY, PASSWORD, drafting, edit_url, markdown_field, stored, surface

pytestmark = pytest.mark.e2e

__all__ = ["drafting"]  # the fixture, shared with the editor journeys

WORDS = "the national migration policy protects the rights of migrants and refugees, "


def text_of(length: int) -> str:
    """Paragraphs of plain words (nothing Markdown would escape), `length` characters in all."""
    paragraph = (WORDS * 13)[:998].strip() + "."
    paragraphs, size = [], 0
    while size < length:
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    text = "\n\n".join(paragraphs)
    return text[: length - 1].rstrip() + "." if len(text) > length else text


def paste_text(page, text: str) -> dict:
    """Replaces the editor's text by `text`, pasted as plain text; the milliseconds it took."""
    surface(page).click()
    page.keyboard.press("Control+A")
    return page.evaluate(
        """async (text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            const start = performance.now();
            document.querySelector(".ProseMirror").dispatchEvent(event);
            const handled = performance.now();
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            return {handled: handled - start, painted: performance.now() - start};
        }""",
        text,
    )


def test_the_most_a_section_may_hold_is_pasted_and_saved_whole(page, log_in, drafting):
    log_in("dana", PASSWORD)
    page.goto(edit_url(drafting.purpose))
    text = text_of(MAX_BODY_LENGTH)
    assert len(text) == MAX_BODY_LENGTH
    timing = paste_text(page, text)
    assert markdown_field(page).input_value() == text
    expect(page.locator("[data-draft-status]")).to_have_text(
        re.compile(r"^A draft of your text was kept at"), timeout=30_000
    )
    assert SectionDraft.objects.get(section=drafting.purpose).body == text  # kept while unsaved

    start = time.monotonic()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages .alert-success")).to_have_text("Saved as version 2.", timeout=60_000)
    saved = time.monotonic() - start
    assert stored(drafting.purpose).body == text
    assert not SectionDraft.objects.exists()
    print(
        f"\n{MAX_BODY_LENGTH:,} characters: paste {timing['handled']:.0f} ms "
        f"(painted {timing['painted']:.0f} ms), save and show {saved:.1f} s"
    )


def test_five_megabytes_are_refused_with_the_limit_and_nothing_pasted_is_lost(page, log_in, drafting):
    log_in("dana", PASSWORD)
    page.goto(edit_url(drafting.purpose))
    text = text_of(5_000_000)
    assert len(text) > 4_999_000
    timing = paste_text(page, text)
    # Too long for a section: shown as Markdown, with a note, rather than laid out for seconds.
    note = page.locator(".rich-editor-note")
    expect(note).to_have_text(
        re.compile(rf"^This text has {len(text):,} characters, more than a section may have \(200,000\)")
    )
    expect(markdown_field(page)).to_be_visible()
    assert markdown_field(page).input_value() == text
    expect(page.locator("[data-draft-status]")).to_have_text(
        re.compile(
            rf"^The draft is too long to keep: {len(text):,} characters, where a section may have at most 200,000"
        ),
        timeout=60_000,
    )

    start = time.monotonic()
    page.get_by_role("button", name="Save", exact=True).click()
    error = page.get_by_text(re.compile(r"The text is too long: a section may have at most 200000 characters"))
    expect(error).to_be_visible(timeout=120_000)
    refused = time.monotonic() - start
    # The form comes back with every character pasted, as Markdown again; nothing was saved.
    assert markdown_field(page).input_value().replace("\r\n", "\n") == text
    expect(markdown_field(page)).to_be_visible()
    expect(note).to_contain_text(f"This text has {len(text):,} characters")
    assert stored(drafting.purpose).number == 1
    assert_accessible(page)
    print(
        f"\n5,000,000 characters: paste {timing['handled']:.0f} ms (painted {timing['painted']:.0f} ms), "
        f"refused and shown again {refused:.1f} s"
    )


WORD_STYLE = (
    "<style><!-- /* Style Definitions */ p.MsoNormal, li.MsoNormal, div.MsoNormal {mso-style-unhide:no; "
    'mso-style-qformat:yes; margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} '
    "@page WordSection1 {size:595.3pt 841.9pt; margin:72.0pt 72.0pt 72.0pt 72.0pt;} --></style>"
)
WORD_PARAGRAPH = (
    "<p class=MsoNormal style='margin-top:0cm;margin-right:0cm;margin-bottom:8.0pt;margin-left:0cm;"
    "line-height:107%;mso-pagination:widow-orphan;mso-layout-grid-align:none;text-autospace:none'>"
    '<span lang=EN-GB style=\'font-size:11.0pt;line-height:107%;font-family:"Calibri",sans-serif;'
    "mso-ascii-theme-font:minor-latin;mso-fareast-font-family:Calibri;mso-fareast-theme-font:minor-latin;"
    'mso-hansi-theme-font:minor-latin;mso-bidi-font-family:"Times New Roman";mso-bidi-theme-font:minor-bidi;'
    "mso-ansi-language:EN-GB;mso-fareast-language:EN-US;mso-bidi-language:AR-SA'>"
    "Paragraph {n}: <b style='mso-bidi-font-weight:normal'>the national policy</b> protects the rights "
    "of migrants."
    "<o:p></o:p></span></p>\n"
)


WORD_LIST_STYLE = "@list l{n}:level1 {mso-level-number-format:bullet; mso-level-text:\\F0B7; mso-level-tab-stop:none; "
WORD_LIST_STYLE += "mso-level-number-position:left; text-indent:-18.0pt; font-family:Symbol;}\n"


def word_clipboard(size: int, styles: int = 0) -> tuple[str, list[str]]:
    """Word's HTML clipboard of about `size` bytes: mostly its styling, little text; `styles` bytes
    of it list style definitions in the head, as a long document with many lists has. With the
    paragraphs' plain text, as Word puts beside it."""
    lists = []
    while len(lists) * len(WORD_LIST_STYLE) < styles:
        lists.append(WORD_LIST_STYLE.replace("{n}", str(len(lists))))
    head = WORD_STYLE.replace(" --></style>", "".join(lists) + " --></style>")
    paragraphs, parts, length = [], [head], len(head)
    while length < size:
        part = WORD_PARAGRAPH.replace("{n}", str(len(paragraphs) + 1))
        parts.append(part)
        length += len(part)
        paragraphs.append(f"Paragraph {len(paragraphs) + 1}: the national policy protects the rights of migrants.")
    html = f"<html xmlns:o='urn:schemas-microsoft-com:office:office'><body lang=EN-GB>{''.join(parts)}</body></html>"
    return html, paragraphs


def paste_word(page, html: str, text: str) -> dict:
    """Pastes Word's clipboard (HTML and plain text) at the caret; the milliseconds it took."""
    return page.evaluate(
        """async ([html, text]) => {
            const data = new DataTransfer();
            data.setData("text/html", html);
            data.setData("text/plain", text);
            const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
            const start = performance.now();
            document.querySelector(".ProseMirror").dispatchEvent(event);
            const handled = performance.now();
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            return {handled: handled - start, painted: performance.now() - start};
        }""",
        [html, text],
    )


@pytest.mark.parametrize(
    "styles",
    [0, 4_500_000],
    ids=["text-beyond-a-section-shown-as-markdown", "text-within-a-section-kept-formatted"],
)
def test_five_megabytes_of_word_markup_keep_the_text_and_what_was_typed_before(page, log_in, drafting, styles):
    log_in("dana", PASSWORD)
    page.goto(edit_url(drafting.purpose))
    surface(page).click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Typed before the paste.")
    page.keyboard.press("Enter")
    html, paragraphs = word_clipboard(5_000_000, styles)
    assert len(html) > 4_999_000
    timing = paste_word(page, html, "\r\n\r\n".join(paragraphs))
    field = markdown_field(page)
    expect(page.locator("[data-draft-status]")).to_have_text(
        re.compile(r"^(A draft of your text was kept at|The draft is too long to keep)"), timeout=60_000
    )
    kept = field.input_value()
    assert kept.startswith(BODY + " Typed before the paste.")  # nothing typed is lost
    assert paragraphs[0] in kept.replace("**", "") and paragraphs[-1] in kept.replace("**", "")
    assert "mso-" not in kept and "MsoNormal" not in kept and "<" not in kept
    if len(kept) > MAX_BODY_LENGTH:  # as a long plain-text paste: the Markdown field, with the note
        expect(page.locator(".rich-editor-note")).to_contain_text(f"This text has {len(kept):,} characters")
        expect(field).to_be_visible()
    else:  # laid out in the rich-text editor, Word's bold kept, and kept as the draft
        expect(surface(page)).to_contain_text(paragraphs[-1])
        assert "**the national policy**" in kept
        assert SectionDraft.objects.get(section=drafting.purpose).body == kept
    print(
        f"\n{len(html):,} bytes of Word HTML, {styles:,} of styles ({len(paragraphs):,} paragraphs, "
        f"{len(kept):,} characters kept): "
        f"paste {timing['handled']:.0f} ms (painted {timing['painted']:.0f} ms)"
    )
