"""A reviewer quotes the second of two identical sentences; the comment keeps to that one as the text
changes, and the disposition matrix says where its passage stands."""

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.anchoring import anchors_for
from concepts.models import Comment
from concepts.tests.factories import section_with_version
from tests.e2e.axe import assert_accessible
from tests.e2e.test_concept_journeys import PASSWORD, drafting, open_section, success  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e

TWICE = "Applications are decided within a month.\n\nAppeals go to the courts. Applications are decided within a month."
SENTENCE = "Applications are decided within a month."


def select_nth(page, passage: str, nth: int) -> None:
    """Selects the `nth` (0: first) occurrence of `passage` in the section's text, as a mouse would."""
    page.evaluate(
        """([passage, nth]) => {
            const root = document.getElementById("section-text");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let seen = 0;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                let at = node.data.indexOf(passage);
                while (at >= 0) {
                    if (seen === nth) {
                        const range = document.createRange();
                        range.setStart(node, at);
                        range.setEnd(node, at + passage.length);
                        window.getSelection().removeAllRanges();
                        window.getSelection().addRange(range);
                        root.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
                        return;
                    }
                    seen += 1;
                    at = node.data.indexOf(passage, at + 1);
                }
            }
            throw new Error("not found");
        }""",
        [passage, nth],
    )


def test_a_comment_on_the_second_occurrence_keeps_to_it(page, log_in, drafting):  # noqa: F811
    section = section_with_version(drafting.concept, title="Procedures", body=TWICE, author=drafting.dana, position=4)
    log_in("rita", PASSWORD)
    open_section(page, section, "Procedures")
    select_nth(page, SENTENCE, 1)
    expect(page.get_by_label("Quoted passage")).to_have_value(SENTENCE)
    page.get_by_label("Comment*", exact=True).fill("Which month: calendar or working days?")
    page.get_by_role("button", name="Add comment").click()
    expect(success(page)).to_have_text("Your comment was added.")

    comment = Comment.objects.get(section=section)
    section.refresh_from_db()
    assert anchors_for(section.head)[comment.pk].start == TWICE.rindex(SENTENCE)
    # The drafter deletes the first copy and rewords the second: the comment follows the second.
    newer = "Appeals go to the courts. Applications are decided within thirty days."
    version = services.section_save(section=section, base_number=1, title="Procedures", body=newer,
                                    user=drafting.dana).version  # fmt: skip
    anchor = anchors_for(version)[comment.pk]
    assert (anchor.status, anchor.text) == ("changed", "Applications are decided within thirty days.")

    page.goto(f"/concepts/{drafting.concept.pk}/dispositions/")
    row = page.locator("tr", has_text="Which month")
    expect(row).to_contain_text("Text changed")
    expect(row).to_contain_text("in v2")
    assert_accessible(page)
