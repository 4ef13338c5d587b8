"""The concept page keeps its whole body in the cache (under the concept's and the project's content
revisions, the reader's capabilities and the language): every change shows on the next request, every
reader gets their own buttons, token and presence, and a warm page reads neither the sections nor the
comments and renders nothing."""

import datetime
import re
from unittest import mock

import pytest
from django.test import Client

from common.fragments import CSRF_PLACEHOLDER
from concepts import services, views
from concepts.models import Concept, RenderJob
from concepts.presence import presence_touch
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, title="National Migration Policy")


@pytest.fixture
def sections(concept, users):
    return [
        section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"], position=1),
        section_with_version(concept, title="Labour", body="Work permits.", author=users["drafter"], position=2),
    ]


def page(client, concept, language="en") -> str:
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(f"/concepts/{concept.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def outline(html: str) -> str:
    return html[html.index('id="concept-contents"') : html.index('class="col-lg-6"')]


def test_a_new_version_an_added_and_a_moved_section_show_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert "Protection for all." in page(client, concept)
    services.section_save(section=sections[0], base_number=1, title="Asylum and protection",
                          body="Protection for everyone.", user=users["drafter"])  # fmt: skip
    services.section_add(concept=concept, title="Integration", body="Language courses.", user=users["drafter"])
    shown = page(client, concept)
    assert "1 Asylum and protection" in shown and "Protection for everyone." in shown
    assert "Protection for all." not in shown and "3 Integration" in shown and "Language courses." in shown
    services.section_move(section=sections[1], direction="up")
    assert "1 Labour" in page(client, concept) and "2 Asylum and protection" in page(client, concept)


def test_a_removed_section_leaves_the_outline_and_comes_back_when_restored(client_for, concept, sections):
    client = client_for("manager")
    page(client, concept)
    services.section_remove(section=sections[1])
    shown = page(client, concept)
    assert "Work permits." not in shown and "2 Labour" not in shown
    assert 'id="removed-sections"' in shown and f"/sections/{sections[1].pk}/restore/" in shown
    services.section_restore(section=sections[1])
    shown = page(client, concept)
    assert "Work permits." in shown and 'id="removed-sections"' not in shown


def test_open_comments_are_counted_at_once_and_dropped_when_settled(client_for, concept, sections, users):
    client = client_for("manager")
    assert "open comment" not in outline(page(client, concept))
    comment = services.comment_add(
        section=sections[0], version=sections[0].head, author=users["reviewer"], body="Define asylum.", notify=False
    )
    assert '1<span class="visually-hidden"> open comment</span>' in outline(page(client, concept))
    services.comment_set_disposition(comment=comment, disposition="accepted", user=users["manager"], notify=False)
    assert "open comment" not in outline(page(client, concept))


def test_a_new_edition_a_status_change_and_a_renamed_author_show_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert "No edition frozen yet." in page(client, concept)
    services.edition_create(concept=concept, name="Workshop draft", date=datetime.date(2026, 3, 1), is_final=False,
                            user=users["manager"])  # fmt: skip
    assert "Workshop draft" in page(client, concept)
    services.concept_advance_status(concept=Concept.objects.get(pk=concept.pk))
    shown = page(client, concept)
    assert "Open consultation" not in shown and "Mark as final" in shown
    users["drafter"].first_name, users["drafter"].last_name = "Dana", "Drafter"
    users["drafter"].save()
    assert "Dana Drafter" in page(client, concept)


def test_a_reviewer_never_gets_the_managers_buttons_or_removed_sections(client_for, concept, sections):
    services.section_remove(section=sections[1])
    manager = page(client_for("manager"), concept)
    assert "Add section" in manager and "Open consultation" in manager and 'id="removed-sections"' in manager
    reviewer = page(client_for("reviewer"), concept)
    assert "Protection for all." in reviewer
    assert "Add section" not in reviewer and "Open consultation" not in reviewer
    assert 'id="removed-sections"' not in reviewer and "section-actions" not in reviewer
    document = reviewer[reviewer.index('class="col-lg-6"') : reviewer.index('aria-labelledby="editions"')]
    assert "data-inplace-edit" not in document and "csrfmiddlewaretoken" not in document


def test_a_manager_gets_the_buttons_after_a_reviewer_rendered_the_page(client_for, concept, sections):
    assert "Add section" not in page(client_for("reviewer"), concept)
    manager = page(client_for("manager"), concept)
    assert "Add section" in manager and 'formaction="/concepts/' in manager


def test_outsiders_and_visitors_are_still_refused_once_the_body_is_kept(client_for, concept, sections):
    page(client_for("staff"), concept)
    url = f"/concepts/{concept.pk}/"
    assert client_for("outsider").get(url).status_code == 404
    assert client_for("anonymous").get(url).status_code == 404
    assert client_for("donor").get(url).status_code == 404  # no published edition to be sent to


def test_each_reader_gets_their_own_working_token_never_the_placeholder(concept, sections, users):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(users["manager"]), second.force_login(users["staff"])
    page(first, concept)  # rendered and kept
    shown = page(second, concept)
    assert CSRF_PLACEHOLDER not in shown
    advance = shown[shown.index(f'action="/concepts/{concept.pk}/advance/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', advance).group(1)
    response = second.post(f"/concepts/{concept.pk}/advance/", {"to": "consultation", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.CONSULTATION


def test_each_reader_sees_who_else_is_editing_but_not_themselves(client_for, concept, sections, users):
    page(client_for("manager"), concept)
    presence_touch(section_id=sections[0].pk, user=users["drafter"])
    assert "Being edited by drafter" in outline(page(client_for("manager"), concept))
    assert "Being edited by" not in page(client_for("drafter"), concept)


def test_russian_and_english_are_kept_apart(client_for, concept, sections):
    client = client_for("manager")
    assert "Add section" in page(client, concept, "en")
    russian = page(client, concept, "ru")
    assert "Add section" not in russian and "Добавить раздел" in russian
    assert "Add section" in page(client, concept, "en")


def test_the_kept_body_is_reused_with_fewer_queries(client_for, concept, users, django_assert_max_num_queries):
    for position in range(1, 21):
        section_with_version(concept, title=f"Part {position}", body=f"Text *{position}*.", position=position)
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/"
    with mock.patch.object(views, "_concept_body", wraps=views._concept_body) as body:
        with django_assert_max_num_queries(12) as cold:
            first = client.get(url).content.decode()
        # session, user, concept with role (its revision, whether any file was asked for); a manager's
        # dashboard link comes from the access decision, and no file was asked for: no list to read
        with django_assert_max_num_queries(3) as warm:
            second = client.get(url).content.decode()
    assert body.call_count == 1
    assert len(warm.captured_queries) < len(cold.captured_queries)
    read = " ".join(query["sql"] for query in warm.captured_queries)
    assert "concepts_section" not in read and "concepts_comment" not in read
    assert first.count("Text <em>") == second.count("Text <em>") == 20


def compare(client, concept, section, query="from=1&to=2", language="en") -> str:
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(f"/concepts/{concept.pk}/sections/{section.pk}/compare/?{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_comparison_is_computed_once_and_read_without_the_texts(
    client_for, concept, sections, users, django_assert_max_num_queries
):
    services.section_save(section=sections[0], base_number=1, title="Asylum", body="Protection for everyone.",
                          user=users["drafter"])  # fmt: skip
    client = client_for("reviewer")
    with mock.patch.object(views, "_section_diff", wraps=views._section_diff) as diff:
        with django_assert_max_num_queries(8) as cold:
            first = compare(client, concept, sections[0])
        with django_assert_max_num_queries(6) as warm:  # session, user, section with role, both versions, header
            second = compare(client, concept, sections[0])
    assert diff.call_count == 1
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert "all" in first[first.index("<del") :] and "everyone" in first[first.index("<ins") :]
    assert first.count("<ins") == second.count("<ins") > 0
    body_reads = [query["sql"] for query in warm.captured_queries if '"body"' in query["sql"]]
    assert all("LENGTH" in sql.upper() for sql in body_reads)  # the texts' lengths, never the texts


def test_a_new_version_is_compared_at_once_and_each_pair_keeps_its_own_comparison(client_for, concept, sections, users):
    client = client_for("manager")
    services.section_save(section=sections[0], base_number=1, title="Asylum", body="Protection for some.",
                          user=users["drafter"])  # fmt: skip
    assert "some" in compare(client, concept, sections[0])
    services.section_save(section=sections[0], base_number=2, title="Asylum", body="Protection for many.",
                          user=users["drafter"])  # fmt: skip
    latest = compare(client, concept, sections[0], "from=2&to=3")
    assert "many" in latest
    assert "many" not in compare(client, concept, sections[0], "from=1&to=2")
    assert "Show in one text" in compare(client, concept, sections[0], "from=1&to=3&view=side")


def test_a_comparison_is_refused_to_outsiders_and_donors_once_kept(client_for, concept, sections, users):
    services.section_save(section=sections[0], base_number=1, title="Asylum", body="Protection for everyone.",
                          user=users["drafter"])  # fmt: skip
    compare(client_for("manager"), concept, sections[0])
    url = f"/concepts/{concept.pk}/sections/{sections[0].pk}/compare/?from=1&to=2"
    for role in ("outsider", "anonymous", "donor"):
        assert client_for(role).get(url).status_code in (302, 403, 404), role
    assert client_for("outsider").get(url).status_code == 404


def test_a_comparison_in_russian_and_english_is_kept_apart(client_for, concept, sections, users):
    services.section_save(section=sections[0], base_number=1, title="Asylum", body="Protection for everyone.",
                          user=users["drafter"])  # fmt: skip
    client = client_for("manager")
    assert "Show side by side" in compare(client, concept, sections[0])
    russian = compare(client, concept, sections[0], language="ru")
    assert "Show side by side" not in russian and "1 change" not in russian
    assert "1 change" in compare(client, concept, sections[0])


def test_the_printable_files_panel_is_kept_until_a_file_is_asked_for(concept, sections, users):
    """No render yet: the panel comes with the kept body, with the reader's own token, and no list is read.
    Once a file is asked for, the list (and how far each file has got) is read on every request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client(enforce_csrf_checks=True)
    client.force_login(users["manager"])
    page(client, concept)
    with CaptureQueriesContext(connection) as queries:
        shown = page(client, concept)
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "concepts_renderjob"')]
    panel = shown[shown.index('id="renders"') :]
    assert "No files yet." in panel and CSRF_PLACEHOLDER not in panel
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', panel).group(1)
    response = client.post(f"/concepts/{concept.pk}/renders/new/", {"kind": "draft", "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)  # the reader's own token was accepted
    (job,) = RenderJob.objects.filter(concept=concept)
    shown = page(client, concept)
    panel = shown[shown.index('id="renders"') :]
    assert "No files yet." not in panel and f'id="render-{job.pk}"' in panel
    RenderJob.objects.filter(concept=concept).delete()  # the kept panel is still right for none
    assert "No files yet." in page(client, concept)
