import re
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from kombu.exceptions import OperationalError

from projects.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

DONE = reverse("password_reset_done")


def ask(email, address="198.51.100.4"):
    return Client(REMOTE_ADDR=address).post(reverse("password_reset"), {"email": email})


@pytest.fixture
def alena(db):
    return UserFactory(username="alena", email="alena@example.org", password="Old-password-1")


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(alena, mailoutbox):
    known, unknown = ask("alena@example.org"), ask("nobody@example.org")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url) == (302, DONE)
    assert [message.to for message in mailoutbox] == [["alena@example.org"]]
    page = Client().get(DONE).content.decode()
    assert "If an account has that address" in page


def test_requests_for_one_address_are_limited_and_still_answered_the_same(alena, mailoutbox, settings):
    limit = settings.PASSWORD_RESET_EMAIL_LIMIT
    answers = [ask("Alena@Example.org ", address=f"10.0.0.{number}") for number in range(limit + 2)]
    assert {(answer.status_code, answer.url) for answer in answers} == {(302, DONE)}
    assert len(mailoutbox) == limit


def test_requests_from_one_client_address_are_limited(mailoutbox, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 2
    for name in ["ann", "ben", "cem"]:
        UserFactory(username=name, email=f"{name}@example.org")
    answers = [ask(f"{name}@example.org", address="10.9.9.9") for name in ["ann", "ben", "cem"]]
    assert {answer.url for answer in answers} == {DONE}
    assert [message.to for message in mailoutbox] == [["ann@example.org"], ["ben@example.org"]]
    ask("cem@example.org", address="10.8.8.8")
    assert mailoutbox[-1].to == ["cem@example.org"]


def test_a_failing_cache_does_not_block_the_form(alena, mailoutbox):
    with mock.patch("accounts.throttle.cache.incr", side_effect=ConnectionError("cache down")):
        response = ask("alena@example.org")
    assert response.url == DONE
    assert len(mailoutbox) == 1


def test_a_broker_that_is_down_sends_the_link_from_the_web_process(alena, mailoutbox):
    with mock.patch("accounts.views.send_password_reset.apply_async", side_effect=OperationalError("broker down")):
        response = ask("alena@example.org")
    assert response.url == DONE
    assert len(mailoutbox) == 1


def test_the_link_is_written_in_the_language_of_the_request(alena, mailoutbox):
    Client(HTTP_ACCEPT_LANGUAGE="ru").post(reverse("password_reset"), {"email": "alena@example.org"})
    assert mailoutbox[0].subject == "Портал MPF: сброс пароля"


def test_a_new_password_from_the_link_logs_out_every_browser(alena, mailoutbox):
    elsewhere = Client()
    assert elsewhere.post(reverse("login"), {"username": "alena", "password": "Old-password-1"}).status_code == 302
    ask("alena@example.org")
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    client = Client()
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": "New-password-42", "new_password2": "New-password-42"})
    assert response.url == reverse("password_reset_complete")
    assert elsewhere.get(reverse("sessions")).status_code == 302  # sent to log in
    assert not alena.signed_in_sessions.exists()
