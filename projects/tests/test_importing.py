import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.models import ImportJob
from common.tabular import SESSION_KEY, read_table
from projects.importing import COLUMNS, portfolio_import, portfolio_preview
from projects.models import Project, ProjectPartner
from projects.tests.factories import FundingInstrumentFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "code", "title", "slug", "thematic_area", "status", "planned_start", "planned_end", "actual_start",
    "actual_end", "countries", "instrument", "total_budget", "currency", "published", "contact_email",
    "implementing", "beneficiary", "funding",
]  # fmt: skip
BELARUS = [
    "MPF-2019-001", "Migration policy concept for Belarus", "", "Capacity building for migration management",
    "Closed", "2019-02-01", "2020-02-29", "2019-02-15", "2020-02-20", "BY", "AMIF", "105000.00", "EUR", "yes",
    "MPF@icmpd.org", "ICMPD", "Republic of Belarus", "European Union",
]  # fmt: skip
CAUCASUS = [
    "MPF-2021-007", "Labour migration in the South Caucasus", "caucasus-labour", "Labour migration", "2",
    "2021-05-01", "2022-10-31", "", "", "GE; AM", "", "80000", "", "no", "", "ICMPD; Public Service Agency", "", "",
]  # fmt: skip


def rows_of(*rows, header=HEADER) -> list[dict]:
    return [dict(zip(header, row, strict=True)) for row in rows]


def changed(row: list, **values) -> list:
    row = list(row)
    for column, value in values.items():
        row[HEADER.index(column)] = value
    return row


