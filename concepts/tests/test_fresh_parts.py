"""The concept page, a section's history and comparisons with a warm cache: never stale, never
another reader's, never another language's."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import translation

from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project)


@pytest.fixture
def sections(concept, users):
    drafter = users["drafter"]
    return [
        section_with_version(concept, title="Introduction", body="Aims of the concept.", author=drafter, position=1),
        section_with_version(concept, title="Asylum", body="Protection for all.", author=drafter, position=2),
    ]


def page_of(client, concept) -> str:
    response = client.get(f"/concepts/{concept.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def document_order(page: str) -> list[str]:
    return re.findall(r'<h2 class="h3" id="heading-\d+"[^>]*>\d+ (\w+)</h2>', page)


def test_a_saved_version_shows_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert "Aims of the concept." in page_of(client, concept)
    services.section_save(section=sections[0], base_number=1, title="Introduction", body="Revised aims.",
                          user=users["drafter"])  # fmt: skip
    page = page_of(client, concept)
    assert "Revised aims." in page and "Aims of the concept." not in page


def test_moving_removing_and_adding_sections_show_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert document_order(page_of(client, concept)) == ["Introduction", "Asylum"]
    services.section_move(section=sections[1], direction="up")
    assert document_order(page_of(client, concept)) == ["Asylum", "Introduction"]
    services.section_remove(section=sections[1])
    assert document_order(page_of(client, concept)) == ["Introduction"]
    services.section_add(concept=concept, title="Monitoring", body="Yearly.", user=users["manager"])
    assert document_order(page_of(client, concept)) == ["Introduction", "Monitoring"]


def test_comments_dispositions_and_editions_show_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert "open comment" not in page_of(client, concept)
    comment = services.comment_add(section=sections[0], version=sections[0].head, author=users["reviewer"],
                                   body="Add a timeline.", notify=False)  # fmt: skip
    assert re.search(r">1<span class=\"visually-hidden\"> open comment<", page_of(client, concept))
    services.comment_set_disposition(comment=comment, disposition="declined", reason="Out of scope.",
                                     user=users["manager"], notify=False)  # fmt: skip
    assert "open comment" not in page_of(client, concept)
    services.edition_create(concept=concept, name="First advanced draft", date=datetime.date(2019, 6, 1),
                            is_final=False, user=users["manager"])  # fmt: skip
    assert "First advanced draft" in page_of(client, concept)


def test_a_reviewer_never_gets_the_managers_buttons_nor_the_reverse(client_for, concept, sections):
    assert "Move “Asylum” up" in page_of(client_for("manager"), concept)
    assert "Move “Asylum” up" not in page_of(client_for("reviewer"), concept)
    assert "Move “Asylum” up" in page_of(client_for("staff"), concept)


def test_each_reader_gets_their_own_csrf_token_in_a_cached_page(concept, sections, users):
    pages = {}
    for username in ("manager", "staff"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users[username])
        page = page_of(client, concept)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        pages[username] = (client, token)
    assert pages["manager"][1] != pages["staff"][1]
    client, token = pages["staff"]  # served from the cache the manager's visit filled
    response = client.post(f"/concepts/{concept.pk}/sections/{sections[1].pk}/move/",
                           {"direction": "up", "csrfmiddlewaretoken": token})  # fmt: skip
    assert response.status_code == 302
    assert document_order(page_of(client, concept)) == ["Asylum", "Introduction"]


def test_the_russian_page_is_not_served_to_an_english_reader(client_for, concept, sections):
    client = client_for("manager")
    with translation.override("ru"):
        client.cookies["django_language"] = "ru"
        assert "Версия 1" in page_of(client, concept)
    client.cookies["django_language"] = "en"
    page = page_of(client, concept)
    assert "Version 1" in page and "Версия 1" not in page


def test_history_shows_a_new_version_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/sections/{sections[0].pk}/history/"
    assert "1 version<" in client.get(url).content.decode()
    services.section_save(section=sections[0], base_number=1, title="Introduction", body="Revised aims.",
                          summary="Tighter aims", user=users["drafter"])  # fmt: skip
    page = client.get(url).content.decode()
    assert "2 versions<" in page and "Tighter aims" in page


def test_history_pages_out_of_range_or_malformed_answer_the_nearest_page(client_for, concept, sections):
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/sections/{sections[0].pk}/history/"
    for page in ("0", "7", "abc", "-3"):
        response = client.get(url, {"page": page})
        assert response.status_code == 200 and "v1</a>" in response.content.decode(), page


def test_each_comparison_shows_its_own_versions(client_for, concept, sections, users):
    section = sections[0]
    for body in ("Aims, first change.", "Aims, second change."):
        head = section.__class__.objects.get(pk=section.pk).head
        services.section_save(section=section, base_number=head.number, title="Introduction", body=body,
                              user=users["drafter"])  # fmt: skip
    client = client_for("reviewer")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/compare/"
    first = client.get(url, {"from": 1, "to": 2}).content.decode()
    second = client.get(url, {"from": 2, "to": 3}).content.decode()
    assert "<del> of the concept</del>" in first and "<ins>, first change</ins>" in first
    assert "second change" not in first
    assert "<del>first</del>" in second and "<ins>second</ins>" in second
