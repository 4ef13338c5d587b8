"""Working in two languages in the browser: the interface switched to Russian, and a section
translated into Russian beside its English source.

A project with a drafter (Dana) and a manager (Maria), and a concept drafted in English and kept
in Russian too (`target_languages=["ru"]`), of one section of two English paragraphs. Dana's
browser asks for English (the `page` fixture's locale); she switches the interface with the
language switcher in the navigation bar. Every page visited is checked with axe.

The interface language is kept in the language cookie (per browser) and, for a logged-in user,
in their preferences, which bring it back at log-in in any browser (common/languages.py).
"""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.signals import setting_changed
from playwright.sync_api import expect

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Role
from projects.tests.factories import MembershipFactory, ProjectFactory, UserFactory
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

PASSWORD = "correct-horse-battery"
TIMEOUT_MS = 15_000

PROJECT = "Migration policy in Belarus"
CONCEPT = "Concept of the National Migration Policy"
TITLE = "Purpose and scope"
ENGLISH = [
    "This concept sets out how the Republic of Belarus manages migration from 2025 to 2030.",
    "It covers labour migration, asylum and the integration of foreigners.",
]
RUSSIAN_TITLE = "Цель и сфера применения"
RUSSIAN = [
    "Настоящая концепция определяет, как Республика Беларусь управляет миграцией с 2025 по 2030 год.",
    "Она охватывает трудовую миграцию, убежище и интеграцию иностранцев.",
]
# What Maria inserts into the English source once the Russian text is there.
INSERTED = "social and economic"
AMENDED_SECOND = "It covers labour migration, asylum and the social and economic integration of foreigners."

# The interface in Russian (locale/ru/LC_MESSAGES/django.po).
RU = SimpleNamespace(
    main_navigation="Основная навигация",
    projects="Проекты",
    log_out="Выйти",
    log_in="Войти",
    language="Язык",
    concepts="Концепции",
    languages="Языки",
    english_tab="Английский (исходный)",
    russian_tab="Русский",
    not_translated="Этот раздел ещё не переведён (язык: Русский).",
    missing="Отсутствует",
    translate_beside="Переводить рядом с исходным текстом",
    edit_beside="Редактировать рядом с исходным текстом",
    editor_heading=f"«{TITLE}» — перевод (язык: Русский)",
    source_title="Исходный заголовок",
    title="Название",
    paragraph="Перевод абзаца {}",
    source_paragraph="Исходный текст, абзац {}",
    summary="Краткое описание изменения",
    save="Сохранить перевод",
    saved="Сохранено как версия {}.",
    up_to_date="Актуален",
    up_to_date_since="Переведено с версии {} исходного текста — его текущей версии.",
    out_of_date="Устарел",
    out_of_date_since="Переведено с версии {} исходного текста; с тех пор исходный текст изменился, "
    "его текущая версия — {}.",
    see_changes="Посмотреть изменения в исходном тексте",
    changes_heading="Изменения от версии {} к версии {}",
    translations="Переводы",
    translation_counts="Русский: актуальных: {}, устаревших: {}, отсутствует: {}",
    changes_since="изменения после версии {}",
    read="читать",
    edit="изменить",
    required="Обязательное поле.",
    preferences="Настройки",
    your_preferences="Ваши настройки",
    russian_column="Русский",
)
# The same words in the English interface, where a test runs in either.
EN = SimpleNamespace(
    title="Title",
    paragraph="Translation of paragraph {}",
    save="Save the translation",
    required="This field is required.",
    see_changes="See what changed in the source",
    changes_heading="Changes from version {} to version {}",
    translations="Translations",
    russian_column="Russian",
)


@pytest.fixture(scope="module", autouse=True)
def _compiled_catalogue():
    """The Russian pages need the compiled catalogue: compile it when `make test` has not."""
    po = Path(settings.LOCALE_PATHS[0]) / "ru" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", locale=["ru"], ignore_patterns=[".venv", "var"], verbosity=0)
        setting_changed.send(sender=None, setting="LOCALE_PATHS", value=settings.LOCALE_PATHS, enter=False)


