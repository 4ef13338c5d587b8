"""The portal's URLs plus `bench/floor/`, the cheapest Django response, to compare pages with.

Only the bench's settings use this module: the product's URLconf gains nothing.
"""

from django.http import HttpResponse
from django.urls import path

from mpf_portal.urls import urlpatterns as portal_urlpatterns


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *portal_urlpatterns]
