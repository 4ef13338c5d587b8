"""Comments in the margin of a section, the one-field comment form, and quoting without a mouse.

A project with a drafter (Dana) and a reviewer (Rita), and a section of four paragraphs on which Rita
has commented twice: once quoting a phrase of the third paragraph, once without a quote. Each journey
runs on a wide screen (1366×900: the margin beside the text) and on a phone (390×844: the cards
after the text, in reading order), in English and in Russian. Every page is checked with axe.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from concepts import services
from concepts.models import Comment
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

TIMEOUT_MS = 15_000
WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

FILLER = (
    "The working group met in Minsk and in the regions, heard the ministries concerned and read the "
    "statistics of the last ten years before it wrote a word of the draft. "
)
BODY = (
    f"{FILLER * 3}\n\n"
    "Labour migration is managed through quotas that the Ministry of Labour sets every year.\n\n"
    f"{FILLER * 2}The asylum procedure takes too long and the reception centres are full.\n\n"
    "Integration courses are offered in every region. The asylum procedure is described in the annex."
)
QUOTED = "the reception centres are full"
TWICE = "The asylum procedure"  # in the third paragraph and again in the fourth

# What the journeys read and press, in each interface language (locale/ru/LC_MESSAGES/django.po).
WORDS = {
    "en": {
        "paragraph": "Comment on this paragraph",
        "use": "Use selected text",
        "show": "Show the passage",
        "comment": "Comment*",
        "quote": "Quoted passage",
        "add": "Add comment",
        "suggest": "Suggest wording",
        "recommend": "Mark as recommendation",
        "recommendation": "Recommendation",
        "raised_at": "Raised at",
        "added": "Your comment was added.",
        "selected": "Comment on the selected text",
    },
    "ru": {
        "paragraph": "Прокомментировать абзац",
        "use": "Использовать выделенный текст",
        "show": "Показать фрагмент в тексте",
        "comment": "Комментарий*",
        "quote": "Цитируемый фрагмент",
        "add": "Добавить комментарий",
        "suggest": "Предложить формулировку",
        "recommend": "Отметить как рекомендацию",
        "recommendation": "Рекомендация",
        "raised_at": "Где высказано",
        "added": "Ваш комментарий добавлен.",
        "selected": "Прокомментировать выделенный текст",
    },
}

SCREENS = [
    pytest.param(WIDE, "en", id="wide-en"),
    pytest.param(WIDE, "ru", id="wide-ru"),
    pytest.param(PHONE, "en", id="phone-en"),
    pytest.param(PHONE, "ru", id="phone-ru"),
]


@pytest.fixture
def reading(db):
    project = ProjectFactory(slug="margin-project", title="Migration policy")
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova")
    rita = UserFactory(username="rita", first_name="Rita", last_name="Novak")
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    MembershipFactory(project=project, user=rita, role=Role.REVIEWER)
    concept = ConceptFactory(project=project, title="Concept of the migration policy", created_by=dana)
    section = section_with_version(concept, title="Asylum", body=BODY, author=dana, position=1)
    quoted = services.comment_add(
        section=section, version=section.head, author=rita, body="Say how many places are missing.", quote=QUOTED
    )
    general = services.comment_add(section=section, version=section.head, author=rita, body="A good section overall.")
    return section, rita, quoted, general


@pytest.fixture
def open_as(browser, live_server):
    """`open_as(user, viewport, language)`: the user's browser on the section page, signed in."""
    contexts, problems = [], []

    def open_page(user, url, viewport, language, touch=False):
        client = Client()
        client.force_login(user)
        context = browser.new_context(
            base_url=live_server.url,
            locale="ru-RU" if language == "ru" else "en-GB",
            viewport=viewport,
            has_touch=touch,
            is_mobile=touch,
        )
        context.set_default_timeout(TIMEOUT_MS)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text)
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(url)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, "not shown"
    return found


def offset(page, card: str, passage: str) -> float:
    """How far below its passage a card stands (both measured at once: the page may be scrolling)."""
    return page.evaluate(
        "([card, passage]) => document.querySelector(card).getBoundingClientRect().top"
        " - document.querySelector(passage).getBoundingClientRect().top",
        [card, passage],
    )


