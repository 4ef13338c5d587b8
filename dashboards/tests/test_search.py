"""Search (`/search/?q=`): every role finds exactly what it may open, in English and Russian.

The world: the three projects of the root conftest (unpublished `project` with every member role,
public `published_project` with the same members, unpublished `other_project` with `other_drafter`),
each with one thing of every kind carrying the planted word WORD, and things that nobody may find
(an older version, a removed section, a draft edition, an edition of an unpublished concept).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from concepts.models import Comment, Edition, EditionEntry, SectionTranslation, SectionVersion
from concepts.tests.factories import ConceptFactory, section_with_version
from dashboards import search as search_module
from projects.tests.factories import OrganisationFactory, ProjectPartnerFactory

pytestmark = pytest.mark.django_db

WORD = "zqplanted"
SEARCH = reverse("dashboards:search")


def _plant(project, key: str, author) -> dict[str, set[str]]:
    """Things of every kind on `project` with WORD; returns the URLs each kind should lead to."""
    project.summary = f"The {WORD} summary of {key}."
    project.save()
    activity = ActivityFactory(project=project, description=f"A workshop about {WORD}.")
    organisation = OrganisationFactory(name=f"Agency {WORD} {key}")
    ProjectPartnerFactory(project=project, organisation=organisation)

    drafting = ConceptFactory(project=project, target_languages=["ru"])
    section = section_with_version(drafting, title=f"Scope {key}", body=f"Old text {WORD}.", author=author)
    newer = SectionVersion.objects.create(
        section=section, number=2, title=f"Scope {key}", body=f"New {WORD} text.", author=author
    )
    section.head = newer
    section.save()
    russian = SectionVersion.objects.create(
        section=section,
        language="ru",
        number=1,
        title="Сфера",
        body=f"Текст {WORD}.",
        source_version=newer,
        author=author,
    )
    SectionTranslation.objects.create(section=section, language="ru", head=russian)
    removed = section_with_version(drafting, title="Gone", body=f"Removed {WORD}.", position=2)
    removed.is_removed = True
    removed.save()
    comment = Comment.objects.create(section=section, version=newer, author=author, body=f"Say {WORD} here.")
    reply = Comment.objects.create(
        section=section, version=newer, author=author, body=f"Agreed, {WORD}.", parent=comment, is_recommendation=True
    )
    on_translation = Comment.objects.create(section=section, version=russian, author=author, body=f"О {WORD}.")
    draft_edition = Edition.objects.create(
        concept=drafting, name="Draft", date=datetime.date(2020, 1, 1), is_final=True
    )
    EditionEntry.objects.create(edition=draft_edition, section=section, version=newer, number="1", level=1, position=1)

    published = ConceptFactory(project=project, status="published")
    published_section = section_with_version(published, title="Final words", body=f"Final {WORD} text.", author=author)
    final = Edition.objects.create(concept=published, name="Final", date=datetime.date(2020, 2, 1), is_final=True)
    earlier = Edition.objects.create(concept=published, name="First", date=datetime.date(2020, 1, 1))
    entry = EditionEntry.objects.create(
        edition=final, section=published_section, version=published_section.head, number="1", level=1, position=1
    )
    EditionEntry.objects.create(
        edition=earlier, section=published_section, version=published_section.head, number="1", level=1, position=1
    )
    section_url = section.get_absolute_url()
    edition_url = reverse("concepts:edition", kwargs={"concept_id": published.pk, "edition_id": final.pk})
    return {
        "project": {project.get_absolute_url()},
        "activity": {activity.get_absolute_url()},
        "organisation": {project.get_absolute_url()},
        "section": {section_url, f"{section_url}?language=ru", published_section.get_absolute_url()},
        "comment": {
            f"{section_url}#comment-{comment.pk}",
            f"{section_url}#comment-{reply.pk}",
            f"{section_url}?language=ru#comment-{on_translation.pk}",
        },
        "edition": {f"{edition_url}#entry-{entry.pk}"},
    }


@pytest.fixture
def planted(users, project, published_project, other_project):
    return {
        "project": _plant(project, "private", users["drafter"]),
        "published_project": _plant(published_project, "public", users["drafter"]),
        "other_project": _plant(other_project, "other", users["other_drafter"]),
    }


# Which projects' things each role may open: the project page (VIEW) and the concept drafts (READ_DRAFTS).
MEMBER = {"project", "published_project"}
VIEWS = {
    "anonymous": {"published_project"},
    "outsider": {"published_project"},
    "other_drafter": {"published_project", "other_project"},
    "portfolio_donor": {"published_project"},
    "donor": MEMBER,
    "reviewer": MEMBER,
    "drafter": MEMBER,
    "manager": MEMBER,
    "staff": {"project", "published_project", "other_project"},
}
READS_DRAFTS = {
    "other_drafter": {"other_project"},
    "reviewer": MEMBER,
    "drafter": MEMBER,
    "manager": MEMBER,
    "staff": {"project", "published_project", "other_project"},
}
ANONYMOUS_KINDS = {"project", "edition"}


def expected_urls(planted, role: str, kind: str) -> set[str]:
    if role == "anonymous" and kind not in ANONYMOUS_KINDS:
        return set()
    projects = READS_DRAFTS.get(role, set()) if kind in {"section", "comment"} else VIEWS[role]
    return set().union(*(planted[name][kind] for name in projects))


@pytest.mark.parametrize("role", list(VIEWS))
def test_every_role_finds_exactly_what_it_may_open(role, planted, users, client_for):
    client = client_for(role)
    for kind in search_module.KIND_KEYS:
        response = client.get(SEARCH, {"q": WORD, "kind": kind})
        assert response.status_code == 200
        found = {hit.url for group in response.context["groups"] for hit in group.hits}
        if role == "anonymous" and kind not in ANONYMOUS_KINDS:
            # The kind filter is not offered: everything the visitor may search is shown instead.
            assert {group.kind.key for group in response.context["groups"]} == ANONYMOUS_KINDS
            continue
        assert found == expected_urls(planted, role, kind), kind
        for url in found:  # and every hit opens for this role
            assert client.get(url).status_code == 200, url


def test_anonymous_finds_published_projects_and_editions_only(planted, client_for):
    response = client_for("anonymous").get(SEARCH, {"q": WORD})
    groups = {group.kind.key: group for group in response.context["groups"]}
    assert set(groups) == ANONYMOUS_KINDS
    assert groups["project"].count == 1 and groups["edition"].count == 1
    assert "Agency" not in response.content.decode()


def test_grouped_results_link_to_every_kind_with_its_count(planted, client_for):
    response = client_for("staff").get(SEARCH, {"q": WORD})
    counts = {group.kind.key: group.count for group in response.context["groups"]}
    assert counts == {"project": 3, "activity": 3, "organisation": 3, "section": 9, "comment": 9, "edition": 3}
    page = response.content.decode()
    assert f"q={WORD}&amp;kind=section" in page  # the kind filter, kept in the URL with the query
    assert len(response.context["groups"][3].hits) == search_module.GROUP_LIMIT
    assert "Show all 9" in page


def test_project_filter_keeps_to_one_project_and_ignores_one_the_reader_may_not_open(
    planted, client_for, project, other_project
):
    client = client_for("manager")
    response = client.get(SEARCH, {"q": WORD, "project": project.slug})
    assert response.context["project"] == project
    urls = {hit.url for group in response.context["groups"] for hit in group.hits}
    assert project.get_absolute_url() in urls and "/projects/public-project/" not in urls
    response = client.get(SEARCH, {"q": WORD, "project": other_project.slug})
    assert response.context["project"] is None and response.context["project_ignored"]
    urls = {hit.url for group in response.context["groups"] for hit in group.hits}
    assert "/projects/public-project/" in urls and "/projects/other-project/" not in urls


def test_a_search_for_a_russian_stem_finds_its_inflected_forms(users, project, client_for):
    concept = ConceptFactory(project=project, language="ru")
    section_with_version(concept, title="Права", body="Защита прав мигрантов и их семей.")
    ActivityFactory(project=project, title="Семинар", description="Интеграция Мигрантов в общество.")
    response = client_for("drafter").get(SEARCH, {"q": "мигрант"})
    counts = {group.kind.key: group.count for group in response.context["groups"]}
    assert counts["section"] == 1 and counts["activity"] == 1
    assert "мигрантов</mark>" in response.content.decode().lower()


def test_english_words_match_their_other_forms(users, project, client_for):
    ActivityFactory(project=project, title="Consultation", description="Rights of migrants at the border.")
    response = client_for("drafter").get(SEARCH, {"q": "migrant"})
    assert {group.kind.key: group.count for group in response.context["groups"]}["activity"] == 1


def test_highlighting_cannot_inject_html(users, project, client_for):
    text = f"<script>alert(1)</script> <img src=x onerror=alert(2)> {WORD} <b>bold</b> [[x[[ ]]x]]"
    concept = ConceptFactory(project=project)
    section = section_with_version(concept, title="<i>Title</i>", body=text)
    Comment.objects.create(section=section, version=section.head, author=users["drafter"], body=text)
    page = client_for("drafter").get(SEARCH, {"q": WORD}).content.decode()
    main = page[page.index('id="main"') :]
    assert "<script>" not in main and "<img" not in main and "<b>" not in main and "<i>" not in main
    assert "&lt;i&gt;Title&lt;/i&gt;" in main  # shown as text (PostgreSQL's snippets leave tags out)
    assert f"<mark>{WORD}</mark>" in main


def test_a_query_that_is_empty_or_too_short_says_what_to_type(client_for):
    client = client_for("outsider")
    assert "Type at least 2 characters" in client.get(SEARCH, {"q": "a"}).content.decode()
    assert "Type what you are looking for" in client.get(SEARCH, {"q": "   "}).content.decode()
    response = client.get(SEARCH)
    assert response.status_code == 200 and not response.context["groups"]


def test_nothing_found_says_so(planted, client_for):
    page = client_for("staff").get(SEARCH, {"q": "zqnothingatall"}).content.decode()
    assert "Nothing found for “zqnothingatall”" in page


def test_the_search_box_is_in_the_navigation_with_a_label(client_for):
    page = client_for("anonymous").get(reverse("projects:list")).content.decode()
    assert 'role="search"' in page and 'for="nav-search"' in page and 'id="nav-search"' in page


def test_russian_interface(planted, client_for, settings):
    client = client_for("staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get(SEARCH, {"q": WORD}, headers={"accept-language": "ru"}).content.decode()
    assert "Поиск" in page and "Проекты" in page


def _count_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(SEARCH, params).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_the_results(users, project, published_project, client_for):
    client = client_for("manager")
    _plant(project, "one", users["drafter"])
    client.get(SEARCH, {"q": WORD})  # the first request of a session writes it
    few = _count_queries(client, q=WORD)
    few_kind = _count_queries(client, q=WORD, kind="comment")
    for index in range(4):
        _plant(published_project, f"more{index}", users["drafter"])
    assert _count_queries(client, q=WORD) == few
    assert _count_queries(client, q=WORD, kind="comment") == few_kind


def test_sqlite_stems_trim_common_endings():
    assert search_module.simple_stems("мигрантов Мигрантам migrants") == ["мигрант", "migrant"]
    assert search_module.simple_stems("a") == []


def test_the_stored_vectors_cover_the_fields_searched():
    from importlib import import_module

    tables = import_module("dashboards.migrations.0003_search_indexes").TABLES
    assert tables == search_module.STORED_VECTORS
    assert tables["concepts_sectionversion"] == search_module.VERSION_FIELDS
    assert tables["concepts_comment"] == search_module.COMMENT_FIELDS
    assert tables["activities_activity"] == search_module.ACTIVITY_FIELDS
    assert tables["projects_project"] == search_module.PROJECT_FIELDS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the stored vectors exist on PostgreSQL only")
def test_postgresql_matches_sections_on_their_indexed_vectors():
    from concepts.models import SectionVersion

    matching = search_module.Matcher("migrant").filter(SectionVersion.objects.order_by(), search_module.VERSION_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = matching.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "concepts_sectionversion_search_en" in plan and "concepts_sectionversion_search_ru" in plan
    assert "to_tsvector" not in plan  # the text is not parsed again


def test_a_member_removed_from_a_project_stops_finding_its_drafts_at_once(planted, client_for, project):
    from projects.models import Membership

    client = client_for("reviewer")
    found = {hit.url for hit in client.get(SEARCH, {"q": WORD, "kind": "section"}).context["groups"][0].hits}
    assert planted["project"]["section"] <= found
    Membership.objects.filter(project=project, user__username="reviewer").delete()
    found = {hit.url for hit in client.get(SEARCH, {"q": WORD, "kind": "section"}).context["groups"][0].hits}
    assert not planted["project"]["section"] & found and planted["published_project"]["section"] <= found


def test_a_word_found_in_more_than_the_limit_lists_the_first_ones_and_says_so(planted, client_for, monkeypatch):
    monkeypatch.setattr(search_module, "MATCH_LIMIT", 2)
    client = client_for("staff")
    response = client.get(SEARCH, {"q": WORD})
    sections = response.context["groups"][3]
    assert (sections.count, sections.more, len(sections.hits)) == (2, True, 2)
    assert "More than 2 match" in response.content.decode()
    response = client.get(SEARCH, {"q": WORD, "kind": "comment"})
    assert response.context["groups"][0].page.paginator.count == 2 and len(response.context["groups"][0].hits) == 2


def test_a_project_hit_offers_to_search_within_it(planted, client_for, published_project):
    page = client_for("outsider").get(SEARCH, {"q": WORD}).content.decode()
    assert f"q={WORD}&amp;project={published_project.slug}" in page


def test_a_kind_the_reader_may_not_choose_keeps_the_project_filter(planted, client_for, published_project):
    """A visitor following a logged-in link (kind=comment) still searches the one project asked for."""
    response = client_for("anonymous").get(SEARCH, {"q": WORD, "kind": "comment", "project": published_project.slug})
    assert response.status_code == 200
    assert response.context["project"] == published_project
    urls = {hit.url for group in response.context["groups"] for hit in group.hits}
    assert urls and all("/projects/the-project/" not in url for url in urls)


def test_the_project_searched_is_named_in_the_interface_language(client_for, published_project, settings):
    published_project.title_ru = "Проект для поиска"
    published_project.save()
    client = client_for("outsider")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    params = {"q": "nothingmatchesthis", "project": published_project.slug}
    page = client.get(SEARCH, params, headers={"accept-language": "ru"}).content.decode()
    assert "Проект для поиска" in page
