"""Cache-Control: private, no-store on what a signed-in user gets (common.middleware.PrivateCacheMiddleware)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from common.middleware import PrivateCacheMiddleware

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_page_is_private_and_not_stored(client_for):
    response = client_for("manager").get("/projects/the-project/")
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_csv_download_is_private_and_not_stored(client_for):
    response = client_for("manager").get("/projects/the-project/budget/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert {"private", "no-store"} <= directives(response)


def test_an_htmx_fragment_is_private_and_not_stored(client_for):
    response = client_for("staff").get("/dashboard/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the fragment, not the page
    assert {"private", "no-store"} <= directives(response)


def test_a_public_page_for_an_anonymous_visitor_stays_cacheable(client_for):
    response = client_for("anonymous").get("/projects/public-project/")
    assert response.status_code == 200
    assert not {"private", "no-store"} & directives(response)


def test_a_view_that_sets_its_own_cache_control_keeps_it(users):
    def view(request):
        response = HttpResponse("shared")
        response["Cache-Control"] = "private, max-age=60"
        return response

    def plain_view(request):
        return HttpResponse("plain")

    request = RequestFactory().get("/")
    request.user = users["manager"]
    assert PrivateCacheMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"
    assert {"private", "no-store"} <= directives(PrivateCacheMiddleware(plain_view)(request))
    request.user = AnonymousUser()
    assert "Cache-Control" not in PrivateCacheMiddleware(plain_view)(request)


def test_an_api_answer_to_a_token_is_private_and_not_stored(client, users):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users["manager"])
    response = client.get("/api/projects/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)
