"""The trail itself: append-only (in the model and, on PostgreSQL, in the database), purged after the
retention period, and read by programme staff only."""

import csv
import datetime
import io

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEntry, AuditEntryChangeRefused, Kind
from audit.services import audit_purge, record
from projects.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the database trigger exists on PostgreSQL only (DATABASE_URL)"
)


def entry_at(days_ago: float, kind=Kind.LOGIN_SUCCEEDED, **fields) -> AuditEntry:
    entry = AuditEntry(kind=kind, at=timezone.now() - datetime.timedelta(days=days_ago), **fields)
    entry.save()
    return entry


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(users):
    entry = record(kind=Kind.LOGIN_SUCCEEDED, actor=users["staff"])
    entry.kind = Kind.LOGIN_FAILED
    with pytest.raises(AuditEntryChangeRefused):
        entry.save()
    with pytest.raises(AuditEntryChangeRefused):
        entry.delete()
    with pytest.raises(AuditEntryChangeRefused):
        AuditEntry.objects.filter(pk=entry.pk).update(kind=Kind.LOGIN_FAILED)
    with pytest.raises(AuditEntryChangeRefused):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditEntryChangeRefused):
        AuditEntry.objects.bulk_update([entry], ["kind"])
    assert AuditEntry.objects.get(pk=entry.pk).kind == Kind.LOGIN_SUCCEEDED


def test_deleting_a_user_keeps_their_entries_under_their_name():
    user = UserFactory(username="leaving")
    entry = record(kind=Kind.LOGIN_SUCCEEDED, actor=user)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name, entry.kind) == (None, "leaving", Kind.LOGIN_SUCCEEDED)


@on_postgresql
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET kind = 'login_failed'",
        "UPDATE audit_auditentry SET actor_id = NULL, actor_name = 'someone else'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_to_change_or_delete_an_entry(users, statement):
    entry = record(kind=Kind.LOGIN_SUCCEEDED, actor=users["staff"])
    refused = pytest.raises(DatabaseError, match="audit entries cannot be changed or deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "staff"


def test_the_purge_deletes_only_entries_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    old, recent = entry_at(31), entry_at(29)
    assert audit_purge() == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk not in AuditEntry.objects.values_list("pk", flat=True)


def test_a_retention_of_zero_keeps_everything(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    entry_at(5000)
    assert audit_purge() == 0
    call_command("audit_purge", stdout=io.StringIO())
    assert AuditEntry.objects.count() == 1


def test_the_purge_command(settings):
    entry_at(800), entry_at(10)
    out = io.StringIO()
    call_command("audit_purge", "--days", "730", stdout=out)
    assert "Deleted 1 audit entries" in out.getvalue()
    assert AuditEntry.objects.count() == 1


@on_postgresql
def test_on_postgresql_only_the_purge_may_delete(settings):
    entry_at(40)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    assert audit_purge(days=30) == 1
    # The purge's mark was local to its transaction: a later DELETE is refused again.
    entry_at(40)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")


# The staff page


@pytest.fixture
def trail(users, project):
    record(kind=Kind.LOGIN_SUCCEEDED, actor=users["manager"])
    record(kind=Kind.MEMBERSHIP_ADDED, actor=users["manager"], project=project)
    old = AuditEntry(kind=Kind.EXPORT_DOWNLOADED, actor_name="donor", at=timezone.now() - datetime.timedelta(days=9))
    old.save()
    return project


@pytest.mark.parametrize(
    "role", ["anonymous", "outsider", "portfolio_donor", "donor", "reviewer", "drafter", "manager"]
)
def test_only_staff_may_read_the_trail(client_for, trail, role):
    for url in (reverse("audit:log"), reverse("audit:export", args=["csv"])):
        response = client_for(role).get(url)
        assert response.status_code == (302 if role == "anonymous" else 403)
    assert not AuditEntry.objects.filter(details__export="audit").exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"login_succeeded", "membership_added", "export_downloaded"}),
        ({"person": "MANAG"}, {"login_succeeded", "membership_added"}),
        ({"project": "the-project"}, {"membership_added"}),
        ({"kind": "export_downloaded"}, {"export_downloaded"}),
        (
            {"since": "2000-01-01", "until": (timezone.localdate() - datetime.timedelta(days=5)).isoformat()},
            {"export_downloaded"},
        ),
        ({"kind": "no_such_kind"}, set()),
    ],
)
def test_staff_filter_the_trail(client_for, trail, query, expected):
    response = client_for("staff").get(reverse("audit:log"), query)
    assert response.status_code == 200
    assert {entry.kind for entry in response.context["page"].object_list} == expected


def test_filtering_by_project_id(client_for, trail):
    response = client_for("staff").get(reverse("audit:log"), {"project": str(trail.pk)})
    assert [entry.kind for entry in response.context["page"].object_list] == ["membership_added"]


def test_the_page_keeps_its_query_count(client_for, trail, users, django_assert_max_num_queries):
    for _ in range(150):
        record(kind=Kind.LOGIN_SUCCEEDED, actor=users["donor"])
    client = client_for("staff")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("audit:log")).status_code == 200


def test_staff_export_the_filtered_trail_and_the_export_is_recorded(client_for, trail, users):
    response = client_for("staff").get(reverse("audit:export", args=["csv"]), {"person": "manager"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["at", "person", "kind"]
    assert sorted(row[2] for row in rows[1:]) == ["login_succeeded", "membership_added"]
    export = AuditEntry.objects.get(kind=Kind.EXPORT_DOWNLOADED, details__export="audit")
    assert (export.actor, export.details["person"], export.details["format"]) == (users["staff"], "manager", "csv")


def test_staff_export_the_trail_as_excel(client_for, trail):
    response = client_for("staff").get(reverse("audit:export", args=["xlsx"]), {"kind": "membership_added"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[2] for row in rows[1:]] == ["membership_added"]
    assert rows[1][4] == "the-project"


def test_the_page_in_russian(client_for, trail):
    client = client_for("staff")
    response = client.get(reverse("audit:log"), HTTP_ACCEPT_LANGUAGE="ru")
    content = response.content.decode()
    assert "Журнал аудита" in content and "Участник добавлен" in content
