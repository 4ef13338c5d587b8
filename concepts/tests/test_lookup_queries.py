"""What the concept's and section's pages ask the database on every request: the reader's role read
by a subquery without ordering (no join to the users), the concept page's open comments counted by
a plain second query, a comparison's section read without its head's text and author, and the render
panel's editions read only when a render names one. The access rules themselves are proven by
tests/test_access_matrix.py and tests/test_fresh_access.py."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from concepts import selectors, services
from concepts.models import Comment, Edition, RenderJob
from concepts.rendering.selectors import render_jobs_for
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.access import Capability

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, title="National Migration Policy")


@pytest.fixture
def sections(concept, users):
    return [
        section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"], position=1),
        section_with_version(concept, title="Labour", body="Work permits.", author=users["drafter"], position=2),
    ]


def _lookup_sql(queries, table: str) -> str:
    """The query that read the reader's role with `table`'s row."""
    return next(query["sql"] for query in queries if f'FROM "{table}"' in query["sql"] and "user_role" in query["sql"])


@pytest.mark.parametrize("path", ["/concepts/{concept}/", "/concepts/{concept}/sections/{section}/"])
def test_the_role_is_read_without_ordering_nor_a_join_to_the_users(client_for, concept, sections, path):
    client = client_for("reviewer")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path.format(concept=concept.pk, section=sections[0].pk))
    assert response.status_code == 200
    table = "concepts_section" if "sections" in path else "concepts_concept"
    role = _lookup_sql(queries.captured_queries, table).split('AS "user_role"')[0]
    subquery = role[role.index('FROM "projects_membership"') :]
    assert "ORDER BY" not in subquery and "auth_user" not in subquery


def test_the_role_decides_on_every_request(client_for, concept, sections, users):
    client = client_for("reviewer")
    assert client.get(f"/concepts/{concept.pk}/sections/{sections[0].pk}/").status_code == 200
    concept.project.memberships.filter(user=users["reviewer"]).delete()
    assert client.get(f"/concepts/{concept.pk}/sections/{sections[0].pk}/").status_code == 404
    assert client.get(f"/concepts/{concept.pk}/").status_code == 404


def test_a_comparison_reads_neither_the_heads_text_nor_its_author(client_for, concept, sections, users):
    services.section_save(section=sections[0], base_number=1, title="Asylum", body="Protection for everyone.",
                          user=users["drafter"])  # fmt: skip
    client = client_for("reviewer")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/concepts/{concept.pk}/sections/{sections[0].pk}/compare/?from=1&to=2")
    assert response.status_code == 200
    assert "everyone" in response.content.decode()
    lookup = _lookup_sql(queries.captured_queries, "concepts_section")
    assert "auth_user" not in lookup and '"concepts_sectionversion"."body"' not in lookup


def test_the_open_comments_counted_per_section(concept, sections, users):
    version = sections[0].head
    first = services.comment_add(section=sections[0], version=version, author=users["reviewer"], body="One.")
    services.comment_add(section=sections[0], version=version, author=users["reviewer"], body="Two.")
    services.comment_add(section=sections[0], version=version, author=users["drafter"], body="A reply.", parent=first)
    counts = {s.pk: s.open_comments for s in selectors.sections_for_concept_page(concept=concept)}
    assert counts == {sections[0].pk: 2, sections[1].pk: 0}
    services.comment_set_disposition(comment=first, disposition=Comment.Disposition.DECLINED, reason="No.",
                                     user=users["manager"])  # fmt: skip
    counts = {s.pk: s.open_comments for s in selectors.sections_for_concept_page(concept=concept)}
    assert counts == {sections[0].pk: 1, sections[1].pk: 0}


def test_the_open_comments_show_on_the_page_at_once(client_for, concept, sections, users):
    client = client_for("manager")
    assert "open comment" not in client.get(f"/concepts/{concept.pk}/").content.decode()
    services.comment_add(section=sections[1], version=sections[1].head, author=users["reviewer"], body="One.")
    assert (
        '1<span class="visually-hidden"> open comment</span>' in client.get(f"/concepts/{concept.pk}/").content.decode()
    )


def _jobs_read(concept) -> tuple[list, int]:
    """The renders a manager sees and their editions' names, and how many queries that took."""
    concept.capabilities = frozenset(Capability)
    with CaptureQueriesContext(connection) as queries:
        jobs = [(job.kind, job.edition and job.edition.name, job.other_edition and job.other_edition.name)
                for job in render_jobs_for(concept)]  # fmt: skip
    return jobs, len(queries.captured_queries)


def test_the_render_panel_names_the_editions_and_reads_them_only_when_named(client_for, concept, sections, users):
    assert _jobs_read(concept) == ([], 1)
    RenderJob.objects.create(concept=concept, kind=RenderJob.Kind.DRAFT, requested_by=users["manager"])
    assert _jobs_read(concept) == ([("draft", None, None)], 1)
    edition = Edition.objects.create(concept=concept, name="Second reading", date="2026-03-01")
    other = Edition.objects.create(concept=concept, name="First reading", date="2026-01-01")
    RenderJob.objects.create(concept=concept, kind=RenderJob.Kind.REDLINE_PDF, edition=edition, other_edition=other,
                             requested_by=users["manager"])  # fmt: skip
    jobs, queries = _jobs_read(concept)
    assert sorted(jobs, key=repr) == [("draft", None, None), ("redline_pdf", "Second reading", "First reading")]
    assert queries == 3
    html = client_for("manager").get(f"/concepts/{concept.pk}/").content.decode()
    assert "Second reading compared with First reading" in html
