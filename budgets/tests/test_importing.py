import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.tests.factories import ActivityFactory
from budgets.importing import COLUMNS, ledger_import, ledger_preview
from budgets.models import BudgetLine, BudgetRevision, Expenditure
from budgets.tasks import ledger_import_task
from budgets.tests.factories import BudgetLineFactory, ExpenditureFactory
from common.models import ImportJob
from common.tabular import SESSION_KEY, read_table
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
D = Decimal

HEADER = ["project_code", "record", "category", "description", "amount", "date", "reference", "budget_line"]


def rows_of(*rows, header=HEADER) -> list[dict]:
    return [dict(zip(header, row, strict=True)) for row in rows]


def csv_upload(*rows, header=HEADER, delimiter=",", name="ledger.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8"), content_type="text/csv")


def xlsx_upload(*rows, header=HEADER, name="ledger.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """Import tasks run in-process, even with REDIS_URL set (no worker in unit tests)."""


@pytest.fixture
def ledger_project(db):
    return ProjectFactory(code="MPF-2019-001", slug="belarus", currency="EUR")


@pytest.fixture
def team_line(ledger_project):
    return BudgetLineFactory(project=ledger_project, category="staff", description="Team leader", amount=D("5000.00"))


def line_row(description, amount, category="travel", code="MPF-2019-001"):
    return [code, "budget_line", category, description, amount, "", "", ""]


def spend_row(line, amount, date="2025-03-01", reference="", description="Flights", code="MPF-2019-001"):
    return [code, "expenditure", "", description, amount, date, reference, line]


GOOD = [
    line_row("Study visit to Vilnius", "12000.00", category="Travel"),
    line_row("Concept workshop", "8000,50", category="Events and meetings"),
    spend_row("Study visit to Vilnius", "2500.40", reference="INV-1"),
    spend_row("Team leader", "1200", date="15.03.2025", reference="FEE-3", description="Fee March"),
    spend_row("Concept workshop", "300", description="Catering"),
]


def counts() -> tuple[int, int, int]:
    return BudgetLine.objects.count(), Expenditure.objects.count(), BudgetRevision.objects.count()


def only_row(preview):
    assert len(preview.rows) == 1
    return preview.rows[0]


def test_good_file_creates_lines_and_expenditure(ledger_project, team_line, staff_user):
    preview = ledger_import(rows=read_table(csv_upload(*GOOD)).rows, user=staff_user)
    assert preview.imported, [row.reasons for row in preview.rows]
    assert [row.action for row in preview.rows] == ["create"] * 5
    travel = BudgetLine.objects.get(project=ledger_project, description="Study visit to Vilnius")
    assert (travel.category, travel.amount) == ("travel", D("12000.00"))
    events = BudgetLine.objects.get(project=ledger_project, description="Concept workshop")
    assert (events.category, events.amount) == ("events", D("8000.50"))
    assert travel.expenditures.get().amount == D("2500.40")
    fee = team_line.expenditures.get()
    assert (fee.date, fee.reference, fee.amount) == (datetime.date(2025, 3, 15), "FEE-3", D("1200.00"))
    assert events.expenditures.get().reference == ""


def test_good_xlsx_creates_the_same(ledger_project, team_line, staff_user):
    rows = [
        line_row("Study visit to Vilnius", 12000, category="travel"),
        spend_row("Study visit to Vilnius", 2500.4, date=datetime.datetime(2025, 3, 1), reference="INV-1"),
    ]
    preview = ledger_import(rows=read_table(xlsx_upload(*rows)).rows, user=staff_user)
    assert preview.imported, [row.reasons for row in preview.rows]
    expenditure = Expenditure.objects.get(reference="INV-1")
    assert (expenditure.amount, expenditure.date) == (D("2500.40"), datetime.date(2025, 3, 1))


def test_second_import_recognises_lines_and_referenced_expenditure(ledger_project, team_line, staff_user):
    ledger_import(rows=rows_of(*GOOD), user=staff_user)
    before = counts()
    again = ledger_preview(rows=rows_of(*GOOD))
    assert [row.action for row in again.rows] == ["unchanged", "unchanged", "unchanged", "unchanged", "create"]
    changed = [
        line_row("Study visit to Vilnius", "12000", category="events"),
        spend_row("Team leader", "1250", date="2025-03-15", reference="FEE-3", description="Fee for March"),
    ]
    preview = ledger_import(rows=rows_of(*changed), user=staff_user)
    assert preview.imported
    line, fee = preview.rows
    assert (line.action, line.changes) == ("update", {"category": ("Travel", "Events and meetings")})
    assert fee.action == "update"
    assert set(fee.changes) == {"amount", "description"}
    assert counts() == before
    assert BudgetLine.objects.get(description="Study visit to Vilnius").category == "events"
    assert Expenditure.objects.get(reference="FEE-3").amount == D("1250.00")


def test_expenditure_without_reference_is_always_recorded(ledger_project, team_line, staff_user):
    rows = rows_of(spend_row("Team leader", "100"))
    ledger_import(rows=rows, user=staff_user)
    ledger_import(rows=rows, user=staff_user)
    assert team_line.expenditures.count() == 2


def test_an_existing_line_keeps_its_activity(ledger_project, team_line, staff_user):
    team_line.activity = ActivityFactory(project=ledger_project)
    team_line.save()
    assert ledger_import(rows=rows_of(line_row("Team leader", "", category="experts")), user=staff_user).imported
    team_line.refresh_from_db()
    assert team_line.category == "experts"
    assert team_line.activity is not None


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        (line_row("X", "10", code="NOPE"), "project_code", "There is no project with the code “NOPE”"),
        (spend_row("Team leader", "10", date="2025-02-30"), "date", "is not a date"),
        (spend_row("Team leader", "10", date=""), "date", "needs a date"),
        (line_row("X", "-10"), "amount", "greater than or equal to 0"),
        (spend_row("Team leader", "-10"), "amount", "greater than or equal to 0.01"),
        (spend_row("Team leader", "ten"), "amount", "is not an amount"),
        (line_row("X", "1,000"), "amount", "is not an amount"),
        (line_row("X", "10", category="Catering"), "category", "is not a budget category"),
        (line_row("X", "10", category=""), "category", "needs a category"),
        (spend_row("Nothing like it", "10"), "budget_line", "has no budget line “Nothing like it”"),
        (spend_row("", "10"), "budget_line", "Say which budget line"),
        (line_row("Team leader", "6000"), "amount", "the amount of an existing line changes only through a revision"),
        (["MPF-2019-001", "revision", "", "X", "1", "", "", ""], "record", "Write budget_line or expenditure"),
    ],
)
def test_each_refusal_names_the_column_and_the_reason(team_line, row, column, reason):
    refused = only_row(ledger_preview(rows=rows_of(row)))
    assert refused.action == "refused"
    assert any(r.startswith(f"{column}: ") and reason in r for r in refused.reasons), refused.reasons


def test_a_line_of_another_project_is_not_found(team_line):
    other = ProjectFactory(code="OTHER")
    row = only_row(ledger_preview(rows=rows_of(spend_row("Team leader", "10", code=other.code))))
    assert any("has no budget line “Team leader”" in reason for reason in row.reasons)


def test_an_expenditure_above_its_new_line_is_refused(ledger_project):
    rows = rows_of(spend_row("Later line", "10"), line_row("Later line", "100"))
    first, second = ledger_preview(rows=rows).rows
    assert first.action == "refused"
    assert second.action == "create"


def test_a_currency_other_than_the_projects_is_refused(team_line):
    header = [*HEADER, "currency"]
    preview = ledger_preview(rows=rows_of([*line_row("X", "10"), "USD"], [*line_row("Y", "10"), "eur"], header=header))
    refused, accepted = preview.rows
    assert refused.reasons == ["currency: The project's budget is in EUR, not USD."]
    assert accepted.action == "create"


def test_the_same_line_twice_in_the_file_is_refused(ledger_project):
    preview = ledger_preview(rows=rows_of(line_row("X", "10"), line_row("x", "10")))
    assert [row.action for row in preview.rows] == ["create", "refused"]


def test_a_file_with_one_bad_row_writes_nothing_at_all(ledger_project, team_line, staff_user):
    ExpenditureFactory(line=team_line, reference="OLD", amount=D("10"))
    before = counts()
    rows = rows_of(*GOOD, spend_row("Team leader", "99", reference="OLD", date="2025-03-01"), line_row("Bad", "x"))
    preview = ledger_import(rows=rows, user=staff_user)
    assert not preview.imported
    assert preview.refused == 1
    assert counts() == before
    assert Expenditure.objects.get(reference="OLD").amount == D("10.00")


def test_the_preview_writes_nothing(ledger_project, team_line):
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        preview = ledger_preview(rows=rows_of(*GOOD, line_row("Team leader", "", category="experts")))
    assert preview.can_import
    assert counts() == before
    team_line.refresh_from_db()
    assert team_line.category == "staff"
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


# The pages


def stored_files(media_root) -> list:
    folder = media_root / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_upload_preview_confirm_end_to_end(
    client, staff_user, ledger_project, team_line, media_root, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    assert client.get(reverse("budget_imports:ledger")).status_code == 200
    response = client.post(reverse("budget_imports:ledger"), {"file": csv_upload(*GOOD, delimiter=";")})
    html = response.content.decode()
    assert response.status_code == 200
    assert "MPF-2019-001 · Study visit to Vilnius" in html
    assert "Confirm import" in html
    assert counts() == (1, 0, 0)
    (stored,) = stored_files(media_root)
    token = next(iter(client.session[SESSION_KEY]))
    assert stored.name == f"{token}.csv"

    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process (eager) after the commit
        response = client.post(reverse("budget_imports:ledger_confirm"), {"upload": token})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("budget_imports:job", kwargs={"job_id": job.pk})
    assert counts() == (3, 3, 0)
    assert stored_files(media_root) == []
    assert job.confirmed_at is not None
    assert token not in client.session[SESSION_KEY]
    html = client.get(response.url).content.decode()
    assert "The ledger was imported: 5 created, 0 updated" in html
    assert reverse("budgets:overview", kwargs={"slug": ledger_project.slug}) in html
    assert client.post(reverse("budget_imports:ledger_confirm"), {"upload": token}).status_code == 404


def test_the_confirmation_runs_in_a_task_and_the_page_shows_its_progress(
    client, staff_user, ledger_project, team_line, media_root, settings, django_capture_on_commit_callbacks
):
    """With a broker, the request only queues the job: nothing is written until the worker runs it."""
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the in-memory broker takes the message; no worker runs it
    client.force_login(staff_user)
    client.post(reverse("budget_imports:ledger"), {"file": csv_upload(*GOOD)})
    token = next(iter(client.session[SESSION_KEY]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("budget_imports:ledger_confirm"), {"upload": token})
    job = ImportJob.objects.get()
    assert (job.status, counts()) == ("queued", (1, 0, 0))
    page = client.get(response.url).content.decode()
    assert "Waiting for its turn" in page and f'hx-get="{response.url}"' in page and "<progress" in page
    polled = client.get(response.url, headers={"HX-Request": "true"})
    assert (
        polled.status_code == 200 and "<progress" in polled.content.decode() and "<html" not in polled.content.decode()
    )
    ledger_import_task.apply(args=[job.pk])  # what the worker does
    assert counts() == (3, 3, 0)
    assert client.get(response.url, headers={"HX-Request": "true"}).headers["HX-Refresh"] == "true"
    assert "The ledger was imported" in client.get(response.url).content.decode()


def test_a_refused_file_shows_the_reasons_and_writes_nothing(client, staff_user, team_line, media_root):
    client.force_login(staff_user)
    response = client.post(reverse("budget_imports:ledger"), {"file": csv_upload(line_row("Team leader", "1"))})
    html = response.content.decode()
    assert "the amount of an existing line changes only through a revision" in html
    assert "Confirm import" not in html
    assert stored_files(media_root) == []
    assert counts() == (1, 0, 0)


def test_an_unreadable_file_gets_a_clear_message(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("budget_imports:ledger"), {"file": SimpleUploadedFile("ledger.ods", b"PK")})
    assert response.status_code == 200
    assert "Upload a CSV or XLSX file" in response.content.decode()


def test_non_staff_get_403_on_upload_and_confirm(client, manager_user, staff_user, ledger_project, team_line):
    client.force_login(staff_user)
    client.post(reverse("budget_imports:ledger"), {"file": csv_upload(*GOOD)})
    token = next(iter(client.session[SESSION_KEY]))
    client.force_login(manager_user)
    assert client.get(reverse("budget_imports:ledger")).status_code == 403
    assert client.post(reverse("budget_imports:ledger"), {"file": csv_upload(*GOOD)}).status_code == 403
    assert client.post(reverse("budget_imports:ledger_confirm"), {"upload": token}).status_code == 403
    assert counts() == (1, 0, 0)


def test_confirm_with_an_upload_not_in_the_session_gets_404(client, staff_user):
    client.force_login(staff_user)
    url = reverse("budget_imports:ledger_confirm")
    assert client.post(url, {"upload": "5d0e5c4e-0000-4000-8000-000000000000"}).status_code == 404


def test_a_portfolio_upload_cannot_be_confirmed_as_a_ledger(client, staff_user, ledger_project):
    client.force_login(staff_user)
    upload = csv_upload(
        ["NEW-1", "T", "2025-01-01", "2025-12-31"], header=["code", "title", "planned_start", "planned_end"]
    )
    client.post(reverse("projects:import"), {"file": upload})
    token = next(iter(client.session[SESSION_KEY]))
    assert client.post(reverse("budget_imports:ledger_confirm"), {"upload": token}).status_code == 404


def test_the_template_has_the_columns(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("budget_imports:ledger_template"))
    assert b"".join(response.streaming_content).decode("utf-8-sig").strip().split(",") == COLUMNS


def test_staff_see_the_import_link_on_the_budget_page(client, staff_user, manager_user, project):
    url = reverse("budgets:overview", kwargs={"slug": project.slug})
    client.force_login(staff_user)
    assert reverse("budget_imports:ledger") in client.get(url).content.decode()
    client.force_login(manager_user)
    assert reverse("budget_imports:ledger") not in client.get(url).content.decode()