@pytest.mark.parametrize(("viewport", "language"), SCREENS)
def test_the_card_stands_by_its_passage_and_each_leads_to_the_other_by_keyboard(open_as, reading, viewport, language):
    section, rita, quoted, general = reading
    words = WORDS[language]
    page = open_as(rita, section.get_absolute_url(), viewport, language)
    text = page.locator("#section-text")
    card = page.locator(f"#comment-{quoted.pk}")
    passage = text.locator("mark.passage")
    expect(passage).to_have_text(QUOTED)
    expect(page.locator("article.margin-note")).to_have_count(1)  # the one without a quote stays below
    expect(page.locator(f"#comments #comment-{general.pk}")).to_have_count(1)
    expect(page.locator(f"#comments #comment-{general.pk}")).to_have_count(1)

    text_box, card_box = box(text), box(card)
    if viewport is WIDE:
        assert card_box["x"] >= text_box["x"] + text_box["width"], "the card is beside the text"
        assert abs(offset(page, f"#comment-{quoted.pk}", "#section-text mark.passage")) < 2, "level with its passage"
    else:
        # On a phone the card follows the paragraph that holds its passage, before the next one.
        paragraph = text.locator("p").filter(has=page.locator("mark.passage"))
        paragraph_box, next_box = box(paragraph), box(text.locator("p").filter(has_text="Integration courses"))
        assert paragraph_box["y"] + paragraph_box["height"] <= card_box["y"] < next_box["y"], "after its paragraph"
        assert card_box["width"] > viewport["width"] * 0.7
        expect(page.locator("#margin")).to_be_hidden()  # its heading would announce an empty list

    # The numbered marker after the passage is a link to the card: Enter moves there.
    marker = text.locator("a.passage-marker")
    expect(marker).to_have_attribute("href", f"#comment-{quoted.pk}")
    marker.focus()
    page.keyboard.press("Enter")
    expect(card).to_be_focused()
    expect(card).to_have_class(re.compile("margin-note-current"))
    expect(card).to_be_in_viewport()

    # From the card, "Show the passage" brings the passage into view and the focus onto its marker.
    page.mouse.wheel(0, 5000)
    show = card.get_by_role("button", name=words["show"])
    show.focus()
    page.keyboard.press("Enter")
    expect(marker).to_be_focused()
    expect(passage).to_have_class(re.compile("passage-current"))
    expect(passage).to_be_in_viewport()
    assert_accessible(page)


@pytest.mark.parametrize(("viewport", "language"), SCREENS)
def test_a_reviewer_quotes_a_phrase_with_the_keyboard_only(open_as, reading, viewport, language):
    section, rita, quoted, general = reading
    words = WORDS[language]
    page = open_as(rita, section.get_absolute_url(), viewport, language)
    third = page.locator("#section-text > p").nth(2)
    button = third.get_by_role("button", name=words["paragraph"])
    for _ in range(80):  # Tab from the top of the page to the third paragraph's button
        page.keyboard.press("Tab")
        if button.evaluate("element => element === document.activeElement"):
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")

    picker = page.get_by_role("dialog")
    expect(picker).to_be_visible()
    box_text = picker.locator("textarea")
    expect(box_text).to_be_focused()
    paragraph = box_text.input_value()
    start = paragraph.index(TWICE)
    for _ in range(start):
        page.keyboard.press("ArrowRight")
    for _ in range(len(TWICE)):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Tab")
    expect(picker.get_by_role("button", name=words["use"])).to_be_focused()
    page.keyboard.press("Enter")

    expect(picker).to_be_hidden()
    comment = page.get_by_label(words["comment"], exact=True)
    expect(comment).to_be_focused()
    expect(page.get_by_label(words["quote"])).to_have_value(TWICE)
    expect(page.locator('input[name="quote_occurrence"]')).to_have_value(
        "0"
    )  # the third paragraph's (the first place), not the fourth's
    page.keyboard.type("How long exactly?")
    assert_accessible(page)
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.get_by_role("button", name=words["add"]).evaluate("element => element === document.activeElement"):
            break
    page.keyboard.press("Enter")

    expect(page.locator(".messages .alert-success")).to_have_text(words["added"])
    added = Comment.objects.get(body="How long exactly?")
    assert added.quote == TWICE and added.author == rita
    card = page.locator(f"article.margin-note#comment-{added.pk}")
    expect(card).to_have_count(1)
    expect(page).to_have_url(re.compile(rf"#comment-{added.pk}$"))  # the page opens at the new card
    expect(card).to_have_class(re.compile("margin-note-current"))
    expect(card).to_be_in_viewport()
    marks = page.locator("#section-text mark.passage")
    expect(marks).to_have_count(2)
    # The cards are in reading order: the new passage comes before the older comment's.
    expect(page.locator("article.margin-note").first).to_have_attribute("id", f"comment-{added.pk}")
    if viewport is WIDE:
        assert abs(offset(page, f"#comment-{added.pk}", "#section-text mark.passage")) < 2
    assert_accessible(page)


