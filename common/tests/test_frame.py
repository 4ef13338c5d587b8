"""The site's frame (base.html) with its parts kept per process (common/frame.py): each reader still
gets their own entries, name, language, current entry and CSRF token, whoever was served before."""

import re
from html import unescape
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import render_to_string
from django.test import Client

from common import frame
from projects.models import Role
from projects.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

ALL_ENTRIES = ["Projects", "Dashboard", "Reports due", "Audit trail", "Administration"]
EXPECTED_ENTRIES = {
    "anonymous": ["Projects"],
    "outsider": ["Projects"],
    "reviewer": ["Projects"],
    "donor": ["Projects", "Dashboard"],
    "portfolio_donor": ["Projects", "Dashboard"],
    "manager": ["Projects", "Dashboard"],
    "staff": ALL_ENTRIES,
}


@pytest.fixture(autouse=True)
def _nothing_kept():
    frame.forget_kept()
    yield
    frame.forget_kept()


def header(response) -> str:
    return header_of(response.content.decode())


def header_of(page: str) -> str:
    return page[page.index("<header>") : page.index("</header>")]


def entries(html: str) -> list[str]:
    navigation = html[: html.index("</ul>")]
    return [unescape(label) for label in re.findall(r'class="nav-link[^"]*" href="[^"]*"[^>]*>([^<]+)</a>', navigation)]


def tokens(response) -> set[str]:
    page = response.content.decode()
    found = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', page))
    return found | set(re.findall(r'"X-CSRFToken": "([^"]*)"', page))


def page_for(users, role, path="/projects/", **headers):
    client = Client(**headers)
    if role != "anonymous":
        client.force_login(users[role])
    return client.get(path)


@pytest.mark.parametrize("first", ["staff", "anonymous", "donor"])
def test_each_kind_of_reader_sees_their_own_entries_whoever_came_first(users, first):
    page_for(users, first)  # keeps the header of the first reader's kind
    for role, expected in EXPECTED_ENTRIES.items():
        html = header(page_for(users, role))
        assert entries(html) == expected, role
        if role == "anonymous":
            assert "Log in" in html and "Log out" not in html and "navbar-text me-3" not in html
        else:
            assert "Log out" in html and f">{users[role].get_full_name() or users[role].username}</span>" in html


def test_a_visitor_after_staff_gets_no_staff_entry_name_or_form(users):
    staff = header(page_for(users, "staff", "/projects/"))
    visitor = header(page_for(users, "anonymous", "/projects/"))
    assert "Administration" in staff and "Log out" in staff
    assert not {"Dashboard", "Reports due", "Audit trail", "Administration"} & set(entries(visitor))
    assert "Log out" not in visitor and 'action="/accounts/logout/"' not in visitor
    assert users["staff"].username not in visitor and (users["staff"].get_full_name() or "@") not in visitor


def test_the_current_entry_is_marked_on_each_page(users):
    for path, current in [("/projects/", "/projects/"), ("/dashboard/", "/dashboard/"), ("/audit/", "/audit/")]:
        html = header(page_for(users, "staff", path))
        assert re.findall(r'href="([^"]*)" aria-current="page"', html) == [current], path
        assert html.count("nav-link active") == 1


def test_english_and_russian_are_kept_apart(users):
    for order in (["en", "ru", "en"], ["ru", "en", "ru"]):
        frame.forget_kept()
        for language in order:
            response = page_for(users, "staff", HTTP_ACCEPT_LANGUAGE=language)
            page = response.content.decode()
            assert f'<html lang="{language}">' in page
            if language == "ru":
                assert entries(header(response))[0] == "Проекты" and "Выйти" in page and "Log out" not in page
                assert "Перейти к основному содержанию" in page and "Skip to main content" not in page
                assert '<option value="ru" lang="ru" selected>' in page
            else:
                assert entries(header(response)) == ALL_ENTRIES and "Log out" in page and "Выйти" not in page
                assert "Skip to main content" in page and "an EU-funded initiative" in page
                assert '<option value="en" lang="en" selected>' in page


@pytest.mark.parametrize("first, second", [("manager", "donor"), ("reviewer", "outsider"), ("staff", "staff")])
def test_every_form_carries_the_requests_own_token(users, first, second):
    """Two readers of the same kind (one kept header): each page has its own token, in every form."""
    one, other = page_for(users, first), page_for(users, second)
    assert entries(header(one)) == entries(header(other))
    assert len(tokens(one)) == 1 and len(tokens(other)) == 1  # header forms and htmx header: one token
    assert tokens(one) != tokens(other)
    assert one.cookies["csrftoken"].value != other.cookies["csrftoken"].value


