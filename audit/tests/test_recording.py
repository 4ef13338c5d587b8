"""An entry for each action the audit trail records, driven through the portal's own views where it can be."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.tests.factories import verify_session
from audit.models import AuditEntry, Kind
from audit.services import clean_details, record
from concepts import services as concept_services
from concepts.models import Concept, RenderJob
from concepts.tests.factories import ConceptFactory, concept_objects
from projects import services as project_services
from projects.models import Membership
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def only(kind) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(kind=kind))
    assert len(entries) == 1, f"{kind}: {entries}"
    return entries[0]


def login(client, username, password, address="10.0.0.7"):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_USER_AGENT="TestBrowser/1.0",
    )


def test_a_login_is_recorded_with_address_and_browser(client):
    user = UserFactory(username="alena", password="right-password")
    login(client, "alena", "right-password")
    entry = only(Kind.LOGIN_SUCCEEDED)
    assert (entry.actor, entry.actor_name, entry.ip_address) == (user, "alena", "10.0.0.7")
    assert entry.user_agent == "TestBrowser/1.0"


def test_a_failed_login_keeps_the_name_typed_but_never_the_password(client):
    UserFactory(username="alena", password="right-password")
    login(client, "alena", "wrong-secret-guess")
    entry = only(Kind.LOGIN_FAILED)
    assert entry.actor is None and entry.actor_name == "alena"
    assert "wrong-secret-guess" not in str(entry.details) + entry.user_agent + entry.object_label


def test_a_lockout_is_recorded(client, settings):
    UserFactory(username="alena", password="right-password")
    for number in range(settings.AXES_FAILURE_LIMIT):
        login(client, "alena", "wrong", address=f"10.0.0.{number + 1}")
    assert AuditEntry.objects.filter(kind=Kind.LOGIN_LOCKED, actor_name="alena").exists()


def test_the_address_behind_a_proxy_follows_the_proxy_count(client, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    UserFactory(username="alena", password="right-password")
    client.post(
        reverse("login"),
        {"username": "alena", "password": "right-password"},
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5",
    )
    assert only(Kind.LOGIN_SUCCEEDED).ip_address == "203.0.113.5"


def test_members_added_changed_and_removed_through_the_members_page(client_for, users, project):
    client = client_for("manager")
    newcomer = UserFactory(username="newcomer")
    client.post(reverse("projects:members", args=[project.slug]), {"username": "newcomer", "role": "reviewer"})
    added = only(Kind.MEMBERSHIP_ADDED)
    assert (added.actor, added.project_id, added.details["member"]) == (users["manager"], project.pk, "newcomer")
    membership = Membership.objects.get(project=project, user=newcomer)
    url = reverse("projects:member_change", args=[project.slug, membership.pk])
    client.post(url, {"action": "change", "role": "drafter"})
    changed = only(Kind.MEMBERSHIP_CHANGED)
    assert (changed.details["role"], changed.details["previous_role"]) == ("drafter", "reviewer")
    client.post(url, {"action": "remove"})
    assert only(Kind.MEMBERSHIP_REMOVED).project_label == project.slug


def test_publishing_and_unpublishing_a_project(project, staff_user):
    project_services.project_update(project=project, user=staff_user, is_published=True)
    assert only(Kind.PROJECT_PUBLISHED).actor == staff_user
    project_services.project_update(project=project, user=staff_user, title="Renamed")
    assert AuditEntry.objects.count() == 1
    project_services.project_update(project=project, user=staff_user, is_published=False)
    assert only(Kind.PROJECT_UNPUBLISHED).project_id == project.pk


def test_freezing_an_edition_and_publishing_the_concept(client_for, users, project):
    concept = ConceptFactory(project=project, status=Concept.Status.FINAL)
    concept_objects(concept, author=users["drafter"])
    client = client_for("manager")
    client.post(reverse("concepts:edition_create", args=[concept.pk]), {"name": "Second draft", "date": "2025-03-01"})
    frozen = only(Kind.EDITION_FROZEN)
    assert (frozen.actor, frozen.project_id, frozen.details["name"]) == (users["manager"], project.pk, "Second draft")
    client.post(reverse("concepts:advance", args=[concept.pk]), {"to": "published", "confirmed": "yes"})
    assert only(Kind.CONCEPT_PUBLISHED).object_id == str(concept.pk)
    assert not any("A remark" in str(entry.details) for entry in AuditEntry.objects.all())


def _done_job(concept, edition, kind="pdf"):
    from django.core.files.base import ContentFile

    job = RenderJob(
        concept=concept,
        edition=edition,
        kind=kind,
        status="done",
        filename=f"c.{kind}",
        content_hash=f"{concept.pk}-{kind}".ljust(64, "0"),
    )
    job.file.save(f"audit-test-{concept.pk}-{kind}.bin", ContentFile(b"%PDF"), save=False)
    job.save()
    return job


def test_downloading_a_file_of_an_unpublished_concept_is_recorded(client_for, users, project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    concept = ConceptFactory(project=project)
    job = _done_job(concept, concept_objects(concept, author=users["drafter"])["edition"], "docx")
    response = client_for("reviewer").get(reverse("concepts:render_download", args=[concept.pk, job.pk]))
    assert response.status_code == 200
    entry = only(Kind.FILE_DOWNLOADED)
    assert (entry.actor, entry.details["kind"], entry.project_id) == (users["reviewer"], "docx", project.pk)


def test_the_public_pdf_of_a_published_concept_is_not_recorded(client, users, published_project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    concept = ConceptFactory(project=published_project, status=Concept.Status.PUBLISHED)
    job = _done_job(concept, concept_objects(concept, author=users["drafter"])["edition"])
    assert client.get(reverse("concepts:render_download", args=[concept.pk, job.pk])).status_code == 200
    assert not AuditEntry.objects.filter(kind=Kind.FILE_DOWNLOADED).exists()


def test_a_render_request_is_recorded(client_for, users, project, eager_celery):
    concept = ConceptFactory(project=project)
    concept_objects(concept, author=users["drafter"])
    client_for("drafter").post(reverse("concepts:render_request", args=[concept.pk]), {"kind": "draft"})
    entry = only(Kind.RENDER_REQUESTED)
    assert (entry.actor, entry.details["kind"], entry.object_type) == (users["drafter"], "draft", "concepts.renderjob")


def test_a_visitor_handed_the_published_pdf_made_before_leaves_no_entry(client, users, published_project):
    concept = ConceptFactory(project=published_project, status=Concept.Status.PUBLISHED)
    edition = concept_objects(concept, author=users["drafter"])["edition"]
    _done_job(concept, edition)
    url = reverse("concepts:edition_render_request", args=[concept.pk, edition.pk])
    response = client.post(url, {"kind": "pdf"})
    assert response.status_code == 302
    assert RenderJob.objects.count() == 1  # the PDF made before was handed over
    assert not AuditEntry.objects.filter(kind=Kind.RENDER_REQUESTED).exists()


@pytest.mark.parametrize(
    ("name", "kwargs", "role", "export"),
    [
        ("budgets:export_csv", {"slug": "the-project"}, "manager", "budget"),
        ("dashboards:export", {"kind": "portfolio", "fmt": "csv"}, "donor", "portfolio"),
        ("dashboards:export", {"kind": "transactions", "fmt": "xlsx"}, "staff", "transactions"),
        ("project_iati", {"slug": "the-project"}, "manager", "iati"),
    ],
)
def test_exports_are_recorded(client_for, users, name, kwargs, role, export):
    response = client_for(role).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content
    entry = only(Kind.EXPORT_DOWNLOADED)
    assert (entry.actor, entry.details["export"]) == (users[role], export)


def test_the_iati_file_of_a_published_project_is_public_and_not_recorded(client, published_project):
    assert client.get(reverse("project_iati", args=[published_project.slug])).status_code == 200
    assert not AuditEntry.objects.exists()


def test_the_disposition_matrix_export_is_recorded(client_for, users, project):
    concept = ConceptFactory(project=project)
    concept_objects(concept, author=users["drafter"])
    response = client_for("reviewer").get(reverse("concepts:dispositions_xlsx", args=[concept.pk]))
    assert response.status_code == 200
    assert only(Kind.EXPORT_DOWNLOADED).details == {"export": "dispositions", "format": "xlsx", "concept": concept.pk}


def test_an_import_started_and_confirmed(
    client_for, users, project, eager_celery, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = client_for("drafter")
    upload = SimpleUploadedFile("concept.md", b"# Scope\n\nConfidential wording.\n", "text/markdown")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("project_concepts:import", args=[project.slug]), {"file": upload})
    assert response.status_code == 302, response.content
    started = only(Kind.IMPORT_STARTED)
    assert (started.actor, started.project_id, started.details["filename"]) == (
        users["drafter"],
        project.pk,
        "concept.md",
    )
    confirm = client.post(response.url, {"title": "Imported concept", "language": "en"})
    assert confirm.status_code == 302, confirm.content.decode()[-3000:]
    confirmed = only(Kind.IMPORT_CONFIRMED)
    assert (confirmed.actor, confirmed.object_id) == (users["drafter"], started.object_id)
    assert "Confidential" not in str([entry.details for entry in AuditEntry.objects.all()])


def test_deletions_are_recorded(client_for, users, project):
    from budgets.models import BudgetLine, Expenditure

    line = BudgetLine.objects.create(project=project, category="staff", description="Team leader", amount=1000)
    expenditure = Expenditure.objects.create(line=line, date="2025-02-01", amount=10, description="Fee")
    client_for("manager").post(reverse("budgets:expenditure_delete", args=[project.slug, expenditure.pk]))
    entry = only(Kind.OBJECT_DELETED)
    assert (entry.object_type, entry.object_id, entry.project_id) == (
        "budgets.expenditure",
        str(expenditure.pk),
        project.pk,
    )


def test_section_removal_is_recorded(users, project):
    concept = ConceptFactory(project=project)
    section = concept_objects(concept, author=users["drafter"])["section"]
    concept_services.section_remove(section=section)
    assert only(Kind.OBJECT_DELETED).object_type == "concepts.section"


# The user admin: accounts created, deactivated, given or relieved of rights, moved between groups


@pytest.fixture
def superuser_client(client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    verify_session(client, admin)  # the admin asks every user for a second factor
    client.admin = admin
    return client


def _change_user(client, account, **changes):
    data = {
        "username": account.username,
        "email": account.email,
        "is_active": "on" if account.is_active else "",
        "is_staff": "on" if account.is_staff else "",
        "is_superuser": "on" if account.is_superuser else "",
        "groups": [group.pk for group in account.groups.all()],
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "first_name": "",
        "last_name": "",
    }
    data.update(changes)
    data = {key: value for key, value in data.items() if value != ""}
    response = client.post(reverse("admin:auth_user_change", args=[account.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    return response


def test_user_admin_records_rights_groups_and_deactivation(superuser_client):
    account = UserFactory(username="olga")
    donors = Group.objects.create(name="Donors")
    _change_user(superuser_client, account, is_staff="on", is_superuser="on", groups=[donors.pk])
    assert only(Kind.STAFF_GRANTED).object_id == str(account.pk)
    assert only(Kind.SUPERUSER_GRANTED).actor == superuser_client.admin
    assert only(Kind.GROUP_CHANGED).details == {"added": ["Donors"], "removed": []}
    account.refresh_from_db()
    _change_user(superuser_client, account, is_staff="", is_superuser="", is_active="", groups=[])
    assert only(Kind.STAFF_REVOKED) and only(Kind.SUPERUSER_REVOKED) and only(Kind.USER_DEACTIVATED)
    assert AuditEntry.objects.filter(kind=Kind.GROUP_CHANGED).count() == 2
    assert AuditEntry.objects.filter(kind=Kind.ADMIN_ACTION, details__action="changed").count() == 2


def test_user_admin_records_a_new_account_without_its_password(superuser_client):
    response = superuser_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newbie",
            "password1": "Very-secret-pass-42",
            "password2": "Very-secret-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    created = only(Kind.USER_CREATED)
    assert created.object_label == "newbie"
    dump = str(list(AuditEntry.objects.values()))
    assert "Very-secret-pass-42" not in dump and "pbkdf2" not in dump and "md5$" not in dump


def test_admin_deletions_are_recorded_one_and_many(superuser_client):
    first, second, third = (UserFactory(username=name) for name in ("one", "two", "three"))
    superuser_client.post(reverse("admin:auth_user_delete", args=[first.pk]), {"post": "yes"})
    single = only(Kind.OBJECT_DELETED)
    assert (single.details["object_id"], single.details["action"]) == (str(first.pk), "deleted")
    superuser_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [second.pk, third.pk], "post": "yes"},
    )
    assert not get_user_model().objects.filter(username__in=["two", "three"]).exists()
    bulk = AuditEntry.objects.get(kind=Kind.OBJECT_DELETED, details__action="delete_selected")
    assert (bulk.details["count"], sorted(bulk.details["object_ids"])) == (2, sorted([str(second.pk), str(third.pk)]))


# What details may hold


def test_details_keep_short_plain_values_and_drop_secrets():
    cleaned = clean_details(
        {
            "role": "x" * 500,
            "password": "p",
            "api_token": "t",
            "section_body": "text",
            "ids": [1, 2],
            "nested": {"a": 1},
        }
    )
    assert cleaned == {"role": "x" * 200, "ids": [1, 2]}
    assert clean_details("not a dict") == {}


def test_a_bad_details_value_never_stops_the_action(users):
    entry = record(kind=Kind.ADMIN_ACTION, actor=users["staff"], details={"when": object(), 3: "x"})
    assert entry.pk and entry.details == {}


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown audit kind"):
        record(kind="coffee_made")


def test_a_second_factor_reset_by_a_superuser_is_recorded_with_who_did_it(users):
    from accounts import services as account_services
    from accounts.tests.factories import totp_device

    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    totp_device(users["manager"])
    account_services.second_factors_remove(user=users["manager"], removed_by=admin)
    entry = only(Kind.MFA_RESET)
    assert entry.actor == admin and entry.object_id == str(users["manager"].pk)
