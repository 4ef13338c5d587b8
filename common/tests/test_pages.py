"""common.pages: a page is kept per reader and version, and only when rendering it had no side effect."""

import pytest
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.template import engines
from django.urls import path

from common import pages, versions
from mpf_portal.urls import urlpatterns as portal_urlpatterns

pytestmark = pytest.mark.django_db

renders = []
TEMPLATE = engines["django"].from_string("<form>{% csrf_token %}</form> rendering {{ count }}")


def _page(request, **kwargs):
    renders.append(request.path)
    return HttpResponse(TEMPLATE.render({"count": len(renders)}, request))


kept = pages.cached_page(lambda **kwargs: ["test:pages"])


@kept
def plain(request):
    return _page(request)


@kept
def with_cookie(request):
    response = _page(request)
    response.set_cookie("seen", "1")
    return response


@kept
def with_message(request):
    messages.info(request, "Saved.")
    return _page(request)


@kept
def touching_the_session(request):
    request.session["visits"] = request.session.get("visits", 0) + 1
    return _page(request)


@kept
def missing(request):
    raise Http404("No such page.")


urlpatterns = [
    path("plain/", plain),
    path("cookie/", with_cookie),
    path("message/", with_message),
    path("session/", touching_the_session),
    path("missing/", missing),
    *portal_urlpatterns,  # the error page links to them
]


@pytest.fixture(autouse=True)
def _urls(settings):
    settings.ROOT_URLCONF = __name__
    renders.clear()


def test_a_page_is_rendered_once_per_reader_and_version(client_for):
    client = client_for("reviewer")
    first, second = client.get("/plain/"), client.get("/plain/")
    assert first.content.split(b"</form>")[1] == second.content.split(b"</form>")[1] == b" rendering 1"
    assert client_for("drafter").get("/plain/").content.endswith(b"rendering 2")  # another reader
    versions.bump("test:pages")
    assert client_for("drafter").get("/plain/").content.endswith(b"rendering 3")
    assert len(renders) == 3


def test_every_response_has_a_token_of_its_own_never_the_placeholder(client_for):
    client = client_for("reviewer")
    first, second = client.get("/plain/").content, client.get("/plain/").content
    assert b"csrfmiddlewaretoken" in first and first != second  # each masked afresh
    assert pages._placeholder().encode() not in first + second


def test_a_post_is_never_served_from_the_store(client_for):
    client = client_for("reviewer")
    client.get("/plain/")
    client.post("/plain/")
    assert len(renders) == 2


@pytest.mark.parametrize("url", ["/cookie/", "/message/", "/session/"])
def test_a_page_whose_rendering_has_a_side_effect_is_rendered_every_time(client_for, url):
    client = client_for("reviewer")
    for _ in range(3):
        assert client.get(url).status_code == 200
    assert len(renders) == 3


def test_a_waiting_message_is_shown_by_a_fresh_rendering(client_for):
    client = client_for("reviewer")
    client.get("/plain/")
    client.get("/message/")  # leaves "Saved." for the next page
    client.get("/plain/")
    assert renders == ["/plain/", "/message/", "/plain/"]


def test_an_error_page_gets_real_tokens(client_for):
    response = client_for("reviewer").get("/missing/")
    assert response.status_code == 404
    assert pages._placeholder().encode() not in response.content
