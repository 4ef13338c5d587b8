"""The comparison page keeps its whole body (header, links, the diff and its navigation) under the
concept's content revision, the section, the language and the versions and view asked for: a new
version shows at once, every request decides access first, and a warm page reads one row and one
cache entry and renders nothing of the body. Requests that answer 404 keep nothing. The section's
history keeps its body the same way."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client

from common import fragments
from concepts import services, views
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, title="National Migration Policy", language="en", target_languages=["ru"])


@pytest.fixture
def section(concept, users):
    section = section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"])
    save(section, users["drafter"], "Protection for everyone.", base=1)
    return section


def save(section, user, body, *, base, language="en", source=None):
    section = section.__class__.objects.select_related("head", "concept").get(pk=section.pk)
    return services.section_save(section=section, base_number=base, title="Asylum", body=body, user=user,
                                 language=language, source_number=source or section.head.number)  # fmt: skip


def url(section, query="") -> str:
    return f"/concepts/{section.concept_id}/sections/{section.pk}/compare/{query}"


def compare(client, section, query="", language="en") -> str:
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(url(section, query))
    assert response.status_code == 200
    return response.content.decode()


def reader(role, users) -> Client:
    client = Client()
    client.force_login(users[role])
    return client


def name_of(user) -> str:
    return user.get_full_name() or user.username


def test_a_new_version_moves_the_default_comparison_on_at_once(client_for, section, users):
    client = client_for("reviewer")
    first = compare(client, section)
    assert "Changes from version 1 to version 2" in first and "<ins>everyone</ins>" in first
    save(section, users["drafter"], "Protection for everyone, at once.", base=2)
    second = compare(client, section)
    assert "Changes from version 2 to version 3" in second and "<ins>, at once</ins>" in second
    assert "<ins>everyone</ins>" in compare(client, section, "?from=1&to=2")


def test_the_page_is_whole_and_the_frame_is_each_readers_own(section, users):
    """A reviewer, then a drafter, then the reviewer again: the kept body is the same, the frame
    around it (the reader's name) is each one's; nothing of the marker where the body goes is left."""
    pages = {}
    for role in ("reviewer", "drafter", "reviewer"):
        pages[role] = compare(reader(role, users), section)
    reviewer, drafter = pages["reviewer"], pages["drafter"]
    assert name_of(users["reviewer"]) in reviewer and name_of(users["drafter"]) not in reviewer
    assert name_of(users["drafter"]) in drafter and name_of(users["reviewer"]) not in drafter
    for page in (reviewer, drafter):
        assert fragments.KEPT_BODY_MARKER not in page and page.rstrip().endswith("</html>")
        assert page.count("<ins>everyone</ins>") == 1 and page.count("Changes from version 1 to version 2") == 1


@pytest.mark.parametrize("refused", ["outsider", "donor", "anonymous"])
def test_a_kept_comparison_is_refused_to_those_who_may_not_read_drafts(client_for, section, users, refused):
    compare(reader("drafter", users), section)  # kept
    assert client_for(refused).get(url(section)).status_code == 404
    assert client_for(refused).get(url(section, "?from=1&to=2")).status_code == 404


def test_a_refusal_keeps_nothing_for_the_next_reader(client_for, section, users):
    with mock.patch.object(views, "_section_compare_body", wraps=views._section_compare_body) as body:
        assert client_for("outsider").get(url(section)).status_code == 404
        assert body.call_count == 0
        assert "<ins>everyone</ins>" in compare(reader("reviewer", users), section)
    assert body.call_count == 1


def test_a_reader_who_loses_their_role_is_refused_the_kept_page(section, users, project):
    client = reader("reviewer", users)
    compare(client, section)
    project.memberships.filter(user=users["reviewer"]).delete()
    assert client.get(url(section)).status_code == 404


def test_russian_and_english_are_kept_apart(client_for, section, users):
    client = client_for("reviewer")
    english = compare(client, section)
    russian = compare(client, section, language="ru")
    assert "Show side by side" in english and "Show side by side" not in russian
    assert "Changes from version 1 to version 2" not in russian
    assert "Show side by side" in compare(client, section)


def test_the_translations_comparison_is_kept_apart_from_the_sources(client_for, section, users):
    save(section, users["drafter"], "Защита для всех.", base=0, language="ru", source=2)
    save(section, users["drafter"], "Защита для каждого.", base=1, language="ru", source=2)
    client = client_for("reviewer")
    source = compare(client, section)
    translated = compare(client, section, "?language=ru")
    assert "<ins>everyone</ins>" in source and "каждого" not in source
    assert "<ins>каждого</ins>" in translated and "everyone" not in translated
    assert "language=ru" in translated and "<ins>everyone</ins>" in compare(client, section)


def test_a_warm_comparison_renders_nothing_and_reads_one_row(
    client_for, section, users, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for("reviewer")
    with (
        mock.patch.object(views, "_section_compare_body", wraps=views._section_compare_body) as body,
        mock.patch.object(views, "_section_diff", wraps=views._section_diff) as diff,
    ):
        with django_assert_max_num_queries(8):
            first = compare(client, section, "?from=1&to=2&view=side")
        # session, user, the section with the reader's role; the header's dashboard entry (2)
        with django_assert_num_queries(5):
            second = compare(client, section, "?from=1&to=2&view=side")
    assert body.call_count == diff.call_count == 1
    assert first == second.replace(*tokens(second, first))


def tokens(page, other) -> tuple[str, str]:
    """The CSRF tokens of two pages (each request masks the reader's token anew)."""

    def token(html):
        start = html.index('"X-CSRFToken": "') + len('"X-CSRFToken": "')
        return html[start : html.index('"', start)]

    return token(page), token(other)


def test_a_new_revision_does_not_compute_the_diff_of_unchanged_versions_again(client_for, section, users):
    client = client_for("reviewer")
    compare(client, section, "?from=1&to=2")
    services.comment_add(section=section, version=section.head, author=users["reviewer"], body="A remark.")
    with (
        mock.patch.object(views, "_section_diff", wraps=views._section_diff) as diff,
        mock.patch.object(views, "_section_compare_body", wraps=views._section_compare_body) as body,
    ):
        assert "<ins>everyone</ins>" in compare(client, section, "?from=1&to=2")
    assert body.call_count == 1 and diff.call_count == 0


@pytest.mark.parametrize(
    "query",
    ["?from=abc&to=2", "?from=1&to=", "?from=1&to=9", "?from=0&to=2", "?from=-1", "?to=99", "?language=ru"],
)
def test_a_bad_comparison_is_a_404_and_keeps_nothing(client_for, section, query):
    client = client_for("reviewer")
    with mock.patch.object(fragments.cache, "set", wraps=cache.set) as kept:
        for _ in range(2):
            assert client.get(url(section, query)).status_code == 404
    assert kept.call_count == 0


def test_a_version_asked_for_before_it_exists_shows_once_saved(client_for, section, users):
    client = client_for("reviewer")
    assert client.get(url(section, "?from=2&to=3")).status_code == 404
    save(section, users["drafter"], "Protection for everyone, now.", base=2)
    assert "<ins>, now</ins>" in compare(client, section, "?from=2&to=3")


# --- the section's history, kept the same way --------------------------------------------------


def history(client, section, query="") -> str:
    response = client.get(f"/concepts/{section.concept_id}/sections/{section.pk}/history/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_warm_history_renders_nothing_and_reads_one_row(client_for, section, django_assert_num_queries):
    client = client_for("reviewer")
    with mock.patch.object(views, "_section_history_body", wraps=views._section_history_body) as body:
        first = history(client, section)
        # session, user, the section with the reader's role; the header's dashboard entry (2)
        with django_assert_num_queries(5):
            second = history(client, section)
    assert body.call_count == 1
    assert "2 versions" in first and first == second.replace(*tokens(second, first))


def test_the_history_shows_a_new_version_and_a_renamed_project_at_once(client_for, section, users, project):
    client = client_for("reviewer")
    assert "2 versions" in history(client, section)
    save(section, users["drafter"], "Protection for everyone, at once.", base=2)
    project.title = "Renamed project"
    project.save()
    page = history(client, section)
    assert "3 versions" in page and "Renamed project" in page


@pytest.mark.parametrize("refused", ["outsider", "donor", "anonymous"])
def test_a_kept_history_is_refused_to_those_who_may_not_read_drafts(client_for, section, users, refused):
    history(reader("drafter", users), section)
    assert client_for(refused).get(f"/concepts/{section.concept_id}/sections/{section.pk}/history/").status_code == 404


def test_a_translations_history_is_kept_apart_and_shown_once_it_exists(client_for, section, users):
    client = client_for("reviewer")
    address = f"/concepts/{section.concept_id}/sections/{section.pk}/history/?language=ru"
    assert client.get(address).status_code == 302  # not translated yet: back to the section, nothing kept
    save(section, users["drafter"], "Защита для всех.", base=0, language="ru", source=2)
    translated, source = history(client, section, "?language=ru"), history(client, section)
    assert "1 version<" in translated and "2 versions<" in source


# --- the comparison of editions (the whole concept), kept the same way -------------------------


def editions_compare(client, concept, query="") -> str:
    response = client.get(f"/concepts/{concept.pk}/compare/{query}")
    assert response.status_code == 200
    return response.content.decode()


def edition(concept, name, users):
    return services.edition_create(concept=concept, name=name, date=datetime.date(2026, 3, 1), is_final=False,
                                   user=users["manager"])  # fmt: skip


def test_the_editions_comparison_shows_a_saved_section_and_a_new_edition_at_once(client_for, concept, section, users):
    first = edition(concept, "First reading", users)
    client = client_for("reviewer")
    assert "0 changed, 0 added, 0 removed, 1 unchanged." in editions_compare(client, concept)  # with the draft
    save(section, users["drafter"], "Protection for everyone, at once.", base=2)
    changed = editions_compare(client, concept)
    assert "1 changed" in changed and "<ins>, at once</ins>" in changed
    edition(concept, "Second reading", users)
    latest = editions_compare(client, concept)
    assert "From “First reading” to “Second reading”" in latest and "<ins>, at once</ins>" in latest
    assert "Current draft" in editions_compare(client, concept, f"?from={first.pk}&to=draft")


@pytest.mark.parametrize("order", [("drafter", "reviewer"), ("reviewer", "drafter")])
def test_the_file_buttons_and_token_are_only_for_those_who_may_draft(section, concept, users, order):
    edition(concept, "First reading", users)
    save(section, users["drafter"], "Protection for everyone, at once.", base=2)
    pages = {role: editions_compare(reader(role, users), concept) for role in order}
    assert "Redline PDF" in pages["drafter"] and "Redline PDF" not in pages["reviewer"]
    for page in pages.values():
        assert fragments.CSRF_PLACEHOLDER not in page and "<ins>, at once</ins>" in page


def test_the_editions_comparison_posts_with_the_readers_own_token(section, concept, users, eager_celery):
    first = edition(concept, "First reading", users)
    drafter = Client(enforce_csrf_checks=True)
    drafter.force_login(users["drafter"])
    editions_compare(reader("manager", users), concept)  # kept by another reader who may draft
    page = editions_compare(drafter, concept)
    token = page[page.index('name="csrfmiddlewaretoken" value="') :].split('"')[3]
    address = f"/concepts/{concept.pk}/editions/{first.pk}/renders/new/"
    form = {"against": "draft", "kind": "redline_pdf"}
    assert drafter.post(address, {**form, "csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert drafter.post(address, {**form, "csrfmiddlewaretoken": token}).status_code == 302


@pytest.mark.parametrize("refused", ["outsider", "donor", "anonymous"])
def test_a_kept_editions_comparison_is_refused_to_those_who_may_not_read_drafts(
    client_for, concept, section, users, refused
):
    edition(concept, "First reading", users)
    editions_compare(reader("drafter", users), concept)
    assert client_for(refused).get(f"/concepts/{concept.pk}/compare/").status_code == 404


def test_a_warm_editions_comparison_renders_nothing(client_for, concept, section, users, django_assert_num_queries):
    edition(concept, "First reading", users)
    client = client_for("reviewer")
    with mock.patch.object(views, "_concept_compare_body", wraps=views._concept_compare_body) as body:
        editions_compare(client, concept)
        # session, user, the concept with the reader's role; the header's dashboard entry (2)
        with django_assert_num_queries(5):
            editions_compare(client, concept)
    assert body.call_count == 1


@pytest.mark.parametrize("query", ["?from=abc", "?from=999&to=draft", "?from=1&to=-1", "?to=999"])
def test_a_bad_editions_comparison_is_a_404_and_keeps_nothing(client_for, concept, section, users, query):
    edition(concept, "First reading", users)
    client = client_for("reviewer")
    with mock.patch.object(fragments.cache, "set", wraps=cache.set) as kept:
        for _ in range(2):
            assert client.get(f"/concepts/{concept.pk}/compare/{query}").status_code == 404
    assert kept.call_count == 0
