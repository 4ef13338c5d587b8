"""The read API: the pages' visibility, filters with 400 on malformed ones, 404 on what one may
not see, a valid OpenAPI schema, query counts, and a schemathesis fuzz run against the schema."""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token

from budgets.models import BudgetLine, Expenditure
from concepts.tests.factories import ConceptFactory, concept_objects
from dashboards.tests.conftest import donors_group_member, many_projects
from projects.models import Project
from projects.services import project_update

pytestmark = pytest.mark.django_db


def get_json(client, path, user=None, expect=200, **query):
    client.logout()
    if user is not None:
        client.force_login(user)
    response = client.get(path, query)
    assert response.status_code == expect, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def codes(data, key="code"):
    return {row[key] for row in data["results"]}


def test_api_root_lists_the_resources(client):
    data = get_json(client, "/api/")
    assert set(data) == {"projects", "activities", "budget-lines", "expenditures", "editions"}


def test_anonymous_sees_published_projects_only(client, portfolio):
    data = get_json(client, "/api/projects/")
    assert codes(data) == set(Project.objects.filter(is_published=True).values_list("code", flat=True))
    assert data["count"] == len(data["results"])
    usd = next(row for row in data["results"] if row["code"] == "P-USD")
    assert usd["countries"] == ["GE"] and usd["instrument"] == "NDICI" and usd["currency"] == "USD"
    assert usd["page"].endswith("/projects/p-usd/")
    get_json(client, "/api/projects/p-private/", expect=404)
    assert get_json(client, "/api/projects/p-usd/")["title"] == "Labour mobility in Georgia"


def test_members_and_staff_see_unpublished_projects(client, portfolio, users, donor_of_private):
    assert "P-PRIVATE" in codes(get_json(client, "/api/projects/", users["staff"]))
    assert get_json(client, "/api/projects/p-private/", donor_of_private)["code"] == "P-PRIVATE"
    get_json(client, "/api/projects/p-private/", users["outsider"], expect=404)


def test_activities_follow_project_visibility(client, portfolio, donor_of_private):
    activity = portfolio.private.activities.get()
    assert get_json(client, "/api/activities/", project="p-private")["results"] == []
    get_json(client, f"/api/activities/{activity.pk}/", expect=404)
    data = get_json(client, f"/api/activities/{activity.pk}/", donor_of_private)
    assert (data["project"], data["title"], data["is_milestone"]) == ("p-private", "Reintegration workshop", False)


def test_budget_lines_and_expenditures_need_finance_rights(client, portfolio, users, donor_of_private):
    line = portfolio.private.budget_lines.get()
    expenditure = Expenditure.objects.get(line=line)
    # Anonymous, outsiders and members without finance rights: nothing listed, 404 on the object.
    for user in (None, users["outsider"], users["reviewer"]):
        assert get_json(client, "/api/budget-lines/", user)["results"] == []
        assert get_json(client, "/api/expenditures/", user)["results"] == []
        get_json(client, f"/api/budget-lines/{line.pk}/", user, expect=404)
        get_json(client, f"/api/expenditures/{expenditure.pk}/", user, expect=404)
    # The Donors group: published projects only.
    group_donor = donors_group_member()
    listed = {row["project"] for row in get_json(client, "/api/budget-lines/", group_donor)["results"]}
    assert listed == {"p-eur", "p-usd"}
    get_json(client, f"/api/budget-lines/{line.pk}/", group_donor, expect=404)
    # A donor member of the unpublished project: theirs.
    data = get_json(client, f"/api/budget-lines/{line.pk}/", donor_of_private)
    assert (data["original"], data["revised"], data["spent"], data["currency"]) == (
        "150000.00", "150000.00", "5000.00", "EUR",
    )  # fmt: skip
    assert codes(get_json(client, "/api/expenditures/", donor_of_private), "project") == {"p-private"}


def test_revised_and_spent_figures_of_a_line(client, portfolio, staff_user):
    staff_line = portfolio.eur.budget_lines.get(category=BudgetLine.Category.STAFF)
    data = get_json(client, f"/api/budget-lines/{staff_line.pk}/", staff_user)
    assert (data["original"], data["revised"], data["spent"]) == ("60000.00", "66000.00", "3500.50")


