"""The demo concept holds every state a translation can be in, and a comment on the Russian text."""

import pytest
from django.core.management import call_command

from concepts import selectors
from concepts.models import Comment, Concept, EditionEntry

pytestmark = pytest.mark.django_db


def test_the_demo_concept_is_kept_in_russian_with_each_translation_state():
    call_command("seed_demo", "--not-production", verbosity=0)
    concept = Concept.objects.get(title__startswith="Concept of the National Migration Policy")
    assert concept.language == "en" and concept.target_languages == ["ru"]
    rows = selectors.translation_states(concept=concept, outline=selectors.outline_for_concept(concept=concept))
    states = {entry.section.head.title: states[0].status for entry, states in rows}
    assert states["The impact of migration on socio-economic development"] == "out_of_date"
    assert states["Implementation, monitoring and evaluation"] == "missing"
    assert list(states.values()).count("up_to_date") == 8
    final = concept.editions.get(name="Final draft")
    assert EditionEntry.objects.filter(edition=final, language="ru").count() == 9
    assert Comment.objects.filter(section__concept=concept, version__language="ru").count() == 1
