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