@pytest.fixture
def translating(db):
    """The project, Dana (drafter) and Maria (manager), and the concept in English, kept in Russian."""
    project = ProjectFactory(slug="belarus-migration-policy", title=PROJECT)
    dana = UserFactory(username="dana", first_name="Dana", last_name="Petrova", password=PASSWORD)
    maria = UserFactory(username="maria", first_name="Maria", last_name="Ivanova", password=PASSWORD)
    MembershipFactory(project=project, user=dana, role=Role.DRAFTER)
    MembershipFactory(project=project, user=maria, role=Role.MANAGER)
    concept = ConceptFactory(project=project, title=CONCEPT, language="en", target_languages=["ru"], created_by=maria)
    purpose = section_with_version(concept, title=TITLE, body="\n\n".join(ENGLISH), author=maria, position=1)
    return SimpleNamespace(project=project, concept=concept, purpose=purpose, dana=dana, maria=maria)


@pytest.fixture
def second_browser(browser, live_server):
    """`second_browser()`: a page in a browser context of its own (no cookies), asking for English.

    Set up like the `page` fixture: a failure on CSP violations or JavaScript errors.
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


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def heading(page):
    return page.get_by_role("heading", level=1)


def success(page):
    return page.locator(".messages .alert-success")


def section_text(page):
    return page.locator("#section-text")


def spoken_language(locator) -> str:
    """The language a screen reader reads `locator` in: that of its nearest `lang` attribute."""
    return locator.evaluate("element => element.closest('[lang]').getAttribute('lang')")


def translation_state(page):
    return page.locator("main .translation-state")


def expect_interface_in(page, language: str) -> None:
    """The page's language, and the navigation bar's words, are those of `language` ("en" or "ru")."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    if language == "ru":
        navigation = page.get_by_role("navigation", name=RU.main_navigation)
        expect(navigation.get_by_role("link", name=RU.projects, exact=True)).to_be_visible()
        expect(navigation.get_by_label(RU.language, exact=True)).to_have_value("ru")
    else:
        navigation = page.get_by_role("navigation", name="Main navigation")
        expect(navigation.get_by_role("link", name="Projects", exact=True)).to_be_visible()
        expect(navigation.get_by_label("Language", exact=True)).to_have_value("en")


