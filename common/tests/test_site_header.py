"""The header at the top of every page: each visitor gets their own name, entries, token and return address."""

import re
from html import unescape

import pytest
from django.test import Client

from projects.models import Role
from projects.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def header(response) -> str:
    page = response.content.decode()
    return page[page.index("<header>") : page.index("</header>")]


def next_of(html: str) -> str:
    return unescape(re.search(r'name="next" value="([^"]*)"', html).group(1))


def test_the_language_switcher_returns_to_each_page_it_is_on(client_for, project, published_project):
    client = client_for("manager")
    first = header(client.get("/projects/"))
    second = header(client.get("/projects/", {"q": 'a&b <"x">'}))
    assert next_of(first) == "/projects/"
    assert next_of(second) == "/projects/?q=a%26b+%3C%22x%22%3E"
    assert "<x>" not in second and '"x"' not in second  # the address is escaped where it is put in


def test_the_log_in_link_brings_a_visitor_back_to_the_page(client, published_project):
    html = header(client.get("/projects/public-project/"))
    assert 'href="/accounts/login/?next=/projects/public-project/"' in html


def test_the_forms_in_a_reused_header_carry_each_visitors_own_token(users, published_project):
    for role in ("manager", "reviewer"):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users[role])
        html = header(client.get("/projects/"))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        response = client.post("/i18n/setlang/", {"language": "ru", "next": "/projects/", "csrfmiddlewaretoken": token})
        assert response.status_code == 302, role  # the CSRF check accepted the header's token


def test_each_user_sees_their_own_name_and_entries(client_for, users, project):
    staff = header(client_for("staff").get("/projects/"))
    reviewer = header(client_for("reviewer").get("/projects/"))
    assert ">staff</span>" in staff and "Administration" in staff and "Dashboard" in staff
    assert ">reviewer</span>" in reviewer
    assert ">staff</span>" not in reviewer and "Administration" not in reviewer


def test_a_new_role_shows_in_the_header_at_once(client_for, users, project, other_project):
    client = client_for("outsider")
    assert "Dashboard" not in header(client.get("/projects/"))
    MembershipFactory(project=other_project, user=users["outsider"], role=Role.MANAGER)
    assert "Dashboard" in header(client.get("/projects/"))


def test_the_current_section_is_marked_on_each_page(client_for, project):
    client = client_for("staff")
    projects = header(client.get("/projects/"))
    dashboard = header(client.get("/dashboard/"))
    assert re.search(r'class="nav-link active" href="/projects/" aria-current="page"', projects)
    assert re.search(r'class="nav-link active" href="/dashboard/" aria-current="page"', dashboard)
    assert 'href="/dashboard/" aria-current' not in projects


def test_the_header_follows_the_language(client_for, project):
    client = client_for("manager")
    english = header(client.get("/projects/"))
    client.post("/i18n/setlang/", {"language": "ru", "next": "/projects/"})
    russian = header(client.get("/projects/"))
    assert "Log out" in english and "Выйти" in russian and "Log out" not in russian
    assert '<option value="ru" lang="ru" selected>' in russian


def test_the_dashboard_entry_on_a_page_that_already_decided_finance_rights(client_for, users, project):
    """A manager on their project's page follows the dashboard: the access decision already said so, and
    the header asks nothing more. A reviewer there is asked, and has no dashboard entry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = f"/projects/{project.slug}/"
    manager = client_for("manager")
    manager.get(url)
    with CaptureQueriesContext(connection) as queries:
        html = header(manager.get(url))
    assert "Dashboard" in html
    assert not [q for q in queries.captured_queries if _asks_for_dashboard_roles(q["sql"])]
    reviewer = client_for("reviewer")
    reviewer.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert "Dashboard" not in header(reviewer.get(url))
    assert [q for q in queries.captured_queries if _asks_for_dashboard_roles(q["sql"])]


def _asks_for_dashboard_roles(sql: str) -> bool:
    return 'FROM "projects_membership"' in sql and "'donor'" in sql and "'manager'" in sql
