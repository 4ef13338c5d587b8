"""Concept pages with a warm cache: a reader sees every change on their next request, their own CSRF
token, their own messages, and loses access the moment they lose it. Each test reads a page once
before the change, so that whatever the cache keeps is in it when the change is made."""

import datetime
import re

import pytest
from django.test import Client

from activities.tests.factories import ActivityFactory
from concepts import services
from concepts.models import Concept
from concepts.rendering import services as render_services
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import Membership, Role
from projects.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project):
    return ConceptFactory(project=project, title="National Migration Policy")


@pytest.fixture
def section(concept, users):
    return section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"])


def _urls(concept, section):
    base = f"/concepts/{concept.pk}/sections/{section.pk}"
    return [f"/concepts/{concept.pk}/", f"{base}/", f"{base}/history/", f"{base}/versions/1/",
            f"{base}/compare/?from=1&to=1"]  # fmt: skip


def _seen(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_each_session_gets_its_own_working_token_and_never_the_placeholder(concept, section, users):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for client in (first, second):
        client.force_login(users["reviewer"])
    url = f"/concepts/{concept.pk}/sections/{section.pk}/"
    _seen(first, url)  # rendered and kept
    page = _seen(second, url)  # the same reader's kept page, in another session
    token = _token(page)
    response = second.post(
        f"{url}comments/", {"version_number": 1, "body": "Define asylum.", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert section.comments.get().body == "Define asylum."


def test_every_kept_page_shows_a_new_version_on_the_next_request(client_for, concept, section, users):
    client = client_for("manager")
    for url in _urls(concept, section):
        assert "Protection for all." in _seen(client, url) or "Asylum" in _seen(client, url)
    services.section_save(section=section, user=users["drafter"], base_number=1, title="Asylum and protection",
                          body="Protection for everyone in need.", summary="")  # fmt: skip
    for url in _urls(concept, section)[:3]:
        assert "Asylum and protection" in _seen(client, url), url


def test_a_reader_removed_from_the_project_is_refused_at_once(client_for, concept, section, users):
    client = client_for("reviewer")
    for url in _urls(concept, section):
        _seen(client, url)
    Membership.objects.get(user=users["reviewer"], project=concept.project).delete()
    for url in _urls(concept, section):
        assert client.get(url).status_code == 404, url


def test_a_new_role_changes_what_the_kept_page_offers(client_for, concept, section, users):
    client = client_for("manager")
    assert "Add section" in _seen(client, f"/concepts/{concept.pk}/")
    membership = Membership.objects.get(user=users["manager"], project=concept.project)
    membership.role = Role.REVIEWER
    membership.save()
    assert "Add section" not in _seen(client, f"/concepts/{concept.pk}/")


def test_staff_who_are_no_longer_staff_are_refused_at_once(client_for, concept, section, users):
    client = client_for("staff")
    _seen(client, f"/concepts/{concept.pk}/")
    users["staff"].is_staff = False
    users["staff"].save()
    assert client.get(f"/concepts/{concept.pk}/").status_code == 404


def test_a_status_change_and_a_project_rename_show_at_once(client_for, concept, section, users):
    client = client_for("manager")
    section_url = f"/concepts/{concept.pk}/sections/{section.pk}/"
    assert "Open consultation" in _seen(client, f"/concepts/{concept.pk}/")
    assert "The project" in _seen(client, section_url)
    services.concept_advance_status(concept=concept)
    concept.project.title = "Renamed project"
    concept.project.save()
    page = _seen(client, f"/concepts/{concept.pk}/")
    assert "Open consultation" not in page and "Mark as final" in page
    assert "Renamed project" in _seen(client, section_url)
    assert Concept.objects.get(pk=concept.pk).status == Concept.Status.CONSULTATION


def test_a_message_is_shown_once_and_the_page_after_it_is_the_kept_one(client_for, concept, section, users):
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/"
    _seen(client, url)
    client.post(f"/concepts/{concept.pk}/advance/")
    assert "The concept is now" in _seen(client, url)
    assert "The concept is now" not in _seen(client, url)


def test_a_render_finished_by_the_worker_shows_in_the_kept_page(client_for, concept, section, users):
    client = client_for("manager")
    job = render_services.render_job_request(kind="draft", concept=concept, user=users["manager"])
    assert "Queued" in _seen(client, f"/concepts/{concept.pk}/") or "Waiting" in _seen(
        client, f"/concepts/{concept.pk}/"
    )
    # The worker's updates send no signal: the services outdate the pages themselves.
    claimed = render_services._claim(job.pk)
    render_services._finish(claimed, "failed", error="The printer is out of paper.")
    assert "The printer is out of paper." in _seen(client, f"/concepts/{concept.pk}/")


def test_renamed_activities_and_organisations_show_in_the_comment_form(client_for, concept, section, users):
    activity = ActivityFactory(project=concept.project, title="Fact-finding mission")
    organisation = OrganisationFactory(name="Ministry of Interior")
    client = client_for("reviewer")
    url = f"/concepts/{concept.pk}/sections/{section.pk}/"
    page = _seen(client, url)
    assert "Fact-finding mission" in page and "Ministry of Interior" in page
    activity.title = "Two-day consultation"
    activity.save()
    assert "Two-day consultation" in _seen(client, url)
    organisation.name = "State Border Committee"
    organisation.save()
    assert "State Border Committee" in _seen(client, url)


def test_a_renamed_reader_sees_their_new_name(client_for, concept, section, users):
    client = client_for("manager")
    _seen(client, f"/concepts/{concept.pk}/")
    users["manager"].first_name, users["manager"].last_name = "Olga", "Petrova"
    users["manager"].save()
    assert "Olga Petrova" in _seen(client, f"/concepts/{concept.pk}/")


def test_a_kept_page_is_never_another_readers(client_for, concept, section, users):
    users["manager"].first_name = "Manon"
    users["manager"].save()
    assert "Manon" in _seen(client_for("manager"), f"/concepts/{concept.pk}/")
    page = _seen(client_for("drafter"), f"/concepts/{concept.pk}/")
    assert "Manon" not in page and "Add section<" not in page


def test_the_disposition_matrix_shows_a_new_disposition_at_once(client_for, concept, section, users):
    comment = services.comment_add(section=section, version=section.head, author=users["reviewer"],
                                   body="Shorten the waiting period.", is_recommendation=True,
                                   source_organisation=OrganisationFactory(name="UNHCR office"))  # fmt: skip
    client = client_for("manager")
    url = f"/concepts/{concept.pk}/dispositions/"
    assert "Shorten the waiting period." in _seen(client, url)
    services.comment_set_disposition(comment=comment, disposition="declined", reason="Set by the law of 2019.",
                                     user=users["manager"], notify=False)  # fmt: skip
    assert "Set by the law of 2019." in _seen(client, url)


def test_a_public_edition_read_by_visitors_is_refused_once_the_project_is_unpublished(published_project, users):
    concept = ConceptFactory(project=published_project, title="Published concept")
    section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"])
    for _step in range(2):
        services.concept_advance_status(concept=concept)  # drafting → consultation → final
    edition = services.edition_create(concept=concept, name="Final draft", date=datetime.date(2020, 2, 25),
                                      is_final=True, user=users["manager"])  # fmt: skip
    services.concept_advance_status(concept=concept)  # published
    visitor = Client()
    url = f"/concepts/{concept.pk}/editions/{edition.pk}/"
    assert "Protection for all." in _seen(visitor, url)
    assert "Protection for all." in _seen(visitor, url)  # again, with the cache warm
    published_project.is_published = False
    published_project.save()
    assert visitor.get(url).status_code == 404


def test_a_renamed_author_is_shown_under_the_new_name(client_for, concept, section, users):
    client = client_for("manager")
    history = f"/concepts/{concept.pk}/sections/{section.pk}/history/"
    assert "drafter" in _seen(client, history)
    users["drafter"].first_name, users["drafter"].last_name = "Iryna", "Kovalenko"
    users["drafter"].save()
    client = client_for("manager")
    assert "Iryna Kovalenko" in _seen(client, history)
    assert "Iryna Kovalenko" in _seen(client, f"/concepts/{concept.pk}/")
