"""A review round on one section (issue #16): the reviewer comments on a phrase by keyboard alone, the
card stands beside it; the drafter rewrites the sentence, and the reviewer's card says the text
changed and shows how; a suggestion on a paragraph that a later save moved is still accepted from
the section page, where its passage now stands. Every page is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from concepts import services
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible
from tests.e2e.test_margin_comments import WIDE, box, offset, open_as  # noqa: F401 - a fixture

pytestmark = pytest.mark.e2e

OPENING = "The working group heard the ministries concerned and read the statistics of the last ten years."
ASYLUM = "The asylum procedure takes too long because the reception centres are full and understaffed."
PHRASE = "the reception centres are full"
REWRITTEN = "Decisions on asylum take months, as the reception centres are nearly full and understaffed."
NOW = "the reception centres are nearly full"
COURSES = "Integration courses are offered in every region by the employment services."
SUGGESTED = "in each district by the employment services and the municipalities"
BODY = f"{OPENING}\n\n{ASYLUM}\n\n{COURSES}"


@pytest.fixture
def review(db):
    project = ProjectFactory(slug="review-project", title="Migration policy")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova")
    rita = UserFactory(username="rita", first_name="Rita", last_name="Novak")
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    MembershipFactory(project=project, user=rita, role=Role.REVIEWER)
    concept = ConceptFactory(project=project, title="Concept of the migration policy", created_by=dana)
    section = section_with_version(concept, title="Asylum", body=BODY, author=dana, position=1)
    return section, dana, rita


def tab_to(page, control, presses: int = 80) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if control.evaluate("element => element === document.activeElement"):
            return
    expect(control).to_be_focused()


def save(section, dana, body):
    section.refresh_from_db()
    return services.section_save(
        section=section, base_number=section.head.number, title="Asylum", body=body, user=dana
    ).version


def comment_by_keyboard(page, paragraph_index: int, phrase: str, words: str) -> Comment:
    """The paragraph's "Comment on this paragraph" control, the quote narrowed to `phrase` in the
    picker with the arrow keys, the comment typed and sent: no mouse."""
    button = (
        page.locator("#section-text > p").nth(paragraph_index).get_by_role("button", name="Comment on this paragraph")
    )
    tab_to(page, button)
    page.keyboard.press("Enter")
    picker = page.get_by_role("dialog")
    field = picker.locator("textarea")
    expect(field).to_be_focused()
    start = field.input_value().index(phrase)
    page.keyboard.press("Home")
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(len(phrase)):
        page.keyboard.press("Shift+ArrowRight")
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(picker.get_by_role("button", name="Use selected text")).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker).to_be_hidden()
    expect(page.get_by_label("Quoted passage")).to_have_value(phrase)
    expect(page.get_by_label("Comment*", exact=True)).to_be_focused()
    page.keyboard.type(words)
    tab_to(page, page.get_by_role("button", name="Add comment"), presses=12)
    page.keyboard.press("Enter")
    expect(page.locator(".messages .alert-success")).to_have_text("Your comment was added.")
    return Comment.objects.get(body=words)


def test_a_review_round_on_one_section(open_as, review):  # noqa: F811
    section, dana, rita = review
    page = open_as(rita, section.get_absolute_url(), WIDE, "en")
    assert_accessible(page)

    comment = comment_by_keyboard(page, 1, PHRASE, "Say how many places are missing.")
    assert comment.quote == PHRASE and comment.author == rita
    card = page.locator(f"#margin #comment-{comment.pk}")
    expect(page.locator("#section-text mark.passage")).to_have_text(PHRASE)
    text_box, card_box = box(page.locator("#section-text")), box(card)
    assert card_box["x"] >= text_box["x"] + text_box["width"], "the card is beside the text"
    assert abs(offset(page, f"#comment-{comment.pk}", "#section-text mark.passage")) < 2, "level with its passage"
    assert_accessible(page)

    # The drafter rewrites the sentence around the phrase, and the phrase with it.
    save(section, dana, f"{OPENING}\n\n{REWRITTEN}\n\n{COURSES}")
    page.reload()
    card = page.locator(f"#margin #comment-{comment.pk}")
    expect(page.locator("#section-text mark.passage")).to_have_text(NOW)
    expect(card.locator(".anchor-label")).to_have_text("Text changed")
    diff = card.locator(".anchor-diff")
    expect(diff.locator("ins")).to_have_text(["nearly "])
    expect(diff).to_contain_text("Inserted: nearly")
    expect(diff.locator("del")).to_have_count(0)
    assert box(card.locator(".anchor-label"))["y"] < box(diff)["y"], "the diff is under its label"
    assert_accessible(page)

    # A suggestion on the last paragraph; a save then moves that paragraph to the top.
    suggestion = services.comment_add(
        section=section, version=section.head, author=rita, body="Municipalities run courses too.",
        quote="in every region by the employment services", suggestion_mode="replace", suggested_text=SUGGESTED,
    )  # fmt: skip
    moved = f"{COURSES}\n\n{OPENING}\n\n{REWRITTEN}"
    save(section, dana, moved)

    page = open_as(dana, section.get_absolute_url(), WIDE, "en")
    suggestions = page.locator("section[aria-labelledby='suggestions-heading']")
    expect(suggestions).to_contain_text("Suggested by Rita Novak")
    assert_accessible(page)
    suggestions.get_by_role("button", name="Accept and apply").click()
    expect(page).to_have_url(re.compile(rf"#comment-{suggestion.pk}$"))
    expect(page.locator(".messages .alert-success")).to_have_text("The suggestion was applied as version 4.")
    expect(page.locator("#section-text")).to_contain_text(SUGGESTED)
    assert_accessible(page)
    section.refresh_from_db()
    assert section.head.body == moved.replace("in every region by the employment services", SUGGESTED)
    suggestion.refresh_from_db()
    assert suggestion.disposition == Comment.Disposition.INCORPORATED
