import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

OUR_APPS = {"projects", "activities", "budgets", "concepts", "results"}


def test_every_model_of_the_domain_is_in_the_admin_for_staff(admin_client):
    registered = {model._meta.app_label for model in admin.site._registry}
    assert registered >= OUR_APPS
    for model in admin.site._registry:
        if model._meta.app_label in OUR_APPS:
            url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            assert admin_client.get(url).status_code == 200, url


def test_a_drafter_is_sent_to_their_concept(client_for, project, users):
    from concepts.tests.factories import ConceptFactory

    concept = ConceptFactory(project=project)
    response = client_for("drafter").get("/")
    assert response.url == f"/concepts/{concept.pk}/"


# Only superusers grant rights (accounts/admin.py). The staff user below holds every permission of
# the auth app, as the demo's "Programme staff" group once did, and still finds no path to more.


@pytest.fixture
def rights_group(db):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Old programme staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["auth", "projects"]))
    return group


@pytest.fixture
def staff_with_auth_permissions(rights_group):
    from projects.tests.factories import UserFactory

    user = UserFactory(username="sofia", is_staff=True)
    user.groups.add(rights_group)
    return user


@pytest.fixture
def staff_admin(client, staff_with_auth_permissions):
    from accounts.tests.factories import verify_session

    client.force_login(staff_with_auth_permissions)
    verify_session(client, staff_with_auth_permissions)  # the admin requires a second factor
    return client


def _change_form(user, **extra) -> dict:
    """What the admin's change form of `user` sends, with a new first name and whatever `extra` adds."""
    joined = user.date_joined
    return {
        "username": user.username,
        "first_name": "Renamed",
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        **extra,
    }


def _every_right(group) -> dict:
    from django.contrib.auth.models import Permission

    return {
        "is_superuser": "on",
        "is_staff": "on",
        "groups": [group.pk],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
    }


def _rights(user) -> tuple:
    user.refresh_from_db()
    return user.is_superuser, user.is_staff, set(user.groups.all()), set(user.user_permissions.all())


def test_a_superuser_grants_rights_with_the_change_form(admin_client, rights_group):
    from projects.tests.factories import UserFactory

    plain = UserFactory(username="plain")
    response = admin_client.post(
        f"/admin/auth/user/{plain.pk}/change/", _change_form(plain, **_every_right(rights_group))
    )
    assert response.status_code == 302
    superuser, staff, groups, permissions = _rights(plain)
    assert superuser and staff and groups == {rights_group} and permissions


def test_staff_cannot_make_themselves_superuser_on_their_own_admin_page(staff_admin, staff_with_auth_permissions):
    me = staff_with_auth_permissions
    page = staff_admin.get(f"/admin/auth/user/{me.pk}/change/").content.decode()
    for field in ["is_superuser", "is_staff", "groups", "user_permissions"]:
        assert f'name="{field}"' not in page, field
    before = _rights(me)
    other_group = Group.objects.create(name="Everything")
    response = staff_admin.post(f"/admin/auth/user/{me.pk}/change/", _change_form(me, **_every_right(other_group)))
    assert response.status_code == 302
    assert _rights(me) == before
    assert me.first_name == "Renamed"  # the rest of the form was saved


def test_staff_cannot_grant_rights_to_a_user_without_them(staff_admin, rights_group):
    from projects.tests.factories import UserFactory

    plain = UserFactory(username="plain")
    response = staff_admin.post(
        f"/admin/auth/user/{plain.pk}/change/", _change_form(plain, **_every_right(rights_group))
    )
    assert response.status_code == 302
    assert _rights(plain) == (False, False, set(), set())
    assert plain.first_name == "Renamed"


@pytest.mark.parametrize("flags", [{"is_superuser": True, "is_staff": True}, {"is_staff": True}])
def test_staff_cannot_change_another_account_with_rights(staff_admin, flags):
    """Changing its e-mail would let them take it over with a reset link."""
    from projects.tests.factories import UserFactory

    other = UserFactory(username="root", email="root@example.org", **flags)
    response = staff_admin.post(f"/admin/auth/user/{other.pk}/change/", _change_form(other, email="mine@example.org"))
    assert response.status_code == 403
    other.refresh_from_db()
    assert (other.email, other.first_name) == ("root@example.org", "")