def csv_upload(*rows, header=HEADER, delimiter=",", bom=False, name="portfolio.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = ("\ufeff" if bom else "") + text.getvalue()
    return SimpleUploadedFile(name, data.encode("utf-8"), content_type="text/csv")


def xlsx_upload(*rows, header=HEADER, name="portfolio.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture(autouse=True)
def _eager(eager_celery):
    """Import tasks run in-process, even with REDIS_URL set (no worker in unit tests)."""


@pytest.fixture
def portfolio_references(db):
    FundingInstrumentFactory(code="AMIF")
    return {
        "icmpd": OrganisationFactory(
            name="International Centre for Migration Policy Development", acronym="ICMPD", kind="international"
        ),
        "belarus": OrganisationFactory(name="Republic of Belarus"),
        "eu": OrganisationFactory(name="European Union", acronym="EU", kind="eu_institution"),
        "psa": OrganisationFactory(name="Public Service Agency", acronym="PSA"),
    }


def counts() -> tuple[int, int]:
    return Project.objects.count(), ProjectPartner.objects.count()


def only_row(preview):
    assert len(preview.rows) == 1
    return preview.rows[0]


# Reading files


def test_csv_with_bom_and_semicolons_is_read_with_normalised_headers():
    upload = csv_upload(["A-1", "  Title with; semicolon  "], header=["Code", "Project title"], delimiter=";", bom=True)
    table = read_table(upload)
    assert table.header == ["code", "project_title"]
    assert table.rows == [{"code": "A-1", "project_title": "Title with; semicolon"}]


def test_csv_with_commas_and_quoted_commas_is_read():
    upload = csv_upload(["A-1", "Borders, visas and asylum"], header=["code", "title"])
    assert read_table(upload).rows == [{"code": "A-1", "title": "Borders, visas and asylum"}]


def test_xlsx_dates_become_iso_dates_and_numbers_plain_decimals():
    upload = xlsx_upload(
        [datetime.datetime(2025, 3, 31), datetime.date(2025, 1, 2), 105000.0, 0.1 + 0.2, 12, True, None],
        header=["a", "b", "c", "d", "e", "f", "g"],
    )
    assert read_table(upload).rows == [
        {"a": "2025-03-31", "b": "2025-01-02", "c": "105000", "d": "0.3", "e": "12", "f": "yes", "g": ""}
    ]


def test_blank_rows_keep_the_line_numbers_and_trailing_ones_are_dropped():
    upload = csv_upload(["A-1", "x"], ["", ""], ["A-2", "y"], ["", ""], header=["code", "title"])
    rows = read_table(upload).rows
    assert [row["code"] for row in rows] == ["A-1", "", "A-2"]


def test_size_limit_raises_a_clear_message():
    upload = csv_upload(["A-1", "x" * 2000], header=["code", "title"])
    with pytest.raises(ValidationError, match="larger than"):
        read_table(upload, max_bytes=1024)


def test_row_limit_raises_a_clear_message():
    upload = csv_upload(*[[f"A-{n}", "x"] for n in range(11)], header=["code", "title"])
    with pytest.raises(ValidationError, match="more than 10 rows"):
        read_table(upload, max_rows=10)
    assert len(read_table(upload, max_rows=11).rows) == 11


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF-1.4 whatever", "must end in .csv or .xlsx"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "Old Excel files"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "could not be read"),
        ("fake.xlsx", b"code,title\nA,B\n", "could not be read"),
        ("binary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "could not be read"),
        ("latin1.csv", "code,title\nA,Société\n".encode("latin-1"), "UTF-8"),
        ("empty.csv", b"", "empty"),
        ("twice.csv", b"code,Code\nA,B\n", "appears twice"),
    ],
)
def test_unreadable_files_raise_a_validation_error(name, data, message):
    with pytest.raises(ValidationError, match=message):
        read_table(SimpleUploadedFile(name, data))


# The portfolio import


def test_good_csv_creates_projects_with_partners_and_countries(portfolio_references, staff_user):
    rows = read_table(csv_upload(BELARUS, CAUCASUS)).rows
    preview = portfolio_import(rows=rows, user=staff_user)
    assert preview.imported
    assert [row.action for row in preview.rows] == ["create", "create"]
    belarus = Project.objects.get(code="MPF-2019-001")
    assert belarus.slug == "migration-policy-concept-for-belarus"
    assert belarus.status == Project.Status.CLOSED
    assert (belarus.planned_start, belarus.actual_end) == (datetime.date(2019, 2, 1), datetime.date(2020, 2, 20))
    assert [country.code for country in belarus.countries] == ["BY"]
    assert belarus.instrument.code == "AMIF"
    assert belarus.total_budget == Decimal("105000.00")
    assert belarus.is_published
    assert {(p.organisation.short_name, p.role) for p in belarus.partners.select_related("organisation")} == {
        ("ICMPD", "implementing"),
        ("Republic of Belarus", "beneficiary"),
        ("EU", "funding"),
    }
    caucasus = Project.objects.get(code="MPF-2021-007")
    assert caucasus.slug == "caucasus-labour"
    assert caucasus.status == Project.Status.IMPLEMENTATION
    assert sorted(country.code for country in caucasus.countries) == ["AM", "GE"]
    assert caucasus.instrument is None
    assert caucasus.currency == "EUR"
    assert not caucasus.is_published
    assert caucasus.partners.filter(role="implementing").count() == 2


def test_good_xlsx_creates_the_same_projects(portfolio_references, staff_user):
    belarus = changed(
        BELARUS,
        planned_start=datetime.datetime(2019, 2, 1),
        planned_end=datetime.datetime(2020, 2, 29),
        actual_start=None,
        actual_end=None,
        total_budget=105000.5,
        published=True,
        status=4,
    )
    preview = portfolio_import(rows=read_table(xlsx_upload(belarus)).rows, user=staff_user)
    assert preview.imported, [row.reasons for row in preview.rows]
    project = Project.objects.get(code="MPF-2019-001")
    assert project.planned_end == datetime.date(2020, 2, 29)
    assert project.total_budget == Decimal("105000.50")
    assert project.status == Project.Status.CLOSED
    assert project.is_published


def test_second_import_of_a_changed_file_reports_updates_with_the_changed_fields(portfolio_references, staff_user):
    portfolio_import(rows=rows_of(BELARUS, CAUCASUS), user=staff_user)
    caucasus = changed(
        CAUCASUS, status="Closed", actual_end="2022-11-30", actual_start="2021-05-03", implementing="ICMPD; EU"
    )
    preview = portfolio_preview(rows=rows_of(BELARUS, caucasus))
    unchanged, update = preview.rows
    assert unchanged.action == "unchanged"
    assert update.action == "update"
    assert set(update.changes) == {"status", "actual_start", "actual_end", "implementing"}
    assert update.changes["status"] == ("Implementation", "Closed")
    assert update.changes["implementing"] == ("ICMPD, PSA", "ICMPD, PSA, EU")
    result = portfolio_import(rows=rows_of(BELARUS, caucasus), user=staff_user)
    assert result.imported
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    project = Project.objects.get(code="MPF-2021-007")
    assert project.status == Project.Status.CLOSED
    assert project.actual_end == datetime.date(2022, 11, 30)
    assert project.partners.filter(role="implementing").count() == 3
    assert project.slug == "caucasus-labour"


def test_empty_cells_leave_an_existing_project_as_it_is(portfolio_references, staff_user):
    portfolio_import(rows=rows_of(BELARUS), user=staff_user)
    sparse = ["MPF-2019-001", "Migration policy concept for Belarus"] + [""] * (len(HEADER) - 2)
    sparse = changed(sparse, planned_start="2019-02-01", planned_end="2020-02-29")
    row = only_row(portfolio_preview(rows=rows_of(sparse)))
    assert row.action == "unchanged", row.changes


def test_slug_is_derived_from_the_title_and_made_unique(portfolio_references, staff_user, project):
    assert project.slug == "the-project"
    first = changed(CAUCASUS, code="N-1", title="The project", slug="")
    second = changed(CAUCASUS, code="N-2", title="The project", slug="")
    reserved = changed(CAUCASUS, code="N-3", title="Import", slug="")
    assert portfolio_import(rows=rows_of(first, second, reserved), user=staff_user).imported
    slugs = dict(Project.objects.filter(code__startswith="N-").values_list("code", "slug"))
    assert slugs == {"N-1": "the-project-2", "N-2": "the-project-3", "N-3": "import-2"}


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ({"instrument": "NOPE"}, "instrument", "There is no funding instrument with the code “NOPE”"),
        ({"implementing": "Nobody Ltd"}, "implementing", "There is no organisation “Nobody Ltd”"),
        ({"countries": "GE; XX"}, "countries", "“XX” is not a country code"),
        ({"planned_start": "31/02/2019"}, "planned_start", "is not a date"),
        ({"actual_end": "yesterday"}, "actual_end", "is not a date"),
        ({"planned_end": "2018-12-31"}, "planned_end", "The planned end cannot be before the planned start"),
        ({"actual_end": "2019-01-01"}, "actual_end", "The actual end cannot be before the actual start"),
        ({"total_budget": "-5"}, "total_budget", "greater than or equal to 0"),
        ({"total_budget": "a lot"}, "total_budget", "is not an amount"),
        ({"currency": "XYZ"}, "currency", "XYZ is not an ISO 4217 currency code"),
        ({"status": "Finished"}, "status", "is not a status"),
        ({"published": "maybe"}, "published", "Write yes or no"),
        ({"contact_email": "not-an-email"}, "contact_email", "valid email"),
        ({"slug": "new"}, "slug", "reserved"),
    ],
)
def test_each_refusal_names_the_column_and_the_reason(portfolio_references, values, column, reason):
    row = only_row(portfolio_preview(rows=rows_of(changed(BELARUS, **values))))
    assert row.action == "refused"
    assert any(r.startswith(f"{column}: ") and reason in r for r in row.reasons), row.reasons