def test_filters_apply_to_every_list(client, portfolio, staff_user):
    assert codes(get_json(client, "/api/projects/", staff_user, country="GE")) == {"P-USD"}
    assert codes(get_json(client, "/api/projects/", staff_user, instrument="NDICI", year=2025)) == {"P-PRIVATE"}
    assert codes(get_json(client, "/api/projects/", staff_user, thematic_area="Border management")) == {
        "P-EUR", "P-USD",
    }  # fmt: skip
    assert codes(get_json(client, "/api/expenditures/", staff_user, project="p-usd"), "project") == {"p-usd"}
    data = get_json(client, "/api/budget-lines/", staff_user, status=Project.Status.CLOSED)
    assert codes(data, "project") == {"p-usd"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"year": "abc"}, "year"),
        ({"year": "1200"}, "year"),
        ({"country": "ZZ"}, "country"),
        ({"status": "9"}, "status"),
        ({"instrument": "NOPE"}, "instrument"),
        ({"project": "not a slug!"}, "project"),
        ({"thematic_area": "x" * 300}, "thematic_area"),
    ],
)
@pytest.mark.parametrize("resource", ["projects", "activities", "budget-lines", "expenditures", "editions"])
def test_malformed_filter_is_400_naming_the_parameter(client, staff_user, resource, query, parameter):
    data = get_json(client, f"/api/{resource}/", staff_user, expect=400, **query)
    assert list(data) == [parameter] and isinstance(data[parameter], list) and data[parameter][0]


def test_pagination(client, staff_user):
    many_projects(7, expenditures_per_project=0)
    data = get_json(client, "/api/projects/", staff_user, page_size=3, page=2)
    assert data["count"] == Project.objects.count() == 10
    assert len(data["results"]) == 3 and data["next"] and data["previous"]
    get_json(client, "/api/projects/", staff_user, expect=404, page=99)


@pytest.mark.parametrize(
    "query", [{"page": ""}, {"page_size": ""}, {"page": "0"}, {"page_size": "501"}, {"page": "x"}, {"page_size": "-1"}]
)
def test_empty_or_malformed_page_and_page_size_are_400_naming_them(client, staff_user, query):
    """Decided: an empty `page=` or `page_size=` is refused like a malformed filter, not read as absent."""
    data = get_json(client, "/api/projects/", staff_user, expect=400, **query)
    assert list(data) == list(query) and data[next(iter(query))][0].startswith("A whole number from 1")


def test_a_project_without_instrument_has_null_instrument(client, portfolio):
    assert get_json(client, "/api/projects/p-bare/")["instrument"] is None


