"""A page of many sections fetches their HTML in one cache round trip, however many sections it has."""

import contextlib
from unittest import mock

import pytest
from django.core.cache import caches

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db


def _cache_reads(client, url):
    """How many times the request asked the cache for something (a get_many is one ask; the
    local-memory cache's get_many calling its own get is not counted again)."""
    backend, depth, asks = caches["default"], [0], [0]

    def counted(method):
        def wrapper(*args, **kwargs):
            asks[0] += depth[0] == 0
            depth[0] += 1
            try:
                return method(*args, **kwargs)
            finally:
                depth[0] -= 1

        return wrapper

    names = ("get", "get_many", "get_or_set")
    with contextlib.ExitStack() as stack:
        for name in names:
            stack.enter_context(mock.patch.object(backend, name, counted(getattr(backend, name))))
        response = client.get(url)
    assert response.status_code == 200
    return asks[0], response.content.decode()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
def test_the_concept_page_reads_the_cache_as_often_with_five_sections_as_with_thirty(client_for, project, users, warm):
    small, large = ConceptFactory(project=project), ConceptFactory(project=project)
    for position in range(1, 6):
        section_with_version(small, title=f"Small {position}", body=f"Text *{position}*.", position=position)
    for position in range(1, 31):
        section_with_version(large, title=f"Large {position}", body=f"Text **{position}**.", position=position)
    client = client_for("drafter")
    if warm:
        client.get(f"/concepts/{small.pk}/"), client.get(f"/concepts/{large.pk}/")
    small_reads, _ = _cache_reads(client, f"/concepts/{small.pk}/")
    large_reads, page = _cache_reads(client, f"/concepts/{large.pk}/")
    assert small_reads == large_reads
    assert "Text <strong>30</strong>." in page and "Text <strong>1</strong>." in page


def test_a_saved_section_shows_its_new_text_beside_the_kept_ones(client_for, project, users):
    concept = ConceptFactory(project=project)
    first = section_with_version(concept, title="One", body="Old words.", position=1)
    section_with_version(concept, title="Two", body="Kept words.", position=2)
    client = client_for("drafter")
    client.get(f"/concepts/{concept.pk}/")
    services.section_save(section=first, base_number=1, title="One", body="New words.", user=users["drafter"])
    _, page = _cache_reads(client, f"/concepts/{concept.pk}/")
    assert "New words." in page and "Old words." not in page and "Kept words." in page
