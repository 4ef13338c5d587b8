"""With Redis unreachable the portal still serves every page: a cache error is a miss.

The cache and the broker point at a closed port on this machine, as when Redis has stopped.
"""

import logging

import pytest
from django.core.cache import cache
from django.test import Client

from common import cache as cache_module
from concepts import services
from concepts.tests.factories import ConceptFactory, section_with_version

pytestmark = pytest.mark.django_db

CLOSED = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "common.cache.RedisCache",
            "LOCATION": CLOSED,
            "KEY_PREFIX": "test",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED
    assert not cache.available()


def test_a_visitor_a_login_and_signed_in_pages_are_served(redis_down, users, published_project, project):
    concept = ConceptFactory(project=project, title="National Migration Policy")
    section = section_with_version(concept, title="Asylum", body="Protection **for all**.", author=users["drafter"])
    services.section_save(
        section=section, base_number=1, title="Asylum", body="Protection for everyone.", user=users["drafter"]
    )
    visitor = Client()
    assert visitor.get("/projects/").status_code == 200
    assert visitor.get(f"/projects/{published_project.slug}/").status_code == 200
    assert visitor.get("/accounts/login/").status_code == 200
    users["manager"].set_password("a long passphrase")
    users["manager"].save()
    response = visitor.post("/accounts/login/", {"username": "manager", "password": "a long passphrase"})
    assert response.status_code == 302
    for url in (
        "/projects/",
        f"/concepts/{concept.pk}/",
        f"/concepts/{concept.pk}/sections/{section.pk}/",
        f"/concepts/{concept.pk}/sections/{section.pk}/history/",
        f"/concepts/{concept.pk}/sections/{section.pk}/compare/?from=1&to=2",
        "/dashboard/",
        f"/projects/{project.slug}/dashboard/",
    ):
        response = visitor.get(url)
        assert response.status_code == 200, url
    assert "Protection for everyone." in visitor.get(f"/concepts/{concept.pk}/").content.decode()


def test_healthz_names_the_cache_and_the_broker_as_down_and_answers_200(redis_down, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "down", "broker": "down"}


def test_a_failing_cache_is_logged_once_then_left_alone_for_a_while(redis_down, caplog, monkeypatch):
    calls = []
    real_get = cache_module.DjangoRedisCache.get

    def counting_get(self, *args, **kwargs):
        calls.append(args)
        return real_get(self, *args, **kwargs)

    monkeypatch.setattr(cache_module.DjangoRedisCache, "get", counting_get)
    with caplog.at_level(logging.WARNING, logger="mpf.cache"):
        assert cache.get("a") is None
        assert cache.get("b", "default") == "default"
        cache.set("c", 1)
    assert len(calls) == 1  # the second call did not try Redis again
    assert len([r for r in caplog.records if "Cache unavailable" in r.getMessage()]) == 1
