"""The portal's URLs plus the bench's own pages, to compare the portal's pages with:

- `bench/floor/`: the cheapest Django response (no session, no template, no query);
- `bench/floor/user/`: the same for a logged-in user (the session and the user are looked up);
- `bench/floor/<n>kb/`: the floor with a body of n kilobytes: what sending a page of that size costs;
- `bench/frame/`: the site's frame, base.html (navigation, language switcher, CSRF token), around
  an empty page;
- `bench/report-pdf/<slug>/<id>/`: a report's PDF rendered in the request, as the worker renders it
  (access check, figures, HTML, WeasyPrint): what one report render costs, against the floor;
- `bench/template-floor/`: the "template floor" of issue #22, the reference for the key pages' aims:
  a login-required view that makes one query and renders a 30-line template of its own (a table of
  ten projects with links, translated words and a form with its CSRF token).

Only the bench's settings use this module: the product's URLconf gains nothing.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from mpf_portal.urls import urlpatterns as portal_urlpatterns
from projects.models import Project

EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}{% block content %}{% endblock %}')

TEMPLATE_FLOOR = engines["django"].from_string("""{% load i18n %}<!doctype html>
<html lang="{{ LANGUAGE_CODE|default:'en' }}">
<head>
  <meta charset="utf-8">
  <title>{% translate "Projects" %}</title>
</head>
<body>
  <header><a href="{% url 'home' %}">{% translate "MPF Portal" %}</a> · {{ request.user.username }}</header>
  <main>
    <h1>{% translate "Projects" %}</h1>
    <table>
      <thead>
        <tr><th>{% translate "Code" %}</th><th>{% translate "Title" %}</th><th>{% translate "Status" %}</th></tr>
      </thead>
      <tbody>
        {% for project in projects %}
        <tr>
          <td>{{ project.code }}</td>
          <td><a href="{% url 'projects:detail' project.slug %}">{{ project.title }}</a></td>
          <td>{{ project.get_status_display }}</td>
        </tr>
        {% empty %}
        <tr><td colspan="3">{% translate "No projects." %}</td></tr>
        {% endfor %}
      </tbody>
    </table>
    <form method="post" action="{% url 'set_language' %}">{% csrf_token %}
      <button type="submit">{% translate "Save" %}</button>
    </form>
  </main>
</body>
</html>""")


@login_required
def report_pdf(request, slug, report_id):
    from concepts.rendering.render import render_pdf
    from reports.render_views import _report
    from reports.rendering import audience_of, build_report_document

    report = _report(request, slug, report_id)
    audience = audience_of(report.project.capabilities)
    document = build_report_document(report=report, language=request.LANGUAGE_CODE, audience=audience)
    data, _pages = render_pdf(document.html)
    return HttpResponse(data, content_type="application/pdf")


def floor(request):
    return HttpResponse(b"ok", content_type="text/plain")


def floor_user(request):
    return HttpResponse(b"ok" if request.user.is_authenticated else b"no", content_type="text/plain")


def floor_size(request, kb):
    return HttpResponse(b"x" * (min(kb, 4096) * 1024), content_type="text/plain")


def frame(request):
    return HttpResponse(EMPTY_PAGE.render({}, request))


@login_required
def template_floor(request):
    projects = Project.objects.only("code", "slug", "title", "status").order_by("-pk")[:10]
    return HttpResponse(TEMPLATE_FLOOR.render({"projects": projects}, request))


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor/user/", floor_user, name="bench_floor_user"),
    path("bench/floor/<int:kb>kb/", floor_size, name="bench_floor_size"),
    path("bench/frame/", frame, name="bench_frame"),
    path("bench/template-floor/", template_floor, name="bench_template_floor"),
    path("bench/report-pdf/<slug:slug>/<int:report_id>/", report_pdf, name="bench_report_pdf"),
    *portal_urlpatterns,
]
