from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from projects.tests.factories import UserFactory

from .factories import signed_in_session

pytestmark = pytest.mark.django_db

PASSWORD = "Right-password-42"


def browser(username, agent="Mozilla/5.0 (X11; Linux) Firefox/140.0", address="198.51.100.4"):
    """A browser logged in through the log-in page, as a person does it."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client) -> bool:
    return client.get(reverse("sessions")).status_code == 200


@pytest.fixture
def alena(db):
    return UserFactory(username="alena", password=PASSWORD)


def test_the_sessions_page_lists_this_browser_marked_and_the_others(alena):
    here = browser("alena")
    browser("alena", agent="Safari on a phone", address="203.0.113.9")
    page = here.get(reverse("sessions")).content.decode()
    assert "Firefox/140.0" in page and "198.51.100.4" in page
    assert "Safari on a phone" in page and "203.0.113.9" in page
    assert page.count("This browser") == 1
    assert "Log out everywhere else" in page


def test_each_user_sees_only_their_own_sessions(alena):
    UserFactory(username="boris", password=PASSWORD)
    browser("boris", agent="Boris's browser")
    page = browser("alena").get(reverse("sessions")).content.decode()
    assert "Boris" not in page
    assert "You are not logged in anywhere else." in page


def test_log_out_everywhere_else_ends_the_other_browsers_and_keeps_this_one(alena):
    here, phone, laptop = browser("alena"), browser("alena"), browser("alena")
    response = here.post(reverse("sessions_end_others"), follow=True)
    assert "2 other sessions were logged out." in response.content.decode()
    assert signed_in(here)
    assert not signed_in(phone) and not signed_in(laptop)
    assert UserSession.objects.filter(user=alena).count() == 1


def test_one_other_browser_can_be_logged_out(alena):
    here, phone = browser("alena"), browser("alena")
    row = UserSession.objects.get(session_key=phone.session.session_key)
    assert here.post(reverse("session_end", args=[row.pk])).status_code == 302
    assert not signed_in(phone)
    assert signed_in(here)


def test_another_users_session_gets_404_and_stays_signed_in(alena):
    UserFactory(username="boris", password=PASSWORD)
    boris = browser("boris")
    row = UserSession.objects.get(session_key=boris.session.session_key)
    assert browser("alena").post(reverse("session_end", args=[row.pk])).status_code == 404
    assert signed_in(boris)


def test_ending_the_others_leaves_other_users_signed_in(alena):
    UserFactory(username="boris", password=PASSWORD)
    boris = browser("boris")
    browser("alena").post(reverse("sessions_end_others"))
    assert signed_in(boris)


def test_logging_out_removes_the_session_from_the_list(alena):
    phone = browser("alena")
    key = phone.session.session_key
    phone.post(reverse("logout"))
    assert not UserSession.objects.filter(session_key=key).exists()


def test_a_password_change_logs_out_the_other_browsers_and_this_one_stays_listed(alena):
    here, phone = browser("alena"), browser("alena")
    response = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-pass-77", "new_password2": "Another-pass-77"},
    )
    assert response.status_code == 302
    assert not signed_in(phone)
    page = here.get(reverse("sessions")).content.decode()
    assert "This browser" in page and "You are not logged in anywhere else." in page
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [here.session.session_key]


def test_a_session_that_no_longer_lets_its_browser_in_is_not_listed(alena):
    here = browser("alena")
    expired = signed_in_session(alena, user_agent="Expired browser")
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now())
    deleted = signed_in_session(alena, user_agent="Browser of a deleted session")
    Session.objects.filter(session_key=deleted.session_key).delete()
    page = here.get(reverse("sessions")).content.decode()
    assert "Expired browser" not in page and "Browser of a deleted session" not in page


def test_a_password_set_elsewhere_drops_the_old_sessions_from_the_list(alena):
    old = signed_in_session(alena, user_agent="Old browser")
    alena.set_password("Set-by-an-admin-9")
    alena.save()
    here = browser_with_password("alena", "Set-by-an-admin-9")
    page = here.get(reverse("sessions")).content.decode()
    assert "Old browser" not in page
    assert not UserSession.objects.filter(pk=old.pk).exists()  # pruned at the login


def browser_with_password(username, password):
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def test_the_ended_session_is_gone_from_the_session_store_too(alena):
    """With the cached_db engine a session deleted only in the database would live on in the cache."""
    phone = browser("alena")
    key = phone.session.session_key
    browser("alena").post(reverse("sessions_end_others"))
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    assert SESSION_KEY not in store.load()


def test_last_seen_moves_on_at_most_every_few_minutes(alena):
    here = browser("alena")
    row = UserSession.objects.get(session_key=here.session.session_key)
    long_ago = timezone.now() - timezone.timedelta(days=1)
    UserSession.objects.filter(pk=row.pk).update(last_seen=long_ago)
    cache.clear()  # as five minutes later
    here.get(reverse("preferences"))
    row.refresh_from_db()
    assert row.last_seen > long_ago
    UserSession.objects.filter(pk=row.pk).update(last_seen=long_ago)
    here.get(reverse("preferences"))
    row.refresh_from_db()
    assert row.last_seen == long_ago  # not again within the interval: no write on every request


def test_the_preferences_page_links_to_the_sessions(client_for):
    page = client_for("drafter").get(reverse("preferences")).content.decode()
    assert f'href="{reverse("sessions")}"' in page


def test_the_sessions_page_speaks_russian(alena):
    here = browser("alena")
    browser("alena")
    page = here.get(reverse("sessions"), headers={"accept-language": "ru"}).content.decode()
    assert "Ваши сеансы" in page and "Этот браузер" in page and "Выйти во всех остальных браузерах" in page
    response = here.post(reverse("sessions_end_others"), headers={"accept-language": "ru"}, follow=True)
    assert "Завершён 1 другой сеанс." in response.content.decode()
