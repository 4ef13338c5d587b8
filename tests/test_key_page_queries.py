"""The key pages of issue #22 make the same number of queries whatever the size of the portfolio.

`make bench` measures them at 1,000 and 10,000 projects; here the portfolio grows from 3 to 30
scale projects (`seed_scale`), with their activities and expenditures, and each page's count is
pinned twice: cold (the cache empty, the fragments rendered) and warm (the fragments kept)."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.figures import refresh_stale
from projects.models import Membership, Project, Role

pytestmark = pytest.mark.django_db

PROJECT = "scale-00001"
# page: (address, who reads it (None: a visitor), the most queries cold, the most queries warm)
PAGES = {
    "project list (staff)": ("/projects/", "staff", 9, 5),
    "project list (visitor)": ("/projects/", None, 6, 3),
    "project list, second page (staff)": ("/projects/?page=2", "staff", 9, 5),
    "project page (visitor)": (f"/projects/{PROJECT}/", None, 6, 1),
    "project page (manager)": (f"/projects/{PROJECT}/", "manager", 10, 4),
    "budget (manager)": (f"/projects/{PROJECT}/budget/", "manager", 8, 4),
    "timeline (visitor)": (f"/projects/{PROJECT}/timeline/", None, 2, 1),
    "timeline (manager)": (f"/projects/{PROJECT}/timeline/", "manager", 6, 4),
    "portfolio dashboard (staff)": ("/dashboard/", "staff", 19, 3),
    "project dashboard (staff)": (f"/projects/{PROJECT}/dashboard/", "staff", 11, 4),
    "projects API (staff)": ("/api/projects/", "staff", 6, 4),
}


def seed(projects: int) -> None:
    call_command(
        "seed_scale",
        projects=projects,
        activities_per_project=4,
        expenditures_per_project=10,
        members_per_project=2,
        stdout=StringIO(),
    )


def count(client, address: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200, address
    return len(captured)


@pytest.fixture
def readers(django_user_model):
    return {
        "staff": django_user_model.objects.create_user("bench-staff", is_staff=True),
        "manager": django_user_model.objects.create_user("bench-manager"),
    }


def counts(client, readers) -> dict[str, tuple[int, int]]:
    found = {}
    for name, (address, who, _cold, _warm) in PAGES.items():
        client.logout()
        if who is not None:
            client.force_login(readers[who])
        cache.clear()
        cold = count(client, address)
        warm = count(client, address)
        found[name] = (cold, warm)
    return found


def test_key_pages_make_as_many_queries_with_30_projects_as_with_3(client, readers):
    seed(3)
    project = Project.objects.get(code=PROJECT)
    project.is_published = True  # the visitor's pages
    project.save()
    Membership.objects.create(project=project, user=readers["manager"], role=Role.MANAGER)
    # As when the save above commits (commit hooks do not run inside a test's transaction): the project's
    # budget and spending are summed again for the dashboards (dashboards/figures.py).
    refresh_stale(Project.objects.all())
    small = counts(client, readers)
    seed(30)
    large = counts(client, readers)
    assert large == small
    for name, (cold, warm) in small.items():
        _address, _who, most_cold, most_warm = PAGES[name]
        assert cold <= most_cold and warm <= most_warm, (name, cold, warm)
