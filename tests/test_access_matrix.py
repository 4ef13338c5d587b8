import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.models import BudgetLine, Expenditure
from concepts.tests.factories import ConceptFactory, concept_objects
from projects.models import Membership
from projects.tests.factories import ProjectPartnerFactory
from tests.access_matrix import FRAMEWORK_NAMESPACES, LOGIN, MATRIX, REDIRECT, ROLES

pytestmark = pytest.mark.django_db


def named_urls(patterns=None, namespace=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_every_named_url_has_an_entry_in_the_access_matrix():
    names = {name for name in named_urls() if name.split(":")[0] not in FRAMEWORK_NAMESPACES or name in MATRIX}
    missing = sorted(names - set(MATRIX))
    assert not missing, f"URLs without an access-matrix entry: {missing}"


def test_access_matrix_has_no_stale_entries():
    names = set(named_urls())
    assert not sorted(set(MATRIX) - names)


@pytest.fixture
def objects(users, project, published_project, other_project):
    """The objects the URLs of the matrix point at: all on the unpublished `project` unless named."""
    line = BudgetLine.objects.create(project=project, category="staff", description="Team leader", amount=1000)
    activity = ActivityFactory(project=project)
    concept = ConceptFactory(project=project, target_languages=["ru"])
    public_concept = ConceptFactory(project=published_project, status="published")
    return {
        **concept_objects(concept, author=users["drafter"]),
        "public_concept": public_concept,
        "final_edition": concept_objects(public_concept, author=users["drafter"])["edition"],
        "activity": activity,
        "public_activity": ActivityFactory(project=published_project),
        "participation": ParticipationFactory(activity=activity),
        "project": project,
        "published_project": published_project,
        "other_project": other_project,
        "partner": ProjectPartnerFactory(project=project),
        "membership": Membership.objects.get(project=project, user=users["reviewer"]),
        "line": line,
        "expenditure": Expenditure.objects.create(line=line, date="2025-02-01", amount=10, description="Fee"),
    }


CASES = [
    pytest.param(name, index, role, id=f"{name}-{case.method}{'-' + case.label if case.label else ''}-{role}")
    for name, cases in MATRIX.items()
    for index, case in enumerate(cases)
    for role in ROLES
]


@pytest.mark.parametrize(("name", "index", "role"), CASES)
def test_access_matrix(name, index, role, client_for, objects):
    case = MATRIX[name][index]
    url = reverse(name, kwargs=case.kwargs(objects))
    client = client_for(role)
    response = getattr(client, case.method)(url, case.data)
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    elif expected == REDIRECT:
        assert response.status_code == 302, response.status_code
    else:
        assert response.status_code == expected
