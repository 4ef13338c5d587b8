"""The signed-in user comes from the cache, and every change to the user is seen at once."""

import json
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.middleware import get_user
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.functional import SimpleLazyObject

from common import auth
from common.staticfiles import ManifestStaticFilesStorage
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _user_queries(client, url="/accounts/preferences/"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, [q["sql"] for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


@pytest.fixture
def member(client):
    user = UserFactory(username="ana", first_name="Ana", last_name="Lis")
    user.set_password("a long password 1")
    user.save()
    response = client.post("/accounts/login/", {"username": "ana", "password": "a long password 1"})
    assert response.status_code == 302  # logged in through the form, as a person does
    return user


def test_the_second_request_reads_the_user_from_the_cache(client, member):
    first, first_queries = _user_queries(client)
    second, second_queries = _user_queries(client)
    assert first.status_code == second.status_code == 200
    assert len(first_queries) == 1 and second_queries == []
    assert "Ana Lis" in second.content.decode()


def test_a_deactivated_user_is_logged_out_on_the_next_request(client, member):
    _user_queries(client)
    member.is_active = False
    member.save()
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_password_ends_the_other_sessions_at_once(client, member):
    _user_queries(client)
    member.set_password("another long password 2")
    member.save()
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_renamed_user_sees_the_new_name_at_once(client, member):
    _user_queries(client)
    member.first_name = "Anna"
    member.save()
    response, queries = _user_queries(client)
    assert "Anna Lis" in response.content.decode() and len(queries) == 1


def test_a_deleted_user_is_logged_out(client, member):
    _user_queries(client)
    get_user_model().objects.filter(pk=member.pk).delete()
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_users_session_never_gets_the_cached_user(client, member):
    _user_queries(client)
    other = UserFactory(username="boris", first_name="Boris", last_name="Orlov")
    other_client = client.__class__()
    other_client.force_login(other)
    response = other_client.get("/accounts/preferences/")
    page = response.content.decode()
    assert "Boris Orlov" in page and "Ana Lis" not in page


def _storage(tmp_path):
    manifest = {"paths": {"css/portal.css": "css/portal.0123456789ab.css"}, "version": "1.1", "hash": "x"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return ManifestStaticFilesStorage(location=tmp_path, base_url="/static/")


def test_static_urls_are_the_manifests_hashed_names(tmp_path):
    storage = _storage(tmp_path)
    assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css"
    assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css"


def test_a_file_missing_from_the_manifest_still_raises_every_time(tmp_path):
    storage = _storage(tmp_path)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def _request_of(client):
    """A request in `client`'s session, its user loaded lazily as AuthenticationMiddleware does."""
    request = RequestFactory().get("/")
    store = import_module(settings.SESSION_ENGINE).SessionStore
    request.session = store(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    request.user = SimpleLazyObject(lambda: get_user(request))
    return request


def test_a_page_fetches_the_user_with_its_own_cache_reads_in_one_round_trip(client, member, monkeypatch):
    _user_queries(client)  # the user is in the cache now
    cache.set("page-version", 7)
    request = _request_of(client)

    class OneRoundTrip:
        def get_many(self, keys):
            return cache.get_many(keys)

        def get(self, *args, **kwargs):
            raise AssertionError("a second round trip to the cache")

    monkeypatch.setattr(auth, "cache", OneRoundTrip())
    with CaptureQueriesContext(connection) as queries:
        assert auth.get_many_with_user(request, ["page-version"]) == {"page-version": 7}
        assert request.user == member
    assert not [q for q in queries.captured_queries if 'FROM "auth_user"' in q["sql"]]


def test_a_user_fetched_with_a_page_is_still_checked_against_the_session(client, member):
    _user_queries(client)
    member.set_password("another long password 2")
    member.save()
    auth.CachedModelBackend().get_user(member.pk)  # cached again, with the new password
    request = _request_of(client)
    auth.get_many_with_user(request, [])
    assert not request.user.is_authenticated


def test_an_anonymous_request_fetches_only_what_it_asked_for(client, db):
    cache.set("page-version", 7)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert auth.get_many_with_user(request, ["page-version"]) == {"page-version": 7}
