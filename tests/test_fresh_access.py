"""Access is decided on every request: a change made by any path counts on the next request.

Each test reads the page first, so that whatever the cache holds is warm, then changes who may see
it in a way that runs none of the portal's code (a queryset update, raw SQL as another process or
a data migration would, a group deleted or renamed) and reads it again at once.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection

from accounts.tests.factories import verify_session
from concepts.tests.factories import ConceptFactory, section_with_version
from projects.models import DONORS_GROUP, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def concept(project, users):
    concept = ConceptFactory(project=project, title="National Migration Policy")
    section_with_version(concept, title="Asylum", body="Protection for all.", author=users["drafter"])
    return concept


def test_a_user_deactivated_by_a_queryset_update_is_signed_out_at_once(client_for, concept):
    client = client_for("drafter")
    assert client.get(f"/concepts/{concept.pk}/").status_code == 200
    get_user_model().objects.filter(username="drafter").update(is_active=False)
    assert client.get(f"/concepts/{concept.pk}/").status_code == 404  # an anonymous visitor now
    response = client.get("/accounts/preferences/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_rights_removed_by_a_queryset_update_count_at_once(client_for, project, users):
    client = client_for("staff")
    verify_session(client, users["staff"])  # the admin requires a second factor
    assert client.get(f"/projects/{project.slug}/").status_code == 200
    assert client.get("/admin/").status_code == 200
    get_user_model().objects.filter(username="staff").update(is_staff=False)
    assert client.get(f"/projects/{project.slug}/").status_code == 404
    assert client.get("/admin/").status_code == 302  # to the admin's log-in


def test_a_member_removed_by_another_process_loses_the_drafts_at_once(client_for, concept, users):
    client = client_for("reviewer")
    section = concept.sections.get()
    urls = [f"/concepts/{concept.pk}/", f"/concepts/{concept.pk}/sections/{section.pk}/history/"]
    for url in urls:
        assert client.get(url).status_code == 200
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:  # no model code runs: as a shell or a command elsewhere would
        cursor.execute(f"DELETE FROM {table} WHERE user_id = %s", [users["reviewer"].pk])  # noqa: S608
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_deleting_or_renaming_the_donors_group_ends_portfolio_access_at_once(client_for, published_project, change):
    client = client_for("portfolio_donor")
    dashboard = f"/projects/{published_project.slug}/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert client.get(dashboard).status_code == 200
    group = Group.objects.filter(name=DONORS_GROUP)
    if change == "delete":
        group.delete()
    else:
        group.update(name="Former donors")
    assert client.get("/dashboard/").status_code == 403
    assert client.get(dashboard).status_code == 403  # the project is public; its figures are not


def test_the_navigation_follows_a_role_given_by_raw_sql(client_for, project, users):
    client = client_for("outsider")
    assert "/dashboard/" not in client.get("/projects/").content.decode()
    table = connection.ops.quote_name(Membership._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (project_id, user_id, role, created_at, updated_at) "  # noqa: S608
            "VALUES (%s, %s, 'manager', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            [project.pk, users["outsider"].pk],
        )
    assert 'href="/dashboard/"' in client.get("/projects/").content.decode()