def test_acronym_shared_by_two_organisations_is_refused(portfolio_references):
    OrganisationFactory(name="Another ICMPD", acronym="ICMPD")
    row = only_row(portfolio_preview(rows=rows_of(BELARUS)))
    assert any("several organisations" in reason for reason in row.reasons)


def test_a_partner_may_be_named_by_its_russian_name(portfolio_references, staff_user):
    belarus = portfolio_references["belarus"]
    belarus.name_ru = "Республика Беларусь"
    belarus.save()
    row = only_row(portfolio_preview(rows=rows_of(changed(BELARUS, beneficiary="республика беларусь"))))
    assert row.action == "create", row.reasons
    portfolio_import(rows=rows_of(changed(BELARUS, beneficiary="Республика Беларусь")), user=staff_user)
    partner = ProjectPartner.objects.get(project__code="MPF-2019-001", role=ProjectPartner.PartnerRole.BENEFICIARY)
    assert partner.organisation == belarus


def test_duplicate_code_in_the_file_is_refused_on_every_row(portfolio_references):
    preview = portfolio_preview(rows=rows_of(BELARUS, changed(BELARUS, title="Again")))
    assert [row.action for row in preview.rows] == ["refused", "refused"]
    assert "also on line 3" in preview.rows[0].reasons[0]
    assert "also on line 2" in preview.rows[1].reasons[0]