def switch_interface_to_russian(page) -> None:
    """With the switcher in the navigation bar (labelled in English until then); stays on the same page."""
    url = page.url
    expect_interface_in(page, "en")
    navigation = page.get_by_role("navigation", name="Main navigation")
    navigation.get_by_label("Language", exact=True).select_option(label="Русский")
    navigation.get_by_role("button", name="Apply", exact=True).click()
    expect(page).to_have_url(url)
    expect_interface_in(page, "ru")
    expect(page.get_by_role("button", name=RU.log_out, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out", exact=True)).to_have_count(0)


def sign_in(page, username: str, *, button: str) -> None:
    """Logs in through the real form, whose button reads `button` in the interface's language."""
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def open_section_from_the_concept(page, translating) -> None:
    """From the concept's page (where a drafter lands), the section's "Open" link, in Russian."""
    expect(heading(page)).to_have_text(CONCEPT)
    page.get_by_role("link", name=f"Открыть {TITLE}", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/$"))
    expect(heading(page)).to_have_text(TITLE)
    assert_accessible(page)


def language_tabs(page):
    return page.get_by_role("navigation", name=RU.languages)


def translate_in_the_background(translating) -> None:
    """Dana's Russian text of the section, translating version 1 of the source, saved directly."""
    services.section_save(
        section=translating.purpose,
        base_number=0,
        title=RUSSIAN_TITLE,
        body="\n\n".join(RUSSIAN),
        user=translating.dana,
        language="ru",
        source_number=1,
    )


def amend_the_english_source(translating) -> None:
    """Maria inserts words into the second English paragraph: version 2 of the source."""
    result = services.section_save(
        section=translating.purpose,
        base_number=1,
        title=TITLE,
        body="\n\n".join([ENGLISH[0], AMENDED_SECOND]),
        summary="Social and economic integration",
        user=translating.maria,
    )
    assert result.version.number == 2 and not result.conflict


# --------------------------------------------------------------------------------------------
# 1. Switching the interface to Russian and translating a section beside its English source
# --------------------------------------------------------------------------------------------


def test_a_drafter_switches_to_russian_and_translates_a_section_beside_the_english_one(page, log_in, translating):
    log_in("dana", PASSWORD)  # a drafter lands on the concept
    expect(page).to_have_url(re.compile(rf"/concepts/{translating.concept.pk}/$"))
    switch_interface_to_russian(page)
    expect(page.get_by_role("link", name=RU.translations, exact=True)).to_be_visible()  # the same page, in Russian
    assert_accessible(page)

    # The section, in English (the source); then its Russian tab, not translated yet.
    open_section_from_the_concept(page, translating)
    expect(section_text(page).locator("p")).to_have_text(ENGLISH)
    tabs = language_tabs(page)
    expect(tabs.get_by_role("link")).to_have_text([RU.english_tab, RU.russian_tab])
    expect(tabs.get_by_role("link", name=RU.english_tab)).to_have_attribute("aria-current", "page")
    assert spoken_language(tabs.get_by_role("link", name=RU.english_tab)) == "ru"  # its name is in Russian
    assert spoken_language(section_text(page)) == "en"
    tabs.get_by_role("link", name=RU.russian_tab, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/\?language=ru$"))
    expect(language_tabs(page).get_by_role("link", name=RU.russian_tab, exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text(RU.not_translated)).to_be_visible()
    expect(translation_state(page)).to_contain_text(RU.missing)
    expect(section_text(page)).to_have_count(0)
    assert_accessible(page)

    # The editor: each English paragraph beside an empty field for its Russian text.
    page.get_by_role("link", name=RU.translate_beside).click()
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/translate/ru/$"))
    expect(heading(page)).to_have_text(RU.editor_heading)
    expect(page.get_by_text(RU.source_title, exact=True)).to_be_visible()
    expect(page.locator("main").get_by_text(TITLE, exact=True)).to_be_visible()
    title = page.get_by_label(f"{RU.title}*", exact=True)  # marked as required
    expect(title).to_have_value("")
    sources = page.locator("main .source-paragraph")
    expect(sources).to_have_text(ENGLISH)
    for index in (1, 2):
        expect(page.get_by_text(RU.source_paragraph.format(index), exact=True)).to_be_visible()
        source, field = sources.nth(index - 1), page.get_by_label(RU.paragraph.format(index), exact=True)
        expect(field).to_have_value("")
        assert spoken_language(source) == "en"
        assert spoken_language(field) == "ru"
        assert_beside(source, field)
    extra = page.get_by_label(RU.paragraph.format(3), exact=True)  # a row for a paragraph to add
    expect(extra).to_have_value("")
    expect(sources).to_have_count(2)
    assert_accessible(page)

    # Typed with the keyboard, Tab going from the title to each paragraph's field in turn.
    title.click()
    page.keyboard.type(RUSSIAN_TITLE)
    for index, paragraph in enumerate(RUSSIAN, start=1):
        page.keyboard.press("Tab")
        field = page.get_by_label(RU.paragraph.format(index), exact=True)
        expect(field).to_be_focused()
        page.keyboard.type(paragraph)
    page.keyboard.press("Tab")
    expect(extra).to_be_focused()
    page.get_by_label(RU.summary).fill("Первый перевод")
    page.get_by_role("button", name=RU.save, exact=True).click()

    # The section's Russian page: the Russian text, up to date.
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/\?language=ru$"))
    expect(success(page)).to_have_text(RU.saved.format(1))
    expect(heading(page)).to_have_text(RUSSIAN_TITLE)
    expect(section_text(page).locator("p")).to_have_text(RUSSIAN)
    assert spoken_language(heading(page)) == spoken_language(section_text(page)) == "ru"
    expect(section_text(page)).not_to_contain_text(ENGLISH[0])
    state = translation_state(page)
    expect(state).to_contain_text(RU.up_to_date)
    expect(state).to_contain_text(RU.up_to_date_since.format(1))
    expect(page.get_by_role("link", name=RU.edit_beside)).to_be_visible()
    expect_interface_in(page, "ru")
    assert_accessible(page)

    # Maria amends the English source; on reloading, Dana's Russian text is out of date.
    amend_the_english_source(translating)
    page.reload()
    expect(section_text(page).locator("p")).to_have_text(RUSSIAN)
    state = translation_state(page)
    expect(state).to_have_role("status")
    expect(state).to_contain_text(RU.out_of_date)
    expect(state).to_contain_text(RU.out_of_date_since.format(1, 2))
    expect(state).not_to_contain_text(RU.up_to_date)
    assert_accessible(page)

    # What changed in the English source since version 1, the inserted words marked.
    state.get_by_role("link", name=RU.see_changes).click()
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/compare/\?from=1&to=2$"))
    expect(heading(page)).to_have_text(RU.changes_heading.format(1, 2))
    diff = page.locator("main .diff-inline")
    expect(diff.locator("ins")).to_have_text([INSERTED])
    expect(diff.locator("del")).to_have_count(0)
    # the text as it reads on the screen: without the words ("Вставлено:") said to screen readers only
    shown = (
        "e => { const c = e.cloneNode(true);"
        " c.querySelectorAll('.visually-hidden').forEach(n => n.remove()); return c.textContent; }"
    )
    assert AMENDED_SECOND in diff.evaluate(shown)
    expect_interface_in(page, "ru")
    assert_accessible(page)

    # The concept's translations page: the section's Russian text is out of date.
    page.get_by_role("link", name=CONCEPT, exact=True).click()
    page.get_by_role("link", name=RU.translations, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/concepts/{translating.concept.pk}/translations/$"))
    expect(heading(page)).to_have_text(RU.translations)
    expect(page.locator("main li").filter(has_text="Русский:")).to_have_text(RU.translation_counts.format(0, 1, 0))
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.get_by_role("rowheader")).to_have_text(f"1 {TITLE}")
    assert spoken_language(rows.get_by_role("rowheader").get_by_role("link")) == "en"
    cells = rows.locator("td")
    expect(cells.nth(0)).to_have_text("версия 2")
    expect(cells.nth(1)).to_contain_text(RU.out_of_date)
    expect(cells.nth(1).get_by_role("link")).to_have_text([RU.changes_since.format(1), RU.read, RU.edit])
    assert_accessible(page)

    # From there, back to the Russian text.
    cells.nth(1).get_by_role("link", name=RU.read, exact=True).click()
    expect(page).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/\?language=ru$"))
    expect(heading(page)).to_have_text(RUSSIAN_TITLE)


def assert_beside(source, field) -> None:
    """`source` is on the left of `field`, on the same line of the page (the side-by-side layout)."""
    left, right = source.bounding_box(), field.bounding_box()
    assert left and right, "the source paragraph or its field is not displayed"
    assert left["x"] + left["width"] <= right["x"], f"the source is not left of its field: {left} {right}"
    overlap = min(left["y"] + left["height"], right["y"] + right["height"]) - max(left["y"], right["y"])
    assert overlap > 0, f"the source and its field are not side by side: {left} {right}"


# --------------------------------------------------------------------------------------------
# 2. The translation pages, in each state, are accessible in either interface language
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("interface", ["en", "ru"])
def test_the_translation_pages_are_accessible_in_either_interface_language(page, log_in, translating, interface):
    section_url = translating.purpose.get_absolute_url()
    editor_url = f"{section_url}translate/ru/"
    log_in("dana", PASSWORD)
    if interface == "ru":
        switch_interface_to_russian(page)
    expect_interface_in(page, interface)
    words = RU if interface == "ru" else EN

    # Not translated yet: the Russian page, and the editor refusing a translation without a title.
    page.goto(f"{section_url}?language=ru")
    expect(translation_state(page)).to_be_visible()
    expect(section_text(page)).to_have_count(0)
    assert_accessible(page)
    page.goto(editor_url)
    page.get_by_label(words.paragraph.format(1), exact=True).fill(RUSSIAN[0])
    page.get_by_role("button", name=words.save, exact=True).click()
    expect(page).to_have_url(editor_url)
    title = page.get_by_label(f"{words.title}*", exact=True)
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main .invalid-feedback")).to_have_text(words.required)
    expect(page.get_by_label(words.paragraph.format(1), exact=True)).to_have_value(RUSSIAN[0])  # what was typed is kept
    assert_accessible(page)

    # Translated, then out of date: the Russian page, the editor, the source's changes, the translations.
    translate_in_the_background(translating)
    amend_the_english_source(translating)
    page.goto(f"{section_url}?language=ru")
    expect(section_text(page).locator("p")).to_have_text(RUSSIAN)
    state = translation_state(page)
    expect(state).to_have_role("status")
    assert_accessible(page)
    page.goto(editor_url)
    expect(page.locator("main .source-paragraph")).to_have_text([ENGLISH[0], AMENDED_SECOND])
    expect(page.get_by_label(words.paragraph.format(2), exact=True)).to_have_value(RUSSIAN[1])
    expect(page.get_by_label(words.paragraph.format(3), exact=True)).to_have_value("")
    expect(page.get_by_label(words.paragraph.format(4), exact=True)).to_have_count(0)
    assert_accessible(page)
    page.go_back()
    state.get_by_role("link", name=words.see_changes).click()
    expect(heading(page)).to_have_text(words.changes_heading.format(1, 2))
    assert_accessible(page)
    page.goto(f"/concepts/{translating.concept.pk}/translations/")
    expect(heading(page)).to_have_text(words.translations)
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader", name=words.russian_column, exact=True)).to_be_visible()
    # The language's name is a word of the interface, and is read as such.
    assert spoken_language(table.get_by_role("columnheader", name=words.russian_column, exact=True)) == interface
    expect(table.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)
    expect_interface_in(page, interface)


# --------------------------------------------------------------------------------------------
# 3. The interface language stays: from page to page, after logging out, and in another browser
# --------------------------------------------------------------------------------------------


def test_the_russian_interface_stays_after_logging_out_and_follows_the_drafter_to_another_browser(
    page, log_in, second_browser, translating
):
    log_in("dana", PASSWORD)
    switch_interface_to_russian(page)

    # A new page, reached by a link, and the same page loaded again.
    page.get_by_role("navigation", name="Страницы проекта").get_by_role("link", name=RU.concepts).click()
    expect(heading(page)).to_have_text("Концептуальные документы")
    expect_interface_in(page, "ru")
    page.reload()
    expect_interface_in(page, "ru")

    # Logged out, the browser keeps the language; and Dana logs in again with the Russian form.
    page.get_by_role("button", name=RU.log_out, exact=True).click()
    expect(page.get_by_role("link", name=RU.log_in, exact=True)).to_be_visible()
    expect_interface_in(page, "ru")
    assert_accessible(page)
    sign_in(page, "dana", button=RU.log_in)
    expect(heading(page)).to_have_text(CONCEPT)
    expect_interface_in(page, "ru")

    # Another browser, asking for English: the log-in page is in English, and after Dana logs
    # in the interface is Russian, her saved language.
    elsewhere = second_browser()
    elsewhere.goto("/accounts/login/")
    expect_interface_in(elsewhere, "en")
    sign_in(elsewhere, "dana", button="Log in")
    expect(heading(elsewhere)).to_have_text(CONCEPT)
    expect_interface_in(elsewhere, "ru")
    assert_accessible(elsewhere)
    elsewhere.get_by_role("link", name=RU.preferences, exact=True).click()
    expect(heading(elsewhere)).to_have_text(RU.your_preferences)
    expect(elsewhere.locator("main").get_by_label(RU.language, exact=True).locator("option:checked")).to_have_text(
        "Русский"
    )
    assert_accessible(elsewhere)

    # Switching back to English while reading the Russian text: the interface changes, the text does not.
    translate_in_the_background(translating)
    elsewhere.goto(f"{translating.purpose.get_absolute_url()}?language=ru")
    expect(heading(elsewhere)).to_have_text(RUSSIAN_TITLE)
    expect_interface_in(elsewhere, "ru")
    navigation = elsewhere.get_by_role("navigation", name=RU.main_navigation)
    navigation.get_by_label(RU.language, exact=True).select_option(label="English")
    navigation.get_by_role("button", name="Применить", exact=True).click()
    expect(elsewhere).to_have_url(re.compile(rf"/sections/{translating.purpose.pk}/\?language=ru$"))
    expect_interface_in(elsewhere, "en")
    expect(heading(elsewhere)).to_have_text(RUSSIAN_TITLE)
    expect(section_text(elsewhere).locator("p")).to_have_text(RUSSIAN)
    expect(translation_state(elsewhere)).to_contain_text("Up to date")
