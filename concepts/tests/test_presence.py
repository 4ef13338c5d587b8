"""Who has a section open for editing: recorded only by the edit page's POST, with its CSRF token."""

import pytest
from django.test import Client
from django.urls import reverse

from concepts.tests.factories import ConceptFactory, concept_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def presence_url(project, users):
    concept = ConceptFactory(project=project)
    section = concept_objects(concept, author=users["drafter"])["section"]
    return reverse("concepts:section_presence", args=[concept.pk, section.pk])


def shown_to_manager(client_for, url) -> str:
    return client_for("manager").post(url).content.decode()


def test_the_edit_page_polling_shows_the_other_editor(client_for, presence_url, users):
    users["drafter"].first_name, users["drafter"].last_name = "Alena", "Drafter"
    users["drafter"].save()
    assert client_for("drafter").post(presence_url).status_code == 200
    assert "Alena Drafter also has this section open for editing." in shown_to_manager(client_for, presence_url)


def test_a_get_is_refused_and_records_nobody(client_for, presence_url):
    """Another site's image tag pointing here must not show the visitor as editing."""
    assert client_for("drafter").get(presence_url).status_code == 405
    assert "open for editing" not in shown_to_manager(client_for, presence_url)


def test_a_post_without_the_csrf_token_is_refused_and_records_nobody(client_for, presence_url, users):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(users["drafter"])
    assert forged.post(presence_url).status_code == 403
    assert "open for editing" not in shown_to_manager(client_for, presence_url)


def test_the_edit_page_polls_with_post(client_for, presence_url):
    edit_url = presence_url.replace("/presence/", "/edit/")
    page = client_for("drafter").get(edit_url).content.decode()
    assert f'hx-post="{presence_url}"' in page
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