def test_the_log_out_form_of_a_kept_header_works(users):
    for role in ("manager", "donor", "manager"):  # the later readers get the header that was kept
        client = Client(enforce_csrf_checks=True)
        client.force_login(users[role])
        html = header(client.get("/projects/"))
        form = html[html.index('action="/accounts/logout/"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
        assert response.status_code == 302, role
        assert "_auth_user_id" not in client.session
        assert "Log in" in header(client.get("/projects/"))


def test_a_token_from_another_session_is_refused(users):
    other = next(iter(tokens(page_for(users, "reviewer"))))
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["manager"])
    client.get("/projects/")
    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": other})
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_a_new_display_name_shows_at_once(users):
    client = Client()
    client.force_login(users["manager"])
    client.get("/projects/")
    get_user_model().objects.filter(pk=users["manager"].pk).update(first_name="Zoë", last_name="<Renamed>")
    html = header(client.get("/projects/"))
    assert ">Zoë &lt;Renamed&gt;</span>" in html


def test_a_new_role_shows_its_entry_at_once(users, other_project):
    client = Client()
    client.force_login(users["outsider"])
    assert entries(header(client.get("/projects/"))) == ["Projects"]
    MembershipFactory(project=other_project, user=users["outsider"], role=Role.MANAGER)
    assert entries(header(client.get("/projects/"))) == ["Projects", "Dashboard"]


def test_values_of_the_request_are_escaped_and_never_filled_in_twice(users):
    get_user_model().objects.filter(pk=users["manager"].pk).update(
        first_name='<b>"A&B"</b>', last_name="@@frame-csrf@@"
    )
    client = Client()
    client.force_login(users["manager"])
    response = client.get("/search/", {"q": '<x> "@@frame-name@@"', "p": "@@frame-next@@"})
    html = header(response)
    assert ">&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; @@frame-csrf@@</span>" in html
    assert 'id="nav-search" value="&lt;x&gt; &quot;@@frame-name@@&quot;"' in html
    assert "<x>" not in html and "<b>" not in html
    next_value = unescape(re.search(r'name="next" value="([^"]*)"', html).group(1))
    assert next_value == "/search/?q=%3Cx%3E+%22%40%40frame-name%40%40%22&p=%40%40frame-next%40%40"


def test_the_log_in_link_returns_to_the_page_with_its_address_encoded(users):
    html = header(page_for(users, "anonymous", "/projects/?q=a%26b"))
    assert 'href="/accounts/login/?next=/projects/%3Fq%3Da%2526b"' in html
    assert 'name="next" value="/projects/?q=a%26b"' in html


def test_the_header_is_rendered_once_per_kind_of_reader_and_reused(users, django_assert_num_queries):
    client = Client()
    client.force_login(users["manager"])
    with mock.patch.object(frame, "_render_skeleton", wraps=frame._render_skeleton) as render:
        client.get("/accounts/preferences/")
        assert render.call_count == 1
        page_for(users, "donor", "/accounts/preferences/")  # another reader of the same kind
        # the session, the user, the page's preferences, and the manager's roles for the entries (per request)
        with django_assert_num_queries(4):
            response = client.get("/accounts/preferences/")
        assert render.call_count == 1
        page_for(users, "staff", "/accounts/preferences/")  # another kind: its own header
        assert render.call_count == 2
    assert response.status_code == 200 and ">Preferences</a>" in header(response)


def test_the_frame_of_a_staff_page_makes_no_query(users, django_assert_num_queries):
    client = Client()
    client.force_login(users["staff"])
    client.get("/accounts/preferences/")
    with django_assert_num_queries(3):  # the session, the user, the page's preferences
        response = client.get("/accounts/preferences/")
    assert entries(header(response)) == ALL_ENTRIES


def test_the_warm_frame_makes_no_more_queries_than_the_cold_one(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(users["manager"])
    with CaptureQueriesContext(connection) as cold:
        client.get("/accounts/preferences/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/accounts/preferences/")
    assert len(warm.captured_queries) <= len(cold.captured_queries)


def test_a_page_rendered_without_the_request_has_no_token_and_no_user(users):
    """A template rendered from a plain context (no request, user or token) still gets a header."""
    page_for(users, "staff")  # a staff header with a token is kept
    page = render_to_string("404.html")
    assert "<header>" in page and entries(header_of(page)) == []
    assert "csrfmiddlewaretoken" not in page and "Administration" not in page and "Log out" not in page
    assert 'href="/accounts/login/?next="' in page and 'name="next" value=""' in page


@pytest.mark.parametrize(
    "inside",
    ["{{ user }}", "{% if user %}x{% endif %}", "{% translate title %}", "{% static path %}", "{% csrf_token %}"],
)
def test_a_kept_part_refuses_anything_that_reads_the_request(inside):
    with pytest.raises(TemplateSyntaxError):
        Template("{% load i18n static site_frame %}{% kept %}<p>" + inside + "</p>{% endkept %}")


def test_a_kept_part_is_rendered_once_per_language():
    template = Template('{% load i18n site_frame %}{% kept %}{% translate "Log out" %}{% endkept %}')
    from django.utils import translation

    with mock.patch.object(frame, "_kept", {}) as kept:
        with translation.override("en"):
            assert template.render(Context()) == "Log out"
            assert template.render(Context()) == "Log out"
        with translation.override("ru"):
            assert template.render(Context()) == "Выйти"
        assert len(kept) == 2


def test_every_page_names_the_portals_icon_so_the_browser_asks_for_no_favicon_ico():
    from django.contrib.staticfiles import finders

    page = Client().get("/projects/").content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)" type="image/svg\+xml">', page)
    assert icon, "no icon linked"
    found = finders.find(icon.group(1))
    assert found and "<svg" in Path(found).read_text(encoding="utf-8")
