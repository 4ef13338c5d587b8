"""The project page's body kept as a fragment (projects.views.project_detail): every change made
through the services shows at once, each reader gets their own tabs and the access decision
whoever rendered the body first, the two languages are kept apart, and a warm page does not
render the body again."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities import services as activity_services
from activities.tests.factories import ActivityFactory
from concepts.tests.factories import ConceptFactory
from documents.models import Visibility
from documents.tests.factories import upload_document
from projects import services, views
from projects.models import Membership, Project, ProjectPartner, Role
from projects.tests.factories import OrganisationFactory
from results import services as result_services
from results.tests.factories import framework

pytestmark = pytest.mark.django_db

LANGUAGE_COOKIE = "django_language"
TABS = 'aria-label="Project sections"'


def page(client, project, language="en"):
    client.cookies[LANGUAGE_COOKIE] = language
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def article(html):
    return html[html.index('<article class="project-page">') : html.index("</article>")]


def edit(project, user, **fields):
    project.refresh_from_db()
    services.project_update(project=project, user=user, **fields)


@pytest.fixture
def body_renders():
    """Counts the renders of the page's body (the fragment's render function)."""
    with mock.patch.object(views, "_project_page_body", wraps=views._project_page_body) as spy:
        yield spy


def test_a_warm_page_reuses_the_body_and_makes_fewer_queries(
    client, published_project, body_renders, django_assert_num_queries
):
    ActivityFactory(project=published_project, title="Study visit to Vienna")
    upload_document(published_project, None, visibility=Visibility.PUBLIC, title="Final report")
    with CaptureQueriesContext(connection) as cold:
        first = page(client, published_project)
    with django_assert_num_queries(1):  # the project, with the access decision's columns
        second = page(client, published_project)
    assert body_renders.call_count == 1
    assert len(cold) > 1
    assert article(first) == article(second)
    assert "Study visit to Vienna" in second and "Final report" in second


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (
            lambda project, users: edit(project, users["manager"], title="A renamed project"),
            "<h1>A renamed project</h1>",
        ),
        (lambda project, users: edit(project, users["manager"], summary="A **new** summary."), "<strong>new</strong>"),
        (
            lambda project, users: activity_services.activity_create(
                project=project,
                kind="study_visit",
                title="A new study visit",
                planned_start=datetime.date(2025, 6, 2),
                planned_end=datetime.date(2025, 6, 6),
                status="planned",
            ),
            "A new study visit",
        ),
        (
            lambda project, users: services.partner_add(
                project=project,
                organisation=OrganisationFactory(name="International Centre", acronym="ICMPD"),
                role=ProjectPartner.PartnerRole.IMPLEMENTING,
            ),
            "implemented by ICMPD",
        ),
        (
            lambda project, users: upload_document(
                project, users["manager"], visibility=Visibility.PUBLIC, title="Plan"
            ),
            "Plan</a>",
        ),
        (
            lambda project, users: ConceptFactory(project=project, title="Concept note", status="published"),
            "Concept note",
        ),
    ],
    ids=["project", "summary", "activity", "partner", "document", "concept"],
)
def test_each_kind_of_change_shows_at_once(client, published_project, users, change, shown):
    before = page(client, published_project)
    assert shown not in before
    change(published_project, users)
    assert shown in page(client, published_project)


def test_an_activity_edited_and_removed_shows_at_once(client, published_project):
    activity = ActivityFactory(project=published_project, title="Study visit to Vienna")
    assert "Study visit to Vienna" in page(client, published_project)
    activity_services.activity_update(activity=activity, title="Study visit to Riga")
    assert "Study visit to Riga" in page(client, published_project)
    activity.delete()
    assert "Study visit to Riga" not in page(client, published_project)


def test_a_renamed_organisation_shows_at_once(client, published_project):
    organisation = OrganisationFactory(acronym="ICMPD")
    services.partner_add(
        project=published_project, organisation=organisation, role=ProjectPartner.PartnerRole.IMPLEMENTING
    )
    assert "implemented by ICMPD" in page(client, published_project)
    organisation.acronym = "IOM"
    organisation.save()
    assert "implemented by IOM" in page(client, published_project)


def test_a_document_made_restricted_leaves_the_page_at_once(client, published_project, users):
    document = upload_document(published_project, users["manager"], visibility=Visibility.PUBLIC, title="Plan")
    assert "Plan</a>" in page(client, published_project)
    document.visibility = Visibility.TEAM
    document.save()
    assert "Plan</a>" not in page(client, published_project)


def test_approved_results_show_at_once(client, published_project, users):
    fw = framework(published_project)
    assert 'id="results-heading"' not in page(client, published_project)
    update = result_services.update_save(
        indicator=fw["trained"], period=fw["period"], user=users["drafter"], value=Decimal(37), submit=True
    )
    assert 'id="results-heading"' not in page(client, published_project)  # submitted, not approved
    result_services.update_approve(update=update, user=users["manager"])
    assert f"{fw['period']}: 37" in page(client, published_project)


@pytest.mark.parametrize("first", ["manager", "staff"])
@pytest.mark.parametrize("reader", ["anonymous", "outsider", "portfolio_donor", "donor", "reviewer"])
def test_a_reader_gets_their_own_page_after_a_more_privileged_one(
    client_for, published_project, users, body_renders, first, reader
):
    for visibility in Visibility:
        upload_document(published_project, users["manager"], visibility=visibility, title=f"Paper for {visibility}")
    privileged = page(client_for(first), published_project)
    assert 'href="/projects/public-project/edit/"' in privileged
    mine = page(client_for(reader), published_project)
    assert body_renders.call_count == 1  # the same body, kept
    assert 'href="/projects/public-project/edit/"' not in mine
    assert "/budget/" not in mine or reader in ("donor", "portfolio_donor")
    assert (TABS in mine) == (reader not in ("anonymous", "outsider"))
    for text in (privileged, mine):  # restricted documents are never in the body, whoever rendered it
        assert "Paper for public" in text
        assert "Paper for team" not in text and "Paper for donors" not in text


def test_a_manager_after_an_anonymous_visitor_gets_their_tabs(client_for, published_project):
    assert TABS not in page(client_for("anonymous"), published_project)
    mine = page(client_for("manager"), published_project)
    assert TABS in mine and 'href="/projects/public-project/edit/"' in mine


def test_an_unpublished_project_stays_refused_when_its_body_is_kept(client_for, project, users):
    mine = page(client_for("manager"), project)
    assert "Not published" in mine
    for reader in ("anonymous", "outsider", "portfolio_donor", "other_drafter"):
        assert client_for(reader).get(project.get_absolute_url()).status_code == 404, reader
    edit(project, users["manager"], is_published=True)
    visitor = page(client_for("anonymous"), project)
    assert "Not published" not in visitor and TABS not in visitor
    edit(project, users["manager"], is_published=False)
    assert client_for("anonymous").get(project.get_absolute_url()).status_code == 404


def test_russian_and_english_are_kept_apart(client, published_project, body_renders):
    published_project.title_ru = "Публичный проект"
    published_project.save()
    for first, second in (("en", "ru"), ("ru", "en")):
        body_renders.reset_mock()
        cache.clear()
        pages = {first: page(client, published_project, first), second: page(client, published_project, second)}
        assert body_renders.call_count == 2
        assert "<h1>Публичный проект</h1>" in pages["ru"]
        assert "<h1>The public project</h1>" in pages["en"] and "Публичный проект" not in pages["en"]
        assert "About the project" in pages["en"] and "About the project" not in pages["ru"]


def test_access_is_decided_on_every_request_even_when_the_body_is_kept(client_for, published_project, users):
    """A change that bypasses the revision (a queryset update) still takes the page away at once:
    the kept body is asked for only after the view has decided that the reader may see it."""
    assert "Not published" not in page(client_for("anonymous"), published_project)
    Membership.objects.filter(project=published_project, user=users["manager"]).update(role=Role.REVIEWER)
    assert 'href="/projects/public-project/edit/"' not in page(client_for("manager"), published_project)
    Project.objects.filter(pk=published_project.pk).update(is_published=False)
    for reader in ("anonymous", "outsider", "portfolio_donor"):
        assert client_for(reader).get(published_project.get_absolute_url()).status_code == 404, reader
