import logging

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import DONORS_GROUP, Role
from projects.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def attempt(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_wrong_password_shows_a_clear_message_and_logs_the_refusal(client, caplog):
    UserFactory(username="alena", password="right-password")
    with caplog.at_level(logging.WARNING, logger="mpf.security"):
        response = attempt(client, "alena", "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert any("alena" in record.getMessage() for record in caplog.records)


def test_correct_password_logs_in(client):
    UserFactory(username="alena", password="right-password")
    response = attempt(client, "alena", "right-password")
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_repeated_failures_pause_the_username_even_with_the_right_password(client, settings):
    UserFactory(username="alena", password="right-password")
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "alena", "wrong", address=f"10.0.0.{number + 1}")
    response = attempt(client, "alena", "right-password", address="10.0.9.9")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_from_one_address_pause_that_address(client, settings):
    UserFactory(username="victim", password="right-password")
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"guess{number}", "wrong", address="10.1.1.1")
    assert attempt(client, "victim", "right-password", address="10.1.1.1").status_code == 429
    assert attempt(Client(), "victim", "right-password", address="10.2.2.2").status_code == 302


def through_proxy(username, password, forwarded):
    """A log-in through one reverse proxy (10.9.9.9) that appends the address it saw to X-Forwarded-For."""
    data = {"username": username, "password": password}
    return Client().post(reverse("login"), data, REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=forwarded)


def test_behind_a_proxy_the_lockout_is_per_real_client_address(settings):
    """PROXY_COUNT=1: throttling sees the client's address, not the proxy's, and not what the client claims."""
    from axes.models import AccessAttempt

    settings.AXES_IPWARE_PROXY_COUNT = 1  # what PROXY_COUNT=1 sets
    UserFactory(username="victim", password="right-password")
    for number in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(f"guess{number}", "wrong", "203.0.113.5")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    assert through_proxy("victim", "right-password", "203.0.113.5").status_code == 429
    # The attacker claims another address: the proxy appends the real one, which is the one counted.
    assert through_proxy("victim", "right-password", "198.51.100.7, 203.0.113.5").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert through_proxy("victim", "right-password", "198.51.100.7").status_code == 302


def test_without_proxy_count_clients_behind_a_proxy_share_its_address(settings):
    """The reason to set PROXY_COUNT: otherwise one client's failures lock out everyone behind the proxy."""
    settings.AXES_IPWARE_PROXY_COUNT = 0
    UserFactory(username="victim", password="right-password")
    for number in range(settings.AXES_FAILURE_LIMIT):
        through_proxy(f"guess{number}", "wrong", "203.0.113.5")
    assert through_proxy("victim", "right-password", "198.51.100.7").status_code == 429


def test_the_pause_is_lifted_after_the_cool_off(client, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    UserFactory(username="alena", password="right-password")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "alena", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(hours=1))
    assert attempt(client, "alena", "right-password").status_code == 302


def test_post_without_csrf_token_gets_our_page_and_changes_nothing(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["staff"])
    response = client.post(
        reverse("password_change"), {"old_password": "x", "new_password1": "y", "new_password2": "y"}
    )
    assert response.status_code == 403
    assert "The form could not be sent" in response.content.decode()


def test_password_reset_sends_a_link_by_email(client, mailoutbox, eager_celery):
    UserFactory(username="alena", email="alena@example.org")
    response = client.post(reverse("password_reset"), {"email": "alena@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_unknown_url_gets_our_404_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize(
    ("role", "destination"),
    [
        ("anonymous", "/projects/"),
        ("staff", "/projects/"),
        ("outsider", "/projects/"),
        ("portfolio_donor", "/dashboard/"),
        ("donor", "/dashboard/"),
        ("drafter", "/projects/the-project/"),
        ("manager", "/projects/the-project/"),
    ],
)
def test_home_sends_each_role_to_its_work(client_for, role, destination):
    response = client_for(role).get("/")
    assert response.status_code == 302
    assert response.url == destination


@pytest.mark.parametrize(
    ("role", "sees", "hidden"),
    [
        ("staff", ["Dashboard", "Reports due", "Audit trail", "Administration"], []),
        ("portfolio_donor", ["Dashboard"], ["Reports due", "Audit trail", "Administration"]),
        ("manager", ["Dashboard"], ["Reports due", "Audit trail", "Administration"]),
        ("drafter", [], ["Dashboard", "Audit trail", "Administration"]),
        ("anonymous", ["Log in"], ["Dashboard", "Audit trail", "Administration", "Log out"]),
    ],
)
def test_navigation_shows_each_role_its_own_entries(client_for, role, sees, hidden):
    page = client_for(role).get("/projects/").content.decode()
    for label in sees:
        assert f">{label}<" in page
    for label in hidden:
        assert f">{label}<" not in page


def _nav_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/preferences/")
    return [q["sql"] for q in queries.captured_queries if "projects_membership" in q["sql"] or "auth_group" in q["sql"]]


def test_the_navigation_asks_two_small_questions_per_page_whatever_the_data(client_for, users, other_project):
    client = client_for("portfolio_donor")
    first = _nav_queries(client)  # memberships, then the Donors group: decided on every page
    assert 1 <= len(first) <= 2
    MembershipFactory(project=other_project, user=users["portfolio_donor"], role=Role.REVIEWER)
    assert len(_nav_queries(client)) == len(first)


def test_the_navigation_follows_a_change_of_role_at_once(client_for, users, project):
    client = client_for("drafter")
    assert ">Dashboard<" not in client.get("/projects/").content.decode()
    users["drafter"].groups.add(Group.objects.get(name=DONORS_GROUP))
    assert ">Dashboard<" in client.get("/projects/").content.decode()
    users["drafter"].groups.clear()
    assert ">Dashboard<" not in client.get("/projects/").content.decode()
    membership = MembershipFactory(project=project, user=users["outsider"], role=Role.MANAGER)
    client = client_for("outsider")
    assert ">Dashboard<" in client.get("/projects/").content.decode()
    membership.delete()
    assert ">Dashboard<" not in client.get("/projects/").content.decode()


def test_request_for_an_unknown_host_gets_400_not_a_server_error(client):
    response = client.get("/projects/", HTTP_HOST="evil.example")
    assert response.status_code == 400