def test_token_authentication(client, portfolio, donor_of_private):
    token = Token.objects.create(user=donor_of_private)
    client.logout()
    response = client.get("/api/budget-lines/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200 and codes(response.json(), "project") == {"p-private"}
    refused = client.get("/api/projects/", headers={"Authorization": "Token wrong"})
    assert refused.status_code == 401 and refused["WWW-Authenticate"] == "Token"


def test_the_api_is_read_only(client, staff_user):
    client.force_login(staff_user)
    assert client.post("/api/projects/", {"code": "X"}).status_code == 405
    client.logout()
    assert client.post("/api/projects/", {"code": "X"}).status_code == 401


def test_editions_follow_the_concept_rules(client, users, project, published_project):
    draft = concept_objects(ConceptFactory(project=project), author=users["drafter"])["edition"]
    public_concept = ConceptFactory(project=published_project, status="published")
    final = concept_objects(public_concept, author=users["drafter"])["edition"]
    assert {row["id"] for row in get_json(client, "/api/editions/")["results"]} == {final.pk}
    get_json(client, f"/api/editions/{draft.pk}/", expect=404)
    get_json(client, f"/api/editions/{draft.pk}/", users["portfolio_donor"], expect=404)
    data = get_json(client, f"/api/editions/{draft.pk}/", users["reviewer"])
    assert data["entries"][0]["title"] == "Introduction" and data["project"] == "the-project"
    listed = {row["id"] for row in get_json(client, "/api/editions/", users["drafter"])["results"]}
    assert listed == {draft.pk, final.pk}


@pytest.mark.parametrize("resource", ["projects", "activities", "budget-lines", "expenditures", "editions"])
def test_list_query_count_does_not_grow(client, staff_user, resource):
    client.force_login(staff_user)
    many_projects(3, expenditures_per_project=10)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/{resource}/", {"page_size": 500}).status_code == 200
        return len(queries)

    client.get("/accounts/preferences/")  # from now on the signed-in user comes from the cache
    small = count()
    many_projects(57, expenditures_per_project=10)  # 60 projects, 600 expenditures
    assert count() == small <= 6


def test_schema_is_valid_openapi(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)  # drf-spectacular's copy of the official OpenAPI 3 JSON schema
    assert schema["openapi"].startswith("3.")
    for path in ("/api/projects/", "/api/projects/{slug}/", "/api/budget-lines/", "/api/editions/{id}/"):
        assert path in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/expenditures/"]["get"]["parameters"]}
    assert {"status", "country", "instrument", "year", "thematic_area", "project", "page", "page_size"} <= names
    assert "400" in schema["paths"]["/api/projects/"]["get"]["responses"]
    instrument = schema["components"]["schemas"]["Project"]["properties"]["instrument"]
    assert instrument["nullable"] is True
    for path, operation in ((path, methods["get"]) for path, methods in schema["paths"].items()):
        expected = {"200", "401", "404"} | ({"400"} if "{" not in path else set())
        assert set(operation["responses"]) == expected, path
    limits = {p["name"]: p["schema"] for p in schema["paths"]["/api/activities/"]["get"]["parameters"]}
    assert (limits["year"]["minimum"], limits["year"]["maximum"]) == (1990, 2100)
    assert "XK" in limits["country"]["enum"] and "ZZ" not in limits["country"]["enum"]
    assert (limits["page"]["minimum"], limits["page_size"]["maximum"]) == (1, 500)
    assert limits["project"]["pattern"] and limits["thematic_area"]["maxLength"] == 200


def test_docs_page_lists_the_endpoints(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "GET /api/budget-lines/" in content and "thematic_area" in content
    assert "<script>" not in content.split("</head>")[1]


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Django closes the connection at the end of a WSGI request; the test client does not, nor may we here."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_schema_conforms_to_the_api_under_every_check(portfolio, users, wsgi_requests_keep_the_test_transaction):
    """Schemathesis, in-process against the WSGI application: every operation with generated
    parameters, anonymous and with the token of a user who may read (a donor member of the
    unpublished project), under every check schemathesis has (status codes, content types,
    response schemas, headers, positive and negative data...)."""
    import schemathesis
    from schemathesis.checks import CHECKS, load_all_checks

    from mpf_portal.wsgi import application

    load_all_checks()
    checks = CHECKS.get_all()
    assert len(checks) >= 10
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    reader = users["donor"]
    token = Token.objects.create(user=reader).key
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 10

    statuses = set()

    def fuzz(operation, headers):
        @given(case=operation.as_strategy())
        @settings(max_examples=6, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(headers=headers)
            statuses.add(response.status_code)
            case.validate_response(response, checks=checks, headers=headers)

        run()

    for operation in operations:
        fuzz(operation, {})
        fuzz(operation, {"Authorization": f"Token {token}"})
    assert 200 in statuses and not any(status >= 500 for status in statuses)


@pytest.mark.parametrize("first", ["staff", "manager", "outsider"])
def test_each_reader_is_told_the_number_of_projects_they_may_see_and_it_moves_on_with_a_change(
    client, users, project, published_project, first
):
    """`project` is unpublished (its manager and staff count it); the count is kept per change of the data."""
    expected = {"staff": Project.objects.count(), "manager": 2, "outsider": 1}
    for role in [first, *expected]:
        data = get_json(client, "/api/projects/", users[role])
        assert data["count"] == expected[role] == len(data["results"]), role
    with TestCase.captureOnCommitCallbacks(execute=True):
        project_update(project=Project.objects.get(pk=project.pk), user=users["staff"], is_published=True)
    assert get_json(client, "/api/projects/", users["outsider"])["count"] == 2
    assert get_json(client, "/api/projects/", users["outsider"], status=project.status)["count"] >= 1
