"""Deliberate actions confirmed first, removed sections restored, and a long concept read with its contents."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from concepts import services
from concepts.models import Concept, Edition, Section
from concepts.presence import presence_touch
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, title="Migration concept")


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Asylum", body="Text.", author=users["drafter"])


def at_status(concept, status):
    Concept.objects.filter(pk=concept.pk).update(status=status)


def test_marking_final_asks_first_and_a_post_without_the_confirmation_does_nothing(client_for, concept):
    at_status(concept, Concept.Status.CONSULTATION)
    client = client_for("manager")
    page = client.get(f"/concepts/{concept.pk}/").content.decode()
    assert f'href="/concepts/{concept.pk}/advance/">Mark as final…</a>' in page
    asked = client.post(f"/concepts/{concept.pk}/advance/", {"to": "final"})
    assert asked.status_code == 200
    assert "The consultation stage ends" in asked.content.decode()
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.CONSULTATION
    done = client.post(f"/concepts/{concept.pk}/advance/", {"to": "final", "confirmed": "yes"})
    assert done.status_code == 302 and Concept.objects.get(pk=concept.pk).status == Concept.Status.FINAL


def test_publishing_says_who_will_be_able_to_read_the_final_edition(client_for, concept, published_project):
    concept.project = published_project
    concept.save()
    at_status(concept, Concept.Status.FINAL)
    Edition.objects.create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 25), is_final=True)
    client = client_for("manager")
    page = client.get(f"/concepts/{concept.pk}/advance/").content.decode()
    assert "Anyone on the internet will be able to read “Final draft”" in page
    client.post(f"/concepts/{concept.pk}/advance/", {"to": "published"})
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.FINAL
    client.post(f"/concepts/{concept.pk}/advance/", {"to": "published", "confirmed": "yes"})
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.PUBLISHED


def test_publishing_without_a_final_edition_offers_no_button(client_for, concept):
    at_status(concept, Concept.Status.FINAL)
    page = client_for("manager").get(f"/concepts/{concept.pk}/advance/").content.decode()
    assert "Freeze a final edition before publishing the concept." in page
    assert 'name="confirmed"' not in page


def test_a_confirmation_of_one_step_never_takes_the_next(client_for, concept):
    """Two tabs confirmed "Mark as final": the second post must not publish."""
    at_status(concept, Concept.Status.CONSULTATION)
    client = client_for("manager")
    client.post(f"/concepts/{concept.pk}/advance/", {"to": "final", "confirmed": "yes"})
    client.post(f"/concepts/{concept.pk}/advance/", {"to": "final", "confirmed": "yes"})
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.FINAL
    with pytest.raises(ValidationError):
        services.concept_advance_status(concept=concept, to="final")


@pytest.mark.parametrize(("role", "status"), [("drafter", 403), ("reviewer", 403), ("outsider", 404)])
def test_others_may_not_confirm_a_step(client_for, concept, role, status):
    at_status(concept, Concept.Status.CONSULTATION)
    response = client_for(role).post(f"/concepts/{concept.pk}/advance/", {"to": "final", "confirmed": "yes"})
    assert response.status_code == status
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.CONSULTATION


def test_removing_a_section_asks_first_then_it_is_listed_to_managers_with_restore(client_for, concept, section, users):
    child = section_with_version(concept, title="Procedures", parent=section, author=users["drafter"])
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/remove/"
    asked = client.get(url).content.decode()
    assert "“Asylum” and its 1 subsection leave the outline" in asked
    client.post(url)
    assert not Section.objects.get(pk=section.pk).is_removed
    client.post(url, {"confirmed": "yes"})
    assert Section.objects.filter(pk__in=[section.pk, child.pk], is_removed=True).count() == 2
    page = client.get(f"/concepts/{concept.pk}/").content.decode()
    removed = re.search(r'<section[^>]*id="removed-sections".*?</section>', page, re.S).group(0)
    assert "Asylum" in removed and "Procedures" not in removed  # it comes back with its section
    assert "Removed sections" not in client_for("drafter").get(f"/concepts/{concept.pk}/").content.decode()
    restored = client_for("manager").post(f"/concepts/{concept.pk}/sections/{section.pk}/restore/")
    assert restored.status_code == 302
    assert Section.objects.filter(pk__in=[section.pk, child.pk], is_removed=False).count() == 2
    assert section.versions.count() == 1  # nothing rewritten


@pytest.mark.parametrize(("role", "status"), [("drafter", 403), ("reviewer", 403), ("outsider", 404)])
def test_others_may_not_restore(client_for, concept, section, role, status):
    services.section_remove(section=section)
    assert client_for(role).post(f"/concepts/{concept.pk}/sections/{section.pk}/restore/").status_code == status
    assert Section.objects.get(pk=section.pk).is_removed


def test_a_section_under_a_removed_one_cannot_come_back_alone(concept, section, users):
    child = section_with_version(concept, title="Procedures", parent=section, author=users["drafter"])
    services.section_remove(section=child)
    services.section_remove(section=section)
    with pytest.raises(ValidationError):
        services.section_restore(section=child)


def test_section_pages_link_to_the_previous_and_next_sections_and_back_to_contents(client_for, concept, users):
    first = section_with_version(concept, title="One", author=users["drafter"], position=1)
    second = section_with_version(concept, title="Two", author=users["drafter"], position=2)
    nested = section_with_version(concept, title="Two point one", parent=second, author=users["drafter"])
    page = client_for("reviewer").get(second.get_absolute_url()).content.decode()
    pager = re.search(r"<nav[^>]*section-pager.*?</nav>", page, re.S).group(0)
    assert f'href="{first.get_absolute_url()}" rel="prev"' in pager and "1 One" in pager
    assert f'href="{nested.get_absolute_url()}" rel="next"' in pager and "2.1 Two point one" in pager
    assert f'href="/concepts/{concept.pk}/#section-{second.pk}">Back to contents</a>' in page


def test_the_contents_show_open_comments_and_who_is_editing_without_a_query_per_section(
    client_for, concept, users, django_assert_max_num_queries
):
    sections = [
        section_with_version(concept, title=f"Part {n}", author=users["drafter"], position=n) for n in range(1, 51)
    ]
    for target in sections[:10]:
        services.comment_add(section=target, version=target.head, author=users["reviewer"], body="?", notify=False)
    presence_touch(section_id=sections[3].pk, user=users["drafter"])
    client = client_for("manager")
    with django_assert_max_num_queries(16):
        page = client.get(f"/concepts/{concept.pk}/").content.decode()
    contents = re.search(r'<nav[^>]*id="concept-contents".*?</nav>', page, re.S).group(0)
    assert contents.count('1<span class="visually-hidden"> open comment</span>') == 10
    assert contents.count("Being edited by drafter") == 1
    assert f'id="outline-{sections[3].pk}"' in contents
    entry = re.search(rf'id="outline-{sections[3].pk}">.*?</li>', contents, re.S).group(0)
    assert "Being edited by drafter" in entry
