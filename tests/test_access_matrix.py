import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.tests.factories import ActivityFactory, ParticipationFactory
from budgets.models import BudgetLine, Expenditure
from concepts.models import CommentDraft, SectionDraft
from concepts.tests.factories import ConceptFactory, concept_objects
from projects.models import Membership
from projects.tests.factories import ProjectFactory, ProjectPartnerFactory, role_users
from results import services as results_services
from results.tests.factories import framework as results_framework
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


@pytest.fixture(autouse=True)
def _empty_cache():
    """The cache stays warm from case to case (conftest's fixture empties it before every test): each
    role is asked after others have filled whatever the cache keeps for the same objects."""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The users and objects of every case, built once for the module in a transaction rolled back at
    its end; each case runs in a savepoint inside it, so what one case's POST changes is undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        project = ProjectFactory(slug="the-project", title="The project", is_published=False)
        published_project = ProjectFactory(slug="public-project", title="The public project", is_published=True)
        other_project = ProjectFactory(slug="other-project", title="Another project", is_published=False)
        users = role_users(project=project, published_project=published_project, other_project=other_project)
        yield users, _objects(users, project, published_project, other_project)
        transaction.set_rollback(True)
    cache.clear()


def _objects(users, project, published_project, other_project) -> dict:
    """The objects the URLs of the matrix point at: all on the unpublished `project` unless named."""
    line = BudgetLine.objects.create(project=project, category="staff", description="Team leader", amount=1000)
    activity = ActivityFactory(project=project)
    concept = ConceptFactory(project=project, target_languages=["ru"])
    public_concept = ConceptFactory(project=published_project, status="published")
    results = results_framework(project)
    update = results_services.update_save(
        indicator=results["trained"], period=results["period"], user=users["drafter"], value=5, submit=True
    )
    concept_parts = concept_objects(concept, author=users["drafter"])
    draft = SectionDraft.objects.create(
        user=users["drafter"], section=concept_parts["section"], language=concept.language, base_number=1, body="Typed"
    )
    comment_draft = CommentDraft.objects.create(
        user=users["reviewer"],
        section=concept_parts["section"],
        language=concept.language,
        version_number=1,
        body="Typed, not posted.",
    )
    return {
        "result": results["output"],
        "indicator": results["trained"],
        "period": results["period"],
        "update": update,
        **concept_parts,
        "draft": draft,
        "comment_draft": comment_draft,
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
def test_access_matrix(name, index, role, world):
    users, objects = world
    case = MATRIX[name][index]
    url = reverse(name, kwargs=case.kwargs(objects))
    client = Client()
    if role != "anonymous":
        client.force_login(users[role])
    response = getattr(client, case.method)(url, case.data)
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.url.startswith(reverse(settings.LOGIN_URL))
    elif expected == REDIRECT:
        assert response.status_code == 302, response.status_code
    else:
        assert response.status_code == expected
