"""A reader whose interface is in Russian reads a concept's Russian text first, where there is one."""

import datetime

import pytest
from django.conf import settings

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

ENGLISH, RUSSIAN = "Migration is managed by law.", "Миграция регулируется законом."


@pytest.fixture
def kept_in_russian(project, users):
    concept = ConceptFactory(project=project, language="en", target_languages=["ru"])
    translated = section_with_version(concept, title="Scope", body=ENGLISH, author=users["drafter"], position=1)
    services.section_save(section=translated, base_number=0, title="Сфера", body=RUSSIAN, user=users["drafter"],
                          language="ru", source_number=1)  # fmt: skip
    untranslated = section_with_version(
        concept, title="Annex", body="Only English here.", author=users["drafter"], position=2
    )
    return concept, translated, untranslated


def _reader(client_for, role, language):
    client = client_for(role)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_russian_reader_gets_the_russian_text_and_can_switch_to_the_source(client_for, kept_in_russian):
    concept, translated, _ = kept_in_russian
    client = _reader(client_for, "reviewer", "ru")
    page = client.get(translated.get_absolute_url()).content.decode()
    assert RUSSIAN in page and ENGLISH not in page
    assert f'href="{translated.get_absolute_url()}?language=en"' in page  # the source's tab names its language
    page = client.get(f"{translated.get_absolute_url()}?language=en").content.decode()
    assert ENGLISH in page and RUSSIAN not in page


def test_a_section_not_yet_translated_is_shown_in_the_source(client_for, kept_in_russian):
    _, _, untranslated = kept_in_russian
    page = _reader(client_for, "reviewer", "ru").get(untranslated.get_absolute_url()).content.decode()
    assert "Only English here." in page


def test_the_english_reader_still_gets_the_source(client_for, kept_in_russian):
    _, translated, _ = kept_in_russian
    page = _reader(client_for, "reviewer", "en").get(translated.get_absolute_url()).content.decode()
    assert ENGLISH in page and RUSSIAN not in page


def test_an_edition_frozen_in_both_languages_opens_in_the_readers(client_for, kept_in_russian, users):
    concept, _, _ = kept_in_russian
    edition = services.edition_create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 25),
                                      is_final=False, user=users["manager"])  # fmt: skip
    url = f"/concepts/{concept.pk}/editions/{edition.pk}/"
    assert RUSSIAN in _reader(client_for, "reviewer", "ru").get(url).content.decode()
    page = _reader(client_for, "reviewer", "en").get(url).content.decode()
    assert ENGLISH in page and RUSSIAN not in page


def test_the_comments_on_the_other_languages_text_are_pointed_to_from_each_tab(client_for, kept_in_russian, users):
    """The outline counts every open comment; a tab listing none must not leave the reader wondering."""
    _, translated, _ = kept_in_russian
    russian = translated.versions.get(language="ru")
    services.comment_add(section=translated, version=russian, author=users["reviewer"], body="Уточнить термин.")
    client = _reader(client_for, "reviewer", "en")
    english_page = client.get(f"{translated.get_absolute_url()}?language=en").content.decode()
    link = f'<a href="{translated.get_absolute_url()}?language=ru#comments" hreflang="ru">Russian (1)</a>'
    assert "Open comments on the text in another language:" in english_page and link in english_page
    assert "Уточнить термин." not in english_page
    russian_page = client.get(f"{translated.get_absolute_url()}?language=ru").content.decode()
    assert "Уточнить термин." in russian_page and "Open comments on the text in another language" not in russian_page
    services.comment_add(section=translated, version=translated.head, author=users["reviewer"], body="Define it.")
    russian_page = client.get(f"{translated.get_absolute_url()}?language=ru").content.decode()
    assert f'{translated.get_absolute_url()}?language=en#comments" hreflang="en">English (1)</a>' in russian_page
    in_russian = _reader(client_for, "reviewer", "ru").get(f"{translated.get_absolute_url()}?language=ru")
    assert "Открытые комментарии к тексту на другом языке:" in in_russian.content.decode()
