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


def test_the_demo_concept_has_every_disposition_its_sources_and_both_editions():
    call_command("seed_demo", "--not-production", verbosity=0)
    concept = Concept.objects.get(title__startswith="Concept of the National Migration Policy")
    assert concept.status == Concept.Status.PUBLISHED
    comments = Comment.objects.filter(section__concept=concept, parent=None, version__language="en")
    assert set(comments.values_list("disposition", flat=True)) == set(Comment.Disposition.values)
    recommendations = comments.filter(is_recommendation=True)
    assert set(recommendations.values_list("disposition", flat=True)) == set(Comment.Disposition.values)
    declined = recommendations.get(disposition="declined")
    assert declined.disposition_reason.strip()
    incorporated = recommendations.filter(disposition="incorporated")
    assert incorporated.count() == 2
    for comment in incorporated:
        assert comment.incorporated_in.section == comment.section
        assert comment.incorporated_in.number > comment.version.number
    sources = {(c.source_activity.title, c.source_activity.kind) for c in recommendations.exclude(source_activity=None)}
    assert sources == {
        ("Fact-finding mission to Belarus", "fact_finding"),
        ("Two-day consultation on the draft Concept", "consultation"),
    }
    assert not recommendations.filter(source_activity=None).exists()
    editions = [(e.name, e.is_final, e.presented_at.title, e.presented_at.kind) for e in concept.editions.all()]
    assert editions == [
        ("First advanced draft", False, "Presentation of the first advanced draft", "meeting"),
        ("Final draft", True, "Closing event: presentation of the Final Draft Concept", "closing_event"),
    ]
