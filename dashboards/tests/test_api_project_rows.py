"""/api/projects/ lists plain rows (serializers.project_rows) rather than a ProjectSerializer per project:
the same JSON as the serializer gives, in both languages and for every kind of project, and right at
once after a change."""

import datetime
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation

from dashboards import serializers
from projects import services as project_services
from projects.models import Project

pytestmark = pytest.mark.django_db


def _listed(client, user=None, language="en", **query):
    client.logout()
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get("/api/projects/", {"page_size": 500, **query})
    assert response.status_code == 200
    return response.json()


def _serialized(projects, language):
    request = RequestFactory().get("/api/projects/")
    with translation.override(language):
        return serializers.ProjectSerializer(projects, many=True, context={"request": request}).data


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_rows_are_what_the_serializer_gives(client, portfolio, staff_user, language):
    listed = _listed(client, staff_user, language)["results"]
    projects = Project.objects.select_related("instrument").order_by("code")
    assert listed == [dict(row) for row in _serialized(projects, language)]
    assert len(listed) == Project.objects.count() and len(listed) >= 4
    bare = next(row for row in listed if row["code"] == portfolio.bare.code)
    assert bare["countries"] == [] and bare["instrument"] is None  # the empty cases are covered too
    with translation.override("en"):
        english = str(Project.Status(listed[0]["status"]).label)
    assert (listed[0]["status_label"] == english) == (language == "en")  # the reader's language


def test_the_rows_have_the_serializers_fields_in_its_order(portfolio):
    request = RequestFactory().get("/api/projects/")
    project = Project.objects.select_related("instrument").get(pk=portfolio.eur.pk)
    row = Project.objects.filter(pk=project.pk).values(*serializers.PROJECT_VALUES).get()
    assert list(serializers.project_rows([row], request=request)[0]) == list(
        serializers.ProjectSerializer(project, context={"request": request}).data
    )


def test_a_change_shows_at_once(client, portfolio, staff_user):
    eur = portfolio.eur
    before = next(row for row in _listed(client, staff_user)["results"] if row["code"] == eur.code)
    assert before["total_budget"] == "120000.00" and before["actual_end"] is None
    project_services.project_update(
        project=eur,
        user=staff_user,
        title="Border data, second phase",
        total_budget=Decimal("150000.5"),
        actual_end=datetime.date(2025, 7, 1),
        countries=["UA", "MD"],
    )
    after = next(row for row in _listed(client, staff_user)["results"] if row["code"] == eur.code)
    assert after["title"] == "Border data, second phase"
    assert after["total_budget"] == "150000.50" and after["actual_end"] == "2025-07-01"
    assert after["countries"] == ["MD", "UA"]


def test_unpublishing_takes_a_project_off_the_anonymous_list_at_once(client, portfolio, staff_user):
    assert portfolio.usd.code in {row["code"] for row in _listed(client)["results"]}
    project_services.project_update(project=portfolio.usd, user=staff_user, is_published=False)
    assert portfolio.usd.code not in {row["code"] for row in _listed(client)["results"]}


def test_the_list_makes_few_queries_whatever_the_number_of_projects(
    client, portfolio, staff_user, django_assert_max_num_queries
):
    client.force_login(staff_user)
    client.get("/api/projects/")
    with django_assert_max_num_queries(4):  # session, user, count, rows
        client.get("/api/projects/")
