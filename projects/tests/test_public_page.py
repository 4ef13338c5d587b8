import re

import pytest
from django.core.management import call_command

from projects.demo import SEED_SLUG
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed_demo", verbosity=0)
    return Project.objects.get(slug=SEED_SLUG)


SEED_FACTS = [
    "Support to the development of the Concept of the National Migration Policy in Belarus",
    "Capacity building for migration management",
    "Project completed",
    "This MPF project was implemented by ICMPD on behalf of the Republic of Belarus.",
    "Belarus",
    "February 2019 – February 2020",
    "EUR 105,000.00 (AMIF)",
    "Funded by the European Union",
    "MPF@icmpd.org",
]


@pytest.mark.parametrize("fact", SEED_FACTS)
def test_anonymous_visitor_reads_each_fact_of_the_seed_project(client, seeded, fact):
    response = client.get(f"/projects/{SEED_SLUG}/")
    assert response.status_code == 200
    assert fact in response.content.decode()


def test_seed_demo_is_idempotent(seeded):
    counts = Project.objects.count(), seeded.partners.count(), seeded.memberships.count()
    call_command("seed_demo", verbosity=0)
    assert (Project.objects.count(), seeded.partners.count(), seeded.memberships.count()) == counts


def test_seed_demo_has_an_unpublished_project_hidden_from_visitors(client, seeded):
    hidden = Project.objects.filter(is_published=False).first()
    assert hidden is not None
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert hidden.title not in client.get("/projects/").content.decode()


def test_demo_users_log_in_with_password_demo(client, seeded):
    for username in ["staff", "manager", "counterpart", "reviewer", "donor", "outsider"]:
        response = client.post("/accounts/login/", {"username": username, "password": "demo"})
        assert response.status_code == 302, username
        client.post("/accounts/logout/")


def test_project_markdown_summary_is_sanitised(client, published_project):
    published_project.summary = "Hello <script>alert(1)</script> [x](javascript:alert(1))"
    published_project.save()
    page = client.get(published_project.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert 'href="javascript' not in page.lower()


def _data_links(page: str, project) -> list[str]:
    return re.findall(rf'href="(/projects/{project.slug}/(?:iati\.xml|activities\.ics))"', page)


@pytest.mark.parametrize("role", ["anonymous", "outsider", "donor", "staff"])
def test_the_page_of_a_published_project_links_its_iati_file_and_calendar_for_everyone(
    client_for, published_project, role
):
    client = client_for(role)
    links = _data_links(client.get(published_project.get_absolute_url()).content.decode(), published_project)
    assert links == [
        f"/projects/{published_project.slug}/iati.xml",
        f"/projects/{published_project.slug}/activities.ics",
    ]
    assert all(client.get(link).status_code == 200 for link in links)


@pytest.mark.parametrize("role", ["reviewer", "manager", "staff"])
def test_the_page_of_an_unpublished_project_links_them_for_those_who_may_open_it(client_for, project, role):
    client = client_for(role)
    links = _data_links(client.get(project.get_absolute_url()).content.decode(), project)
    assert len(links) == 2 and all(client.get(link).status_code == 200 for link in links)
    for refused in ("anonymous", "outsider"):
        assert all(client_for(refused).get(link).status_code == 404 for link in links)
