"""TranslatedFieldsMixin and the `localized` template filter: the Russian version of a fact on
Russian pages where there is one, the English text everywhere else, field by field."""

import pytest
from django.template import engines
from django.utils import translation

from activities.tests.factories import ActivityFactory
from projects.tests.factories import ProjectFactory


def _project(**fields):
    return ProjectFactory.build(title="Labour migration data", summary="English summary.", **fields)


@pytest.mark.parametrize("language", ["ru", "ru-by"])
def test_russian_is_given_while_russian_is_active(language):
    project = _project(title_ru="Данные о трудовой миграции")
    with translation.override(language):
        assert project.localized("title") == "Данные о трудовой миграции"


def test_english_is_given_in_english_even_where_a_russian_version_exists():
    project = _project(title_ru="Данные о трудовой миграции")
    with translation.override("en"):
        assert project.localized("title") == "Labour migration data"


@pytest.mark.parametrize("russian", ["", "   \n"])
def test_an_empty_russian_version_falls_back_to_english(russian):
    project = _project(title_ru=russian)
    with translation.override("ru"):
        assert project.localized("title") == "Labour migration data"


def test_the_fallback_is_per_field():
    activity = ActivityFactory.build(title="Study visit", title_ru="Ознакомительный визит", description="In Vienna.")
    with translation.override("ru"):
        assert activity.localized("title") == "Ознакомительный визит"
        assert activity.localized("description") == "In Vienna."


def test_a_field_without_a_russian_version_is_refused():
    with pytest.raises(ValueError, match="code"):
        _project().localized("code")


def test_the_template_filter_localizes_and_escapes():
    template = engines["django"].from_string('{% load portal %}{{ project|localized:"title" }}')
    project = _project(title_ru="Миграция <и> развитие")
    with translation.override("ru"):
        assert template.render({"project": project}) == "Миграция &lt;и&gt; развитие"
    with translation.override("en"):
        assert template.render({"project": project}) == "Labour migration data"


def test_the_template_filter_prints_nothing_for_a_missing_object():
    template = engines["django"].from_string('{% load portal %}[{{ line.activity|localized:"title" }}]')
    assert template.render({"line": {"activity": None}}) == "[]"
