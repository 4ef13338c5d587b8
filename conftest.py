"""Shared fixtures: one user per role on one project, as DESIGN.md names them.

`project` is unpublished, so that visibility is tested where it matters; `published_project`
is a second project, public, with the same members.
"""

import pytest
from django.utils import translation

from projects.tests.factories import ProjectFactory, role_users
from tests.oidc_provider import _oidc_provider_session, oidc_provider, sso_settings  # noqa: F401 - fixtures

ROLES = [
    "anonymous",
    "outsider",
    "other_drafter",
    "portfolio_donor",
    "donor",
    "reviewer",
    "drafter",
    "manager",
    "staff",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is emptied between tests, and ids are reused."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def _media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, _media_root):
    """Stored files (renders, uploads, the public IATI file) go to a folder of the test run, never var/media."""
    settings.MEDIA_ROOT = _media_root


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request in Russian leaves Russian active in the test's thread: the next test starts in English."""
    yield
    translation.deactivate()


@pytest.fixture
def project(db):
    return ProjectFactory(slug="the-project", title="The project", is_published=False)


@pytest.fixture
def published_project(db):
    return ProjectFactory(slug="public-project", title="The public project", is_published=True)


@pytest.fixture
def other_project(db):
    return ProjectFactory(slug="other-project", title="Another project", is_published=False)


@pytest.fixture
def users(db, project, published_project, other_project):
    """Every role: members of `project` and `published_project`, and those outside them."""
    return role_users(project=project, published_project=published_project, other_project=other_project)


@pytest.fixture
def client_for(client, users):
    """`client_for("manager")`: the test client logged in as that role (anonymous: logged out)."""

    def login(role):
        client.logout()
        if role != "anonymous":
            client.force_login(users[role])
        return client

    return login


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's, with the second factor that the admin requires of everybody (accounts/admin_site.py)."""
    from accounts.tests.factories import verify_session

    client.force_login(admin_user)
    verify_session(client, admin_user)
    return client


@pytest.fixture
def staff_user(users):
    return users["staff"]


@pytest.fixture
def manager_user(users):
    return users["manager"]


@pytest.fixture
def drafter_user(users):
    return users["drafter"]


@pytest.fixture
def outsider_user(users):
    return users["outsider"]


@pytest.fixture
def eager_celery(settings):
    """Runs Celery tasks in-process even when REDIS_URL points at a broker (no worker in unit tests).

    Celery reads its settings live from Django's, so the `settings` fixture switches it back after
    the test (writing to `app.conf` instead would stick for every later test)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