def test_missing_required_column_refuses_every_row(portfolio_references):
    header = [column for column in HEADER if column != "planned_end"]
    rows = [dict(zip(header, [v for c, v in zip(HEADER, BELARUS, strict=True) if c != "planned_end"], strict=True))]
    preview = portfolio_preview(rows=rows)
    assert preview.missing_columns == ["planned_end"]
    assert only_row(preview).reasons == ["planned_end: This column is missing from the file, and every row needs it."]


def test_unknown_columns_are_reported_and_ignored(portfolio_references):
    rows = [{**row, "notes": "whatever"} for row in rows_of(BELARUS)]
    preview = portfolio_preview(rows=rows)
    assert preview.unknown_columns == ["notes"]
    assert preview.can_import


def test_a_file_with_one_bad_row_writes_nothing_at_all(portfolio_references, staff_user, project):
    before = counts()
    bad = changed(CAUCASUS, instrument="NOPE")
    preview = portfolio_import(rows=rows_of(BELARUS, bad, changed(BELARUS, code="MPF-X")), user=staff_user)
    assert not preview.imported
    assert [row.action for row in preview.rows] == ["create", "refused", "create"]
    assert counts() == before


def test_an_update_and_a_bad_row_change_nothing(portfolio_references, staff_user):
    portfolio_import(rows=rows_of(BELARUS), user=staff_user)
    before = counts()
    preview = portfolio_import(
        rows=rows_of(changed(BELARUS, status="1", implementing="PSA"), changed(CAUCASUS, countries="XX")),
        user=staff_user,
    )
    assert not preview.imported
    project = Project.objects.get(code="MPF-2019-001")
    assert project.status == Project.Status.CLOSED
    assert counts() == before


def test_the_preview_writes_nothing(portfolio_references, staff_user):
    portfolio_import(rows=rows_of(BELARUS), user=staff_user)
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        preview = portfolio_preview(rows=rows_of(changed(BELARUS, status="2"), CAUCASUS))
    assert [row.action for row in preview.rows] == ["update", "create"]
    assert counts() == before
    assert Project.objects.get(code="MPF-2019-001").status == Project.Status.CLOSED
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []


# The pages


