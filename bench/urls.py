"""The portal's URLs plus the bench's own pages, to compare the portal's pages with:

- `bench/floor/`: the cheapest Django response (no session, no template, no query);
- `bench/floor/user/`: the same for a logged-in user (the session and the user are looked up);
- `bench/floor/<n>kb/`: the floor with a body of n kilobytes: what sending a page of that size costs;
- `bench/frame/`: the site's frame, base.html (navigation, language switcher, CSRF token), around
  an empty page.

Only the bench's settings use this module: the product's URLconf gains nothing.
"""

from django.http import HttpResponse
from django.template import engines
from django.urls import path

from mpf_portal.urls import urlpatterns as portal_urlpatterns

EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


def floor_user(request):
    return HttpResponse(b"ok" if request.user.is_authenticated else b"no", content_type="text/plain")


def floor_size(request, kb):
    return HttpResponse(b"x" * (min(kb, 4096) * 1024), content_type="text/plain")


def frame(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor/user/", floor_user, name="bench_floor_user"),
    path("bench/floor/<int:kb>kb/", floor_size, name="bench_floor_size"),
    path("bench/frame/", frame, name="bench_frame"),
    *portal_urlpatterns,
]