@pytest.mark.parametrize(("viewport", "language"), SCREENS)
def test_the_comment_form_opens_with_one_field_and_expands_on_demand(open_as, reading, viewport, language):
    section, rita, quoted, general = reading
    words = WORDS[language]
    page = open_as(rita, section.get_absolute_url(), viewport, language)
    form = page.locator("#comment-form")
    visible = form.locator("textarea:visible, select:visible, input:not([type=hidden]):visible")
    expect(visible).to_have_count(1)
    expect(page.get_by_label(words["comment"], exact=True)).to_be_visible()

    suggest = form.locator("summary").filter(has_text=words["suggest"])
    suggest.focus()
    page.keyboard.press("Enter")
    expect(form.locator('select[name="suggestion_mode"]')).to_be_visible()
    expect(form.locator('textarea[name="suggested_text"]')).to_be_visible()
    recommend = form.locator("summary").filter(has_text=words["recommend"])
    recommend.focus()
    page.keyboard.press("Space")
    expect(form.get_by_role("checkbox", name=words["recommendation"])).to_be_visible()
    expect(visible).to_have_count(4)
    assert_accessible(page)


@pytest.mark.parametrize(("viewport", "language"), SCREENS)
def test_an_error_keeps_the_reviewer_at_the_form_with_the_field_focused(open_as, reading, viewport, language):
    section, rita, quoted, general = reading
    words = WORDS[language]
    page = open_as(rita, section.get_absolute_url(), viewport, language)
    page.get_by_label(words["comment"], exact=True).fill("This should be a recommendation.")
    page.locator("#comment-form summary").filter(has_text=words["recommend"]).click()
    page.get_by_role("checkbox", name=words["recommendation"]).check()
    page.get_by_role("button", name=words["add"]).click()  # but names neither activity nor organisation

    expect(page).to_have_url(re.compile(r"#new-comment$"))
    field = page.locator("#id_source_activity")
    expect(field).to_be_focused()
    expect(field).to_have_class(re.compile("is-invalid"))
    expect(field).to_be_in_viewport()
    expect(page.get_by_label(words["comment"], exact=True)).to_have_value("This should be a recommendation.")
    assert page.evaluate("() => window.scrollY") > 0  # not back at the top of the page
    assert not Comment.objects.filter(body="This should be a recommendation.").exists()
    assert_accessible(page)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_on_a_touch_screen_a_selected_passage_gets_a_comment_button(open_as, reading, language):
    section, rita, quoted, general = reading
    words = WORDS[language]
    page = open_as(rita, section.get_absolute_url(), PHONE, language, touch=True)
    # What a long press and the selection handles leave behind: a selection in the fourth paragraph.
    page.evaluate(
        """(phrase) => {
            const paragraph = document.querySelectorAll("#section-text > p")[3];
            paragraph.scrollIntoView({block: "center", behavior: "instant"});  // where the reader is
            const text = [...paragraph.childNodes].find((node) => node.nodeType === Node.TEXT_NODE);
            const range = document.createRange();
            range.setStart(text, text.data.indexOf(phrase));
            range.setEnd(text, text.data.indexOf(phrase) + phrase.length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }""",
        TWICE,
    )
    button = page.get_by_role("button", name=words["selected"])
    expect(button).to_be_visible()
    expect(button).to_be_in_viewport()
    assert_accessible(page)
    button.tap()

    expect(page.get_by_label(words["comment"], exact=True)).to_be_focused()
    expect(page.get_by_label(words["quote"])).to_have_value(TWICE)
    expect(page.locator('input[name="quote_occurrence"]')).to_have_value(
        "1"
    )  # the fourth paragraph's (the second place), not the third's
    expect(button).to_be_hidden()