def stored_files(media_root) -> list:
    folder = media_root / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def test_upload_preview_confirm_end_to_end(
    client, staff_user, portfolio_references, media_root, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    page = client.get(reverse("projects:import"))
    assert page.status_code == 200
    assert reverse("projects:import_template") in page.content.decode()
    response = client.post(reverse("projects:import"), {"file": csv_upload(BELARUS, CAUCASUS)})
    assert response.status_code == 200
    html = response.content.decode()
    assert "MPF-2019-001 – Migration policy concept for Belarus" in html
    assert "Confirm import" in html
    assert not Project.objects.filter(code__startswith="MPF-20").exists()
    (stored,) = stored_files(media_root)
    token = next(iter(client.session[SESSION_KEY]))
    assert stored.name == f"{token}.csv"

    with django_capture_on_commit_callbacks(execute=True):  # the task runs in-process (eager) after the commit
        response = client.post(reverse("projects:import_confirm"), {"upload": token})
    assert response.status_code == 302
    assert response.url == reverse("projects:import_job", kwargs={"job_id": ImportJob.objects.get().pk})
    assert Project.objects.filter(code__in=["MPF-2019-001", "MPF-2021-007"]).count() == 2
    assert stored_files(media_root) == []
    assert token not in client.session[SESSION_KEY]
    assert "The projects were imported: 2 created, 0 updated" in client.get(response.url).content.decode()
    # The same upload cannot be confirmed twice.
    assert client.post(reverse("projects:import_confirm"), {"upload": token}).status_code == 404


def test_xlsx_upload_is_previewed_through_the_page(client, staff_user, portfolio_references, media_root):
    client.force_login(staff_user)
    response = client.post(reverse("projects:import"), {"file": xlsx_upload(BELARUS)})
    assert "Confirm import" in response.content.decode()
    assert stored_files(media_root)[0].suffix == ".xlsx"


def test_a_refused_file_shows_the_reasons_and_writes_nothing(client, staff_user, portfolio_references, media_root):
    client.force_login(staff_user)
    before = counts()
    response = client.post(reverse("projects:import"), {"file": csv_upload(changed(BELARUS, instrument="NOPE"))})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Refused" in html
    assert "There is no funding instrument with the code “NOPE”" in html
    assert "Confirm import" not in html
    assert counts() == before
    assert stored_files(media_root) == []


def test_an_unreadable_file_gets_a_clear_message(client, staff_user):
    client.force_login(staff_user)
    upload = SimpleUploadedFile("portfolio.xlsx", b"this is not a workbook")
    response = client.post(reverse("projects:import"), {"file": upload})
    assert response.status_code == 200
    assert "The file could not be read" in response.content.decode()


def test_posting_no_file_shows_the_form_error(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("projects:import"))
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()


def test_non_staff_get_403_on_upload_and_confirm(client, manager_user, staff_user, portfolio_references):
    client.force_login(staff_user)
    client.post(reverse("projects:import"), {"file": csv_upload(BELARUS)})
    token = next(iter(client.session[SESSION_KEY]))
    client.force_login(manager_user)
    assert client.get(reverse("projects:import")).status_code == 403
    assert client.post(reverse("projects:import"), {"file": csv_upload(BELARUS)}).status_code == 403
    assert client.post(reverse("projects:import_confirm"), {"upload": token}).status_code == 403
    assert client.get(reverse("projects:import_template")).status_code == 403
    assert not Project.objects.filter(code="MPF-2019-001").exists()


def test_confirm_with_an_upload_not_in_the_session_gets_404(client, staff_user, portfolio_references):
    client.force_login(staff_user)
    url = reverse("projects:import_confirm")
    assert client.post(url, {"upload": "5d0e5c4e-0000-4000-8000-000000000000"}).status_code == 404
    assert client.post(url, {"upload": "../../etc/passwd"}).status_code == 404
    assert client.post(url).status_code == 404


def test_another_users_upload_cannot_be_confirmed(client, staff_user, portfolio_references):
    client.force_login(staff_user)
    client.post(reverse("projects:import"), {"file": csv_upload(BELARUS)})
    token = next(iter(client.session[SESSION_KEY]))
    client.logout()
    client.force_login(UserFactory(username="staff2", is_staff=True))
    assert client.post(reverse("projects:import_confirm"), {"upload": token}).status_code == 404


def test_the_template_has_the_columns(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("projects:import_template"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.strip().split(",") == COLUMNS


def test_staff_see_the_import_link_on_the_project_list(client, staff_user, manager_user):
    client.force_login(staff_user)
    assert reverse("projects:import") in client.get(reverse("projects:list")).content.decode()
    client.force_login(manager_user)
    assert reverse("projects:import") not in client.get(reverse("projects:list")).content.decode()