def test_staff_cannot_set_another_users_password(staff_admin, staff_with_auth_permissions):
    from projects.tests.factories import UserFactory

    plain = UserFactory(username="plain", password="old-password")
    form = {"password1": "Brand-new-pass-42", "password2": "Brand-new-pass-42", "usable_password": "true"}
    assert staff_admin.get(f"/admin/auth/user/{plain.pk}/password/").status_code == 403
    assert staff_admin.post(f"/admin/auth/user/{plain.pk}/password/", form).status_code == 403
    plain.refresh_from_db()
    assert plain.check_password("old-password")
    me = staff_with_auth_permissions
    assert staff_admin.post(f"/admin/auth/user/{me.pk}/password/", form).status_code == 302
    me.refresh_from_db()
    assert me.check_password("Brand-new-pass-42")


def test_staff_cannot_add_a_user_with_rights(staff_admin, rights_group):
    from django.contrib.auth import get_user_model

    form = {
        "username": "newcomer",
        "usable_password": "true",
        "password1": "Brand-new-pass-42",
        "password2": "Brand-new-pass-42",
        **_every_right(rights_group),
    }
    response = staff_admin.post("/admin/auth/user/add/", form)
    assert response.status_code == 302
    newcomer = get_user_model().objects.get(username="newcomer")
    assert _rights(newcomer) == (False, False, set(), set())


def test_staff_cannot_create_or_change_groups(staff_admin, rights_group):
    from django.contrib.auth.models import Permission

    everything = list(Permission.objects.values_list("pk", flat=True))
    before = set(rights_group.permissions.all())
    assert staff_admin.post("/admin/auth/group/add/", {"name": "Mine", "permissions": everything}).status_code == 403
    assert not Group.objects.filter(name="Mine").exists()
    response = staff_admin.post(
        f"/admin/auth/group/{rights_group.pk}/change/", {"name": rights_group.name, "permissions": everything}
    )
    assert response.status_code == 403
    assert set(rights_group.permissions.all()) == before
    assert staff_admin.post(f"/admin/auth/group/{rights_group.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Group.objects.filter(pk=rights_group.pk).exists()


@pytest.mark.parametrize("model", ["user", "group"])
def test_no_bulk_action_gives_staff_rights_or_removes_a_superuser(staff_admin, staff_with_auth_permissions, model):
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from projects.tests.factories import UserFactory

    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == f"auth.{model}")
    request = RequestFactory().get("/admin/")
    request.user = staff_with_auth_permissions
    objects = (
        [root.pk, staff_with_auth_permissions.pk]
        if model == "user"
        else list(Group.objects.values_list("pk", flat=True))
    )
    for action in model_admin.get_actions(request):
        staff_admin.post(
            f"/admin/auth/{model}/", {"action": action, "_selected_action": objects, "post": "yes", "index": 0}
        )
    assert get_user_model().objects.filter(pk=root.pk, is_superuser=True).exists()
    assert _rights(staff_with_auth_permissions)[0] is False
    assert Group.objects.count() == 1


def test_the_demo_staff_group_holds_no_auth_permissions(db):
    from projects.demo import STAFF_GROUP, seed_users
    from projects.tests.factories import ProjectFactory

    seed_users(ProjectFactory())
    group = Group.objects.get(name=STAFF_GROUP)
    assert group.permissions.exists()
    assert not group.permissions.filter(content_type__app_label="auth").exists()


def test_the_migration_takes_auth_permissions_from_an_existing_staff_group(db):
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Permission

    migration = import_module("accounts.migrations.0002_programme_staff_without_auth_permissions")
    group = Group.objects.create(name="Programme staff")
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=["auth", "projects"]))
    untouched = Group.objects.create(name="Administrators")
    untouched.permissions.set(Permission.objects.filter(content_type__app_label="auth"))
    migration.remove_auth_permissions(apps, None)
    assert not group.permissions.filter(content_type__app_label="auth").exists()
    assert group.permissions.filter(content_type__app_label="projects").exists()
    assert untouched.permissions.filter(content_type__app_label="auth").exists()
